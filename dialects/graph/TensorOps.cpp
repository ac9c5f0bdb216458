//===- TensorOps.cpp - resize, top-k, n-d gather/scatter ------------------===//
//
// Verifiers and shape inference of the ops in GraphTensorOps.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"

#include <algorithm>
#include <array>
#include <cmath>

using namespace mlir;
using namespace dsc::graph;

static RankedTensorType rankedOrNull(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

static LogicalResult verifyIndexType(Operation *op, Value indices) {
  Type type = elementTypeOf(indices);
  if (!type.isInteger(32) && !type.isInteger(64))
    return op->emitOpError("indices must be i32 or i64, not ") << type;
  return success();
}

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::verify() {
  size_t rank = getSizes().size();
  if (getScales().size() != rank)
    return emitOpError("has ")
           << rank << " sizes but " << getScales().size() << " scales";
  if (!getRoi().empty() && getRoi().size() != 2 * rank)
    return emitOpError("roi must be empty or hold ")
           << 2 * rank << " values, not " << getRoi().size();
  if (getCoordinates() == ResizeCoordinates::TfCropAndResize &&
      getRoi().empty())
    return emitOpError("tf_crop_and_resize needs a roi");
  for (int64_t size : getSizes())
    if (size < 0)
      return emitOpError("size ") << size << " is negative";
  for (double scale : getScales())
    if (!(scale > 0))
      return emitOpError("scale ") << scale << " is not positive";
  if (auto input = rankedOrNull(getInput()))
    if (input.getRank() != static_cast<int64_t>(rank))
      return emitOpError("has ")
             << rank << " sizes but the input has rank " << input.getRank();
  if (getMode() != ResizeMode::Nearest && !isa<FloatType>(elementTypeOf(*this)))
    return emitOpError("interpolates floating-point tensors only, not ")
           << elementTypeOf(*this);
  return success();
}

LogicalResult ResizeOp::inferShapes() {
  return refineResult(*this, getSizes());
}

/// Written after ONNX's backend test generator, whose data the conformance
/// suite holds.
/// Keys's cubic convolution weights of the 4 neighbours around a point at
/// `ratio` in (0, 1] past the second one.
static std::array<double, 4> cubicCoefficients(double ratio, double a) {
  double r1 = ratio + 1, r = ratio, s = 1 - ratio, s1 = s + 1;
  return {((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a};
}

/// The input coordinate of result coordinate `x` along an axis of `in`
/// elements resized to `out` at `scale`; nullopt outside the crop of
/// tf_crop_and_resize.
static std::optional<double> sourceCoordinate(ResizeOp op, int64_t axis,
                                              int64_t x, int64_t in,
                                              int64_t out) {
  double scale = op.getScales()[axis];
  // As ONNX's generator of the test data: the resized length is the scale
  // times the input length, which is not always the result size.
  double resized = scale * static_cast<double>(in);
  switch (op.getCoordinates()) {
  case ResizeCoordinates::HalfPixel:
    return (x + 0.5) / scale - 0.5;
  case ResizeCoordinates::HalfPixelSymmetric: {
    double adjustment = out / resized;
    double offset = in / 2.0 * (1 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  case ResizeCoordinates::PytorchHalfPixel:
    return resized == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  case ResizeCoordinates::AlignCorners:
    return resized == 1 ? 0.0 : x * (in - 1) / (resized - 1);
  case ResizeCoordinates::Asymmetric:
    return x / scale;
  case ResizeCoordinates::TfHalfPixelForNn:
    return (x + 0.5) / scale;
  case ResizeCoordinates::TfCropAndResize: {
    size_t rank = op.getScales().size();
    double start = op.getRoi()[axis], end = op.getRoi()[rank + axis];
    double source = out == 1 ? (end - start) * (in - 1) / 2.0
                             : x * (end - start) * (in - 1) / (out - 1.0);
    source += start * (in - 1);
    if (source < 0 || source > in - 1)
      return std::nullopt;
    return source;
  }
  }
  llvm_unreachable("unknown coordinate transformation");
}

static ResizeTaps tapsAt(ResizeOp op, int64_t axis, int64_t x, int64_t in,
                         int64_t out) {
  ResizeTaps result;
  std::optional<double> source = sourceCoordinate(op, axis, x, in, out);
  if (!source) {
    result.extrapolate = true;
    return result;
  }
  // The neighbours lie around the point, the lower one first; a point on
  // an input element counts as ratio 1 past the element below it.
  double floor = std::floor(*source);
  bool onElement = floor == *source;
  double ratio = onElement ? 1.0 : *source - floor;
  int64_t left = static_cast<int64_t>(floor) - (onElement ? 1 : 0);
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
  switch (op.getMode()) {
  case ResizeMode::Nearest: {
    bool upper = true;
    if (!onElement) {
      switch (op.getNearestMode()) {
      case ResizeNearestMode::RoundPreferFloor:
        upper = ratio > 0.5;
        break;
      case ResizeNearestMode::RoundPreferCeil:
        upper = ratio >= 0.5;
        break;
      case ResizeNearestMode::Floor:
        upper = false;
        break;
      case ResizeNearestMode::Ceil:
        upper = true;
        break;
      }
    }
    result.taps.push_back({clamp(left + (upper ? 1 : 0)), 1.0});
    return result;
  }
  case ResizeMode::Linear:
    result.taps = {{left, 1 - ratio}, {left + 1, ratio}};
    break;
  case ResizeMode::Cubic: {
    std::array<double, 4> c =
        cubicCoefficients(ratio, op.getCubicCoeffA().convertToDouble());
    for (int64_t i = 0; i < 4; ++i)
      result.taps.push_back({left - 1 + i, c[i]});
    break;
  }
  }
  if (op.getExcludeOutside()) {
    double sum = 0;
    for (ResizeTap &tap : result.taps) {
      if (tap.index < 0 || tap.index >= in)
        tap.weight = 0;
      sum += tap.weight;
    }
    for (ResizeTap &tap : result.taps)
      tap.weight /= sum;
  }
  // Neighbours outside the input read its edge.
  for (ResizeTap &tap : result.taps)
    tap.index = clamp(tap.index);
  return result;
}

SmallVector<ResizeTaps> dsc::graph::resizeTaps(ResizeOp op, int64_t axis,
                                               int64_t inSize) {
  int64_t out = op.getSizes()[axis];
  SmallVector<ResizeTaps> taps;
  taps.reserve(out);
  for (int64_t x = 0; x < out; ++x)
    taps.push_back(tapsAt(op, axis, x, inSize, out));
  return taps;
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::verify() {
  if (elementTypeOf(getValues()) != elementTypeOf(getInput()))
    return emitOpError("values element type differs from the input's");
  if (!elementTypeOf(getIndices()).isInteger(64))
    return emitOpError("indices must be i64, not ")
           << elementTypeOf(getIndices());
  if (getK() < 0)
    return emitOpError("k ") << getK() << " is negative";
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  std::optional<int64_t> axis = normalizeAxis(getAxis(), input.getRank());
  if (!axis)
    return emitOpError("axis ")
           << getAxis() << " is out of range for rank " << input.getRank();
  int64_t dim = input.getDimSize(*axis);
  if (!ShapedType::isDynamic(dim) && getK() > dim)
    return emitOpError("k ")
           << getK() << " exceeds the dimension of size " << dim;
  return success();
}

LogicalResult TopKOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> shape(input.getShape());
  shape[*normalizeAxis(getAxis(), input.getRank())] = getK();
  if (failed(refineResult(*this, shape, 0)))
    return failure();
  return refineResult(*this, shape, 1);
}

//===----------------------------------------------------------------------===//
// GatherNDOp
//===----------------------------------------------------------------------===//

LogicalResult GatherNDOp::verify() {
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()))
    return emitOpError("result element type differs from the input's");
  if (failed(verifyIndexType(*this, getIndices())))
    return failure();
  int64_t batch = getBatchDims();
  if (batch < 0)
    return emitOpError("batch_dims ") << batch << " is negative";
  auto input = rankedOrNull(getInput());
  auto indices = rankedOrNull(getIndices());
  if (!input || !indices)
    return success();
  if (indices.getRank() < 1 || batch >= indices.getRank() ||
      batch >= input.getRank())
    return emitOpError("batch_dims ")
           << batch << " must be less than the ranks of input ("
           << input.getRank() << ") and indices (" << indices.getRank() << ")";
  int64_t depth = indices.getShape().back();
  if (!ShapedType::isDynamic(depth) && batch + depth > input.getRank())
    return emitOpError("index tuples of length ")
           << depth << " do not fit an input of rank " << input.getRank()
           << " with " << batch << " batch dimensions";
  for (int64_t i = 0; i < batch; ++i) {
    int64_t a = input.getDimSize(i), b = indices.getDimSize(i);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return emitOpError("batch dimension ")
             << i << " differs: " << a << " in the input, " << b
             << " in the indices";
  }
  return success();
}

LogicalResult GatherNDOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  auto indices = rankedOrNull(getIndices());
  if (!input || !indices || ShapedType::isDynamic(indices.getShape().back()))
    return success();
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  int64_t consumed = getBatchDims() + indices.getShape().back();
  llvm::append_range(shape, input.getShape().drop_front(consumed));
  return refineResult(*this, shape);
}

//===----------------------------------------------------------------------===//
// ScatterNDOp
//===----------------------------------------------------------------------===//

LogicalResult ScatterNDOp::verify() {
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()) ||
      elementTypeOf(getUpdates()) != elementTypeOf(getResult()))
    return emitOpError("input, updates and result element types differ");
  if (failed(verifyIndexType(*this, getIndices())))
    return failure();
  auto input = rankedOrNull(getInput());
  auto indices = rankedOrNull(getIndices());
  auto updates = rankedOrNull(getUpdates());
  if (!input || !indices || !updates)
    return success();
  if (indices.getRank() < 1)
    return emitOpError("indices must have rank 1 or more");
  int64_t depth = indices.getShape().back();
  if (ShapedType::isDynamic(depth))
    return success();
  if (depth > input.getRank())
    return emitOpError("index tuples of length ")
           << depth << " do not fit an input of rank " << input.getRank();
  // updates: indices.shape[:-1] + input.shape[depth:].
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, input.getShape().drop_front(depth));
  bool agrees = updates.getRank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; agrees && i < expected.size(); ++i)
    agrees = ShapedType::isDynamic(expected[i]) || updates.isDynamicDim(i) ||
             updates.getDimSize(i) == expected[i];
  if (!agrees)
    return emitOpError("updates shape ")
           << formatShape(updates.getShape()) << " differs from the expected "
           << formatShape(expected);
  return success();
}

LogicalResult ScatterNDOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  return refineResult(*this, input.getShape());
}
