//===- RouteExperts.cpp - graph-route-experts -----------------------------===//
//
// A stacked dense mixture of experts (graph-stack-experts) computes every
// expert on every token, then multiplies by a gate that is zero for all
// but the k experts the router chose:
//
//   h[t, e] = body(x @ W1, x @ W3)[t, e] * gate[t, e],  y = flat(h) @ W2
//
// Only the T * k chosen (token, expert) rows contribute. graph.moe_route
// sorts them into row groups per expert; the projections and the down
// projection become grouped GEMMs over those rows, and each token sums
// its k rows of the down projection.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "passes/graph/ConstantBytes.h"

#include "compiler/reference/Reference.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace dsc::graph {
#define GEN_PASS_DEF_ROUTEEXPERTS
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc;
using namespace dsc::graph;

namespace {

RankedTensorType staticType(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type : nullptr;
}

bool hasShape(Value value, ArrayRef<int64_t> shape) {
  RankedTensorType type = staticType(value);
  return type && type.getShape() == shape;
}

/// The integer values of a constant, or none.
std::optional<SmallVector<int64_t>> integerValues(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  FailureOr<reference::Tensor> tensor =
      reference::fromAttr(constant.getValue());
  if (failed(tensor) || reference::isFloat(tensor->dtype))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (double v : tensor->data)
    values.push_back(static_cast<int64_t>(v));
  return values;
}

/// gate[t, e] = sum_j w[t, j] * (choices[t, j] == e), as graph-stack-experts
/// leaves it: reduce sum over the last axis of [T, E, k] of the weights
/// [T, 1, k] times the cast comparison of the choices [T, 1, k] with the
/// expert indices [1, E, 1].
struct TopKGate {
  /// The [T, k] indices of a graph.topk over the E experts: distinct, so
  /// each (t, e) has at most one term.
  Value choices;
  /// The [T, 1, k] weights.
  Value weights;
};

std::optional<TopKGate> matchTopKGate(Value gate, int64_t tokens,
                                      int64_t experts) {
  auto reduce = gate.getDefiningOp<ReduceOp>();
  if (!reduce || reduce.getKind() != ReduceKind::Sum || !reduce.getKeepdims() ||
      reduce.getAxes().size() != 1 ||
      (reduce.getAxes()[0] != 2 && reduce.getAxes()[0] != -1))
    return std::nullopt;
  RankedTensorType terms = staticType(reduce.getInput());
  if (!terms || terms.getRank() != 3 || terms.getDimSize(0) != tokens ||
      terms.getDimSize(1) != experts)
    return std::nullopt;
  int64_t k = terms.getDimSize(2);
  auto mul = reduce.getInput().getDefiningOp<MulOp>();
  if (!mul)
    return std::nullopt;
  for (auto [weights, selection] : {std::pair(mul.getLhs(), mul.getRhs()),
                                    std::pair(mul.getRhs(), mul.getLhs())}) {
    auto cast = selection.getDefiningOp<CastOp>();
    auto compare = cast ? cast.getInput().getDefiningOp<CompareOp>() : nullptr;
    if (!compare || compare.getPredicate() != ComparePredicate::Eq ||
        !hasShape(weights, {tokens, 1, k}))
      continue;
    for (auto [choices, indices] :
         {std::pair(compare.getLhs(), compare.getRhs()),
          std::pair(compare.getRhs(), compare.getLhs())}) {
      std::optional<SmallVector<int64_t>> expertIndices =
          integerValues(indices);
      if (!expertIndices || !hasShape(indices, {1, experts, 1}) ||
          *expertIndices != llvm::to_vector(llvm::seq<int64_t>(0, experts)))
        continue;
      auto reshape = choices.getDefiningOp<ReshapeOp>();
      if (!reshape || !hasShape(choices, {tokens, 1, k}))
        continue;
      auto topk = reshape.getInput().getDefiningOp<TopKOp>();
      if (!topk || reshape.getInput() != topk.getIndices() ||
          !hasShape(topk.getIndices(), {tokens, k}))
        continue;
      // Indices into E values: every choice names an expert.
      RankedTensorType scores = staticType(topk.getInput());
      if (!scores || scores.getRank() != 2 ||
          (topk.getAxisAttr().getInt() != 1 &&
           topk.getAxisAttr().getInt() != -1) ||
          scores.getDimSize(1) != experts)
        continue;
      return TopKGate{topk.getIndices(), weights};
    }
  }
  return std::nullopt;
}

/// The stacked MoE around one down projection `y = flat(h) @ W2`.
struct StackedExperts {
  MatMulOp down;
  ReshapeOp flat;
  /// h = body * gate.
  MulOp gated;
  Value body;
  TopKGate gate;
  /// Ops of the body, operands before users.
  SmallVector<Operation *> ops;
  /// Reshapes of projections `x @ W` ([T, E * F] to [T, E, F]) the body
  /// reads, and the constants it broadcasts.
  SmallVector<ReshapeOp> projections;
  SmallVector<Value> constants;
  int64_t tokens = 0, experts = 0, hidden = 0;
};

/// Whether `value` is a constant the routed body can broadcast as is over
/// [rows, F]: rank 0 or 1, or [1, 1, b].
bool isBroadcastConstant(Value value) {
  RankedTensorType type = staticType(value);
  if (!value.getDefiningOp<ConstantOp>() || !type)
    return false;
  return type.getRank() <= 1 ||
         (type.getRank() == 3 && type.getDimSize(0) == 1 &&
          type.getDimSize(1) == 1);
}

std::optional<StackedExperts> matchStackedExperts(MatMulOp down) {
  StackedExperts match;
  match.down = down;
  match.flat = down.getLhs().getDefiningOp<ReshapeOp>();
  RankedTensorType weightType = staticType(down.getRhs());
  if (!match.flat || !match.flat->hasOneUse() ||
      !down.getRhs().getDefiningOp<ConstantOp>() || !weightType ||
      weightType.getRank() != 2)
    return std::nullopt;
  Value hidden = match.flat.getInput();
  RankedTensorType hiddenType = staticType(hidden);
  if (!hiddenType || hiddenType.getRank() != 3 || !hidden.hasOneUse() ||
      !hasShape(down.getLhs(),
                {hiddenType.getDimSize(0),
                 hiddenType.getDimSize(1) * hiddenType.getDimSize(2)}) ||
      !isa<FloatType>(hiddenType.getElementType()))
    return std::nullopt;
  match.tokens = hiddenType.getDimSize(0);
  match.experts = hiddenType.getDimSize(1);
  match.hidden = hiddenType.getDimSize(2);
  ArrayRef<int64_t> rowShape = hiddenType.getShape();

  match.gated = hidden.getDefiningOp<MulOp>();
  if (!match.gated)
    return std::nullopt;
  for (auto [body, gate] :
       {std::pair(match.gated.getLhs(), match.gated.getRhs()),
        std::pair(match.gated.getRhs(), match.gated.getLhs())}) {
    if (!hasShape(body, rowShape) ||
        !hasShape(gate, {match.tokens, match.experts, 1}))
      continue;
    if (std::optional<TopKGate> topk =
            matchTopKGate(gate, match.tokens, match.experts)) {
      match.gate = *topk;
      match.body = body;
      break;
    }
  }
  if (!match.body)
    return std::nullopt;

  // The body: elementwise ops over [T, E, F] read only by the body.
  llvm::SetVector<Operation *> members;
  SmallVector<Value> worklist{match.body};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *op = value.getDefiningOp();
    if (op && isa<ElementwiseOpInterface>(op) && op->getNumResults() == 1 &&
        hasShape(value, rowShape)) {
      if (members.insert(op))
        llvm::append_range(worklist, op->getOperands());
      continue;
    }
    if (isBroadcastConstant(value)) {
      if (!llvm::is_contained(match.constants, value))
        match.constants.push_back(value);
      continue;
    }
    auto reshape = value.getDefiningOp<ReshapeOp>();
    auto projection =
        reshape ? reshape.getInput().getDefiningOp<MatMulOp>() : nullptr;
    RankedTensorType projectionWeight =
        projection ? staticType(projection.getRhs()) : nullptr;
    if (!projection || !hasShape(value, rowShape) || !projection->hasOneUse() ||
        !projection.getRhs().getDefiningOp<ConstantOp>() || !projectionWeight ||
        projectionWeight.getRank() != 2 ||
        projectionWeight.getDimSize(1) != match.experts * match.hidden ||
        !hasShape(projection.getLhs(),
                  {match.tokens, projectionWeight.getDimSize(0)}))
      return std::nullopt;
    if (!match.projections.empty() &&
        projection.getLhs() != match.projections.front()
                                   .getInput()
                                   .getDefiningOp<MatMulOp>()
                                   .getLhs())
      return std::nullopt;
    if (!llvm::is_contained(match.projections, reshape))
      match.projections.push_back(reshape);
  }
  if (match.projections.empty())
    return std::nullopt;
  // Everything the body computes, and the projections, are read by the body
  // only: nothing needs them unrouted.
  auto insideBody = [&](Operation *user) {
    return members.contains(user) || user == match.gated;
  };
  for (Operation *op : members)
    if (!llvm::all_of(op->getUsers(), insideBody))
      return std::nullopt;
  for (ReshapeOp reshape : match.projections)
    if (!llvm::all_of(reshape->getUsers(), insideBody))
      return std::nullopt;
  auto inBlockOrder = [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  };
  match.ops = members.takeVector();
  llvm::sort(match.ops, inBlockOrder);
  llvm::sort(match.projections,
             [&](ReshapeOp a, ReshapeOp b) { return inBlockOrder(a, b); });
  return match;
}

