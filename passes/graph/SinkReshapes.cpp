//===- SinkReshapes.cpp - graph-sink-reshapes -----------------------------===//
//
// Exporters wrap each projection in reshapes ([B*S, K] @ W, then back to
// [B, S, N]), so the bias, residual add or activation that follows reads a
// reshape, not the matmul, and the fusion cannot give it to the GEMM as an
// epilogue. An elementwise op reading reshape(x) computes the same values on
// x's shape, with the reshape after it: moving reshapes that keep the last
// dimension below the elementwise ops puts the epilogue next to its GEMM.
// Reshapes cost nothing (buffers are views), and two in a row fold into one.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsc::graph {
#define GEN_PASS_DEF_SINKRESHAPES
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

RankedTensorType staticType(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

/// A reshape that leaves the last dimension alone: rows of the same length,
/// so a row vector broadcasts against both shapes alike.
bool keepsRows(ReshapeOp reshape) {
  RankedTensorType in = staticType(reshape.getInput());
  RankedTensorType out = staticType(reshape.getResult());
  return in && out && in.getRank() >= 1 && out.getRank() >= 1 &&
         in.getShape().back() == out.getShape().back();
}

/// Whether `value` is a GEMM's result or an elementwise chain on one, whose
/// ops a fused GEMM can take as its epilogue. Only reshapes of such values
/// sink: moving the others would only move reshapes back and forth.
bool isGemmRooted(Value value, int depth = 0) {
  Operation *def = value.getDefiningOp();
  if (!def || depth > 8)
    return false;
  if (isa<MatMulOp>(def))
    return true;
  if (!isa<ElementwiseOpInterface>(def) || !value.hasOneUse())
    return false;
  return llvm::any_of(def->getOperands(), [&](Value operand) {
    return isGemmRooted(operand, depth + 1);
  });
}

/// Sinks a row-keeping reshape below the elementwise op that reads it:
///   op(reshape(x), y, ...) -> reshape(op(x, reshape(y), ...))
/// where every other operand has the reshape's shape (it is reshaped too),
/// or is a row vector or scalar that broadcasts over x's shape the same way.
struct SinkReshapeBelowElementwise
    : OpInterfaceRewritePattern<ElementwiseOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(ElementwiseOpInterface elementwise,
                                PatternRewriter &rewriter) const override {
    Operation *op = elementwise.getOperation();
    if (op->getNumResults() != 1 || op->getNumRegions() != 0)
      return failure();
    RankedTensorType resultType = staticType(op->getResult(0));
    if (!resultType)
      return failure();
    ReshapeOp reshape;
    for (Value operand : op->getOperands())
      if (auto candidate = operand.getDefiningOp<ReshapeOp>())
        if (keepsRows(candidate) && isGemmRooted(candidate.getInput()) &&
            staticType(candidate.getResult()).getShape() ==
                resultType.getShape()) {
          reshape = candidate;
          break;
        }
    if (!reshape)
      return failure();
    RankedTensorType sourceType = staticType(reshape.getInput());
    ArrayRef<int64_t> shape = resultType.getShape();
    int64_t rowLength = shape.back();

    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      RankedTensorType type = staticType(operand);
      if (!type)
        return failure();
      if (type.getShape() == shape) {
        // A second GEMM chain of the other shape: neither shape is better.
        auto other = operand.getDefiningOp<ReshapeOp>();
        bool folds = other && staticType(other.getInput()) ==
                                  sourceType.clone(type.getElementType());
        if (operand != reshape.getResult() && !folds && isGemmRooted(operand))
          return failure();
        operands.push_back(operand);
        continue;
      }
      // A broadcast operand: ones, then the row length or 1.
      ArrayRef<int64_t> dims = type.getShape();
      bool rowVector =
          llvm::all_of(dims.drop_back(dims.empty() ? 0 : 1),
                       [](int64_t d) { return d == 1; }) &&
          (dims.empty() || dims.back() == 1 || dims.back() == rowLength);
      if (!rowVector || type.getRank() > sourceType.getRank())
        return failure();
      operands.push_back(operand);
    }

    Location loc = op->getLoc();
    rewriter.setInsertionPoint(op);
    auto sourceShaped = [&](Value value) -> Value {
      auto type = cast<RankedTensorType>(value.getType());
      if (type.getShape() != shape)
        return value;
      auto newType = type.clone(sourceType.getShape());
      if (auto other = value.getDefiningOp<ReshapeOp>())
        if (other.getInput().getType() == newType)
          return other.getInput();
      DenseElementsAttr splat;
      if (matchPattern(value, m_Constant(&splat)) && splat.isSplat())
        return rewriter.create<ConstantOp>(loc, splat.reshape(newType));
      return rewriter.create<ReshapeOp>(loc, newType, value,
                                        sourceType.getShape(),
                                        /*allow_zero=*/true);
    };
    for (Value &operand : operands)
      operand = sourceShaped(operand);
    Operation *sunk = rewriter.clone(*op);
    sunk->setOperands(operands);
    sunk->getResult(0).setType(resultType.clone(sourceType.getShape()));
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, resultType, sunk->getResult(0),
                                           shape, /*allow_zero=*/true);
    return success();
  }
};

struct SinkReshapesPass : dsc::graph::impl::SinkReshapesBase<SinkReshapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkReshapeBelowElementwise>(&getContext());
    ReshapeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
