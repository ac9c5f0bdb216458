//===- ControlFlowImporters.cpp - static control flow and Gradient --------===//
//
// If, Loop and Scan whose control is known at import are inlined: If takes
// the branch its constant condition selects, Loop and Scan are unrolled
// (bounded by kMaxUnrolledIterations in all). Subgraphs are imported inline
// through the graph walk, seeing outer-scope names. Gradient (domain
// ai.onnx.preview.training) is reverse-mode differentiation over the graph
// ops already imported.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

/// Loop and Scan iterations inlined per model, at most.
static constexpr int64_t kMaxUnrolledIterations = 4096;
/// Subgraph nodes imported per model, at most (a large body unrolled many
/// times would otherwise exhaust memory).
static constexpr int64_t kMaxInlinedNodes = int64_t(1) << 20;

//===----------------------------------------------------------------------===//
// Subgraphs
//===----------------------------------------------------------------------===//

/// Binds `name` to `value` in the scope being imported.
static void bind(ImportState &state, const std::string &name,
                 const BoundValue &value) {
  state.absent.erase(name);
  if (value.absent) {
    state.values.erase(name);
    state.sequences.erase(name);
    state.absent.insert(name);
  } else if (value.sequence) {
    state.values.erase(name);
    state.sequences[name] = *value.sequence;
  } else {
    state.sequences.erase(name);
    state.values[name] = value.tensor;
  }
}

FailureOr<SmallVector<BoundValue>>
importer::importSubgraph(NodeImporter &node, const ::onnx::GraphProto &graph,
                         ArrayRef<BoundValue> inputs, const Twine &what) {
  ImportState &state = node.importState();
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return node.invalid(what + " has " + Twine(graph.input_size()) +
                        " inputs, expected " + Twine(inputs.size()));
  if (graph.sparse_initializer_size() > 0)
    return node.unsupported(what + " has a sparse initializer");
  state.inlinedNodes += graph.node_size();
  if (state.inlinedNodes > kMaxInlinedNodes)
    return node.unsupported("inlining " + what + " makes more than " +
                            Twine(kMaxInlinedNodes) +
                            " subgraph nodes in all, the most dsc inlines");
  // The subgraph's names live only while it is imported: what they meant in
  // the outer scope is restored afterwards, so that an unrolled body can
  // define them again. (Only these names change: nested subgraphs restore
  // theirs.)
  llvm::StringMap<BoundValue> outer;
  auto save = [&](const std::string &name) {
    if (name.empty() || outer.count(name))
      return;
    BoundValue previous;
    previous.tensor = state.values.lookup(name);
    auto sequence = state.sequences.find(name);
    if (sequence != state.sequences.end())
      previous.sequence = sequence->second;
    previous.absent = state.absent.contains(name);
    outer[name] = std::move(previous);
  };
  for (const auto &input : graph.input())
    save(input.name());
  for (const auto &initializer : graph.initializer())
    save(initializer.name());
  for (const auto &inner : graph.node())
    for (const auto &output : inner.output())
      save(output);
  for (auto [input, value] : llvm::zip(graph.input(), inputs))
    bind(state, input.name(), value);
  for (const auto &initializer : graph.initializer()) {
    FailureOr<ElementsAttr> value =
        importTensor(initializer,
                     (node.describe() + ": " + what + " initializer '" +
                      initializer.name() + "'")
                         .str(),
                     state);
    if (failed(value))
      return failure();
    bind(state, initializer.name(),
         {node.builder().create<graph::ConstantOp>(node.location(), *value),
          std::nullopt});
  }
  for (auto [index, inner] : llvm::enumerate(graph.node()))
    if (failed(state.importNode(inner, index)))
      return failure();
  SmallVector<BoundValue> outputs;
  for (const auto &output : graph.output()) {
    auto tensor = state.values.find(output.name());
    auto sequence = state.sequences.find(output.name());
    if (tensor != state.values.end())
      outputs.push_back({tensor->second, std::nullopt});
    else if (sequence != state.sequences.end())
      outputs.push_back({nullptr, sequence->second});
    else if (state.absent.contains(output.name()))
      outputs.push_back({nullptr, std::nullopt, /*absent=*/true});
    else
      return node.invalid(what + " output '" + output.name() +
                          "' is not defined");
  }
  for (const auto &entry : outer) {
    std::string name = entry.getKey().str();
    state.values.erase(name);
    state.sequences.erase(name);
    state.absent.erase(name);
    if (entry.getValue().tensor || entry.getValue().sequence ||
        entry.getValue().absent)
      bind(state, name, entry.getValue());
  }
  return outputs;
}

