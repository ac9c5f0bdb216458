//===- AttentionEmitter.cpp - graph.attention -----------------------------===//
//
// graph.attention alone in a data kernel; the [S, Sk] scores never reach
// memory.
//
// f16/bf16 with D = Dv in {32, 64, 128}: FlashAttention-2. One block of 4
// warps per (64-row query tile, b * h plane), each warp owning 16 query
// rows. The block walks the keys in 64-row tiles of K and V that cp.async
// double-buffers in shared memory; S = Q Kt stays in mma.sync m16n8k16
// accumulators, the softmax is online in f32 (running max and sum per row,
// exp2f with log2(e) folded in), P is rounded to 16 bits in registers (the
// accumulator layout of S is the A-fragment layout of P V) and multiplied by
// V; the sum divides at the end. Causal: key tiles wholly above the
// diagonal are skipped, the others masked per element. Shared rows are
// padded by 16 bytes so that the 8 row addresses of an ldmatrix fall in 8
// distinct bank groups.
//
// On sm_90 with D = Dv = 64, variants the runtime times replace mma.sync
// with the warpgroup MMA: one or two warpgroups of 64 query rows per block,
// Q, K and V in 128-byte swizzled shared memory the tensor cores read
// through descriptors, P from registers, two or three K and V stages.
//
// Anything else (f32, f64, other depths): one warp per query row, the same
// online softmax in f32 (f64 for f64), the lanes splitting D for the dot
// products (a shuffle reduction per key) and Dv for the accumulators.
//
// Both take b * h on the grid's z axis, so the per-sample prologue
// (CudaEmitter.cpp) moves the pointers to sample blockIdx.z / (B * H) with
// B the plan's one sample.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "dialects/graph/NnOps.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace dsc::graph;

namespace dsc::codegen {

namespace {

constexpr int64_t kMaxGridZ = 65535;
constexpr int64_t kMaxGridX = int64_t(1) << 31;
/// Blocks that keep every SM of an H100 (132) busy.
constexpr int64_t kBlocksToFill = 132;
/// Rows per block of the row-per-warp kernel: 4 warps.
constexpr int64_t kRowsPerBlock = 4;

/// A float literal that reads back exactly.
std::string floatText(double value) {
  return llvm::formatv("{0:e9}f", value).str();
}

/// The shapes and the softmax's constants of both flash bodies.
constexpr StringLiteral kFlashConstants = R"cuda(
  constexpr int S = $S$, SK = $SK$, H = $H$;
  constexpr bool CAUSAL = $CAUSAL$, HAS_MASK = $HAS_MASK$;
  // Scores live in log2 units: exp(x - max) = exp2(x * LOG2E - max * LOG2E).
  constexpr float SCALE = $SCALE$, LOG2E = 1.4426950408889634f;
  constexpr float SCALE_LOG2 = SCALE * LOG2E;
  // With a positive scale the row max of the raw scores scales to the max
  // of the scaled ones, and exp2(s * SCALE_LOG2 - max) is one FFMA.
  constexpr bool RAW_MAX = SCALE_LOG2 > 0.0f;
  const float NEG_INF = __int_as_float(0xff800000);)cuda";

/// The start of both flash bodies: the plane and query tile of the block,
/// the plane's Q, K and V, and the copy of rows of them into shared memory.
constexpr StringLiteral kFlashLoads = R"cuda(
  const int plane = blockIdx.z;
  const int b = plane / H, h = plane % H;
  // Causal: the query tiles with the most keys start first, so that the
  // short ones fill the last wave.
  const int m0 = (CAUSAL ? gridDim.x - 1 - blockIdx.x : blockIdx.x) * BM;
  // Elements between consecutive positions of a plane.
  constexpr int QRS = $QRS$, KRS = $KRS$, VRS = $VRS$, ORS = $ORS$;
  const unsigned short* __restrict__ Q = $Q$ + $QPLANE$;
  const unsigned short* __restrict__ K = $K$ + $KPLANE$;
  const unsigned short* __restrict__ V = $V$ + $VPLANE$;
  // 16-byte copies need 16-byte aligned rows; D is a multiple of 8 halves,
  // the base pointers are not promised to be aligned.
  const bool vecQ = ((unsigned long long)Q % 16) == 0;
  const bool vecKV = ((unsigned long long)K % 16) == 0 && ((unsigned long long)V % 16) == 0;

  // rows x D from `src` (rows from `row0`, `limit` rows exist, `stride`
  // apart) into `dst` (the layout places 16-byte chunk dc of row r), zero
  // past the limit.
  auto loadRows = [&](unsigned short* dst, const unsigned short* __restrict__ src,
                      int row0, int rows, int limit, bool vec, int stride) {
    for (int c = tid; c < rows * (D / 8); c += THREADS) {
      const int r = c / (D / 8), dc = c % (D / 8);
      unsigned short* d = dst + $SMEM_CHUNK$;
      if (vec && row0 + r < limit) {
        dsc_cp_async16(d, src + (long long)(row0 + r) * stride + dc * 8);
      } else {
        #pragma unroll
        for (int e = 0; e < 8; ++e)
          d[e] = row0 + r < limit ? src[(long long)(row0 + r) * stride + dc * 8 + e] : (unsigned short)0;
      }
    }
  };
)cuda";

