//===- InferShapes.cpp - graph-infer-shapes -------------------------------===//

#include "passes/graph/Passes.h"

#include "mlir/IR/Verifier.h"

namespace dsc::graph {
#define GEN_PASS_DEF_INFERSHAPES
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

namespace {
struct InferShapesPass : dsc::graph::impl::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The importer emits ops in topological order, so one forward walk sees
    // every operand's final type before its users.
    // Operands may have gained ranks since the op was verified: verify it
    // again before inference relies on its attributes (axes in range, ...).
    WalkResult walk = func.walk([&](Operation *op) {
      if (auto inferable = dyn_cast<ShapeInferenceOpInterface>(op))
        if (failed(mlir::verify(op, /*verifyRecursively=*/false)) ||
            failed(inferable.inferShapes()))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    for (Operation &op : func.getBody().getOps())
      for (Value result : op.getResults())
        if (!cast<TensorType>(result.getType()).hasRank()) {
          op.emitOpError("result shape could not be inferred");
          return signalPassFailure();
        }

    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   returnOp.getOperandTypes()));
  }
};
} // namespace
