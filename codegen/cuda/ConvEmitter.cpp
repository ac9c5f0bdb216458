//===- ConvEmitter.cpp - convolutions as implicit GEMM --------------------===//
//
// A channels-last 2-D graph.conv with group 1 is the GEMM
//   out[M = N*P*Q][Cout] = im2col(x)[M][K = R*S*C] x filter[Cout][K]^T,
// whose rows are the output pixels (so the result, N x P x Q x Cout, is the
// GEMM's row-major C) and whose reduction runs over the taps and, fastest,
// the channels (contiguous in NHWC). im2col is never materialized: the A
// tile loader computes each row's input pixel from (pixel, tap) and reads
// zeros in the padding. The filter, M x R x S x C, is already the [N][K]
// operand. The epilogue adds the bias and runs the fused elementwise ops
// (ReLU, a residual add) on each accumulator before the only store.
//
// f16/bf16: mma.sync.m16n8k16 with f32 accumulation, cp.async stages and
// ldmatrix (GemmEmitter's helpers); both tiles are [rows][BK] with K
// contiguous, so B fragments come from ldmatrix without .trans. With C a
// multiple of 8, 8 consecutive k share one tap and are one 16-byte copy;
// with C a multiple of 4 (the first conv of a network, its 3 colours padded
// to 4 by graph-pad-channels) two taps are two 8-byte copies; otherwise
// elements are gathered one by one. Too few output tiles for the SMs (ResNet's
// 7x7 layers at batch 1) split K across grid z as the GEMM does
// (EmitterSupport's SplitK): the last slice of a tile sums the partial sums and
// runs the epilogue. Hopper tiles take warpgroup MMA as GemmEmitter's do, with
// the filter K-major and each thread's pixel coordinates computed once
// (kWgmmaThreadCopies), or, for inputs of whole 64-channel K tiles, the input
// tile copied by the Tensor Memory Accelerator in im2col mode (kWgmmaTmaCopies:
// one copy per K tile, no address arithmetic in the warps; the entry takes the
// tensor map). f32: a SIMT tile (no TF32: results stay within 1e-3 relative).
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"
#include "codegen/cuda/ScalarExprEmitter.h"

#include "dialects/exec/GemmTiles.h"
#include "dialects/graph/NnOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace dsc::graph;

namespace dsc::codegen {

namespace {

constexpr int64_t kMaxGridY = 65535;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// A and B stages of a conv tile, rows of BK = 32 halves padded by 8
/// (warpgroup-MMA tiles: 64 halves, swizzled, from a 1024-byte boundary).
int64_t convSharedBytes(const exec::GemmTile &tile) {
  if (tile.wgmma)
    return tile.stages * (tile.bm + tile.bn) * 64 * 2 + 1024;
  return tile.stages * (tile.bm + tile.bn) * 40 * 2;
}

/// The input offset of A element (gm, gk), or -1 in the padding or past
/// M or K. Shared by every path so that they index alike.
constexpr StringLiteral kIm2col = R"cuda(
static __device__ __forceinline__ sindex_t dsc_im2col(index_t gm, index_t gk) {
  constexpr index_t M = $M$, K = $K$;
  constexpr int H = $H$, W = $W$, C = $C$, P = $P$, Q = $Q$, S = $S$;
  if (gm >= M || gk >= K)
    return -1;
  const index_t q = gm % Q, p = (gm / Q) % P, img = gm / (P * Q);
  const index_t ch = gk % C, tap = gk / C;
  const int h = (int)p * $SH$ - $PH$ + (int)(tap / S) * $DH$;
  const int w = (int)q * $SW$ - $PW$ + (int)(tap % S) * $DW$;
  if (h < 0 || h >= H || w < 0 || w >= W)
    return -1;
  return (sindex_t)(((img * H + h) * W + w) * C + ch);
}
)cuda";

/// 8 channels of one tap (C % 8 == 0) into shared memory, zeros for a tap
/// in the padding (offset -1).
constexpr StringLiteral kCopyTap = R"cuda(
static __device__ __forceinline__ void dsc_copy_tap(unsigned short* dst,
    const unsigned short* __restrict__ x, sindex_t offset) {
  if (offset >= 0) {
    dsc_cp_async16(dst, x + offset);
  } else {
    unsigned* zero = reinterpret_cast<unsigned*>(dst);
    zero[0] = zero[1] = zero[2] = zero[3] = 0u;
  }
}
/// 4 channels of one tap (C % 4 == 0: an image's channels padded to 4 by
/// graph-pad-channels), or 4 k of a patch tile's filter row: 8 bytes, zeros
/// for offset -1.
static __device__ __forceinline__ void dsc_copy_tap4(unsigned short* dst,
    const unsigned short* __restrict__ x, sindex_t offset) {
  if (offset >= 0) {
    dsc_cp_async8(dst, x + offset);
  } else {
    unsigned* zero = reinterpret_cast<unsigned*>(dst);
    zero[0] = zero[1] = 0u;
  }
}
/// 8 elements of filter row `row` from column `gk` (rows of K % 4 == 0
/// elements start on 8-byte boundaries: two 8-byte copies), zeros past K.
static __device__ __forceinline__ void dsc_copy_filter4(unsigned short* dst,
    const unsigned short* __restrict__ f, index_t row, index_t gk, index_t K) {
  #pragma unroll
  for (int h = 0; h < 2; ++h) {
    if (gk + 4 * h + 4 <= K) {
      dsc_cp_async8(dst + 4 * h, f + row * K + gk + 4 * h);
    } else {
      unsigned* zero = reinterpret_cast<unsigned*>(dst + 4 * h);
      zero[0] = zero[1] = 0u;
    }
  }
}
)cuda";