/// The online softmax of one key tile, shared by both flash bodies: s
/// (the scores of the warp's MT m16 tiles, mma accumulator layout) scaled to
/// log2 units and masked, the running max and sum updated, o rescaled, and
/// P = exp(S - max) rounded to 16 bits as the A fragments of P V in pf.
constexpr StringLiteral kFlashSoftmax = R"cuda(
    // Only tiles past the keys, on the causal diagonal or under a mask
    // tensor look at each score's position (warp-uniform).
    const bool maskTile = HAS_MASK || n0 + BN > SK || (CAUSAL && n0 + BN - 1 > warpRow0);
    unsigned pf[MT][BN / 16][4];
    #pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
      // Scale (to log2 units), mask, and the new running max of each row.
      float tileMax[2] = {NEG_INF, NEG_INF};
      if (maskTile) {
        #pragma unroll
        for (int j = 0; j < BN / 8; ++j)
          #pragma unroll
          for (int c = 0; c < 4; ++c) {
            const int i = row[mt][c / 2];
            const int key = n0 + j * 8 + (lane % 4) * 2 + c % 2;
            float x = s[mt][j][c] * SCALE;
            if (key >= SK || (CAUSAL && key > i) || i >= S)
              x = NEG_INF;
            else
              x = ($MASK$) * LOG2E;
            s[mt][j][c] = x;
            tileMax[c / 2] = fmaxf(tileMax[c / 2], x);
          }
      } else {
        #pragma unroll
        for (int j = 0; j < BN / 8; ++j)
          #pragma unroll
          for (int c = 0; c < 4; ++c) {
            if (!RAW_MAX)
              s[mt][j][c] *= SCALE_LOG2;
            tileMax[c / 2] = fmaxf(tileMax[c / 2], s[mt][j][c]);
          }
      }
      // The factor that takes this tile's s to log2 units.
      const float toLog2 = maskTile || !RAW_MAX ? 1.0f : SCALE_LOG2;
      float correction[2];
      #pragma unroll
      for (int r = 0; r < 2; ++r) {
        tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 1));
        tileMax[r] = fmaxf(tileMax[r], __shfl_xor_sync(0xffffffffu, tileMax[r], 2));
        tileMax[r] *= toLog2;
        const float newMax = fmaxf(rowMax[mt][r], tileMax[r]);
        // A row with no key yet subtracts 0 rather than -inf (no NaN).
        const float base = newMax == NEG_INF ? 0.0f : newMax;
        correction[r] = dsc_exp2(rowMax[mt][r] - base);
        rowMax[mt][r] = newMax;
        rowSum[mt][r] *= correction[r];
        tileMax[r] = base;
      }
      #pragma unroll
      for (int j = 0; j < D / 8; ++j)
        #pragma unroll
        for (int c = 0; c < 4; ++c)
          o[mt][j][c] *= correction[c / 2];

      // P = exp(S - max), rounded to 16 bits as the A fragments of P V.
      #pragma unroll
      for (int j = 0; j < BN / 8; ++j) {
        float p[4];
        #pragma unroll
        for (int c = 0; c < 4; ++c) {
          p[c] = dsc_exp2(fmaf(s[mt][j][c], toLog2, -tileMax[c / 2]));
          rowSum[mt][c / 2] += p[c];
        }
        pf[mt][j / 2][(j % 2) * 2 + 0] = dsc_pack2(p[0], p[1]);
        pf[mt][j / 2][(j % 2) * 2 + 1] = dsc_pack2(p[2], p[3]);
      }
    }
)cuda";

/// The end of both flash bodies: each row's sum over its 4 lanes, then the
/// rescale and the store, a thread's two adjacent columns as one 32-bit
/// store where aligned.
constexpr StringLiteral kFlashEpilogue =
    R"cuda(  $T$* __restrict__ O = out0 + $OPLANE$;
  const bool pairO = ORS % 2 == 0 && ((unsigned long long)O % 4) == 0;
  #pragma unroll
  for (int mt = 0; mt < MT; ++mt)
    #pragma unroll
    for (int r = 0; r < 2; ++r) {
      float sum = rowSum[mt][r];
      sum += __shfl_xor_sync(0xffffffffu, sum, 1);
      sum += __shfl_xor_sync(0xffffffffu, sum, 2);
      if (row[mt][r] >= S)
        continue;
      // No key took part (every score -inf): $EMPTY_ROW_COMMENT$.
      const float inv = sum > 0.0f ? 1.0f / sum : $EMPTY_ROW$;
      #pragma unroll
      for (int j = 0; j < D / 8; ++j) {
        const int d = j * 8 + (lane % 4) * 2;
        const float v0 = sum > 0.0f ? o[mt][j][r * 2] * inv : inv;
        const float v1 = sum > 0.0f ? o[mt][j][r * 2 + 1] * inv : inv;
        $T$* dst = O + (long long)row[mt][r] * ORS + d;
        if (pairO) {
          *reinterpret_cast<unsigned*>(dst) = dsc_pack2(v0, v1);
        } else {
          float value = v0;
          dst[0] = $STORE$;
          value = v1;
          dst[1] = $STORE$;
        }
      }
    }
)cuda";

