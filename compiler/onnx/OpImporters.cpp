//===- OpImporters.cpp - one builder per ONNX op --------------------------===//
//
// Each builder resolves the differences between the opsets of its op (legacy
// broadcast attributes, attributes that became inputs, changed defaults) so
// that the graph dialect sees one normalized form.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ExprBuilder.h"
#include "compiler/onnx/NodeImporter.h"

#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

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

FailureOr<Sequence> NodeImporter::sequenceInput(unsigned i) {
  if (!isSequenceInput(i))
    return invalid("input " + Twine(i) + " must be a sequence");
  return state.sequences.lookup(node.input(i));
}

void NodeImporter::setSequenceOutput(unsigned i, Sequence sequence) {
  if (static_cast<int>(i) < node.output_size() && !node.output(i).empty())
    state.sequences[node.output(i)] = std::move(sequence);
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

/// Ops evaluated at import to find an input's value: at most this many.
static constexpr int kMaxImportEvaluations = 256;

/// The value of `value` when it follows from constants and static shapes
/// alone; failure otherwise. Shape inference must have run over the graph.
static FailureOr<reference::Tensor>
evaluateAtImport(Value value, int &budget,
                 llvm::DenseMap<Value, reference::Tensor> &known) {
  auto it = known.find(value);
  if (it != known.end())
    return it->second;
  Operation *op = value.getDefiningOp();
  if (!op || --budget < 0 || op->getNumResults() != 1 ||
      !isa<graph::GraphDialect>(op->getDialect()))
    return failure();
  // Constants are read where they are needed (not all up front: unrolled
  // loops ask once per iteration).
  if (auto constant = dyn_cast<graph::ConstantOp>(op)) {
    FailureOr<reference::Tensor> tensor =
        reference::fromAttr(constant.getValue());
    if (succeeded(tensor))
      known[value] = *tensor;
    return tensor;
  }
  // Shape and Size need only their operand's (static) type.
  SmallVector<OpFoldResult> folded;
  if (isa<graph::ShapeOp, graph::SizeOp>(op)) {
    if (failed(op->fold({}, folded)) || folded.size() != 1)
      return failure();
    auto attr = dyn_cast_if_present<ElementsAttr>(
        dyn_cast_if_present<Attribute>(folded[0]));
    if (!attr)
      return failure();
    return reference::fromAttr(attr);
  }
  SmallVector<reference::Tensor> operands;
  for (Value operand : op->getOperands()) {
    FailureOr<reference::Tensor> tensor =
        evaluateAtImport(operand, budget, known);
    if (failed(tensor))
      return failure();
    operands.push_back(std::move(*tensor));
  }
  FailureOr<SmallVector<reference::Tensor>> results;
  {
    // An op the interpreter rejects means the value is not known here; the
    // op reports its own error where it is really evaluated.
    ScopedDiagnosticHandler silence(op->getContext(),
                                    [](Diagnostic &) { return success(); });
    results = reference::evaluateOp(op, operands);
  }
  if (failed(results))
    return failure();
  known[value] = (*results)[0];
  return std::move((*results)[0]);
}

/// The name of a graph input whose value `value` is computed from, if any:
/// the input to fix so that `value` becomes known at import.
static std::optional<std::string> graphInputBehind(Value value) {
  SmallVector<Value> worklist = {value};
  llvm::DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (!seen.insert(next).second)
      continue;
    if (auto argument = dyn_cast<BlockArgument>(next)) {
      auto func = dyn_cast<func::FuncOp>(argument.getOwner()->getParentOp());
      if (!func)
        continue;
      if (auto name = func.getArgAttrOfType<StringAttr>(argument.getArgNumber(),
                                                        "graph.name"))
        return name.str();
      continue;
    }
    // Shape and Size read only their operand's type, not its value.
    Operation *op = next.getDefiningOp();
    if (isa<graph::ShapeOp, graph::SizeOp>(op))
      continue;
    llvm::append_range(worklist, op->getOperands());
  }
  return std::nullopt;
}

FailureOr<reference::Tensor> NodeImporter::constantTensor(unsigned i,
                                                          StringRef what) {
  Value value = input(i);
  if (!value)
    return invalid("input " + Twine(i) + " (" + what + ") is missing");
  return constantValue(value, "input " + Twine(i) + " (" + what + ")");
}

FailureOr<reference::Tensor> NodeImporter::constantValue(Value value,
                                                         const Twine &what) {
  if (auto constant = value.getDefiningOp<graph::ConstantOp>()) {
    FailureOr<reference::Tensor> tensor =
        reference::fromAttr(constant.getValue());
    if (failed(tensor))
      return invalid(what + " is unreadable");
    return tensor;
  }
  if (failed(inferShapesSoFar(state)))
    return invalid("shape inference of an earlier node failed: " +
                   state.lastDiagnostic);
  int budget = kMaxImportEvaluations;
  llvm::DenseMap<Value, reference::Tensor> known;
  FailureOr<reference::Tensor> tensor = evaluateAtImport(value, budget, known);
  if (succeeded(tensor))
    return tensor;
  if (std::optional<std::string> graphInput = graphInputBehind(value)) {
    state.inputNeededAtImport = *graphInput;
    return unsupported(what +
                       " must be known at import, but it depends on graph "
                       "input '" +
                       *graphInput + "': give its value with --input-value " +
                       *graphInput + "=FILE.npy to specialize the model to it");
  }
  return unsupported(what + " must be known at import: a constant, or computed "
                            "from constants and static shapes");
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i,
                                                           StringRef what) {
  FailureOr<reference::Tensor> tensor = constantTensor(i, what);
  if (failed(tensor))
    return failure();
  if (tensor->dtype != reference::DType::I64 &&
      tensor->dtype != reference::DType::I32)
    return invalid("input " + Twine(i) + " (" + what +
                   ") must be an integer tensor");
  if (tensor->shape.size() > 1)
    return invalid("input " + Twine(i) + " (" + what + ") must be 1-D");
  // Values are held as double: INT64_MAX/MIN (Slice's "to the end") round
  // to +-2^63, which saturate back instead of overflowing the conversion.
  constexpr double limit = 9223372036854775807.0;
  SmallVector<int64_t> ints;
  for (double v : tensor->data)
    ints.push_back(v >= limit    ? std::numeric_limits<int64_t>::max()
                   : v <= -limit ? std::numeric_limits<int64_t>::min()
                                 : static_cast<int64_t>(v));
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
  if (node.isAbsentInput(0)) {
    node.setAbsentOutput(0);
    return success();
  }
  if (node.isSequenceInput(0)) {
    node.setSequenceOutput(0, *node.sequenceInput(0));
    return success();
  }
  node.setOutput(0, node.input(0));
  return success();
}

template <graph::MathFn fn>
static LogicalResult importMath(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value input = node.input(0);
  Type type = node.elementTypeOf(input);
  bool integerOk = fn == graph::MathFn::Sign;
  if (!isa<FloatType>(type) &&
      !(integerOk && isa<IntegerType>(type) && !type.isInteger(1) &&
        !type.isUnsignedInteger()))
    return node.unsupported("input type " + typeName(type) +
                            " is not supported");
  node.setOutput(0, build<graph::MathOp>(node, type, fn, input));
  return success();
}

