//===- SequenceImporters.cpp - sequence ops as static lists ---------------===//
//
// A sequence inside the graph is imported as the ordered list of its tensors
// (ImportState::sequences): every sequence op is resolved at import, so the
// graph dialect and every backend see only tensors. Positions must therefore
// be known at import. At the graph boundary a sequence is its tensors, one
// input or output each (Importer.cpp). Optionals are resolved the same way:
// whether one holds a value is known at import (ImportState::absent).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

/// Tensors one sequence may hold (SplitToSequence builds one slice each).
static constexpr int64_t kMaxSequenceLength = 4096;

/// An integer held as double in a reference tensor, saturated to +-2^62 so
/// that absurd values stay comparable without overflow.
static int64_t saturated(double value) {
  constexpr double limit = 4611686018427387904.0;
  return value >= limit    ? static_cast<int64_t>(limit)
         : value <= -limit ? -static_cast<int64_t>(limit)
                           : static_cast<int64_t>(value);
}

/// The position given by input `i` (a scalar integer known at import; ONNX's
/// own tests give a one-element 1-D tensor too), normalized into [0, size)
/// or, with `inclusiveEnd`, [0, size].
static FailureOr<int64_t> position(NodeImporter &node, unsigned i, int64_t size,
                                   bool inclusiveEnd) {
  FailureOr<reference::Tensor> tensor = node.constantTensor(i, "position");
  if (failed(tensor))
    return failure();
  if ((tensor->dtype != reference::DType::I64 &&
       tensor->dtype != reference::DType::I32) ||
      tensor->shape.size() > 1 || tensor->data.size() != 1)
    return node.invalid("input " + Twine(i) +
                        " (position) must be an int32 or int64 scalar");
  int64_t value = saturated(tensor->data[0]);
  int64_t limit = inclusiveEnd ? size : size - 1;
  if (value < -size || value > limit)
    return node.invalid("position " + Twine(value) +
                        " is out of range for a sequence of " + Twine(size) +
                        " tensors (valid: " + Twine(-size) + " to " +
                        Twine(limit) + ")");
  return value < 0 ? value + size : value;
}

/// Fails (Invalid) unless `tensor` has the sequence's element type.
static LogicalResult checkElementType(NodeImporter &node,
                                      const Sequence &sequence, Value tensor) {
  Type type = node.elementTypeOf(tensor);
  if (type != sequence.elementType)
    return node.invalid("tensor of element type " + typeName(type) +
                        " does not match the sequence's " +
                        typeName(sequence.elementType));
  return success();
}

static LogicalResult importSequenceEmpty(NodeImporter &node) {
  FailureOr<int64_t> dtype = node.intAttr("dtype", ::onnx::TensorProto::FLOAT);
  if (failed(dtype))
    return failure();
  Type elementType =
      elementTypeOf(static_cast<int32_t>(*dtype), *node.context());
  if (!elementType)
    return node.unsupported("dtype " +
                            onnxTypeName(static_cast<int32_t>(*dtype)) +
                            " is not supported");
  node.setSequenceOutput(0, Sequence{{}, elementType});
  return success();
}

static LogicalResult importSequenceConstruct(NodeImporter &node) {
  if (node.numInputs() == 0)
    return node.invalid("expects at least one input");
  if (failed(node.requireInputs(node.numInputs())))
    return failure();
  Sequence sequence{{}, node.elementTypeOf(node.input(0))};
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    if (failed(checkElementType(node, sequence, node.input(i))))
      return failure();
    sequence.elements.push_back(node.input(i));
  }
  node.setSequenceOutput(0, std::move(sequence));
  return success();
}

static LogicalResult importSequenceInsert(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Sequence> sequence = node.sequenceInput(0);
  if (failed(sequence))
    return failure();
  Value tensor = node.input(1);
  if (failed(checkElementType(node, *sequence, tensor)))
    return failure();
  int64_t size = sequence->elements.size();
  int64_t at = size;
  if (node.hasInput(2)) {
    FailureOr<int64_t> given = position(node, 2, size, /*inclusiveEnd=*/true);
    if (failed(given))
      return failure();
    at = *given;
  }
  sequence->elements.insert(sequence->elements.begin() + at, tensor);
  node.setSequenceOutput(0, std::move(*sequence));
  return success();
}

