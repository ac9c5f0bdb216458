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
#include <map>

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
// Resize and Upsample
//===----------------------------------------------------------------------===//

/// The float values of input `i` (known at import); empty when absent or
/// empty (Resize marks an unused scales input with an empty tensor).
static FailureOr<SmallVector<double>>
constantFloats(NodeImporter &node, unsigned i, StringRef what) {
  if (!node.hasInput(i))
    return SmallVector<double>();
  FailureOr<reference::Tensor> tensor = node.constantTensor(i, what);
  if (failed(tensor))
    return failure();
  if (tensor->shape.size() > 1)
    return node.invalid("input " + Twine(i) + " (" + what + ") must be 1-D");
  return SmallVector<double>(tensor->data.begin(), tensor->data.end());
}

template <typename EnumTy>
static FailureOr<EnumTy> enumAttr(NodeImporter &node, StringRef name,
                                  StringRef fallback,
                                  std::optional<EnumTy> (*parse)(StringRef)) {
  FailureOr<std::string> text = node.stringAttr(name, fallback);
  if (failed(text))
    return failure();
  std::optional<EnumTy> value = parse(*text);
  if (!value)
    return node.invalid("attribute '" + name + "' is '" + *text + "'");
  return *value;
}

/// What a Resize or Upsample node resizes to, every dimension explicit.
struct ResizeTarget {
  SmallVector<int64_t> sizes;
  SmallVector<double> scales;
  SmallVector<double> roi;
};

/// Spreads the per-axis `scales` or `sizes` (and `roi`) of the listed
/// `axes` over all dimensions of `shape`, applying keep_aspect_ratio_policy.
static FailureOr<ResizeTarget>
resizeTarget(NodeImporter &node, Value x, ArrayRef<double> scales,
             ArrayRef<int64_t> sizes, ArrayRef<double> roi,
             ArrayRef<int64_t> axesIn, StringRef aspectPolicy) {
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return node.unsupported("resizing needs a static input shape");
  ArrayRef<int64_t> shape = type->getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> axes;
  if (axesIn.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t axis : axesIn) {
    std::optional<int64_t> normalized = graph::normalizeAxis(axis, rank);
    if (!normalized || llvm::is_contained(axes, *normalized))
      return node.invalid("axis " + Twine(axis) +
                          " is out of range or repeated");
    axes.push_back(*normalized);
  }
  size_t count = axes.size();
  if (scales.empty() == sizes.empty())
    return node.invalid("exactly one of scales and sizes must be given");
  if (!scales.empty() && scales.size() != count)
    return node.invalid("has " + Twine(scales.size()) + " scales for " +
                        Twine(count) + " axes");
  if (!sizes.empty() && sizes.size() != count)
    return node.invalid("has " + Twine(sizes.size()) + " sizes for " +
                        Twine(count) + " axes");
  if (!roi.empty() && roi.size() != 2 * count)
    return node.invalid("roi has " + Twine(roi.size()) + " values, expected " +
                        Twine(2 * count));
  ResizeTarget target;
  target.sizes.assign(shape.begin(), shape.end());
  target.scales.assign(rank, 1.0);
  if (!roi.empty()) {
    target.roi.assign(rank, 0.0);
    target.roi.append(rank, 1.0);
  }
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (!roi.empty()) {
      target.roi[axis] = roi[i];
      target.roi[rank + axis] = roi[count + i];
    }
    if (!scales.empty()) {
      if (!(scales[i] > 0))
        return node.invalid("scale " + std::to_string(scales[i]) +
                            " is not positive");
      target.scales[axis] = scales[i];
      target.sizes[axis] =
          static_cast<int64_t>(std::floor(shape[axis] * scales[i]));
      continue;
    }
    if (sizes[i] <= 0)
      return node.invalid("size " + Twine(sizes[i]) + " is not positive");
    target.sizes[axis] = sizes[i];
    target.scales[axis] = static_cast<double>(sizes[i]) / shape[axis];
  }
  if (sizes.empty() || aspectPolicy == "stretch")
    return target;
  if (aspectPolicy != "not_larger" && aspectPolicy != "not_smaller")
    return node.invalid("attribute 'keep_aspect_ratio_policy' is '" +
                        aspectPolicy + "'");
  // One scale for the listed axes: the largest (smallest) that keeps every
  // size within (beyond) the requested one.
  double scale = target.scales[axes[0]];
  for (int64_t axis : axes)
    scale = aspectPolicy == "not_larger" ? std::min(scale, target.scales[axis])
                                         : std::max(scale, target.scales[axis]);
  for (int64_t axis : axes) {
    target.scales[axis] = scale;
    target.sizes[axis] =
        static_cast<int64_t>(std::floor(scale * shape[axis] + 0.5));
  }
  return target;
}

static LogicalResult
buildResize(NodeImporter &node, Value x, const ResizeTarget &target,
            graph::ResizeMode mode, graph::ResizeCoordinates coordinates,
            graph::ResizeNearestMode nearest, double cubicA,
            bool excludeOutside, double extrapolation) {
  auto op = build<graph::ResizeOp>(node, OpMaker::typeOf(x), x, mode,
                                   coordinates, nearest, target.sizes,
                                   target.scales, target.roi, APFloat(cubicA),
                                   excludeOutside, APFloat(extrapolation));
  node.setOutput(0, op);
  return success();
}

