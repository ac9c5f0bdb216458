//===- FoldConstants.cpp - graph-fold-constants ---------------------------===//
//
// Evaluates ops whose operands are all constants with the reference
// interpreter, so that folding and execution can never disagree.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "compiler/reference/Reference.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SetVector.h"

namespace dsc::graph {
#define GEN_PASS_DEF_FOLDCONSTANTS
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc;
using namespace dsc::graph;

namespace {
struct FoldConstantsPass
    : dsc::graph::impl::FoldConstantsBase<FoldConstantsPass> {
  using FoldConstantsBase::FoldConstantsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    // Post-order: a fusion body is visited before the fusion, and operands
    // are visited before their users, so chains fold in one sweep.
    getOperation().walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops)
      if (isFoldable(op))
        fold(op);
  }

private:
  bool isFoldable(Operation *op) const {
    if (!isa<GraphDialect>(op->getDialect()) || isa<ConstantOp, YieldOp>(op) ||
        op->getNumResults() == 0)
      return false;
    for (Value operand : op->getOperands())
      if (!operand.getDefiningOp<ConstantOp>())
        return false;
    for (Value result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !type.hasStaticShape() ||
          type.getNumElements() > maxElements)
        return false;
    }
    return true;
  }

  void fold(Operation *op) {
    SmallVector<reference::Tensor> operands;
    for (Value operand : op->getOperands()) {
      FailureOr<reference::Tensor> value =
          reference::fromAttr(operand.getDefiningOp<ConstantOp>().getValue());
      if (failed(value))
        return;
      operands.push_back(std::move(*value));
    }
    FailureOr<SmallVector<reference::Tensor>> results;
    {
      // An op the interpreter cannot run (an element type it lacks, operands
      // a verifier will reject later) is simply not folded.
      ScopedDiagnosticHandler silence(&getContext(),
                                      [](Diagnostic &) { return success(); });
      results = reference::evaluateOp(op, operands);
    }
    if (failed(results))
      return;

    OpBuilder builder(op);
    SmallVector<Value> replacements;
    for (auto [result, tensor] : llvm::zip(op->getResults(), *results)) {
      ElementsAttr value = reference::toAttr(tensor, &getContext(), "folded");
      if (value.getType() != result.getType())
        return;
      replacements.push_back(builder.create<ConstantOp>(op->getLoc(), value));
    }
    llvm::SetVector<Operation *> producers;
    for (Value operand : op->getOperands())
      producers.insert(operand.getDefiningOp());
    op->replaceAllUsesWith(replacements);
    op->erase();
    // Constants only this op read are dead now; erasing them keeps the
    // original weight from outliving its folded form.
    for (Operation *producer : producers)
      if (producer->use_empty())
        producer->erase();
  }
};
} // namespace
