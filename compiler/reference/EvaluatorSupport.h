//===- EvaluatorSupport.h - shared by the reference evaluators --*- C++ -*-===//
//
// Internal to compiler/reference: index arithmetic used by every evaluator,
// and the entry points of the op families evaluated in their own files.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_REFERENCE_EVALUATORSUPPORT_H
#define DSC_COMPILER_REFERENCE_EVALUATORSUPPORT_H

#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <tuple>

namespace dsc::reference {

/// The most elements one result may have: beyond it the interpreter refuses
/// rather than exhausting memory (it holds 8 bytes per element).
inline constexpr int64_t kMaxResultElements = int64_t(1) << 31;

/// Whether a tensor of `shape` is small enough to compute, without
/// overflowing on absurd shapes.
inline bool fitsInMemory(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(count, d, &count) ||
        count > kMaxResultElements)
      return false;
  return true;
}

inline int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

/// Strides of `inShape` when read as `outShape` under numpy broadcasting:
/// broadcast dimensions get stride 0.
inline llvm::SmallVector<int64_t>
broadcastStrides(llvm::ArrayRef<int64_t> inShape,
                 llvm::ArrayRef<int64_t> outShape) {
  llvm::SmallVector<int64_t> strides(outShape.size(), 0);
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(inShape.size()) - 1,
               o = static_cast<int64_t>(outShape.size()) - 1;
       i >= 0; --i, --o) {
    strides[o] = inShape[i] == 1 ? 0 : stride;
    stride *= inShape[i];
  }
  return strides;
}

/// Calls `body(outIndex, offsets)` for every element of `outShape`, where
/// offsets[k] is the element of input k read under `strides[k]`. Offsets are
/// updated incrementally, like an odometer.
template <typename Body>
void forEachIndex(llvm::ArrayRef<int64_t> outShape,
                  llvm::ArrayRef<llvm::SmallVector<int64_t>> strides,
                  Body body) {
  int64_t count = product(outShape);
  size_t rank = outShape.size();
  llvm::SmallVector<int64_t> counter(rank, 0);
  llvm::SmallVector<int64_t> offsets(strides.size(), 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    body(linear, llvm::ArrayRef<int64_t>(offsets));
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      ++counter[d];
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] += strides[k][d];
      if (counter[d] < outShape[d])
        break;
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] -= strides[k][d] * counter[d];
      counter[d] = 0;
    }
  }
}

/// Splits `shape` around `axis` into (outer, size of axis, inner).
inline std::tuple<int64_t, int64_t, int64_t>
splitAround(llvm::ArrayRef<int64_t> shape, int64_t axis) {
  return {product(shape.take_front(axis)), shape[axis],
          product(shape.drop_front(axis + 1))};
}

/// The result of a family evaluator: std::nullopt when the op is not one of
/// the family's, otherwise the results (or failure, with an error emitted on
/// the op).
using FamilyResults = std::optional<mlir::FailureOr<llvm::SmallVector<Tensor>>>;

/// `target` combined with a scattered `update` (ScatterElements, ScatterND).
double combineScattered(graph::ScatterReduction reduction, DType dtype,
                        double target, double update);

/// graph.resize, graph.topk, graph.gather_nd, graph.scatter_nd
/// (TensorEvaluator.cpp).
FamilyResults evaluateTensorOp(mlir::Operation *op,
                               llvm::ArrayRef<Tensor> operands);
/// graph.conv, graph.conv_transpose, graph.pool, graph.max_pool_indices
/// (NnEvaluator.cpp); `channelsLast` false evaluates a channels-last op's
/// operands as if they were channels-first.
FamilyResults evaluateNnOp(mlir::Operation *op, llvm::ArrayRef<Tensor> operands,
                           bool channelsLast = true);
/// graph.moe_route, graph.grouped_matmul (MoeEvaluator.cpp).
FamilyResults evaluateMoeOp(mlir::Operation *op,
                            llvm::ArrayRef<Tensor> operands);
/// graph.attention (AttentionEvaluator.cpp).
FamilyResults evaluateAttentionOp(mlir::Operation *op,
                                  llvm::ArrayRef<Tensor> operands);

} // namespace dsc::reference

#endif // DSC_COMPILER_REFERENCE_EVALUATORSUPPORT_H