/// Resize-10 and Upsample: scales only, and the coordinates of Upsample
/// (result x reads input x / scale, nearest rounds down).
static LogicalResult importUpsampleLike(NodeImporter &node) {
  if (node.opset() < 7)
    return node.unsupported("Upsample before opset 7 is not supported");
  bool scalesAttr = node.proto().op_type() == "Upsample" && node.opset() < 9;
  if (failed(node.requireInputs(scalesAttr ? 1 : 2)))
    return failure();
  FailureOr<graph::ResizeMode> mode =
      enumAttr(node, "mode", "nearest", graph::symbolizeResizeMode);
  if (failed(mode))
    return failure();
  if (*mode == graph::ResizeMode::Cubic)
    return node.invalid("mode 'cubic' is not defined before Resize-11");
  SmallVector<double> scales;
  if (scalesAttr) {
    const ::onnx::AttributeProto *attr = node.attribute("scales");
    if (!attr)
      return node.invalid("attribute 'scales' is required");
    scales.assign(attr->floats().begin(), attr->floats().end());
  } else {
    FailureOr<SmallVector<double>> values = constantFloats(node, 1, "scales");
    if (failed(values))
      return failure();
    scales = *values;
  }
  Value x = node.input(0);
  FailureOr<ResizeTarget> target =
      resizeTarget(node, x, scales, {}, {}, {}, "stretch");
  if (failed(target))
    return failure();
  return buildResize(node, x, *target, *mode,
                     graph::ResizeCoordinates::Asymmetric,
                     graph::ResizeNearestMode::Floor, -0.75, false, 0.0);
}