/// Clip: bounds are attributes (default: unbounded) before opset 11 and
/// optional inputs from it. max(x, lo) then min(., hi), as numpy.clip.
static LogicalResult importClip(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  Value lo, hi;
  if (node.opset() < 11) {
    if (node.attribute("min")) {
      FailureOr<float> min = node.floatAttr("min", 0);
      if (failed(min))
        return failure();
      lo = node.scalarConstant(type, *min);
    }
    if (node.attribute("max")) {
      FailureOr<float> max = node.floatAttr("max", 0);
      if (failed(max))
        return failure();
      hi = node.scalarConstant(type, *max);
    }
  } else {
    lo = node.input(1);
    hi = node.input(2);
  }
  for (Value bound : {lo, hi})
    if (bound && node.elementTypeOf(bound) != type)
      return node.invalid("bounds must have the input's element type");
  if (lo)
    x = build<graph::MaxOp>(node, type, x, lo);
  if (hi)
    x = build<graph::MinOp>(node, type, x, hi);
  node.setOutput(0, x);
  return success();
}

/// Min, Max, Sum, Mean: a chain of binary ops over every input.
template <typename OpTy, bool isMean = false>
static LogicalResult importVariadic(NodeImporter &node) {
  if (node.numInputs() == 0)
    return node.invalid("expects at least one input");
  if (failed(node.requireInputs(node.numInputs())))
    return failure();
  Value acc = node.input(0);
  Type type = node.elementTypeOf(acc);
  for (unsigned i = 1; i < node.numInputs(); ++i) {
    if (node.elementTypeOf(node.input(i)) != type)
      return node.invalid("inputs have different element types");
    acc = build<OpTy>(node, type, acc, node.input(i));
  }
  if constexpr (isMean) {
    if (failed(requireFloat(node, acc)))
      return failure();
    if (node.numInputs() > 1)
      acc = build<graph::DivOp>(node, type, acc,
                                node.scalarConstant(type, node.numInputs()));
  }
  node.setOutput(0, acc);
  return success();
}

static LogicalResult importMod(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<int64_t> fmod = node.intAttr("fmod", 0);
  if (failed(fmod))
    return failure();
  Value a = node.input(0), b = node.input(1);
  Type type = node.elementTypeOf(a);
  if (type.isInteger(1))
    return node.unsupported("input type i1 is not supported");
  if (!*fmod && isa<FloatType>(type))
    return node.invalid("fmod must be 1 for floating-point inputs");
  auto mod = node.builder().create<graph::ModOp>(
      node.location(), node.unranked(type), a, b, *fmod != 0);
  node.setOutput(0, mod);
  return success();
}

//===----------------------------------------------------------------------===//
// Activations, decomposed into elementwise ops (exactly the ONNX formulas)
//===----------------------------------------------------------------------===//

enum class Activation {
  Elu,
  Selu,
  Celu,
  LeakyRelu,
  PRelu,
  HardSigmoid,
  HardSwish,
  Softplus,
  Softsign,
  Mish,
  ThresholdedRelu,
  Shrink
};

template <Activation kind>
static LogicalResult importActivation(NodeImporter &node) {
  if (failed(node.requireInputs(kind == Activation::PRelu ? 2 : 1)))
    return failure();
  Value x = node.input(0);
  // PRelu, LeakyRelu and Shrink are defined on integers too from some
  // opsets; dsc supports their float forms.
  if (failed(requireFloat(node, x)))
    return failure();
  Expr e{node, node.elementTypeOf(x)};
  auto attr = [&](StringRef name, float fallback) {
    return node.floatAttr(name, fallback);
  };
  Value y;
  switch (kind) {
  case Activation::Elu: {
    FailureOr<float> alpha = attr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    y = e.add(e.un<graph::ReluOp>(x), e.mul(e.c(*alpha), e.expm1Negative(x)));
    break;
  }
  case Activation::Selu: {
    FailureOr<float> alpha = attr("alpha", 1.67326319217681884765625f);
    FailureOr<float> gamma = attr("gamma", 1.05070102214813232421875f);
    if (failed(alpha) || failed(gamma))
      return failure();
    y = e.mul(e.c(*gamma), e.add(e.un<graph::ReluOp>(x),
                                 e.mul(e.c(*alpha), e.expm1Negative(x))));
    break;
  }
  case Activation::Celu: {
    FailureOr<float> alpha = attr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    if (*alpha == 0)
      return node.invalid("alpha must not be 0");
    // max(0, x) + min(0, alpha * (e^(x / alpha) - 1)).
    Value negative = e.mul(
        e.c(*alpha), e.sub(e.un<graph::ExpOp>(e.div(x, e.c(*alpha))), e.c(1)));
    y = e.add(e.un<graph::ReluOp>(x), e.min(e.c(0), negative));
    break;
  }
  case Activation::LeakyRelu: {
    FailureOr<float> alpha = attr("alpha", 0.01f);
    if (failed(alpha))
      return failure();
    y = e.leaky(x, e.c(*alpha));
    break;
  }
  case Activation::PRelu: {
    Value slope = node.input(1);
    if (node.elementTypeOf(slope) != e.type)
      return node.invalid("slope must have the input's element type");
    // Before opset 7 a vector slope holds one value per channel (axis 1),
    // Caffe-style; numpy broadcasting would align it with the last axis.
    auto slopeType = dyn_cast<RankedTensorType>(slope.getType());
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (node.opset() < 7 && slopeType && xType && slopeType.getRank() == 1 &&
        slopeType.getDimSize(0) != 1 && xType.getRank() > 2) {
      SmallVector<int64_t> channelShape(xType.getRank() - 1, 1);
      channelShape[0] = slopeType.getDimSize(0);
      slope = node.builder().create<graph::ReshapeOp>(
          slope.getLoc(),
          RankedTensorType::get(channelShape, slopeType.getElementType()),
          slope, channelShape, /*allow_zero=*/true);
    }
    y = e.leaky(x, slope);
    break;
  }
  case Activation::HardSigmoid: {
    FailureOr<float> alpha = attr("alpha", 0.2f);
    FailureOr<float> beta = attr("beta", 0.5f);
    if (failed(alpha) || failed(beta))
      return failure();
    y = e.hardSigmoid(x, *alpha, *beta);
    break;
  }
  case Activation::HardSwish:
    y = e.mul(x, e.hardSigmoid(x, 1.0 / 6.0, 0.5));
    break;
  case Activation::Softplus:
    y = e.softplus(x);
    break;
  case Activation::Softsign:
    y = e.div(x, e.add(e.c(1), e.un<graph::AbsOp>(x)));
    break;
  case Activation::Mish:
    y = e.mul(x, e.un<graph::TanhOp>(e.softplus(x)));
    break;
  case Activation::ThresholdedRelu: {
    FailureOr<float> alpha = attr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    y = e.select(e.compare(graph::ComparePredicate::Gt, x, e.c(*alpha)), x,
                 e.c(0));
    break;
  }
  case Activation::Shrink: {
    FailureOr<float> lambd = attr("lambd", 0.5f);
    FailureOr<float> bias = attr("bias", 0.0f);
    if (failed(lambd) || failed(bias))
      return failure();
    // x < -lambd: x + bias; x > lambd: x - bias; otherwise 0.
    Value below = e.compare(graph::ComparePredicate::Lt, x, e.c(-*lambd));
    Value above = e.compare(graph::ComparePredicate::Gt, x, e.c(*lambd));
    y = e.select(below, e.add(x, e.c(*bias)),
                 e.select(above, e.sub(x, e.c(*bias)), e.c(0)));
    break;
  }
  }
  node.setOutput(0, y);
  return success();
}