static void setBoundOutput(NodeImporter &node, unsigned i,
                           const BoundValue &value) {
  if (value.absent)
    node.setAbsentOutput(i);
  else if (value.sequence)
    node.setSequenceOutput(i, *value.sequence);
  else
    node.setOutput(i, value.tensor);
}

static BoundValue boundInput(NodeImporter &node, unsigned i) {
  if (node.isAbsentInput(i))
    return {nullptr, std::nullopt, /*absent=*/true};
  if (node.isSequenceInput(i))
    return {nullptr, *node.sequenceInput(i)};
  return {node.input(i), std::nullopt};
}

/// The graph held by attribute `name`.
static FailureOr<const ::onnx::GraphProto *> graphAttr(NodeImporter &node,
                                                       StringRef name) {
  const ::onnx::AttributeProto *attr = node.attribute(name);
  if (!attr || !attr->has_g())
    return node.invalid("attribute '" + name + "' (a graph) is required");
  return &attr->g();
}

/// The boolean value of a single-element tensor known at import.
static FailureOr<bool> constantCondition(NodeImporter &node, Value value,
                                         const Twine &what) {
  FailureOr<reference::Tensor> tensor = node.constantValue(value, what);
  if (failed(tensor))
    return failure();
  if (tensor->data.size() != 1)
    return node.invalid(what + " must hold one element");
  return tensor->data[0] != 0;
}

/// Counts one more inlined iteration against the bound.
static LogicalResult countIteration(NodeImporter &node) {
  if (++node.importState().unrolledIterations > kMaxUnrolledIterations)
    return node.unsupported("unrolling needs more than the " +
                            Twine(kMaxUnrolledIterations) +
                            " iterations dsc inlines in all");
  return success();
}

/// `value`, once the op defining it verifies: ops built for an unrolled
/// node are read by shape inference before the node itself is verified.
static FailureOr<Value> verified(NodeImporter &node, Value value) {
  if (failed(verify(value.getDefiningOp())))
    return node.invalid(node.importState().lastDiagnostic);
  return value;
}

/// `values` stacked along a new dimension `axis` (in [-r-1, r]).
static FailureOr<Value> stack(NodeImporter &node, ArrayRef<Value> values,
                              int64_t axis, const Twine &what) {
  FailureOr<RankedTensorType> type =
      node.rankedType(values.front(), what.str());
  if (failed(type))
    return failure();
  std::optional<int64_t> normalized =
      graph::normalizeAxis(axis, type->getRank() + 1);
  if (!normalized)
    return node.invalid("axis " + Twine(axis) + " of " + what +
                        " is out of range");
  Type elementType = type->getElementType();
  SmallVector<Value> parts;
  for (Value value : values) {
    FailureOr<Value> part = verified(
        node, build<graph::UnsqueezeOp>(node, elementType, value,
                                        ArrayRef<int64_t>{*normalized}));
    if (failed(part))
      return failure();
    parts.push_back(*part);
  }
  return verified(
      node, build<graph::ConcatOp>(node, elementType, parts, *normalized));
}

/// Index `index` of `value` along `axis`, the axis removed.
static FailureOr<Value> sliceAt(NodeImporter &node, Value value, int64_t axis,
                                int64_t index) {
  Type elementType = node.elementTypeOf(value);
  FailureOr<Value> slice = verified(
      node,
      build<graph::SliceOp>(node, elementType, value, ArrayRef<int64_t>{index},
                            ArrayRef<int64_t>{index + 1},
                            ArrayRef<int64_t>{axis}, ArrayRef<int64_t>{1}));
  if (failed(slice))
    return failure();
  return verified(node, build<graph::SqueezeOp>(node, elementType, *slice,
                                                ArrayRef<int64_t>{axis}));
}

//===----------------------------------------------------------------------===//
// If, Loop, Scan
//===----------------------------------------------------------------------===//