/// `weight` [Dm, E * F] (expert e's columns at e * F) as [E, Dm, F].
FailureOr<ElementsAttr> expertMajor(Value weight, int64_t experts) {
  auto type = cast<RankedTensorType>(weight.getType());
  std::optional<std::vector<char>> bytes = constantBytes(weight);
  FailureOr<reference::DType> dtype = reference::dtypeOf(type.getElementType());
  if (!bytes || failed(dtype))
    return failure();
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1) / experts;
  size_t width = columns * reference::byteSize(*dtype);
  if (bytes->size() != rows * experts * width)
    return failure();
  std::vector<char> moved(bytes->size());
  for (int64_t e = 0; e < experts; ++e)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(moved.data() + (e * rows + r) * width,
                  bytes->data() + (r * experts + e) * width, width);
  return reference::attrFromBytes(*dtype, type.clone({experts, rows, columns}),
                                  moved, "routed_experts");
}

/// `weight` [E * F, D] (expert e's rows at e * F) as [E, F, D]: the same
/// bytes.
FailureOr<ElementsAttr> splitRows(Value weight, int64_t experts) {
  auto type = cast<RankedTensorType>(weight.getType());
  std::optional<std::vector<char>> bytes = constantBytes(weight);
  FailureOr<reference::DType> dtype = reference::dtypeOf(type.getElementType());
  if (!bytes || failed(dtype) ||
      int64_t(bytes->size()) !=
          type.getNumElements() * reference::byteSize(*dtype))
    return failure();
  return reference::attrFromBytes(
      *dtype,
      type.clone({experts, type.getDimSize(0) / experts, type.getDimSize(1)}),
      *bytes, "routed_experts");
}