/// The FlashAttention-2 body. Q, K, V: [planes, rows, D] with D = DV.
constexpr StringLiteral kFlashBody = R"cuda(
  constexpr int MT = $MT$, BM = 64 * MT, BN = 64, D = $D$, DS = D + 8, THREADS = 128;
$CONSTANTS$
  // Stage st of the K and V tiles at (2 st) and (2 st + 1) x BN x DS; the Q
  // tile (at most 2 x BN rows) shares stage 1, which the first prefetch
  // overwrites once Q is in registers.
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  static_assert(BM <= 2 * BN, "the Q tile fits one K and V stage");
  unsigned short* Ks = reinterpret_cast<unsigned short*>(dsc_smem);
  unsigned short* Vs = Ks + BN * DS;
  unsigned short* Qs = Ks + 2 * BN * DS;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
$LOADS$
  // Causal: key tiles wholly above the last row of this query tile are
  // skipped.
  const int keyEnd = CAUSAL ? min(SK, m0 + BM) : SK;
  const int numTiles = (keyEnd + BN - 1) / BN;

  loadRows(Qs, Q, m0, BM, S, vecQ, QRS);
  if (numTiles > 0) {
    loadRows(Ks, K, 0, BN, SK, vecKV, KRS);
    loadRows(Vs, V, 0, BN, SK, vecKV, VRS);
  }
  dsc_cp_async_commit();

  // Each warp owns MT m16 tiles of query rows (16 * MT rows): the K and V
  // fragments it loads from shared memory serve MT products each.
  const int warpRow0 = m0 + warp * MT * 16, warpRowLast = warpRow0 + MT * 16 - 1;
  unsigned qf[MT][D / 16][4];
  float o[MT][D / 8][4];
  #pragma unroll
  for (int mt = 0; mt < MT; ++mt)
    #pragma unroll
    for (int j = 0; j < D / 8; ++j)
      #pragma unroll
      for (int c = 0; c < 4; ++c)
        o[mt][j][c] = 0.0f;
  // Rows lane / 4 and lane / 4 + 8 of each m tile: running max (log2
  // units) and this thread's part of the running sum.
  float rowMax[MT][2], rowSum[MT][2];
  int row[MT][2];
  #pragma unroll
  for (int mt = 0; mt < MT; ++mt)
    #pragma unroll
    for (int r = 0; r < 2; ++r) {
      rowMax[mt][r] = NEG_INF;
      rowSum[mt][r] = 0.0f;
      row[mt][r] = warpRow0 + mt * 16 + lane / 4 + r * 8;
    }

  for (int kt = 0; kt < numTiles; ++kt) {
    // Tile kt has landed, and every warp is done with the stage the next
    // prefetch overwrites.
    dsc_cp_async_wait<0>();
    __syncthreads();
    if (kt == 0) {
      #pragma unroll
      for (int mt = 0; mt < MT; ++mt)
        #pragma unroll
        for (int k = 0; k < D / 16; ++k)
          dsc_ldmatrix_x4(qf[mt][k], Qs + ((warp * MT + mt) * 16 + lane % 16) * DS + k * 16 + (lane / 16) * 8);
      // Every warp has its Q before stage 1 is overwritten.
      __syncthreads();
    }
    if (kt + 1 < numTiles) {
      const int stage = (kt + 1) % 2;
      loadRows(Ks + stage * 2 * BN * DS, K, (kt + 1) * BN, BN, SK, vecKV, KRS);
      loadRows(Vs + stage * 2 * BN * DS, V, (kt + 1) * BN, BN, SK, vecKV, VRS);
    }
    dsc_cp_async_commit();
    const unsigned short* ks = Ks + (kt % 2) * 2 * BN * DS;
    const unsigned short* vs = Vs + (kt % 2) * 2 * BN * DS;
    const int n0 = kt * BN;

    // S = Q Kt: (16 * MT) x 64 per warp, 8 n-tiles of 8 keys.
    float s[MT][BN / 8][4];
    #pragma unroll
    for (int mt = 0; mt < MT; ++mt)
      #pragma unroll
      for (int j = 0; j < BN / 8; ++j)
        #pragma unroll
        for (int c = 0; c < 4; ++c)
          s[mt][j][c] = 0.0f;
    // Causal: keys past this warp's last row are masked for all of its rows
    // (their scores stay 0 and become -inf below; P V skips them).
    #pragma unroll
    for (int k = 0; k < D / 16; ++k)
      #pragma unroll
      for (int j = 0; j < BN / 8; j += 2) {
        if (CAUSAL && n0 + j * 8 > warpRowLast)
          continue;
        // Matrices: keys j*8.. (d k*16.., k*16+8..), keys j*8+8.. (same).
        unsigned r[4];
        dsc_ldmatrix_x4(r, ks + (j * 8 + (lane / 16) * 8 + lane % 8) * DS + k * 16 + ((lane / 8) % 2) * 8);
        #pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
          dsc_mma_16816(s[mt][j], qf[mt][k], r[0], r[1]);
          dsc_mma_16816(s[mt][j + 1], qf[mt][k], r[2], r[3]);
        }
      }