static LogicalResult importIf(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<bool> condition =
      constantCondition(node, node.input(0), "input 0 (cond)");
  if (failed(condition))
    return failure();
  StringRef name = *condition ? "then_branch" : "else_branch";
  FailureOr<const ::onnx::GraphProto *> branch = graphAttr(node, name);
  if (failed(branch))
    return failure();
  FailureOr<SmallVector<BoundValue>> outputs =
      importSubgraph(node, **branch, {}, name);
  if (failed(outputs))
    return failure();
  if (outputs->size() != static_cast<size_t>(node.proto().output_size()))
    return node.invalid(name + " has " + Twine(outputs->size()) +
                        " outputs, the node " +
                        Twine(node.proto().output_size()));
  for (auto [i, output] : llvm::enumerate(*outputs))
    setBoundOutput(node, i, output);
  return success();
}

/// Unrolls a Loop whose trip count and condition are known at import. With
/// no condition input, the body's condition output is ignored (ONNX's "for"
/// form).
static LogicalResult importLoop(NodeImporter &node) {
  FailureOr<const ::onnx::GraphProto *> body = graphAttr(node, "body");
  if (failed(body))
    return failure();
  unsigned numCarried = node.numInputs() < 2 ? 0 : node.numInputs() - 2;
  for (unsigned i = 2; i < node.numInputs(); ++i)
    if (!node.hasInput(i))
      return node.invalid("loop-carried input " + Twine(i) + " is missing");
  int numScans = (*body)->output_size() - 1 - static_cast<int>(numCarried);
  if (numScans < 0 ||
      node.proto().output_size() > static_cast<int>(numCarried) + numScans)
    return node.invalid("the body's outputs do not match the node's " +
                        Twine(numCarried) + " loop-carried values");
  std::optional<int64_t> tripCount;
  if (node.hasInput(0)) {
    FailureOr<SmallVector<int64_t>> count =
        node.constantInts(0, "max trip count");
    if (failed(count))
      return failure();
    if (count->size() != 1)
      return node.invalid("input 0 (max trip count) must hold one value");
    tripCount = count->front();
  }
  bool hasCondition = node.hasInput(1);
  bool condition = true;
  if (hasCondition) {
    FailureOr<bool> given =
        constantCondition(node, node.input(1), "input 1 (cond)");
    if (failed(given))
      return failure();
    condition = *given;
  }
  if (!tripCount && !hasCondition)
    return node.unsupported("a loop with neither trip count nor condition "
                            "never ends");
  // A loop that only its trip count ends fails before unrolling anything.
  if (!hasCondition && *tripCount > kMaxUnrolledIterations)
    return node.unsupported(
        "unrolling " + Twine(*tripCount) + " iterations is more than the " +
        Twine(kMaxUnrolledIterations) + " dsc inlines in all");

  SmallVector<BoundValue> carried;
  for (unsigned i = 0; i < numCarried; ++i)
    carried.push_back(boundInput(node, 2 + i));
  SmallVector<SmallVector<Value>> scans(numScans);
  Type i64 = node.builder().getI64Type(), i1 = node.builder().getI1Type();
  for (int64_t i = 0; condition && (!tripCount || i < *tripCount); ++i) {
    if (failed(countIteration(node)))
      return failure();
    SmallVector<BoundValue> inputs = {
        {node.scalarConstant(i64, i), std::nullopt},
        {node.scalarConstant(i1, condition), std::nullopt}};
    llvm::append_range(inputs, carried);
    FailureOr<SmallVector<BoundValue>> outputs = importSubgraph(
        node, **body, inputs, "body (iteration " + Twine(i) + ")");
    if (failed(outputs))
      return failure();
    for (unsigned k = 0; k < numCarried; ++k)
      carried[k] = (*outputs)[1 + k];
    for (int k = 0; k < numScans; ++k) {
      const BoundValue &scan = (*outputs)[1 + numCarried + k];
      if (!scan.tensor)
        return node.unsupported("scan output " + Twine(k) +
                                " is a sequence or an optional holding no "
                                "value");
      scans[k].push_back(scan.tensor);
    }
    bool last = tripCount && i + 1 >= *tripCount;
    if (hasCondition && !last) {
      if (!(*outputs)[0].tensor)
        return node.invalid("the body's condition output is not a tensor");
      FailureOr<bool> next =
          constantCondition(node, (*outputs)[0].tensor,
                            "the condition after iteration " + Twine(i));
      if (failed(next))
        return failure();
      condition = *next;
    }
  }
  for (unsigned k = 0; k < numCarried; ++k)
    setBoundOutput(node, k, carried[k]);
  for (int k = 0; k < numScans; ++k) {
    if (!node.outputUsed(numCarried + k))
      continue;
    if (scans[k].empty())
      return node.unsupported("scan output " + Twine(k) +
                              " of a loop that runs no iteration has no "
                              "known shape");
    FailureOr<Value> stacked =
        stack(node, scans[k], 0, "scan output " + Twine(k));
    if (failed(stacked))
      return failure();
    node.setOutput(numCarried + k, *stacked);
  }
  return success();
}

