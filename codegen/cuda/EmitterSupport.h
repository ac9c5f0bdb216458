//===- EmitterSupport.h - shared pieces of the CUDA emitters ----*- C++ -*-===//
//
// Internal to codegen/cuda: element types as C types, the self-contained
// prelude every kernel starts with, broadcast index arithmetic, and the
// per-family entry points that emitKernel dispatches to.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_CODEGEN_CUDA_EMITTERSUPPORT_H
#define DSC_CODEGEN_CUDA_EMITTERSUPPORT_H

#include "codegen/cuda/CudaEmitter.h"
#include "dialects/exec/GemmTiles.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dsc::codegen {

/// How one element type is stored in memory and computed with in registers.
struct ElementInfo {
  /// C type of one element in memory (f16/bf16 are raw `unsigned short`).
  std::string storage;
  /// C type the emitted code computes in (f32 for f16/bf16/f32).
  std::string compute;
  /// Bytes of one stored element.
  int64_t bytes = 0;
  bool isFloat = false;
};

/// The storage/compute types of `type`; failure for an element type the
/// emitters do not handle (complex, f8, index, ...).
mlir::FailureOr<ElementInfo> getElementInfo(mlir::Type type);

/// A compute-typed expression of the element stored in `storageExpr`.
std::string loadAsCompute(mlir::Type type, llvm::StringRef storageExpr);

/// A storage-typed expression of the compute-typed `computeExpr`.
std::string storeFromCompute(mlir::Type type, llvm::StringRef computeExpr);

/// Converts a compute-typed value of element type `from` into the compute
/// type of `to` with graph.cast semantics (round to nearest even through the
/// target precision; float to integer truncates).
std::string convertCompute(mlir::Type from, mlir::Type to,
                           llvm::StringRef expr);

/// A C literal of the compute type of `type` holding `value`.
std::string floatLiteral(mlir::Type type, const llvm::APFloat &value);
std::string intLiteral(mlir::Type type, const llvm::APInt &value);

/// Helpers every kernel source starts with: fp16/bf16 conversions in inline
/// PTX and a few type-generic math wrappers. Needs no header.
llvm::StringRef getPrelude();

/// `argN`, the pointer of a kernel argument (a block argument of the body).
std::string argName(mlir::Value value);

/// `text` with each `$NAME$` replaced (the kernel templates' parameters).
std::string substitute(
    llvm::StringRef text,
    llvm::ArrayRef<std::pair<llvm::StringRef, std::string>> replacements);

/// PTX wrappers of the tensor-core paths (GEMM, attention): cp.async,
/// ldmatrix (plain and .trans) and mma.sync.m16n8k16 with f32 accumulation
/// on f16 or bf16 (`elementType`) operands.
std::string getTensorCoreHelpers(mlir::Type elementType);

/// PTX wrappers of Hopper's warpgroup MMA (sm_90a), guarded by
/// __CUDA_ARCH_FEAT_SM90_ALL: shared-memory matrix descriptors with the
/// 128-byte swizzle, fence/commit/wait, the async-proxy fence, mbarriers
/// and the TMA im2col copy (a dsc_tensor_map parameter), and one
/// `dsc_wgmma_m64n<N>k16<TRANS_B>` per width in `widths` (A K-major, B
/// N-major with TRANS_B = 1 or K-major with 0, both from shared memory, f32
/// accumulators in place, or overwritten where the optional `accumulate` is
/// 0).
std::string getWgmmaHelpers(mlir::Type elementType,
                            llvm::ArrayRef<int64_t> widths);

/// `dsc_wgmma_rs_m64n<N>k16<TRANS_B>(d, a, b[, accumulate])` for each N of
/// `widths`: the warpgroup MMA with A from registers (each warp's 16 rows in
/// the mma.sync m16n8k16 A fragment layout) and B through a descriptor,
/// guarded by __CUDA_ARCH_FEAT_SM90_ALL like getWgmmaHelpers.
std::string getWgmmaRegisterAHelpers(mlir::Type elementType,
                                     llvm::ArrayRef<int64_t> widths);

