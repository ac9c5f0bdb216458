//===- ShapeInference.cpp - result shapes of graph ops --------------------===//
//
// One `inferShapes` per op. Each leaves the result alone while an operand is
// unranked, and reports operands that contradict each other.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace dsc::graph;

LogicalResult dsc::graph::refineResult(Operation *op, ArrayRef<int64_t> shape,
                                       unsigned index) {
  Value result = op->getResult(index);
  auto type = cast<TensorType>(result.getType());
  if (auto ranked = dyn_cast<RankedTensorType>(type)) {
    bool agrees = ranked.getRank() == static_cast<int64_t>(shape.size());
    for (size_t i = 0; agrees && i < shape.size(); ++i)
      agrees = ShapedType::isDynamic(ranked.getDimSize(i)) ||
               ShapedType::isDynamic(shape[i]) ||
               ranked.getDimSize(i) == shape[i];
    if (!agrees)
      return op->emitOpError("inferred result shape ")
             << formatShape(shape) << " contradicts the declared shape "
             << formatShape(ranked.getShape());
  }
  result.setType(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

static RankedTensorType rankedOrNull(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

/// Elementwise ops: every operand broadcasts to the result.
static LogicalResult inferElementwise(Operation *op) {
  SmallVector<int64_t> shape;
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    auto type = rankedOrNull(operand);
    if (!type)
      return success();
    if (i == 0) {
      shape.assign(type.getShape().begin(), type.getShape().end());
      continue;
    }
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, type.getShape(), next))
      return op->emitOpError("operand shapes ")
             << formatShape(shape) << " and " << formatShape(type.getShape())
             << " do not broadcast";
    shape = std::move(next);
  }
  return refineResult(op, shape);
}

#define ELEMENTWISE_SHAPES(OP)                                                 \
  LogicalResult OP::inferShapes() { return inferElementwise(*this); }
ELEMENTWISE_SHAPES(AddOp)
ELEMENTWISE_SHAPES(SubOp)
ELEMENTWISE_SHAPES(MulOp)
ELEMENTWISE_SHAPES(DivOp)
ELEMENTWISE_SHAPES(PowOp)
ELEMENTWISE_SHAPES(MaxOp)
ELEMENTWISE_SHAPES(MinOp)
ELEMENTWISE_SHAPES(ReluOp)
ELEMENTWISE_SHAPES(TanhOp)
ELEMENTWISE_SHAPES(SigmoidOp)
ELEMENTWISE_SHAPES(ErfOp)
ELEMENTWISE_SHAPES(SqrtOp)
ELEMENTWISE_SHAPES(ExpOp)
ELEMENTWISE_SHAPES(LogOp)
ELEMENTWISE_SHAPES(NegOp)
ELEMENTWISE_SHAPES(AbsOp)
ELEMENTWISE_SHAPES(ReciprocalOp)
ELEMENTWISE_SHAPES(GeluOp)
ELEMENTWISE_SHAPES(CastOp)
ELEMENTWISE_SHAPES(SoftmaxOp)
ELEMENTWISE_SHAPES(LogSoftmaxOp)
ELEMENTWISE_SHAPES(HardmaxOp)
ELEMENTWISE_SHAPES(CumSumOp)
ELEMENTWISE_SHAPES(TriluOp)
ELEMENTWISE_SHAPES(MathOp)
ELEMENTWISE_SHAPES(ModOp)
ELEMENTWISE_SHAPES(CompareOp)
ELEMENTWISE_SHAPES(BitwiseOp)
ELEMENTWISE_SHAPES(NotOp)
ELEMENTWISE_SHAPES(SelectOp)
#undef ELEMENTWISE_SHAPES

