//===- GraphOps.cpp - graph dialect ops -----------------------------------===//

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace dsc::graph;

std::optional<int64_t> dsc::graph::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::string dsc::graph::formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (shape.empty())
    os << "scalar";
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return os.str();
}

FailureOr<SmallVector<int64_t>>
dsc::graph::resolveReshape(ArrayRef<int64_t> inputShape,
                           ArrayRef<int64_t> target, bool allowZero,
                           std::string &error) {
  SmallVector<int64_t> shape(target.begin(), target.end());
  int64_t inferred = -1;
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (i >= inputShape.size()) {
        error = "dimension " + std::to_string(i) +
                " is 0 (copy) but the input has rank " +
                std::to_string(inputShape.size());
        return failure();
      }
      d = inputShape[i];
    }
    if (d == -1) {
      if (inferred >= 0) {
        error = "more than one dimension is -1";
        return failure();
      }
      inferred = i;
      continue;
    }
    if (d < 0) {
      error = "dimension " + std::to_string(i) + " is " + std::to_string(d);
      return failure();
    }
    known *= d;
  }
  int64_t total = ShapedType::getNumElements(inputShape);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0) {
      error = "cannot infer the -1 dimension: " + std::to_string(total) +
              " elements do not divide into " + std::to_string(known);
      return failure();
    }
    shape[inferred] = total / known;
  } else if (known != total) {
    error = "target has " + std::to_string(known) +
            " elements but the input has " + std::to_string(total);
    return failure();
  }
  return shape;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " does not match result type "
           << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Elementwise ops with attributes
//===----------------------------------------------------------------------===//

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

LogicalResult MathOp::verify() {
  Type type = elementTypeOf(getInput());
  bool integerOk = getFn() == MathFn::Sign || getFn() == MathFn::Floor ||
                   getFn() == MathFn::Ceil || getFn() == MathFn::Round;
  if (!isa<FloatType>(type) &&
      !(integerOk && type.isSignlessInteger() && !type.isInteger(1)))
    return emitOpError("'")
           << stringifyMathFn(getFn()) << "' is not defined on " << type;
  return success();
}

LogicalResult ModOp::verify() {
  Type type = elementTypeOf(getLhs());
  if (type.isInteger(1))
    return emitOpError("is not defined on booleans");
  if (!getFmod() && isa<FloatType>(type))
    return emitOpError("on floating-point operands requires fmod");
  return success();
}

LogicalResult CompareOp::verify() {
  if (elementTypeOf(getLhs()) != elementTypeOf(getRhs()))
    return emitOpError("operand element types differ: ")
           << elementTypeOf(getLhs()) << " and " << elementTypeOf(getRhs());
  if (!elementTypeOf(getResult()).isInteger(1))
    return emitOpError("result element type must be i1, not ")
           << elementTypeOf(getResult());
  return success();
}

LogicalResult BitwiseOp::verify() {
  Type type = elementTypeOf(getLhs());
  if (!isa<IntegerType>(type))
    return emitOpError("operands must be integers, not ") << type;
  bool isShift = getKind() == BitwiseKind::ShiftLeft ||
                 getKind() == BitwiseKind::ShiftRight;
  if (isShift && type.isInteger(1))
    return emitOpError("cannot shift booleans");
  return success();
}

LogicalResult NotOp::verify() {
  if (!isa<IntegerType>(elementTypeOf(getInput())))
    return emitOpError("operand must be an integer or i1, not ")
           << elementTypeOf(getInput());
  return success();
}

LogicalResult SelectOp::verify() {
  if (!elementTypeOf(getCondition()).isInteger(1))
    return emitOpError("condition must be i1, not ")
           << elementTypeOf(getCondition());
  Type type = elementTypeOf(getResult());
  if (elementTypeOf(getTrueValue()) != type ||
      elementTypeOf(getFalseValue()) != type)
    return emitOpError("value element types must match the result's ") << type;
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  auto lhs = cast<TensorType>(getLhs().getType());
  auto rhs = cast<TensorType>(getRhs().getType());
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError("operand element types differ: ")
           << lhs.getElementType() << " and " << rhs.getElementType();
  if ((lhs.hasRank() && lhs.getRank() == 0) ||
      (rhs.hasRank() && rhs.getRank() == 0))
    return emitOpError("operands must have rank at least 1");
  if (lhs.hasRank() && rhs.hasRank()) {
    int64_t k0 = lhs.getShape().back();
    int64_t k1 = rhs.getRank() == 1 ? rhs.getShape()[0]
                                    : rhs.getShape()[rhs.getRank() - 2];
    if (!ShapedType::isDynamic(k0) && !ShapedType::isDynamic(k1) && k0 != k1)
      return emitOpError("contracting dimensions differ: lhs ")
             << formatShape(lhs.getShape()) << " and rhs "
             << formatShape(rhs.getShape());
  }
  return success();
}

