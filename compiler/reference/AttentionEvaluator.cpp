//===- AttentionEvaluator.cpp - graph.attention on the host ---------------===//
//
// The scores of one query row in double, softmax over them, then the
// weighted sum of the value rows; the result is rounded to its element type
// once (a fused kernel does not round the scores either).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/EvaluatorSupport.h"

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
  if (query.shape.size() != 4 || key.shape.size() != 4 ||
      value.shape.size() != 4) {
    op.emitOpError("cannot be evaluated: query, key and value must have "
                   "rank 4");
    return failure();
  }
  int64_t batch = query.shape[0], heads = query.shape[1];
  int64_t rows = query.shape[2], depth = query.shape[3];
  int64_t keys = key.shape[2], valueDepth = value.shape[3];
  if (key.shape[0] != batch || value.shape[0] != batch ||
      key.shape[1] != heads || value.shape[1] != heads ||
      key.shape[3] != depth || value.shape[2] != keys) {
    op.emitOpError("cannot be evaluated: inconsistent shapes");
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
  SmallVector<int64_t> resultShape = {batch, heads, rows, valueDepth};
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
      int64_t plane = b * heads + h;
      const double *q = query.data.data() + plane * rows * depth;
      const double *k = key.data.data() + plane * keys * depth;
      const double *v = value.data.data() + plane * keys * valueDepth;
      for (int64_t i = 0; i < rows; ++i) {
        double maximum = -INFINITY;
        for (int64_t j = 0; j < keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < depth; ++d)
            dot += q[i * depth + d] * k[j * depth + d];
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
        double *out = result.data.data() + (plane * rows + i) * valueDepth;
        if (maximum == -INFINITY && op.getZeroEmptyRows())
          continue; // no key takes part: zeros
        double sum = 0;
        for (int64_t j = 0; j < keys; ++j) {
          scores[j] = std::exp(scores[j] - maximum);
          sum += scores[j];
        }
        for (int64_t j = 0; j < keys; ++j)
          for (int64_t d = 0; d < valueDepth; ++d)
            out[d] += scores[j] * v[j * valueDepth + d];
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
