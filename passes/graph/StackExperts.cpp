//===- StackExperts.cpp - graph-stack-experts -----------------------------===//
//
// A dense mixture of experts sums E expert outputs, each a GEMM of its own
// elementwise body on its own projections of the shared input:
//
//   acc_e = acc_{e-1} + h_e @ W2_e,   h_e = body(x @ W1_e, x @ W3_e, g_e)
//
// Stacking the experts' weights along a new axis turns the 3 E GEMMs and E
// elementwise kernels into one GEMM per projection, one elementwise kernel
// over [T, E, F] and one GEMM with K = E * F whose sum over K is the sum
// over experts.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "passes/graph/ConstantBytes.h"

#include "compiler/reference/Reference.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace dsc::graph {
#define GEN_PASS_DEF_STACKEXPERTS
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc;
using namespace dsc::graph;

namespace {

/// One expert's term of the sum: `product = body(...) @ down`, added to the
/// running sum by `add` (null for a first expert that starts the sum).
struct ExpertTerm {
  AddOp add;
  MatMulOp product;
};

/// The elementwise ops and keepdims reductions between an expert's
/// projections (and other leaves) and its down projection's input, operands
/// before users.
struct ExpertBody {
  SmallVector<Operation *> ops;
  SmallVector<Value> leaves;
};

/// How the leaves at one position of the bodies differ across experts.
enum class LeafKind {
  /// `x @ W_e`: the same x, a constant [Dm, F] weight per expert.
  Projection,
  /// The same value for every expert.
  Shared,
  /// One constant per expert (a bias), stacked at compile time.
  StackedConstant,
  /// One [T, 1] value per expert (a gate), concatenated at run time.
  StackedRowScale,
};

/// The constants `values`, each `rows` row-major rows, side by side: row r
/// of the result is row r of each in turn (one row: one after another).
FailureOr<ElementsAttr> stackConstants(ArrayRef<Value> values,
                                       RankedTensorType type, int64_t rows) {
  FailureOr<reference::DType> dtype = reference::dtypeOf(type.getElementType());
  if (failed(dtype))
    return failure();
  int64_t elementBytes = reference::byteSize(*dtype);
  SmallVector<std::vector<char>> parts;
  for (Value value : values) {
    std::optional<std::vector<char>> bytes = constantBytes(value);
    auto valueType = cast<RankedTensorType>(value.getType());
    if (!bytes ||
        int64_t(bytes->size()) != valueType.getNumElements() * elementBytes)
      return failure();
    parts.push_back(std::move(*bytes));
  }
  std::vector<char> joined;
  joined.reserve(type.getNumElements() * elementBytes);
  for (int64_t row = 0; row < rows; ++row)
    for (const std::vector<char> &part : parts) {
      size_t width = part.size() / rows;
      joined.insert(joined.end(), part.begin() + row * width,
                    part.begin() + (row + 1) * width);
    }
  if (int64_t(joined.size()) != type.getNumElements() * elementBytes)
    return failure();
  return reference::attrFromBytes(*dtype, type, joined, "stacked_experts");
}

/// Whether `value` is a tensor of static shape and rank 2.
bool isStatic2D(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() == 2 && type.hasStaticShape();
}

bool isConstantWeight(Value value) {
  return value.getDefiningOp<ConstantOp>() && isStatic2D(value);
}

/// Whether `value` is `h @ W` with a constant 2-D W, used once.
MatMulOp asDownProjection(Value value) {
  auto matmul = value.getDefiningOp<MatMulOp>();
  if (!matmul || !matmul->hasOneUse() || !isConstantWeight(matmul.getRhs()) ||
      !isStatic2D(matmul.getLhs()) || !isStatic2D(matmul.getResult()))
    return nullptr;
  return matmul;
}

/// `x @ W` with a 2-D x and a constant 2-D W.
MatMulOp asProjection(Value value) {
  auto matmul = value.getDefiningOp<MatMulOp>();
  if (!matmul || !isConstantWeight(matmul.getRhs()) ||
      !isStatic2D(matmul.getLhs()) || !isStatic2D(matmul.getResult()))
    return nullptr;
  return matmul;
}

/// Elementwise ops and keepdims reductions on 2-D values: their stacked
/// form over [a, E, b] is the same op (a reduction's axes move past E).
bool isBodyCandidate(Operation *op) {
  if (!op || op->getNumResults() != 1 || !isStatic2D(op->getResult(0)))
    return false;
  if (auto reduce = dyn_cast<ReduceOp>(op))
    return reduce.getKeepdims() && isStatic2D(reduce.getInput());
  return isa<ElementwiseOpInterface>(op);
}

/// A reduction's axes of [a, b] as axes of [a, E, b].
SmallVector<int64_t> stackedAxes(ReduceOp reduce) {
  SmallVector<int64_t> axes;
  if (reduce.getAxes().empty())
    return {0, 2};
  for (int64_t axis : reduce.getAxes())
    axes.push_back((axis < 0 ? axis + 2 : axis) == 0 ? 0 : 2);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

/// The body that computes `root`: elementwise ops and keepdims reductions
/// whose every user is in the body (the root's only user is
/// `downProjection`). Projections and anything
/// else become leaves.
ExpertBody collectBody(Value root, Operation *downProjection) {
  ExpertBody body;
  if (!isBodyCandidate(root.getDefiningOp()))
    return body;
  Operation *rootOp = root.getDefiningOp();
  // Candidates: body ops reachable from the root.
  llvm::SmallPtrSet<Operation *, 16> members;
  SmallVector<Operation *> worklist{rootOp};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!members.insert(op).second)
      continue;
    for (Value operand : op->getOperands())
      if (isBodyCandidate(operand.getDefiningOp()))
        worklist.push_back(operand.getDefiningOp());
  }
  // Ops read outside the body stay outside (they become leaves), which may
  // leave their producers read outside in turn.
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *op :
         SmallVector<Operation *>(members.begin(), members.end())) {
      if (op == rootOp || llvm::all_of(op->getUsers(), [&](Operation *user) {
            return members.contains(user);
          }))
        continue;
      members.erase(op);
      changed = true;
    }
  }
  if (!llvm::all_of(rootOp->getUsers(),
                    [&](Operation *user) { return user == downProjection; }))
    return body;
  // Operands first, in operand order: the same walk on isomorphic bodies
  // visits matching ops and leaves in the same order.
  llvm::DenseSet<Operation *> visited;
  llvm::SetVector<Value> leaves;
  std::function<void(Operation *)> visit = [&](Operation *op) {
    if (!visited.insert(op).second)
      return;
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (producer && members.contains(producer))
        visit(producer);
      else
        leaves.insert(operand);
    }
    body.ops.push_back(op);
  };
  visit(rootOp);
  body.leaves = leaves.takeVector();
  return body;
}