namespace {
/// numpy's 1-D promotion made explicit: a vector lhs is a 1xK matrix, a
/// vector rhs a Kx1 matrix, and the result drops the added dimension. Kernels
/// then only see matrices.
struct PromoteVectorMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhs = dyn_cast<RankedTensorType>(op.getLhs().getType());
    auto rhs = dyn_cast<RankedTensorType>(op.getRhs().getType());
    auto result = dyn_cast<RankedTensorType>(op.getType());
    if (!lhs || !rhs || !result || !lhs.hasStaticShape() ||
        !rhs.hasStaticShape() || !result.hasStaticShape() ||
        (lhs.getRank() != 1 && rhs.getRank() != 1))
      return failure();
    auto reshape = [&](Value value, RankedTensorType type,
                       ArrayRef<int64_t> shape) -> Value {
      return rewriter.create<ReshapeOp>(
          op.getLoc(), RankedTensorType::get(shape, type.getElementType()),
          value, shape, /*allow_zero=*/true);
    };
    Value newLhs = op.getLhs(), newRhs = op.getRhs();
    SmallVector<int64_t> resultShape(result.getShape());
    if (lhs.getRank() == 1) {
      newLhs = reshape(newLhs, lhs, {1, lhs.getDimSize(0)});
      resultShape.insert(resultShape.end() - (rhs.getRank() == 1 ? 0 : 1), 1);
    }
    if (rhs.getRank() == 1) {
      newRhs = reshape(newRhs, rhs, {rhs.getDimSize(0), 1});
      resultShape.push_back(1);
    }
    auto matmul = rewriter.create<MatMulOp>(
        op.getLoc(),
        RankedTensorType::get(resultShape, result.getElementType()), newLhs,
        newRhs);
    rewriter.replaceOp(op, reshape(matmul, result, result.getShape()));
    return success();
  }
};
} // namespace

void MatMulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<PromoteVectorMatMul>(context);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, Value input, int64_t axis) {
  auto type = cast<TensorType>(input.getType());
  if (type.hasRank() && !normalizeAxis(axis, type.getRank()))
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << type.getRank();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getInput(), getAxis());
}

LogicalResult LayerNormOp::verify() {
  if (getEpsilon().convertToFloat() < 0)
    return emitOpError("epsilon must not be negative");
  return verifyAxis(*this, getInput(), getAxis());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getInput(), getAxis());
}

LogicalResult HardmaxOp::verify() {
  return verifyAxis(*this, getInput(), getAxis());
}

LogicalResult CumSumOp::verify() {
  return verifyAxis(*this, getInput(), getAxis());
}

/// Axes of a reduction: in range and each once.
static LogicalResult verifyAxes(Operation *op, Value input,
                                ArrayRef<int64_t> axes) {
  auto type = cast<TensorType>(input.getType());
  if (!type.hasRank())
    return success();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    auto normalized = normalizeAxis(axis, type.getRank());
    if (!normalized)
      return op->emitOpError("axis ")
             << axis << " is out of range for rank " << type.getRank();
    if (!seen.insert(*normalized).second)
      return op->emitOpError("axis ") << axis << " appears twice";
  }
  return success();
}

LogicalResult ReduceMeanOp::verify() {
  return verifyAxes(*this, getInput(), getAxes());
}

LogicalResult ReduceOp::verify() {
  if (elementTypeOf(getInput()).isInteger(1))
    return emitOpError("cannot reduce booleans");
  return verifyAxes(*this, getInput(), getAxes());
}

LogicalResult ArgReduceOp::verify() {
  if (getKind() != ReduceKind::Max && getKind() != ReduceKind::Min)
    return emitOpError("kind must be max or min, not ")
           << stringifyReduceKind(getKind());
  if (!elementTypeOf(getResult()).isInteger(64))
    return emitOpError("result element type must be i64, not ")
           << elementTypeOf(getResult());
  return verifyAxis(*this, getInput(), getAxis());
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (llvm::count(getShape(), -1) > 1)
    return emitOpError("more than one dimension of the shape is -1");
  for (int64_t d : getShape())
    if (d < -1)
      return emitOpError("shape dimension ") << d << " is invalid";
  auto in = cast<TensorType>(getInput().getType());
  auto out = cast<TensorType>(getType());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("result has ")
           << out.getNumElements() << " elements but the input has "
           << in.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      cast<TensorType>(getType()).hasStaticShape())
    return getInput();
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x) once the outer result shape is known.
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!inner || !type || !type.hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(
        op, type, inner.getInput(), type.getShape(), /*allow_zero=*/true);
    return success();
  }
};