/// The warpgroup-MMA main loop and epilogue shared by the GEMM and conv
/// bodies, which define BM, BN, BK, STAGES, PREFETCH, A_STAGE, B_STAGE, As,
/// Bs, wg, wgWarp, lane, m0, n0, M, N, numKTiles and loadTile(stage, k0)
/// first; $BN$ and $ARGS$ are left for their substitution. B is N-major
/// ([K, N] lines, `bNMajor`) or K-major; a `batched` epilogue takes z.
/// `tmaA`: A arrives by TMA, completing on the stage's mbarrier in
/// dsc_full[STAGES] (B by cp.async still). `stagedEpilogue` (16-bit
/// results, not batched; the body defines dsc_epilogue_value, tid and
/// out0): the tile goes through the stages' shared memory and leaves in
/// 16-byte chunks.
std::string getWgmmaPipeline(bool bNMajor, bool batched, bool tmaA = false,
                             bool stagedEpilogue = false);

/// The entry of a kernel's variant `index` (exec.tactics): `entry` itself
/// for the first, then `entry`_t1, _t2, ...
std::string variantEntryName(llvm::StringRef entry, size_t index);

/// Split-K of the tensor-core GEMM and implicit-GEMM conv: grid z slice
/// `split` sums K tiles [ktBegin, ktBegin + ktCount) and the last slice of an
/// output tile to arrive adds up every slice's partial sums. The counters lie
/// at the start of the scratch, the same place for every split-K kernel of a
/// plan, so that the partial sums after them never overwrite another kernel's
/// counters (which must stay zero between launches).
constexpr int64_t kSplitKCounterBytes = 1024;
static_assert(exec::kGemmNumSMs * 4 <= kSplitKCounterBytes,
              "split-K kernels have fewer output tiles than SMs");

/// How one tensor-core entry splits K.
struct SplitK {
  /// Grid z slices (1: no split) and the K tiles of each.
  int64_t slices = 1, tilesPerSlice = 1;
  /// Zeroed scratch the entry takes: the counters, then the partial sums.
  uint64_t scratchBytes = 0;
};

/// The split of `kTiles` K tiles of `tile`'s `outputTiles` output tiles into
/// at most `tile.splitK` non-empty slices; an error on `kernel` when the
/// output tiles need more counters than kSplitKCounterBytes holds.
mlir::FailureOr<SplitK> planSplitK(exec::KernelOp kernel,
                                   const exec::GemmTile &tile,
                                   int64_t outputTiles, int64_t kTiles);

/// Appends the split-K parameters of a tensor-core body to `values`:
/// SPLIT_K, KT_PER_SPLIT, and SPLIT_K_REDUCE, the statements after the main
/// loop that leave the full sums in `acc` of the last slice only (the others
/// return). They use the body's MT, NT, THREADS, tid, split, acc and the
/// entry's `scratch` parameter.
void addSplitKValues(
    const SplitK &split,
    std::vector<std::pair<llvm::StringRef, std::string>> &values);

/// Appends a tensor-core tile's parameters to `values`: BM, BN, BK, STAGES,
/// WARPS_M, WARPS_N and THREADS.
void addTileValues(
    const exec::GemmTile &tile,
    std::vector<std::pair<llvm::StringRef, std::string>> &values);

/// The body of a tensor-core entry after its signature's `{`, closing brace
/// included. A wgmma tile: `wgmmaBody` (with getWgmmaPipeline(bNMajor,
/// batched)) under sm_90a, and elsewhere `mmaBody` for the mma.sync tile of
/// the same block tile (as many threads, less shared memory, K unsplit);
/// sets `archSpecific`. Other tiles: `mmaBody` with `values`. `common` holds
/// the values both share, `values` the tile's own (common ones included).
std::string tensorCoreTileBody(
    const exec::GemmTile &tile, llvm::StringRef wgmmaBody,
    llvm::StringRef mmaBody,
    llvm::ArrayRef<std::pair<llvm::StringRef, std::string>> common,
    std::vector<std::pair<llvm::StringRef, std::string>> values, int64_t k,
    bool bNMajor, bool batched, bool &archSpecific,
    bool stagedEpilogue = false);

