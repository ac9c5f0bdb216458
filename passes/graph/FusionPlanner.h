//===- FusionPlanner.h - graph-fuse's grouping decisions --------*- C++ -*-===//
//
// Decides which ops of a function body run as one kernel: a Boost.Graph
// dataflow graph of the ops gives the order of the decisions and the cycle
// check of every merge, and a cost model in bytes moved and FLOPs recomputed
// decides the merges that are not free.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_PASSES_GRAPH_FUSIONPLANNER_H
#define DSC_PASSES_GRAPH_FUSIONPLANNER_H

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/Block.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dsc::graph {

struct FusionPlanOptions {
  /// Most external operands of one kernel.
  unsigned maxInputs = 8;
  /// Most values live at once in one kernel body, per element.
  unsigned maxLiveValues = 32;
  /// Float matmuls of at least `libraryEpilogueMinMacs` multiply-adds and a
  /// reduction at least `libraryEpilogueMinDepth` deep take only the
  /// epilogue cuBLASLt runs.
  bool libraryEpilogues = true;
  int64_t libraryEpilogueMinMacs = int64_t(1) << 27;
  int64_t libraryEpilogueMinDepth = 768;
  /// FLOPs a recompute may add per byte of memory traffic it saves.
  double recomputeFlopsPerByte = 2.0;
};

/// What the cost decisions that shaped a kernel were worth, summed over them.
struct FusionCost {
  int64_t bytesSaved = 0;
  int64_t flopsAdded = 0;
};

/// One future kernel.
struct FusionGroup {
  FusionKind kind;
  std::string anchor;
  /// Members in program order. An op recomputed by several kernels is a
  /// member of each.
  llvm::SmallVector<mlir::Operation *> members;
  /// The members' results the kernel writes to memory: those read by an op
  /// outside the group that does not compute them itself.
  llvm::SmallVector<mlir::Value> results;
  /// How many members other kernels compute too.
  unsigned recomputed = 0;
  /// Set when a cost decision (a recompute, or a producer that joins as an
  /// extra result) merged ops into this group.
  std::optional<FusionCost> cost;
};

/// Splat constants read by elementwise ops are cloned into kernel bodies (the
/// emitter writes them as literals) instead of being passed as inputs.
bool isInlinedConstant(mlir::Value value, mlir::Operation *user);

/// Groups the ops of `body`. Every op except constants, views (reshape,
/// squeeze, unsqueeze) and the terminator lands in at least one group; the
/// groups are returned in an order in which each one's inputs come from
/// earlier groups or from ops outside every group.
std::vector<FusionGroup> planFusion(mlir::Block &body,
                                    const FusionPlanOptions &options);

} // namespace dsc::graph

#endif // DSC_PASSES_GRAPH_FUSIONPLANNER_H
