//===- GraphOps.td - graph dialect -------------------------*- tablegen -*-===//
//
// Tensor-level ops close to ONNX but normalized: attributes are checked and
// explicit, and opset differences are resolved by the importer.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_GRAPH_OPS
#define DSC_GRAPH_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "dialects/graph/GraphInterfaces.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::dsc::graph";
  let summary = "tensor dataflow graph of an imported model";
  let description = [{
    Tensors in SSA form with static (or, later, symbolic) shapes. Weights are
    `dense_resource` blobs. A `graph.fusion` region is one future kernel.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Graph_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how gelu is computed", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Tanh", 1, "tanh">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_GeluApproximationAttr
    : EnumAttr<Graph_Dialect, Graph_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_FusionKind : I32EnumAttr<"FusionKind", "the kernel family of a fusion", [
      I32EnumAttrCase<"Elementwise", 0, "elementwise">,
      I32EnumAttrCase<"Gemm", 1, "gemm">,
      I32EnumAttrCase<"RowReduction", 2, "row_reduction">,
      I32EnumAttrCase<"Data", 3, "data">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_FusionKindAttr : EnumAttr<Graph_Dialect, Graph_FusionKind, "fusion_kind"> {
  let assemblyFormat = "$value";
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor (weights as dense_resource blobs)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Graph_ElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>,
        Graph_ElementwiseOpInterface])>;

class Graph_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Graph_ElementwiseOp<mnemonic, !listconcat(traits, [
        ResultsBroadcastableShape, SameOperandsAndResultElementType])> {
  let summary = "elementwise " # mnemonic # " with numpy broadcasting";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Graph_AddOp : Graph_BinaryOp<"add", [Commutative]>;
def Graph_SubOp : Graph_BinaryOp<"sub">;
def Graph_MulOp : Graph_BinaryOp<"mul", [Commutative]>;
def Graph_DivOp : Graph_BinaryOp<"div">;
def Graph_PowOp : Graph_BinaryOp<"pow">;
def Graph_MaxOp : Graph_BinaryOp<"max", [Commutative]>;
def Graph_MinOp : Graph_BinaryOp<"min", [Commutative]>;

class Graph_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Graph_ElementwiseOp<mnemonic, !listconcat(traits, [
        SameOperandsAndResultElementType])> {
  let summary = "elementwise " # mnemonic;
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
}

def Graph_ReluOp : Graph_UnaryOp<"relu">;
def Graph_TanhOp : Graph_UnaryOp<"tanh">;
def Graph_SigmoidOp : Graph_UnaryOp<"sigmoid">;
def Graph_ErfOp : Graph_UnaryOp<"erf">;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt">;
def Graph_ExpOp : Graph_UnaryOp<"exp">;
def Graph_LogOp : Graph_UnaryOp<"log">;
def Graph_NegOp : Graph_UnaryOp<"neg">;
def Graph_AbsOp : Graph_UnaryOp<"abs">;
def Graph_ReciprocalOp : Graph_UnaryOp<"reciprocal">;

def Graph_GeluOp : Graph_ElementwiseOp<"gelu", [SameOperandsAndResultElementType]> {
  let summary = "gaussian error linear unit (exact, or its tanh approximation)";
  let arguments = (ins AnyTensor:$input,
                       DefaultValuedAttr<Graph_GeluApproximationAttr,
                         "::dsc::graph::GeluApproximation::None">:$approximate);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
}

def Graph_CastOp : Graph_ElementwiseOp<"cast"> {
  let summary = "converts the element type (round to nearest even; float to int truncates)";
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_Op<"matmul", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "matrix product with numpy semantics (1-D promotion, batch broadcasting)";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "softmax along one axis (opset 13 semantics)";
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "normalizes over the dimensions from `axis` on, then scales and shifts";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
                       Optional<AnyTensor>:$bias,
                       I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ReduceMeanOp : Graph_Op<"reduce_mean", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "mean over the given axes (all axes when empty)";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "reshape with ONNX's shape conventions (0 copies a dimension unless allow_zero, -1 is inferred)";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_SqueezeOp : Graph_Op<"squeeze", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "removes size-1 dimensions (all of them when axes is empty)";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasCanonicalizer = 1;
}

def Graph_UnsqueezeOp : Graph_Op<"unsqueeze", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "inserts size-1 dimensions at the given axes of the result";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasCanonicalizer = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "permutes dimensions: result dim i is input dim perm[i]";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def Graph_FusionOp : Graph_Op<"fusion", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a group of ops that becomes one kernel";
  let description = [{
    The body computes the results from the block arguments, which stand for
    the operands. Attributes record the decisions of the fusion pass: the
    kernel family and the anchor op (`gemm`, `softmax`, ... or `none`).
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs, Graph_FusionKindAttr:$kind,
                       StrAttr:$anchor);
  let results = (outs Variadic<AnyTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `` $kind `anchor` `(` $anchor `)` (`(` $inputs^ `:` type($inputs) `)`)?
    attr-dict-with-keyword `->` type($results) $body
  }];
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes, "::mlir::ValueRange":$inputs,
                   "FusionKind":$kind, "::llvm::StringRef":$anchor)>
  ];
}

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, HasParent<"FusionOp">]> {
  let summary = "the results of a fusion body";
  let arguments = (ins Variadic<AnyTensor>:$values);
  let builders = [OpBuilder<(ins), [{ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // DSC_GRAPH_OPS
