//===- ConvertLayout.cpp - graph-convert-layout ---------------------------===//
//
// Moves a convolutional network to channels-last once instead of per op:
//  1. every 2-D graph.conv and graph.pool becomes its `channels_last` form
//     between two transposes (N x C x H x W -> N x H x W x C and back), the
//     filter transposed to M x R x S x C (graph-fold-constants folds it);
//  2. the transposes back to channels-first sink through elementwise ops
//     (operands that are the same transposes, or constants, which are
//     transposed too) and spatial means, and adjacent transposes compose,
//     so inverse pairs between two convs cancel;
//  3. what remains sits at the boundary (graph inputs and outputs, the
//     flatten before a classifier), where a transpose that moves only
//     dimensions of size 1 is a reshape (a view).
// Tensor cores want the reduction dimension (channels) contiguous, so the
// pass only runs when some conv has a multiple of 8 input channels.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsc::graph {
#define GEN_PASS_DEF_CONVERTLAYOUT
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

SmallVector<int64_t> permuteShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> perm) {
  SmallVector<int64_t> result;
  for (int64_t d : perm)
    result.push_back(shape[d]);
  return result;
}

Value transpose(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  return builder.create<TransposeOp>(
      loc,
      RankedTensorType::get(permuteShape(type.getShape(), perm),
                            type.getElementType()),
      value, perm);
}

/// Whether `value` is a transpose from channels-last back to
/// channels-first.
TransposeOp toFirstTranspose(Value value) {
  auto op = value.getDefiningOp<TransposeOp>();
  if (!op || op.getPerm().size() < 3 ||
      op.getPerm() != ArrayRef(toChannelsFirst(op.getPerm().size())))
    return nullptr;
  return op;
}

/// A conv or pool this pass rewrites: 2-D, static shapes.
bool isConvertible(Operation *op) {
  if (!isa<ConvOp, PoolOp>(op) || isChannelsLast(op))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  return type && type.hasStaticShape() && type.getRank() == 4;
}

/// Rewrites `op` (conv or pool) into its channels-last form between
/// transposes.
void convert(Operation *op) {
  OpBuilder builder(op);
  Location loc = op->getLoc();
  int64_t rank = cast<ShapedType>(op->getOperand(0).getType()).getRank();
  SmallVector<int64_t> toLast = toChannelsLast(rank);
  SmallVector<Value> operands;
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    // Input and filter are N x C x D...-like; the bias stays.
    operands.push_back(i < 2 ? transpose(builder, loc, operand, toLast)
                             : operand);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  OperationState state(loc, op->getName());
  state.addOperands(operands);
  state.addAttributes(op->getAttrs());
  state.addAttribute("channels_last", builder.getUnitAttr());
  state.addTypes(
      RankedTensorType::get(permuteShape(resultType.getShape(), toLast),
                            resultType.getElementType()));
  Operation *last = builder.create(state);
  Value back =
      transpose(builder, loc, last->getResult(0), toChannelsFirst(rank));
  op->getResult(0).replaceAllUsesWith(back);
  op->erase();
}

/// transpose(transpose(x, p), q) -> transpose(x, p o q), or x.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm = permuteShape(inner.getPerm(), op.getPerm());
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()))) {
      rewriter.replaceOp(op, inner.getInput());
      return success();
    }
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             perm);
    return success();
  }
};

/// A transpose that keeps the order of the dimensions larger than 1 only
/// moves ones: a reshape, which is a view.
struct TransposeOfOnesToReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!type || !type.hasStaticShape() ||
        !cast<RankedTensorType>(op.getType()).hasStaticShape())
      return failure();
    int64_t previous = -1;
    for (int64_t d : op.getPerm()) {
      if (type.getDimSize(d) == 1)
        continue;
      if (d < previous)
        return failure();
      previous = d;
    }
    auto shape = cast<RankedTensorType>(op.getType()).getShape();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput(),
                                           shape);
    return success();
  }
};

