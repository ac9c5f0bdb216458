//===- Recompose.cpp - graph-recompose ------------------------------------===//

#include "passes/graph/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace dsc::graph {
#define GEN_PASS_DEF_RECOMPOSE
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

/// True when `value` is a constant whose every element equals `expected` to
/// 1e-4 relative (exporters print these constants with few digits).
static bool isSplatNear(Value value, double expected) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return false;
  double actual = attr.getSplatValue<APFloat>().convertToDouble();
  return std::abs(actual - expected) <= 1e-4 * std::abs(expected);
}

/// Matches `x * k` or `x / (1/k)` for a splat k, returning x.
static Value matchScaledBy(Value value, double k) {
  if (auto mul = value.getDefiningOp<MulOp>()) {
    if (isSplatNear(mul.getRhs(), k))
      return mul.getLhs();
    if (isSplatNear(mul.getLhs(), k))
      return mul.getRhs();
  }
  if (auto div = value.getDefiningOp<DivOp>())
    if (isSplatNear(div.getRhs(), 1.0 / k))
      return div.getLhs();
  return {};
}

/// Matches `a + 1` in either operand order, returning a.
static Value matchPlusOne(Value value) {
  auto add = value.getDefiningOp<AddOp>();
  if (!add)
    return {};
  if (isSplatNear(add.getRhs(), 1.0))
    return add.getLhs();
  if (isSplatNear(add.getLhs(), 1.0))
    return add.getRhs();
  return {};
}

/// Both GELU forms end in the product `x * (1 + f(x)) * 0.5`, associated
/// either way. Given the outer mul, returns the `1 + f(x)` factor and x.
static std::optional<std::pair<Value, Value>> matchHalfProduct(MulOp outer) {
  SmallVector<Value, 3> factors;
  auto collect = [&](Value v) {
    auto inner = v.getDefiningOp<MulOp>();
    if (inner && inner->hasOneUse() && factors.empty()) {
      factors.push_back(inner.getLhs());
      factors.push_back(inner.getRhs());
      return true;
    }
    return false;
  };
  Value other;
  if (collect(outer.getLhs()))
    other = outer.getRhs();
  else if (collect(outer.getRhs()))
    other = outer.getLhs();
  else
    return std::nullopt;
  factors.push_back(other);
  // Exactly one factor is 0.5, one is `1 + f(x)`, the remaining one is x.
  for (int half = 0; half < 3; ++half) {
    if (!isSplatNear(factors[half], 0.5))
      continue;
    for (int sum = 0; sum < 3; ++sum) {
      if (sum == half || !matchPlusOne(factors[sum]))
        continue;
      int x = 3 - half - sum;
      return std::make_pair(factors[sum], factors[x]);
    }
  }
  return std::nullopt;
}

namespace {
/// 0.5 * x * (1 + erf(x / sqrt(2)))  ->  gelu(x)
/// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))  ->  gelu(x, tanh)
struct RecomposeGelu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    auto product = matchHalfProduct(op);
    if (!product)
      return failure();
    auto [onePlus, x] = *product;
    Value f = matchPlusOne(onePlus);
    GeluApproximation approximation;
    if (auto erf = f.getDefiningOp<ErfOp>()) {
      if (matchScaledBy(erf.getInput(), 1.0 / std::sqrt(2.0)) != x)
        return failure();
      approximation = GeluApproximation::None;
    } else if (auto tanh = f.getDefiningOp<TanhOp>()) {
      Value inner = matchScaledBy(tanh.getInput(), std::sqrt(2.0 / M_PI));
      auto sum = inner ? inner.getDefiningOp<AddOp>() : AddOp();
      if (!sum)
        return failure();
      Value cubicTerm = sum.getLhs() == x ? sum.getRhs() : sum.getLhs();
      if (sum.getLhs() != x && sum.getRhs() != x)
        return failure();
      Value cube = matchScaledBy(cubicTerm, 0.044715);
      if (!cube || !isCubeOf(cube, x))
        return failure();
      approximation = GeluApproximation::Tanh;
    } else {
      return failure();
    }
    if (x.getType() != op.getType())
      return failure();
    rewriter.replaceOpWithNewOp<GeluOp>(
        op, op.getType(), x,
        GeluApproximationAttr::get(getContext(), approximation));
    return success();
  }

  /// x^3 as pow(x, 3) or x * x * x.
  static bool isCubeOf(Value value, Value x) {
    if (auto pow = value.getDefiningOp<PowOp>())
      return pow.getLhs() == x && isSplatNear(pow.getRhs(), 3.0);
    if (auto mul = value.getDefiningOp<MulOp>()) {
      auto square = mul.getLhs().getDefiningOp<MulOp>();
      Value single = mul.getRhs();
      if (!square) {
        square = mul.getRhs().getDefiningOp<MulOp>();
        single = mul.getLhs();
      }
      return square && single == x && square.getLhs() == x &&
             square.getRhs() == x;
    }
    return false;
  }
};

struct RecomposePass : dsc::graph::impl::RecomposeBase<RecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RecomposeGelu>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
