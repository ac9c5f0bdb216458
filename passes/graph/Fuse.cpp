//===- Fuse.cpp - graph-fuse ----------------------------------------------===//
//
// Rewrites the groups of the fusion planner (FusionPlanner.h) into
// graph.fusion regions, one per future kernel. An op recomputed by several
// kernels is cloned into each; a value some op outside reads becomes a
// result of the one kernel that writes it. The decisions of the cost model
// stay visible: `recomputed` counts the members other kernels compute too,
// and `cost` holds the bytes saved and FLOPs added by the decisions that
// shaped the kernel.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/FusionPlanner.h"
#include "passes/graph/Passes.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace dsc::graph {
#define GEN_PASS_DEF_FUSE
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {

struct FusePass : dsc::graph::impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  /// The fusion result each grouped value is read from outside its kernels.
  DenseMap<Value, Value> written;

  /// Builds the group's graph.fusion before its last member. Groups come in
  /// dependency order, so every value it reads from another kernel is
  /// written already.
  void materialize(const FusionGroup &group) {
    llvm::SmallPtrSet<Operation *, 8> inside(group.members.begin(),
                                             group.members.end());
    llvm::SetVector<Value> reads;
    for (Operation *op : group.members)
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if ((def && inside.contains(def)) || isInlinedConstant(operand, op))
          continue;
        reads.insert(operand);
      }
    SmallVector<Value> inputs;
    for (Value value : reads)
      inputs.push_back(written.lookup(value) ? written.lookup(value) : value);

    OpBuilder builder(group.members.back());
    // The fusion answers for every node it holds (diagnostics name them all).
    SmallVector<Location> locations;
    for (Operation *op : group.members)
      locations.push_back(op->getLoc());
    auto fusion = builder.create<FusionOp>(
        FusedLoc::get(&getContext(), locations),
        ValueRange(group.results).getTypes(), inputs, group.kind, group.anchor);
    if (group.recomputed)
      fusion->setAttr("recomputed",
                      builder.getI64IntegerAttr(group.recomputed));
    if (group.cost)
      fusion->setAttr(
          "cost",
          builder.getDictionaryAttr(
              {builder.getNamedAttr("bytes_saved", builder.getI64IntegerAttr(
                                                       group.cost->bytesSaved)),
               builder.getNamedAttr(
                   "flops_added",
                   builder.getI64IntegerAttr(group.cost->flopsAdded))}));

    Block &block = fusion.getBody().front();
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(reads, block.getArguments()))
      mapping.map(value, arg);
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
    for (Value result : group.results)
      yielded.push_back(mapping.lookup(result));
    bodyBuilder.create<YieldOp>(fusion.getLoc(), yielded);

    for (auto [result, replacement] :
         llvm::zip(group.results, fusion.getResults()))
      written[result] = replacement;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (recomputeFlopsPerByte < 0) {
      func.emitError("graph-fuse: recompute-flops-per-byte must not be "
                     "negative, got ")
          << recomputeFlopsPerByte.getValue();
      return signalPassFailure();
    }
    if (maxLiveValues == 0) {
      func.emitError("graph-fuse: max-live-values must be at least 1");
      return signalPassFailure();
    }
    FusionPlanOptions options;
    options.maxInputs = maxInputs;
    options.maxLiveValues = maxLiveValues;
    options.libraryEpilogues = libraryEpilogues;
    options.libraryEpilogueMinMacs = libraryEpilogueMinMacs;
    options.libraryEpilogueMinDepth = libraryEpilogueMinDepth;
    options.recomputeFlopsPerByte = recomputeFlopsPerByte;

    Block &body = func.getBody().front();
    std::vector<FusionGroup> groups = planFusion(body, options);
    written.clear();
    for (const FusionGroup &group : groups)
      materialize(group);

    // Ops outside the kernels (views, the return) read the written values;
    // the grouped ops are then dead.
    for (auto [value, result] : written)
      value.replaceAllUsesWith(result);
    llvm::SetVector<Operation *> grouped;
    for (const FusionGroup &group : groups)
      grouped.insert(group.members.begin(), group.members.end());
    for (Operation *op : grouped)
      for (Operation *user : op->getUsers())
        if (!grouped.contains(user)) {
          user->emitOpError("reads a fused value that no kernel writes");
          return signalPassFailure();
        }
    for (Operation *op : grouped)
      op->dropAllUses();
    for (Operation *op : grouped)
      op->erase();
    // A fusion sits at its last member, which may precede a producer that
    // joined another kernel as an extra result.
    if (!sortTopologically(&body)) {
      func.emitError("graph-fuse: the fused graph has a cycle");
      return signalPassFailure();
    }
    // Splat constants now used only inside bodies are dead.
    for (Operation &op : llvm::make_early_inc_range(body))
      if (isa<ConstantOp>(op) && op.use_empty())
        op.erase();
  }
};
} // namespace
