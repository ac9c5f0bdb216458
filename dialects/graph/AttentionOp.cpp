//===- AttentionOp.cpp - graph.attention ----------------------------------===//
//
// The verifier and shape inference of graph.attention: query B x H x S x D,
// key B x H x Sk x D, value B x H x Sk x Dv, a mask broadcasting to
// B x H x S x Sk, result B x H x S x Dv.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"

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
  auto query = rankedOrNull(getQuery());
  auto key = rankedOrNull(getKey());
  auto value = rankedOrNull(getValue());
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"query", query},
        {"key", key},
        {"value", value}})
    if (type && type.getRank() != 4)
      return emitOpError(name)
             << " must have rank 4 (B x H x S x D), not " << type.getRank();
  for (int64_t d = 0; d < 2; ++d)
    if (!agree(dimOr(query, d), dimOr(key, d)) ||
        !agree(dimOr(query, d), dimOr(value, d)) ||
        !agree(dimOr(key, d), dimOr(value, d)))
      return emitOpError("query, key and value differ in dimension ")
             << d << " (batch and heads must match)";
  if (!agree(dimOr(query, 3), dimOr(key, 3)))
    return emitOpError("query depth ")
           << dimOr(query, 3) << " differs from key depth " << dimOr(key, 3);
  if (!agree(dimOr(key, 2), dimOr(value, 2)))
    return emitOpError("key has ")
           << dimOr(key, 2) << " positions, value " << dimOr(value, 2);
  auto mask = rankedOrNull(getMask());
  if (mask) {
    if (mask.getRank() > 4)
      return emitOpError("mask must have rank 4 at most, not ")
             << mask.getRank();
    int64_t scores[4] = {either(dimOr(query, 0), dimOr(key, 0)),
                         either(dimOr(query, 1), dimOr(key, 1)),
                         dimOr(query, 2), dimOr(key, 2)};
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
  return refineResult(*this, {either(query.getDimSize(0), value.getDimSize(0)),
                              either(query.getDimSize(1), value.getDimSize(1)),
                              query.getDimSize(2), value.getDimSize(3)});
}