/// Makes the target shape explicit once it is known, so later passes never
/// see ONNX's 0 and -1 conventions.
struct MakeReshapeExplicit : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.hasStaticShape() ||
        (op.getShape() == type.getShape() && op.getAllowZero()))
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.setShape(type.getShape());
      op.setAllowZero(true);
    });
    return success();
  }
};

/// squeeze/unsqueeze are reshapes once their result shape is known.
template <typename OpTy> struct ShapeOpToReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getInput(),
                                           type.getShape(),
                                           /*allow_zero=*/true);
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldReshapeChain, MakeReshapeExplicit>(context);
}

void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ShapeOpToReshape<SqueezeOp>>(context);
}

void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ShapeOpToReshape<UnsqueezeOp>>(context);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
      return emitOpError("perm is not a permutation of 0..") << perm.size() - 1;
    seen[p] = true;
  }
  auto type = cast<TensorType>(getInput().getType());
  if (type.hasRank() && type.getRank() != static_cast<int64_t>(perm.size()))
    return emitOpError("perm has ")
           << perm.size() << " entries but the input has rank "
           << type.getRank();
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (static_cast<int64_t>(i) != p)
      return {};
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Data movement with indices
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  std::optional<int64_t> rank;
  for (Value input : getInputs()) {
    auto type = dyn_cast<RankedTensorType>(input.getType());
    if (!type)
      continue;
    if (type.getRank() == 0)
      return emitOpError("inputs must have rank at least 1");
    if (rank && *rank != type.getRank())
      return emitOpError("inputs have different ranks ")
             << *rank << " and " << type.getRank();
    rank = type.getRank();
  }
  if (rank && !normalizeAxis(getAxis(), *rank))
    return emitOpError("axis ")
           << getAxis() << " is out of range for rank " << *rank;
  return success();
}

LogicalResult SliceOp::verify() {
  size_t count = getStarts().size();
  if (getEnds().size() != count || getAxes().size() != count ||
      getSteps().size() != count)
    return emitOpError("starts, ends, axes and steps must have the same "
                       "length");
  if (llvm::is_contained(getSteps(), 0))
    return emitOpError("steps must not be 0");
  return verifyAxes(*this, getInput(), getAxes());
}

static LogicalResult verifyIndices(Operation *op, Value indices) {
  Type type = elementTypeOf(indices);
  if (!type.isInteger(32) && !type.isInteger(64))
    return op->emitOpError("indices must be i32 or i64, not ") << type;
  return success();
}

LogicalResult GatherOp::verify() {
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()))
    return emitOpError("result element type differs from the input's");
  if (failed(verifyIndices(*this, getIndices())))
    return failure();
  auto type = cast<TensorType>(getInput().getType());
  if (type.hasRank() && type.getRank() == 0)
    return emitOpError("input must have rank at least 1");
  return verifyAxis(*this, getInput(), getAxis());
}

/// The operands of gather/scatter_elements: indices (and updates) have the
/// input's rank.
static LogicalResult verifyElementsOperands(Operation *op, Value input,
                                            Value indices, int64_t axis) {
  if (failed(verifyIndices(op, indices)))
    return failure();
  auto in = dyn_cast<RankedTensorType>(input.getType());
  auto idx = dyn_cast<RankedTensorType>(indices.getType());
  if (in && idx && in.getRank() != idx.getRank())
    return op->emitOpError("indices have rank ")
           << idx.getRank() << " but the input has rank " << in.getRank();
  if (in && in.getRank() == 0)
    return op->emitOpError("input must have rank at least 1");
  return verifyAxis(op, input, axis);
}

LogicalResult GatherElementsOp::verify() {
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()))
    return emitOpError("result element type differs from the input's");
  return verifyElementsOperands(*this, getInput(), getIndices(), getAxis());
}

LogicalResult ScatterElementsOp::verify() {
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()) ||
      elementTypeOf(getUpdates()) != elementTypeOf(getResult()))
    return emitOpError("input, updates and result element types differ");
  auto idx = dyn_cast<RankedTensorType>(getIndices().getType());
  auto upd = dyn_cast<RankedTensorType>(getUpdates().getType());
  if (idx && upd && idx.getShape() != upd.getShape())
    return emitOpError("updates shape ")
           << formatShape(upd.getShape()) << " differs from indices shape "
           << formatShape(idx.getShape());
  return verifyElementsOperands(*this, getInput(), getIndices(), getAxis());
}

LogicalResult ExpandOp::verify() {
  for (int64_t d : getShape())
    if (d < 0)
      return emitOpError("shape dimension ") << d << " is negative";
  return success();
}

