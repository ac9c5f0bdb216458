//===- TensorImporters.cpp - losses, indexing, resize, quantization -------===//
//
// The tensor/index/loss/quantization family. Where an ONNX op is exactly a
// composition of graph ops (the losses, OneHot, quantization) it is
// decomposed here, so that every backend runs it; the others map to their
// own graph ops (graph.resize, graph.topk, graph.gather_nd,
// graph.scatter_nd).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

namespace {
/// Builds graph ops for one node with unranked results (shape inference
/// refines them).
struct OpMaker {
  NodeImporter &node;

  OpBuilder &b() { return node.builder(); }
  Location loc() { return node.location(); }
  static Type typeOf(Value v) { return NodeImporter::elementTypeOf(v); }

  Value constant(Type type, double v) { return node.scalarConstant(type, v); }
  template <typename OpTy> Value binary(Value x, Value y) {
    return build<OpTy>(node, typeOf(x), x, y);
  }
  template <typename OpTy> Value unary(Value x) {
    return build<OpTy>(node, typeOf(x), x);
  }
  Value compare(graph::ComparePredicate p, Value x, Value y) {
    return build<graph::CompareOp>(node, b().getI1Type(), p, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return build<graph::SelectOp>(node, typeOf(x), cond, x, y);
  }
  Value cast(Value x, Type to) { return build<graph::CastOp>(node, to, x); }
  Value reduce(graph::ReduceKind kind, Value x, ArrayRef<int64_t> axes,
               bool keepdims) {
    return build<graph::ReduceOp>(node, typeOf(x), kind, x, axes, keepdims);
  }
  Value unsqueeze(Value x, ArrayRef<int64_t> axes) {
    return build<graph::UnsqueezeOp>(node, typeOf(x), x, axes);
  }
  Value squeeze(Value x, ArrayRef<int64_t> axes) {
    return build<graph::SqueezeOp>(node, typeOf(x), x, axes);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    return build<graph::ReshapeOp>(node, typeOf(x), x, shape, true);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return build<graph::TransposeOp>(node, typeOf(x), x, perm);
  }
};
} // namespace

static LogicalResult requireIndexType(NodeImporter &node, Value value,
                                      StringRef what) {
  Type type = NodeImporter::elementTypeOf(value);
  if (!type.isInteger(32) && !type.isInteger(64))
    return node.invalid(what + " must be int32 or int64, not " +
                        typeName(type));
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// NegativeLogLikelihoodLoss of `logProb` [N, C, d...] at `target` [N, d...]:
/// loss = -logProb[n, target, d...] * weight[target], 0 where the target is
/// ignore_index; reduced as `reduction` says ("mean" divides by the sum of
/// the weights taken, i.e. the count of targets not ignored without weights).
static FailureOr<Value> negativeLogLikelihood(NodeImporter &node, Value logProb,
                                              Value target, Value weight) {
  FailureOr<std::string> reduction = node.stringAttr("reduction", "mean");
  FailureOr<int64_t> ignoreIndex = node.intAttr("ignore_index", 0);
  if (failed(reduction) || failed(ignoreIndex) ||
      failed(requireIndexType(node, target, "the target")) ||
      failed(requireFloat(node, logProb)))
    return failure();
  if (*reduction != "none" && *reduction != "sum" && *reduction != "mean")
    return node.invalid("attribute 'reduction' is '" + *reduction +
                        "', expected 'none', 'sum' or 'mean'");
  OpMaker m{node};
  Type type = m.typeOf(logProb), indexType = m.typeOf(target);
  if (weight && m.typeOf(weight) != type)
    return node.invalid("the weight must have the input's element type");
  // Ignored targets may lie outside [0, C): they read class 0 instead, and
  // their loss and weight become 0.
  Value index = target, ignored;
  if (node.attribute("ignore_index")) {
    ignored = m.compare(graph::ComparePredicate::Eq, target,
                        m.constant(indexType, *ignoreIndex));
    index = m.select(ignored, m.constant(indexType, 0), target);
  }
  Value picked = build<graph::GatherElementsOp>(
      node, type, logProb, m.unsqueeze(index, {1}), /*axis=*/1);
  Value loss = m.unary<graph::NegOp>(m.squeeze(picked, {1}));
  Value weights; // Of each target; null when all are 1.
  if (weight)
    weights = build<graph::GatherOp>(node, type, weight, index, /*axis=*/0);
  if (ignored) {
    Value zero = m.constant(type, 0);
    loss = m.select(ignored, zero, loss);
    weights = m.select(ignored, zero, weights ? weights : m.constant(type, 1));
  }
  if (weight)
    loss = m.binary<graph::MulOp>(loss, weights);
  if (*reduction == "none")
    return loss;
  if (*reduction == "mean" && !weights)
    return build<graph::ReduceMeanOp>(node, type, loss, ArrayRef<int64_t>{},
                                      false);
  Value total = m.reduce(graph::ReduceKind::Sum, loss, {}, false);
  if (*reduction == "sum")
    return total;
  return m.binary<graph::DivOp>(
      total, m.reduce(graph::ReduceKind::Sum, weights, {}, false));
}

static LogicalResult importNegativeLogLikelihoodLoss(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Value> loss =
      negativeLogLikelihood(node, node.input(0), node.input(1), node.input(2));
  if (failed(loss))
    return failure();
  node.setOutput(0, *loss);
  return success();
}

/// SoftmaxCrossEntropyLoss is the NLL loss of log_softmax over the classes
/// (axis 1), which is also its optional second output.
static LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &node) {
  if (failed(node.requireInputs(2)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  Value scores = node.input(0);
  Value logProb = build<graph::LogSoftmaxOp>(node, OpMaker::typeOf(scores),
                                             scores, /*axis=*/1);
  FailureOr<Value> loss =
      negativeLogLikelihood(node, logProb, node.input(1), node.input(2));
  if (failed(loss))
    return failure();
  node.setOutput(0, *loss);
  node.setOutput(1, logProb);
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

llvm::StringMap<OpImporter> importer::tensorOpImporters() {
  return {
      {"NegativeLogLikelihoodLoss", {12, importNegativeLogLikelihoodLoss}},
      {"SoftmaxCrossEntropyLoss", {12, importSoftmaxCrossEntropyLoss}},
  };
}
