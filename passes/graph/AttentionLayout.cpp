//===- AttentionLayout.cpp - graph-attention-layout -----------------------===//
//
// Projections leave queries, keys and values as B x S x H x D (positions
// before heads), and exporters transpose each to B x H x S x D for the
// attention and the result back again: four copies per layer that the
// attention kernel can skip by reading and writing the projections' layout
// (`seq_major`). A fused QKV projection is also sliced three ways first;
// the slices become head offsets into the one packed tensor.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsc::graph {
#define GEN_PASS_DEF_ATTENTIONLAYOUT
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

constexpr int64_t kSwapMiddle[] = {0, 2, 1, 3};

RankedTensorType staticType(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

/// X when `value` is transpose(X, [0, 2, 1, 3]).
Value swappedFrom(Value value) {
  auto transpose = value.getDefiningOp<TransposeOp>();
  if (!transpose || transpose.getPerm() != ArrayRef<int64_t>(kSwapMiddle))
    return {};
  return transpose.getInput();
}

/// A B x S x H x D operand read in place of heads [offset, offset + H) of a
/// wider tensor.
struct HeadSlice {
  Value tensor;
  int64_t offset = 0;
};

/// `operand` (B x S x H x D) as heads of a packed projection when it is
/// reshape(slice(P, last axis, [start, start + H * D))) with P B x S x C:
/// P reshaped to B x S x (C / D) x D, from head start / D.
HeadSlice asHeadSlice(PatternRewriter &rewriter, Value operand,
                      DenseMap<Value, Value> &packedHeads) {
  RankedTensorType type = staticType(operand);
  auto reshape = operand.getDefiningOp<ReshapeOp>();
  auto slice =
      reshape ? reshape.getInput().getDefiningOp<SliceOp>() : SliceOp();
  RankedTensorType packed = slice ? staticType(slice.getInput()) : nullptr;
  if (!type || !packed || packed.getRank() != 3)
    return {operand, 0};
  ArrayRef<int64_t> shape = type.getShape(), whole = packed.getShape();
  int64_t depth = shape[3], width = shape[2] * depth;
  ArrayRef<int64_t> axes = slice.getAxes(), starts = slice.getStarts(),
                    ends = slice.getEnds(), steps = slice.getSteps();
  if (axes.size() != 1 || (axes[0] != 2 && axes[0] != -1) ||
      steps.size() != 1 || steps[0] != 1 || whole[0] != shape[0] ||
      whole[1] != shape[1] || whole[2] % depth != 0)
    return {operand, 0};
  int64_t start = starts[0] < 0 ? starts[0] + whole[2] : starts[0];
  int64_t end = ends[0] < 0 ? ends[0] + whole[2] : std::min(ends[0], whole[2]);
  if (start < 0 || start % depth != 0 || end - start != width)
    return {operand, 0};
  Value &heads = packedHeads[slice.getInput()];
  if (!heads) {
    auto headsType =
        packed.clone({whole[0], whole[1], whole[2] / depth, depth});
    heads = rewriter.create<ReshapeOp>(operand.getLoc(), headsType,
                                       slice.getInput(), headsType.getShape(),
                                       /*allow_zero=*/true);
  }
  if (staticType(heads).getShape()[3] != depth)
    return {operand, 0};
  return {heads, start / depth};
}

struct ReadProjectionLayout : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSeqMajor() || !staticType(op.getResult()))
      return failure();
    Value operands[3] = {swappedFrom(op.getQuery()), swappedFrom(op.getKey()),
                         swappedFrom(op.getValue())};
    if (llvm::any_of(operands, [](Value v) { return !v || !staticType(v); }))
      return failure();

    rewriter.setInsertionPoint(op);
    HeadSlice slices[3];
    DenseMap<Value, Value> packedHeads;
    bool offsets = false;
    for (int i = 0; i < 3; ++i) {
      slices[i] = asHeadSlice(rewriter, operands[i], packedHeads);
      offsets |= slices[i].offset != 0 || slices[i].tensor != operands[i];
    }
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> bhsd = resultType.getShape();
    auto bshdType = resultType.clone({bhsd[0], bhsd[2], bhsd[1], bhsd[3]});
    auto attention = rewriter.create<AttentionOp>(
        op.getLoc(), bshdType, slices[0].tensor, slices[1].tensor,
        slices[2].tensor, op.getMask(), op.getScaleAttr(), op.getCausalAttr(),
        op.getZeroEmptyRowsAttr(), rewriter.getUnitAttr(),
        offsets ? rewriter.getDenseI64ArrayAttr(
                      {slices[0].offset, slices[1].offset, slices[2].offset})
                : DenseI64ArrayAttr(),
        offsets ? rewriter.getI64IntegerAttr(bhsd[1]) : IntegerAttr());
    // Users that swap the result back read the new one as it is.
    for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
      if (user->getNumResults() == 1 &&
          swappedFrom(user->getResult(0)) == op.getResult())
        rewriter.replaceOp(user, attention.getResult());
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, resultType, attention.getResult(), ArrayRef<int64_t>(kSwapMiddle));
    return success();
  }
};

struct AttentionLayoutPass
    : dsc::graph::impl::AttentionLayoutBase<AttentionLayoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReadProjectionLayout>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
