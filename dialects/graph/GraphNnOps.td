//===- GraphNnOps.td - neural-network ops ------------------*- tablegen -*-===//
//
// Convolutions and pooling in NCHW (any number of spatial dimensions), with
// ONNX's auto_pad and output_shape resolved by the importer into explicit
// pads. The normalizations are imported as reductions and elementwise ops.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_GRAPH_NN_OPS
#define DSC_GRAPH_NN_OPS

def Graph_PoolKind : I32EnumAttr<"PoolKind", "how graph.pool combines a window", [
      I32EnumAttrCase<"Max", 0, "max">,
      I32EnumAttrCase<"Avg", 1, "avg">,
      I32EnumAttrCase<"Lp", 2, "lp">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_PoolKindAttr : EnumAttr<Graph_Dialect, Graph_PoolKind, "pool_kind"> {
  let assemblyFormat = "$value";
}

def Graph_ConvOp : Graph_Op<"conv", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "grouped, strided, dilated convolution (cross-correlation) in NCHW";
  let description = [{
    `input` is N x C x D1 x ... x Dk, `filter` is M x C/group x K1 x ... x Kk,
    the optional `bias` has M elements. `pads` holds the amounts before each
    spatial dimension, then after each (ONNX's layout); padding reads zeros.
    Result dimension i is
    floor((Di + pad_begin + pad_end - ((Ki - 1) * dilation + 1)) / stride) + 1.
    Integer element types accumulate exactly (ConvInteger).

    With `channels_last` (set by graph-convert-layout) the channels are the
    last dimension instead: input N x D1 x ... x Dk x C, filter
    M x K1 x ... x Kk x C/group, result N x O1 x ... x Ok x M.
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$filter,
                       Optional<AnyTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads, I64Attr:$group,
                       UnitAttr:$channels_last);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ConvTransposeOp : Graph_Op<"conv_transpose", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "transposed convolution (the gradient of graph.conv) in NCHW";
  let description = [{
    `input` is N x C x D1 x ... x Dk, `filter` is C x M/group x K1 x ... x Kk,
    the optional `bias` has M elements. Input element x scatters into result
    position x * stride + k * dilation - pad_begin. Result dimension i is
    stride * (Di - 1) + output_padding + (Ki - 1) * dilation + 1 - pad_begin
    - pad_end; pads may be negative (ONNX's output_shape can ask for that).
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$filter,
                       Optional<AnyTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_PoolOp : Graph_Op<"pool", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "max, average or Lp pooling over windows of the spatial dimensions";
  let description = [{
    `input` is N x C x D1 x ... x Dk; windows of `kernel_shape` (with
    `dilations`) start at o * stride - pad_begin. Padding never takes part in
    max and lp (lp: (sum |x|^p)^(1/p)). For avg, the divisor counts the window's
    elements inside the input, or, with `count_include_pad`, those inside the
    padded input. With `ceil_mode` the result size rounds up, but a window
    must start inside the input or its leading padding. With `channels_last`
    input and result are N x D1 x ... x Dk x C.
  }];
  let arguments = (ins Graph_PoolKindAttr:$kind, AnyTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                       DefaultValuedAttr<I64Attr, "2">:$p,
                       UnitAttr:$channels_last);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_MaxPoolIndicesOp : Graph_Op<"max_pool_indices", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "where graph.pool max finds each maximum, as an i64 index";
  let description = [{
    The windows of graph.pool max with the same attributes; each result is
    the flat index of the window's first maximum in the input (batch and
    channel included), spatial dimensions read row-major, or column-major
    with `column_major` (ONNX MaxPool's storage_order 1).
  }];
  let arguments = (ins AnyTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_AttentionOp : Graph_Op<"attention", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "scaled dot-product attention: softmax(q kT * scale + mask) v";
  let description = [{
    `query` is B x H x S x D, `key` is B x H x Sk x D and `value` is
    B x H x Sk x Dv; the result is B x H x S x Dv:

      scores[b,h,i,j] = scale * sum_d query[b,h,i,d] * key[b,h,j,d] (+ mask)
      result[b,h,i,:] = sum_j softmax_j(scores[b,h,i,:]) * value[b,h,j,:]

    The optional `mask` broadcasts to B x H x S x Sk: a float mask (the
    query's element type) is added to the scores; an i1 mask keeps the
    scores where it is true and makes them -inf where it is false. With
    `causal`, key j takes no part in query row i when j > i (the top-left
    aligned mask of PyTorch's is_causal). A row in which no key takes part
    (every score -inf) gives zeros with `zero_empty_rows` (the NaN guard of
    PyTorch's decomposition) and NaN without it, as softmax does.

    With `seq_major`, the operands and the result hold positions before
    heads, as projections produce them: query B x S x Hq x D, key
    B x Sk x Hk x D, value B x Sk x Hv x Dv, result B x S x H x Dv. Head h
    reads head `head_offsets[i] + h` of operand i (0 when absent), so one
    packed projection (B x S x 3H x D) can be the query, key and value at
    once; `num_heads` is H when the offsets are given (the query's head
    count otherwise).
  }];
  // The key is not transposed: [Sk, D] rows with D contiguous are what
  // both the q kT product's tensor-core fragments and a row loop read, and
  // what exporters hold before their Transpose(0, 1, 3, 2).
  let arguments = (ins AnyTensor:$query, AnyTensor:$key, AnyTensor:$value,
                       Optional<AnyTensor>:$mask, F32Attr:$scale,
                       UnitAttr:$causal, UnitAttr:$zero_empty_rows,
                       UnitAttr:$seq_major,
                       OptionalAttr<DenseI64ArrayAttr>:$head_offsets,
                       OptionalAttr<I64Attr>:$num_heads);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DSC_GRAPH_NN_OPS