/// The expression of the offset, in elements, of the element of a tensor of
/// `operandShape` that numpy broadcasting maps to element `linearIndex` of a
/// tensor of `resultShape` (both dense row-major). Collapses runs of kept and
/// broadcast dimensions so that a bias reads `i % N` and a row vector `i / N`.
std::string broadcastIndexFromLinear(llvm::ArrayRef<int64_t> operandShape,
                                     llvm::ArrayRef<int64_t> resultShape,
                                     llvm::StringRef linearIndex);

/// Same, from per-dimension coordinate expressions of the result.
std::string broadcastIndexFromCoords(llvm::ArrayRef<int64_t> operandShape,
                                     llvm::ArrayRef<int64_t> resultShape,
                                     llvm::ArrayRef<std::string> resultCoords);

/// Whether `operandShape` broadcasts to `resultShape` (numpy rules, the result
/// being at least as large in every dimension).
bool broadcastsTo(llvm::ArrayRef<int64_t> operandShape,
                  llvm::ArrayRef<int64_t> resultShape);

/// Dense row-major strides of `shape`.
llvm::SmallVector<int64_t> getStrides(llvm::ArrayRef<int64_t> shape);

/// The expression of the offset of element `var` of the row-major space of
/// `dims` (a subset of the dimensions of `shape`, in order), in elements of
/// the dense row-major `shape`. Adjacent dimensions are merged.
std::string subspaceOffset(llvm::ArrayRef<int64_t> dims,
                           llvm::ArrayRef<int64_t> shape, llvm::StringRef var);

/// The C type for indices into `numElements` elements: 32-bit where it fits,
/// because 64-bit division and modulo cost a call each on the GPU.
llvm::StringRef indexTypeFor(int64_t numElements);

/// indexTypeFor the largest tensor of `kernel`.
llvm::StringRef kernelIndexType(exec::KernelOp kernel);

/// The kernel parameter list: `const T0* __restrict__ arg0, ..., T* out0`.
std::string kernelParameters(exec::KernelOp kernel);

/// The kernel signature line, with `__launch_bounds__(threads)` (and
/// `minBlocks` per SM where positive: registers capped to fit them); a
/// kernel that reports faults takes a fault word last (CudaEmitter.h).
std::string kernelSignature(exec::KernelOp kernel, llvm::StringRef entry,
                            int64_t threads, bool reportsFaults = false,
                            bool usesScratch = false, int64_t minBlocks = 0);

/// A C identifier for the kernel's entry derived from its symbol.
std::string entryName(exec::KernelOp kernel);

/// Shape of a ranked tensor type.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);
mlir::Type elementTypeOf(mlir::Value value);

/// Checks that every argument and result has a static shape and a supported
/// element type; emits an error on the kernel otherwise.
mlir::LogicalResult verifyKernelTypes(exec::KernelOp kernel);

/// Whether a kernel argument (block argument of its body) or result is one
/// sample of many (`exec.per_sample`, CudaEmitter.h).
bool isPerSampleValue(exec::KernelOp kernel, mlir::BlockArgument arg);
bool isPerSampleResult(exec::KernelOp kernel, unsigned index);

/// The exec.tactics op that lists `kernel`'s candidate tiles, or null.
exec::TacticsOp findTactics(exec::KernelOp kernel);

/// findTactics, refused (an error on the tactics op) where the kernel has
/// one entry: no tensor-core path for `type`, or launched per sample.
mlir::FailureOr<exec::TacticsOp> findEmittableTactics(exec::KernelOp kernel,
                                                      llvm::StringRef family,
                                                      mlir::Type type,
                                                      bool tensorCores);

/// Per-family emitters.
mlir::FailureOr<EmittedKernel>
emitElementwiseKernel(exec::KernelOp kernel, const EmitOptions &options);
mlir::FailureOr<EmittedKernel> emitGemmKernel(exec::KernelOp kernel,
                                              const EmitOptions &options);
mlir::FailureOr<EmittedKernel>
emitRowReductionKernel(exec::KernelOp kernel, const EmitOptions &options);
mlir::FailureOr<EmittedKernel> emitDataKernel(exec::KernelOp kernel,
                                              const EmitOptions &options);