//===----------------------------------------------------------------------===//
// Comparisons and logic
//===----------------------------------------------------------------------===//

/// Both operands of a binary op, with the legacy (opset < 7) broadcast
/// resolved.
static FailureOr<std::pair<Value, Value>> binaryOperands(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  Value lhs = node.input(0), rhs = node.input(1);
  if (node.opset() < 7) {
    FailureOr<Value> reshaped = legacyBroadcastRhs(node, lhs, rhs);
    if (failed(reshaped))
      return failure();
    rhs = *reshaped;
  }
  if (node.elementTypeOf(lhs) != node.elementTypeOf(rhs))
    return node.invalid("inputs have different element types");
  return std::make_pair(lhs, rhs);
}

template <graph::ComparePredicate predicate>
static LogicalResult importCompare(NodeImporter &node) {
  FailureOr<std::pair<Value, Value>> operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Expr e{node, node.elementTypeOf(operands->first)};
  node.setOutput(0, e.compare(predicate, operands->first, operands->second));
  return success();
}

/// And/Or/Xor (booleans) and BitwiseAnd/Or/Xor (integers) are one op.
template <graph::BitwiseKind kind, bool logical>
static LogicalResult importBitwise(NodeImporter &node) {
  FailureOr<std::pair<Value, Value>> operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Type type = node.elementTypeOf(operands->first);
  if (logical ? !type.isInteger(1)
              : !isa<IntegerType>(type) || type.isInteger(1))
    return node.invalid("input type " + typeName(type) + " is not " +
                        (logical ? "bool" : "an integer type"));
  node.setOutput(0, build<graph::BitwiseOp>(node, type, kind, operands->first,
                                            operands->second));
  return success();
}

static LogicalResult importBitShift(NodeImporter &node) {
  FailureOr<std::pair<Value, Value>> operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  FailureOr<std::string> direction = node.stringAttr("direction", "");
  if (failed(direction))
    return failure();
  if (*direction != "LEFT" && *direction != "RIGHT")
    return node.invalid("attribute 'direction' must be LEFT or RIGHT, not '" +
                        *direction + "'");
  Type type = node.elementTypeOf(operands->first);
  if (!type.isUnsignedInteger())
    return node.unsupported("input type " + typeName(type) +
                            " is not supported (uint8 only)");
  auto kind = *direction == "LEFT" ? graph::BitwiseKind::ShiftLeft
                                   : graph::BitwiseKind::ShiftRight;
  node.setOutput(0, build<graph::BitwiseOp>(node, type, kind, operands->first,
                                            operands->second));
  return success();
}

template <bool logical> static LogicalResult importNot(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  if (logical ? !type.isInteger(1)
              : !isa<IntegerType>(type) || type.isInteger(1))
    return node.invalid("input type " + typeName(type) + " is not " +
                        (logical ? "bool" : "an integer type"));
  node.setOutput(0, build<graph::NotOp>(node, type, x));
  return success();
}

static LogicalResult importWhere(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  Value cond = node.input(0), a = node.input(1), b = node.input(2);
  if (!node.elementTypeOf(cond).isInteger(1))
    return node.invalid("condition must be bool");
  if (node.elementTypeOf(a) != node.elementTypeOf(b))
    return node.invalid("X and Y have different element types");
  node.setOutput(
      0, build<graph::SelectOp>(node, node.elementTypeOf(a), cond, a, b));
  return success();
}

/// IsNaN(x) is x != x; IsInf compares with the infinities it detects.
static LogicalResult importIsNaN(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  if (failed(requireFloat(node, x)))
    return failure();
  Expr e{node, node.elementTypeOf(x)};
  node.setOutput(0, e.compare(graph::ComparePredicate::Ne, x, x));
  return success();
}