$SOFTMAX$

    // O += P V: V is [keys, D] with D contiguous, read with ldmatrix.trans.
    #pragma unroll
    for (int k = 0; k < BN / 16; ++k)
      #pragma unroll
      for (int j = 0; j < D / 8; j += 2) {
        if (CAUSAL && n0 + k * 16 > warpRowLast)
          continue;
        unsigned r[4];
        dsc_ldmatrix_x4_trans(r, vs + (k * 16 + lane % 16) * DS + j * 8 + (lane / 16) * 8);
        #pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
          dsc_mma_16816(o[mt][j], pf[mt][k], r[0], r[1]);
          dsc_mma_16816(o[mt][j + 1], pf[mt][k], r[2], r[3]);
        }
      }
  }
  dsc_cp_async_wait<0>();

$EPILOGUE$
)cuda";

/// FlashAttention with Hopper's warpgroup MMA (sm_90a), D = Dv = 64: WG
/// warpgroups of 4 warps, each owning 64 query rows (warp w of a warpgroup
/// its rows 16 w.., as in the mma.sync body, so the softmax and the
/// epilogue are shared). S = Q Kt takes Q and K from shared memory, O += P V
/// takes P from registers and V as an N-major operand; every tile is rows of
/// 64 halves in 128-byte lines whose 16-byte chunks are XOR-swizzled by the
/// row within 8, the layout the descriptors name. No ldmatrix, no per-warp
/// fragment loads: the tensor cores read shared memory themselves.
constexpr StringLiteral kFlashWgmmaBody = R"cuda(
  constexpr int WG = $WG$, MT = 1, BM = 64 * WG, BN = 64, D = 64, THREADS = 128 * WG;
  constexpr int STAGES = $STAGES$;
$CONSTANTS$
  // Q [BM][64], then STAGES stages of K [BN][64] and V [BN][64]; the
  // swizzle repeats every 1024 bytes, so every tile starts on that
  // boundary.
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  unsigned short* Qs = reinterpret_cast<unsigned short*>(
      dsc_smem + ((1024u - (dsc_smem_addr(dsc_smem) & 1023u)) & 1023u));
  unsigned short* Ks = Qs + BM * 64;
  unsigned short* Vs = Ks + BN * 64;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int wg = warp / 4, wgWarp = warp % 4;
$LOADS$
  const int keyEnd = CAUSAL ? min(SK, m0 + BM) : SK;
  const int numTiles = (keyEnd + BN - 1) / BN;
  // Tile t in stage t % STAGES; one commit group per tile (Q joins the
  // first), STAGES - 1 of them in flight.
  auto loadTile = [&](int t) {
    if (t < numTiles) {
      const int stage = t % STAGES;
      loadRows(Ks + stage * 2 * BN * 64, K, t * BN, BN, SK, vecKV, KRS);
      loadRows(Vs + stage * 2 * BN * 64, V, t * BN, BN, SK, vecKV, VRS);
    }
    dsc_cp_async_commit();
  };
  loadRows(Qs, Q, m0, BM, S, vecQ, QRS);
  #pragma unroll
  for (int t = 0; t < STAGES - 1; ++t)
    loadTile(t);

  const int wgRowLast = m0 + wg * 64 + 63;
  const int warpRow0 = m0 + wg * 64 + wgWarp * 16;
  float o[MT][D / 8][4];
  #pragma unroll
  for (int j = 0; j < D / 8; ++j)
    #pragma unroll
    for (int c = 0; c < 4; ++c)
      o[0][j][c] = 0.0f;
  float rowMax[MT][2], rowSum[MT][2];
  int row[MT][2];
  #pragma unroll
  for (int r = 0; r < 2; ++r) {
    rowMax[0][r] = NEG_INF;
    rowSum[0][r] = 0.0f;
    row[0][r] = warpRow0 + lane / 4 + r * 8;
  }
  // K-major Q and K advance 32 bytes per k-step; N-major V 16 lines.
  const unsigned long long descQ = dsc_wgmma_desc(Qs + wg * 64 * 64, 16, 1024);
  const unsigned long long descK = dsc_wgmma_desc(Ks, 16, 1024);
  const unsigned long long descV = dsc_wgmma_desc(Vs, BN * 128, 1024);

  // S = Q Kt of tile t into `s`, and O += P V of tile t, each one batch of
  // wgmma the caller waits for.
  auto issueScores = [&](float (&s)[MT][BN / 8][4], int t) {
    const unsigned long long stageStep = (unsigned long long)((t % STAGES) * 2 * BN * 64 * 2 / 16);
    // The first k-step overwrites the accumulators: no other instruction
    // writes them while the tensor cores may (which would serialize them).
    dsc_wgmma_fence();
    #pragma unroll
    for (int k = 0; k < D / 16; ++k)
      dsc_wgmma_m64n64k16<0>(*reinterpret_cast<float (*)[32]>(&s[0][0][0]), descQ + k * 2,
                             descK + stageStep + k * 2, k > 0);
    dsc_wgmma_commit();
  };
  auto issueValues = [&](const unsigned (&pf)[MT][BN / 16][4], int t) {
    const unsigned long long stageStep = (unsigned long long)((t % STAGES) * 2 * BN * 64 * 2 / 16);
    dsc_wgmma_fence();
    #pragma unroll
    for (int k = 0; k < BN / 16; ++k)
      dsc_wgmma_rs_m64n64k16<1>(*reinterpret_cast<float (*)[32]>(&o[0][0][0]), pf[0][k],
                                descV + stageStep + k * (16 * 128 / 16));
    dsc_wgmma_commit();
  };
  // Causal: key tiles wholly past this warpgroup's rows add nothing.
  const int wgTiles = CAUSAL ? min(numTiles, wgRowLast / BN + 1) : numTiles;