LogicalResult MatMulOp::inferShapes() {
  auto lhs = rankedOrNull(getLhs());
  auto rhs = rankedOrNull(getRhs());
  if (!lhs || !rhs)
    return success();
  // numpy: a 1-D lhs gains a leading 1, a 1-D rhs a trailing 1; both are
  // removed from the result again.
  SmallVector<int64_t> a(lhs.getShape()), b(rhs.getShape());
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t m = a[a.size() - 2], k = a.back();
  int64_t k2 = b[b.size() - 2], n = b.back();
  if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(k2) && k != k2)
    return emitOpError("contracting dimensions differ: lhs ")
           << formatShape(lhs.getShape()) << " and rhs "
           << formatShape(rhs.getShape());
  SmallVector<int64_t> batch;
  ArrayRef<int64_t> aBatch(a.data(), a.size() - 2),
      bBatch(b.data(), b.size() - 2);
  if (!OpTrait::util::getBroadcastedShape(aBatch, bBatch, batch))
    return emitOpError("batch dimensions ")
           << formatShape(aBatch) << " and " << formatShape(bBatch)
           << " do not broadcast";
  SmallVector<int64_t> shape = batch;
  if (!lhsVector)
    shape.push_back(m);
  if (!rhsVector)
    shape.push_back(n);
  return refineResult(*this, shape);
}

LogicalResult LayerNormOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  int64_t axis = *normalizeAxis(getAxis(), input.getRank());
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (Value param : {getScale(), getBias()}) {
    if (!param)
      continue;
    auto type = rankedOrNull(param);
    if (!type)
      continue;
    SmallVector<int64_t> unused;
    if (type.getRank() > static_cast<int64_t>(normalized.size()) ||
        !OpTrait::util::getBroadcastedShape(normalized, type.getShape(),
                                            unused) ||
        unused != SmallVector<int64_t>(normalized))
      return emitOpError("scale/bias shape ")
             << formatShape(type.getShape())
             << " does not broadcast to the normalized shape "
             << formatShape(normalized);
  }
  return refineResult(*this, input.getShape());
}

/// The shape a reduction over `axes` (all when empty) leaves.
static SmallVector<int64_t>
reducedShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes, bool keepdims) {
  int64_t rank = shape.size();
  llvm::SmallSet<int64_t, 4> reduced;
  for (int64_t axis : axes)
    reduced.insert(*normalizeAxis(axis, rank));
  SmallVector<int64_t> result;
  for (int64_t i = 0; i < rank; ++i) {
    bool isReduced = axes.empty() || reduced.contains(i);
    if (!isReduced)
      result.push_back(shape[i]);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

LogicalResult ReduceMeanOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  return refineResult(*this,
                      reducedShape(input.getShape(), getAxes(), getKeepdims()));
}

LogicalResult ReduceOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  return refineResult(*this,
                      reducedShape(input.getShape(), getAxes(), getKeepdims()));
}

LogicalResult ArgReduceOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  return refineResult(
      *this, reducedShape(input.getShape(),
                          {static_cast<int64_t>(getAxis())}, getKeepdims()));
}

LogicalResult ReshapeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input || !input.hasStaticShape())
    return success();
  std::string error;
  auto shape =
      resolveReshape(input.getShape(), getShape(), getAllowZero(), error);
  if (failed(shape))
    return emitOpError("cannot reshape ")
           << formatShape(input.getShape()) << " to ["
           << llvm::make_range(getShape().begin(), getShape().end())
           << "]: " << error;
  return refineResult(*this, *shape);
}

LogicalResult SqueezeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  int64_t rank = input.getRank();
  llvm::SmallSet<int64_t, 4> axes;
  for (int64_t axis : getAxes()) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return emitOpError("axis ")
             << axis << " is out of range for rank " << rank;
    if (input.getDimSize(*normalized) != 1)
      return emitOpError("cannot squeeze axis ")
             << axis << " of size " << input.getDimSize(*normalized);
    axes.insert(*normalized);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    bool drop = getAxes().empty() ? input.getDimSize(i) == 1 : axes.contains(i);
    if (!drop)
      shape.push_back(input.getDimSize(i));
  }
  return refineResult(*this, shape);
}