static LogicalResult importIsInf(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  if (failed(requireFloat(node, x)))
    return failure();
  FailureOr<int64_t> positive = node.intAttr("detect_positive", 1);
  FailureOr<int64_t> negative = node.intAttr("detect_negative", 1);
  if (failed(positive) || failed(negative))
    return failure();
  Expr e{node, node.elementTypeOf(x)};
  Value result;
  if (*positive && *negative)
    result = e.compare(graph::ComparePredicate::Eq, e.un<graph::AbsOp>(x),
                       e.c(INFINITY));
  else if (*positive)
    result = e.compare(graph::ComparePredicate::Eq, x, e.c(INFINITY));
  else if (*negative)
    result = e.compare(graph::ComparePredicate::Eq, x, e.c(-INFINITY));
  else
    // Detects nothing: x < -inf never holds (NaN included).
    result = e.compare(graph::ComparePredicate::Lt, x, e.c(-INFINITY));
  node.setOutput(0, result);
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

/// Softmax (and LogSoftmax, Hardmax) before opset 13 coerces the input to 2-D
/// at `axis` (default 1) and normalizes each row: the dimensions from `axis` on
/// are flattened into one, normalized, and restored. From opset 13 it
/// normalizes one axis (default -1).
template <typename OpTy>
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
    node.setOutput(0, builder.create<OpTy>(loc, resultType, input, *axis));
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
    node.setOutput(0, builder.create<OpTy>(loc, resultType, input, start));
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
  Value normalized = builder.create<OpTy>(loc, resultType, flattened, start);
  node.setOutput(0, builder.create<graph::ReshapeOp>(
                        loc, resultType, normalized, restore, false));
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
// Reductions
//===----------------------------------------------------------------------===//

/// The axes of a Reduce* node: an attribute before `inputSince` (13 for
/// ReduceSum, 18 for the others), an optional constant input from it.
/// nullopt means "no-op" (noop_with_empty_axes with no axes).
static FailureOr<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeImporter &node, int64_t inputSince) {
  FailureOr<int64_t> noop = node.intAttr("noop_with_empty_axes", 0);
  if (failed(noop))
    return failure();
  SmallVector<int64_t> axes;
  if (node.opset() < inputSince) {
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
  if (axes.empty() && *noop)
    return std::optional<SmallVector<int64_t>>();
  return std::optional<SmallVector<int64_t>>(axes);
}

enum class Reduction {
  Sum,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// ReduceSum/Max/Min/Prod are one graph.reduce; the others are elementwise
/// ops around a sum (LogSumExp subtracts the maximum first, so that it does
/// not overflow).
template <Reduction kind>
static LogicalResult importReduce(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> keepdims = node.intAttr("keepdims", 1);
  if (failed(keepdims))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      reductionAxes(node, kind == Reduction::Sum ? 13 : 18);
  if (failed(axes))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  if (type.isInteger(1))
    return node.unsupported("input type i1 is not supported");
  if (!*axes) {
    node.setOutput(0, x);
    return success();
  }
  Expr e{node, type};
  auto reduce = [&](graph::ReduceKind k, Value v, bool keep) -> Value {
    return node.builder().create<graph::ReduceOp>(
        node.location(), node.unranked(type), k, v, **axes, keep);
  };
  bool keep = *keepdims != 0;
  Value y;
  switch (kind) {
  case Reduction::Sum:
    y = reduce(graph::ReduceKind::Sum, x, keep);
    break;
  case Reduction::Max:
    y = reduce(graph::ReduceKind::Max, x, keep);
    break;
  case Reduction::Min:
    y = reduce(graph::ReduceKind::Min, x, keep);
    break;
  case Reduction::Prod:
    y = reduce(graph::ReduceKind::Prod, x, keep);
    break;
  case Reduction::L1:
    y = reduce(graph::ReduceKind::Sum, e.un<graph::AbsOp>(x), keep);
    break;
  case Reduction::L2:
    if (failed(requireFloat(node, x)))
      return failure();
    y = e.un<graph::SqrtOp>(reduce(graph::ReduceKind::Sum, e.mul(x, x), keep));
    break;
  case Reduction::SumSquare:
    y = reduce(graph::ReduceKind::Sum, e.mul(x, x), keep);
    break;
  case Reduction::LogSum:
    if (failed(requireFloat(node, x)))
      return failure();
    y = e.un<graph::LogOp>(reduce(graph::ReduceKind::Sum, x, keep));
    break;
  case Reduction::LogSumExp: {
    if (failed(requireFloat(node, x)))
      return failure();
    // m + log(sum(e^(x - m))) with m the maximum, kept for broadcasting; a
    // maximum of +-inf would make x - m NaN, so it is replaced by 0 there.
    Value m = reduce(graph::ReduceKind::Max, x, true);
    Value infinite = e.compare(graph::ComparePredicate::Eq,
                               e.un<graph::AbsOp>(m), e.c(INFINITY));
    m = e.select(infinite, e.c(0), m);
    Value sum =
        reduce(graph::ReduceKind::Sum, e.un<graph::ExpOp>(e.sub(x, m)), true);
    y = e.add(e.un<graph::LogOp>(sum), m);
    if (!keep)
      y = node.builder().create<graph::SqueezeOp>(
          node.location(), node.unranked(type), y,
          **axes); // empty axes: every dimension is 1
    break;
  }
  }
  node.setOutput(0, y);
  return success();
}

template <graph::ReduceKind kind>
static LogicalResult importArgReduce(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  FailureOr<int64_t> keepdims = node.intAttr("keepdims", 1);
  FailureOr<int64_t> last = node.intAttr("select_last_index", 0);
  if (failed(axis) || failed(keepdims) || failed(last))
    return failure();
  Value x = node.input(0);
  if (node.elementTypeOf(x).isInteger(1))
    return node.unsupported("input type i1 is not supported");
  auto op = node.builder().create<graph::ArgReduceOp>(
      node.location(), node.unranked(node.builder().getI64Type()), kind, x,
      *axis, *keepdims != 0, *last != 0);
  node.setOutput(0, op);
  return success();
}

static LogicalResult importCumSum(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<SmallVector<int64_t>> axis = node.constantInts(1, "axis");
  FailureOr<int64_t> exclusive = node.intAttr("exclusive", 0);
  FailureOr<int64_t> reverse = node.intAttr("reverse", 0);
  if (failed(axis) || failed(exclusive) || failed(reverse))
    return failure();
  if (axis->size() != 1)
    return node.invalid("axis must hold one value");
  Value x = node.input(0);
  if (node.elementTypeOf(x).isInteger(1))
    return node.unsupported("input type i1 is not supported");
  node.setOutput(0, node.builder().create<graph::CumSumOp>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, (*axis)[0], *exclusive != 0, *reverse != 0));
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

static LogicalResult importConcat(NodeImporter &node) {
  if (node.numInputs() == 0)
    return node.invalid("expects at least one input");
  if (failed(node.requireInputs(node.numInputs())))
    return failure();
  // Opset 1 defaults the axis to 1; from opset 4 it is required.
  if (node.opset() >= 4 && !node.attribute("axis"))
    return node.invalid("attribute 'axis' is required");
  FailureOr<int64_t> axis = node.intAttr("axis", 1);
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  Type type = node.elementTypeOf(node.input(0));
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    if (node.elementTypeOf(node.input(i)) != type)
      return node.invalid("inputs have different element types");
    inputs.push_back(node.input(i));
  }
  node.setOutput(0, node.builder().create<graph::ConcatOp>(
                        node.location(), node.unranked(type), inputs, *axis));
  return success();
}

/// The integers of input `i` or, before `inputSince`, of attribute `name`.
static FailureOr<std::optional<SmallVector<int64_t>>>
intsInputOrAttr(NodeImporter &node, unsigned i, StringRef name,
                int64_t inputSince) {
  if (node.opset() < inputSince)
    return node.intsAttr(name);
  if (!node.hasInput(i))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> values = node.constantInts(i, name);
  if (failed(values))
    return failure();
  return std::optional<SmallVector<int64_t>>(*values);
}

static LogicalResult importSlice(NodeImporter &node) {
  if (failed(node.requireInputs(node.opset() < 10 ? 1 : 3)))
    return failure();
  auto starts = intsInputOrAttr(node, 1, "starts", 10);
  auto ends = intsInputOrAttr(node, 2, "ends", 10);
  auto axes = intsInputOrAttr(node, 3, "axes", 10);
  auto steps = intsInputOrAttr(node, 4, "steps", 10);
  if (failed(starts) || failed(ends) || failed(axes) || failed(steps))
    return failure();
  if (!*starts || !*ends)
    return node.invalid("starts and ends are required");
  size_t count = (*starts)->size();
  SmallVector<int64_t> axisList, stepList;
  if (*axes) {
    axisList = **axes;
  } else {
    for (size_t i = 0; i < count; ++i)
      axisList.push_back(i);
  }
  if (*steps)
    stepList = **steps;
  else
    stepList.assign(count, 1);
  if ((*ends)->size() != count || axisList.size() != count ||
      stepList.size() != count)
    return node.invalid("starts, ends, axes and steps have different lengths");
  if (llvm::is_contained(stepList, 0))
    return node.invalid("steps must not be 0");
  Value x = node.input(0);
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axisList) {
    auto normalized = graph::normalizeAxis(axis, type->getRank());
    if (!normalized || !seen.insert(*normalized).second)
      return node.invalid("axis " + Twine(axis) +
                          " is out of range or repeated");
  }
  node.setOutput(0, node.builder().create<graph::SliceOp>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, **starts, **ends, axisList, stepList));
  return success();
}

