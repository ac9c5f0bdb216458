//===- GraphTensorOps.td - resize, top-k, n-d gather/scatter -*- tablegen -*-===//
//
// The tensor/index family: ops whose indexing is not a composition of the
// other graph ops. Included at the end of GraphOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_GRAPH_TENSOR_OPS
#define DSC_GRAPH_TENSOR_OPS

def Graph_ResizeMode : I32EnumAttr<"ResizeMode", "how graph.resize interpolates", [
      I32EnumAttrCase<"Nearest", 0, "nearest">,
      I32EnumAttrCase<"Linear", 1, "linear">,
      I32EnumAttrCase<"Cubic", 2, "cubic">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ResizeModeAttr : EnumAttr<Graph_Dialect, Graph_ResizeMode, "resize_mode"> {
  let assemblyFormat = "$value";
}

def Graph_ResizeCoordinates : I32EnumAttr<"ResizeCoordinates",
    "how graph.resize maps a result coordinate to an input coordinate", [
      I32EnumAttrCase<"HalfPixel", 0, "half_pixel">,
      I32EnumAttrCase<"HalfPixelSymmetric", 1, "half_pixel_symmetric">,
      I32EnumAttrCase<"PytorchHalfPixel", 2, "pytorch_half_pixel">,
      I32EnumAttrCase<"AlignCorners", 3, "align_corners">,
      I32EnumAttrCase<"Asymmetric", 4, "asymmetric">,
      I32EnumAttrCase<"TfHalfPixelForNn", 5, "tf_half_pixel_for_nn">,
      I32EnumAttrCase<"TfCropAndResize", 6, "tf_crop_and_resize">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ResizeCoordinatesAttr
    : EnumAttr<Graph_Dialect, Graph_ResizeCoordinates, "resize_coordinates"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_ResizeNearestMode : I32EnumAttr<"ResizeNearestMode",
    "how nearest-mode graph.resize rounds an input coordinate", [
      I32EnumAttrCase<"RoundPreferFloor", 0, "round_prefer_floor">,
      I32EnumAttrCase<"RoundPreferCeil", 1, "round_prefer_ceil">,
      I32EnumAttrCase<"Floor", 2, "floor">,
      I32EnumAttrCase<"Ceil", 3, "ceil">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ResizeNearestModeAttr
    : EnumAttr<Graph_Dialect, Graph_ResizeNearestMode, "resize_nearest_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_ResizeOp : Graph_Op<"resize", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "resizes every dimension by interpolation (ONNX Resize)";
  let description = [{
    Every dimension is explicit: the result shape is `sizes`, and `scales`
    (result over input, as ONNX defines them: not always the ratio of the
    sizes) drive the coordinate transformation. Interpolation is separable
    and applied from the last dimension to the first. `roi` (starts, then
    ends, normalized) is used by `tf_crop_and_resize` only, which writes
    `extrapolation_value` where the input coordinate falls outside.
  }];
  let arguments = (ins AnyTensor:$input, Graph_ResizeModeAttr:$mode,
                       Graph_ResizeCoordinatesAttr:$coordinates,
                       Graph_ResizeNearestModeAttr:$nearest_mode,
                       DenseI64ArrayAttr:$sizes, DenseF64ArrayAttr:$scales,
                       DenseF64ArrayAttr:$roi,
                       DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $mode $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_TopKOp : Graph_Op<"topk", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "the k largest (or smallest) elements along an axis and their i64 indices";
  let description = [{
    Equal values keep the lower index first. With `sorted` false the order
    is still the sorted one (ONNX leaves it unspecified).
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$k, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs AnyTensor:$values, AnyTensor:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
}

def Graph_GatherNDOp : Graph_Op<"gather_nd", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "slices of `input` at the index tuples of the last dimension of `indices`";
  let description = [{
    ONNX GatherND: the first `batch_dims` dimensions of both operands are
    batch dimensions; each index tuple (negative from the end) selects a
    slice of the remaining input dimensions.
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ScatterNDOp : Graph_Op<"scatter_nd", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "a copy of `input` with `updates` written (or combined) at index tuples";
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices, AnyTensor:$updates,
                       DefaultValuedAttr<Graph_ScatterReductionAttr,
                         "::dsc::graph::ScatterReduction::None">:$reduction);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DSC_GRAPH_TENSOR_OPS
