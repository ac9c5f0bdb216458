//===- Fuse.cpp - graph-fuse ----------------------------------------------===//
//
// Forms one group per future kernel, then rewrites each group into a
// graph.fusion region:
//  1. every anchor starts a group and absorbs the chain of elementwise ops
//     that consume only its (current) result and keep its shape: the
//     epilogue;
//  2. walking backwards, each remaining elementwise op joins the elementwise
//     group of its only user, or starts one.
// Groups are trees whose internal values each have one use, so only the root
// is visible outside and no group can depend on itself.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace dsc::graph {
#define GEN_PASS_DEF_FUSE
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

struct Group {
  FusionKind kind;
  std::string anchor;
  /// Members in program order once sorted.
  SmallVector<Operation *> members;
};

/// Splat constants read by elementwise ops are cloned into kernel bodies (the
/// emitter writes them as literals) instead of being passed as weights.
bool isInlinedConstant(Value value, Operation *user) {
  DenseElementsAttr attr;
  return isa<ElementwiseOpInterface>(user) &&
         matchPattern(value, m_Constant(&attr)) && attr.isSplat();
}

std::optional<std::pair<FusionKind, StringRef>> anchorKind(Operation *op) {
  if (isa<MatMulOp>(op))
    return std::make_pair(FusionKind::Gemm, StringRef("matmul"));
  if (isa<SoftmaxOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("softmax"));
  if (isa<LogSoftmaxOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("log_softmax"));
  if (isa<LayerNormOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("layer_norm"));
  if (isa<ReduceMeanOp>(op))
    return std::make_pair(FusionKind::RowReduction, StringRef("reduce_mean"));
  if (isa<TransposeOp>(op))
    return std::make_pair(FusionKind::Data, StringRef("transpose"));
  if (isa<ReduceOp>(op))
    return std::make_pair(FusionKind::Data, StringRef("reduce"));
  // Implicit-GEMM convs take an epilogue (bias is an operand already).
  if (isImplicitGemmConv(op))
    return std::make_pair(FusionKind::Data, StringRef("conv"));
  return std::nullopt;
}

bool isElementwise(Operation *op) { return isa<ElementwiseOpInterface>(op); }

/// What a float matmul's epilogue holds so far, in the order cuBLASLt
/// applies them: bias, residual, then one activation (not after a residual).
struct LibraryEpilogue {
  bool bias = false, residual = false, activation = false;

  /// Whether `user` of the epilogue's current value `tail` extends it.
  bool accepts(Operation *user, Value tail) {
    if (activation)
      return false;
    auto tailType = cast<ShapedType>(tail.getType());
    if (auto add = dyn_cast<AddOp>(user)) {
      Value other = add.getLhs() == tail ? add.getRhs() : add.getLhs();
      auto otherType = cast<ShapedType>(other.getType());
      if (otherType.getElementType() != tailType.getElementType())
        return false;
      ArrayRef<int64_t> shape = otherType.getShape();
      if (shape == tailType.getShape() && !residual)
        return residual = true;
      bool rowVector = !shape.empty() && shape.back() == tailType.getShape().back() &&
                       llvm::all_of(shape.drop_back(),
                                    [](int64_t d) { return d == 1; });
      if (rowVector && !bias && !residual)
        return bias = true;
      return false;
    }
    if (residual)
      return false;
    if (isa<ReluOp>(user))
      return activation = true;
    if (auto gelu = dyn_cast<GeluOp>(user))
      return activation = gelu.getApproximate() == GeluApproximation::Tanh;
    return false;
  }
};