/// The tensor-core kernel body.
constexpr StringLiteral kTensorCoreBody = R"cuda(
  constexpr int BM = $BM$, BN = $BN$, BK = 32, STAGES = $STAGES$;
  constexpr int SPLIT_K = $SPLIT_K$, KT_PER_SPLIT = $KT_PER_SPLIT$;
  constexpr int WARPS_N = $WARPS_N$, THREADS = $THREADS$;
  constexpr int WTM = BM / $WARPS_M$, WTN = BN / WARPS_N;
  constexpr int MT = WTM / 16, NT = WTN / 8;
  constexpr int AS = BK + 8; // padded row stride of both tiles, in elements
  constexpr index_t M = $M$, N = $N$, K = $K$;
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  unsigned short* As = reinterpret_cast<unsigned short*>(dsc_smem);
  unsigned short* Bs = As + STAGES * BM * AS;
  const unsigned short* __restrict__ X = $X$;
  const unsigned short* __restrict__ F = $F$;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int warpM = warp / WARPS_N, warpN = warp % WARPS_N;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  // 16-byte copies: 8 channels of one tap (C % 8 == 0), 8 taps of a filter
  // row (K % 8 == 0), from 16-byte aligned bases; else 8-byte copies of 4
  // channels (C % 4 == 0, K % 4 == 0).
  const bool vecX = ($C$ % 8 == 0) && ((unsigned long long)X % 16 == 0);
  const bool vecF = (K % 8 == 0) && ((unsigned long long)F % 16 == 0);
  const bool vecX4 = ($C$ % 4 == 0) && ((unsigned long long)X % 8 == 0);
  const bool vecF4 = (K % 4 == 0) && ((unsigned long long)F % 8 == 0);
  constexpr int numKTiles = (int)((K + BK - 1) / BK);
  // Split-K: grid z slice `split` sums K tiles [ktBegin, ktBegin + ktCount)
  // (EmitterSupport's SplitK).
  const int split = SPLIT_K > 1 ? (int)blockIdx.z : 0;
  const int ktBegin = split * KT_PER_SPLIT;
  const int ktCount = min(numKTiles - ktBegin, KT_PER_SPLIT);

  // Stage `stage` <- im2col(x)[m0:m0+BM, k0:k0+BK], filter[n0:n0+BN, k0:k0+BK].
  auto loadTile = [&](int stage, index_t k0) {
    unsigned short* as = As + stage * BM * AS;
    unsigned short* bs = Bs + stage * BN * AS;
    for (int c = tid; c < BM * BK / 8; c += THREADS) {
      const int r = c / (BK / 8), kc = (c % (BK / 8)) * 8;
      const index_t gm = m0 + r, gk = k0 + kc;
      unsigned short* dst = as + r * AS + kc;
      if (vecX) {
        dsc_copy_tap(dst, X, dsc_im2col(gm, gk));
      } else if (vecX4) {
        dsc_copy_tap4(dst, X, dsc_im2col(gm, gk));
        dsc_copy_tap4(dst + 4, X, dsc_im2col(gm, gk + 4));
      } else {
        #pragma unroll
        for (int e = 0; e < 8; ++e) {
          const sindex_t offset = dsc_im2col(gm, gk + e);
          dst[e] = offset >= 0 ? X[offset] : (unsigned short)0;
        }
      }
    }
    for (int c = tid; c < BN * BK / 8; c += THREADS) {
      const int r = c / (BK / 8), kc = (c % (BK / 8)) * 8;
      const index_t gn = n0 + r, gk = k0 + kc;
      unsigned short* dst = bs + r * AS + kc;
      if (vecF && gn < N && gk + 8 <= K) {
        dsc_cp_async16(dst, F + gn * K + gk);
      } else if (vecF4 && gn < N) {
        dsc_copy_filter4(dst, F, gn, gk, K);
      } else {
        #pragma unroll
        for (int e = 0; e < 8; ++e)
          dst[e] = (gn < N && gk + e < K) ? F[gn * K + gk + e] : (unsigned short)0;
      }
    }
  };

  float acc[MT][NT][4];
  dsc_zero_tiles(acc);

  #pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < ktCount)
      loadTile(s, (index_t)(ktBegin + s) * BK);
    dsc_cp_async_commit();
  }

  for (int kt = 0; kt < ktCount; ++kt) {
    // Tile kt has landed (at most STAGES-2 younger groups in flight), and
    // every warp is done with the stage the next prefetch overwrites.
    dsc_cp_async_wait<STAGES - 2>();
    __syncthreads();
    const int next = kt + STAGES - 1;
    if (next < ktCount)
      loadTile(next % STAGES, (index_t)(ktBegin + next) * BK);
    dsc_cp_async_commit();

    const unsigned short* as = As + (kt % STAGES) * BM * AS;
    const unsigned short* bs = Bs + (kt % STAGES) * BN * AS;
    #pragma unroll
    for (int kk = 0; kk < BK; kk += 16) {
      unsigned af[MT][4];
      unsigned bf[NT][2];
      #pragma unroll
      for (int i = 0; i < MT; ++i)
        dsc_ldmatrix_x4(af[i], as + (warpM * WTM + i * 16 + lane % 16) * AS + kk + (lane / 16) * 8);
      dsc_ldmatrix_b_rows(bf, bs + warpN * WTN * AS + kk, AS, lane);
      dsc_mma_tiles(acc, af, bf);
    }
  }
  dsc_cp_async_wait<0>();
$SPLIT_K_REDUCE$
  // Accumulator fragment: c[0..1] at (lane/4, 2*(lane%4) + {0,1}), c[2..3]
  // eight rows below.
  #pragma unroll
  for (int i = 0; i < MT; ++i)
    #pragma unroll
    for (int j = 0; j < NT; ++j)
      #pragma unroll
      for (int h = 0; h < 2; ++h) {
        const index_t m = m0 + warpM * WTM + i * 16 + lane / 4 + h * 8;
        #pragma unroll
        for (int c = 0; c < 2; ++c) {
          const index_t n = n0 + warpN * WTN + j * 8 + (lane % 4) * 2 + c;
          if (m < M && n < N)
            dsc_epilogue($ARGS$, m, n, acc[i][j][h * 2 + c]);
        }
      }
)cuda";

/// The warpgroup-MMA bodies (sm_90a), GemmEmitter's with the im2col loads:
/// A [BM][64] and the filter B [BN][64] both K-major, each 128-byte line's
/// 16-byte chunks XOR-swizzled by the line's row within 8 (the layout the
/// descriptors name); warpgroup `wg` computes rows wg*64.. of the tile.
/// kWgmmaPrologue, then the A loads of kWgmmaThreadCopies or
/// kWgmmaTmaCopies, then kWgmmaFilterCopies (wgmmaConvBody).
constexpr StringLiteral kWgmmaPrologue = R"cuda(
  constexpr int BM = $BM$, BN = $BN$, BK = 64, STAGES = $STAGES$;
  constexpr int THREADS = $THREADS$, PREFETCH = STAGES - 2;
  constexpr int A_STAGE = BM * BK, B_STAGE = BN * BK; // elements
  constexpr index_t M = $M$, N = $N$, K = $K$;
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  // The swizzle repeats every 1024 bytes: stages start on that boundary.
  unsigned short* As = reinterpret_cast<unsigned short*>(
      dsc_smem + ((1024u - (dsc_smem_addr(dsc_smem) & 1023u)) & 1023u));
  unsigned short* Bs = As + STAGES * A_STAGE;
  const unsigned short* __restrict__ X = $X$;
  const unsigned short* __restrict__ F = $F$;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int wg = warp / 4, wgWarp = warp % 4;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  const bool vecF = (K % 8 == 0) && ((unsigned long long)F % 16 == 0);
  const bool vecF4 = (K % 4 == 0) && ((unsigned long long)F % 8 == 0);
  constexpr int numKTiles = (int)((K + BK - 1) / BK);
)cuda";

