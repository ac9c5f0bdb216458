//===- FuseAttention.cpp - graph-fuse-attention ---------------------------===//
//
// Recognizes softmax(q kT * scale + mask) v as exporters spell it and
// rebuilds it as one graph.attention, so that the [B, H, S, Sk] scores never
// reach memory. Walking up from the second matmul:
//
//   matmul(p, v)
//   p      = [cast] [select(ne(s, s), 0, s)] softmax(axis = -1) [cast] scores
//   scores = a chain of mask and scale ops ending in matmul(q', kT')
//            add(x, mask), select(cond, x, c), select(cond, c, x),
//            mul(x, c), div(x, c) with c a splat constant
//   q'     = q or mul(q, c);  kT' = kT or mul(kT, c)  (sdpa's sqrt(scale))
//   kT     = transpose(k, [0, 1, 3, 2]) or any rank-4 value (transposed back)
//
// A constant mask equal to the causal mask (0 at j <= i, -inf or very
// negative above) becomes the `causal` attribute. Masks must come after the
// scale on the way to softmax (a scale after a mask would scale the mask),
// and every value between the first matmul and softmax must have no other
// use (the scores are not kept).
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "compiler/reference/Reference.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace dsc::graph {
#define GEN_PASS_DEF_FUSEATTENTION
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc;
using namespace dsc::graph;

namespace {

/// The value of a splat float constant.
std::optional<double> splatValue(Value value) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// Whether `x` is -inf, or so negative (at most half the type's lowest
/// value) that exp(x + s - max) is 0 for any score s of that type.
bool isMaskedOut(double x, Type elementType) {
  if (std::isinf(x) && x < 0)
    return true;
  auto floatType = dyn_cast<FloatType>(elementType);
  if (!floatType)
    return false;
  double lowest = APFloat::getLargest(floatType.getFloatSemantics(), true)
                      .convertToDouble();
  return x <= lowest / 2;
}

/// Whether `value` is a constant mask broadcasting to `scores` ([B, H, S,
/// Sk]) whose every [S, Sk] slice keeps exactly the keys j <= i of row i: a
/// boolean (true keeps; `negated`: true masks) or an additive mask (0 keeps,
/// -inf or very negative masks). Exporters expand the mask over the batch
/// (HF's [B, 1, S, Sk]), so the leading dimensions may be the scores'.
bool isCausalMask(Value value, ArrayRef<int64_t> scores, bool negated) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return false;
  auto type = cast<ShapedType>(attr.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = scores[scores.size() - 2], keys = scores.back();
  if (shape.size() < 2 || shape.size() > scores.size() ||
      shape[shape.size() - 2] != rows || shape.back() != keys)
    return false;
  ArrayRef<int64_t> leading = shape.drop_back(2);
  ArrayRef<int64_t> scoreLeading =
      scores.drop_back(2).take_back(leading.size());
  for (auto [d, size] : llvm::zip_equal(leading, scoreLeading))
    if (d != 1 && d != size)
      return false;
  FailureOr<reference::Tensor> tensor = reference::fromAttr(attr);
  if (failed(tensor))
    return false;
  bool boolean = type.getElementType().isInteger(1);
  int64_t slices = static_cast<int64_t>(tensor->data.size()) / (rows * keys);
  for (int64_t slice = 0; slice < slices; ++slice)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < keys; ++j) {
        double x = tensor->data[(slice * rows + i) * keys + j];
        bool keep = j <= i;
        if (boolean ? ((x != 0) != (keep != negated))
                    : (keep ? x != 0 : !isMaskedOut(x, type.getElementType())))
          return false;
      }
  return true;
}

/// Whether every element of the constant `value` equals `x`.
bool isConstantEqualTo(Value value, double x) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return false;
  FailureOr<reference::Tensor> tensor = reference::fromAttr(attr);
  return succeeded(tensor) &&
         llvm::all_of(tensor->data, [&](double v) { return v == x; });
}

/// How a mask reaches the scores.
struct MaskTerm {
  enum Kind { Additive, KeepWhere, DropWhere, FillWhere } kind;
  /// The additive mask, or the condition of a select.
  Value value;
  /// The select's fill (FillWhere: a finite, very negative constant), and
  /// whether the condition keeps the scores where it is true.
  Value fill;
  bool keepWhereTrue = true;

  /// Whether a true condition drops the score (a boolean or select mask).
  bool dropsWhereTrue() const {
    return kind == DropWhere || (kind == FillWhere && !keepWhereTrue);
  }
};

/// What the walk up from softmax has found.
struct Match {
  Value query, keyTransposed, scores;
  double scale = 1.0;
  /// The mask terms from softmax up; sorted out once the shapes are known.
  SmallVector<MaskTerm, 2> masks;
};

