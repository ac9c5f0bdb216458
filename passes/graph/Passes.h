//===- Passes.h - graph dialect passes --------------------------*- C++ -*-===//

#ifndef DSC_PASSES_GRAPH_PASSES_H
#define DSC_PASSES_GRAPH_PASSES_H

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace dsc::graph {

#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

} // namespace dsc::graph

#endif // DSC_PASSES_GRAPH_PASSES_H