static LogicalResult importSequenceErase(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<Sequence> sequence = node.sequenceInput(0);
  if (failed(sequence))
    return failure();
  int64_t size = sequence->elements.size();
  if (size == 0)
    return node.invalid("cannot erase from an empty sequence");
  int64_t at = size - 1;
  if (node.hasInput(1)) {
    FailureOr<int64_t> given = position(node, 1, size, /*inclusiveEnd=*/false);
    if (failed(given))
      return failure();
    at = *given;
  }
  sequence->elements.erase(sequence->elements.begin() + at);
  node.setSequenceOutput(0, std::move(*sequence));
  return success();
}

static LogicalResult importSequenceAt(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Sequence> sequence = node.sequenceInput(0);
  if (failed(sequence))
    return failure();
  FailureOr<int64_t> at =
      position(node, 1, sequence->elements.size(), /*inclusiveEnd=*/false);
  if (failed(at))
    return failure();
  node.setOutput(0, sequence->elements[*at]);
  return success();
}

static LogicalResult importSequenceLength(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<Sequence> sequence = node.sequenceInput(0);
  if (failed(sequence))
    return failure();
  node.setOutput(0, node.scalarConstant(node.builder().getI64Type(),
                                        sequence->elements.size()));
  return success();
}

/// Split sizes: `split` as a scalar (equal chunks, the last one smaller), a
/// 1-D list, or absent (chunks of 1, squeezed unless keepdims).
static LogicalResult importSplitToSequence(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  FailureOr<int64_t> keepdims = node.intAttr("keepdims", 1);
  if (failed(axis) || failed(keepdims))
    return failure();
  Value x = node.input(0);
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  std::optional<int64_t> normalized =
      graph::normalizeAxis(*axis, type->getRank());
  if (!normalized)
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(type->getRank()));
  int64_t dim = type->getDimSize(*normalized);
  auto tooMany = [&] {
    return node.unsupported("splitting into more than " +
                            Twine(kMaxSequenceLength) +
                            " tensors is not supported");
  };
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  if (node.hasInput(1)) {
    FailureOr<reference::Tensor> split = node.constantTensor(1, "split");
    if (failed(split))
      return failure();
    if (split->dtype != reference::DType::I64 &&
        split->dtype != reference::DType::I32)
      return node.invalid("input 1 (split) must be int32 or int64");
    if (split->shape.size() > 1)
      return node.invalid("input 1 (split) must be a scalar or 1-D");
    if (split->shape.empty()) {
      int64_t chunk = saturated(split->data[0]);
      if (chunk <= 0)
        return node.invalid("split size " + Twine(chunk) + " must be positive");
      if (ShapedType::isDynamic(dim))
        return node.unsupported("splitting the dynamic dimension " +
                                Twine(*axis) + " needs its size");
      if ((dim + chunk - 1) / chunk > kMaxSequenceLength)
        return tooMany();
      for (int64_t start = 0; start < dim; start += chunk)
        sizes.push_back(std::min(chunk, dim - start));
    } else {
      if (split->data.size() > static_cast<size_t>(kMaxSequenceLength))
        return tooMany();
      int64_t total = 0;
      for (double v : split->data) {
        int64_t size = saturated(v);
        if (size < 0)
          return node.invalid("split size " + Twine(size) + " is negative");
        sizes.push_back(size);
        // Sizes are below 2^62 and at most 4096 of them count: no overflow.
        total = std::min<int64_t>(total + size, int64_t(1) << 62);
      }
      if (!ShapedType::isDynamic(dim) && total != dim)
        return node.invalid("split sizes add up to " + Twine(total) +
                            " but the dimension has " + Twine(dim));
    }
  } else {
    if (ShapedType::isDynamic(dim))
      return node.unsupported("splitting the dynamic dimension " +
                              Twine(*axis) + " needs its size");
    if (dim > kMaxSequenceLength)
      return tooMany();
    sizes.assign(dim, 1);
    squeeze = *keepdims == 0;
  }
  Type elementType = type->getElementType();
  Sequence sequence{{}, elementType};
  int64_t start = 0;
  for (int64_t size : sizes) {
    Value part = build<graph::SliceOp>(
        node, elementType, x, ArrayRef<int64_t>{start},
        ArrayRef<int64_t>{start + size}, ArrayRef<int64_t>{*normalized},
        ArrayRef<int64_t>{1});
    if (squeeze)
      part = build<graph::SqueezeOp>(node, elementType, part,
                                     ArrayRef<int64_t>{*normalized});
    sequence.elements.push_back(part);
    start += size;
  }
  node.setSequenceOutput(0, std::move(sequence));
  return success();
}

