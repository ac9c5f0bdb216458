//===- ConvToMatmul.cpp - graph-conv-to-matmul ----------------------------===//
//
// A channels-last 1x1 convolution with stride 1, no padding and group 1 is a
// plain GEMM: out[N*H*W, M] = x[N*H*W, C] x filter[M, C]^T (the filter's
// spatial dimensions are 1, and NHWC keeps each pixel's channels contiguous).
// As a graph.matmul between reshapes (views), it gets the GEMM machinery the
// implicit-GEMM conv lacks: the tile variants with split-K, cuBLASLt, and
// epilogues that graph-sink-reshapes moves next to it. The transposed filter
// is a transpose of a constant, which graph-fold-constants folds.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/NnOps.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsc::graph {
#define GEN_PASS_DEF_CONVTOMATMUL
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

bool allEqual(ArrayRef<int64_t> values, int64_t expected) {
  return llvm::all_of(values, [&](int64_t v) { return v == expected; });
}

/// Whether `conv` is a GEMM as it stands: channels-last 2-D, group 1, a 1x1
/// filter with stride 1 and no padding, static shapes, float elements.
bool isPointwiseGemm(ConvOp conv) {
  if (!conv.getChannelsLast() || conv.getGroup() != 1 ||
      !allEqual(conv.getStrides(), 1) || !allEqual(conv.getPads(), 0))
    return false;
  for (Value value : conv->getOperands())
    if (!cast<ShapedType>(value.getType()).hasStaticShape())
      return false;
  auto type = dyn_cast<RankedTensorType>(conv.getType());
  auto filter = cast<ShapedType>(conv.getFilter().getType());
  if (!type || !type.hasStaticShape() || type.getRank() != 4 ||
      filter.getRank() != 4 || filter.getDimSize(1) != 1 ||
      filter.getDimSize(2) != 1)
    return false;
  // Integer convs (ConvInteger) accumulate exactly, as the matmul would not
  // promise for every element type.
  Type element = type.getElementType();
  return isa<FloatType>(element) &&
         cast<ShapedType>(conv.getInput().getType()).getElementType() ==
             element &&
         filter.getElementType() == element;
}

struct ConvToMatmulPattern : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (!isPointwiseGemm(conv))
      return failure();
    auto resultType = cast<RankedTensorType>(conv.getType());
    ArrayRef<int64_t> out = resultType.getShape();
    Type element = resultType.getElementType();
    int64_t rows = out[0] * out[1] * out[2], outChannels = out[3];
    int64_t inChannels =
        cast<ShapedType>(conv.getInput().getType()).getShape().back();
    Location loc = conv.getLoc();
    auto matrix = [&](int64_t r, int64_t c) {
      return RankedTensorType::get({r, c}, element);
    };
    Value lhs = rewriter.create<ReshapeOp>(
        loc, matrix(rows, inChannels), conv.getInput(),
        ArrayRef<int64_t>{rows, inChannels}, /*allow_zero=*/true);
    Value filter = rewriter.create<ReshapeOp>(
        loc, matrix(outChannels, inChannels), conv.getFilter(),
        ArrayRef<int64_t>{outChannels, inChannels}, /*allow_zero=*/true);
    Value rhs = rewriter.create<TransposeOp>(
        loc, matrix(inChannels, outChannels), filter, ArrayRef<int64_t>{1, 0});
    Value product =
        rewriter.create<MatMulOp>(loc, matrix(rows, outChannels), lhs, rhs);
    if (Value bias = conv.getBias())
      product = rewriter.create<AddOp>(loc, product.getType(), product, bias);
    rewriter.replaceOpWithNewOp<ReshapeOp>(conv, resultType, product, out,
                                           /*allow_zero=*/true);
    return success();
  }
};

struct ConvToMatmulPass : dsc::graph::impl::ConvToMatmulBase<ConvToMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToMatmulPattern>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