/// A list attribute of `count` ints, defaulting to `fallback` each.
static FailureOr<SmallVector<int64_t>>
intsOr(NodeImporter &node, StringRef name, size_t count, int64_t fallback) {
  auto values = node.intsAttr(name);
  if (failed(values))
    return failure();
  if (!*values)
    return SmallVector<int64_t>(count, fallback);
  if ((*values)->size() != count)
    return node.invalid("attribute '" + name + "' has " +
                        Twine((*values)->size()) + " values, expected " +
                        Twine(count));
  return **values;
}

/// Unrolls the Scan body over `scanInputs` (the states first in `states`);
/// returns the final states and the stacked scan outputs.
static FailureOr<SmallVector<BoundValue>>
unrollScan(NodeImporter &node, const ::onnx::GraphProto &body,
           ArrayRef<BoundValue> states, ArrayRef<Value> scanInputs,
           ArrayRef<int64_t> inputAxes, ArrayRef<int64_t> inputDirections,
           ArrayRef<int64_t> outputAxes, ArrayRef<int64_t> outputDirections) {
  int64_t length = -1;
  SmallVector<int64_t> axes;
  for (auto [j, input] : llvm::enumerate(scanInputs)) {
    FailureOr<RankedTensorType> type =
        node.rankedType(input, "scan input " + std::to_string(j));
    if (failed(type))
      return failure();
    std::optional<int64_t> axis =
        graph::normalizeAxis(inputAxes[j], type->getRank());
    if (!axis)
      return node.invalid("scan input axis " + Twine(inputAxes[j]) +
                          " is out of range");
    int64_t dim = type->getDimSize(*axis);
    if (ShapedType::isDynamic(dim))
      return node.unsupported("the scan axis of scan input " + Twine(j) +
                              " must have a static size");
    if (length >= 0 && dim != length)
      return node.invalid("scan inputs have different lengths (" +
                          Twine(length) + " and " + Twine(dim) + ")");
    length = dim;
    axes.push_back(*axis);
  }
  SmallVector<BoundValue> current(states.begin(), states.end());
  size_t numScans = outputAxes.size();
  if (body.output_size() != static_cast<int>(states.size() + numScans))
    return node.invalid("the body has " + Twine(body.output_size()) +
                        " outputs, expected " +
                        Twine(states.size() + numScans));
  SmallVector<SmallVector<Value>> scans(numScans);
  for (int64_t t = 0; t < length; ++t) {
    if (failed(countIteration(node)))
      return failure();
    SmallVector<BoundValue> inputs = current;
    for (auto [j, input] : llvm::enumerate(scanInputs)) {
      int64_t index = inputDirections[j] ? length - 1 - t : t;
      FailureOr<Value> slice = sliceAt(node, input, axes[j], index);
      if (failed(slice))
        return failure();
      inputs.push_back({*slice, std::nullopt});
    }
    FailureOr<SmallVector<BoundValue>> outputs =
        importSubgraph(node, body, inputs, "body (step " + Twine(t) + ")");
    if (failed(outputs))
      return failure();
    for (size_t k = 0; k < states.size(); ++k)
      current[k] = (*outputs)[k];
    for (size_t k = 0; k < numScans; ++k) {
      const BoundValue &scan = (*outputs)[states.size() + k];
      if (!scan.tensor)
        return node.unsupported("scan output " + Twine(k) +
                                " is a sequence or an optional holding no "
                                "value");
      scans[k].push_back(scan.tensor);
    }
  }
  for (size_t k = 0; k < numScans; ++k) {
    if (scans[k].empty())
      return node.unsupported("scan output " + Twine(k) +
                              " of an empty scan has no known shape");
    if (outputDirections[k])
      std::reverse(scans[k].begin(), scans[k].end());
    FailureOr<Value> stacked =
        stack(node, scans[k], outputAxes[k], "scan output " + Twine(k));
    if (failed(stacked))
      return failure();
    current.push_back({*stacked, std::nullopt});
  }
  return current;
}