struct StackExpertsPass : dsc::graph::impl::StackExpertsBase<StackExpertsPass> {
  using StackExpertsBase::StackExpertsBase;

  void runOnOperation() override {
    // One chain at a time: stacking erases ops another chain's walk may
    // have seen.
    bool stacked = true;
    while (stacked) {
      stacked = false;
      SmallVector<AddOp> ends;
      getOperation().walk([&](AddOp add) {
        if (termOf(add) && !continuesInto(add))
          ends.push_back(add);
      });
      for (AddOp end : ends)
        if ((stacked = stackChain(end)))
          break;
    }
  }

private:
  /// The down projection that `add` adds to its running sum.
  static MatMulOp termOf(AddOp add) {
    if (add.getLhs().getType() != add.getType() ||
        add.getRhs().getType() != add.getType())
      return nullptr;
    // The exporter's order is `acc + term`; the first term may be added to
    // the second (no initial sum).
    if (MatMulOp term = asDownProjection(add.getRhs()))
      return term;
    return asDownProjection(add.getLhs());
  }

  static Value accumulatorOf(AddOp add, MatMulOp term) {
    return add.getLhs() == term.getResult() ? add.getRhs() : add.getLhs();
  }

  /// Whether the running sum `add` is the accumulator of a further term.
  static bool continuesInto(AddOp add) {
    if (!add->hasOneUse())
      return false;
    auto next = dyn_cast<AddOp>(*add->getUsers().begin());
    MatMulOp term = next ? termOf(next) : nullptr;
    return term && accumulatorOf(next, term) == add.getResult();
  }