LogicalResult UnsqueezeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  int64_t rank = input.getRank() + getAxes().size();
  llvm::SmallSet<int64_t, 4> axes;
  for (int64_t axis : getAxes()) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return emitOpError("axis ")
             << axis << " is out of range for result rank " << rank;
    if (!axes.insert(*normalized).second)
      return emitOpError("axis ") << axis << " appears twice";
  }
  SmallVector<int64_t> shape;
  auto next = input.getShape().begin();
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(axes.contains(i) ? 1 : *next++);
  return refineResult(*this, shape);
}

LogicalResult TransposeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> shape;
  for (int64_t p : getPerm())
    shape.push_back(input.getDimSize(p));
  return refineResult(*this, shape);
}

LogicalResult ConcatOp::inferShapes() {
  SmallVector<int64_t> shape;
  for (auto [i, value] : llvm::enumerate(getInputs())) {
    auto type = rankedOrNull(value);
    if (!type)
      return success();
    if (i == 0) {
      shape.assign(type.getShape().begin(), type.getShape().end());
      continue;
    }
    int64_t axis = *normalizeAxis(getAxis(), type.getRank());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int64_t a = shape[d], b = type.getDimSize(d);
      if (d == axis) {
        shape[d] = ShapedType::isDynamic(a) || ShapedType::isDynamic(b)
                       ? ShapedType::kDynamic
                       : a + b;
      } else if (ShapedType::isDynamic(a)) {
        shape[d] = b;
      } else if (!ShapedType::isDynamic(b) && a != b) {
        return emitOpError("input shapes ")
               << formatShape(shape) << " and " << formatShape(type.getShape())
               << " differ outside axis " << getAxis();
      }
    }
  }
  return refineResult(*this, shape);
}

LogicalResult SliceOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> shape;
  for (const SliceDim &dim : resolveSlice(input.getShape(), getStarts(),
                                          getEnds(), getAxes(), getSteps()))
    shape.push_back(dim.count);
  return refineResult(*this, shape);
}

LogicalResult GatherOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  auto indices = rankedOrNull(getIndices());
  if (!input || !indices)
    return success();
  int64_t axis = *normalizeAxis(getAxis(), input.getRank());
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  return refineResult(*this, shape);
}

LogicalResult GatherElementsOp::inferShapes() {
  auto indices = rankedOrNull(getIndices());
  if (!indices)
    return success();
  return refineResult(*this, indices.getShape());
}

LogicalResult ScatterElementsOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  return refineResult(*this, input.getShape());
}

LogicalResult ExpandOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(input.getShape(), getShape(), shape))
    return emitOpError("input shape ")
           << formatShape(input.getShape()) << " does not broadcast to "
           << formatShape(getShape());
  return refineResult(*this, shape);
}

LogicalResult TileOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(input.getShape(), getRepeats()))
    shape.push_back(ShapedType::isDynamic(d) ? d : d * r);
  return refineResult(*this, shape);
}

LogicalResult PadOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  int64_t rank = input.getRank();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = input.getDimSize(i);
    if (ShapedType::isDynamic(d)) {
      shape.push_back(d);
      continue;
    }
    int64_t size = d + getPads()[i] + getPads()[rank + i];
    if (size < 0)
      return emitOpError("pads crop dimension ")
             << i << " of size " << d << " below zero";
    if (getMode() != PadMode::Constant && d == 0 && size > 0)
      return emitOpError("cannot pad the empty dimension ")
             << i << " in " << stringifyPadMode(getMode()) << " mode";
    shape.push_back(size);
  }
  return refineResult(*this, shape);
}

LogicalResult ShapeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  if (!input)
    return success();
  auto [start, end] = shapeRange(input.getRank(), getStart(), getEnd());
  return refineResult(*this, {end - start});
}

LogicalResult SizeOp::inferShapes() { return refineResult(*this, {}); }