/// Scan 9+ scans along any axis of its inputs; Scan 8 has a leading batch
/// axis on every input and output and scans along axis 1 (sequence_lens
/// is not supported).
static LogicalResult importScan(NodeImporter &node) {
  FailureOr<const ::onnx::GraphProto *> body = graphAttr(node, "body");
  if (failed(body))
    return failure();
  if (!node.attribute("num_scan_inputs"))
    return node.invalid("attribute 'num_scan_inputs' is required");
  FailureOr<int64_t> numScanInputs = node.intAttr("num_scan_inputs", 0);
  if (failed(numScanInputs))
    return failure();
  bool batched = node.opset() < 9;
  unsigned first = batched ? 1 : 0;
  if (batched && node.hasInput(0))
    return node.unsupported("input 0 (sequence_lens) is not supported");
  int64_t numInputs = static_cast<int64_t>(node.numInputs()) - first;
  if (*numScanInputs < 1 || *numScanInputs > numInputs)
    return node.invalid("num_scan_inputs " + Twine(*numScanInputs) +
                        " does not fit the " + Twine(numInputs) + " inputs");
  for (unsigned i = first; i < node.numInputs(); ++i)
    if (!node.hasInput(i))
      return node.invalid("input " + Twine(i) + " is missing");
  int64_t numStates = numInputs - *numScanInputs;
  int64_t numScanOutputs = (*body)->output_size() - numStates;
  if (numScanOutputs < 0)
    return node.invalid("the body has fewer outputs than states");

  FailureOr<SmallVector<int64_t>> inputDirections =
      intsOr(node, batched ? "directions" : "scan_input_directions",
             *numScanInputs, 0);
  FailureOr<SmallVector<int64_t>> inputAxes =
      intsOr(node, "scan_input_axes", *numScanInputs, 0);
  FailureOr<SmallVector<int64_t>> outputAxes =
      intsOr(node, "scan_output_axes", numScanOutputs, 0);
  FailureOr<SmallVector<int64_t>> outputDirections =
      intsOr(node, "scan_output_directions", numScanOutputs, 0);
  if (failed(inputDirections) || failed(inputAxes) || failed(outputAxes) ||
      failed(outputDirections))
    return failure();

  SmallVector<BoundValue> states;
  SmallVector<Value> scanInputs;
  for (int64_t i = 0; i < numInputs; ++i) {
    if (i < numStates)
      states.push_back(boundInput(node, first + i));
    else if (node.isSequenceInput(first + i))
      return node.unsupported("scan input " + Twine(i - numStates) +
                              " is a sequence");
    else
      scanInputs.push_back(node.input(first + i));
  }

  if (!batched) {
    FailureOr<SmallVector<BoundValue>> results =
        unrollScan(node, **body, states, scanInputs, *inputAxes,
                   *inputDirections, *outputAxes, *outputDirections);
    if (failed(results))
      return failure();
    for (auto [i, result] : llvm::enumerate(*results))
      setBoundOutput(node, i, result);
    return success();
  }

  // Scan 8: one unrolled scan per batch entry, the results stacked again.
  for (const BoundValue &state : states)
    if (state.sequence)
      return node.unsupported("a sequence state of Scan 8 is not supported");
  FailureOr<RankedTensorType> type =
      node.rankedType(scanInputs.front(), "scan input 0");
  if (failed(type))
    return failure();
  if (type->getRank() < 2 || type->isDynamicDim(0))
    return node.unsupported("scan input 0 must have a static batch axis");
  int64_t batch = type->getDimSize(0);
  SmallVector<SmallVector<Value>> perBatch(numStates + numScanOutputs);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<BoundValue> batchStates;
    for (const BoundValue &state : states) {
      FailureOr<Value> slice = sliceAt(node, state.tensor, 0, b);
      if (failed(slice))
        return failure();
      batchStates.push_back({*slice, std::nullopt});
    }
    SmallVector<Value> batchInputs;
    for (Value input : scanInputs) {
      FailureOr<Value> slice = sliceAt(node, input, 0, b);
      if (failed(slice))
        return failure();
      batchInputs.push_back(*slice);
    }
    FailureOr<SmallVector<BoundValue>> results =
        unrollScan(node, **body, batchStates, batchInputs, *inputAxes,
                   *inputDirections, *outputAxes, *outputDirections);
    if (failed(results))
      return failure();
    for (auto [i, result] : llvm::enumerate(*results)) {
      if (!result.tensor)
        return node.unsupported("output " + Twine(i) +
                                " of Scan 8 is not a tensor");
      perBatch[i].push_back(result.tensor);
    }
  }
  if (batch == 0)
    return node.unsupported("an empty batch has no known output shapes");
  for (auto [i, values] : llvm::enumerate(perBatch)) {
    FailureOr<Value> stacked =
        stack(node, values, 0, "output " + std::to_string(i));
    if (failed(stacked))
      return failure();
    node.setOutput(i, *stacked);
  }
  return success();
}