$LOOP$
  dsc_cp_async_wait<0>();
$EPILOGUE$
)cuda";

/// The wgmma body's loop, one tile at a time: S, its softmax, P V. (Issuing
/// the next tile's S before this tile's softmax, FlashAttention-3's
/// overlap, made ptxas serialize the wgmma (C7515) and ran slower.)
constexpr StringLiteral kWgmmaLoop = R"cuda(
  for (int kt = 0; kt < numTiles; ++kt) {
    // Tile kt has landed and is visible to the tensor cores, and every
    // warpgroup is done with the stage the next prefetch overwrites.
    dsc_cp_async_wait<STAGES - 2>();
    dsc_fence_proxy_async();
    __syncthreads();
    // The stage of tile kt - 1, which every warpgroup has retired.
    loadTile(kt + STAGES - 1);
    if (kt >= wgTiles)
      continue;
    const int n0 = kt * BN;
    float s[MT][BN / 8][4];
    issueScores(s, kt);
    dsc_wgmma_wait<0>();
$SOFTMAX$
    issueValues(pf, kt);
    dsc_wgmma_wait<0>();
  }
)cuda";

/// The row-per-warp body: any D and Dv, any float type.
constexpr StringLiteral kRowBody = R"cuda(
  constexpr int D = $D$, DV = $DV$, S = $S$, SK = $SK$, H = $H$;
  constexpr int DL = (D + 31) / 32, DVL = (DV + 31) / 32;
  const $C$ SCALE = ($C$)$SCALE$, NEG_INF = $NEG_INF$;
  const int lane = threadIdx.x % 32;
  const int i = blockIdx.x * $ROWS$ + threadIdx.x / 32;
  if (i >= S)
    return;
  const int plane = blockIdx.z;
  const int b = plane / H, h = plane % H;
  constexpr int KRS = $KRS$, VRS = $VRS$;
  const $T$* __restrict__ Q = $Q$ + $QPLANE$ + (long long)i * $QRS$;
  const $T$* __restrict__ K = $K$ + $KPLANE$;
  const $T$* __restrict__ V = $V$ + $VPLANE$;
  $C$ q[DL];
  #pragma unroll
  for (int t = 0; t < DL; ++t)
    q[t] = lane + 32 * t < D ? $LOAD_Q$ : ($C$)0;
  $C$ acc[DVL];
  #pragma unroll
  for (int t = 0; t < DVL; ++t)
    acc[t] = 0;
  $C$ rowMax = NEG_INF, rowSum = 0;
  const int keyEnd = $CAUSAL$ ? (i + 1 < SK ? i + 1 : SK) : SK;
  for (int key = 0; key < keyEnd; ++key) {
    $C$ dot = 0;
    #pragma unroll
    for (int t = 0; t < DL; ++t)
      if (lane + 32 * t < D)
        dot += q[t] * $LOAD_K$;
    #pragma unroll
    for (int offset = 16; offset > 0; offset /= 2)
      dot += __shfl_xor_sync(0xffffffffu, dot, offset);
    const $C$ x = $MASK$;
    const $C$ newMax = x > rowMax ? x : rowMax;
    if (newMax == NEG_INF)
      continue; // no key takes part yet
    const $C$ correction = $EXP$(rowMax - newMax), p = $EXP$(x - newMax);
    rowMax = newMax;
    rowSum = rowSum * correction + p;
    #pragma unroll
    for (int t = 0; t < DVL; ++t)
      if (lane + 32 * t < DV)
        acc[t] = acc[t] * correction + p * $LOAD_V$;
  }
  $T$* __restrict__ O = out0 + $OPLANE$ + (long long)i * $ORS$;
  // No key took part (every score -inf): $EMPTY_ROW_COMMENT$.
  #pragma unroll
  for (int t = 0; t < DVL; ++t)
    if (lane + 32 * t < DV) {
      const $C$ value = rowSum > 0 ? acc[t] / rowSum : ($C$)$EMPTY_ROW$;
      O[lane + 32 * t] = $STORE$;
    }
)cuda";

/// Packs two floats into 16-bit halves (the first in the low half), and
/// 2^x on the special function unit (flushes results below 2^-126 to 0).
constexpr StringLiteral kPackHelper = R"cuda(
static __device__ __forceinline__ unsigned dsc_pack2(float lo, float hi) {
  unsigned r;
  asm("cvt.rn.$MMA_TYPE$x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  return r;
}
static __device__ __forceinline__ float dsc_exp2(float x) {
  float r;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
  return r;
}
)cuda";

