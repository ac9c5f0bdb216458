//===- HoistRowScale.cpp - graph-hoist-row-scale --------------------------===//
//
// g * (h @ W), with g one factor per row of the product ([..., M, 1]), is
// (g * h) @ W: the scale moves onto the GEMM's input, where it joins the
// elementwise kernel that produces h, and the GEMM's epilogue is left with
// what a library GEMM can run (an MoE expert's `out + gate * w2(h)` becomes
// a GEMM with a residual add).
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsc::graph {
#define GEN_PASS_DEF_HOISTROWSCALE
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

/// Whether `scale` holds one factor per row of `product` (a matmul result
/// [..., M, N]) and broadcasts over the matmul's lhs [..., M, K] the same way.
bool isRowScale(Value scale, Value product, Value lhs) {
  auto scaleType = dyn_cast<RankedTensorType>(scale.getType());
  auto productType = cast<RankedTensorType>(product.getType());
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  if (!scaleType || !scaleType.hasStaticShape() ||
      scaleType.getElementType() != productType.getElementType() ||
      scaleType.getRank() < 2 || scaleType.getRank() > lhsType.getRank() ||
      scaleType.getShape().back() != 1)
    return false;
  // Aligned to the right: rows match the product's rows (or are 1), the
  // leading axes must not grow the lhs (the result would change shape).
  ArrayRef<int64_t> s = scaleType.getShape(), l = lhsType.getShape();
  int64_t offset = l.size() - s.size();
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] != 1 && s[i] != l[offset + i])
      return false;
  return true;
}

struct HoistRowScalePattern : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [productOperand, scale] :
         {std::pair(mul.getLhs(), mul.getRhs()),
          std::pair(mul.getRhs(), mul.getLhs())}) {
      auto matmul = productOperand.getDefiningOp<MatMulOp>();
      if (!matmul || !matmul->hasOneUse() ||
          mul.getType() != matmul.getType() ||
          !isRowScale(scale, matmul.getResult(), matmul.getLhs()))
        continue;
      auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
      // At the scale's use: the scale may be computed after the matmul.
      rewriter.setInsertionPoint(mul);
      Value scaled =
          rewriter.create<MulOp>(mul.getLoc(), lhsType, matmul.getLhs(), scale);
      rewriter.replaceOpWithNewOp<MatMulOp>(mul, mul.getType(), scaled,
                                            matmul.getRhs());
      rewriter.eraseOp(matmul);
      return success();
    }
    return failure();
  }
};

struct HoistRowScalePass
    : dsc::graph::impl::HoistRowScaleBase<HoistRowScalePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<HoistRowScalePattern>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