/// Concat along `axis`, or with new_axis stacks the tensors along a new one
/// (axis then ranges over [-r-1, r]).
static LogicalResult importConcatFromSequence(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<Sequence> sequence = node.sequenceInput(0);
  if (failed(sequence))
    return failure();
  if (!node.attribute("axis"))
    return node.invalid("attribute 'axis' is required");
  FailureOr<int64_t> axis = node.intAttr("axis", 0);
  FailureOr<int64_t> newAxis = node.intAttr("new_axis", 0);
  if (failed(axis) || failed(newAxis))
    return failure();
  if (*newAxis != 0 && *newAxis != 1)
    return node.invalid("attribute 'new_axis' must be 0 or 1");
  if (sequence->elements.empty())
    return node.invalid("cannot concatenate an empty sequence");
  FailureOr<RankedTensorType> first =
      node.rankedType(sequence->elements.front(), "the first tensor");
  if (failed(first))
    return failure();
  int64_t rank = first->getRank() + *newAxis;
  std::optional<int64_t> normalized = graph::normalizeAxis(*axis, rank);
  if (!normalized)
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(rank));
  SmallVector<Value> inputs;
  for (Value element : sequence->elements)
    inputs.push_back(*newAxis ? build<graph::UnsqueezeOp>(
                                    node, sequence->elementType, element,
                                    ArrayRef<int64_t>{*normalized})
                              : element);
  node.setOutput(0, build<graph::ConcatOp>(node, sequence->elementType, inputs,
                                           *normalized));
  return success();
}

/// Binds output 0 to what input 0 holds: a tensor, a sequence, or no value.
static void forwardInput(NodeImporter &node) {
  if (node.isAbsentInput(0))
    node.setAbsentOutput(0);
  else if (node.isSequenceInput(0))
    node.setSequenceOutput(0, *node.sequenceInput(0));
  else
    node.setOutput(0, node.input(0));
}

/// Optional(x) holds x; Optional() with a `type` holds no value.
static LogicalResult importOptional(NodeImporter &node) {
  if (node.hasInput(0)) {
    if (node.isAbsentInput(0))
      return node.invalid("input 0 is an optional; an optional cannot hold "
                          "an optional");
    forwardInput(node);
    return success();
  }
  const ::onnx::AttributeProto *type = node.attribute("type");
  if (!type || !type->has_tp())
    return node.invalid("without an input, attribute 'type' is required");
  node.setAbsentOutput(0);
  return success();
}

static LogicalResult importOptionalHasElement(NodeImporter &node) {
  // Since opset 18 the input may be left out: it then holds no value.
  if (!node.hasInput(0) && node.opset() < 18)
    return node.invalid("input 0 is required before opset 18");
  bool holds = node.hasInput(0) && !node.isAbsentInput(0);
  node.setOutput(0, node.scalarConstant(node.builder().getI1Type(), holds));
  return success();
}

/// The value an optional holds (since opset 18 a tensor or sequence input is
/// returned as it is).
static LogicalResult importOptionalGetElement(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  if (node.isAbsentInput(0))
    return node.invalid("input 0 ('" + node.proto().input(0) +
                        "') is an optional holding no value");
  forwardInput(node);
  return success();
}

llvm::StringMap<OpImporter> importer::sequenceOpImporters() {
  return {
      {"SequenceEmpty", {11, importSequenceEmpty}},
      {"SequenceConstruct", {11, importSequenceConstruct}},
      {"SequenceInsert", {11, importSequenceInsert, true}},
      {"SequenceErase", {11, importSequenceErase, true}},
      {"SequenceAt", {11, importSequenceAt, true}},
      {"SequenceLength", {11, importSequenceLength, true}},
      {"SplitToSequence", {11, importSplitToSequence}},
      {"ConcatFromSequence", {11, importConcatFromSequence, true}},
      {"Optional", {15, importOptional, true, /*takesAbsent=*/true}},
      {"OptionalHasElement",
       {15, importOptionalHasElement, true, /*takesAbsent=*/true}},
      {"OptionalGetElement",
       {15, importOptionalGetElement, true, /*takesAbsent=*/true}},
  };
}
