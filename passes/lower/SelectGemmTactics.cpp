//===- SelectGemmTactics.cpp - exec-select-gemm-tactics -------------------===//

#include "dialects/exec/GemmTiles.h"
#include "passes/lower/Passes.h"

#include "llvm/ADT/StringSet.h"

namespace dsc::lower {
#define GEN_PASS_DEF_SELECTGEMMTACTICS
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

namespace {

/// Whether any argument or result of `kernel` is one sample of many.
bool runsPerSample(exec::KernelOp kernel) {
  for (ArrayAttr attrs : {kernel.getArgAttrsAttr(), kernel.getResAttrsAttr()})
    if (attrs)
      for (Attribute attr : attrs)
        if (auto dict = dyn_cast<DictionaryAttr>(attr))
          if (dict.contains("exec.per_sample"))
            return true;
  return false;
}

/// The tensor-core matmul of a gemm kernel the emitter generates from
/// kernel arguments, or null.
graph::MatMulOp tensorCoreMatmul(exec::KernelOp kernel) {
  graph::MatMulOp matmul;
  for (Operation &op : kernel.getBody().front().without_terminator()) {
    if (auto mm = dyn_cast<graph::MatMulOp>(op)) {
      if (matmul)
        return nullptr;
      matmul = mm;
    }
  }
  if (!matmul || !isa<BlockArgument>(matmul.getLhs()) ||
      !isa<BlockArgument>(matmul.getRhs()))
    return nullptr;
  auto lhs = dyn_cast<RankedTensorType>(matmul.getLhs().getType());
  auto rhs = dyn_cast<RankedTensorType>(matmul.getRhs().getType());
  auto result = dyn_cast<RankedTensorType>(matmul.getResult().getType());
  if (!lhs || !rhs || !result || lhs.getRank() < 2 || rhs.getRank() < 2 ||
      result.getRank() < 2 || !lhs.hasStaticShape() || !rhs.hasStaticShape() ||
      !result.hasStaticShape())
    return nullptr;
  Type element = lhs.getElementType();
  if (!element.isF16() && !element.isBF16())
    return nullptr;
  return matmul;
}

struct SelectGemmTacticsPass
    : dsc::lower::impl::SelectGemmTacticsBase<SelectGemmTacticsPass> {
  using SelectGemmTacticsBase::SelectGemmTacticsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> tuned;
    for (auto tactics : module.getOps<exec::TacticsOp>())
      tuned.insert(tactics.getKernel());
    OpBuilder builder(module.getContext());
    for (auto kernel : llvm::to_vector(module.getOps<exec::KernelOp>())) {
      if (kernel.getFamily() != "gemm" || tuned.contains(kernel.getSymName()))
        continue;
      // Per-sample kernels are rewritten around their one entry
      // (CudaEmitter's makePerSample): they keep the heuristic's tile.
      graph::MatMulOp matmul = tensorCoreMatmul(kernel);
      if (!matmul || runsPerSample(kernel))
        continue;
      ArrayRef<int64_t> lhs =
          cast<RankedTensorType>(matmul.getLhs().getType()).getShape();
      ArrayRef<int64_t> result =
          cast<RankedTensorType>(matmul.getResult().getType()).getShape();
      int64_t batch = 1;
      for (int64_t d : result.drop_back(2))
        batch *= d;
      SmallVector<exec::GemmTile> tiles = exec::gemmTileCandidates(
          result[result.size() - 2], result.back(), lhs.back(), batch,
          /*canSplit=*/batch == 1, maxCandidates);
      if (tiles.size() < 2)
        continue;
      SmallVector<Attribute> candidates;
      for (const exec::GemmTile &tile : tiles)
        candidates.push_back(tile.toAttr(module.getContext()));
      builder.setInsertionPointAfter(kernel);
      builder.create<exec::TacticsOp>(
          kernel.getLoc(), FlatSymbolRefAttr::get(kernel.getSymNameAttr()),
          builder.getArrayAttr(candidates));
    }
  }
};

} // namespace