LogicalResult TileOp::verify() {
  for (int64_t r : getRepeats())
    if (r < 0)
      return emitOpError("repeat ") << r << " is negative";
  auto type = cast<TensorType>(getInput().getType());
  if (type.hasRank() &&
      type.getRank() != static_cast<int64_t>(getRepeats().size()))
    return emitOpError("has ")
           << getRepeats().size() << " repeats but the input has rank "
           << type.getRank();
  return success();
}

LogicalResult PadOp::verify() {
  auto type = cast<TensorType>(getInput().getType());
  if (type.hasRank() &&
      2 * type.getRank() != static_cast<int64_t>(getPads().size()))
    return emitOpError("has ")
           << getPads().size() << " pads but the input has rank "
           << type.getRank() << " (expected " << 2 * type.getRank() << ")";
  auto value = cast<TensorType>(getValue().getType());
  if (value.hasRank() && value.getRank() != 0)
    return emitOpError("value must be a scalar");
  if (value.getElementType() != type.getElementType() ||
      elementTypeOf(getResult()) != type.getElementType())
    return emitOpError("value, input and result element types differ");
  return success();
}

LogicalResult TriluOp::verify() {
  auto type = cast<TensorType>(getInput().getType());
  if (type.hasRank() && type.getRank() < 2)
    return emitOpError("input must have rank at least 2");
  return success();
}

std::pair<int64_t, int64_t> dsc::graph::shapeRange(int64_t rank, int64_t start,
                                                   std::optional<int64_t> end) {
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t s = clamp(start), e = end ? clamp(*end) : rank;
  return {s, std::max(s, e)};
}

SmallVector<SliceDim> dsc::graph::resolveSlice(ArrayRef<int64_t> shape,
                                               ArrayRef<int64_t> starts,
                                               ArrayRef<int64_t> ends,
                                               ArrayRef<int64_t> axes,
                                               ArrayRef<int64_t> steps) {
  SmallVector<SliceDim> dims;
  for (int64_t d : shape)
    dims.push_back({0, 1, d});
  int64_t rank = shape.size();
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    int64_t dim = shape[axis];
    if (ShapedType::isDynamic(dim)) {
      dims[axis] = {0, steps[i], ShapedType::kDynamic};
      continue;
    }
    int64_t start = starts[i], end = ends[i], step = steps[i];
    // ONNX clamps after adding the dimension to negative values; INT64_MIN
    // and INT64_MAX stand for "from the very end/beginning".
    if (start < 0)
      start = start < -dim ? -1 : start + dim;
    if (end < 0)
      end = end < -dim ? -1 : end + dim;
    int64_t count;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      count = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    dims[axis] = {start, step, count};
  }
  return dims;
}

LogicalResult ShapeOp::verify() {
  if (!elementTypeOf(getResult()).isInteger(64))
    return emitOpError("result element type must be i64");
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  if (!input || !input.hasStaticShape())
    return {};
  auto [start, end] = shapeRange(input.getRank(), getStart(), getEnd());
  auto type =
      RankedTensorType::get({end - start}, IntegerType::get(getContext(), 64));
  if (type != getType())
    return {};
  SmallVector<APInt> values;
  for (int64_t i = start; i < end; ++i)
    values.push_back(APInt(64, input.getDimSize(i)));
  return DenseElementsAttr::get(type, values);
}

LogicalResult SizeOp::verify() {
  if (!elementTypeOf(getResult()).isInteger(64))
    return emitOpError("result element type must be i64");
  return success();
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!input || !input.hasStaticShape() || !type || type.getRank() != 0)
    return {};
  return DenseElementsAttr::get(type, APInt(64, input.getNumElements()));
}

//===----------------------------------------------------------------------===//
// FusionOp
//===----------------------------------------------------------------------===//

void FusionOp::build(OpBuilder &builder, OperationState &state,
                     TypeRange resultTypes, ValueRange inputs, FusionKind kind,
                     StringRef anchor) {
  state.addOperands(inputs);
  state.addTypes(resultTypes);
  state.addAttribute(getKindAttrName(state.name),
                     FusionKindAttr::get(builder.getContext(), kind));
  state.addAttribute(getAnchorAttrName(state.name),
                     builder.getStringAttr(anchor));
  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  for (Value input : inputs)
    block->addArgument(input.getType(), state.location);
}

LogicalResult FusionOp::verify() {
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments but the fusion has "
           << getInputs().size() << " inputs";
  for (auto [arg, input] : llvm::zip(block.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument type ")
             << arg.getType() << " does not match input type "
             << input.getType();
  auto yield = cast<YieldOp>(block.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("body yields ")
           << yield.getValues().size()
           << " values whose types do not match the fusion's results";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.cpp.inc"