struct FusePass : dsc::graph::impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  DenseMap<Operation *, unsigned> groupOf;
  std::vector<Group> groups;

  /// Values the group reads from outside (splat constants excluded).
  llvm::SetVector<Value> externalInputs(const Group &group,
                                        Operation *extra = nullptr) {
    llvm::SmallPtrSet<Operation *, 8> inside(group.members.begin(),
                                             group.members.end());
    if (extra)
      inside.insert(extra);
    llvm::SetVector<Value> inputs;
    for (Operation *op : inside)
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if ((def && inside.contains(def)) || isInlinedConstant(operand, op))
          continue;
        inputs.insert(operand);
      }
    return inputs;
  }

  /// The only user of `value`, if it has exactly one use.
  static Operation *soleUser(Value value) {
    if (!value.hasOneUse())
      return nullptr;
    return *value.getUsers().begin();
  }

  void addToGroup(unsigned id, Operation *op) {
    groups[id].members.push_back(op);
    groupOf[op] = id;
  }

  void formGroups(func::FuncOp func) {
    Block &body = func.getBody().front();
    // 1. Anchors and their epilogues.
    for (Operation &op : body) {
      auto kind = anchorKind(&op);
      if (!kind)
        continue;
      unsigned id = groups.size();
      groups.push_back({kind->first, kind->second.str(), {}});
      addToGroup(id, &op);
      // The data-movement emitter takes one op; graph.reduce an epilogue.
      if (kind->first == FusionKind::Data && !isa<ReduceOp>(op) &&
          !isImplicitGemmConv(&op))
        continue;
      Value tail = op.getResult(0);
      auto shape = cast<ShapedType>(tail.getType()).getShape();
      bool libraryOnly =
          libraryEpilogues && isa<MatMulOp>(op) &&
          isa<FloatType>(cast<ShapedType>(tail.getType()).getElementType());
      LibraryEpilogue epilogue;
      while (Operation *user = soleUser(tail)) {
        if (!isElementwise(user) || groupOf.count(user) ||
            cast<ShapedType>(user->getResult(0).getType()).getShape() !=
                shape ||
            externalInputs(groups[id], user).size() > maxInputs ||
            (libraryOnly && !epilogue.accepts(user, tail)))
          break;
        addToGroup(id, user);
        tail = user->getResult(0);
      }
    }
    // Every other computing op is a kernel of its own, so that codegen, not
    // lowering, says which ops it cannot generate yet.
    for (Operation &op : body) {
      if (groupOf.count(&op) || isElementwise(&op) || op.getNumResults() == 0 ||
          isa<ConstantOp, ReshapeOp, SqueezeOp, UnsqueezeOp>(op))
        continue;
      unsigned id = groups.size();
      groups.push_back(
          {FusionKind::Data, op.getName().stripDialect().str(), {}});
      addToGroup(id, &op);
    }
    // 2. Elementwise ops join their only user's elementwise group.
    for (Operation &op : llvm::reverse(body)) {
      if (!isElementwise(&op) || groupOf.count(&op))
        continue;
      Operation *user = soleUser(op.getResult(0));
      auto it = user ? groupOf.find(user) : groupOf.end();
      if (it != groupOf.end() &&
          groups[it->second].kind == FusionKind::Elementwise &&
          externalInputs(groups[it->second], &op).size() <= maxInputs) {
        addToGroup(it->second, &op);
        continue;
      }
      unsigned id = groups.size();
      groups.push_back({FusionKind::Elementwise, "none", {}});
      addToGroup(id, &op);
    }
  }

  /// Replaces the group's ops with one graph.fusion at its last member.
  void materialize(Group &group) {
    llvm::sort(group.members, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    llvm::SmallPtrSet<Operation *, 8> inside(group.members.begin(),
                                             group.members.end());
    llvm::SetVector<Value> inputs = externalInputs(group);
    SmallVector<Value> results;
    for (Operation *op : group.members)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !inside.contains(user);
            }))
          results.push_back(result);

    Operation *last = group.members.back();
    OpBuilder builder(last);
    // The fusion answers for every node it holds (diagnostics name them all).
    SmallVector<Location> locations;
    for (Operation *op : group.members)
      locations.push_back(op->getLoc());
    auto fusion = builder.create<FusionOp>(
        FusedLoc::get(&getContext(), locations), ValueRange(results).getTypes(),
        inputs.getArrayRef(), group.kind, group.anchor);
    Block &block = fusion.getBody().front();
    IRMapping mapping;
    for (auto [input, arg] : llvm::zip(inputs, block.getArguments()))
      mapping.map(input, arg);
    OpBuilder bodyBuilder = OpBuilder::atBlockBegin(&block);
    for (Operation *op : group.members) {
      for (Value operand : op->getOperands())
        if (!mapping.contains(operand) && isInlinedConstant(operand, op))
          mapping.map(
              operand,
              bodyBuilder.clone(*operand.getDefiningOp())->getResult(0));
      bodyBuilder.clone(*op, mapping);
    }
    SmallVector<Value> yielded;
    for (Value result : results)
      yielded.push_back(mapping.lookup(result));
    bodyBuilder.create<YieldOp>(fusion.getLoc(), yielded);

    for (auto [result, replacement] : llvm::zip(results, fusion.getResults()))
      result.replaceAllUsesWith(replacement);
    for (Operation *op : llvm::reverse(group.members))
      op->erase();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    groupOf.clear();
    groups.clear();
    formGroups(func);
    // Materialize in program order of each group's last member, so a group's
    // inputs are already rewritten when it is built.
    SmallVector<unsigned> order(groups.size());
    std::iota(order.begin(), order.end(), 0);
    auto lastOf = [&](unsigned id) {
      Operation *last = groups[id].members.front();
      for (Operation *op : groups[id].members)
        if (last->isBeforeInBlock(op))
          last = op;
      return last;
    };
    llvm::sort(order, [&](unsigned a, unsigned b) {
      return lastOf(a)->isBeforeInBlock(lastOf(b));
    });
    for (unsigned id : order)
      materialize(groups[id]);
    // Splat constants now used only inside bodies are dead.
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
      if (isa<ConstantOp>(op) && op.use_empty())
        op.erase();
  }
};
} // namespace
