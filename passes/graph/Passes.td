//===- Passes.td - graph dialect passes --------------------*- tablegen -*-===//

#ifndef DSC_PASSES_GRAPH
#define DSC_PASSES_GRAPH

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"graph-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "infers every result shape from the function's argument shapes";
  let description = [{
    Visits ops in order and refines unranked results through
    ShapeInferenceOpInterface; the function's result types are updated to
    match. Fails, naming the op, when operands contradict each other or a
    shape cannot be inferred.
  }];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

#endif // DSC_PASSES_GRAPH