  /// Stacks the chain that ends at `end`; whether it did.
  bool stackChain(AddOp end) {
    // Walk the running sum back to its start.
    SmallVector<ExpertTerm> terms;
    Value initial;
    AddOp add = end;
    while (true) {
      MatMulOp term = termOf(add);
      terms.push_back({add, term});
      Value accumulator = accumulatorOf(add, term);
      auto previous = accumulator.getDefiningOp<AddOp>();
      if (previous && previous->hasOneUse() && termOf(previous)) {
        add = previous;
        continue;
      }
      if (MatMulOp first = asDownProjection(accumulator)) {
        terms.push_back({nullptr, first});
        break;
      }
      initial = accumulator;
      break;
    }
    std::reverse(terms.begin(), terms.end());
    if (terms.size() < 2)
      return false;

    SmallVector<ExpertBody> bodies;
    for (ExpertTerm term : terms) {
      bodies.push_back(collectBody(term.product.getLhs(), term.product));
      if (bodies.back().ops.empty())
        return false;
    }
    if (!sameBodies(bodies) || !llvm::all_of(terms, [&](ExpertTerm term) {
          return term.product.getRhs().getType() ==
                 terms.front().product.getRhs().getType();
        }))
      return false;
    SmallVector<LeafKind> kinds;
    for (size_t i = 0; i < bodies.front().leaves.size(); ++i) {
      std::optional<LeafKind> kind = classifyLeaf(bodies, i);
      if (!kind)
        return false;
      kinds.push_back(*kind);
    }
    if (!llvm::is_contained(kinds, LeafKind::Projection))
      return false;

    // The stacked intermediates: each projection's [T, E * F] and the body's
    // [T, E * F] result.
    auto hiddenType =
        cast<RankedTensorType>(terms.front().product.getLhs().getType());
    int64_t experts = terms.size();
    int64_t elementBytes =
        std::max<int64_t>(1, hiddenType.getElementTypeBitWidth() / 8);
    int64_t stackedBytes = (llvm::count(kinds, LeafKind::Projection) + 1) *
                           hiddenType.getNumElements() * experts * elementBytes;
    if (stackedBytes > int64_t(maxStackedBytes)) {
      end.emitRemark("experts not stacked: the stacked intermediates take ")
          << stackedBytes << " bytes, more than max-stacked-bytes ("
          << int64_t(maxStackedBytes) << ")";
      return false;
    }
    return rewrite(terms, initial, bodies, kinds);
  }

  /// Whether every body is the first one's up to which leaves it reads.
  static bool sameBodies(ArrayRef<ExpertBody> bodies) {
    const ExpertBody &first = bodies.front();
    for (const ExpertBody &body : bodies.drop_front()) {
      if (body.ops.size() != first.ops.size() ||
          body.leaves.size() != first.leaves.size())
        return false;
      for (auto [op, model] : llvm::zip(body.ops, first.ops)) {
        if (op->getName() != model->getName() ||
            op->getAttrDictionary() != model->getAttrDictionary() ||
            op->getResultTypes() != model->getResultTypes() ||
            op->getNumOperands() != model->getNumOperands())
          return false;
        for (auto [operand, modelOperand] :
             llvm::zip(op->getOperands(), model->getOperands())) {
          if (operand.getType() != modelOperand.getType() ||
              position(body, operand) != position(first, modelOperand))
            return false;
        }
      }
    }
    return true;
  }

  /// Where `value` is in `body`: an op's index, or a leaf's index after the
  /// ops.
  static size_t position(const ExpertBody &body, Value value) {
    if (Operation *producer = value.getDefiningOp()) {
      auto it = llvm::find(body.ops, producer);
      if (it != body.ops.end())
        return it - body.ops.begin();
    }
    return body.ops.size() +
           (llvm::find(body.leaves, value) - body.leaves.begin());
  }