struct FuseAttentionPattern : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Value value = op.getRhs();
    Value probs = op.getLhs();
    auto valueType = dyn_cast<RankedTensorType>(value.getType());
    auto resultType = dyn_cast<RankedTensorType>(op.getType());
    if (!valueType || !resultType || valueType.getRank() != 4 ||
        !isa<FloatType>(valueType.getElementType()))
      return failure();
    Type elementType = valueType.getElementType();

    // [cast back] [NaN guard] softmax [cast to a wider float].
    auto castBack = probs.getDefiningOp<CastOp>();
    if (castBack) {
      if (!castBack->hasOneUse())
        return failure();
      probs = castBack.getInput();
    }
    bool zeroEmptyRows = false;
    if (auto guard = probs.getDefiningOp<SelectOp>()) {
      Value inner = guard.getFalseValue();
      auto isNaN = guard.getCondition().getDefiningOp<CompareOp>();
      std::optional<double> zero = splatValue(guard.getTrueValue());
      if (!guard->hasOneUse() || !isNaN || !zero || *zero != 0 ||
          isNaN.getPredicate() != ComparePredicate::Ne ||
          isNaN.getLhs() != inner || isNaN.getRhs() != inner ||
          !isNaN->hasOneUse() || inner.getType() != guard.getType() ||
          llvm::any_of(inner.getUsers(), [&](Operation *user) {
            return user != guard && user != isNaN;
          }))
        return failure();
      zeroEmptyRows = true;
      probs = inner;
    } else if (!probs.hasOneUse()) {
      return failure();
    }
    auto softmax = probs.getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return failure();
    auto probsType = cast<ShapedType>(softmax.getType());
    if (!probsType.hasRank() || probsType.getRank() != 4 ||
        (softmax.getAxis() != -1 && softmax.getAxis() != 3))
      return failure();
    Value scores = softmax.getInput();
    if (castBack) {
      auto castUp = scores.getDefiningOp<CastOp>();
      if (!castUp || !castUp->hasOneUse() ||
          getElementTypeOrSelf(castUp.getInput().getType()) != elementType ||
          getElementTypeOrSelf(castBack.getType()) != elementType)
        return failure();
      scores = castUp.getInput();
    }
    if (getElementTypeOrSelf(scores.getType()) != elementType ||
        !scores.hasOneUse())
      return failure();

    std::optional<Match> match = matchScores(scores, Match(), false);
    if (!match || !std::isfinite(static_cast<float>(match->scale)))
      return failure();
    auto queryType = dyn_cast<RankedTensorType>(match->query.getType());
    auto keyTType = dyn_cast<RankedTensorType>(match->keyTransposed.getType());
    if (!queryType || !keyTType || queryType.getRank() != 4 ||
        keyTType.getRank() != 4 || !queryType.hasStaticShape() ||
        !keyTType.hasStaticShape() || !valueType.hasStaticShape() ||
        queryType.getElementType() != elementType ||
        keyTType.getElementType() != elementType)
      return failure();
    ArrayRef<int64_t> q = queryType.getShape(), kT = keyTType.getShape(),
                      v = valueType.getShape();
    // No batch broadcasting: one (b, h) plane of each operand per plane of
    // the result.
    if (q[0] != kT[0] || q[0] != v[0] || q[1] != kT[1] || q[1] != v[1] ||
        q[3] != kT[2] || kT[3] != v[2] ||
        resultType.getShape() != ArrayRef<int64_t>{q[0], q[1], q[2], v[3]})
      return failure();
    int64_t rows = q[2], keys = kT[3];

    // A constant causal mask is the `causal` attribute, a constant that
    // keeps every score is nothing; the op takes one other mask.
    bool causal = false;
    std::optional<MaskTerm> mask;
    for (const MaskTerm &term : match->masks) {
      if (isCausalMask(term.value, {q[0], q[1], rows, keys},
                       term.dropsWhereTrue())) {
        causal = true;
        continue;
      }
      if (isNeutralMask(term))
        continue;
      if (mask || !maskBroadcasts(term.value, {q[0], q[1], rows, keys}))
        return failure();
      mask = term;
    }

    Location loc = op.getLoc();
    Value key = transposeBack(rewriter, loc, match->keyTransposed);
    Value maskOperand;
    if (mask)
      maskOperand = buildMask(rewriter, loc, *mask, elementType);
    auto attention = rewriter.create<AttentionOp>(
        loc, resultType, match->query, key, value, maskOperand,
        rewriter.getF32FloatAttr(static_cast<float>(match->scale)),
        causal ? rewriter.getUnitAttr() : UnitAttr(),
        zeroEmptyRows ? rewriter.getUnitAttr() : UnitAttr(),
        /*seq_major=*/UnitAttr(), /*head_offsets=*/DenseI64ArrayAttr(),
        /*num_heads=*/IntegerAttr());
    rewriter.replaceOp(op, attention.getResult());
    return success();
  }

  /// Walks from the scores up to matmul(q', kT'). `scaled`: a scale op was
  /// passed, so a mask above it would be scaled too (not matched).
  static std::optional<Match> matchScores(Value scores, Match match,
                                          bool scaled) {
    Operation *def = scores.getDefiningOp();
    if (!def)
      return std::nullopt;
    auto sameShape = [&](Value v) { return v.getType() == scores.getType(); };
    // The chain continues through a single-use operand of the scores' type.
    auto next = [&](Value v, Match m, bool s) -> std::optional<Match> {
      if (!sameShape(v) || !v.hasOneUse())
        return std::nullopt;
      return matchScores(v, std::move(m), s);
    };
    if (auto matmul = dyn_cast<MatMulOp>(def)) {
      match.query = peelScale(matmul.getLhs(), match.scale);
      match.keyTransposed = peelScale(matmul.getRhs(), match.scale);
      match.scores = scores;
      return match;
    }
    if (auto mul = dyn_cast<MulOp>(def)) {
      for (auto [x, c] : {std::pair{mul.getLhs(), mul.getRhs()},
                          std::pair{mul.getRhs(), mul.getLhs()}})
        if (std::optional<double> k = splatValue(c)) {
          Match m = match;
          m.scale *= *k;
          return next(x, m, true);
        }
      return std::nullopt;
    }
    if (auto div = dyn_cast<DivOp>(def)) {
      std::optional<double> k = splatValue(div.getRhs());
      if (!k || *k == 0)
        return std::nullopt;
      match.scale /= *k;
      return next(div.getLhs(), match, true);
    }
    if (scaled)
      return std::nullopt;
    if (auto add = dyn_cast<AddOp>(def)) {
      for (auto [x, m] : {std::pair{add.getLhs(), add.getRhs()},
                          std::pair{add.getRhs(), add.getLhs()}}) {
        Match candidate = match;
        if (!addMask(candidate, {MaskTerm::Additive, m, Value(), true}))
          continue;
        if (auto found = next(x, candidate, false))
          return found;
      }
      return std::nullopt;
    }
    if (auto select = dyn_cast<SelectOp>(def)) {
      Value cond = select.getCondition();
      for (bool keepWhereTrue : {true, false}) {
        Value x =
            keepWhereTrue ? select.getTrueValue() : select.getFalseValue();
        Value c =
            keepWhereTrue ? select.getFalseValue() : select.getTrueValue();
        std::optional<double> fill = splatValue(c);
        if (!fill || !getElementTypeOrSelf(cond.getType()).isInteger(1) ||
            getElementTypeOrSelf(c.getType()) !=
                getElementTypeOrSelf(scores.getType()))
          continue;
        MaskTerm term{MaskTerm::FillWhere, cond, c, keepWhereTrue};
        if (std::isinf(*fill) && *fill < 0)
          term.kind = keepWhereTrue ? MaskTerm::KeepWhere : MaskTerm::DropWhere;
        else if (!isMaskedOut(*fill, getElementTypeOrSelf(c.getType())))
          continue;
        Match candidate = match;
        if (!addMask(candidate, term))
          continue;
        if (auto found = next(x, candidate, false))
          return found;
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  /// A constant mask that keeps every score as it is: an additive zero mask
  /// (BERT's extended mask of an all-ones attention mask), a condition that
  /// keeps everywhere.
  static bool isNeutralMask(const MaskTerm &term) {
    switch (term.kind) {
    case MaskTerm::Additive:
      return isConstantEqualTo(term.value, 0.0);
    case MaskTerm::KeepWhere:
    case MaskTerm::FillWhere:
      return isConstantEqualTo(term.value, term.keepWhereTrue ? 1.0 : 0.0);
    case MaskTerm::DropWhere:
      return isConstantEqualTo(term.value, 0.0);
    }
    return false;
  }

  /// Records a mask term: the op takes one mask and the causal attribute,
  /// so at most two terms.
  static bool addMask(Match &match, MaskTerm term) {
    if (match.masks.size() == 2)
      return false;
    match.masks.push_back(term);
    return true;
  }

  /// `x * c` (or `x / c`) with a splat c: returns x and folds c into scale.
  static Value peelScale(Value value, double &scale) {
    if (auto mul = value.getDefiningOp<MulOp>()) {
      if (mul.getType() == mul.getLhs().getType())
        if (std::optional<double> k = splatValue(mul.getRhs())) {
          scale *= *k;
          return mul.getLhs();
        }
      if (mul.getType() == mul.getRhs().getType())
        if (std::optional<double> k = splatValue(mul.getLhs())) {
          scale *= *k;
          return mul.getRhs();
        }
    }
    if (auto div = value.getDefiningOp<DivOp>())
      if (div.getType() == div.getLhs().getType())
        if (std::optional<double> k = splatValue(div.getRhs()); k && *k != 0) {
          scale /= *k;
          return div.getLhs();
        }
    return value;
  }

  /// Whether the mask (additive or a condition) has rank 4 at most and
  /// broadcasts to `scores` without enlarging it.
  static bool maskBroadcasts(Value mask, ArrayRef<int64_t> scores) {
    auto type = dyn_cast<RankedTensorType>(mask.getType());
    if (!type || !type.hasStaticShape() || type.getRank() > 4)
      return false;
    int64_t offset = 4 - type.getRank();
    for (auto [d, size] : llvm::enumerate(type.getShape()))
      if (size != 1 && size != scores[d + offset])
        return false;
    return true;
  }

  /// The dynamo decomposition transposes the key with the batch and heads
  /// flattened: reshape(transpose(reshape(k, [B*H, Sk, D]), [0, 2, 1]),
  /// [B, H, D, Sk]). Returns k for that form, null otherwise.
  static Value unflattenKey(Value keyTransposed) {
    auto outer = keyTransposed.getDefiningOp<ReshapeOp>();
    auto transpose =
        outer ? outer.getInput().getDefiningOp<TransposeOp>() : TransposeOp();
    auto inner = transpose ? transpose.getInput().getDefiningOp<ReshapeOp>()
                           : ReshapeOp();
    if (!inner || transpose.getPerm() != ArrayRef<int64_t>{0, 2, 1})
      return {};
    auto key = dyn_cast<RankedTensorType>(inner.getInput().getType());
    auto flat = dyn_cast<RankedTensorType>(inner.getType());
    auto kT = cast<RankedTensorType>(keyTransposed.getType());
    if (!key || !flat || key.getRank() != 4 || flat.getRank() != 3 ||
        !key.hasStaticShape())
      return {};
    ArrayRef<int64_t> k = key.getShape();
    if (flat.getShape() != ArrayRef<int64_t>{k[0] * k[1], k[2], k[3]} ||
        kT.getShape() != ArrayRef<int64_t>{k[0], k[1], k[3], k[2]})
      return {};
    return inner.getInput();
  }

  /// k = transpose(kT, [0, 1, 3, 2]), composed with kT's own transpose.
  static Value transposeBack(PatternRewriter &rewriter, Location loc,
                             Value keyTransposed) {
    if (Value key = unflattenKey(keyTransposed))
      return key;
    SmallVector<int64_t> perm = {0, 1, 3, 2};
    Value source = keyTransposed;
    if (auto transpose = keyTransposed.getDefiningOp<TransposeOp>()) {
      ArrayRef<int64_t> inner = transpose.getPerm();
      perm = {inner[0], inner[1], inner[3], inner[2]};
      source = transpose.getInput();
    }
    if (perm == ArrayRef<int64_t>{0, 1, 2, 3})
      return source;
    auto type = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> shape;
    for (int64_t d : perm)
      shape.push_back(type.getDimSize(d));
    return rewriter.create<TransposeOp>(
        loc, RankedTensorType::get(shape, type.getElementType()), source,
        rewriter.getDenseI64ArrayAttr(perm));
  }

  /// The mask operand: the additive mask, the condition (negated where it
  /// marks the keys to drop), or select(cond, 0, fill) for a finite fill.
  static Value buildMask(PatternRewriter &rewriter, Location loc,
                         const MaskTerm &term, Type elementType) {
    switch (term.kind) {
    case MaskTerm::Additive:
    case MaskTerm::KeepWhere:
      return term.value;
    case MaskTerm::DropWhere:
      return rewriter.create<NotOp>(loc, term.value.getType(), term.value);
    case MaskTerm::FillWhere: {
      auto scalar = RankedTensorType::get({}, elementType);
      Value zero = rewriter.create<ConstantOp>(
          loc,
          DenseElementsAttr::get(
              scalar, APFloat::getZero(
                          cast<FloatType>(elementType).getFloatSemantics())));
      auto type = RankedTensorType::get(
          cast<ShapedType>(term.value.getType()).getShape(), elementType);
      DenseElementsAttr fillAttr;
      matchPattern(term.fill, m_Constant(&fillAttr));
      Value fill = rewriter.create<ConstantOp>(
          loc,
          DenseElementsAttr::get(scalar, fillAttr.getSplatValue<APFloat>()));
      return term.keepWhereTrue
                 ? rewriter.create<SelectOp>(loc, type, term.value, zero, fill)
                 : rewriter.create<SelectOp>(loc, type, term.value, fill, zero);
    }
    }
    llvm_unreachable("unknown mask kind");
  }
};

struct FuseAttentionPass
    : dsc::graph::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttentionPattern>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