/// SequenceMap applies its body to the i-th tensor of every sequence input
/// (tensor inputs are passed whole); each body output becomes a sequence.
static LogicalResult importSequenceMap(NodeImporter &node) {
  if (failed(node.requireInputs(node.numInputs())) ||
      failed(node.sequenceInput(0)))
    return failure();
  FailureOr<const ::onnx::GraphProto *> body = graphAttr(node, "body");
  if (failed(body))
    return failure();
  SmallVector<BoundValue> inputs;
  size_t length = node.sequenceInput(0)->elements.size();
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    inputs.push_back(boundInput(node, i));
    if (inputs.back().sequence &&
        inputs.back().sequence->elements.size() != length)
      return node.invalid("sequence input " + Twine(i) + " has " +
                          Twine(inputs.back().sequence->elements.size()) +
                          " tensors, input 0 has " + Twine(length));
  }
  int numOutputs = (*body)->output_size();
  if (node.proto().output_size() != numOutputs)
    return node.invalid("the body has " + Twine(numOutputs) +
                        " outputs, the node " +
                        Twine(node.proto().output_size()));
  SmallVector<Sequence> results;
  for (const auto &output : (*body)->output()) {
    Type elementType;
    if (output.type().has_tensor_type())
      elementType = elementTypeOf(output.type().tensor_type().elem_type(),
                                  *node.context());
    results.push_back({{}, elementType});
  }
  for (size_t t = 0; t < length; ++t) {
    if (failed(countIteration(node)))
      return failure();
    SmallVector<BoundValue> step;
    for (const BoundValue &input : inputs)
      step.push_back(input.sequence
                         ? BoundValue{input.sequence->elements[t], std::nullopt}
                         : input);
    FailureOr<SmallVector<BoundValue>> outputs =
        importSubgraph(node, **body, step, "body (element " + Twine(t) + ")");
    if (failed(outputs))
      return failure();
    for (auto [k, output] : llvm::enumerate(*outputs)) {
      if (!output.tensor)
        return node.unsupported("body output " + Twine(k) +
                                " is a sequence or an optional holding no "
                                "value");
      results[k].elementType = node.elementTypeOf(output.tensor);
      results[k].elements.push_back(output.tensor);
    }
  }
  for (auto [k, result] : llvm::enumerate(results)) {
    if (!result.elementType)
      return node.unsupported("the element type of output " + Twine(k) +
                              " of an empty map is not known");
    node.setSequenceOutput(k, std::move(result));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Gradient
//===----------------------------------------------------------------------===//

/// `gradient` (of `from`'s static shape) summed over the axes along which
/// `to` was broadcast to it, and shaped as `to`.
static Value unbroadcast(NodeImporter &node, Value gradient,
                         RankedTensorType from, RankedTensorType to) {
  if (from.getShape() == to.getShape())
    return gradient;
  int64_t leading = from.getRank() - to.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < from.getRank(); ++i)
    if (i < leading ||
        (to.getDimSize(i - leading) == 1 && from.getDimSize(i) != 1))
      axes.push_back(i);
  Type elementType = from.getElementType();
  Value reduced =
      build<graph::ReduceOp>(node, elementType, graph::ReduceKind::Sum,
                             gradient, axes, /*keepdims=*/true);
  if (leading == 0)
    return reduced;
  return build<graph::ReshapeOp>(node, elementType, reduced, to.getShape(),
                                 /*allowzero=*/false);
}