  static std::optional<LeafKind> classifyLeaf(ArrayRef<ExpertBody> bodies,
                                              size_t index) {
    Value first = bodies.front().leaves[index];
    auto type = dyn_cast<RankedTensorType>(first.getType());
    if (!type || !type.hasStaticShape())
      return std::nullopt;
    if (llvm::all_of(bodies, [&](const ExpertBody &body) {
          return body.leaves[index] == first;
        }))
      return type.getRank() <= 2 ? std::optional(LeafKind::Shared)
                                 : std::nullopt;
    if (!llvm::all_of(bodies, [&](const ExpertBody &body) {
          return body.leaves[index].getType() == type;
        }))
      return std::nullopt;
    if (MatMulOp projection = asProjection(first)) {
      bool projections = llvm::all_of(bodies, [&](const ExpertBody &body) {
        MatMulOp other = asProjection(body.leaves[index]);
        // Read by the body only: another reader would need it unstacked.
        return other && other.getLhs() == projection.getLhs() &&
               other.getRhs().getType() == projection.getRhs().getType() &&
               llvm::all_of(other->getUsers(), [&](Operation *user) {
                 return llvm::is_contained(body.ops, user);
               });
      });
      return projections ? std::optional(LeafKind::Projection) : std::nullopt;
    }
    if (llvm::all_of(bodies, [&](const ExpertBody &body) {
          return body.leaves[index].getDefiningOp<ConstantOp>();
        }))
      return type.getRank() <= 2 ? std::optional(LeafKind::StackedConstant)
                                 : std::nullopt;
    // Other per-expert values are concatenated at run time: only row
    // scales, whose copies are small.
    if (type.getRank() == 2 && type.getShape()[1] == 1)
      return LeafKind::StackedRowScale;
    return std::nullopt;
  }

  /// `type` [a, b] as [a, E, b] (rank 0 and 1 broadcast as they are); E is
  /// 1 for a value that is the same for every expert.
  static RankedTensorType stackedType(RankedTensorType type, int64_t experts) {
    if (type.getRank() < 2)
      return type;
    return type.clone({type.getShape()[0], experts, type.getShape()[1]});
  }

