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

def FoldConstants : Pass<"graph-fold-constants", "::mlir::func::FuncOp"> {
  let summary = "evaluates ops whose operands are all constants";
  let description = [{
    Runs every graph op whose operands are all `graph.constant` through the
    reference interpreter and replaces it with a `graph.constant` of the
    result (a `dense_resource` blob unless it is small). The key case is
    Gemm's `transpose(weight)`, which becomes a transposed weight. Results
    without a static shape, and results with more than `max-elements`
    elements, are left alone.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1 << 24",
           "results with more elements than this are not folded">
  ];
  let dependentDialects = ["::dsc::graph::GraphDialect"];
}

#endif // DSC_PASSES_GRAPH