/// Every thread copies 16-byte chunks of A rows (two 8-byte taps when C is
/// a multiple of 4 only; element gathers otherwise).
constexpr StringLiteral kWgmmaThreadCopies = R"cuda(
  const bool vecX = ($C$ % 8 == 0) && ((unsigned long long)X % 16 == 0);
  const bool vecX4 = ($C$ % 4 == 0) && ((unsigned long long)X % 8 == 0);
  // A thread loads the same chunk column (tid % 8) of the same A rows in
  // every K tile: their pixels' coordinates are computed once, and each K
  // tile adds its tap's offset (rows past M start far outside the image).
  constexpr int A_ROWS = BM * 8 / THREADS;
  const int kcA = tid % 8;
  sindex_t rowBase[A_ROWS];
  int rowH[A_ROWS], rowW[A_ROWS];
  #pragma unroll
  for (int i = 0; i < A_ROWS; ++i) {
    const index_t gm = m0 + tid / 8 + i * (THREADS / 8);
    const index_t q = gm % $Q$, p = (gm / $Q$) % $P$, img = gm / ($P$ * $Q$);
    rowBase[i] = (sindex_t)img * ($H$ * $W$ * $C$);
    rowH[i] = gm < M ? (int)p * $SH$ - $PH$ : -(1 << 30);
    rowW[i] = (int)q * $SW$ - $PW$;
  }
  auto pixelOffset = [&](int i, index_t gk) -> sindex_t {
    const int ch = (int)(gk % $C$), tap = (int)(gk / $C$);
    const int h = rowH[i] + (tap / $S$) * $DH$, w = rowW[i] + (tap % $S$) * $DW$;
    if (gk >= K || (unsigned)h >= (unsigned)$H$ || (unsigned)w >= (unsigned)$W$)
      return -1;
    return rowBase[i] + ((sindex_t)h * $W$ + w) * $C$ + ch;
  };

  // Stage `stage` <- im2col(x)[m0:m0+BM, k0:k0+BK], filter[n0:n0+BN, k0:k0+BK].
  auto loadTile = [&](int stage, index_t k0) {
    unsigned short* as = As + stage * A_STAGE;
    unsigned short* bs = Bs + stage * B_STAGE;
    const index_t gk = k0 + kcA * 8;
    #pragma unroll
    for (int i = 0; i < A_ROWS; ++i) {
      const int r = tid / 8 + i * (THREADS / 8);
      unsigned short* dst = as + r * 64 + ((kcA ^ (r & 7)) * 8);
      if (vecX) {
        dsc_copy_tap(dst, X, pixelOffset(i, gk));
      } else if (vecX4) {
        dsc_copy_tap4(dst, X, pixelOffset(i, gk));
        dsc_copy_tap4(dst + 4, X, pixelOffset(i, gk + 4));
      } else {
        for (int e = 0; e < 8; ++e) {
          const sindex_t offset = pixelOffset(i, gk + e);
          dst[e] = offset >= 0 ? X[offset] : (unsigned short)0;
        }
      }
    }
)cuda";

/// The A tile by TMA: per K tile, thread 0 issues one im2col bulk copy of
/// BM pixels x 64 channels of one tap into the A stage, which the copy
/// engine swizzles as the descriptors expect and completes on the stage's
/// mbarrier; the padding is the map's out-of-bounds zeros. The tile's first
/// output pixel is the copy's base pixel: the map walks on through rows and
/// images as the GEMM's rows do (C is a multiple of 64: whole K tiles).
constexpr StringLiteral kWgmmaTmaCopies = R"cuda(
  __shared__ unsigned long long dsc_full[STAGES];
  const int w0 = (int)(m0 % $Q$) * $SW$ - $PW$;
  const int h0 = (int)((m0 / $Q$) % $P$) * $SH$ - $PH$;
  const int img0 = (int)(m0 / ($P$ * $Q$));
  if (tid == 0) {
    for (int s = 0; s < STAGES; ++s)
      dsc_mbarrier_init(&dsc_full[s], 1);
    dsc_mbarrier_init_fence();
  }
  __syncthreads();

  // Stage `stage` <- im2col(x)[m0:m0+BM, k0:k0+BK], filter[n0:n0+BN, k0:k0+BK].
  auto loadTile = [&](int stage, index_t k0) {
    unsigned short* as = As + stage * A_STAGE;
    unsigned short* bs = Bs + stage * B_STAGE;
    if (tid == 0) {
      const int tap = (int)(k0 / $C$), c0 = (int)(k0 % $C$);
      dsc_mbarrier_expect_tx(&dsc_full[stage], A_STAGE * 2);
      dsc_tma_im2col_4d<BM, $C$, $W$, $H$, $IMAGES$, -$PW$, -$PH$, $HIGH_W$,
                        $HIGH_H$, $SW$, $SH$>(
          as, &$TMAP$, X, c0, w0, h0, img0, (unsigned short)((tap % $S$) * $DW$),
          (unsigned short)((tap / $S$) * $DH$), &dsc_full[stage]);
    }
)cuda";

/// Every thread copies 16-byte chunks of filter rows, then the pipeline.
constexpr StringLiteral kWgmmaFilterCopies = R"cuda(    #pragma unroll
    for (int c = tid; c < BN * 8; c += THREADS) {
      const int r = c / 8, kc = c % 8;
      const index_t gn = n0 + r, gk = k0 + kc * 8;
      unsigned short* dst = bs + r * 64 + ((kc ^ (r & 7)) * 8);
      if (vecF && gn < N && gk + 8 <= K) {
        dsc_cp_async16(dst, F + gn * K + gk);
      } else if (vecF4 && gn < N) {
        dsc_copy_filter4(dst, F, gn, gk, K);
      } else {
        for (int e = 0; e < 8; ++e)
          dst[e] = (gn < N && gk + e < K) ? F[gn * K + gk + e] : (unsigned short)0;
      }
    }
  };

$WGMMA_PIPELINE$)cuda";

