//===- AttentionEvaluator.cpp - graph.attention on the host ---------------===//
//
// The scores of one query row in double, softmax over them, then the
// weighted sum of the value rows; the result is rounded to its element type
// once (a fused kernel does not round the scores either).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/EvaluatorSupport.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <vector>

using namespace mlir;
using namespace dsc;
using namespace dsc::reference;
using namespace dsc::graph;

static FailureOr<Tensor> evaluateAttention(AttentionOp op,
                                           ArrayRef<Tensor> operands) {
  const Tensor &query = operands[0], &key = operands[1], &value = operands[2];
  const Tensor *mask = operands.size() > 3 ? &operands[3] : nullptr;
  FailureOr<AttentionGeometry> geometry = getAttentionGeometry(op);
  if (failed(geometry))
    return failure();
  const AttentionGeometry &g = *geometry;
  int64_t batch = g.batch, heads = g.heads, rows = g.rows, depth = g.depth;
  int64_t keys = g.keys, valueDepth = g.valueDepth;
  const Tensor *tensors[3] = {&query, &key, &value};
  for (int i = 0; i < 3; ++i)
    if (tensors[i]->data.size() !=
        static_cast<size_t>(g.batch * g.tensorHeads[i] * g.positions(i) *
                            g.width(i))) {
      op.emitOpError("cannot be evaluated: operand ")
          << i << " does not have the size of its type";
      return failure();
    }
  SmallVector<int64_t> scoresShape = {batch, heads, rows, keys};
  SmallVector<int64_t> maskStrides;
  if (mask) {
    if (mask->shape.size() > 4) {
      op.emitOpError("cannot be evaluated: mask of rank above 4");
      return failure();
    }
    for (size_t d = 0; d < mask->shape.size(); ++d) {
      int64_t size = mask->shape[d];
      if (size != 1 && size != scoresShape[d + 4 - mask->shape.size()]) {
        op.emitOpError("cannot be evaluated: mask does not broadcast to the "
                       "scores");
        return failure();
      }
    }
    maskStrides = broadcastStrides(mask->shape, scoresShape);
  }
  SmallVector<int64_t> resultShape =
      g.seqMajor ? SmallVector<int64_t>{batch, rows, heads, valueDepth}
                 : SmallVector<int64_t>{batch, heads, rows, valueDepth};
  FailureOr<DType> dtype =
      dtypeOf(getElementTypeOrSelf(op.getResult().getType()));
  if (failed(dtype) || !fitsInMemory(resultShape)) {
    op.emitOpError("cannot be evaluated: unsupported result type or size");
    return failure();
  }
  bool boolMask = mask && mask->dtype == DType::Bool;
  double scale = op.getScale().convertToDouble();
  Tensor result;
  result.dtype = *dtype;
  result.shape.assign(resultShape.begin(), resultShape.end());
  result.data.assign(product(resultShape), 0.0);
  std::vector<double> scores(keys);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h) {
      const double *q = query.data.data() + g.planeOffset(0, b, h);
      const double *k = key.data.data() + g.planeOffset(1, b, h);
      const double *v = value.data.data() + g.planeOffset(2, b, h);
      int64_t qStride = g.rowStride(0), kStride = g.rowStride(1),
              vStride = g.rowStride(2), outStride = g.rowStride(3);
      for (int64_t i = 0; i < rows; ++i) {
        double maximum = -INFINITY;
        for (int64_t j = 0; j < keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < depth; ++d)
            dot += q[i * qStride + d] * k[j * kStride + d];
          double score = dot * scale;
          if (mask) {
            double m = mask->data[b * maskStrides[0] + h * maskStrides[1] +
                                  i * maskStrides[2] + j * maskStrides[3]];
            score = boolMask ? (m != 0 ? score : -INFINITY) : score + m;
          }
          if (op.getCausal() && j > i)
            score = -INFINITY;
          scores[j] = score;
          maximum = std::max(maximum, score);
        }
        double *out =
            result.data.data() + g.planeOffset(3, b, h) + i * outStride;
        if (maximum == -INFINITY && op.getZeroEmptyRows())
          continue; // no key takes part: zeros
        double sum = 0;
        for (int64_t j = 0; j < keys; ++j) {
          scores[j] = std::exp(scores[j] - maximum);
          sum += scores[j];
        }
        for (int64_t j = 0; j < keys; ++j)
          for (int64_t d = 0; d < valueDepth; ++d)
            out[d] += scores[j] * v[j * vStride + d];
        for (int64_t d = 0; d < valueDepth; ++d)
          out[d] = roundTo(*dtype, out[d] / sum);
      }
    }
  return result;
}

FamilyResults reference::evaluateAttentionOp(Operation *op,
                                             ArrayRef<Tensor> operands) {
  auto attention = dyn_cast<AttentionOp>(op);
  if (!attention)
    return std::nullopt;
  FailureOr<Tensor> result = evaluateAttention(attention, operands);
  if (failed(result))
    return FailureOr<SmallVector<Tensor>>(failure());
  return FailureOr<SmallVector<Tensor>>(
      SmallVector<Tensor>{std::move(*result)});
}
