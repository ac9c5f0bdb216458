//===- SelectGemmTactics.cpp - exec-select-gemm-tactics -------------------===//

#include "dialects/exec/GemmTiles.h"
#include "dialects/graph/NnOps.h"
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

/// The tensor-core product (graph.matmul or graph.grouped_matmul) of a gemm
/// kernel the emitter generates from kernel arguments, or null.
Operation *tensorCoreProduct(exec::KernelOp kernel) {
  if (kernel.getFamily() != "gemm")
    return nullptr;
  Operation *product = nullptr;
  for (Operation &op : kernel.getBody().front().without_terminator()) {
    if (isa<graph::MatMulOp, graph::GroupedMatMulOp>(op)) {
      if (product)
        return nullptr;
      product = &op;
    }
  }
  if (!product || !isa<BlockArgument>(product->getOperand(0)) ||
      !isa<BlockArgument>(product->getOperand(1)))
    return nullptr;
  auto lhs = dyn_cast<RankedTensorType>(product->getOperand(0).getType());
  auto rhs = dyn_cast<RankedTensorType>(product->getOperand(1).getType());
  auto result = dyn_cast<RankedTensorType>(product->getResult(0).getType());
  if (!lhs || !rhs || !result || lhs.getRank() < 2 || rhs.getRank() < 2 ||
      result.getRank() < 2 || !lhs.hasStaticShape() || !rhs.hasStaticShape() ||
      !result.hasStaticShape())
    return nullptr;
  Type element = lhs.getElementType();
  if (!element.isF16() && !element.isBF16())
    return nullptr;
  return product;
}

/// The implicit-GEMM convolution on tensor cores a data kernel starts
/// with (ConvEmitter), or null.
graph::ConvOp tensorCoreConv(exec::KernelOp kernel) {
  if (kernel.getFamily() != "data")
    return nullptr;
  auto ops = kernel.getBody().front().without_terminator();
  if (ops.empty() || !graph::isImplicitGemmConv(&*ops.begin()))
    return nullptr;
  auto conv = cast<graph::ConvOp>(*ops.begin());
  Type element = cast<RankedTensorType>(conv.getType()).getElementType();
  return element.isF16() || element.isBF16() ? conv : nullptr;
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
      // Per-sample kernels are rewritten around their one entry
      // (CudaEmitter's makePerSample): they keep the heuristic's tile.
      if (tuned.contains(kernel.getSymName()) || runsPerSample(kernel))
        continue;
      SmallVector<exec::GemmTile> tiles;
      if (Operation *product = tensorCoreProduct(kernel)) {
        ArrayRef<int64_t> lhs =
            cast<RankedTensorType>(product->getOperand(0).getType()).getShape();
        ArrayRef<int64_t> result =
            cast<RankedTensorType>(product->getResult(0).getType()).getShape();
        int64_t batch = 1;
        for (int64_t d : result.drop_back(2))
          batch *= d;
        auto grouped = dyn_cast<graph::GroupedMatMulOp>(product);
        tiles = exec::gemmTileCandidates(
            result[result.size() - 2], result.back(), lhs.back(), batch,
            /*canSplit=*/batch == 1 && !grouped, maxCandidates);
        // A grouped product's row tiles stay within one group.
        if (grouped)
          llvm::erase_if(tiles, [&](const exec::GemmTile &tile) {
            return grouped.getGroupRowsAttr().getInt() % tile.bm != 0;
          });
      } else if (graph::ConvOp conv = tensorCoreConv(kernel)) {
        // An implicit GEMM of M = N * P * Q output pixels, N = Cout and
        // K = R * S * C (the filter is Cout x R x S x C).
        ArrayRef<int64_t> result =
            cast<RankedTensorType>(conv.getType()).getShape();
        ArrayRef<int64_t> filter =
            cast<RankedTensorType>(conv.getFilter().getType()).getShape();
        auto input = cast<RankedTensorType>(conv.getInput().getType());
        SmallVector<int64_t> strides, pads, dilations;
        for (const graph::WindowDim &dim : graph::windowDimsOf(conv)) {
          strides.push_back(dim.stride);
          pads.push_back(dim.padBegin);
          dilations.push_back(dim.dilation);
        }
        bool tmaInput = exec::convTakesTmaInput(
            input.getShape(), filter, result,
            input.getElementType().getIntOrFloatBitWidth(), strides, pads,
            dilations);
        bool patchInput = exec::convTakesPatchInput(
            input.getShape(), filter, result,
            input.getElementType().getIntOrFloatBitWidth(),
            cast<ShapedType>(kernel.getResultTypes().front())
                .getElementType()
                .getIntOrFloatBitWidth(),
            strides, dilations);
        tiles = exec::convTileCandidates(
            result[0] * result[1] * result[2], result[3],
            filter[1] * filter[2] * filter[3],
            /*canSplit=*/true, tmaInput, patchInput, maxConvCandidates);
      }
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