std::string wgmmaConvBody(bool tma) {
  return (kWgmmaPrologue + (tma ? kWgmmaTmaCopies : kWgmmaThreadCopies) +
          kWgmmaFilterCopies)
      .str();
}

/// The patch body (GemmTile::patch, C = 4 or 8 16-bit channels): a
/// persistent block keeps BN output channels' filter slice, K padded to whole
/// 16-deep steps with zeros, in shared memory, and walks output tiles of
/// TH x TW pixels of one image (grid-stride along y): it copies the next
/// tile's input window (zeros in the padding) into the other of two buffers
/// while it computes this one. Every tap's A fragments are 4-byte loads at
/// the pixel's window position plus the tap's offset, a compile-time
/// constant (a lane's pair of k in a 16-deep step lies in one tap: C
/// divides 8); the B fragments come from ldmatrix as in kTensorCoreBody.
constexpr StringLiteral kPatchBody = R"cuda(
  constexpr int TW = $PATCH$, TH = $BM$ / TW, BN = $BN$;
  constexpr int WARPS_N = $WARPS_N$, THREADS = $THREADS$;
  constexpr int WTM = $BM$ / $WARPS_M$, WTN = BN / WARPS_N;
  constexpr int MT = WTM / 16, NT = WTN / 8;
  constexpr int C = $C$, S = $S$, TAPS = $R$ * S;
  constexpr int KSTEPS = (TAPS * C + 15) / 16;
  constexpr int KP = KSTEPS * 16 + 8; // filter row stride, in elements
  constexpr int PATCH_H = (TH - 1) * $SH$ + ($R$ - 1) * $DH$ + 1;
  constexpr int PATCH_W = (TW - 1) * $SW$ + (S - 1) * $DW$ + 1;
  constexpr int PATCH_CHUNKS = PATCH_H * PATCH_W * (C / 4); // 8 bytes each
  constexpr int TILES_Q = ($Q$ + TW - 1) / TW, TILES_P = ($P$ + TH - 1) / TH;
  constexpr int TILES = $IMAGES$ * TILES_P * TILES_Q;
  constexpr index_t N = $N$, K = $K$;
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  unsigned short* Fs = reinterpret_cast<unsigned short*>(dsc_smem);
  unsigned short* Xs = Fs + BN * KP; // two windows of PATCH_CHUNKS * 4
  constexpr int YS = BN + 8;          // the staged output tile's row stride
  unsigned short* Ys = Xs + 2 * PATCH_CHUNKS * 4;
  const bool vecOut = N % 8 == 0 && (unsigned long long)out0 % 16 == 0;
  const unsigned short* __restrict__ X = $X$;
  const unsigned short* __restrict__ F = $F$;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int warpM = warp / WARPS_N, warpN = warp % WARPS_N;
  const index_t n0 = (index_t)blockIdx.x * BN;
  // 8-byte copies: 4 channels of a pixel, 4 taps' worth of a filter row
  // (K = TAPS * C is a multiple of 4).
  const bool vecX = (unsigned long long)X % 8 == 0;
  const bool vecF = (unsigned long long)F % 8 == 0;

  // The filter slice, rows past N and k past K zero.
  for (int c = tid; c < BN * KSTEPS * 4; c += THREADS) {
    const int r = c / (KSTEPS * 4), kc = (c % (KSTEPS * 4)) * 4;
    const index_t gn = n0 + r;
    const sindex_t offset = gn < N && kc < K ? (sindex_t)(gn * K + kc) : -1;
    unsigned short* dst = Fs + r * KP + kc;
    if (vecF) {
      dsc_copy_tap4(dst, F, offset);
    } else {
      for (int e = 0; e < 4; ++e)
        dst[e] = offset >= 0 ? F[offset + e] : (unsigned short)0;
    }
  }
  // Tile `tile`'s input window into `xs`, in 4-channel chunks, zeros
  // outside the image.
  auto loadWindow = [&](unsigned short* xs, int tile) {
    const int img = tile / (TILES_Q * TILES_P);
    const int h0 = ((tile / TILES_Q) % TILES_P) * TH * $SH$ - $PH$;
    const int w0 = (tile % TILES_Q) * TW * $SW$ - $PW$;
    for (int c = tid; c < PATCH_CHUNKS; c += THREADS) {
      const int pixel = c / (C / 4), part = c % (C / 4);
      const int h = h0 + pixel / PATCH_W, w = w0 + pixel % PATCH_W;
      const sindex_t offset =
          (unsigned)h < (unsigned)$H$ && (unsigned)w < (unsigned)$W$
              ? (((sindex_t)img * $H$ + h) * $W$ + w) * C + part * 4
              : -1;
      unsigned short* dst = xs + c * 4;
      if (vecX) {
        dsc_copy_tap4(dst, X, offset);
      } else {
        for (int e = 0; e < 4; ++e)
          dst[e] = offset >= 0 ? X[offset + e] : (unsigned short)0;
      }
    }
  };

  // Each thread's fragment rows (pixels lane/4 and 8 below in each of its
  // MT row tiles) as window offsets, with the lane's channel pair: k pair
  // 2*(lane%4) of an 8-deep half step is channels laneChannel.. of tap
  // (half step * 8) / C + laneTap (C = 4: the pair's tap or the next).
  const int laneTap = (2 * (lane % 4)) / C, laneChannel = (2 * (lane % 4)) % C;
  int rowOffset[MT][2];
  #pragma unroll
  for (int i = 0; i < MT; ++i)
    #pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int r = warpM * WTM + i * 16 + lane / 4 + h * 8;
      rowOffset[i][h] =
          ((r / TW) * $SH$ * PATCH_W + (r % TW) * $SW$) * C + laneChannel;
    }
  // The next tap lies one column right, or at the next window row's start
  // after a row's last: a lane's own tap is the half step's tap (a
  // compile-time offset) plus one of these.
  const int nextRight = laneTap * $DW$ * C;
  const int nextDown = laneTap * ($DH$ * PATCH_W - (S - 1) * $DW$) * C;
  auto tapOffset = [](int tap) {
    return ((tap / S) * $DH$ * PATCH_W + (tap % S) * $DW$) * C;
  };

  int tile = blockIdx.y;
  if (tile < TILES)
    loadWindow(Xs, tile);
  dsc_cp_async_commit();
  for (int buffer = 0; tile < TILES; tile += gridDim.y, buffer ^= 1) {
    // The next window streams in while this one is computed; the other
    // buffer's last readers finished before the previous iteration's end.
    const int next = tile + gridDim.y;
    if (next < TILES)
      loadWindow(Xs + (buffer ^ 1) * PATCH_CHUNKS * 4, next);
    dsc_cp_async_commit();
    dsc_cp_async_wait<1>();
    __syncthreads();
    const unsigned short* xs = Xs + buffer * PATCH_CHUNKS * 4;
    const unsigned short* right[MT][2];
    const unsigned short* down[MT][2];
    #pragma unroll
    for (int i = 0; i < MT; ++i)
      #pragma unroll
      for (int h = 0; h < 2; ++h) {
        right[i][h] = xs + rowOffset[i][h] + nextRight;
        down[i][h] = xs + rowOffset[i][h] + nextDown;
      }

    float acc[MT][NT][4];
    dsc_zero_tiles(acc);
    #pragma unroll
    for (int step = 0; step < KSTEPS; ++step) {
      unsigned af[MT][4];
      #pragma unroll
      for (int half = 0; half < 2; ++half) {
        // Taps past the window (K padded to the step) read as zeros.
        const int tap = (step * 16 + half * 8) / C;
        const bool live = tap < TAPS - 1 || (tap == TAPS - 1 && laneTap == 0);
        #pragma unroll
        for (int i = 0; i < MT; ++i)
          #pragma unroll
          for (int h = 0; h < 2; ++h) {
            const unsigned short* base = tap % S == S - 1 ? down[i][h] : right[i][h];
            af[i][half * 2 + h] =
                live ? *reinterpret_cast<const unsigned*>(base + tapOffset(tap)) : 0u;
          }
      }
      unsigned bf[NT][2];
      dsc_ldmatrix_b_rows(bf, Fs + warpN * WTN * KP + step * 16, KP, lane);
      dsc_mma_tiles(acc, af, bf);
    }

    // The epilogue's values go through shared memory (rows of BN + 8: the
    // fragments' 4-byte writes hit distinct banks) so that the tile leaves
    // in whole 16-byte chunks of each pixel's channels, not 2-byte stores
    // that each write part of a sector.
    const int img = tile / (TILES_Q * TILES_P);
    const int p0 = ((tile / TILES_Q) % TILES_P) * TH, q0 = (tile % TILES_Q) * TW;
    #pragma unroll
    for (int i = 0; i < MT; ++i)
      #pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int r = warpM * WTM + i * 16 + lane / 4 + h * 8;
        const int p = min(p0 + r / TW, $P$ - 1), q = min(q0 + r % TW, $Q$ - 1);
        const index_t m = ((index_t)img * $P$ + p) * $Q$ + q;
        #pragma unroll
        for (int j = 0; j < NT; ++j) {
          const int col = warpN * WTN + j * 8 + (lane % 4) * 2;
          // Rows past the output and columns past N are computed at an
          // element in range (never stored).
          const unsigned lo = dsc_epilogue_value($ARGS$, m, min(n0 + col, N - 1), acc[i][j][h * 2]);
          const unsigned hi = dsc_epilogue_value($ARGS$, m, min(n0 + col + 1, N - 1), acc[i][j][h * 2 + 1]);
          *reinterpret_cast<unsigned*>(Ys + r * YS + col) = lo | (hi << 16);
        }
      }
    __syncthreads();
    for (int c = tid; c < $BM$ * (BN / 8); c += THREADS) {
      const int r = c / (BN / 8), col = (c % (BN / 8)) * 8;
      const int p = p0 + r / TW, q = q0 + r % TW;
      if (p >= $P$ || q >= $Q$)
        continue;
      const index_t offset = (((index_t)img * $P$ + p) * $Q$ + q) * N + n0 + col;
      if (vecOut && n0 + col + 8 <= N) {
        *reinterpret_cast<uint4*>(out0 + offset) =
            *reinterpret_cast<const uint4*>(Ys + r * YS + col);
      } else {
        for (int e = 0; e < 8 && n0 + col + e < N; ++e)
          out0[offset + e] = Ys[r * YS + col + e];
      }
    }
    __syncthreads();
  }
  dsc_cp_async_wait<0>();
)cuda";

