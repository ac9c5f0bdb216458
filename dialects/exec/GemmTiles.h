//===- GemmTiles.h - tensor-core GEMM tiles and their candidates -*- C++
//-*-===//
//
// The tile of the generated tensor-core GEMM (codegen/cuda/GemmEmitter.cpp):
// what exec.tactics lists, what the emitter's heuristic picks without one,
// and which tiles are worth timing for a problem shape.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_DIALECTS_EXEC_GEMMTILES_H
#define DSC_DIALECTS_EXEC_GEMMTILES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace dsc::exec {

/// SMs of an H100 SXM: a tile size that yields fewer blocks leaves SMs idle.
constexpr int64_t kGemmNumSMs = 132;
/// The most dynamic shared memory one block may opt into (H100).
constexpr int64_t kGemmMaxSharedBytes = 227 * 1024;
/// The largest grid.y/grid.z CUDA accepts.
constexpr int64_t kGemmMaxGridYZ = 65535;

/// A block tile of BM x BN walking K in BK slices through `stages` shared
/// memory stages, warpsM x warpsN warps, and K split into `splitK` slices
/// across grid z (1: no split).
struct GemmTile {
  int64_t bm = 0, bn = 0, bk = 0, warpsM = 0, warpsN = 0, stages = 0;
  int64_t splitK = 1;
  /// 1: Hopper's warpgroup MMA (sm_90a), one warpgroup (warpsM = 4) per 64
  /// rows, BK = 64, stages in 128-byte-swizzled shared memory; 0: mma.sync.
  int64_t wgmma = 0;
  /// 1 (convolutions, wgmma tiles only): the input tile arrives by the
  /// Tensor Memory Accelerator in im2col mode, one bulk copy per K tile that
  /// one thread issues, instead of per-thread address arithmetic and
  /// cp.async; the kernel takes the input's tensor map (plan TensorMap).
  int64_t tma = 0;
  /// W > 0 (convolutions of 4 or 8 16-bit channels, mma.sync tiles only):
  /// a direct convolution whose persistent blocks keep the filter in shared
  /// memory and compute bm output pixels at a time as a (bm / W) x W
  /// rectangle of one image, copying each rectangle's input window once
  /// and reading each tap's A fragments from it (no per-tap copies of a
  /// shallow channel dimension). bk is the MMA's 16, stages 1, no split.
  int64_t patch = 0;

  int64_t threads() const { return warpsM * warpsN * 32; }
  /// f16/bf16 stages of A [BM][BK + 8] and B [BK][BN + 8]; wgmma stages are
  /// unpadded (swizzled) and start on a 1024-byte boundary.
  int64_t sharedBytes() const {
    if (wgmma)
      return stages * (bm * bk + bk * bn) * 2 + 1024;
    return stages * (bm * (bk + 8) + bk * (bn + 8)) * 2;
  }
  bool operator==(const GemmTile &other) const {
    return bm == other.bm && bn == other.bn && bk == other.bk &&
           warpsM == other.warpsM && warpsN == other.warpsN &&
           stages == other.stages && splitK == other.splitK &&
           wgmma == other.wgmma && tma == other.tma && patch == other.patch;
  }
  /// E.g. "128x128x64 w2x4 s3", "64x64x64 w2x2 s4 k2",
  /// "128x256x64 w8x1 s4 wgmma", "128x64x64 w8x1 s4 wgmma tma" or
  /// "256x64x16 w4x2 s1 patch16".
  std::string str() const;
  /// {bm, bn, bk, warps_m, warps_n, stages, split_k[, wgmma][, tma]
  /// [, patch]}: an exec.tactics candidate.
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *context) const;
  /// The tile of a candidate dictionary; nullopt with the reason in
  /// `problem` when a field is missing, unknown or not an integer.
  static std::optional<GemmTile> fromAttr(mlir::DictionaryAttr attr,
                                          std::string *problem);
};

/// Why the emitter cannot generate `tile` (whole 16x16 mma pairs per warp,
/// 16-deep K steps, at most 1024 threads and kGemmMaxSharedBytes of shared
/// memory, at least 2 stages and 1 split); empty when it can.
std::string checkGemmTile(const GemmTile &tile);

/// The split-K slices for `outputTiles` tiles of `kTiles` K tiles: about two
/// blocks per SM when the tiles cannot fill the SMs, at least 4 K tiles per
/// slice (the pipeline's depth); 1 otherwise.
int64_t chooseGemmSplitK(int64_t outputTiles, int64_t kTiles);

/// The slices `splitK` really makes over `kTiles` K tiles (none empty), and
/// the K tiles of each.
std::pair<int64_t, int64_t> gemmSplitSlices(int64_t splitK, int64_t kTiles);