/// Split becomes one slice per output. The sizes come from `split` (an
/// attribute before opset 13, an input from it), else num_outputs (opset
/// 18), else the number of outputs: equal parts, the last one smaller.
static LogicalResult importSplit(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  auto split = intsInputOrAttr(node, 1, "split", 13);
  if (failed(split))
    return failure();
  if (node.opset() < 2 && node.hasInput(1))
    return node.unsupported("the split input of opset 1 is not supported");
  Value x = node.input(0);
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  auto normalized = graph::normalizeAxis(*axis, type->getRank());
  if (!normalized)
    return node.invalid("axis " + Twine(*axis) + " is out of range");
  int64_t dim = type->getDimSize(*normalized);
  int64_t outputs = node.proto().output_size();
  SmallVector<int64_t> sizes;
  if (*split && !(*split)->empty()) {
    sizes = **split;
    if (static_cast<int64_t>(sizes.size()) != outputs)
      return node.invalid("split has " + Twine(sizes.size()) + " sizes for " +
                          Twine(outputs) + " outputs");
  } else {
    FailureOr<int64_t> parts = node.intAttr("num_outputs", outputs);
    if (failed(parts))
      return failure();
    if (*parts != outputs || outputs == 0)
      return node.invalid("num_outputs does not match the outputs");
    if (ShapedType::isDynamic(dim))
      return node.unsupported("splitting the dynamic dimension " +
                              Twine(*axis) + " needs explicit sizes");
    int64_t chunk = (dim + outputs - 1) / outputs;
    for (int64_t i = 0; i < outputs; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return node.invalid("split size " + Twine(size) + " is negative");
    total += size;
  }
  if (!ShapedType::isDynamic(dim) && total != dim)
    return node.invalid("split sizes add up to " + Twine(total) +
                        " but the dimension has " + Twine(dim));
  int64_t start = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    node.setOutput(
        i, node.builder().create<graph::SliceOp>(
               node.location(), node.unranked(node.elementTypeOf(x)), x,
               ArrayRef<int64_t>{start}, ArrayRef<int64_t>{start + sizes[i]},
               ArrayRef<int64_t>{*normalized}, ArrayRef<int64_t>{1}));
    start += sizes[i];
  }
  return success();
}

static LogicalResult checkIndicesType(NodeImporter &node, Value indices) {
  Type type = node.elementTypeOf(indices);
  if (!type.isInteger(32) && !type.isInteger(64))
    return node.invalid("indices must be int32 or int64, not " +
                        typeName(type));
  return success();
}

/// Gather and GatherElements take the same inputs and attribute; only the
/// indexing rule (the graph op) differs.
template <typename OpTy>
static LogicalResult importGatherLike(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  if (failed(axis) || failed(checkIndicesType(node, node.input(1))))
    return failure();
  Value x = node.input(0);
  node.setOutput(0, node.builder().create<OpTy>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, node.input(1), *axis));
  return success();
}

/// ScatterElements (and the deprecated Scatter of opsets 9-10); reduction
/// add/mul from opset 16, max/min from 18.
static LogicalResult importScatterElements(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  FailureOr<std::string> reduction = node.stringAttr("reduction", "none");
  if (failed(axis) || failed(reduction) ||
      failed(checkIndicesType(node, node.input(1))))
    return failure();
  std::optional<graph::ScatterReduction> kind =
      llvm::StringSwitch<std::optional<graph::ScatterReduction>>(*reduction)
          .Case("none", graph::ScatterReduction::None)
          .Case("add", graph::ScatterReduction::Add)
          .Case("mul", graph::ScatterReduction::Mul)
          .Case("max", graph::ScatterReduction::Max)
          .Case("min", graph::ScatterReduction::Min)
          .Default(std::nullopt);
  if (!kind)
    return node.invalid("attribute 'reduction' is '" + *reduction + "'");
  Value x = node.input(0);
  if (node.elementTypeOf(node.input(2)) != node.elementTypeOf(x))
    return node.invalid("updates and data have different element types");
  auto op = node.builder().create<graph::ScatterElementsOp>(
      node.location(), node.unranked(node.elementTypeOf(x)), x, node.input(1),
      node.input(2), *axis);
  op.setReduction(*kind);
  node.setOutput(0, op);
  return success();
}

static LogicalResult importExpand(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = node.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return node.invalid("shape dimension " + Twine(d) + " is negative");
  Value x = node.input(0);
  node.setOutput(
      0, node.builder().create<graph::ExpandOp>(
             node.location(), node.unranked(node.elementTypeOf(x)), x, *shape));
  return success();
}

static LogicalResult importTile(NodeImporter &node) {
  if (node.opset() < 6)
    return node.unsupported("Tile before opset 6 is not supported");
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<SmallVector<int64_t>> repeats = node.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  for (int64_t r : *repeats)
    if (r < 0)
      return node.invalid("repeat " + Twine(r) + " is negative");
  Value x = node.input(0);
  node.setOutput(0, node.builder().create<graph::TileOp>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, *repeats));
  return success();
}

/// Pad: pads, mode and value are attributes before opset 11; pads and
/// constant_value become inputs there, axes an input in 18, wrap a mode in
/// 19. The graph op always has pads for every dimension.
static LogicalResult importPad(NodeImporter &node) {
  if (failed(node.requireInputs(node.opset() < 11 ? 1 : 2)))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  FailureOr<std::string> modeName = node.stringAttr("mode", "constant");
  if (failed(modeName))
    return failure();
  std::optional<graph::PadMode> mode =
      llvm::StringSwitch<std::optional<graph::PadMode>>(*modeName)
          .Case("constant", graph::PadMode::Constant)
          .Case("reflect", graph::PadMode::Reflect)
          .Case("edge", graph::PadMode::Edge)
          .Case("wrap", graph::PadMode::Wrap)
          .Default(std::nullopt);
  if (!mode || (*mode == graph::PadMode::Wrap && node.opset() < 19))
    return node.invalid("attribute 'mode' is '" + *modeName + "'");
  FailureOr<RankedTensorType> ranked = node.rankedType(x, "input");
  if (failed(ranked))
    return failure();
  int64_t rank = ranked->getRank();
  SmallVector<int64_t> pads;
  Value value;
  if (node.opset() < 11) {
    FailureOr<std::optional<SmallVector<int64_t>>> attr =
        node.intsAttr(node.opset() < 2 ? "paddings" : "pads");
    FailureOr<float> constant = node.floatAttr("value", 0.0f);
    if (failed(attr) || failed(constant))
      return failure();
    if (!*attr)
      return node.invalid("attribute 'pads' is required");
    pads = **attr;
    value = node.scalarConstant(type, *constant);
  } else {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "pads");
    if (failed(values))
      return failure();
    pads = *values;
    value = node.input(2);
    if (value) {
      if (node.elementTypeOf(value) != type)
        return node.invalid("constant_value has another element type");
      FailureOr<RankedTensorType> valueType =
          node.rankedType(value, "constant_value");
      if (failed(valueType))
        return failure();
      if (valueType->getNumElements() != 1)
        return node.invalid("constant_value must hold one value");
      if (valueType->getRank() != 0)
        value = node.builder().create<graph::ReshapeOp>(
            node.location(), node.unranked(type), value, ArrayRef<int64_t>{},
            false);
    } else {
      value = node.scalarConstant(type, 0);
    }
    if (node.opset() >= 18 && node.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> axes = node.constantInts(3, "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return node.invalid("pads must hold two values per axis");
      SmallVector<int64_t> full(2 * rank, 0);
      int64_t n = axes->size();
      for (int64_t i = 0; i < n; ++i) {
        auto axis = graph::normalizeAxis((*axes)[i], rank);
        if (!axis)
          return node.invalid("axis " + Twine((*axes)[i]) + " is out of range");
        full[*axis] = pads[i];
        full[rank + *axis] = pads[n + i];
      }
      pads = full;
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return node.invalid("pads has " + Twine(pads.size()) + " values for rank " +
                        Twine(rank));
  node.setOutput(0, node.builder().create<graph::PadOp>(node.location(),
                                                        node.unranked(type), x,
                                                        value, pads, *mode));
  return success();
}

/// Flatten is a reshape to [prod(d[:axis]), prod(d[axis:])].
static LogicalResult importFlatten(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 1);
  if (failed(axis))
    return failure();
  Value x = node.input(0);
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  int64_t start = *axis < 0 ? *axis + rank : *axis;
  if (start < 0 || start > rank)
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(rank));
  ArrayRef<int64_t> shape = type->getShape();
  auto staticProduct = [](ArrayRef<int64_t> dims) -> std::optional<int64_t> {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d))
        return std::nullopt;
      p *= d;
    }
    return p;
  };
  std::optional<int64_t> outer = staticProduct(shape.take_front(start));
  std::optional<int64_t> inner = staticProduct(shape.drop_front(start));
  SmallVector<int64_t> target;
  if (outer && inner)
    target = {*outer, *inner};
  else if (outer)
    target = {*outer, -1};
  else if (inner)
    target = {-1, *inner};
  else
    return node.unsupported("flattening needs the dimensions before or from "
                            "axis " +
                            Twine(*axis) + " to be static");
  node.setOutput(0, node.builder().create<graph::ReshapeOp>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, target, /*allow_zero=*/true));
  return success();
}