/// The static shape of `value` (shapes are inferred before differentiating).
static FailureOr<RankedTensorType> staticType(NodeImporter &node, Value value,
                                              const Twine &what) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return node.unsupported(what + " must have a static shape");
  return type;
}

/// `'graph.exp' (of node 'name')`: the op and the ONNX node it came from.
static std::string describeOp(Operation *op) {
  std::string text = "'" + op->getName().getStringRef().str() + "'";
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    text += " (of node '" + name.getName().str() + "')";
  return text;
}

/// Gradient of attribute `y` with respect to the tensors named by `xs`,
/// through the elementwise arithmetic and the smooth unary functions
/// between them. `y` is seeded with ones, which for a non-scalar `y` gives
/// the gradient of its sum.
static LogicalResult importGradient(NodeImporter &node) {
  auto stringsAttr = [&](StringRef name) -> SmallVector<std::string> {
    SmallVector<std::string> names;
    if (const ::onnx::AttributeProto *attr = node.attribute(name))
      names.assign(attr->strings().begin(), attr->strings().end());
    return names;
  };
  SmallVector<std::string> xs = stringsAttr("xs");
  if (xs.empty())
    return node.invalid("attribute 'xs' is required");
  FailureOr<std::string> yName = node.stringAttr("y", "");
  if (failed(yName))
    return failure();
  if (yName->empty())
    return node.invalid("attribute 'y' is required");
  if (node.proto().output_size() != static_cast<int>(xs.size()))
    return node.invalid("has " + Twine(node.proto().output_size()) +
                        " outputs for " + Twine(xs.size()) + " xs");
  ImportState &state = node.importState();
  auto lookup = [&](const std::string &name) -> FailureOr<Value> {
    Value value = state.values.lookup(name);
    if (!value)
      return node.invalid("'" + name + "' is not a tensor defined before");
    return value;
  };
  FailureOr<Value> y = lookup(*yName);
  if (failed(y))
    return failure();
  SmallVector<Value> xValues;
  for (const std::string &name : xs) {
    FailureOr<Value> x = lookup(name);
    if (failed(x))
      return failure();
    xValues.push_back(*x);
  }
  // The gradient is taken at the values the graph computes for xs and zs;
  // other values fed to the node would need the graph traced again.
  SmallVector<std::string> zs = stringsAttr("zs");
  SmallVector<std::string> fed(xs);
  fed.append(zs);
  if (node.numInputs() != fed.size())
    return node.invalid("has " + Twine(node.numInputs()) + " inputs for " +
                        Twine(fed.size()) + " names in xs and zs");
  for (auto [i, name] : llvm::enumerate(fed))
    if (node.input(i) != state.values.lookup(name))
      return node.unsupported("input " + Twine(i) + " is not the value of '" +
                              name +
                              "' (only gradients at the graph's own values "
                              "are supported)");
  if (failed(inferShapesSoFar(state)))
    return node.invalid("shape inference of an earlier node failed: " +
                        state.lastDiagnostic);

  // The values that depend on some x, in block order.
  Block *block = node.builder().getInsertionBlock();
  SmallVector<Operation *> ops;
  llvm::DenseSet<Value> dependent(xValues.begin(), xValues.end());
  for (Operation &op : *block)
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return dependent.contains(v); })) {
      ops.push_back(&op);
      for (Value result : op.getResults())
        dependent.insert(result);
    }

  FailureOr<RankedTensorType> yType = staticType(node, *y, "y");
  if (failed(yType))
    return failure();
  if (!isa<FloatType>(yType->getElementType()))
    return node.unsupported("y must be a floating-point tensor");
  Type elementType = yType->getElementType();
  llvm::DenseMap<Value, Value> gradients;
  gradients[*y] = splatConstant(node, yType->getShape(), elementType, 1.0);
  auto accumulate = [&](Value operand, Value gradient) {
    auto [it, inserted] = gradients.try_emplace(operand, gradient);
    if (!inserted)
      it->second = build<graph::AddOp>(node, elementType, it->second, gradient);
  };
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value v) { return gradients.count(v); }))
      continue;
    if (op->getNumResults() != 1)
      return node.unsupported("cannot differentiate " + describeOp(op));
    Value g = gradients.lookup(op->getResult(0));
    FailureOr<RankedTensorType> resultType =
        staticType(node, op->getResult(0), "a differentiated value");
    if (failed(resultType))
      return failure();
    auto propagate = [&](unsigned i, Value gradient) -> LogicalResult {
      Value operand = op->getOperand(i);
      if (!dependent.contains(operand))
        return success();
      FailureOr<RankedTensorType> operandType =
          staticType(node, operand, "a differentiated value");
      if (failed(operandType))
        return failure();
      accumulate(operand,
                 unbroadcast(node, gradient, *resultType, *operandType));
      return success();
    };
    auto neg = [&](Value v) {
      return build<graph::NegOp>(node, elementType, v);
    };
    auto mul = [&](Value a, Value b) {
      return build<graph::MulOp>(node, elementType, a, b);
    };
    auto div = [&](Value a, Value b) {
      return build<graph::DivOp>(node, elementType, a, b);
    };
    auto sub = [&](Value a, Value b) {
      return build<graph::SubOp>(node, elementType, a, b);
    };
    auto scalar = [&](double value) {
      return node.scalarConstant(elementType, value);
    };
    Value r = op->getResult(0);
    LogicalResult done = success();
    if (isa<graph::AddOp>(op)) {
      done = success(succeeded(propagate(0, g)) && succeeded(propagate(1, g)));
    } else if (isa<graph::SubOp>(op)) {
      done = success(succeeded(propagate(0, g)) &&
                     succeeded(propagate(1, neg(g))));
    } else if (isa<graph::MulOp>(op)) {
      Value a = op->getOperand(0), b = op->getOperand(1);
      done = success(succeeded(propagate(0, mul(g, b))) &&
                     succeeded(propagate(1, mul(g, a))));
    } else if (isa<graph::DivOp>(op)) {
      // d(a/b)/db = -(a/b)/b = -result/b.
      Value b = op->getOperand(1);
      done = success(
          succeeded(propagate(0, div(g, b))) &&
          succeeded(propagate(1, neg(mul(g, div(op->getResult(0), b))))));
    } else if (isa<graph::NegOp>(op)) {
      done = propagate(0, neg(g));
    } else if (isa<graph::ExpOp>(op)) {
      done = propagate(0, mul(g, r));
    } else if (isa<graph::LogOp>(op)) {
      done = propagate(0, div(g, op->getOperand(0)));
    } else if (isa<graph::SqrtOp>(op)) {
      done = propagate(0, div(g, mul(scalar(2.0), r)));
    } else if (isa<graph::ReciprocalOp>(op)) {
      done = propagate(0, neg(mul(g, mul(r, r))));
    } else if (isa<graph::TanhOp>(op)) {
      done = propagate(0, mul(g, sub(scalar(1.0), mul(r, r))));
    } else if (isa<graph::SigmoidOp>(op)) {
      done = propagate(0, mul(g, mul(r, sub(scalar(1.0), r))));
    } else {
      return node.unsupported("cannot differentiate " + describeOp(op) +
                              " (Add, Sub, Mul, Div, Neg, Exp, Log, Sqrt, "
                              "Reciprocal, Tanh and Sigmoid only)");
    }
    if (failed(done))
      return failure();
  }
  for (auto [i, x] : llvm::enumerate(xValues)) {
    Value gradient = gradients.lookup(x);
    if (!gradient) {
      FailureOr<RankedTensorType> xType =
          staticType(node, x, "x '" + xs[i] + "'");
      if (failed(xType))
        return failure();
      gradient =
          splatConstant(node, xType->getShape(), xType->getElementType(), 0.0);
    }
    node.setOutput(i, gradient);
  }
  return success();
}

llvm::StringMap<OpImporter> importer::controlFlowOpImporters() {
  return {
      {"If", {1, importIf}},
      {"Loop", {1, importLoop, true, /*takesAbsent=*/true}},
      {"Scan", {8, importScan, true}},
      {"SequenceMap", {17, importSequenceMap, true}},
      {"ai.onnx.preview.training:Gradient", {1, importGradient}},
  };
}