/// Resize from opset 11: roi, scales and sizes are inputs (known at import);
/// opset 18 adds axes, keep_aspect_ratio_policy and antialias.
static LogicalResult importResize(NodeImporter &node) {
  if (node.opset() < 11)
    return importUpsampleLike(node);
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<graph::ResizeMode> mode =
      enumAttr(node, "mode", "nearest", graph::symbolizeResizeMode);
  FailureOr<graph::ResizeCoordinates> coordinates =
      enumAttr(node, "coordinate_transformation_mode", "half_pixel",
               graph::symbolizeResizeCoordinates);
  FailureOr<graph::ResizeNearestMode> nearest =
      enumAttr(node, "nearest_mode", "round_prefer_floor",
               graph::symbolizeResizeNearestMode);
  FailureOr<float> cubicA = node.floatAttr("cubic_coeff_a", -0.75f);
  FailureOr<int64_t> exclude = node.intAttr("exclude_outside", 0);
  FailureOr<float> extrapolation = node.floatAttr("extrapolation_value", 0.0f);
  FailureOr<int64_t> antialias = node.intAttr("antialias", 0);
  FailureOr<std::string> policy =
      node.stringAttr("keep_aspect_ratio_policy", "stretch");
  FailureOr<std::optional<SmallVector<int64_t>>> axes = node.intsAttr("axes");
  if (failed(mode) || failed(coordinates) || failed(nearest) ||
      failed(cubicA) || failed(exclude) || failed(extrapolation) ||
      failed(antialias) || failed(policy) || failed(axes))
    return failure();
  if (*coordinates == graph::ResizeCoordinates::HalfPixelSymmetric &&
      node.opset() < 19)
    return node.invalid("half_pixel_symmetric is defined from opset 19");
  FailureOr<SmallVector<double>> roi = constantFloats(node, 1, "roi");
  FailureOr<SmallVector<double>> scales = constantFloats(node, 2, "scales");
  if (failed(roi) || failed(scales))
    return failure();
  SmallVector<int64_t> sizes;
  if (node.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(3, "sizes");
    if (failed(values))
      return failure();
    sizes = *values;
  }
  bool crop = *coordinates == graph::ResizeCoordinates::TfCropAndResize;
  if (crop && roi->empty())
    return node.invalid("tf_crop_and_resize needs a roi");
  if (!crop)
    roi->clear();
  Value x = node.input(0);
  if (*mode != graph::ResizeMode::Nearest && failed(requireFloat(node, x)))
    return failure();
  FailureOr<ResizeTarget> target =
      resizeTarget(node, x, *scales, sizes, *roi,
                   axes->value_or(SmallVector<int64_t>()), *policy);
  if (failed(target))
    return failure();
  // Antialiasing widens the filter when linear or cubic modes shrink.
  if (*antialias && *mode != graph::ResizeMode::Nearest &&
      llvm::any_of(target->scales, [](double s) { return s < 1; }))
    return node.unsupported("antialias when downsampling is not supported");
  return buildResize(node, x, *target, *mode, *coordinates, *nearest, *cubicA,
                     *exclude != 0, *extrapolation);
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

/// TopK: k is an attribute before opset 10 and an input (known at import)
/// from it; opset 11 adds largest and sorted.
static LogicalResult importTopK(NodeImporter &node) {
  if (failed(node.requireInputs(node.opset() < 10 ? 1 : 2)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", -1);
  FailureOr<int64_t> largest = node.intAttr("largest", 1);
  FailureOr<int64_t> sorted = node.intAttr("sorted", 1);
  if (failed(axis) || failed(largest) || failed(sorted))
    return failure();
  int64_t k;
  if (node.opset() < 10) {
    if (!node.attribute("k"))
      return node.invalid("attribute 'k' is required");
    FailureOr<int64_t> value = node.intAttr("k", 0);
    if (failed(value))
      return failure();
    k = *value;
  } else {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "K");
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return node.invalid("K must hold one value");
    k = (*values)[0];
  }
  if (k < 0)
    return node.invalid("k " + Twine(k) + " is negative");
  Value x = node.input(0);
  if (OpMaker::typeOf(x).isInteger(1))
    return node.unsupported("input type i1 is not supported");
  auto op = node.builder().create<graph::TopKOp>(
      node.location(), node.unranked(OpMaker::typeOf(x)),
      node.unranked(node.builder().getI64Type()), x, k, *axis, *largest != 0,
      *sorted != 0);
  node.setOutput(0, op.getValues());
  node.setOutput(1, op.getIndices());
  return success();
}

static LogicalResult importGatherND(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<int64_t> batchDims = node.intAttr("batch_dims", 0);
  if (failed(batchDims) ||
      failed(requireIndexType(node, node.input(1), "indices")))
    return failure();
  Value x = node.input(0);
  node.setOutput(0, build<graph::GatherNDOp>(node, OpMaker::typeOf(x), x,
                                             node.input(1), *batchDims));
  return success();
}

/// ScatterND; reduction add/mul from opset 16, max/min from 18.
static LogicalResult importScatterND(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  FailureOr<graph::ScatterReduction> reduction =
      enumAttr(node, "reduction", "none", graph::symbolizeScatterReduction);
  if (failed(reduction) ||
      failed(requireIndexType(node, node.input(1), "indices")))
    return failure();
  Value x = node.input(0);
  if (OpMaker::typeOf(node.input(2)) != OpMaker::typeOf(x))
    return node.invalid("updates and data have different element types");
  auto op = build<graph::ScatterNDOp>(node, OpMaker::typeOf(x), x,
                                      node.input(1), node.input(2));
  cast<graph::ScatterNDOp>(op.getDefiningOp()).setReduction(*reduction);
  node.setOutput(0, op);
  return success();
}

/// The deepest one-hot dsc builds (its positions are a constant).
static constexpr int64_t kMaxOneHotDepth = int64_t(1) << 24;

/// OneHot: result[..., j, ...] (j at `axis`) is on_value where j is the
/// index (negative ones count from depth), else off_value: a comparison of
/// the indices with a constant range, and a select.
static LogicalResult importOneHot(NodeImporter &node) {
  if (failed(node.requireInputs(3)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", -1);
  FailureOr<reference::Tensor> depthTensor = node.constantTensor(1, "depth");
  if (failed(axis) || failed(depthTensor))
    return failure();
  if (depthTensor->data.size() != 1)
    return node.invalid("depth must hold one value");
  auto depth = static_cast<int64_t>(depthTensor->data[0]);
  if (depth <= 0)
    return node.invalid("depth " + Twine(depth) + " is not positive");
  // The positions compared against are a constant of depth elements.
  if (depth > kMaxOneHotDepth)
    return node.unsupported("depth " + Twine(depth) + " exceeds " +
                            Twine(kMaxOneHotDepth));
  Value indices = node.input(0), values = node.input(2);
  FailureOr<RankedTensorType> type = node.rankedType(indices, "indices");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank() + 1;
  std::optional<int64_t> at = graph::normalizeAxis(*axis, rank);
  if (!at)
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(rank));
  OpMaker m{node};
  Type i64 = node.builder().getI64Type();
  // Non-integer indices are truncated, as ONNX Runtime does.
  Value index = m.typeOf(indices) == i64 ? indices : m.cast(indices, i64);
  Value negative =
      m.compare(graph::ComparePredicate::Lt, index, m.constant(i64, 0));
  index = m.select(
      negative, m.binary<graph::AddOp>(index, m.constant(i64, depth)), index);
  reference::Tensor range;
  range.dtype = reference::DType::I64;
  range.shape.assign(rank - *at, 1);
  range.shape[0] = depth;
  for (int64_t j = 0; j < depth; ++j)
    range.data.push_back(j);
  Value positions = node.builder().create<graph::ConstantOp>(
      node.location(), reference::toAttr(range, node.context(), "one_hot"));
  Value hot = m.compare(graph::ComparePredicate::Eq, m.unsqueeze(index, {*at}),
                        positions);
  Type valueType = m.typeOf(values);
  auto pick = [&](int64_t i) {
    return build<graph::GatherOp>(node, valueType, values, m.constant(i64, i),
                                  /*axis=*/0);
  };
  node.setOutput(0, m.select(hot, pick(1), pick(0)));
  return success();
}

//===----------------------------------------------------------------------===//
// Data-dependent shapes, folded at import
//===----------------------------------------------------------------------===//

/// NonZero: the indices of the non-zero elements, [rank, count]. The count
/// depends on the values, so the input must be known at import.
static LogicalResult importNonZero(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<reference::Tensor> x =
      node.constantTensor(0, "X, whose values decide the output shape");
  if (failed(x))
    return failure();
  int64_t rank = x->shape.size();
  SmallVector<SmallVector<int64_t>> hits;
  SmallVector<int64_t> index(rank, 0);
  for (double v : x->data) {
    if (v != 0)
      hits.push_back(index);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < x->shape[d])
        break;
      index[d] = 0;
    }
  }
  reference::Tensor result;
  result.dtype = reference::DType::I64;
  // A scalar counts as one dimension (numpy's nonzero of a 0-d array).
  int64_t rows = std::max<int64_t>(rank, 1);
  result.shape = {rows, static_cast<int64_t>(hits.size())};
  for (int64_t d = 0; d < rows; ++d)
    for (const SmallVector<int64_t> &hit : hits)
      result.data.push_back(rank == 0 ? 0 : hit[d]);
  node.setOutput(0, node.builder().create<graph::ConstantOp>(
                        node.location(),
                        reference::toAttr(result, node.context(), "nonzero")));
  return success();
}

/// Compress: the slices along `axis` (of the flattened input without one)
/// where the condition holds, a gather of constant positions. The count
/// depends on the condition, so it must be known at import.
static LogicalResult importCompress(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<reference::Tensor> condition =
      node.constantTensor(1, "condition, whose values decide the output shape");
  if (failed(condition))
    return failure();
  if (condition->shape.size() != 1)
    return node.invalid("condition must be 1-D");
  Value x = node.input(0);
  OpMaker m{node};
  int64_t axis = 0;
  if (node.attribute("axis")) {
    FailureOr<int64_t> value = node.intAttr("axis", 0);
    if (failed(value))
      return failure();
    axis = *value;
  } else {
    x = m.reshape(x, {-1});
  }
  FailureOr<RankedTensorType> type = node.rankedType(x, "input");
  if (failed(type))
    return failure();
  std::optional<int64_t> normalized =
      graph::normalizeAxis(axis, type->getRank());
  if (!normalized)
    return node.invalid("axis " + Twine(axis) + " is out of range for rank " +
                        Twine(type->getRank()));
  int64_t dim = type->getDimSize(*normalized);
  if (!ShapedType::isDynamic(dim) &&
      static_cast<int64_t>(condition->data.size()) > dim)
    return node.invalid("condition has " + Twine(condition->data.size()) +
                        " values for a dimension of size " + Twine(dim));
  reference::Tensor positions;
  positions.dtype = reference::DType::I64;
  for (auto [i, v] : llvm::enumerate(condition->data))
    if (v != 0)
      positions.data.push_back(i);
  positions.shape = {static_cast<int64_t>(positions.data.size())};
  Value indices = node.builder().create<graph::ConstantOp>(
      node.location(),
      reference::toAttr(positions, node.context(), "compress"));
  node.setOutput(
      0, build<graph::GatherOp>(node, m.typeOf(x), x, indices, *normalized));
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

namespace {
/// An einsum operand as it is rewritten: its value, and per dimension a
/// label (a letter's code, or 256 + i for the i-th dimension of the
/// ellipsis counted from the right) and a size.
struct Labeled {
  Value value;
  SmallVector<int> labels;
  SmallVector<int64_t> shape;
};
} // namespace

/// Moves the dimensions of `x` to the order of `labels` (a permutation of
/// its labels).
static void permuteTo(OpMaker &m, Labeled &x, ArrayRef<int> labels) {
  SmallVector<int64_t> perm;
  SmallVector<int64_t> shape;
  for (int label : labels) {
    int64_t d = llvm::find(x.labels, label) - x.labels.begin();
    perm.push_back(d);
    shape.push_back(x.shape[d]);
  }
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (!identity)
    x.value = m.transpose(x.value, perm);
  x.labels.assign(labels.begin(), labels.end());
  x.shape = shape;
}

/// Replaces two dimensions of one label by their diagonal: both are moved
/// last, merged, and every (n+1)-th element gathered.
static void takeDiagonal(OpMaker &m, Labeled &x, int label) {
  int64_t first = llvm::find(x.labels, label) - x.labels.begin();
  int64_t second =
      std::find(x.labels.begin() + first + 1, x.labels.end(), label) -
      x.labels.begin();
  int64_t n = x.shape[first];
  SmallVector<int64_t> perm, shape;
  SmallVector<int> labels;
  for (auto [d, l] : llvm::enumerate(x.labels))
    if (static_cast<int64_t>(d) != first && static_cast<int64_t>(d) != second) {
      perm.push_back(d);
      shape.push_back(x.shape[d]);
      labels.push_back(l);
    }
  perm.append({first, second});
  shape.push_back(n * n);
  x.value = m.reshape(m.transpose(x.value, perm), shape);
  reference::Tensor positions;
  positions.dtype = reference::DType::I64;
  positions.shape = {n};
  for (int64_t i = 0; i < n; ++i)
    positions.data.push_back(i * (n + 1));
  Value indices = m.b().create<graph::ConstantOp>(
      m.loc(), reference::toAttr(positions, m.node.context(), "diagonal"));
  x.value = build<graph::GatherOp>(m.node, m.typeOf(x.value), x.value, indices,
                                   static_cast<int64_t>(shape.size()) - 1);
  shape.back() = n;
  labels.push_back(label);
  x.labels = labels;
  x.shape = shape;
}

/// Sums `x` over the dimensions whose label is not in `keep`.
static void sumOut(OpMaker &m, Labeled &x, llvm::function_ref<bool(int)> keep) {
  SmallVector<int64_t> axes;
  Labeled kept;
  for (auto [d, label] : llvm::enumerate(x.labels)) {
    if (keep(label)) {
      kept.labels.push_back(label);
      kept.shape.push_back(x.shape[d]);
    } else {
      axes.push_back(d);
    }
  }
  if (axes.empty())
    return;
  x.value = m.reduce(graph::ReduceKind::Sum, x.value, axes, false);
  x.labels = kept.labels;
  x.shape = kept.shape;
}

/// Contracts two operands into one whose labels are those of `keep` found
/// in either: a batched matmul over [batch, rows, contracted] x
/// [batch, contracted, columns].
static FailureOr<Labeled> contract(OpMaker &m, Labeled a, Labeled b,
                                   llvm::function_ref<bool(int)> keep) {
  SmallVector<int> batch, rows, contracted, columns;
  int64_t batchSize = 1, rowSize = 1, contractedSize = 1, columnSize = 1;
  // A label of size 1 in one operand broadcasts to its size in the other
  // (the ellipsis dimensions, as numpy's).
  for (auto [d, label] : llvm::enumerate(a.labels)) {
    auto inB = llvm::find(b.labels, label);
    if (inB == b.labels.end())
      continue;
    int64_t &aSize = a.shape[d], &bSize = b.shape[inB - b.labels.begin()];
    if (aSize == bSize)
      continue;
    if (aSize != 1 && bSize != 1)
      return m.node.invalid("a label has sizes " + Twine(aSize) + " and " +
                            Twine(bSize) + " in two operands");
    Labeled &small = aSize == 1 ? a : b;
    int64_t size = std::max(aSize, bSize);
    (aSize == 1 ? aSize : bSize) = size;
    small.value = build<graph::ExpandOp>(m.node, m.typeOf(small.value),
                                         small.value, small.shape);
  }
  for (auto [d, label] : llvm::enumerate(a.labels)) {
    if (!llvm::is_contained(b.labels, label)) {
      rows.push_back(label);
      rowSize *= a.shape[d];
      continue;
    }
    if (keep(label)) {
      batch.push_back(label);
      batchSize *= a.shape[d];
    } else {
      contracted.push_back(label);
      contractedSize *= a.shape[d];
    }
  }
  for (auto [d, label] : llvm::enumerate(b.labels))
    if (!llvm::is_contained(a.labels, label)) {
      columns.push_back(label);
      columnSize *= b.shape[d];
    }
  auto sizeOf = [&](int label) {
    auto it = llvm::find(a.labels, label);
    if (it != a.labels.end())
      return a.shape[it - a.labels.begin()];
    return b.shape[llvm::find(b.labels, label) - b.labels.begin()];
  };
  SmallVector<int> aOrder(batch), bOrder(batch), labels(batch);
  llvm::append_range(aOrder, rows);
  llvm::append_range(aOrder, contracted);
  llvm::append_range(bOrder, contracted);
  llvm::append_range(bOrder, columns);
  llvm::append_range(labels, rows);
  llvm::append_range(labels, columns);
  permuteTo(m, a, aOrder);
  permuteTo(m, b, bOrder);
  Value lhs = m.reshape(a.value, {batchSize, rowSize, contractedSize});
  Value rhs = m.reshape(b.value, {batchSize, contractedSize, columnSize});
  Labeled result;
  result.labels = labels;
  for (int label : labels)
    result.shape.push_back(sizeOf(label));
  result.value = m.reshape(
      build<graph::MatMulOp>(m.node, m.typeOf(lhs), lhs, rhs), result.shape);
  return result;
}

/// Einsum: diagonals are gathered, labels no one else needs summed out, and
/// the operands contracted pairwise, from the left, by batched matmuls.
static LogicalResult importEinsum(NodeImporter &node) {
  if (node.numInputs() == 0 || failed(node.requireInputs(node.numInputs())))
    return node.invalid("expects at least one input");
  FailureOr<std::string> equationAttr = node.stringAttr("equation", "");
  if (failed(equationAttr))
    return failure();
  std::string equation;
  for (char c : *equationAttr)
    if (c != ' ')
      equation += c;
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  SmallVector<StringRef> terms;
  StringRef(lhs).split(terms, ',');
  if (terms.size() != node.numInputs())
    return node.invalid("equation '" + *equationAttr + "' has " +
                        Twine(terms.size()) + " operands, the node " +
                        Twine(node.numInputs()) + " inputs");
  OpMaker m{node};
  Type type = m.typeOf(node.input(0));
  // Parses a term into labels; the ellipsis covers `rank` minus the letters.
  int64_t ellipsisRank = 0;
  auto parse = [&](StringRef term, int64_t rank,
                   SmallVector<int> &labels) -> LogicalResult {
    size_t dots = term.find("...");
    StringRef before = term.substr(0, dots), after;
    if (dots != StringRef::npos)
      after = term.substr(dots + 3);
    int64_t letters = before.size() + after.size();
    if (llvm::any_of(before.str() + after.str(),
                     [](char c) { return !llvm::isAlpha(c); }))
      return node.invalid("equation term '" + term + "' is malformed");
    int64_t ellipsis = dots == StringRef::npos ? 0 : rank - letters;
    if (ellipsis < 0 || (dots == StringRef::npos && letters != rank))
      return node.invalid("equation term '" + term + "' does not fit rank " +
                          Twine(rank));
    ellipsisRank = std::max(ellipsisRank, ellipsis);
    for (char c : before)
      labels.push_back(static_cast<unsigned char>(c));
    for (int64_t i = ellipsis - 1; i >= 0; --i)
      labels.push_back(256 + i);
    for (char c : after)
      labels.push_back(static_cast<unsigned char>(c));
    return success();
  };
  SmallVector<Labeled> operands;
  for (auto [i, term] : llvm::enumerate(terms)) {
    Value x = node.input(i);
    if (m.typeOf(x) != type)
      return node.invalid("inputs have different element types");
    FailureOr<RankedTensorType> xType = node.rankedType(x, "an input");
    if (failed(xType))
      return failure();
    if (!xType->hasStaticShape())
      return node.unsupported("einsum needs static input shapes");
    Labeled operand{x, {}, SmallVector<int64_t>(xType->getShape())};
    if (failed(parse(term, xType->getRank(), operand.labels)))
      return failure();
    operands.push_back(std::move(operand));
  }
  SmallVector<int> output;
  if (arrow != std::string::npos) {
    StringRef out = StringRef(equation).substr(arrow + 2);
    size_t dots = out.find("...");
    if (dots == StringRef::npos && ellipsisRank > 0)
      return node.unsupported("an ellipsis summed out of the result is not "
                              "supported");
    SmallVector<int> parsed;
    if (failed(parse(out,
                     out.size() - (dots == StringRef::npos ? 0 : 3) +
                         (dots == StringRef::npos ? 0 : ellipsisRank),
                     parsed)))
      return failure();
    output = parsed;
    for (int label : output)
      if (llvm::count(output, label) > 1)
        return node.invalid("the result repeats a label");
  } else {
    // Implicit: the ellipsis, then the letters used once, in order.
    for (int64_t i = ellipsisRank - 1; i >= 0; --i)
      output.push_back(256 + i);
    std::map<int, int> uses;
    for (const Labeled &operand : operands)
      for (int label : operand.labels)
        if (label < 256)
          ++uses[label];
    for (auto [label, count] : uses)
      if (count == 1)
        output.push_back(label);
  }
  // Labels still needed after operand `i`: the output's and later operands'.
  auto neededAfter = [&](size_t i, int label) {
    if (llvm::is_contained(output, label))
      return true;
    for (size_t j = i + 1; j < operands.size(); ++j)
      if (llvm::is_contained(operands[j].labels, label))
        return true;
    return false;
  };
  for (auto [i, operand] : llvm::enumerate(operands)) {
    for (bool repeated = true; repeated;) {
      repeated = false;
      for (int label : operand.labels)
        if (llvm::count(operand.labels, label) > 1) {
          takeDiagonal(m, operand, label);
          repeated = true;
          break;
        }
    }
    auto inOthersOrOutput = [&, i = i](int label) {
      if (llvm::is_contained(output, label))
        return true;
      for (size_t j = 0; j < operands.size(); ++j)
        if (j != i && llvm::is_contained(operands[j].labels, label))
          return true;
      return false;
    };
    sumOut(m, operand, inOthersOrOutput);
  }
  Labeled result = operands[0];
  for (size_t i = 1; i < operands.size(); ++i) {
    FailureOr<Labeled> next = contract(m, result, operands[i], [&](int label) {
      return neededAfter(i, label);
    });
    if (failed(next))
      return failure();
    result = *next;
  }
  sumOut(m, result,
         [&](int label) { return llvm::is_contained(output, label); });
  for (int label : output)
    if (!llvm::is_contained(result.labels, label))
      return node.invalid("the result label '" +
                          Twine(static_cast<char>(label)) +
                          "' is in no operand");
  permuteTo(m, result, output);
  node.setOutput(0, result.value);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// The saturation bounds of an 8-bit quantized type; nullopt for others.
static std::optional<std::pair<double, double>> quantizedRange(Type type) {
  if (!type.isInteger(8))
    return std::nullopt;
  if (type.isUnsignedInteger())
    return std::make_pair(0.0, 255.0);
  return std::make_pair(-128.0, 127.0);
}

/// saturate(round_half_even(value) + zeroPoint) as `target`: `value` and
/// `zeroPoint` (null for 0) are of the float type of `value`.
static Value quantizeRounded(OpMaker &m, Value value, Value zeroPoint,
                             Type target) {
  Type type = m.typeOf(value);
  Value y = build<graph::MathOp>(m.node, type, graph::MathFn::Round, value);
  if (zeroPoint)
    y = m.binary<graph::AddOp>(y, zeroPoint);
  auto [lo, hi] = *quantizedRange(target);
  y = m.binary<graph::MinOp>(m.binary<graph::MaxOp>(y, m.constant(type, lo)),
                             m.constant(type, hi));
  return m.cast(y, target);
}

/// A per-axis (1-D) or blocked (`blockSize` > 0: the input's rank, one
/// value per block of `axis`) scale or zero point made to broadcast against
/// an input of `shape`; per-tensor ones (rank 0, or one element) are
/// returned as they are.
static FailureOr<Value> alongAxis(NodeImporter &node, Value param, int64_t axis,
                                  ArrayRef<int64_t> shape, int64_t blockSize,
                                  StringRef what) {
  FailureOr<RankedTensorType> type = node.rankedType(param, what);
  if (failed(type))
    return failure();
  int64_t rank = shape.size();
  if (blockSize == 0 && (type->getRank() == 0 ||
                         (type->getRank() == 1 && type->getDimSize(0) == 1)))
    return param;
  std::optional<int64_t> normalized = graph::normalizeAxis(axis, rank);
  if (!normalized)
    return node.invalid("axis " + Twine(axis) + " is out of range for rank " +
                        Twine(rank));
  OpMaker m{node};
  if (blockSize == 0) {
    if (type->getRank() != 1)
      return node.invalid(what + " must be a scalar or 1-D without " +
                          "block_size");
    SmallVector<int64_t> trailing;
    for (int64_t d = *normalized + 1; d < rank; ++d)
      trailing.push_back(d - *normalized);
    return trailing.empty() ? param : m.unsqueeze(param, trailing);
  }
  if (blockSize < 0)
    return node.invalid("block_size must not be negative");
  int64_t dim = shape[*normalized];
  if (type->getRank() != rank || !type->hasStaticShape() ||
      ShapedType::isDynamic(dim))
    return node.unsupported(what + " and the input must be static and of " +
                            "equal rank for blocked quantization");
  // Each value repeated blockSize times along the axis, cut to its size.
  int64_t blocks = type->getDimSize(*normalized);
  if (blocks != (dim + blockSize - 1) / blockSize)
    return node.invalid(what + " has " + Twine(blocks) + " blocks for " +
                        Twine(dim) + " elements of block_size " +
                        Twine(blockSize));
  SmallVector<int64_t> expanded(type->getShape());
  expanded.insert(expanded.begin() + *normalized + 1, blockSize);
  Value repeated = build<graph::ExpandOp>(
      node, m.typeOf(param), m.unsqueeze(param, {*normalized + 1}), expanded);
  SmallVector<int64_t> flat(type->getShape());
  flat[*normalized] = blocks * blockSize;
  repeated = m.reshape(repeated, flat);
  if (blocks * blockSize == dim)
    return repeated;
  return build<graph::SliceOp>(node, m.typeOf(param), repeated,
                               ArrayRef<int64_t>{0}, ArrayRef<int64_t>{dim},
                               ArrayRef<int64_t>{*normalized},
                               ArrayRef<int64_t>{1});
}

/// The scale and zero point (cast to the scale's type, null when absent) of
/// a QuantizeLinear/DequantizeLinear node, broadcastable against `x`.
static FailureOr<std::pair<Value, Value>> quantizationParams(NodeImporter &node,
                                                             Value x) {
  FailureOr<int64_t> axis = node.intAttr("axis", 1);
  FailureOr<int64_t> blockSize = node.intAttr("block_size", 0);
  if (failed(axis) || failed(blockSize))
    return failure();
  FailureOr<RankedTensorType> type = node.rankedType(x, "x");
  if (failed(type))
    return failure();
  FailureOr<Value> scale = alongAxis(node, node.input(1), *axis,
                                     type->getShape(), *blockSize, "the scale");
  if (failed(scale) || failed(requireFloat(node, *scale)))
    return failure();
  Value zeroPoint;
  if (node.hasInput(2)) {
    FailureOr<Value> zp =
        alongAxis(node, node.input(2), *axis, type->getShape(), *blockSize,
                  "the zero point");
    if (failed(zp))
      return failure();
    OpMaker m{node};
    zeroPoint = m.cast(*zp, m.typeOf(*scale));
  }
  return std::make_pair(*scale, zeroPoint);
}

/// The quantized type of a node: its zero point input `i`'s, else the
/// `output_dtype` attribute's (QuantizeLinear-21), else uint8.
static FailureOr<Type> quantizedType(NodeImporter &node, unsigned i) {
  FailureOr<int64_t> outputType = node.intAttr("output_dtype", 0);
  if (failed(outputType))
    return failure();
  Type type = IntegerType::get(node.context(), 8, IntegerType::Unsigned);
  if (node.hasInput(i))
    type = OpMaker::typeOf(node.input(i));
  else if (*outputType != 0)
    type = elementTypeOf(*outputType, *node.context());
  if (!type || !quantizedRange(type))
    return node.unsupported(
        "quantized type " +
        (type ? typeName(type) : onnxTypeName(*outputType)) +
        " is not supported (int8 and uint8 only)");
  return type;
}

/// QuantizeLinear: saturate(round(x / scale) + zero_point); per axis from
/// opset 13.
static LogicalResult importQuantizeLinear(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Type> target = quantizedType(node, 2);
  Value x = node.input(0);
  if (failed(target) || failed(requireFloat(node, x)))
    return failure();
  FailureOr<std::pair<Value, Value>> params = quantizationParams(node, x);
  if (failed(params))
    return failure();
  OpMaker m{node};
  if (m.typeOf(params->first) != m.typeOf(x))
    return node.invalid("the scale must have the input's element type");
  node.setOutput(0, quantizeRounded(m, m.binary<graph::DivOp>(x, params->first),
                                    params->second, *target));
  return success();
}

/// DequantizeLinear: (x - zero_point) * scale, in the scale's type.
static LogicalResult importDequantizeLinear(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  Value x = node.input(0);
  Type type = OpMaker::typeOf(x);
  if (!quantizedRange(type) && !type.isInteger(32))
    return node.unsupported("input type " + typeName(type) +
                            " is not supported (int8, uint8 and int32 only)");
  FailureOr<std::pair<Value, Value>> params = quantizationParams(node, x);
  if (failed(params))
    return failure();
  OpMaker m{node};
  Value y = m.cast(x, m.typeOf(params->first));
  if (params->second)
    y = m.binary<graph::SubOp>(y, params->second);
  node.setOutput(0, m.binary<graph::MulOp>(y, params->first));
  return success();
}

/// DynamicQuantizeLinear: uint8 with the scale and zero point that map
/// [min(x, 0), max(x, 0)] onto [0, 255].
static LogicalResult importDynamicQuantizeLinear(NodeImporter &node) {
  if (failed(node.requireInputs(1)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  OpMaker m{node};
  Value x = node.input(0);
  Type type = m.typeOf(x);
  Type u8 = IntegerType::get(node.context(), 8, IntegerType::Unsigned);
  Value zero = m.constant(type, 0);
  Value lo = m.binary<graph::MinOp>(
      m.reduce(graph::ReduceKind::Min, x, {}, false), zero);
  Value hi = m.binary<graph::MaxOp>(
      m.reduce(graph::ReduceKind::Max, x, {}, false), zero);
  Value scale = m.binary<graph::DivOp>(m.binary<graph::SubOp>(hi, lo),
                                       m.constant(type, 255));
  Value zeroPoint = quantizeRounded(
      m, m.binary<graph::SubOp>(zero, m.binary<graph::DivOp>(lo, scale)),
      nullptr, u8);
  node.setOutput(0, quantizeRounded(m, m.binary<graph::DivOp>(x, scale),
                                    m.cast(zeroPoint, type), u8));
  node.setOutput(1, scale);
  node.setOutput(2, zeroPoint);
  return success();
}

/// An 8-bit matmul operand as int32 minus its zero point (`perRow`: a 1-D
/// zero point holds one value per row of the matrix, not per column).
static FailureOr<Value> shiftedOperand(NodeImporter &node, unsigned input,
                                       unsigned zeroPointInput, bool perRow) {
  OpMaker m{node};
  Value x = node.input(input);
  if (!quantizedRange(m.typeOf(x)))
    return node.unsupported("input type " + typeName(m.typeOf(x)) +
                            " is not supported (int8 and uint8 only)");
  Type i32 = node.builder().getI32Type();
  Value y = m.cast(x, i32);
  if (!node.hasInput(zeroPointInput))
    return y;
  Value zp = node.input(zeroPointInput);
  if (m.typeOf(zp) != m.typeOf(x))
    return node.invalid("a zero point differs in type from its input");
  FailureOr<RankedTensorType> zpType = node.rankedType(zp, "a zero point");
  if (failed(zpType))
    return failure();
  zp = m.cast(zp, i32);
  if (perRow && zpType->getRank() == 1)
    zp = m.unsqueeze(zp, {1});
  return m.binary<graph::SubOp>(y, zp);
}

/// (A - a_zero_point) @ (B - b_zero_point), exactly, in int32.
static FailureOr<Value> integerMatMul(NodeImporter &node, unsigned a,
                                      unsigned aZeroPoint, unsigned b,
                                      unsigned bZeroPoint) {
  FailureOr<Value> lhs = shiftedOperand(node, a, aZeroPoint, true);
  FailureOr<Value> rhs = shiftedOperand(node, b, bZeroPoint, false);
  if (failed(lhs) || failed(rhs))
    return failure();
  return build<graph::MatMulOp>(node, node.builder().getI32Type(), *lhs, *rhs);
}

static LogicalResult importMatMulInteger(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Value> product = integerMatMul(node, 0, 2, 1, 3);
  if (failed(product))
    return failure();
  node.setOutput(0, *product);
  return success();
}

/// QLinearMatMul: the int32 product rescaled by a_scale * b_scale / y_scale
/// and quantized with y_zero_point.
static LogicalResult importQLinearMatMul(NodeImporter &node) {
  if (failed(node.requireInputs(8)))
    return failure();
  FailureOr<Value> product = integerMatMul(node, 0, 2, 3, 5);
  FailureOr<Type> target = quantizedType(node, 7);
  if (failed(product) || failed(target))
    return failure();
  OpMaker m{node};
  Value aScale = node.input(1), bScale = node.input(4), yScale = node.input(6);
  if (failed(requireFloat(node, aScale)))
    return failure();
  Type type = m.typeOf(aScale);
  if (m.typeOf(bScale) != type || m.typeOf(yScale) != type)
    return node.invalid("the scales have different element types");
  FailureOr<RankedTensorType> aScaleType = node.rankedType(aScale, "a_scale");
  if (failed(aScaleType))
    return failure();
  if (aScaleType->getRank() == 1)
    aScale = m.unsqueeze(aScale, {1});
  Value multiplier =
      m.binary<graph::DivOp>(m.binary<graph::MulOp>(aScale, bScale), yScale);
  Value scaled = m.binary<graph::MulOp>(m.cast(*product, type), multiplier);
  node.setOutput(
      0, quantizeRounded(m, scaled, m.cast(node.input(7), type), *target));
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

llvm::StringMap<OpImporter> importer::tensorOpImporters() {
  return {
      {"NegativeLogLikelihoodLoss", {12, importNegativeLogLikelihoodLoss}},
      {"SoftmaxCrossEntropyLoss", {12, importSoftmaxCrossEntropyLoss}},
      {"Resize", {10, importResize}},
      {"Upsample", {7, importUpsampleLike}},
      {"TopK", {1, importTopK}},
      {"GatherND", {11, importGatherND}},
      {"ScatterND", {11, importScatterND}},
      {"OneHot", {9, importOneHot}},
      {"Einsum", {12, importEinsum}},
      {"NonZero", {9, importNonZero}},
      {"Compress", {9, importCompress}},
      {"QuantizeLinear", {10, importQuantizeLinear}},
      {"DequantizeLinear", {10, importDequantizeLinear}},
      {"DynamicQuantizeLinear", {11, importDynamicQuantizeLinear}},
      {"MatMulInteger", {10, importMatMulInteger}},
      {"QLinearMatMul", {10, importQLinearMatMul}},
  };
}
