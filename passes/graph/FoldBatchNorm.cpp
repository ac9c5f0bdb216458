//===- FoldBatchNorm.cpp - graph-fold-batch-norm --------------------------===//
//
// The importer spells inference BatchNormalization as sub/mul/mul/add with
// per-channel constants. When those follow a graph.conv whose result has no
// other user, the chain is one affine map per output channel,
// y = a[m] * conv + b[m], which folds into the conv: filter[m] * a[m] and
// bias[m] * a[m] + b[m]. The new filter and bias are written as graph ops on
// the constants (in f32 for 16-bit types) for graph-fold-constants to
// evaluate, so the arithmetic is the reference interpreter's.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

namespace dsc::graph {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

/// The per-channel factors of the chain folded so far, as 1-D values of one
/// or M elements in the computation type; null means 1 (scale) or 0 (shift).
struct Affine {
  Value scale, shift;
};

struct FoldBatchNormPass
    : dsc::graph::impl::FoldBatchNormBase<FoldBatchNormPass> {
  using FoldBatchNormBase::FoldBatchNormBase;

  void runOnOperation() override {
    SmallVector<ConvOp> convs;
    getOperation().walk([&](ConvOp conv) { convs.push_back(conv); });
    for (ConvOp conv : convs)
      fold(conv);
  }

private:
  /// Whether constant `value` broadcasts against the conv result along the
  /// channel axis only (one or `channels` elements).
  static bool isPerChannel(Value value, int64_t channels, int64_t resultRank) {
    if (!value.getDefiningOp<ConstantOp>())
      return false;
    auto type = cast<RankedTensorType>(value.getType());
    int64_t elements = type.getNumElements();
    if (type.getRank() > resultRank || (elements != 1 && elements != channels))
      return false;
    // Dimension i of the operand lines up with result dimension
    // i + resultRank - rank; only the channel axis (1) may be above 1.
    for (auto [i, size] : llvm::enumerate(type.getShape()))
      if (size != 1 &&
          static_cast<int64_t>(i) + resultRank - type.getRank() != 1)
        return false;
    return true;
  }

  /// Reshapes `value` to `shape` and casts it to `compute`.
  static Value toCompute(OpBuilder &builder, Value value,
                         ArrayRef<int64_t> shape, Type compute) {
    Location loc = value.getLoc();
    Type element = cast<ShapedType>(value.getType()).getElementType();
    if (cast<ShapedType>(value.getType()).getShape() != shape)
      value = builder.create<ReshapeOp>(
          loc, RankedTensorType::get(shape, element), value, shape);
    if (element != compute)
      value = builder.create<CastOp>(loc, RankedTensorType::get(shape, compute),
                                     value);
    return value;
  }

  /// A binary op on 1-D values that broadcast (one or M elements).
  template <typename OpTy>
  static Value combine(OpBuilder &builder, Location loc, Value lhs, Value rhs) {
    int64_t size = std::max(cast<ShapedType>(lhs.getType()).getDimSize(0),
                            cast<ShapedType>(rhs.getType()).getDimSize(0));
    Type element = cast<ShapedType>(lhs.getType()).getElementType();
    return builder.create<OpTy>(loc, RankedTensorType::get({size}, element),
                                lhs, rhs);
  }

  /// The per-channel constant operand of `op` if it is an affine step
  /// (x + c, c + x, x - c, x * c, c * x, x / c) on `current`, else null.
  static Value affineOperand(Operation *op, Value current, int64_t channels,
                             int64_t rank) {
    if (!isa<AddOp, SubOp, MulOp, DivOp>(op) ||
        op->getResult(0).getType() != current.getType())
      return nullptr;
    bool currentFirst = op->getOperand(0) == current;
    Value other = op->getOperand(currentFirst ? 1 : 0);
    // c - x and c / x are not folded.
    if (other == current || (!currentFirst && isa<SubOp, DivOp>(op)))
      return nullptr;
    return isPerChannel(other, channels, rank) ? other : nullptr;
  }

  /// Extends `affine` with step `op` (operand `c`, 1-D in the compute type).
  static void extend(OpBuilder &builder, Operation *op, Value c, Type compute,
                     Affine &affine) {
    Location loc = op->getLoc();
    if (isa<AddOp>(op)) {
      affine.shift =
          affine.shift ? combine<AddOp>(builder, loc, affine.shift, c) : c;
    } else if (isa<SubOp>(op)) {
      affine.shift = combine<SubOp>(
          builder, loc,
          affine.shift ? affine.shift : zeros(builder, loc, 1, compute), c);
    } else if (isa<MulOp>(op)) {
      affine.scale =
          affine.scale ? combine<MulOp>(builder, loc, affine.scale, c) : c;
      if (affine.shift)
        affine.shift = combine<MulOp>(builder, loc, affine.shift, c);
    } else {
      affine.scale = combine<DivOp>(
          builder, loc,
          affine.scale ? affine.scale : ones(builder, loc, compute), c);
      if (affine.shift)
        affine.shift = combine<DivOp>(builder, loc, affine.shift, c);
    }
  }

  static Value zeros(OpBuilder &builder, Location loc, int64_t size,
                     Type type) {
    auto tensor = RankedTensorType::get({size}, type);
    return builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(tensor, builder.getFloatAttr(type, 0.0)));
  }
  static Value ones(OpBuilder &builder, Location loc, Type type) {
    auto tensor = RankedTensorType::get({1}, type);
    return builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(tensor, builder.getFloatAttr(type, 1.0)));
  }

  void fold(ConvOp conv) {
    auto resultType = cast<RankedTensorType>(conv.getType());
    Type element = resultType.getElementType();
    if (!isa<FloatType>(element) || !resultType.hasStaticShape() ||
        !conv.getFilter().getDefiningOp<ConstantOp>() ||
        (conv.getBias() && !conv.getBias().getDefiningOp<ConstantOp>()))
      return;
    // 16-bit factors are multiplied in f32 and rounded once.
    Type compute = element.getIntOrFloatBitWidth() < 32
                       ? Float32Type::get(&getContext())
                       : element;
    int64_t channels = resultType.getDimSize(1);
    int64_t rank = resultType.getRank();

    SmallVector<std::pair<Operation *, Value>> chain;
    Value current = conv.getResult();
    while (current.hasOneUse()) {
      Operation *user = *current.getUsers().begin();
      Value c = affineOperand(user, current, channels, rank);
      if (!c)
        break;
      chain.push_back({user, c});
      current = user->getResult(0);
    }
    if (chain.empty())
      return;

    // Built right before the chain's last op: the conv's operands and every
    // constant of the chain are defined before it.
    OpBuilder builder(chain.back().first);
    Affine affine;
    for (auto [op, c] : chain) {
      int64_t elements = cast<ShapedType>(c.getType()).getNumElements();
      extend(builder, op, toCompute(builder, c, {elements}, compute), compute,
             affine);
    }

    Location loc = conv.getLoc();
    Value filter = conv.getFilter();
    auto filterType = cast<RankedTensorType>(filter.getType());
    if (affine.scale) {
      SmallVector<int64_t> shape(filterType.getRank(), 1);
      shape[0] = cast<ShapedType>(affine.scale.getType()).getDimSize(0);
      Value wide = toCompute(builder, filter, filterType.getShape(), compute);
      Value scale = toCompute(builder, affine.scale, shape, compute);
      Value scaled = builder.create<MulOp>(
          loc, RankedTensorType::get(filterType.getShape(), compute), wide,
          scale);
      filter = toCompute(builder, scaled, filterType.getShape(), element);
    }
    Value bias = conv.getBias();
    if (bias || affine.shift) {
      Value b = bias ? toCompute(builder, bias, {channels}, compute)
                     : zeros(builder, loc, channels, compute);
      if (affine.scale)
        b = combine<MulOp>(builder, loc, b, affine.scale);
      if (affine.shift)
        b = combine<AddOp>(builder, loc, b, affine.shift);
      bias = toCompute(builder, b, {channels}, element);
    }

    // The folded conv answers for the nodes it absorbed.
    SmallVector<Location> locations = {loc};
    for (auto [op, c] : chain)
      locations.push_back(op->getLoc());
    SmallVector<Value> operands = {conv.getInput(), filter};
    if (bias)
      operands.push_back(bias);
    auto folded = builder.create<ConvOp>(
        FusedLoc::get(&getContext(), locations), TypeRange{resultType},
        operands, conv->getAttrs());
    current.replaceAllUsesWith(folded.getResult());
    for (auto [op, c] : llvm::reverse(chain))
      op->erase();
    conv.erase();
  }
};
} // namespace