/// The compile-time heuristic: 128x128 tiles (8 warps, 64x32 each) for
/// large problems, 64x64 for those too small to fill the GPU with those,
/// 16- or 32-row tiles for skinny M (decode-style GEMMs) so that little of
/// each mma is wasted; K slices of 64 with 3-4 stages keep more bytes in
/// flight than 32 did (bench/gemm_tiles.py on the H100). Split-K when
/// `canSplit` (one batch, not per sample) and the tiles leave SMs idle.
GemmTile chooseGemmTile(int64_t m, int64_t n, int64_t k, int64_t batch,
                        bool canSplit);

/// Tiles worth timing for an m x n x k GEMM of `batch` batches: the
/// heuristic's pick first, then others that fit the shape (no tile much
/// taller or wider than the problem, grid y within the limit), then split-K
/// variants of the pick when its tiles leave SMs idle; at most `max`.
llvm::SmallVector<GemmTile> gemmTileCandidates(int64_t m, int64_t n, int64_t k,
                                               int64_t batch, bool canSplit,
                                               unsigned max);

/// The implicit-GEMM convolution's tile (codegen/cuda/ConvEmitter.cpp):
/// BK = 32. The largest that still gives every SM a block, among those not
/// wider than the problem (64 output channels take BN = 64, not half of a
/// 128); small problems (ResNet's 7x7 layers at batch 1: M = 49) take the
/// smallest, 16 x 32, for the most blocks, and split K as chooseGemmSplitK
/// does when `canSplit` (not per sample) and those still leave SMs idle.
GemmTile chooseConvTile(int64_t m, int64_t n, int64_t k, bool canSplit);

/// Conv tiles worth timing for M output pixels, N output channels and a
/// reduction of K: the heuristic's pick first, then, when its tiles leave
/// SMs idle and `canSplit`, the pick with twice its slices and unsplit, then
/// the patch tiles when `patchInput` (convTakesPatchInput), then the
/// warpgroup-MMA tiles (each also with TMA im2col copies when `tmaInput`),
/// then the other tiles not taller or wider than the problem (each split as
/// the heuristic would), those whose block count is nearest the SM count
/// first; at most `max`.
llvm::SmallVector<GemmTile> convTileCandidates(int64_t m, int64_t n, int64_t k,
                                               bool canSplit, bool tmaInput,
                                               bool patchInput, unsigned max);

/// The shared memory of a patch tile (GemmTile::patch) for a convolution
/// of C channels, an R x S window, strides and dilations: the whole filter
/// slice of bn rows, K padded to the MMA's 16 plus 8 (conflict-free
/// ldmatrix), two input windows of the block's pixel rectangle (the next
/// one streams in while the block computes this one) and the output tile
/// (bm rows of bn + 8) the epilogue stages.
int64_t convPatchSharedBytes(const GemmTile &tile, int64_t channels,
                             llvm::ArrayRef<int64_t> window,
                             llvm::ArrayRef<int64_t> strides,
                             llvm::ArrayRef<int64_t> dilations);

/// Whether a channels-last 2-D convolution can take patch tiles: 16-bit
/// elements, 4 or 8 channels (each tap's channels are 4-byte pairs of an
/// MMA fragment), group 1, a 16-bit result (the kernel's, after its
/// epilogue: the tile stages it in shared memory), and the largest patch
/// tile's shared memory within the limit. Shapes as for convTakesTmaInput.
bool convTakesPatchInput(llvm::ArrayRef<int64_t> input,
                         llvm::ArrayRef<int64_t> filter,
                         llvm::ArrayRef<int64_t> output, unsigned elementBits,
                         unsigned resultBits, llvm::ArrayRef<int64_t> strides,
                         llvm::ArrayRef<int64_t> dilations);

/// Whether a channels-last 2-D convolution can take its input through a TMA
/// im2col tensor map: 16-bit elements in whole 64-channel K tiles, strides
/// of at most 8 (the map's element strides), window corners within the
/// 8-bit range of a 4-D map. `input` is N x H x W x C, `filter` M x R x S x
/// C, `output` N x P x Q x M.
bool convTakesTmaInput(llvm::ArrayRef<int64_t> input,
                       llvm::ArrayRef<int64_t> filter,
                       llvm::ArrayRef<int64_t> output, unsigned elementBits,
                       llvm::ArrayRef<int64_t> strides,
                       llvm::ArrayRef<int64_t> padsBegin,
                       llvm::ArrayRef<int64_t> dilations);

/// Why the convolution cannot take `tile` (BK other than 32, or 64 for a
/// warpgroup-MMA tile, TMA without wgmma, a patch tile that is not whole
/// rows of whole 16x16 warp tiles); empty when it can.
std::string checkConvTile(const GemmTile &tile);

} // namespace dsc::exec

#endif // DSC_DIALECTS_EXEC_GEMMTILES_H