/// The SIMT body for f32: thread (ty, tx) owns rows ty + i*TY and columns
/// tx + j*TX of a 64x64 tile; both tiles are stored k-major.
constexpr StringLiteral kSimtBody = R"cuda(
  constexpr int BM = 64, BN = 64, BK = 16, TM = 4, TN = 4;
  constexpr int TX = BN / TN, TY = BM / TM, THREADS = TX * TY;
  constexpr index_t M = $M$, N = $N$, K = $K$;
  __shared__ float As[BK][BM + 1];
  __shared__ float Bs[BK][BN + 1];
  const float* __restrict__ X = $X$;
  const float* __restrict__ F = $F$;
  const int tid = threadIdx.x, tx = tid % TX, ty = tid / TX;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  float acc[TM][TN];
  #pragma unroll
  for (int i = 0; i < TM; ++i)
    #pragma unroll
    for (int j = 0; j < TN; ++j)
      acc[i][j] = 0.0f;

  for (index_t k0 = 0; k0 < K; k0 += BK) {
    // Consecutive threads take consecutive k: channels, contiguous in x
    // and in each filter row.
    for (int e = tid; e < BM * BK; e += THREADS) {
      const int r = e / BK, k = e % BK;
      const sindex_t offset = dsc_im2col(m0 + r, k0 + k);
      As[k][r] = offset >= 0 ? X[offset] : 0.0f;
    }
    for (int e = tid; e < BN * BK; e += THREADS) {
      const int c = e / BK, k = e % BK;
      const index_t gn = n0 + c, gk = k0 + k;
      Bs[k][c] = (gn < N && gk < K) ? F[gn * K + gk] : 0.0f;
    }
    __syncthreads();
    #pragma unroll
    for (int k = 0; k < BK; ++k) {
      float a[TM], b[TN];
      #pragma unroll
      for (int i = 0; i < TM; ++i)
        a[i] = As[k][ty + i * TY];
      #pragma unroll
      for (int j = 0; j < TN; ++j)
        b[j] = Bs[k][tx + j * TX];
      #pragma unroll
      for (int i = 0; i < TM; ++i)
        #pragma unroll
        for (int j = 0; j < TN; ++j)
          acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }

  #pragma unroll
  for (int i = 0; i < TM; ++i)
    #pragma unroll
    for (int j = 0; j < TN; ++j) {
      const index_t m = m0 + ty + i * TY, n = n0 + tx + j * TX;
      if (m < M && n < N)
        dsc_epilogue($ARGS$, m, n, acc[i][j]);
    }
)cuda";