struct RouteExpertsPass : dsc::graph::impl::RouteExpertsBase<RouteExpertsPass> {
  using RouteExpertsBase::RouteExpertsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (groupRows < 1) {
      func.emitError("graph-route-experts: group-rows must be at least 1, not ")
          << int64_t(groupRows);
      return signalPassFailure();
    }
    // A symbolic token count would need the routing per launch.
    if (func->hasAttr("graph.symbolic_dim"))
      return;
    SmallVector<MatMulOp> downs;
    func.walk([&](MatMulOp matmul) { downs.push_back(matmul); });
    for (MatMulOp down : downs) {
      std::optional<StackedExperts> match = matchStackedExperts(down);
      if (match && pays(*match))
        route(*match);
    }
  }

private:
  bool pays(StackedExperts &match) {
    int64_t k = staticType(match.gate.choices).getDimSize(1);
    int64_t rows = MoeRouteOp::routedRows(match.tokens * k, match.experts,
                                          int64_t(groupRows));
    return double(rows) * costFactor < double(match.tokens * match.experts);
  }

  void route(StackedExperts &match) {
    MatMulOp down = match.down;
    int64_t experts = match.experts, tokens = match.tokens;
    RankedTensorType choicesType = staticType(match.gate.choices);
    int64_t k = choicesType.getDimSize(1);
    int64_t rows = MoeRouteOp::routedRows(tokens * k, experts, groupRows);

    // The weights first: one that cannot be read leaves the graph as it is.
    SmallVector<ElementsAttr> projectionWeights;
    for (ReshapeOp reshape : match.projections) {
      FailureOr<ElementsAttr> weight = expertMajor(
          reshape.getInput().getDefiningOp<MatMulOp>().getRhs(), experts);
      if (failed(weight))
        return;
      projectionWeights.push_back(*weight);
    }
    FailureOr<ElementsAttr> downWeight = splitRows(down.getRhs(), experts);
    if (failed(downWeight))
      return;

    OpBuilder builder(down);
    Location loc = down.getLoc();
    Type i32 = builder.getI32Type();
    auto route = builder.create<MoeRouteOp>(
        loc,
        TypeRange{RankedTensorType::get({rows}, i32),
                  RankedTensorType::get({rows}, i32),
                  RankedTensorType::get({tokens, k}, i32),
                  RankedTensorType::get({rows / groupRows}, i32)},
        match.gate.choices, builder.getI64IntegerAttr(experts),
        builder.getI64IntegerAttr(groupRows));

    // Each routed row's token, then its projections by its group's expert.
    Value input =
        match.projections.front().getInput().getDefiningOp<MatMulOp>().getLhs();
    auto inputType = cast<RankedTensorType>(input.getType());
    Value tokenRows = builder.create<GatherOp>(
        loc, inputType.clone({rows, inputType.getDimSize(1)}), input,
        route.getRowTokens(), /*axis=*/0);
    auto rowType = cast<RankedTensorType>(match.body.getType())
                       .clone({rows, match.hidden});
    IRMapping mapping;
    for (auto [reshape, weight] :
         llvm::zip(match.projections, projectionWeights)) {
      Value constant = builder.create<ConstantOp>(loc, weight);
      Value product = builder.create<GroupedMatMulOp>(
          loc,
          rowType.clone(cast<ShapedType>(reshape.getType()).getElementType()),
          tokenRows, constant, route.getGroups(), groupRows);
      mapping.map(reshape.getResult(), product);
    }
    for (Value constant : match.constants) {
      auto type = cast<RankedTensorType>(constant.getType());
      if (type.getRank() != 3)
        continue;
      auto flat = type.clone({1, type.getDimSize(2)});
      mapping.map(constant, builder.create<ReshapeOp>(loc, flat, constant,
                                                      flat.getShape(),
                                                      /*allow_zero=*/true));
    }
    // The body once per routed row.
    for (Operation *op : match.ops) {
      Operation *clone = builder.clone(*op, mapping);
      Value result = clone->getResult(0);
      result.setType(
          rowType.clone(cast<ShapedType>(result.getType()).getElementType()));
    }
    // Row r's gate is its slot's weight: the one term of the gate's sum.
    Value weights = match.gate.weights;
    auto weightsType = cast<RankedTensorType>(weights.getType());
    auto slotsType = weightsType.clone({tokens * k});
    Value slotWeights = builder.create<ReshapeOp>(
        loc, slotsType, weights, slotsType.getShape(), /*allow_zero=*/true);
    Value rowWeights = builder.create<GatherOp>(
        loc, weightsType.clone({rows}), slotWeights, route.getRowSlots(),
        /*axis=*/0);
    auto gateType = weightsType.clone({rows, 1});
    Value rowGates = builder.create<ReshapeOp>(
        loc, gateType, rowWeights, gateType.getShape(), /*allow_zero=*/true);
    Value body = mapping.lookupOrDefault(match.body);
    bool bodyFirst = match.gated.getLhs() == match.body;
    Value gated = builder.create<MulOp>(
        loc, cast<RankedTensorType>(body.getType()),
        bodyFirst ? body : rowGates, bodyFirst ? rowGates : body);

    // The down projection per routed row; each token sums its k rows.
    Value downConstant = builder.create<ConstantOp>(loc, *downWeight);
    auto resultType = cast<RankedTensorType>(down.getType());
    Value rowOutputs = builder.create<GroupedMatMulOp>(
        loc, resultType.clone({rows, resultType.getDimSize(1)}), gated,
        downConstant, route.getGroups(), groupRows);
    Value slotOutputs = builder.create<GatherOp>(
        loc, resultType.clone({tokens, k, resultType.getDimSize(1)}),
        rowOutputs, route.getSlotRows(), /*axis=*/0);
    Value sum = builder.create<ReduceOp>(loc, resultType, ReduceKind::Sum,
                                         slotOutputs, ArrayRef<int64_t>{1},
                                         /*keepdims=*/false);
    down.getResult().replaceAllUsesWith(sum);

    // The dense ops, users before producers; the gate's ops are left to
    // the canonicalizer.
    SmallVector<Operation *> dead = {down, match.flat, match.gated};
    llvm::append_range(dead, llvm::reverse(match.ops));
    // One constant may be several projections' weights.
    llvm::SetVector<Operation *> weightConstants;
    weightConstants.insert(down.getRhs().getDefiningOp());
    for (ReshapeOp reshape : match.projections) {
      auto projection = reshape.getInput().getDefiningOp<MatMulOp>();
      dead.push_back(reshape);
      dead.push_back(projection);
      weightConstants.insert(projection.getRhs().getDefiningOp());
    }
    for (Operation *op : dead)
      op->erase();
    for (Operation *weight : weightConstants)
      if (weight->use_empty())
        weight->erase();
  }
};

} // namespace