class AttentionEmitter {
public:
  AttentionEmitter(exec::KernelOp kernel, AttentionOp op,
                   const EmitOptions &options)
      : kernel(kernel), op(op), options(options) {}
  FailureOr<EmittedKernel> emit();

private:
  /// The expression of the masked score `x` of query row `row`, key `key`
  /// (the plane's b and h, and NEG_INF, in scope).
  std::string maskExpr(StringRef x, StringRef computeType, StringRef row,
                       StringRef key);
  std::string argName(Value value) {
    return "arg" + std::to_string(cast<BlockArgument>(value).getArgNumber());
  }

  exec::KernelOp kernel;
  AttentionOp op;
  const EmitOptions &options;
  int64_t batch = 0, heads = 0, rows = 0, keys = 0, depth = 0, valueDepth = 0;
};

} // namespace

std::string AttentionEmitter::maskExpr(StringRef x, StringRef computeType,
                                       StringRef row, StringRef key) {
  Value mask = op.getMask();
  if (!mask)
    return x.str();
  SmallVector<int64_t> scores = {batch, heads, rows, keys};
  ArrayRef<int64_t> shape = shapeOf(mask);
  SmallVector<int64_t> strides = getStrides(shape);
  StringRef coords[4] = {"b", "h", row, key};
  std::string index;
  size_t offset = 4 - shape.size();
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (size == 1)
      continue;
    if (!index.empty())
      index += " + ";
    index += strides[d] == 1 ? ("(long long)" + coords[d + offset]).str()
                             : llvm::formatv("(long long){0} * {1}",
                                             coords[d + offset], strides[d])
                                   .str();
  }
  if (index.empty())
    index = "0";
  Type maskType = elementTypeOf(mask);
  std::string element = llvm::formatv("{0}[{1}]", argName(mask), index).str();
  if (maskType.isInteger(1))
    return llvm::formatv("({0} != 0 ? {1} : NEG_INF)", element, x).str();
  return llvm::formatv("{0} + ({1}){2}", x, computeType,
                       loadAsCompute(maskType, element))
      .str();
}