static LogicalResult importShape(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> start = node.intAttr("start", 0);
  if (failed(start))
    return failure();
  std::optional<int64_t> end;
  if (node.attribute("end")) {
    FailureOr<int64_t> value = node.intAttr("end", 0);
    if (failed(value))
      return failure();
    end = *value;
  }
  auto op = node.builder().create<graph::ShapeOp>(
      node.location(), node.unranked(node.builder().getI64Type()),
      node.input(0), *start,
      end ? node.builder().getI64IntegerAttr(*end) : IntegerAttr());
  node.setOutput(0, op);
  return success();
}

static LogicalResult importSize(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  node.setOutput(0, node.builder().create<graph::SizeOp>(
                        node.location(),
                        node.unranked(node.builder().getI64Type()),
                        node.input(0)));
  return success();
}

static LogicalResult importConstantOfShape(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = node.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return node.invalid("shape dimension " + Twine(d) + " is negative");
  Type elementType = node.builder().getF32Type();
  double value = 0;
  if (const ::onnx::AttributeProto *attr = node.attribute("value")) {
    if (!attr->has_t())
      return node.invalid("attribute 'value' must be a tensor");
    FailureOr<ElementsAttr> imported = importTensor(
        attr->t(), node.describe() + ": attribute 'value'", node.importState());
    if (failed(imported))
      return failure();
    FailureOr<reference::Tensor> tensor = reference::fromAttr(*imported);
    if (failed(tensor) || tensor->data.size() != 1)
      return node.invalid("attribute 'value' must hold one value");
    elementType = cast<ShapedType>(imported->getType()).getElementType();
    value = tensor->data[0];
  }
  node.setOutput(0, splatConstant(node, *shape, elementType, value));
  return success();
}

/// Range needs constant start/limit/delta: its result shape depends on them.
static LogicalResult importRange(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  SmallVector<double> bounds;
  for (unsigned i = 0; i < 3; ++i) {
    FailureOr<reference::Tensor> value = node.constantTensor(i, "bound");
    if (failed(value))
      return failure();
    if (value->data.size() != 1)
      return node.invalid("input " + Twine(i) + " must be a scalar");
    bounds.push_back(value->data[0]);
  }
  Type type = node.elementTypeOf(node.input(0));
  FailureOr<reference::DType> dtype = reference::dtypeOf(type);
  if (failed(dtype) || type.isInteger(1))
    return node.unsupported("element type " + typeName(type) +
                            " is not supported");
  double start = bounds[0], limit = bounds[1], delta = bounds[2];
  if (delta == 0)
    return node.invalid("delta must not be 0");
  double count = std::max(std::ceil((limit - start) / delta), 0.0);
  if (!(count <= (1 << 24)))
    return node.unsupported("a range of " + std::to_string(count) +
                            " elements is too large");
  reference::Tensor tensor;
  tensor.dtype = *dtype;
  tensor.shape = {static_cast<int64_t>(count)};
  // Each element is start + i * delta computed in the element type, as the
  // ONNX function body accumulates it.
  double v = start;
  for (int64_t i = 0; i < tensor.shape[0]; ++i) {
    tensor.data.push_back(v);
    v = reference::roundTo(*dtype, v + delta);
  }
  node.setOutput(0, node.builder().create<graph::ConstantOp>(
                        node.location(),
                        reference::toAttr(tensor, node.context(), "range")));
  return success();
}

static LogicalResult importEyeLike(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> k = node.intAttr("k", 0);
  if (failed(k))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  if (const ::onnx::AttributeProto *dtype = node.attribute("dtype")) {
    type = elementTypeOf(static_cast<int32_t>(dtype->i()), *node.context());
    if (!type)
      return node.unsupported("dtype " + onnxTypeName(dtype->i()) +
                              " is not supported");
  }
  FailureOr<RankedTensorType> ranked = node.rankedType(x, "input");
  if (failed(ranked))
    return failure();
  if (ranked->getRank() != 2)
    return node.invalid("input must be 2-D");
  if (!ranked->hasStaticShape())
    return node.unsupported("the input shape must be static");
  FailureOr<reference::DType> dtype = reference::dtypeOf(type);
  if (failed(dtype))
    return node.unsupported("element type " + typeName(type) +
                            " is not supported");
  reference::Tensor tensor;
  tensor.dtype = *dtype;
  tensor.shape.assign(ranked->getShape().begin(), ranked->getShape().end());
  int64_t rows = tensor.shape[0], cols = tensor.shape[1];
  tensor.data.assign(rows * cols, 0.0);
  for (int64_t i = 0; i < rows; ++i)
    if (i + *k >= 0 && i + *k < cols)
      tensor.data[i * cols + i + *k] = 1;
  node.setOutput(0, node.builder().create<graph::ConstantOp>(
                        node.location(),
                        reference::toAttr(tensor, node.context(), "eye")));
  return success();
}

