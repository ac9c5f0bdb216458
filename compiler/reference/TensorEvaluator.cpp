//===- TensorEvaluator.cpp - resize, top-k, n-d gather/scatter ------------===//
//
// The reference semantics of the ops in GraphTensorOps.td (resize reads
// its interpolation taps from the dialect, where the CUDA emitter reads
// them too).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/EvaluatorSupport.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir;
using namespace dsc;
using namespace dsc::reference;

static FailureOr<Tensor> evaluateResize(graph::ResizeOp op,
                                        const Tensor &input) {
  ArrayRef<int64_t> sizes = op.getSizes();
  if (input.shape.size() != sizes.size()) {
    op.emitOpError("cannot be evaluated: the input rank differs from the "
                   "number of sizes");
    return failure();
  }
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  Tensor current = input;
  // Separable: one axis at a time, the last first, as ONNX's reference.
  for (int64_t axis = static_cast<int64_t>(sizes.size()) - 1; axis >= 0;
       --axis) {
    int64_t in = current.shape[axis], out = sizes[axis];
    if (in == out && op.getScales()[axis] == 1.0 &&
        op.getCoordinates() != graph::ResizeCoordinates::TfCropAndResize)
      continue;
    if (in == 0 && out > 0) {
      op.emitOpError("cannot be evaluated: resizing an empty dimension");
      return failure();
    }
    SmallVector<graph::ResizeTaps> taps = graph::resizeTaps(op, axis, in);
    auto [outer, size, inner] = splitAround(current.shape, axis);
    (void)size;
    Tensor next;
    next.dtype = current.dtype;
    next.shape = current.shape;
    next.shape[axis] = out;
    next.data.assign(outer * out * inner, 0.0);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t x = 0; x < out; ++x)
        for (int64_t i = 0; i < inner; ++i) {
          double value = 0;
          if (taps[x].extrapolate)
            value = extrapolation;
          for (const graph::ResizeTap &tap : taps[x].taps)
            value +=
                tap.weight * current.data[(o * in + tap.index) * inner + i];
          next.data[(o * out + x) * inner + i] = roundTo(next.dtype, value);
        }
    current = std::move(next);
  }
  return current;
}

static FailureOr<SmallVector<Tensor>> evaluateTopK(graph::TopKOp op,
                                                   const Tensor &input) {
  auto axis = graph::normalizeAxis(op.getAxis(), input.shape.size());
  if (!axis || op.getK() > input.shape[*axis]) {
    op.emitOpError("cannot be evaluated: axis out of range or k too large");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  int64_t k = op.getK();
  Tensor values, indices;
  values.dtype = input.dtype;
  indices.dtype = DType::I64;
  values.shape = input.shape;
  values.shape[*axis] = k;
  indices.shape = values.shape;
  values.data.resize(outer * k * inner);
  indices.data.resize(values.data.size());
  bool largest = op.getLargest();
  SmallVector<int64_t> order(size);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) {
        return input.data[(o * size + j) * inner + i];
      };
      std::iota(order.begin(), order.end(), 0);
      // Stable: equal values keep the lower index first. NaN sorts as the
      // largest value.
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        double x = at(a), y = at(b);
        if (std::isnan(x) || std::isnan(y))
          return largest ? !std::isnan(y) : !std::isnan(x);
        return largest ? x > y : x < y;
      });
      for (int64_t j = 0; j < k; ++j) {
        values.data[(o * k + j) * inner + i] = at(order[j]);
        indices.data[(o * k + j) * inner + i] = order[j];
      }
    }
  return SmallVector<Tensor>{std::move(values), std::move(indices)};
}

