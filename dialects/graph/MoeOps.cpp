//===- MoeOps.cpp - routed mixture of experts
//------------------------------===//
//
// Verifiers and shape inference of the ops in GraphMoeOps.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"

using namespace mlir;
using namespace dsc::graph;

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Whether `value` is a ranked tensor of `rank` with static dimensions.
static RankedTensorType staticOfRank(Value value, int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() == rank && type.hasStaticShape() ? type
                                                                 : nullptr;
}

//===----------------------------------------------------------------------===//
// MoeRouteOp
//===----------------------------------------------------------------------===//

/// The result shapes for `choices` [T, k]: rows, rows, [T, k], groups.
static SmallVector<SmallVector<int64_t>>
routeShapes(RankedTensorType choices, int64_t experts, int64_t groupRows) {
  int64_t tokens = choices.getDimSize(0), k = choices.getDimSize(1);
  int64_t rows = MoeRouteOp::routedRows(tokens * k, experts, groupRows);
  return {{rows}, {rows}, {tokens, k}, {rows / groupRows}};
}

LogicalResult MoeRouteOp::verify() {
  int64_t experts = getExpertsAttr().getInt();
  int64_t groupRows = getGroupRowsAttr().getInt();
  if (experts < 1)
    return emitOpError("experts must be at least 1, not ") << experts;
  if (groupRows < 1)
    return emitOpError("group_rows must be at least 1, not ") << groupRows;
  Type choiceType = elementTypeOf(getChoices());
  if (!choiceType.isInteger(32) && !choiceType.isInteger(64))
    return emitOpError("choices must be i32 or i64, not ") << choiceType;
  for (Value result : getResults())
    if (!elementTypeOf(result).isInteger(32))
      return emitOpError("results must be i32, not ") << elementTypeOf(result);
  auto choices = dyn_cast<RankedTensorType>(getChoices().getType());
  if (!choices)
    return success();
  if (choices.getRank() != 2)
    return emitOpError("choices must be [tokens, k], not rank ")
           << choices.getRank();
  if (!choices.hasStaticShape())
    return success();
  for (auto [index, shape] :
       llvm::enumerate(routeShapes(choices, experts, groupRows))) {
    auto type = dyn_cast<RankedTensorType>(getResult(index).getType());
    if (type && type.getShape() != ArrayRef<int64_t>(shape))
      return emitOpError("result #")
             << index << " must have shape " << formatShape(shape) << ", not "
             << formatShape(type.getShape());
  }
  return success();
}

LogicalResult MoeRouteOp::inferShapes() {
  auto choices = staticOfRank(getChoices(), 2);
  if (!choices || getExpertsAttr().getInt() < 1 ||
      getGroupRowsAttr().getInt() < 1)
    return success();
  for (auto [index, shape] :
       llvm::enumerate(routeShapes(choices, getExperts(), getGroupRows())))
    if (failed(refineResult(*this, shape, index)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// GroupedMatMulOp
//===----------------------------------------------------------------------===//

LogicalResult GroupedMatMulOp::verify() {
  int64_t groupRows = getGroupRowsAttr().getInt();
  if (groupRows < 1)
    return emitOpError("group_rows must be at least 1, not ") << groupRows;
  if (!elementTypeOf(getGroups()).isInteger(32))
    return emitOpError("groups must be i32, not ")
           << elementTypeOf(getGroups());
  if (elementTypeOf(getLhs()) != elementTypeOf(getRhs()))
    return emitOpError("lhs and rhs element types differ: ")
           << elementTypeOf(getLhs()) << " and " << elementTypeOf(getRhs());
  auto lhs = staticOfRank(getLhs(), 2);
  auto rhs = staticOfRank(getRhs(), 3);
  auto groups = staticOfRank(getGroups(), 1);
  if (!lhs || !rhs || !groups)
    return emitOpError("needs a static [rows, K] lhs, [experts, K, N] rhs "
                       "and [rows / group_rows] groups, not ")
           << getLhs().getType() << ", " << getRhs().getType() << " and "
           << getGroups().getType();
  int64_t rows = lhs.getDimSize(0);
  if (rows != groups.getDimSize(0) * groupRows)
    return emitOpError("lhs has ")
           << rows << " rows, not " << groups.getDimSize(0) << " groups of "
           << groupRows;
  if (lhs.getDimSize(1) != rhs.getDimSize(1))
    return emitOpError("contracts lhs columns (")
           << lhs.getDimSize(1) << ") with rhs rows (" << rhs.getDimSize(1)
           << ")";
  auto result = dyn_cast<RankedTensorType>(getResult().getType());
  SmallVector<int64_t> shape = {rows, rhs.getDimSize(2)};
  if (result && result.getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("result must have shape ")
           << formatShape(shape) << ", not " << formatShape(result.getShape());
  return success();
}

LogicalResult GroupedMatMulOp::inferShapes() {
  auto lhs = staticOfRank(getLhs(), 2);
  auto rhs = staticOfRank(getRhs(), 3);
  if (!lhs || !rhs)
    return success();
  return refineResult(*this, {lhs.getDimSize(0), rhs.getDimSize(2)});
}