/// Data kernels whose body is one graph.conv, graph.conv_transpose,
/// graph.pool or graph.max_pool_indices (NnEmitter.cpp); nullopt for others.
std::optional<mlir::FailureOr<EmittedKernel>>
emitNnKernel(exec::KernelOp kernel, const EmitOptions &options);
/// Data kernels whose body is one graph.attention (AttentionEmitter.cpp);
/// nullopt for others.
std::optional<mlir::FailureOr<EmittedKernel>>
emitAttentionKernel(exec::KernelOp kernel, const EmitOptions &options);
/// A channels-last 2-D graph.conv with group 1 and its elementwise epilogue
/// as an implicit GEMM (ConvEmitter.cpp).
mlir::FailureOr<EmittedKernel> emitConvKernel(exec::KernelOp kernel,
                                              graph::ConvOp conv);
/// A kernel that runs `body` once per element of the result (of `outShape`):
/// the body sees `o`, the element's linear index, and `c0`, `c1`, ... its
/// coordinates (index_t). An empty result gets a kernel that does nothing.
/// `comment` names the kernel's kind in its source.
EmittedKernel
emitPerElement(exec::KernelOp kernel, EmittedKernel emitted,
               llvm::ArrayRef<int64_t> outShape, llvm::StringRef comment,
               llvm::function_ref<void(llvm::raw_ostream &)> body);
/// The launch of a grid-stride kernel over `numElements` elements, 256
/// threads a block (one block at least).
void setGridStrideLaunch(EmittedKernel &emitted, int64_t numElements);
/// graph.resize (TensorEmitter.cpp), dispatched from the data family.
mlir::FailureOr<EmittedKernel> emitResizeKernel(exec::KernelOp kernel,
                                                graph::ResizeOp resize);
/// graph.topk, graph.gather_nd and graph.scatter_nd (TensorEmitter.cpp).
/// `outputs[r]` names the pointer of result r of the op (`out0`, ...), or is
/// empty when the kernel does not yield that result.
mlir::FailureOr<EmittedKernel>
emitTopKKernel(exec::KernelOp kernel, graph::TopKOp topk,
               llvm::ArrayRef<std::string> outputs, EmittedKernel emitted);
/// graph.moe_route (MoeEmitter.cpp); `outputs` as for emitTopKKernel.
mlir::FailureOr<EmittedKernel>
emitMoeRouteKernel(exec::KernelOp kernel, graph::MoeRouteOp route,
                   llvm::ArrayRef<std::string> outputs, EmittedKernel emitted);
mlir::FailureOr<EmittedKernel> emitGatherNDKernel(exec::KernelOp kernel,
                                                  graph::GatherNDOp gather,
                                                  EmittedKernel emitted);
mlir::FailureOr<EmittedKernel> emitScatterNDKernel(exec::KernelOp kernel,
                                                   graph::ScatterNDOp scatter,
                                                   EmittedKernel emitted);

/// Statements (each line starting with `indent`) that read element
/// `element` of the indices tensor `indices`, a kernel argument, into `var`
/// (long long), add `size` when it is negative, and raise the kernel's fault
/// word when it is still out of range (the kernel must report faults).
std::string loadIndex(mlir::Value indices, llvm::StringRef element,
                      llvm::StringRef var, int64_t size,
                      llvm::StringRef indent = "      ");

/// The compute-typed expression that combines the target `r` with the
/// update `u` of a scatter, as the reference does (graph::ScatterReduction).
std::string scatterCombine(graph::ScatterReduction reduction, mlir::Type type);

/// Reductions that the data family generates, one op per kernel: graph.reduce
/// (any axes), arg_reduce, hardmax and cumsum. `op` is the kernel's only op.
mlir::FailureOr<EmittedKernel> emitReductionKernel(exec::KernelOp kernel,
                                                   mlir::Operation *op,
                                                   EmittedKernel emitted);

} // namespace dsc::codegen

#endif // DSC_CODEGEN_CUDA_EMITTERSUPPORT_H