/// The input offsets of the index tuples of GatherND/ScatterND: `indices`
/// [B..., M..., q] address an input [B..., D...] whose first `batch`
/// dimensions are batch dimensions. Each tuple gives the offset of a slice
/// of `sliceSize` elements.
static FailureOr<SmallVector<int64_t>>
tupleOffsets(Operation *op, const Tensor &input, const Tensor &indices,
             int64_t batch, int64_t &sliceSize) {
  int64_t q = indices.shape.back();
  int64_t rank = input.shape.size();
  if (batch + q > rank) {
    op->emitOpError("cannot be evaluated: index tuples too long");
    return failure();
  }
  ArrayRef<int64_t> inShape(input.shape);
  sliceSize = product(inShape.drop_front(batch + q));
  int64_t batchStride = product(inShape.drop_front(batch));
  int64_t batches = product(ArrayRef<int64_t>(indices.shape).take_front(batch));
  int64_t tuples = product(ArrayRef<int64_t>(indices.shape).drop_back());
  int64_t perBatch = batches == 0 ? 0 : tuples / batches;
  SmallVector<int64_t> offsets;
  offsets.reserve(tuples);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = (perBatch == 0 ? 0 : t / perBatch) * batchStride;
    int64_t stride = batchStride;
    for (int64_t j = 0; j < q; ++j) {
      int64_t dim = inShape[batch + j];
      stride /= dim == 0 ? 1 : dim;
      auto index = static_cast<int64_t>(indices.data[t * q + j]);
      if (index < -dim || index >= dim) {
        op->emitOpError("cannot be evaluated: index ")
            << index << " is out of range for a dimension of size " << dim;
        return failure();
      }
      offset += (index < 0 ? index + dim : index) * stride;
    }
    offsets.push_back(offset);
  }
  return offsets;
}

static FailureOr<Tensor> evaluateGatherND(graph::GatherNDOp op,
                                          const Tensor &input,
                                          const Tensor &indices) {
  int64_t sliceSize;
  FailureOr<SmallVector<int64_t>> offsets =
      tupleOffsets(op, input, indices, op.getBatchDims(), sliceSize);
  if (failed(offsets))
    return failure();
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(indices.shape.begin(), indices.shape.end() - 1);
  result.shape.insert(result.shape.end(),
                      input.shape.begin() + op.getBatchDims() +
                          indices.shape.back(),
                      input.shape.end());
  result.data.reserve(offsets->size() * sliceSize);
  for (int64_t offset : *offsets)
    result.data.insert(result.data.end(), input.data.begin() + offset,
                       input.data.begin() + offset + sliceSize);
  return result;
}

double reference::combineScattered(graph::ScatterReduction reduction,
                                   DType dtype, double target, double update) {
  switch (reduction) {
  case graph::ScatterReduction::None:
    return update;
  case graph::ScatterReduction::Add:
    return roundTo(dtype, target + update);
  case graph::ScatterReduction::Mul:
    return roundTo(dtype, target * update);
  case graph::ScatterReduction::Max:
    return std::max(target, update);
  case graph::ScatterReduction::Min:
    return std::min(target, update);
  }
  llvm_unreachable("unknown scatter reduction");
}

static FailureOr<Tensor> evaluateScatterND(graph::ScatterNDOp op,
                                           const Tensor &input,
                                           const Tensor &indices,
                                           const Tensor &updates) {
  int64_t sliceSize;
  FailureOr<SmallVector<int64_t>> offsets =
      tupleOffsets(op, input, indices, /*batch=*/0, sliceSize);
  if (failed(offsets))
    return failure();
  if (static_cast<int64_t>(updates.data.size()) !=
      static_cast<int64_t>(offsets->size()) * sliceSize) {
    op.emitOpError("cannot be evaluated: updates have the wrong size");
    return failure();
  }
  Tensor result = input;
  for (auto [t, offset] : llvm::enumerate(*offsets))
    for (int64_t e = 0; e < sliceSize; ++e) {
      double &target = result.data[offset + e];
      target = combineScattered(op.getReduction(), result.dtype, target,
                                updates.data[t * sliceSize + e]);
    }
  return result;
}

FamilyResults reference::evaluateTensorOp(Operation *op,
                                          ArrayRef<Tensor> operands) {
  auto one = [](FailureOr<Tensor> t) -> FailureOr<SmallVector<Tensor>> {
    if (failed(t))
      return failure();
    return SmallVector<Tensor>{std::move(*t)};
  };
  return llvm::TypeSwitch<Operation *, FamilyResults>(op)
      .Case<graph::ResizeOp>(
          [&](auto resize) { return one(evaluateResize(resize, operands[0])); })
      .Case<graph::TopKOp>(
          [&](auto topk) { return evaluateTopK(topk, operands[0]); })
      .Case<graph::GatherNDOp>([&](auto gather) {
        return one(evaluateGatherND(gather, operands[0], operands[1]));
      })
      .Case<graph::ScatterNDOp>([&](auto scatter) {
        return one(
            evaluateScatterND(scatter, operands[0], operands[1], operands[2]));
      })
      .Default([](Operation *) { return FamilyResults(); });
}
