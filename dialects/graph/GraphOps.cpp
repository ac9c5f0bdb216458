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

LogicalResult ReduceMeanOp::verify() {
  auto type = cast<TensorType>(getInput().getType());
  if (!type.hasRank())
    return success();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : getAxes()) {
    auto normalized = normalizeAxis(axis, type.getRank());
    if (!normalized)
      return emitOpError("axis ")
             << axis << " is out of range for rank " << type.getRank();
    if (!seen.insert(*normalized).second)
      return emitOpError("axis ") << axis << " appears twice";
  }
  return success();
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