  bool rewrite(ArrayRef<ExpertTerm> terms, Value initial,
               ArrayRef<ExpertBody> bodies, ArrayRef<LeafKind> kinds) {
    AddOp end = terms.back().add;
    Location loc = end.getLoc();
    OpBuilder builder(end);
    int64_t experts = terms.size();
    const ExpertBody &model = bodies.front();
    auto leavesAt = [&](size_t index) {
      SmallVector<Value> values;
      for (const ExpertBody &body : bodies)
        values.push_back(body.leaves[index]);
      return values;
    };

    // Body ops that read only shared values (copies of one op in each
    // body) compute the same for every expert: [a, 1, b].
    DenseSet<Value> varying;
    for (auto [leaf, kind] : llvm::zip(model.leaves, kinds))
      if (kind != LeafKind::Shared)
        varying.insert(leaf);
    for (Operation *op : model.ops)
      if (llvm::any_of(op->getOperands(), [&](Value operand) {
            return varying.contains(operand);
          }))
        varying.insert(op->getResult(0));
    if (!varying.contains(model.ops.back()->getResult(0)))
      return false;

    // The stacked weights first: a constant that cannot be read leaves the
    // graph unchanged.
    DenseMap<size_t, ElementsAttr> stackedConstants;
    for (auto [index, kind] : llvm::enumerate(kinds)) {
      SmallVector<Value> values = leavesAt(index);
      auto type = cast<RankedTensorType>(values.front().getType());
      FailureOr<ElementsAttr> attr = failure();
      if (kind == LeafKind::Projection) {
        // [Dm, E * F]: expert e's columns at e * F.
        for (Value &value : values)
          value = value.getDefiningOp<MatMulOp>().getRhs();
        auto weightType = cast<RankedTensorType>(values.front().getType());
        attr = stackConstants(
            values,
            weightType.clone(
                {weightType.getShape()[0], experts * weightType.getShape()[1]}),
            weightType.getShape()[0]);
      } else if (kind == LeafKind::StackedConstant) {
        // [a, b] as [a, E, b]; rank 0 and 1 broadcast along the last axis
        // and become [1, E, b].
        if (type.getRank() == 2)
          attr = stackConstants(values, stackedType(type, experts),
                                type.getShape()[0]);
        else
          attr = stackConstants(
              values,
              type.clone(
                  {1, experts, type.getRank() == 1 ? type.getShape()[0] : 1}),
              1);
      } else {
        continue;
      }
      if (failed(attr))
        return false;
      stackedConstants[index] = *attr;
    }
    // [E * F, D]: expert e's rows at e * F, matching the flattened [T, E, F].
    SmallVector<Value> downWeights;
    for (ExpertTerm term : terms)
      downWeights.push_back(term.product.getRhs());
    auto downType = cast<RankedTensorType>(downWeights.front().getType());
    FailureOr<ElementsAttr> downAttr =
        stackConstants(downWeights,
                       downType.clone({experts * downType.getShape()[0],
                                       downType.getShape()[1]}),
                       1);
    if (failed(downAttr))
      return false;

    IRMapping mapping;
    for (auto [index, kind] : llvm::enumerate(kinds)) {
      Value leaf = model.leaves[index];
      auto type = cast<RankedTensorType>(leaf.getType());
      RankedTensorType stacked = stackedType(type, experts);
      SmallVector<Value> values = leavesAt(index);
      Value replacement;
      switch (kind) {
      case LeafKind::Projection: {
        Value weight = builder.create<ConstantOp>(loc, stackedConstants[index]);
        Value input = leaf.getDefiningOp<MatMulOp>().getLhs();
        Value product = builder.create<MatMulOp>(
            loc, type.clone({type.getShape()[0], experts * type.getShape()[1]}),
            input, weight);
        replacement = builder.create<ReshapeOp>(
            loc, stacked, product, stacked.getShape(), /*allow_zero=*/true);
        break;
      }
      case LeafKind::Shared:
        replacement = leaf;
        if (type.getRank() == 2) {
          auto shared = type.clone({type.getShape()[0], 1, type.getShape()[1]});
          replacement = builder.create<ReshapeOp>(
              loc, shared, leaf, shared.getShape(), /*allow_zero=*/true);
        }
        break;
      case LeafKind::StackedConstant:
        replacement = builder.create<ConstantOp>(loc, stackedConstants[index]);
        break;
      case LeafKind::StackedRowScale: {
        auto joinedType =
            type.clone({type.getShape()[0], experts * type.getShape()[1]});
        Value joined = builder.create<ConcatOp>(loc, joinedType, values, 1);
        replacement = builder.create<ReshapeOp>(
            loc, stacked, joined, stacked.getShape(), /*allow_zero=*/true);
        break;
      }
      }
      mapping.map(leaf, replacement);
    }

    // The body once, over [T, E, F].
    for (Operation *op : model.ops) {
      Operation *clone = builder.clone(*op, mapping);
      if (auto reduce = dyn_cast<ReduceOp>(clone))
        reduce.setAxes(stackedAxes(reduce));
      Value result = clone->getResult(0);
      result.setType(
          stackedType(cast<RankedTensorType>(result.getType()),
                      varying.contains(op->getResult(0)) ? experts : 1));
    }
    Value hidden = mapping.lookup(model.ops.back()->getResult(0));
    auto hiddenType = cast<RankedTensorType>(hidden.getType());
    auto flatType = hiddenType.clone(
        {hiddenType.getShape()[0], experts * hiddenType.getShape()[2]});
    Value flat =
        builder.create<ReshapeOp>(loc, flatType, hidden, flatType.getShape(),
                                  /*allow_zero=*/true);

    Value down = builder.create<ConstantOp>(loc, *downAttr);
    Value sum = builder.create<MatMulOp>(loc, end.getType(), flat, down);
    if (initial && !isZero(initial))
      sum = builder.create<AddOp>(loc, end.getType(), initial, sum);
    end.getResult().replaceAllUsesWith(sum);

    // The old ops, users before producers.
    llvm::SetVector<Operation *> dead;
    for (ExpertTerm term : terms) {
      if (term.add)
        dead.insert(term.add);
      dead.insert(term.product);
    }
    for (const ExpertBody &body : bodies) {
      dead.insert(body.ops.begin(), body.ops.end());
      for (auto [leaf, kind] : llvm::zip(body.leaves, kinds))
        if (kind == LeafKind::Projection)
          dead.insert(leaf.getDefiningOp());
    }
    SmallVector<Operation *> order = dead.takeVector();
    llvm::sort(order, [](Operation *a, Operation *b) {
      return b->isBeforeInBlock(a);
    });
    llvm::SetVector<Operation *> weights;
    for (Operation *op : order) {
      for (Value operand : op->getOperands())
        if (Operation *producer = operand.getDefiningOp<ConstantOp>())
          weights.insert(producer);
      op->erase();
    }
    // The per-expert weights live on only in the stacked ones.
    for (Operation *weight : weights)
      if (weight->use_empty())
        weight->erase();
    return true;
  }

  /// An initial sum of zeros (zeros_like) adds nothing.
  static bool isZero(Value value) {
    std::optional<std::vector<char>> bytes = constantBytes(value);
    return bytes && llvm::all_of(*bytes, [](char byte) { return byte == 0; });
  }
};

} // namespace