/// e(T(x), T(y), c) -> T(e(x, y, T^-1(c))) for the transpose T back to
/// channels-first; constants of lower rank are first given leading ones.
struct SinkThroughElementwise
    : OpInterfaceRewritePattern<ElementwiseOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(ElementwiseOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return failure();
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType || !resultType.hasStaticShape())
      return failure();
    int64_t rank = resultType.getRank();
    bool anyTranspose = false;
    for (Value operand : op->getOperands()) {
      if (auto t = toFirstTranspose(operand)) {
        if (static_cast<int64_t>(t.getPerm().size()) != rank)
          return failure();
        anyTranspose = true;
        continue;
      }
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!operand.getDefiningOp<ConstantOp>() || !type ||
          type.getRank() > rank)
        return failure();
    }
    if (!anyTranspose)
      return failure();
    Location loc = op->getLoc();
    SmallVector<int64_t> toLast = toChannelsLast(rank);
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (auto t = toFirstTranspose(operand)) {
        operands.push_back(t.getInput());
        continue;
      }
      auto type = cast<RankedTensorType>(operand.getType());
      Value full = operand;
      if (type.getRank() < rank) {
        SmallVector<int64_t> shape(rank - type.getRank(), 1);
        llvm::append_range(shape, type.getShape());
        full = rewriter.create<ReshapeOp>(
            loc, RankedTensorType::get(shape, type.getElementType()), operand,
            shape);
      }
      operands.push_back(transpose(rewriter, loc, full, toLast));
    }
    Operation *last = rewriter.clone(*op);
    last->setOperands(operands);
    last->getResult(0).setType(
        RankedTensorType::get(permuteShape(resultType.getShape(), toLast),
                              resultType.getElementType()));
    rewriter.replaceOp(op, transpose(rewriter, loc, last->getResult(0),
                                     toChannelsFirst(rank)));
    return success();
  }
};

/// reduce_mean(T(x), axes, keepdims) -> T(reduce_mean(x, axes')): a global
/// average pool stays channels-last.
struct SinkThroughMean : OpRewritePattern<ReduceMeanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceMeanOp op,
                                PatternRewriter &rewriter) const override {
    TransposeOp t = toFirstTranspose(op.getInput());
    auto resultType = dyn_cast<RankedTensorType>(op.getType());
    if (!t || !op.getKeepdims() || op.getAxes().empty() || !resultType ||
        !resultType.hasStaticShape())
      return failure();
    int64_t rank = resultType.getRank();
    ArrayRef<int64_t> perm = t.getPerm();
    SmallVector<int64_t> axes;
    for (int64_t axis : op.getAxes())
      axes.push_back(perm[axis < 0 ? axis + rank : axis]);
    llvm::sort(axes);
    SmallVector<int64_t> toLast = toChannelsLast(rank);
    auto mean = rewriter.create<ReduceMeanOp>(
        op.getLoc(),
        RankedTensorType::get(permuteShape(resultType.getShape(), toLast),
                              resultType.getElementType()),
        t.getInput(), axes, true);
    rewriter.replaceOp(
        op, transpose(rewriter, op.getLoc(), mean, toChannelsFirst(rank)));
    return success();
  }
};

struct ConvertLayoutPass
    : dsc::graph::impl::ConvertLayoutBase<ConvertLayoutPass> {
  using ConvertLayoutBase::ConvertLayoutBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Tensor cores need channels in multiples of 8 (16 bytes of f16).
    bool pays = false;
    func.walk([&](ConvOp conv) {
      auto type = cast<ShapedType>(conv.getInput().getType());
      pays |= isConvertible(conv) && conv.getGroup() == 1 &&
              type.getDimSize(1) % 8 == 0;
    });
    if (!pays)
      return;
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (isConvertible(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      convert(op);

    RewritePatternSet patterns(&getContext());
    patterns.add<ComposeTransposes, TransposeOfOnesToReshape,
                 SinkThroughElementwise, SinkThroughMean>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
