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

def Graph_MathFn : I32EnumAttr<"MathFn", "a unary math function", [
      I32EnumAttrCase<"Floor", 0, "floor">,
      I32EnumAttrCase<"Ceil", 1, "ceil">,
      I32EnumAttrCase<"Round", 2, "round">,
      I32EnumAttrCase<"Sign", 3, "sign">,
      I32EnumAttrCase<"Sin", 4, "sin">,
      I32EnumAttrCase<"Cos", 5, "cos">,
      I32EnumAttrCase<"Tan", 6, "tan">,
      I32EnumAttrCase<"Asin", 7, "asin">,
      I32EnumAttrCase<"Acos", 8, "acos">,
      I32EnumAttrCase<"Atan", 9, "atan">,
      I32EnumAttrCase<"Sinh", 10, "sinh">,
      I32EnumAttrCase<"Cosh", 11, "cosh">,
      I32EnumAttrCase<"Asinh", 12, "asinh">,
      I32EnumAttrCase<"Acosh", 13, "acosh">,
      I32EnumAttrCase<"Atanh", 14, "atanh">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_MathFnAttr : EnumAttr<Graph_Dialect, Graph_MathFn, "math_fn"> {
  let assemblyFormat = "$value";
}

def Graph_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "how graph.compare compares (ordered: false when an operand is NaN, except ne)", [
      I32EnumAttrCase<"Eq", 0, "eq">,
      I32EnumAttrCase<"Ne", 1, "ne">,
      I32EnumAttrCase<"Lt", 2, "lt">,
      I32EnumAttrCase<"Le", 3, "le">,
      I32EnumAttrCase<"Gt", 4, "gt">,
      I32EnumAttrCase<"Ge", 5, "ge">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ComparePredicateAttr
    : EnumAttr<Graph_Dialect, Graph_ComparePredicate, "compare_predicate"> {
  let assemblyFormat = "$value";
}

def Graph_BitwiseKind : I32EnumAttr<"BitwiseKind", "a bitwise binary operation", [
      I32EnumAttrCase<"And", 0, "and">,
      I32EnumAttrCase<"Or", 1, "or">,
      I32EnumAttrCase<"Xor", 2, "xor">,
      I32EnumAttrCase<"ShiftLeft", 3, "shl">,
      I32EnumAttrCase<"ShiftRight", 4, "shr">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_BitwiseKindAttr : EnumAttr<Graph_Dialect, Graph_BitwiseKind, "bitwise_kind"> {
  let assemblyFormat = "$value";
}

def Graph_ReduceKind : I32EnumAttr<"ReduceKind", "the combining function of graph.reduce", [
      I32EnumAttrCase<"Sum", 0, "sum">,
      I32EnumAttrCase<"Max", 1, "max">,
      I32EnumAttrCase<"Min", 2, "min">,
      I32EnumAttrCase<"Prod", 3, "prod">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ReduceKindAttr : EnumAttr<Graph_Dialect, Graph_ReduceKind, "reduce_kind"> {
  let assemblyFormat = "$value";
}

def Graph_PadMode : I32EnumAttr<"PadMode", "how graph.pad fills the border", [
      I32EnumAttrCase<"Constant", 0, "constant">,
      I32EnumAttrCase<"Reflect", 1, "reflect">,
      I32EnumAttrCase<"Edge", 2, "edge">,
      I32EnumAttrCase<"Wrap", 3, "wrap">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_PadModeAttr : EnumAttr<Graph_Dialect, Graph_PadMode, "pad_mode"> {
  let assemblyFormat = "$value";
}

def Graph_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how scattered updates combine with the data", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Add", 1, "add">,
      I32EnumAttrCase<"Mul", 2, "mul">,
      I32EnumAttrCase<"Max", 3, "max">,
      I32EnumAttrCase<"Min", 4, "min">
    ]> {
  let cppNamespace = "::dsc::graph";
  let genSpecializedAttr = 0;
}
def Graph_ScatterReductionAttr
    : EnumAttr<Graph_Dialect, Graph_ScatterReduction, "scatter_reduction"> {
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

def Graph_MathOp : Graph_ElementwiseOp<"math", [SameOperandsAndResultElementType]> {
  let summary = "a unary math function (floor, sin, ...), one op for the family";
  let description = [{
    One op with the function as an attribute instead of one op per function:
    the family is scalar math the emitter writes as one call. `round` rounds
    half to even; `sign` is -1, 0 or 1 (NaN stays NaN).
  }];
  let arguments = (ins Graph_MathFnAttr:$fn, AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $fn $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ModOp : Graph_ElementwiseOp<"mod", [ResultsBroadcastableShape,
    SameOperandsAndResultElementType]> {
  let summary = "remainder with numpy broadcasting";
  let description = [{
    With `fmod` the remainder has the sign of the dividend (C's fmod);
    without it (integers only) the sign of the divisor (Python's %). A zero
    integer divisor gives 0.
  }];
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_CompareOp : Graph_ElementwiseOp<"compare", [ResultsBroadcastableShape]> {
  let summary = "elementwise comparison with numpy broadcasting; an i1 result";
  let arguments = (ins Graph_ComparePredicateAttr:$predicate, AnyTensor:$lhs,
                       AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_BitwiseOp : Graph_ElementwiseOp<"bitwise", [ResultsBroadcastableShape,
    SameOperandsAndResultElementType]> {
  let summary = "bitwise and/or/xor/shift of integers (on i1: logical and/or/xor)";
  let description = [{
    Shifts are logical (ONNX BitShift is defined on unsigned types); a shift
    by the bit width or more gives 0.
  }];
  let arguments = (ins Graph_BitwiseKindAttr:$kind, AnyTensor:$lhs,
                       AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $kind `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_NotOp : Graph_ElementwiseOp<"not", [SameOperandsAndResultElementType]> {
  let summary = "bitwise complement of integers (on i1: logical not)";
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_SelectOp : Graph_ElementwiseOp<"select", [ResultsBroadcastableShape]> {
  let summary = "picks `true_value` where `condition` holds, else `false_value`";
  let arguments = (ins AnyTensor:$condition, AnyTensor:$true_value,
                       AnyTensor:$false_value);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
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

def Graph_LogSoftmaxOp : Graph_Op<"log_softmax", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "log of softmax along one axis, computed stably (x - max - log sum exp)";
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_HardmaxOp : Graph_Op<"hardmax", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "1 at the first maximum along one axis, 0 elsewhere";
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ReduceOp : Graph_Op<"reduce", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "sum, max, min or product over the given axes (all axes when empty)";
  let description = [{
    ONNX's other reductions (L1, L2, LogSum, LogSumExp, SumSquare) are
    imported as elementwise ops around one of these; mean keeps its own op
    (graph.reduce_mean), which the row-reduction emitter generates. Reducing
    an empty dimension gives the identity (0, 1, -inf for max, +inf for min).
  }];
  let arguments = (ins Graph_ReduceKindAttr:$kind, AnyTensor:$input,
                       DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ArgReduceOp : Graph_Op<"arg_reduce", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "index (i64) of the maximum (kind max) or minimum (kind min) along an axis";
  let description = [{
    Ties go to the first index, or to the last with `select_last_index`.
    Only `max` and `min` are valid kinds.
  }];
  let arguments = (ins Graph_ReduceKindAttr:$kind, AnyTensor:$input,
                       I64Attr:$axis, BoolAttr:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $kind $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_CumSumOp : Graph_Op<"cumsum", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "running sum along an axis (exclusive: without the element itself)";
  let arguments = (ins AnyTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
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

def Graph_ConcatOp : Graph_Op<"concat", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "joins tensors of equal rank along one axis";
  let arguments = (ins Variadic<AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_SliceOp : Graph_Op<"slice", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "strided slice with ONNX's bounds (negative from the end, clamped)";
  let description = [{
    For each listed axis: elements start, start+step, ... before end. Negative
    starts/ends count from the end; out-of-range values are clamped (to
    [0, dim] for a positive step, [-1, dim-1] for a negative one). Axes not
    listed are kept whole.
  }];
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$axes,
                       DenseI64ArrayAttr:$steps);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_GatherOp : Graph_Op<"gather", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "takes slices of `input` along `axis` at `indices` (negative from the end)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_GatherElementsOp : Graph_Op<"gather_elements", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "result[i] = input[i with axis replaced by indices[i]]";
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ScatterElementsOp : Graph_Op<"scatter_elements", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "a copy of `input` with `updates` written (or combined) at `indices` along `axis`";
  let arguments = (ins AnyTensor:$input, AnyTensor:$indices, AnyTensor:$updates,
                       I64Attr:$axis,
                       DefaultValuedAttr<Graph_ScatterReductionAttr,
                         "::dsc::graph::ScatterReduction::None">:$reduction);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ExpandOp : Graph_Op<"expand", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "broadcasts the input against `shape` (numpy rules, both ways)";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_TileOp : Graph_Op<"tile", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "repeats the input `repeats[i]` times along each dimension i";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_PadOp : Graph_Op<"pad", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "pads (or, with negative pads, crops) every dimension";
  let description = [{
    `pads` holds the amounts before each dimension, then after each
    dimension (ONNX's layout, for all dimensions). `value` (a scalar of the
    element type) fills the border in constant mode.
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$value,
                       DenseI64ArrayAttr:$pads, Graph_PadModeAttr:$mode);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    `` $mode $input `,` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_TriluOp : Graph_Op<"trilu", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dimensions";
  let arguments = (ins AnyTensor:$input, BoolAttr:$upper, I64Attr:$k);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ShapeOp : Graph_Op<"shape", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "the dimensions [start, end) of the input's shape, as i64";
  let description = [{
    `start` and `end` follow ONNX Shape-15: negative from the end, clamped.
    Folds to a constant once the input's shape is static.
  }];
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<I64Attr, "0">:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_SizeOp : Graph_Op<"size", [Pure,
    DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>]> {
  let summary = "the number of elements of the input, as a rank-0 i64";
  let arguments = (ins AnyTensor:$input);
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

include "dialects/graph/GraphNnOps.td"
include "dialects/graph/GraphTensorOps.td"
include "dialects/graph/GraphMoeOps.td"

#endif // DSC_GRAPH_OPS
