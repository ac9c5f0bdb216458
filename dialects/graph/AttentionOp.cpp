//===- AttentionOp.cpp - graph.attention ----------------------------------===//
//
// The verifier and shape inference of graph.attention: query B x H x S x D,
// key B x H x Sk x D, value B x H x Sk x Dv, a mask broadcasting to
// B x H x S x Sk, result B x H x S x Dv; with `seq_major` positions come
// before heads, and the operands may hold more heads than the op reads.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/NnOps.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace dsc::graph;

static RankedTensorType rankedOrNull(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

static int64_t dimOr(RankedTensorType type, int64_t index) {
  return type ? type.getDimSize(index) : ShapedType::kDynamic;
}

/// Dimension `index` of the B x H x S x D view of an operand or result.
static int64_t logicalDim(AttentionOp op, RankedTensorType type,
                          int64_t index) {
  if (op.getSeqMajor() && (index == 1 || index == 2))
    index = 3 - index;
  return dimOr(type, index);
}

/// Equal when both are known; a dynamic size agrees with anything.
static bool agree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The first known of two sizes that agree.
static int64_t either(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

LogicalResult AttentionOp::verify() {
  Type elementType = getElementTypeOrSelf(getQuery().getType());
  if (!isa<FloatType>(elementType))
    return emitOpError("query must have a floating-point element type, not ")
           << elementType;
  for (Value value : {getKey(), getValue(), getResult()})
    if (getElementTypeOrSelf(value.getType()) != elementType)
      return emitOpError("query, key, value and result must have one element "
                         "type");
  if (Value mask = getMask()) {
    Type maskType = getElementTypeOrSelf(mask.getType());
    if (maskType != elementType && !maskType.isInteger(1))
      return emitOpError("mask must be i1 or have the query's element type ")
             << elementType << ", not " << maskType;
  }
  if (!std::isfinite(getScale().convertToFloat()))
    return emitOpError("scale must be finite");
  if ((getHeadOffsets() || getNumHeads()) && !getSeqMajor())
    return emitOpError("head_offsets and num_heads need seq_major");
  if (getHeadOffsets().has_value() != getNumHeads().has_value())
    return emitOpError("head_offsets and num_heads go together");
  std::optional<ArrayRef<int64_t>> offsets = getHeadOffsets();
  if (offsets && (offsets->size() != 3 ||
                  llvm::any_of(*offsets, [](int64_t o) { return o < 0; })))
    return emitOpError("head_offsets must be three non-negative heads");
  if (getNumHeads() && *getNumHeads() <= 0)
    return emitOpError("num_heads must be positive");
  auto query = rankedOrNull(getQuery());
  auto key = rankedOrNull(getKey());
  auto value = rankedOrNull(getValue());
  StringRef layout = getSeqMajor() ? "B x S x H x D" : "B x H x S x D";
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"query", query},
        {"key", key},
        {"value", value}})
    if (type && type.getRank() != 4)
      return emitOpError(name)
             << " must have rank 4 (" << layout << "), not " << type.getRank();
  auto dim = [&](RankedTensorType type, int64_t index) {
    return logicalDim(*this, type, index);
  };
  if (!agree(dim(query, 0), dim(key, 0)) ||
      !agree(dim(query, 0), dim(value, 0)) ||
      !agree(dim(key, 0), dim(value, 0)))
    return emitOpError("query, key and value differ in the batch dimension");
  if (!offsets) {
    if (!agree(dim(query, 1), dim(key, 1)) ||
        !agree(dim(query, 1), dim(value, 1)) ||
        !agree(dim(key, 1), dim(value, 1)))
      return emitOpError("query, key and value differ in their heads");
  } else {
    RankedTensorType operands[3] = {query, key, value};
    for (auto [i, type] : llvm::enumerate(operands)) {
      int64_t held = dim(type, 1);
      if (!ShapedType::isDynamic(held) && (*offsets)[i] + *getNumHeads() > held)
        return emitOpError("heads ")
               << (*offsets)[i] << " to " << (*offsets)[i] + *getNumHeads() - 1
               << " of operand " << i << " do not exist (it holds " << held
               << ")";
    }
  }
  if (!agree(dim(query, 3), dim(key, 3)))
    return emitOpError("query depth ")
           << dim(query, 3) << " differs from key depth " << dim(key, 3);
  if (!agree(dim(key, 2), dim(value, 2)))
    return emitOpError("key has ")
           << dim(key, 2) << " positions, value " << dim(value, 2);
  auto mask = rankedOrNull(getMask());
  if (mask) {
    if (mask.getRank() > 4)
      return emitOpError("mask must have rank 4 at most, not ")
             << mask.getRank();
    int64_t heads =
        getNumHeads() ? *getNumHeads() : either(dim(query, 1), dim(key, 1));
    int64_t scores[4] = {either(dim(query, 0), dim(key, 0)), heads,
                         dim(query, 2), dim(key, 2)};
    int64_t offset = 4 - mask.getRank();
    for (int64_t d = 0; d < mask.getRank(); ++d) {
      int64_t size = mask.getDimSize(d);
      if (size != 1 && !agree(size, scores[d + offset]))
        return emitOpError("mask shape ")
               << formatShape(mask.getShape())
               << " does not broadcast to the scores (B x H x S x Sk)";
    }
  }
  return success();
}

LogicalResult AttentionOp::inferShapes() {
  auto query = rankedOrNull(getQuery());
  auto key = rankedOrNull(getKey());
  auto value = rankedOrNull(getValue());
  if (!query || !key || !value)
    return success();
  // The verifier has checked ranks and agreement.
  auto dim = [&](RankedTensorType type, int64_t index) {
    return logicalDim(*this, type, index);
  };
  int64_t batch = either(dim(query, 0), dim(value, 0));
  int64_t heads =
      getNumHeads() ? *getNumHeads() : either(dim(query, 1), dim(value, 1));
  int64_t rows = dim(query, 2), valueDepth = dim(value, 3);
  if (getSeqMajor())
    return refineResult(*this, {batch, rows, heads, valueDepth});
  return refineResult(*this, {batch, heads, rows, valueDepth});
}

FailureOr<AttentionGeometry> dsc::graph::getAttentionGeometry(AttentionOp op) {
  Value operands[4] = {op.getQuery(), op.getKey(), op.getValue(),
                       op.getResult()};
  RankedTensorType types[4];
  for (int i = 0; i < 4; ++i) {
    types[i] = rankedOrNull(operands[i]);
    if (!types[i] || !types[i].hasStaticShape() || types[i].getRank() != 4)
      return op.emitOpError("needs static rank-4 operands and result");
  }
  AttentionGeometry g;
  g.seqMajor = op.getSeqMajor();
  auto dim = [&](int i, int64_t index) {
    return logicalDim(op, types[i], index);
  };
  g.batch = dim(0, 0);
  g.rows = dim(0, 2);
  g.depth = dim(0, 3);
  g.keys = dim(1, 2);
  g.valueDepth = dim(2, 3);
  g.heads = dim(3, 1);
  std::optional<ArrayRef<int64_t>> offsets = op.getHeadOffsets();
  for (int i = 0; i < 4; ++i) {
    g.tensorHeads[i] = dim(i, 1);
    g.headOffset[i] = offsets && i < 3 ? (*offsets)[i] : 0;
    if (dim(i, 0) != g.batch || g.headOffset[i] + g.heads > g.tensorHeads[i] ||
        dim(i, 2) != g.positions(i) || dim(i, 3) != g.width(i))
      return op.emitOpError("operand ")
             << i << " does not fit the attention's planes";
  }
  return g;
}
