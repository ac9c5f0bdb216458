//===- MoeEvaluator.cpp - graph.moe_route, graph.grouped_matmul -----------===//
//
// The reference semantics of the ops in GraphMoeOps.td, written from their
// descriptions (a stable sort of the slots by expert), not from the CUDA
// kernel's counting sort.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/EvaluatorSupport.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::reference;

static Tensor int32Tensor(ArrayRef<int64_t> shape, double fill) {
  Tensor tensor;
  tensor.dtype = DType::I32;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data.assign(product(shape), fill);
  return tensor;
}

static FailureOr<SmallVector<Tensor>> evaluateMoeRoute(graph::MoeRouteOp op,
                                                       const Tensor &choices) {
  if (choices.shape.size() != 2) {
    op.emitOpError("cannot be evaluated: choices must be [tokens, k]");
    return failure();
  }
  int64_t experts = op.getExpertsAttr().getInt();
  int64_t groupRows = op.getGroupRowsAttr().getInt();
  int64_t k = choices.shape[1], slots = product(choices.shape);
  int64_t rows = graph::MoeRouteOp::routedRows(slots, experts, groupRows);
  Tensor rowTokens = int32Tensor({rows}, 0), rowSlots = int32Tensor({rows}, 0);
  Tensor slotRows = int32Tensor(choices.shape, -1);
  Tensor groups = int32Tensor({rows / groupRows}, -1);
  int64_t row = 0;
  for (int64_t e = 0; e < experts; ++e) {
    int64_t first = row;
    for (int64_t s = 0; s < slots; ++s) {
      if (choices.data[s] != double(e))
        continue;
      rowTokens.data[row] = double(s / k);
      rowSlots.data[row] = double(s);
      slotRows.data[s] = double(row);
      ++row;
    }
    row = first + (row - first + groupRows - 1) / groupRows * groupRows;
    for (int64_t g = first / groupRows; g < row / groupRows; ++g)
      groups.data[g] = double(e);
  }
  return SmallVector<Tensor>{std::move(rowTokens), std::move(rowSlots),
                             std::move(slotRows), std::move(groups)};
}

static FailureOr<Tensor> evaluateGroupedMatMul(graph::GroupedMatMulOp op,
                                               const Tensor &lhs,
                                               const Tensor &rhs,
                                               const Tensor &groups) {
  int64_t groupRows = op.getGroupRowsAttr().getInt();
  if (lhs.shape.size() != 2 || rhs.shape.size() != 3 ||
      groups.shape.size() != 1 || lhs.shape[1] != rhs.shape[1] ||
      lhs.shape[0] != groups.shape[0] * groupRows) {
    op.emitOpError("cannot be evaluated: operands of shapes ")
        << graph::formatShape(lhs.shape) << ", "
        << graph::formatShape(rhs.shape) << " and "
        << graph::formatShape(groups.shape) << " do not fit";
    return failure();
  }
  FailureOr<DType> dtype =
      dtypeOf(cast<ShapedType>(op.getType()).getElementType());
  if (failed(dtype))
    return failure();
  int64_t rows = lhs.shape[0], k = lhs.shape[1], n = rhs.shape[2];
  int64_t experts = rhs.shape[0];
  Tensor result;
  result.dtype = *dtype;
  result.shape = {rows, n};
  result.data.assign(rows * n, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    double expert = groups.data[r / groupRows];
    if (expert < 0 || expert >= double(experts))
      continue;
    const double *x = lhs.data.data() + r * k;
    const double *w = rhs.data.data() + int64_t(expert) * k * n;
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < k; ++l)
        sum += x[l] * w[l * n + j];
      result.data[r * n + j] = roundTo(*dtype, sum);
    }
  }
  return result;
}

FamilyResults reference::evaluateMoeOp(Operation *op,
                                       ArrayRef<Tensor> operands) {
  return llvm::TypeSwitch<Operation *, FamilyResults>(op)
      .Case<graph::MoeRouteOp>(
          [&](auto route) { return evaluateMoeRoute(route, operands[0]); })
      .Case<graph::GroupedMatMulOp>(
          [&](auto grouped) -> FailureOr<SmallVector<Tensor>> {
            FailureOr<Tensor> result = evaluateGroupedMatMul(
                grouped, operands[0], operands[1], operands[2]);
            if (failed(result))
              return failure();
            return SmallVector<Tensor>{std::move(*result)};
          })
      .Default([](Operation *) { return FamilyResults(); });
}
