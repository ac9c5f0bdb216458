//===- OpImporters.cpp - one builder per ONNX op --------------------------===//
//
// Each builder resolves the differences between the opsets of its op (legacy
// broadcast attributes, attributes that became inputs, changed defaults) so
// that the graph dialect sees one normalized form.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

std::string NodeImporter::describe() const {
  std::string name = node.name().empty()
                         ? "<unnamed #" + std::to_string(index) + ">"
                         : node.name();
  std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
  std::string opset =
      opsetVersion > 0 ? std::to_string(opsetVersion) : std::string("none");
  return "node '" + name + "' (op_type '" + node.op_type() + "', domain '" +
         domain + "', opset " + opset + ")";
}

Value NodeImporter::input(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  return state.values.lookup(node.input(i));
}

LogicalResult NodeImporter::requireInputs(unsigned count) {
  for (unsigned i = 0; i < count; ++i)
    if (!hasInput(i))
      return invalid("expects at least " + Twine(count) + " inputs, input " +
                     Twine(i) + " is missing");
  return success();
}

bool NodeImporter::outputUsed(unsigned i) const {
  return static_cast<int>(i) < node.output_size() && !node.output(i).empty() &&
         state.consumed.contains(node.output(i));
}

void NodeImporter::setOutput(unsigned i, Value value) {
  if (static_cast<int>(i) < node.output_size() && !node.output(i).empty())
    state.values[node.output(i)] = value;
}