/// The input's im2col tensor map for kWgmmaTmaCopies: N x H x W x C, 64
/// channels of `pixels` output pixels per copy, the window of base pixels
/// from -pad to (out - 1) * stride - pad in each spatial dimension.
TensorMapSpec im2colMap(unsigned arg, ArrayRef<int64_t> x,
                        ArrayRef<int64_t> result, ArrayRef<WindowDim> dims,
                        int64_t pixels) {
  TensorMapSpec map;
  map.arg = arg;
  map.elementBytes = 2;
  map.dims = {uint64_t(x[3]), uint64_t(x[2]), uint64_t(x[1]), uint64_t(x[0])};
  map.strides = {uint64_t(x[3] * 2), uint64_t(x[2] * x[3] * 2),
                 uint64_t(x[1] * x[2] * x[3] * 2)};
  map.lowerCorner = {int32_t(-dims[1].padBegin), int32_t(-dims[0].padBegin)};
  map.upperCorner = {
      int32_t((result[2] - 1) * dims[1].stride - dims[1].padBegin - (x[2] - 1)),
      int32_t((result[1] - 1) * dims[0].stride - dims[0].padBegin -
              (x[1] - 1))};
  map.elementStrides = {1, uint32_t(dims[1].stride), uint32_t(dims[0].stride),
                        1};
  map.channelsPerPixel = 64;
  map.pixelsPerColumn = uint32_t(pixels);
  return map;
}

class ConvEmitter {
public:
  ConvEmitter(exec::KernelOp kernel, ConvOp conv)
      : kernel(kernel), conv(conv) {}
  FailureOr<EmittedKernel> emit();

private:
  LogicalResult emitEpilogue(llvm::raw_ostream &os);
  /// "arg0, ..., out0": the entry's parameters, passed on.
  std::string argumentNames() {
    SmallVector<std::string> names;
    for (size_t i = 0; i < kernel.getNumArguments(); ++i)
      names.push_back("arg" + std::to_string(i));
    names.push_back("out0");
    return llvm::join(names, ", ");
  }
  /// The entry of patch tile `tile` (kPatchBody) and its launch.
  FailureOr<KernelVariant>
  emitPatchVariant(llvm::raw_ostream &os, const exec::GemmTile &tile,
                   StringRef entry,
                   ArrayRef<std::pair<StringRef, std::string>> common,
                   exec::TacticsOp tactics);

  exec::KernelOp kernel;
  ConvOp conv;
  SmallVector<int64_t> resultShape, strides, pads, dilations;
};

} // namespace

LogicalResult ConvEmitter::emitEpilogue(llvm::raw_ostream &os) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  Type resultType = elementTypeOf(yield.getValues().front());
  // The stored value of element (m, n), then the store itself.
  os << "static __device__ __forceinline__ "
     << getElementInfo(resultType)->storage << " dsc_epilogue_value("
     << kernelParameters(kernel) << ", index_t m, index_t n, float acc) {\n";
  int64_t p = resultShape[1], q = resultShape[2];
  SmallVector<std::string> coords = {llvm::formatv("(m / {0})", p * q),
                                     llvm::formatv("((m / {0}) % {1})", q, p),
                                     llvm::formatv("(m % {0})", q), "n"};
  if (Value bias = conv.getBias())
    os << "  acc += "
       << loadAsCompute(elementTypeOf(bias),
                        llvm::formatv("arg{0}[n]",
                                      cast<BlockArgument>(bias).getArgNumber())
                            .str())
       << ";\n";
  ScalarExprEmitter scalar(
      kernel, "a conv epilogue", os, "  ",
      [&](Value value) -> FailureOr<std::string> {
        auto arg = dyn_cast<BlockArgument>(value);
        if (!arg)
          return kernel.emitOpError("unsupported op '")
                 << value.getDefiningOp()->getName() << "' in a conv epilogue";
        if (!broadcastsTo(shapeOf(arg), resultShape))
          return kernel.emitOpError("argument #")
                 << arg.getArgNumber() << " of type " << arg.getType()
                 << " does not broadcast to the conv result";
        Type type = elementTypeOf(arg);
        std::string name = llvm::formatv("x{0}", arg.getArgNumber());
        // A residual of the result's shape is read at the result's offset.
        std::string index =
            shapeOf(arg) == ArrayRef<int64_t>(resultShape)
                ? llvm::formatv("m * {0} + n", resultShape[3]).str()
                : broadcastIndexFromCoords(shapeOf(arg), resultShape, coords);
        os << "  const " << getElementInfo(type)->compute << " " << name
           << " = "
           << loadAsCompute(
                  type,
                  llvm::formatv("arg{0}[{1}]", arg.getArgNumber(), index).str())
           << ";\n";
        return name;
      });
  scalar.bind(conv.getResult(), "acc");
  Value result = yield.getValues().front();
  FailureOr<std::string> expr = scalar.emit(result);
  if (failed(expr))
    return failure();
  os << "  return " << storeFromCompute(elementTypeOf(result), *expr)
     << ";\n}\n";
  os << "static __device__ __forceinline__ void dsc_epilogue("
     << kernelParameters(kernel) << ", index_t m, index_t n, float acc) {\n"
     << llvm::formatv("  out0[m * {0} + n] = dsc_epilogue_value({1}, m, n, "
                      "acc);\n",
                      resultShape[3], argumentNames())
     << "}\n\n";
  return success();
}