FailureOr<EmittedKernel> AttentionEmitter::emit() {
  FailureOr<AttentionGeometry> geometry = getAttentionGeometry(op);
  if (failed(geometry))
    return failure();
  const AttentionGeometry &g = *geometry;
  batch = g.batch;
  heads = g.heads;
  rows = g.rows;
  depth = g.depth;
  keys = g.keys;
  valueDepth = g.valueDepth;
  int64_t planes = batch * heads;
  if (planes > kMaxGridZ)
    return kernel.emitOpError("attention over ")
           << planes << " (batch x heads) planes exceeds the grid limit of "
           << kMaxGridZ;
  // 32-bit row and key indices; plane offsets are 64-bit.
  int64_t widestRow = std::max(
      {g.rowStride(0), g.rowStride(1), g.rowStride(2), g.rowStride(3)});
  if (std::max(rows, keys) * widestRow >= (int64_t(1) << 31))
    return kernel.emitOpError("attention plane too large for one kernel");

  Type type = elementTypeOf(op.getQuery());
  FailureOr<ElementInfo> info = getElementInfo(type);
  if (failed(info) || !info->isFloat)
    return kernel.emitOpError("unsupported attention element type ") << type;
  bool tensorCores = (type.isF16() || type.isBF16()) && depth == valueDepth &&
                     (depth == 32 || depth == 64 || depth == 128);

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  bool zeroEmptyRows = op.getZeroEmptyRows();
  std::vector<std::pair<StringRef, std::string>> common = {
      {"S", std::to_string(rows)},
      {"SK", std::to_string(keys)},
      {"H", std::to_string(heads)},
      {"D", std::to_string(depth)},
      {"DV", std::to_string(valueDepth)},
      {"Q", argName(op.getQuery())},
      {"K", argName(op.getKey())},
      {"V", argName(op.getValue())},
      {"T", info->storage},
      {"CAUSAL", op.getCausal() ? "true" : "false"},
      {"EMPTY_ROW_COMMENT", zeroEmptyRows ? "zeros" : "NaN, as softmax gives"},
      {"STORE", storeFromCompute(type, "value")}};
  // Plane (b, h)'s first element and row stride in each tensor.
  static constexpr StringLiteral planeKeys[] = {"QPLANE", "KPLANE", "VPLANE",
                                                "OPLANE"};
  static constexpr StringLiteral strideKeys[] = {"QRS", "KRS", "VRS", "ORS"};
  for (int i = 0; i < 4; ++i) {
    int64_t n = g.positions(i), t = g.tensorHeads[i], w = g.width(i);
    std::string head = g.headOffset[i]
                           ? llvm::formatv("({0} + h)", g.headOffset[i]).str()
                           : "h";
    common.push_back(
        {planeKeys[i],
         g.seqMajor
             ? llvm::formatv("((long long)b * {0} + {1}) * {2}", n * t, head, w)
                   .str()
             : llvm::formatv("((long long)b * {0} + {1}) * {2}", t, head, n * w)
                   .str()});
    common.push_back({strideKeys[i], std::to_string(g.rowStride(i))});
  }
  float scale = op.getScale().convertToFloat();
  // Hopper's warpgroup MMA for the depth whose rows fill one 128-byte
  // swizzle line.
  bool warpgroupMma = tensorCores && depth == 64 &&
                      (options.arch == "sm_90" || options.arch == "sm_90a");
  if (tensorCores) {
    os << getTensorCoreHelpers(type);
    os << substitute(kPackHelper,
                     {{"MMA_TYPE", type.isBF16() ? "bf16" : "f16"}});
    if (warpgroupMma)
      os << getWgmmaHelpers(type, {64}) << getWgmmaRegisterAHelpers(type, {64});
    common.push_back({"SCALE", floatText(scale)});
    common.push_back({"MASK", maskExpr("x", "float", "i", "key")});
    common.push_back({"HAS_MASK", op.getMask() ? "true" : "false"});
    common.push_back(
        {"EMPTY_ROW", zeroEmptyRows ? "0.0f" : "__int_as_float(0x7fc00000)"});
    // Alternatives the runtime times (exec tactics) where enough blocks
    // remain to fill the SMs: two m tiles per warp halve the shared-memory
    // reads per product but double the registers and halve the blocks; five
    // blocks per SM instead of the four that 128 registers a thread allow
    // hide more latency if the capped registers do not spill.
    int64_t paddedRow = depth + 8;
    // The bodies' shared pieces go first: their parameters are substituted
    // with the body's.
    auto withPieces = [](std::vector<std::pair<StringRef, std::string>> values,
                         StringRef smemChunk) {
      // Each piece replaces a line of its own.
      auto piece = [](StringRef text) { return text.ltrim('\n').str(); };
      values.insert(values.begin(), {{"CONSTANTS", piece(kFlashConstants)},
                                     {"LOADS", piece(kFlashLoads)},
                                     {"SMEM_CHUNK", smemChunk.str()},
                                     {"SOFTMAX", piece(kFlashSoftmax)},
                                     {"EPILOGUE", piece(kFlashEpilogue)}});
      return values;
    };
    // Where 16-byte chunk dc of row r goes: rows padded by 16 bytes
    // (ldmatrix), or 128-byte lines swizzled by the row within 8 (wgmma).
    constexpr StringLiteral paddedChunk = "r * DS + dc * 8";
    constexpr StringLiteral swizzledChunk = "r * 64 + ((dc ^ (r & 7)) * 8)";
    auto emitFlash = [&](StringRef entry, int64_t mTiles, int64_t minBlocks) {
      int64_t blockRows = 64 * mTiles;
      std::vector<std::pair<StringRef, std::string>> values = common;
      values.push_back({"MT", std::to_string(mTiles)});
      os << "\n// flash attention (tensor cores): " << blockRows
         << " query rows x 64 keys per tile, 4 warps\n";
      os << kernelSignature(kernel, entry, 128, /*reportsFaults=*/false,
                            /*usesScratch=*/false, minBlocks)
         << " {";
      os << substitute(kFlashBody, withPieces(values, paddedChunk)) << "}\n";
      KernelVariant variant;
      variant.entry = entry.str();
      variant.grid = {static_cast<int32_t>((rows + blockRows - 1) / blockRows),
                      1, static_cast<int32_t>(planes)};
      variant.block = {128, 1, 1};
      // Two stages of K and V; Q shares the second.
      variant.sharedMemory = static_cast<int32_t>(4 * 64 * paddedRow * 2);
      variant.description = llvm::formatv("{0} query rows", blockRows).str();
      if (minBlocks)
        variant.description += llvm::formatv(", {0} blocks per SM", minBlocks);
      return variant;
    };
    KernelVariant single = emitFlash(emitted.entry, 1, 0);
    emitted.grid = single.grid;
    emitted.sharedMemory = single.sharedMemory;
    bool wholeBatch = depth <= 64 && !runsPerSample(kernel);
    auto nextEntry = [&] {
      return variantEntryName(emitted.entry, emitted.variants.size() + 1);
    };
    if (wholeBatch && planes * ((rows + 127) / 128) >= kBlocksToFill)
      emitted.variants.push_back(emitFlash(nextEntry(), 2, 0));
    if (wholeBatch && planes * ((rows + 63) / 64) >= 4 * kBlocksToFill)
      emitted.variants.push_back(emitFlash(nextEntry(), 1, 5));
    // Warpgroup MMA: one warpgroup per 64 query rows, or two sharing each
    // K and V tile (half the blocks; the tuner weighs that).
    auto emitWarpgroupFlash = [&](StringRef entry, int64_t warpgroups,
                                  int64_t stages) {
      int64_t blockRows = 64 * warpgroups;
      std::vector<std::pair<StringRef, std::string>> values = common;
      values.push_back({"WG", std::to_string(warpgroups)});
      values.push_back({"STAGES", std::to_string(stages)});
      // The loop holds the softmax piece: it goes in first.
      auto withLoop = [](std::vector<std::pair<StringRef, std::string>> all) {
        all.insert(all.begin(), {"LOOP", kWgmmaLoop.ltrim('\n').str()});
        return all;
      };

      // The fallback (compiled for the host harness, never for a device:
      // the variant exists for sm_90 targets only) runs 64 rows per warp
      // group on the first 4 warps.
      std::vector<std::pair<StringRef, std::string>> fallback = common;
      fallback.push_back({"MT", std::to_string(warpgroups)});
      os << "\n// flash attention (warpgroup MMA): " << blockRows
         << " query rows x 64 keys per tile, " << warpgroups
         << (warpgroups == 1 ? " warpgroup, " : " warpgroups, ") << stages
         << " stages\n";
      os << kernelSignature(kernel, entry, 128 * warpgroups,
                            /*reportsFaults=*/false, /*usesScratch=*/false)
         << " {\n#if defined(__CUDA_ARCH_FEAT_SM90_ALL)"
         << substitute(kFlashWgmmaBody,
                       withLoop(withPieces(values, swizzledChunk)))
         << "#else\n"
         << (warpgroups > 1 ? "  if (threadIdx.x >= 128)\n    return;" : "")
         << substitute(kFlashBody, withPieces(fallback, paddedChunk))
         << "#endif\n}\n";
      KernelVariant variant;
      variant.entry = entry.str();
      variant.grid = {static_cast<int32_t>((rows + blockRows - 1) / blockRows),
                      1, static_cast<int32_t>(planes)};
      variant.block = {static_cast<int32_t>(128 * warpgroups), 1, 1};
      // Q, the stages of K and V, and the slack that aligns them to the
      // swizzle's 1024 bytes; the mma.sync fallback needs less.
      variant.sharedMemory =
          static_cast<int32_t>(1024 + (blockRows + 2 * stages * 64) * 64 * 2);
      variant.description =
          llvm::formatv("{0} query rows, warpgroup MMA, {1} stages", blockRows,
                        stages)
              .str();
      return variant;
    };
    if (warpgroupMma && !runsPerSample(kernel)) {
      emitted.archSpecific = true;
      // Three stages pay off with two warpgroups only (their blocks are
      // fewer and longer).
      emitted.variants.push_back(emitWarpgroupFlash(nextEntry(), 1, 2));
      if (rows > 64) {
        emitted.variants.push_back(emitWarpgroupFlash(nextEntry(), 2, 2));
        emitted.variants.push_back(emitWarpgroupFlash(nextEntry(), 2, 3));
      }
    }
    if (!emitted.variants.empty())
      emitted.description = single.description;
    emitted.block = {128, 1, 1};
  } else {
    std::string compute = info->compute;
    if (depth > 4096 || valueDepth > 4096)
      return kernel.emitOpError("attention depth above 4096 is not supported "
                                "(")
             << depth << ", " << valueDepth << ")";
    common.push_back({"C", compute});
    common.push_back({"SCALE", std::isfinite(scale)
                                   ? llvm::formatv("{0:e9}", scale).str()
                                   : std::string("0")});
    common.push_back({"ROWS", std::to_string(kRowsPerBlock)});
    common.push_back({"MASK", maskExpr("dot * SCALE", compute, "i", "key")});
    bool isDouble = compute == "double";
    common.push_back({"EXP", isDouble ? "exp" : "expf"});
    common.push_back(
        {"NEG_INF", isDouble ? "__longlong_as_double(0xfff0000000000000ull)"
                             : "__int_as_float(0xff800000)"});
    common.push_back(
        {"EMPTY_ROW", zeroEmptyRows ? "0"
                      : isDouble ? "__longlong_as_double(0x7ff8000000000000ull)"
                                 : "__int_as_float(0x7fc00000)"});
    common.push_back({"LOAD_Q", loadAsCompute(type, "Q[lane + 32 * t]")});
    common.push_back(
        {"LOAD_K",
         loadAsCompute(type, "K[(long long)key * KRS + lane + 32 * t]")});
    common.push_back(
        {"LOAD_V",
         loadAsCompute(type, "V[(long long)key * VRS + lane + 32 * t]")});
    os << "\n// attention (one warp per query row, " << compute
       << " online softmax)\n";
    os << kernelSignature(kernel, emitted.entry, 32 * kRowsPerBlock) << " {";
    os << substitute(kRowBody, common) << "}\n";
    int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
    if (blocks > kMaxGridX)
      return kernel.emitOpError("attention has too many query rows (")
             << rows << ")";
    emitted.grid = {static_cast<int32_t>(std::max<int64_t>(blocks, 1)), 1,
                    static_cast<int32_t>(std::max<int64_t>(planes, 1))};
    emitted.block = {static_cast<int32_t>(32 * kRowsPerBlock), 1, 1};
    emitted.sharedMemory = 0;
  }
  emitted.source = std::move(source);
  return emitted;
}

std::optional<FailureOr<EmittedKernel>>
emitAttentionKernel(exec::KernelOp kernel, const EmitOptions &options) {
  Block &body = kernel.getBody().front();
  auto ops = body.without_terminator();
  auto found =
      llvm::find_if(ops, [](Operation &op) { return isa<AttentionOp>(op); });
  if (found == ops.end())
    return std::nullopt;
  auto attention = cast<AttentionOp>(*found);
  // Its operands are then kernel arguments.
  if (std::distance(ops.begin(), ops.end()) != 1)
    return FailureOr<EmittedKernel>(kernel.emitOpError(
        "graph.attention must be alone in its kernel (no prologue or "
        "epilogue)"));
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1 ||
      yield.getValues().front() != attention.getResult())
    return FailureOr<EmittedKernel>(kernel.emitOpError(
        "kernel must yield the result of 'graph.attention'"));
  return AttentionEmitter(kernel, attention, options).emit();
}

} // namespace dsc::codegen