const ::onnx::AttributeProto *NodeImporter::attribute(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

/// Old models leave AttributeProto.type unset; the field that holds a value
/// then tells the type.
static bool hasAttrType(const ::onnx::AttributeProto &attr,
                        ::onnx::AttributeProto::AttributeType type) {
  if (attr.type() != ::onnx::AttributeProto::UNDEFINED)
    return attr.type() == type;
  switch (type) {
  case ::onnx::AttributeProto::INT:
    return attr.has_i();
  case ::onnx::AttributeProto::FLOAT:
    return attr.has_f();
  case ::onnx::AttributeProto::STRING:
    return attr.has_s();
  case ::onnx::AttributeProto::INTS:
    return attr.ints_size() > 0;
  case ::onnx::AttributeProto::TENSOR:
    return attr.has_t();
  default:
    return false;
  }
}

FailureOr<int64_t> NodeImporter::intAttr(StringRef name, int64_t fallback) {
  const ::onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return fallback;
  if (!hasAttrType(*attr, ::onnx::AttributeProto::INT))
    return invalid("attribute '" + name + "' must be an int");
  return attr->i();
}

FailureOr<float> NodeImporter::floatAttr(StringRef name, float fallback) {
  const ::onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return fallback;
  if (!hasAttrType(*attr, ::onnx::AttributeProto::FLOAT))
    return invalid("attribute '" + name + "' must be a float");
  return attr->f();
}

FailureOr<std::string> NodeImporter::stringAttr(StringRef name,
                                                StringRef fallback) {
  const ::onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return fallback.str();
  if (!hasAttrType(*attr, ::onnx::AttributeProto::STRING))
    return invalid("attribute '" + name + "' must be a string");
  return attr->s();
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeImporter::intsAttr(StringRef name) {
  const ::onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::optional<SmallVector<int64_t>>();
  if (attr->type() != ::onnx::AttributeProto::INTS &&
      !(attr->type() == ::onnx::AttributeProto::UNDEFINED &&
        attr->ints_size() > 0))
    return invalid("attribute '" + name + "' must be a list of ints");
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>(attr->ints().begin(), attr->ints().end()));
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i,
                                                           StringRef what) {
  Value value = input(i);
  auto constant = value ? value.getDefiningOp<graph::ConstantOp>() : nullptr;
  if (!constant)
    return unsupported("input " + Twine(i) + " (" + what +
                       ") must be a constant (an initializer or a Constant "
                       "node)");
  Type elementType = constant.getType().getElementType();
  if (!elementType.isInteger(64) && !elementType.isInteger(32))
    return invalid("input " + Twine(i) + " (" + what +
                   ") must be an integer tensor");
  if (constant.getType().getRank() > 1)
    return invalid("input " + Twine(i) + " (" + what + ") must be 1-D");
  FailureOr<reference::Tensor> tensor =
      reference::fromAttr(constant.getValue());
  if (failed(tensor))
    return invalid("input " + Twine(i) + " (" + what + ") is unreadable");
  SmallVector<int64_t> ints;
  for (double v : tensor->data)
    ints.push_back(static_cast<int64_t>(v));
  return ints;
}

FailureOr<RankedTensorType> NodeImporter::rankedType(Value value,
                                                     StringRef what) {
  if (auto ranked = dyn_cast<RankedTensorType>(value.getType()))
    return ranked;
  if (failed(inferShapesSoFar(state)))
    return invalid("shape inference of an earlier node failed: " +
                   state.lastDiagnostic);
  if (auto ranked = dyn_cast<RankedTensorType>(value.getType()))
    return ranked;
  return unsupported("the rank of " + what +
                     " must be known at import (give the graph inputs "
                     "shapes)");
}

Value NodeImporter::scalarConstant(Type elementType, double value) {
  reference::Tensor tensor;
  FailureOr<reference::DType> dtype = reference::dtypeOf(elementType);
  tensor.dtype = succeeded(dtype) ? *dtype : reference::DType::F32;
  tensor.data = {reference::roundTo(tensor.dtype, value)};
  return builder().create<graph::ConstantOp>(
      loc, reference::toAttr(tensor, context()));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpTy> static LogicalResult importUnary(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value input = node.input(0);
  Value result = node.builder().create<OpTy>(
      node.location(), node.unranked(node.elementTypeOf(input)), input);
  node.setOutput(0, result);
  return success();
}

/// Before opset 7, binary ops broadcast only with `broadcast=1`, aligning the
/// rhs with lhs dimension `axis` (default: trailing). Returns the rhs
/// reshaped so that numpy broadcasting gives the same result.
static FailureOr<Value> legacyBroadcastRhs(NodeImporter &node, Value lhs,
                                           Value rhs) {
  FailureOr<int64_t> broadcast = node.intAttr("broadcast", 0);
  if (failed(broadcast))
    return failure();
  const ::onnx::AttributeProto *axisAttr = node.attribute("axis");
  // Without broadcast the shapes are equal; without axis the alignment is
  // trailing: numpy semantics agree with both.
  if (*broadcast == 0 || !axisAttr)
    return rhs;
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  FailureOr<RankedTensorType> lhsType = node.rankedType(lhs, "input A");
  if (failed(lhsType))
    return failure();
  FailureOr<RankedTensorType> rhsType = node.rankedType(rhs, "input B");
  if (failed(rhsType))
    return failure();
  int64_t lhsRank = lhsType->getRank(), rhsRank = rhsType->getRank();
  int64_t start = *axis < 0 ? *axis + lhsRank : *axis;
  if (start < 0 || start + rhsRank > lhsRank)
    return node.invalid("legacy broadcast axis " + Twine(*axis) +
                        " does not fit a rank-" + Twine(rhsRank) +
                        " B into a rank-" + Twine(lhsRank) + " A");
  int64_t trailing = lhsRank - start - rhsRank;
  if (trailing == 0)
    return rhs;
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < trailing; ++i)
    axes.push_back(rhsRank + i);
  return Value(node.builder().create<graph::UnsqueezeOp>(
      node.location(), node.unranked(node.elementTypeOf(rhs)), rhs, axes));
}

template <typename OpTy> static LogicalResult importBinary(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  Value lhs = node.input(0), rhs = node.input(1);
  if (node.opset() < 7) {
    FailureOr<Value> reshaped = legacyBroadcastRhs(node, lhs, rhs);
    if (failed(reshaped))
      return failure();
    rhs = *reshaped;
  }
  Type elementType = node.elementTypeOf(lhs);
  Type rhsType = node.elementTypeOf(rhs);
  // Pow (opset 12+) lets the exponent have its own type; the result has the
  // base's. A float exponent of an integer base is applied in float (2^0.5
  // is 1.41.., truncated to 1, not 2^0), otherwise the exponent is cast to
  // the base's type.
  if (std::is_same_v<OpTy, graph::PowOp> && rhsType != elementType) {
    OpBuilder &builder = node.builder();
    Location loc = node.location();
    if (isa<FloatType>(rhsType) && !isa<FloatType>(elementType)) {
      Value base =
          builder.create<graph::CastOp>(loc, node.unranked(rhsType), lhs);
      Value power =
          builder.create<graph::PowOp>(loc, node.unranked(rhsType), base, rhs);
      node.setOutput(0, builder.create<graph::CastOp>(
                            loc, node.unranked(elementType), power));
      return success();
    }
    rhs = builder.create<graph::CastOp>(loc, node.unranked(elementType), rhs);
  }
  Value result = node.builder().create<OpTy>(
      node.location(), node.unranked(elementType), lhs, rhs);
  node.setOutput(0, result);
  return success();
}

static LogicalResult importGelu(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<std::string> approximate = node.stringAttr("approximate", "none");
  if (failed(approximate))
    return failure();
  std::optional<graph::GeluApproximation> approximation =
      llvm::StringSwitch<std::optional<graph::GeluApproximation>>(*approximate)
          .Case("none", graph::GeluApproximation::None)
          .Case("tanh", graph::GeluApproximation::Tanh)
          .Default(std::nullopt);
  if (!approximation)
    return node.invalid("attribute 'approximate' is '" + *approximate +
                        "', expected 'none' or 'tanh'");
  Value input = node.input(0);
  auto gelu = node.builder().create<graph::GeluOp>(
      node.location(), node.unranked(node.elementTypeOf(input)), input);
  gelu.setApproximate(*approximation);
  node.setOutput(0, gelu);
  return success();
}

/// Cast's `to` is a TensorProto data type; opset 1 spelled it as a string.
static LogicalResult importCast(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  const ::onnx::AttributeProto *to = node.attribute("to");
  if (!to)
    return node.invalid("attribute 'to' is required");
  int32_t onnxType;
  if (to->type() == ::onnx::AttributeProto::STRING || to->has_s()) {
    ::onnx::TensorProto::DataType parsed;
    if (!::onnx::TensorProto::DataType_Parse(to->s(), &parsed))
      return node.invalid("attribute 'to' names unknown type '" + to->s() +
                          "'");
    onnxType = parsed;
  } else {
    FailureOr<int64_t> value = node.intAttr("to", 0);
    if (failed(value))
      return failure();
    onnxType = static_cast<int32_t>(*value);
  }
  Type target = elementTypeOf(onnxType, *node.context());
  if (!target)
    return node.unsupported("cast to " + onnxTypeName(onnxType) +
                            " is not supported");
  Value result = node.builder().create<graph::CastOp>(
      node.location(), node.unranked(target), node.input(0));
  node.setOutput(0, result);
  return success();
}

static LogicalResult importIdentity(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  node.setOutput(0, node.input(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions and normalizations
//===----------------------------------------------------------------------===//

static LogicalResult importMatMul(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  Value lhs = node.input(0), rhs = node.input(1);
  Value result = node.builder().create<graph::MatMulOp>(
      node.location(), node.unranked(node.elementTypeOf(lhs)), lhs, rhs);
  node.setOutput(0, result);
  return success();
}

/// Gemm: Y = alpha * op(A) @ op(B) + beta * C, decomposed into transpose,
/// matmul, mul and add so that folding and fusion see ordinary ops. C is
/// optional from opset 11; before opset 7 its broadcasting needed
/// `broadcast=1`, which numpy broadcasting subsumes for valid models.
static LogicalResult importGemm(NodeImporter &node) {
  if (failed(node.requireInputs(node.opset() < 11 ? 3 : 2)))
    return failure();
  FailureOr<int64_t> transA = node.intAttr("transA", 0);
  FailureOr<int64_t> transB = node.intAttr("transB", 0);
  FailureOr<float> alpha = node.floatAttr("alpha", 1.0f);
  FailureOr<float> beta = node.floatAttr("beta", 1.0f);
  if (failed(transA) || failed(transB) || failed(alpha) || failed(beta))
    return failure();
  OpBuilder &builder = node.builder();
  Location loc = node.location();
  Value a = node.input(0), b = node.input(1), c = node.input(2);
  Type elementType = node.elementTypeOf(a);
  Type resultType = node.unranked(elementType);
  auto transposed = [&](Value matrix) -> Value {
    return builder.create<graph::TransposeOp>(
        loc, node.unranked(node.elementTypeOf(matrix)), matrix,
        ArrayRef<int64_t>{1, 0});
  };
  if (*transA)
    a = transposed(a);
  if (*transB)
    b = transposed(b);
  Value y = builder.create<graph::MatMulOp>(loc, resultType, a, b);
  if (*alpha != 1.0f)
    y = builder.create<graph::MulOp>(loc, resultType, y,
                                     node.scalarConstant(elementType, *alpha));
  if (c) {
    if (*beta != 1.0f)
      c = builder.create<graph::MulOp>(loc, resultType, c,
                                       node.scalarConstant(elementType, *beta));
    y = builder.create<graph::AddOp>(loc, resultType, y, c);
  }
  node.setOutput(0, y);
  return success();
}

/// Softmax before opset 13 coerces the input to 2-D at `axis` (default 1) and
/// normalizes each row: the dimensions from `axis` on are flattened into one,
/// normalized, and restored. From opset 13 it normalizes one axis (default
/// -1).
static LogicalResult importSoftmax(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  bool coerced = node.opset() < 13;
  FailureOr<int64_t> axis = node.intAttr("axis", coerced ? 1 : -1);
  if (failed(axis))
    return failure();
  OpBuilder &builder = node.builder();
  Location loc = node.location();
  Value input = node.input(0);
  Type resultType = node.unranked(node.elementTypeOf(input));
  if (!coerced) {
    node.setOutput(
        0, builder.create<graph::SoftmaxOp>(loc, resultType, input, *axis));
    return success();
  }
  FailureOr<RankedTensorType> type = node.rankedType(input, "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  int64_t start = *axis < 0 ? *axis + rank : *axis;
  if (start < 0 || start > rank || (rank > 0 && start == rank))
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(rank));
  if (start == rank - 1) {
    node.setOutput(
        0, builder.create<graph::SoftmaxOp>(loc, resultType, input, start));
    return success();
  }
  // Flatten [axis, rank) into one dimension; 0 copies the leading ones.
  SmallVector<int64_t> flat(start, 0);
  flat.push_back(-1);
  SmallVector<int64_t> restore(start, 0);
  int dynamicTrailing = 0;
  for (int64_t d : type->getShape().drop_front(start)) {
    restore.push_back(ShapedType::isDynamic(d) ? -1 : d);
    dynamicTrailing += ShapedType::isDynamic(d);
  }
  if (dynamicTrailing > 1)
    return node.unsupported("coercing to 2-D needs at most one dynamic "
                            "dimension from axis " +
                            Twine(*axis) + " on");
  Value flattened =
      builder.create<graph::ReshapeOp>(loc, resultType, input, flat, false);
  Value normalized =
      builder.create<graph::SoftmaxOp>(loc, resultType, flattened, start);
  node.setOutput(0, builder.create<graph::ReshapeOp>(
                        loc, resultType, normalized, restore, false));
  return success();
}

static LogicalResult importLayerNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  if (node.outputUsed(1) || node.outputUsed(2))
    return node.unsupported("only output Y is supported; the Mean and "
                            "InvStdDev outputs are used");
  FailureOr<int64_t> axis = node.intAttr("axis", -1);
  FailureOr<float> epsilon = node.floatAttr("epsilon", 1e-5f);
  if (failed(axis) || failed(epsilon))
    return failure();
  if (*epsilon < 0)
    return node.invalid("epsilon must not be negative");
  Value input = node.input(0);
  OpBuilder &builder = node.builder();
  auto layerNorm = builder.create<graph::LayerNormOp>(
      node.location(), node.unranked(node.elementTypeOf(input)), input,
      node.input(1), node.input(2), builder.getI64IntegerAttr(*axis),
      builder.getF32FloatAttr(*epsilon));
  node.setOutput(0, layerNorm);
  return success();
}

/// ReduceMean: axes is an attribute before opset 18 and an optional constant
/// input from it; opset 18 adds noop_with_empty_axes.
static LogicalResult importReduceMean(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> keepdims = node.intAttr("keepdims", 1);
  FailureOr<int64_t> noopWithEmptyAxes =
      node.intAttr("noop_with_empty_axes", 0);
  if (failed(keepdims) || failed(noopWithEmptyAxes))
    return failure();
  SmallVector<int64_t> axes;
  if (node.opset() < 18) {
    FailureOr<std::optional<SmallVector<int64_t>>> attr = node.intsAttr("axes");
    if (failed(attr))
      return failure();
    if (*attr)
      axes = **attr;
  } else if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  }
  Value input = node.input(0);
  if (axes.empty() && *noopWithEmptyAxes) {
    node.setOutput(0, input);
    return success();
  }
  node.setOutput(0,
                 node.builder().create<graph::ReduceMeanOp>(
                     node.location(), node.unranked(node.elementTypeOf(input)),
                     input, axes, *keepdims != 0));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Reshape: the shape is an attribute in opset 1 and a constant input from
/// opset 5; opset 14 adds allowzero.
static LogicalResult importReshape(NodeImporter &node) {
  if (failed(node.requireInputs(node.opset() < 5 ? 1 : 2)))
    return failure();
  SmallVector<int64_t> shape;
  if (node.opset() < 5) {
    FailureOr<std::optional<SmallVector<int64_t>>> attr =
        node.intsAttr("shape");
    if (failed(attr))
      return failure();
    if (!*attr)
      return node.invalid("attribute 'shape' is required");
    shape = **attr;
  } else {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "shape");
    if (failed(values))
      return failure();
    shape = *values;
  }
  FailureOr<int64_t> allowZero = node.intAttr("allowzero", 0);
  if (failed(allowZero))
    return failure();
  if (llvm::count(shape, -1) > 1)
    return node.invalid("more than one dimension of the shape is -1");
  for (int64_t d : shape)
    if (d < -1)
      return node.invalid("shape dimension " + Twine(d) + " is invalid");
  if (*allowZero && llvm::is_contained(shape, 0) &&
      llvm::is_contained(shape, -1))
    return node.invalid("with allowzero, the shape may not hold both 0 and "
                        "-1");
  Value input = node.input(0);
  node.setOutput(0,
                 node.builder().create<graph::ReshapeOp>(
                     node.location(), node.unranked(node.elementTypeOf(input)),
                     input, shape, *allowZero != 0));
  return success();
}

static LogicalResult importTranspose(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value input = node.input(0);
  FailureOr<std::optional<SmallVector<int64_t>>> permAttr =
      node.intsAttr("perm");
  if (failed(permAttr))
    return failure();
  SmallVector<int64_t> perm;
  if (*permAttr) {
    perm = **permAttr;
  } else {
    // The default permutation reverses the dimensions.
    FailureOr<RankedTensorType> type = node.rankedType(input, "input");
    if (failed(type))
      return failure();
    for (int64_t i = type->getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  }
  node.setOutput(0, node.builder().create<graph::TransposeOp>(
                        node.location(),
                        node.unranked(node.elementTypeOf(input)), input, perm));
  return success();
}

/// Squeeze and Unsqueeze take axes as an attribute before opset 13 and as a
/// constant input from it (optional for Squeeze, required for Unsqueeze).
template <typename OpTy>
static LogicalResult importSqueezeLike(NodeImporter &node) {
  constexpr bool isUnsqueeze = std::is_same_v<OpTy, graph::UnsqueezeOp>;
  if (failed(node.requireInputs(node.opset() >= 13 && isUnsqueeze ? 2 : 1)))
    return failure();
  SmallVector<int64_t> axes;
  if (node.opset() < 13) {
    FailureOr<std::optional<SmallVector<int64_t>>> attr = node.intsAttr("axes");
    if (failed(attr))
      return failure();
    if (*attr)
      axes = **attr;
    else if (isUnsqueeze)
      return node.invalid("attribute 'axes' is required");
  } else if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  }
  if (isUnsqueeze && axes.empty())
    return node.invalid("axes must not be empty");
  Value input = node.input(0);
  node.setOutput(0, node.builder().create<OpTy>(
                        node.location(),
                        node.unranked(node.elementTypeOf(input)), input, axes));
  return success();
}

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

static LogicalResult importConstant(NodeImporter &node) {
  if (node.proto().attribute_size() != 1)
    return node.invalid("expects exactly one attribute holding the value");
  const ::onnx::AttributeProto &attr = node.proto().attribute(0);
  StringRef name = attr.name();
  reference::Tensor tensor;
  ElementsAttr value;
  if (name == "value") {
    if (!attr.has_t())
      return node.invalid("attribute 'value' must be a tensor");
    FailureOr<ElementsAttr> imported = importTensor(
        attr.t(), node.describe() + ": attribute 'value'", node.importState());
    if (failed(imported))
      return failure();
    value = *imported;
  } else if (name == "value_float" || name == "value_floats") {
    tensor.dtype = reference::DType::F32;
    if (name == "value_float") {
      tensor.data = {attr.f()};
    } else {
      tensor.shape = {attr.floats_size()};
      tensor.data.assign(attr.floats().begin(), attr.floats().end());
    }
  } else if (name == "value_int" || name == "value_ints") {
    tensor.dtype = reference::DType::I64;
    if (name == "value_int") {
      tensor.data = {static_cast<double>(attr.i())};
    } else {
      tensor.shape = {attr.ints_size()};
      for (int64_t v : attr.ints())
        tensor.data.push_back(static_cast<double>(v));
    }
  } else if (name == "sparse_value" || name == "value_string" ||
             name == "value_strings") {
    return node.unsupported("attribute '" + name + "' is not supported");
  } else {
    return node.invalid("unknown attribute '" + name + "'");
  }
  if (!value)
    value = reference::toAttr(tensor, node.context(), "constant");
  node.setOutput(
      0, node.builder().create<graph::ConstantOp>(node.location(), value));
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

const OpImporter *importer::lookupOpImporter(StringRef opType) {
  static const llvm::StringMap<OpImporter> importers = {
      {"Add", {1, importBinary<graph::AddOp>}},
      {"Sub", {1, importBinary<graph::SubOp>}},
      {"Mul", {1, importBinary<graph::MulOp>}},
      {"Div", {1, importBinary<graph::DivOp>}},
      {"Pow", {1, importBinary<graph::PowOp>}},
      {"Relu", {1, importUnary<graph::ReluOp>}},
      {"Tanh", {1, importUnary<graph::TanhOp>}},
      {"Sigmoid", {1, importUnary<graph::SigmoidOp>}},
      {"Erf", {9, importUnary<graph::ErfOp>}},
      {"Sqrt", {1, importUnary<graph::SqrtOp>}},
      {"Gelu", {20, importGelu}},
      {"Cast", {1, importCast}},
      {"Identity", {1, importIdentity}},
      {"MatMul", {1, importMatMul}},
      {"Gemm", {1, importGemm}},
      {"Softmax", {1, importSoftmax}},
      {"LayerNormalization", {17, importLayerNormalization}},
      {"ReduceMean", {1, importReduceMean}},
      {"Reshape", {1, importReshape}},
      {"Transpose", {1, importTranspose}},
      {"Squeeze", {1, importSqueezeLike<graph::SqueezeOp>}},
      {"Unsqueeze", {1, importSqueezeLike<graph::UnsqueezeOp>}},
      {"Constant", {1, importConstant}},
  };
  auto it = importers.find(opType);
  return it == importers.end() ? nullptr : &it->second;
}