FailureOr<KernelVariant> ConvEmitter::emitPatchVariant(
    llvm::raw_ostream &os, const exec::GemmTile &tile, StringRef entry,
    ArrayRef<std::pair<StringRef, std::string>> common,
    exec::TacticsOp tactics) {
  ArrayRef<int64_t> x = shapeOf(conv.getInput()), f = shapeOf(conv.getFilter());
  auto yield = cast<exec::YieldOp>(kernel.getBody().front().getTerminator());
  if (!exec::convTakesPatchInput(
          x, f, resultShape,
          elementTypeOf(conv.getInput()).getIntOrFloatBitWidth(),
          elementTypeOf(yield.getValues().front()).getIntOrFloatBitWidth(),
          strides, dilations))
    return tactics.emitOpError("candidate ")
           << tile.str()
           << " is a patch tile, which this convolution cannot take (it "
              "needs 16-bit inputs and result, 4 or 8 channels and its "
              "window within shared memory)";
  int64_t rows = tile.bm / tile.patch;
  int64_t outputTiles = x[0] * ceilDiv(resultShape[1], rows) *
                        ceilDiv(resultShape[2], tile.patch);
  int64_t shared =
      exec::convPatchSharedBytes(tile, x[3], f.slice(1, 2), strides, dilations);
  if (shared > exec::kGemmMaxSharedBytes)
    return tactics.emitOpError("candidate ")
           << tile.str() << " needs " << shared
           << " bytes of shared memory, more than "
           << exec::kGemmMaxSharedBytes;
  // Resident blocks an SM: by registers (about twice the accumulators and
  // 64 more a thread: ptxas keeps a step's A fragments and the next step's
  // in flight), by shared memory; the launch bounds hold ptxas to it.
  int64_t accumulators =
      (tile.bm / tile.warpsM / 16) * (tile.bn / tile.warpsN / 8) * 4;
  int64_t byRegisters =
      65536 / (tile.threads() * ((2 * accumulators + 64 + 7) / 8 * 8));
  int64_t byShared = (exec::kGemmMaxSharedBytes + 1024) / (shared + 1024);
  int64_t blocksPerSM =
      std::clamp<int64_t>(std::min(byRegisters, byShared), 1, 8);
  int64_t columns = ceilDiv(resultShape[3], tile.bn);
  int64_t workers = std::min<int64_t>(
      outputTiles,
      std::max<int64_t>(1, exec::kGemmNumSMs * blocksPerSM / columns));
  std::vector<std::pair<StringRef, std::string>> values(common.begin(),
                                                        common.end());
  addTileValues(tile, values);
  values.push_back({"PATCH", std::to_string(tile.patch)});
  os << "// direct convolution from input windows: " << rows << "x"
     << tile.patch << " output pixels x " << tile.bn << " channels at a time, "
     << tile.warpsM << "x" << tile.warpsN << " warps, " << workers
     << " persistent blocks for " << outputTiles << " tiles\n";
  os << kernelSignature(kernel, entry, tile.threads(), /*reportsFaults=*/false,
                        /*usesScratch=*/false, blocksPerSM)
     << " {" << substitute(kPatchBody, values) << "}\n";
  KernelVariant variant;
  variant.entry = entry.str();
  variant.grid = {static_cast<int32_t>(columns), static_cast<int32_t>(workers),
                  1};
  variant.block = {static_cast<int32_t>(tile.threads()), 1, 1};
  variant.sharedMemory = static_cast<int32_t>(shared);
  variant.description = tile.str();
  return variant;
}