static LogicalResult importTrilu(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> upper = node.intAttr("upper", 1);
  if (failed(upper))
    return failure();
  int64_t k = 0;
  if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "k");
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return node.invalid("k must hold one value");
    k = (*values)[0];
  }
  Value x = node.input(0);
  node.setOutput(0, node.builder().create<graph::TriluOp>(
                        node.location(), node.unranked(node.elementTypeOf(x)),
                        x, *upper != 0, k));
  return success();
}

/// DepthToSpace and SpaceToDepth are reshape, transpose, reshape.
template <bool toSpace>
static LogicalResult importDepthSpace(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> blocksize = node.intAttr("blocksize", 0);
  FailureOr<std::string> mode = node.stringAttr("mode", "DCR");
  if (failed(blocksize) || failed(mode))
    return failure();
  if (*blocksize <= 0)
    return node.invalid("attribute 'blocksize' must be positive");
  if (*mode != "DCR" && *mode != "CRD")
    return node.invalid("attribute 'mode' is '" + *mode + "'");
  Value x = node.input(0);
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  if (type->getRank() != 4 || !type->hasStaticShape())
    return node.unsupported("the input must be 4-D with a static shape");
  int64_t b = *blocksize, n = type->getDimSize(0), c = type->getDimSize(1),
          h = type->getDimSize(2), w = type->getDimSize(3);
  SmallVector<int64_t> first, perm, last;
  if (toSpace) {
    if (c % (b * b) != 0)
      return node.invalid("channels are not a multiple of blocksize^2");
    int64_t co = c / (b * b);
    if (*mode == "DCR") {
      first = {n, b, b, co, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else {
      first = {n, co, b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    }
    last = {n, co, h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0)
      return node.invalid("height and width are not multiples of blocksize");
    first = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    last = {n, c * b * b, h / b, w / b};
  }
  Type elementType = node.elementTypeOf(x);
  OpBuilder &builder = node.builder();
  Location loc = node.location();
  Value y = builder.create<graph::ReshapeOp>(loc, node.unranked(elementType), x,
                                             first, true);
  y = builder.create<graph::TransposeOp>(loc, node.unranked(elementType), y,
                                         perm);
  y = builder.create<graph::ReshapeOp>(loc, node.unranked(elementType), y, last,
                                       true);
  node.setOutput(0, y);
  return success();
}

/// Dropout at inference is the identity (whatever the legacy is_test says:
/// dsc compiles for inference); its mask is all true.
static LogicalResult importDropout(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  if (node.opset() >= 12 && node.hasInput(2)) {
    FailureOr<reference::Tensor> training =
        node.constantTensor(2, "training_mode");
    if (failed(training))
      return failure();
    if (training->data.size() != 1)
      return node.invalid("training_mode must be a scalar");
    if (training->data[0] != 0) {
      // Training mode with ratio 0 drops nothing: exact, and kept.
      double ratio = 0.5;
      if (node.hasInput(1)) {
        FailureOr<reference::Tensor> given = node.constantTensor(1, "ratio");
        if (failed(given))
          return failure();
        if (given->data.size() != 1)
          return node.invalid("ratio must be a scalar");
        ratio = given->data[0];
      }
      if (ratio != 0)
        return node.unsupported("training_mode is true with ratio " +
                                llvm::formatv("{0}", ratio).str() +
                                " (random dropout)");
    }
  }
  Value x = node.input(0);
  node.setOutput(0, x);
  if (node.outputUsed(1)) {
    FailureOr<RankedTensorType> type = node.rankedType(x, "input");
    if (failed(type))
      return failure();
    if (!type->hasStaticShape())
      return node.unsupported("the mask output needs a static input shape");
    // The mask was the input's type before opset 10, bool from it.
    Type maskType =
        node.opset() < 10 ? type->getElementType() : node.builder().getI1Type();
    node.setOutput(1, splatConstant(node, type->getShape(), maskType, 1));
  }
  return success();
}

static LogicalResult importCastLike(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  node.setOutput(0,
                 build<graph::CastOp>(node, node.elementTypeOf(node.input(1)),
                                      node.input(0)));
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
  bool isString = false;
  if (name == "value") {
    if (!attr.has_t())
      return node.invalid("attribute 'value' must be a tensor");
    FailureOr<ElementsAttr> imported =
        importTensor(attr.t(), node.describe() + ": attribute 'value'",
                     node.importState(), /*allowStrings=*/true);
    if (failed(imported))
      return failure();
    value = *imported;
    isString = attr.t().data_type() == ::onnx::TensorProto::STRING;
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
  } else if (name == "value_string" || name == "value_strings") {
    std::vector<std::string> strings(attr.strings().begin(),
                                     attr.strings().end());
    if (name == "value_string")
      strings = {attr.s()};
    SmallVector<int64_t> shape;
    if (name == "value_strings")
      shape.push_back(attr.strings_size());
    FailureOr<ElementsAttr> imported = stringConstant(
        shape, strings, (node.describe() + ": attribute '" + name + "'").str(),
        node.importState());
    if (failed(imported))
      return failure();
    value = *imported;
    isString = true;
  } else if (name == "sparse_value") {
    return node.unsupported("attribute '" + name + "' is not supported");
  } else {
    return node.invalid("unknown attribute '" + name + "'");
  }
  if (!value)
    value = reference::toAttr(tensor, node.context(), "constant");
  Value constant =
      node.builder().create<graph::ConstantOp>(node.location(), value);
  if (isString)
    node.setStringOutput(0, constant);
  else
    node.setOutput(0, constant);
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers shared by the op importer files
//===----------------------------------------------------------------------===//

std::string importer::typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return os.str();
}

LogicalResult importer::requireFloat(NodeImporter &node, Value value) {
  Type type = node.elementTypeOf(value);
  if (!isa<FloatType>(type))
    return node.unsupported("input type " + typeName(type) +
                            " is not supported (floating-point only)");
  return success();
}

Value importer::splatConstant(NodeImporter &node, ArrayRef<int64_t> shape,
                              Type elementType, double value) {
  auto type = RankedTensorType::get(shape, elementType);
  Attribute scalar;
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    APFloat v(value);
    bool losesInfo;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    scalar = FloatAttr::get(elementType, v);
  } else {
    unsigned width = elementType.getIntOrFloatBitWidth();
    scalar = IntegerAttr::get(
        elementType,
        APInt(width, static_cast<uint64_t>(static_cast<int64_t>(value)),
              /*isSigned=*/true));
  }
  return node.builder().create<graph::ConstantOp>(
      node.location(), DenseElementsAttr::get(type, scalar));
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

/// The importers of this file.
static llvm::StringMap<OpImporter> coreOpImporters() {
  return {
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
      {"Identity",
       {1, importIdentity, /*takesSequences=*/true, /*takesAbsent=*/true,
        /*takesStrings=*/true}},
      {"MatMul", {1, importMatMul}},
      {"Gemm", {1, importGemm}},
      {"Softmax", {1, importSoftmax<graph::SoftmaxOp>}},
      {"LogSoftmax", {1, importSoftmax<graph::LogSoftmaxOp>}},
      {"Hardmax", {1, importSoftmax<graph::HardmaxOp>}},
      {"ReduceMean", {1, importReduceMean}},
      {"Reshape", {1, importReshape}},
      {"Transpose", {1, importTranspose}},
      {"Squeeze", {1, importSqueezeLike<graph::SqueezeOp>}},
      {"Unsqueeze", {1, importSqueezeLike<graph::UnsqueezeOp>}},
      {"Constant", {1, importConstant}},
      // Elementwise math.
      {"Neg", {1, importUnary<graph::NegOp>}},
      {"Abs", {1, importUnary<graph::AbsOp>}},
      {"Exp", {1, importUnary<graph::ExpOp>}},
      {"Log", {1, importUnary<graph::LogOp>}},
      {"Reciprocal", {1, importUnary<graph::ReciprocalOp>}},
      {"Floor", {1, importMath<graph::MathFn::Floor>}},
      {"Ceil", {1, importMath<graph::MathFn::Ceil>}},
      {"Round", {11, importMath<graph::MathFn::Round>}},
      {"Sign", {9, importMath<graph::MathFn::Sign>}},
      {"Sin", {7, importMath<graph::MathFn::Sin>}},
      {"Cos", {7, importMath<graph::MathFn::Cos>}},
      {"Tan", {7, importMath<graph::MathFn::Tan>}},
      {"Asin", {7, importMath<graph::MathFn::Asin>}},
      {"Acos", {7, importMath<graph::MathFn::Acos>}},
      {"Atan", {7, importMath<graph::MathFn::Atan>}},
      {"Sinh", {9, importMath<graph::MathFn::Sinh>}},
      {"Cosh", {9, importMath<graph::MathFn::Cosh>}},
      {"Asinh", {9, importMath<graph::MathFn::Asinh>}},
      {"Acosh", {9, importMath<graph::MathFn::Acosh>}},
      {"Atanh", {9, importMath<graph::MathFn::Atanh>}},
      {"Clip", {1, importClip}},
      {"Min", {1, importVariadic<graph::MinOp>}},
      {"Max", {1, importVariadic<graph::MaxOp>}},
      {"Sum", {1, importVariadic<graph::AddOp>}},
      {"Mean", {1, importVariadic<graph::AddOp, true>}},
      {"Mod", {10, importMod}},
      // Activations.
      {"Elu", {1, importActivation<Activation::Elu>}},
      {"Selu", {1, importActivation<Activation::Selu>}},
      {"Celu", {12, importActivation<Activation::Celu>}},
      {"LeakyRelu", {1, importActivation<Activation::LeakyRelu>}},
      {"PRelu", {1, importActivation<Activation::PRelu>}},
      {"HardSigmoid", {1, importActivation<Activation::HardSigmoid>}},
      {"HardSwish", {14, importActivation<Activation::HardSwish>}},
      {"Softplus", {1, importActivation<Activation::Softplus>}},
      {"Softsign", {1, importActivation<Activation::Softsign>}},
      {"Mish", {18, importActivation<Activation::Mish>}},
      {"ThresholdedRelu", {10, importActivation<Activation::ThresholdedRelu>}},
      {"Shrink", {9, importActivation<Activation::Shrink>}},
      // Comparisons and logic.
      {"Equal", {1, importCompare<graph::ComparePredicate::Eq>}},
      {"Less", {1, importCompare<graph::ComparePredicate::Lt>}},
      {"LessOrEqual", {12, importCompare<graph::ComparePredicate::Le>}},
      {"Greater", {1, importCompare<graph::ComparePredicate::Gt>}},
      {"GreaterOrEqual", {12, importCompare<graph::ComparePredicate::Ge>}},
      {"And", {1, importBitwise<graph::BitwiseKind::And, true>}},
      {"Or", {1, importBitwise<graph::BitwiseKind::Or, true>}},
      {"Xor", {1, importBitwise<graph::BitwiseKind::Xor, true>}},
      {"Not", {1, importNot<true>}},
      {"BitwiseAnd", {18, importBitwise<graph::BitwiseKind::And, false>}},
      {"BitwiseOr", {18, importBitwise<graph::BitwiseKind::Or, false>}},
      {"BitwiseXor", {18, importBitwise<graph::BitwiseKind::Xor, false>}},
      {"BitwiseNot", {18, importNot<false>}},
      {"BitShift", {11, importBitShift}},
      {"Where", {9, importWhere}},
      {"IsNaN", {9, importIsNaN}},
      {"IsInf", {10, importIsInf}},
      // Reductions.
      {"ReduceSum", {1, importReduce<Reduction::Sum>}},
      {"ReduceMax", {1, importReduce<Reduction::Max>}},
      {"ReduceMin", {1, importReduce<Reduction::Min>}},
      {"ReduceProd", {1, importReduce<Reduction::Prod>}},
      {"ReduceL1", {1, importReduce<Reduction::L1>}},
      {"ReduceL2", {1, importReduce<Reduction::L2>}},
      {"ReduceLogSum", {1, importReduce<Reduction::LogSum>}},
      {"ReduceLogSumExp", {1, importReduce<Reduction::LogSumExp>}},
      {"ReduceSumSquare", {1, importReduce<Reduction::SumSquare>}},
      {"ArgMax", {1, importArgReduce<graph::ReduceKind::Max>}},
      {"ArgMin", {1, importArgReduce<graph::ReduceKind::Min>}},
      {"CumSum", {11, importCumSum}},
      // Data movement.
      {"Concat", {1, importConcat}},
      {"Split", {1, importSplit}},
      {"Slice", {1, importSlice}},
      {"Gather", {1, importGatherLike<graph::GatherOp>}},
      {"GatherElements", {11, importGatherLike<graph::GatherElementsOp>}},
      {"ScatterElements", {11, importScatterElements}},
      {"Scatter", {9, importScatterElements}},
      {"Expand", {8, importExpand}},
      {"Tile", {1, importTile}},
      {"Pad", {1, importPad}},
      {"Flatten", {1, importFlatten}},
      {"Shape", {1, importShape}},
      {"Size", {1, importSize}},
      {"ConstantOfShape", {9, importConstantOfShape}},
      {"Range", {11, importRange}},
      {"EyeLike", {9, importEyeLike}},
      {"Trilu", {14, importTrilu}},
      {"DepthToSpace", {1, importDepthSpace<true>}},
      {"SpaceToDepth", {1, importDepthSpace<false>}},
      {"Dropout", {1, importDropout}},
      {"CastLike", {15, importCastLike}},
  };
}

const OpImporter *importer::lookupOpImporter(StringRef opType) {
  static const llvm::StringMap<OpImporter> importers = [] {
    llvm::StringMap<OpImporter> table = coreOpImporters();
    // Families kept in their own files add theirs here.
    for (auto family : {nnOpImporters, recurrentOpImporters, tensorOpImporters,
                        signalOpImporters, sequenceOpImporters,
                        controlFlowOpImporters, stringOpImporters})
      for (auto &entry : family())
        table.insert({entry.getKey(), entry.getValue()});
    return table;
  }();
  auto it = importers.find(opType);
  return it == importers.end() ? nullptr : &it->second;
}
