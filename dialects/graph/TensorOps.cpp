//===- TensorOps.cpp - resize, top-k, n-d gather/scatter ------------------===//
//
// Verifiers and shape inference of the ops in GraphTensorOps.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"

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