FailureOr<EmittedKernel> ConvEmitter::emit() {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return kernel.emitOpError("conv kernel must yield one value, not ")
           << yield.getValues().size();
  for (Operation &op : body.without_terminator())
    if (&op != conv.getOperation() && !ScalarExprEmitter::isScalarizable(&op))
      return kernel.emitOpError("unsupported op '")
             << op.getName() << "' in a conv epilogue";
  auto input = dyn_cast<BlockArgument>(conv.getInput());
  auto filter = dyn_cast<BlockArgument>(conv.getFilter());
  if (!input || !filter ||
      (conv.getBias() && !isa<BlockArgument>(conv.getBias())))
    return kernel.emitOpError("conv operands must be kernel arguments");
  resultShape = llvm::to_vector(shapeOf(conv.getResult()));
  if (shapeOf(yield.getValues().front()) != ArrayRef<int64_t>(resultShape))
    return kernel.emitOpError("conv epilogue changes the result shape");

  ArrayRef<int64_t> x = shapeOf(input), f = shapeOf(filter);
  SmallVector<WindowDim> dims = windowDimsOf(conv);
  for (const WindowDim &dim : dims) {
    strides.push_back(dim.stride);
    pads.push_back(dim.padBegin);
    dilations.push_back(dim.dilation);
  }
  int64_t m = resultShape[0] * resultShape[1] * resultShape[2];
  int64_t n = resultShape[3];
  int64_t k = f[1] * f[2] * f[3];
  Type type = elementTypeOf(input);
  bool tensorCores = type.isF16() || type.isBF16();
  unsigned resultBits =
      elementTypeOf(yield.getValues().front()).getIntOrFloatBitWidth();

  EmittedKernel result;
  result.name = kernel.getSymName().str();
  result.entry = entryName(kernel);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  int64_t largest = std::max({m * k, m * n, n * k, x[0] * x[1] * x[2] * x[3]});
  os << "typedef " << indexTypeFor(largest) << " index_t;\n";
  // Input offsets, -1 in the padding.
  os << "typedef " << (largest < (int64_t(1) << 31) ? "int" : "long long")
     << " sindex_t;\n";
  std::vector<std::pair<StringRef, std::string>> common = {
      {"M", std::to_string(m)},
      {"N", std::to_string(n)},
      {"K", std::to_string(k)},
      {"H", std::to_string(x[1])},
      {"W", std::to_string(x[2])},
      {"C", std::to_string(x[3])},
      {"P", std::to_string(resultShape[1])},
      {"Q", std::to_string(resultShape[2])},
      {"R", std::to_string(f[1])},
      {"S", std::to_string(f[2])},
      {"SH", std::to_string(dims[0].stride)},
      {"SW", std::to_string(dims[1].stride)},
      {"PH", std::to_string(dims[0].padBegin)},
      {"PW", std::to_string(dims[1].padBegin)},
      {"DH", std::to_string(dims[0].dilation)},
      {"DW", std::to_string(dims[1].dilation)},
      {"IMAGES", std::to_string(x[0])},
      // The last base pixel of the map's window: (out - 1) * stride - pad,
      // as an offset from the image's last pixel.
      {"HIGH_H", std::to_string((resultShape[1] - 1) * dims[0].stride -
                                dims[0].padBegin - (x[1] - 1))},
      {"HIGH_W", std::to_string((resultShape[2] - 1) * dims[1].stride -
                                dims[1].padBegin - (x[2] - 1))},
      {"TMAP", "tmap0"},
      {"X", "arg" + std::to_string(input.getArgNumber())},
      {"F", "arg" + std::to_string(filter.getArgNumber())}};
  common.push_back({"ARGS", argumentNames()});
  os << substitute(kIm2col, common);

  FailureOr<exec::TacticsOp> found =
      findEmittableTactics(kernel, "conv", type, tensorCores);
  if (failed(found))
    return failure();
  exec::TacticsOp tactics = *found;
  int64_t gridX = 1, gridY = 1, gridZ = 1, threads = 1;
  if (tensorCores) {
    // Split-K sums slices across grid z, which per-sample launches take
    // for the samples.
    bool canSplit = !runsPerSample(kernel);
    SmallVector<exec::GemmTile> tiles;
    if (tactics) {
      for (Attribute attr : tactics.getCandidates()) {
        std::string problem;
        std::optional<exec::GemmTile> tile =
            exec::GemmTile::fromAttr(cast<DictionaryAttr>(attr), &problem);
        if (tile && problem.empty())
          problem = exec::checkConvTile(*tile);
        if (!problem.empty())
          return tactics.emitOpError("candidate ") << attr << " " << problem;
        if (tile->tma && tiles.empty())
          return tactics.emitOpError("candidate ")
                 << tile->str()
                 << " takes TMA copies, which the first candidate (the "
                    "entry every GPU runs untuned) cannot";
        if (tile->tma && !exec::convTakesTmaInput(x, f, resultShape,
                                                  type.getIntOrFloatBitWidth(),
                                                  strides, pads, dilations))
          return tactics.emitOpError("candidate ")
                 << tile->str()
                 << " takes TMA copies, which this convolution cannot (it "
                    "needs 16-bit elements, channels a multiple of 64, "
                    "strides up to 8, window corners within 8 bits)";
        tiles.push_back(*tile);
      }
    } else {
      tiles.push_back(exec::chooseConvTile(m, n, k, canSplit));
    }
    os << getTensorCoreHelpers(type);
    os << kCopyTap;
    SmallVector<int64_t> widths;
    for (const exec::GemmTile &tile : tiles)
      if (tile.wgmma && !llvm::is_contained(widths, tile.bn))
        widths.push_back(tile.bn);
    if (!widths.empty())
      os << getWgmmaHelpers(type, widths);
    os << "\n";
    if (failed(emitEpilogue(os)))
      return failure();
    for (auto [index, tile] : llvm::enumerate(tiles)) {
      if (tile.patch) {
        FailureOr<KernelVariant> variant = emitPatchVariant(
            os, tile, variantEntryName(result.entry, index), common, tactics);
        if (failed(variant))
          return failure();
        if (index > 0) {
          result.variants.push_back(std::move(*variant));
          continue;
        }
        threads = tile.threads();
        gridX = variant->grid[0];
        gridY = variant->grid[1];
        result.sharedMemory = variant->sharedMemory;
        if (tiles.size() > 1)
          result.description = variant->description;
        continue;
      }
      if (ceilDiv(m, tile.bm) > kMaxGridY)
        return kernel.emitOpError("conv has too many output pixels (")
               << m << ") for one launch of " << tile.bm << "-row tiles";
      int64_t tileColumns = ceilDiv(n, tile.bn), tileRows = ceilDiv(m, tile.bm);
      FailureOr<SplitK> split =
          planSplitK(kernel, tile, tileColumns * tileRows, ceilDiv(k, tile.bk));
      if (failed(split))
        return failure();
      exec::GemmTile effective = tile;
      effective.splitK = split->slices;
      std::vector<std::pair<StringRef, std::string>> values = common;
      addSplitKValues(*split, values);
      addTileValues(tile, values);
      std::string entry = variantEntryName(result.entry, index);
      os << "// implicit-gemm convolution on "
         << (tile.wgmma ? "warpgroup mma" : "tensor cores") << ": M " << m
         << " N " << n << " K " << k << ", " << tile.bm << "x" << tile.bn << "x"
         << tile.bk << " tile, ";
      if (tile.wgmma)
        os << tile.bm / 64 << " warpgroups, ";
      else
        os << tile.warpsM << "x" << tile.warpsN << " warps, ";
      os << tile.stages << " stages";
      if (split->slices > 1)
        os << ", split-K " << split->slices << " x " << split->tilesPerSlice
           << " K tiles";
      os << "\n";
      std::string signature =
          kernelSignature(kernel, entry, tile.threads(),
                          /*reportsFaults=*/false,
                          /*usesScratch=*/split->slices > 1);
      // The input's tensor map comes last, by value.
      if (tile.tma)
        signature.insert(signature.size() - 1,
                         ", const __grid_constant__ dsc_tensor_map tmap0");
      os << signature << " {";
      os << tensorCoreTileBody(tile, wgmmaConvBody(tile.tma != 0),
                               kTensorCoreBody, common, std::move(values), k,
                               /*bNMajor=*/false,
                               /*batched=*/false, result.archSpecific,
                               /*stagedEpilogue=*/resultBits == 16);
      KernelVariant variant;
      if (tile.tma)
        variant.tensorMaps.push_back(
            im2colMap(input.getArgNumber(), x, resultShape, dims, tile.bm));
      variant.entry = entry;
      variant.grid = {static_cast<int32_t>(std::max<int64_t>(tileColumns, 1)),
                      static_cast<int32_t>(std::max<int64_t>(tileRows, 1)),
                      static_cast<int32_t>(split->slices)};
      variant.block = {static_cast<int32_t>(tile.threads()), 1, 1};
      variant.sharedMemory = static_cast<int32_t>(convSharedBytes(tile));
      variant.scratchBytes = split->scratchBytes;
      variant.description = effective.str();
      if (index > 0) {
        result.variants.push_back(std::move(variant));
        continue;
      }
      threads = tile.threads();
      gridX = tileColumns;
      gridY = tileRows;
      gridZ = split->slices;
      result.sharedMemory = variant.sharedMemory;
      result.scratchBytes = variant.scratchBytes;
      if (tiles.size() > 1)
        result.description = variant.description;
    }
  } else {
    if (failed(emitEpilogue(os)))
      return failure();
    threads = 256;
    os << "// implicit-gemm convolution, simt: M " << m << " N " << n << " K "
       << k << ", 64x64x16 tile, 4x4 per thread\n";
    os << kernelSignature(kernel, result.entry, threads) << " {";
    os << substitute(kSimtBody, common) << "}\n";
    gridX = ceilDiv(n, 64);
    gridY = ceilDiv(m, 64);
  }
  if (gridY > kMaxGridY)
    return kernel.emitOpError("conv has too many output pixels (")
           << m << ") for one launch";
  result.grid = {static_cast<int32_t>(std::max<int64_t>(gridX, 1)),
                 static_cast<int32_t>(std::max<int64_t>(gridY, 1)),
                 static_cast<int32_t>(gridZ)};
  result.block = {static_cast<int32_t>(threads), 1, 1};
  result.source = std::move(source);
  return result;
}

FailureOr<EmittedKernel> emitConvKernel(exec::KernelOp kernel, ConvOp conv) {
  return ConvEmitter(kernel, conv).emit();
}

} // namespace dsc::codegen
