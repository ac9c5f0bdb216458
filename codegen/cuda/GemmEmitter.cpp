//===- GemmEmitter.cpp - gemm family --------------------------------------===//
//
// C[z] = A[z] x B[z] with numpy batch broadcasting, then an elementwise
// epilogue applied to each accumulator element before the only store.
//
// f16/bf16: tensor cores through mma.sync.m16n8k16 (f32 accumulation). A
// block tile of BM x BN walks K in BK = 32 slices that cp.async brings into a
// ring of shared-memory stages; A is [M, K] (K contiguous) and feeds
// `ldmatrix`, B is [K, N] (N contiguous) and feeds `ldmatrix.trans`, which
// yields the K-contiguous ".col" fragments the mma wants. Rows are padded by
// 16 bytes so that the 8 row addresses of one ldmatrix hit 8 distinct bank
// groups. Edges (M, N, K not multiples of the tile, or operands that are not
// 16-byte aligned) fall back to element loads with zero fill.
//
// Hopper (sm_90a) tiles use warpgroup MMA instead: 64 rows per warpgroup,
// K slices of 64 in 128-byte-swizzled shared memory read through matrix
// descriptors (kWgmmaBody), with the mma.sync body of the same block tile
// as the source's fallback for other targets.
//
// f32/f64: a SIMT tile (no TF32: dsc promises 1e-3 relative error) with the
// same epilogue. Integers (MatMulInteger and QLinearMatMul, whose importers
// widen the 8-bit operands and subtract the zero points first) take the same
// SIMT tile, accumulating exactly in the result type with wrap-around.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"
#include "codegen/cuda/ScalarExprEmitter.h"

#include "dialects/exec/GemmTiles.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

namespace {

/// The largest grid.y/grid.z CUDA accepts.
constexpr int64_t kMaxGridYZ = exec::kGemmMaxGridYZ;
/// SMs of an H100 SXM: a tile size that yields fewer blocks leaves SMs idle.
constexpr int64_t kNumSMs = exec::kGemmNumSMs;

struct SimtTile {
  int64_t bm, bn, bk, tm, tn;
  int64_t threads() const { return (bm / tm) * (bn / tn); }
};

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

SimtTile chooseSimtTile(int64_t m, int64_t n, int64_t batch, bool wide) {
  if (!wide && m >= 128 && ceilDiv(m, 128) * ceilDiv(n, 128) * batch >= kNumSMs)
    return {128, 128, 8, 8, 8};
  if (m > 16)
    return {64, 64, 16, 4, 4};
  return {16, 64, 16, 1, 4};
}

/// The tensor-core kernel body; `$...$` are filled in by the emitter.
constexpr StringLiteral kTensorCoreBody = R"cuda(
  constexpr int BM = $BM$, BN = $BN$, BK = $BK$, STAGES = $STAGES$;
  constexpr int SPLIT_K = $SPLIT_K$, KT_PER_SPLIT = $KT_PER_SPLIT$;
  constexpr int WARPS_N = $WARPS_N$, THREADS = $THREADS$;
  constexpr int WTM = BM / $WARPS_M$, WTN = BN / WARPS_N;
  constexpr int MT = WTM / 16, NT = WTN / 8;
  constexpr int AS = BK + 8, BS = BN + 8; // padded row strides, in elements
  const index_t M = $M$;
  constexpr index_t N = $N$, K = $K$, BATCH = $BATCH$;
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  unsigned short* As = reinterpret_cast<unsigned short*>(dsc_smem);
  unsigned short* Bs = As + STAGES * BM * AS;
  const unsigned short* __restrict__ A = $A$;
  const unsigned short* __restrict__ B = $B$;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int warpM = warp / WARPS_N, warpN = warp % WARPS_N;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  if (m0 >= M)
    return; // a block past the rows (the grid is sized for the most samples)
$GROUP$  // 16-byte copies need 16-byte aligned rows: K and N multiples of 8 halves
  // and aligned base pointers (arena offsets are not promised to be).
  const bool vecA = (K % 8 == 0) && ((unsigned long long)A % 16 == 0);
  const bool vecB = (N % 8 == 0) && ((unsigned long long)B % 16 == 0);
  constexpr int numKTiles = (int)((K + BK - 1) / BK);
  // Split-K (BATCH == 1 only): grid z slice `split` sums K tiles
  // [ktBegin, ktBegin + ktCount) and the last slice of a tile to finish
  // adds up every slice's partial sums.
  const int split = SPLIT_K > 1 ? (int)blockIdx.z : 0;
  const int ktBegin = split * KT_PER_SPLIT;
  const int ktCount = dsc_active ? min(numKTiles - ktBegin, KT_PER_SPLIT) : 0;

  for (index_t z = SPLIT_K > 1 ? 0 : blockIdx.z; z < BATCH;
       z += SPLIT_K > 1 ? 1 : gridDim.z) {
    const unsigned short* __restrict__ Az = A + ($A_BATCH$) * (M * K);
    const unsigned short* __restrict__ Bz = B + ($B_BATCH$) * (K * N);

    // Stage `stage` <- A[m0:m0+BM, k0:k0+BK] and B[k0:k0+BK, n0:n0+BN].
    auto loadTile = [&](int stage, index_t k0) {
      unsigned short* as = As + stage * BM * AS;
      unsigned short* bs = Bs + stage * BK * BS;
      for (int c = tid; c < BM * BK / 8; c += THREADS) {
        const int r = c / (BK / 8), kc = (c % (BK / 8)) * 8;
        const index_t gm = m0 + r, gk = k0 + kc;
        unsigned short* dst = as + r * AS + kc;
        if (vecA && gm < M && gk + 8 <= K) {
          dsc_cp_async16(dst, Az + gm * K + gk);
        } else {
          #pragma unroll
          for (int e = 0; e < 8; ++e)
            dst[e] = (gm < M && gk + e < K) ? Az[gm * K + gk + e] : (unsigned short)0;
        }
      }
      for (int c = tid; c < BK * BN / 8; c += THREADS) {
        const int r = c / (BN / 8), nc = (c % (BN / 8)) * 8;
        const index_t gk = k0 + r, gn = n0 + nc;
        unsigned short* dst = bs + r * BS + nc;
        if (vecB && gk < K && gn + 8 <= N) {
          dsc_cp_async16(dst, Bz + gk * N + gn);
        } else {
          #pragma unroll
          for (int e = 0; e < 8; ++e)
            dst[e] = (gk < K && gn + e < N) ? Bz[gk * N + gn + e] : (unsigned short)0;
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
      const unsigned short* bs = Bs + (kt % STAGES) * BK * BS;
      #pragma unroll
      for (int kk = 0; kk < BK; kk += 16) {
        unsigned af[MT][4];
        unsigned bf[NT][2];
        #pragma unroll
        for (int i = 0; i < MT; ++i)
          dsc_ldmatrix_x4(af[i], as + (warpM * WTM + i * 16 + lane % 16) * AS + kk + (lane / 16) * 8);
        #pragma unroll
        for (int j = 0; j < NT; j += 2) {
          unsigned r[4];
          dsc_ldmatrix_x4_trans(r, bs + (kk + lane % 16) * BS + warpN * WTN + j * 8 + (lane / 16) * 8);
          bf[j][0] = r[0];
          bf[j][1] = r[1];
          bf[j + 1][0] = r[2];
          bf[j + 1][1] = r[3];
        }
        dsc_mma_tiles(acc, af, bf);
      }
    }
    dsc_cp_async_wait<0>();
$SPLIT_K_REDUCE$
    // Accumulator fragment: c[0..1] at (lane/4, 2*(lane%4) + {0,1}),
    // c[2..3] eight rows below.
    const int row = dsc_opaque(warpM * WTM + lane / 4);
    const int col = dsc_opaque(warpN * WTN + (lane % 4) * 2);
    #pragma unroll
    for (int i = 0; i < MT; ++i)
      #pragma unroll
      for (int j = 0; j < NT; ++j)
        #pragma unroll
        for (int h = 0; h < 2; ++h) {
          const index_t m = m0 + row + i * 16 + h * 8;
          #pragma unroll
          for (int c = 0; c < 2; ++c) {
            const index_t n = n0 + col + j * 8 + c;
            if (m < M && n < N)
              dsc_epilogue($ARGS$, z, m, n, acc[i][j][h * 2 + c]);
          }
        }
    // The next batch reuses the stages.
    __syncthreads();
  }
)cuda";

/// The warpgroup-MMA body (sm_90a): warpgroup `wg` owns rows wg*64 ..
/// wg*64+63 of the block tile and all BN columns, one m64nBNk16 per 16 of
/// K. Stages hold A as [BM][64] (K-major) and B as [BN/64][64][64] (64
/// columns of a K row in one 128-byte line, N-major), each line's 16-byte
/// chunks XOR-swizzled by its row within 8, the layout the descriptors
/// name. cp.async keeps STAGES - 2 tiles in flight; the stage it refills
/// was read by the batch before last, which `dsc_wgmma_wait<1>` and the
/// barrier retire in every warpgroup.
constexpr StringLiteral kWgmmaBody = R"cuda(
  constexpr int BM = $BM$, BN = $BN$, BK = 64, STAGES = $STAGES$;
  constexpr int THREADS = $THREADS$, PREFETCH = STAGES - 2;
  constexpr int A_STAGE = BM * BK, B_STAGE = BK * BN; // elements
  const index_t M = $M$;
  constexpr index_t N = $N$, K = $K$, BATCH = $BATCH$;
  extern __shared__ __align__(16) unsigned char dsc_smem[];
  // The swizzle repeats every 1024 bytes: stages start on that boundary.
  unsigned short* As = reinterpret_cast<unsigned short*>(
      dsc_smem + ((1024u - (dsc_smem_addr(dsc_smem) & 1023u)) & 1023u));
  unsigned short* Bs = As + STAGES * A_STAGE;
  const unsigned short* __restrict__ A = $A$;
  const unsigned short* __restrict__ B = $B$;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int wg = warp / 4, wgWarp = warp % 4;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  if (m0 >= M)
    return; // a block past the rows (the grid is sized for the most samples)
$GROUP$  const bool vecA = (K % 8 == 0) && ((unsigned long long)A % 16 == 0);
  const bool vecB = (N % 8 == 0) && ((unsigned long long)B % 16 == 0);
  const int numKTiles = dsc_active ? (int)((K + BK - 1) / BK) : 0;

  for (index_t z = blockIdx.z; z < BATCH; z += gridDim.z) {
    const unsigned short* __restrict__ Az = A + ($A_BATCH$) * (M * K);
    const unsigned short* __restrict__ Bz = B + ($B_BATCH$) * (K * N);

    // Whole tiles of aligned operands take cp.async only; edge tiles fill
    // element by element, with zeros past the matrix.
    auto loadTile = [&](int stage, index_t k0) {
      unsigned short* as = As + stage * A_STAGE;
      unsigned short* bs = Bs + stage * B_STAGE;
      if (vecA && m0 + BM <= M && k0 + BK <= K) {
        #pragma unroll
        for (int c = tid; c < BM * 8; c += THREADS) {
          const int r = c / 8, kc = c % 8;
          dsc_cp_async16(as + r * 64 + ((kc ^ (r & 7)) * 8), Az + (m0 + r) * K + k0 + kc * 8);
        }
      } else {
        #pragma unroll 1
        for (int c = tid; c < BM * 8; c += THREADS) {
          const int r = c / 8, kc = c % 8;
          const index_t gm = m0 + r, gk = k0 + kc * 8;
          unsigned short* dst = as + r * 64 + ((kc ^ (r & 7)) * 8);
          for (int e = 0; e < 8; ++e)
            dst[e] = (gm < M && gk + e < K) ? Az[gm * K + gk + e] : (unsigned short)0;
        }
      }
      if (vecB && n0 + BN <= N && k0 + BK <= K) {
        #pragma unroll
        for (int c = tid; c < BK * (BN / 8); c += THREADS) {
          const int r = c / (BN / 8), nc = c % (BN / 8);
          dsc_cp_async16(bs + (nc / 8) * (BK * 64) + r * 64 + (((nc % 8) ^ (r & 7)) * 8),
                         Bz + (k0 + r) * N + n0 + nc * 8);
        }
      } else {
        #pragma unroll 1
        for (int c = tid; c < BK * (BN / 8); c += THREADS) {
          const int r = c / (BN / 8), nc = c % (BN / 8);
          const index_t gk = k0 + r, gn = n0 + nc * 8;
          unsigned short* dst = bs + (nc / 8) * (BK * 64) + r * 64 + (((nc % 8) ^ (r & 7)) * 8);
          for (int e = 0; e < 8; ++e)
            dst[e] = (gk < K && gn + e < N) ? Bz[gk * N + gn + e] : (unsigned short)0;
        }
      }
    };

$WGMMA_PIPELINE$    // The next batch reuses the stages.
    __syncthreads();
  }
)cuda";

/// The SIMT kernel body for f32/f64. Thread (ty, tx) owns rows ty + i*TY and
/// columns tx + j*TX of the tile, so that shared reads of B are conflict free
/// and stores are coalesced along N.
constexpr StringLiteral kSimtBody = R"cuda(
  constexpr int BM = $BM$, BN = $BN$, BK = $BK$, TM = $TM$, TN = $TN$;
  constexpr int TX = BN / TN, TY = BM / TM, THREADS = TX * TY;
  const index_t M = $M$;
  constexpr index_t N = $N$, K = $K$, BATCH = $BATCH$;
  __shared__ $T$ As[BK][BM + 1];
  __shared__ $T$ Bs[BK][BN];
  const $S$* __restrict__ A = $A$;
  const $S$* __restrict__ B = $B$;
  const int tid = threadIdx.x, tx = tid % TX, ty = tid / TX;
  const index_t m0 = (index_t)blockIdx.y * BM, n0 = (index_t)blockIdx.x * BN;
  if (m0 >= M)
    return; // a block past the rows (the grid is sized for the most samples)
$GROUP$
  for (index_t z = blockIdx.z; z < BATCH; z += gridDim.z) {
    const $S$* __restrict__ Az = A + ($A_BATCH$) * (M * K);
    const $S$* __restrict__ Bz = B + ($B_BATCH$) * (K * N);
    $T$ acc[TM][TN];
    #pragma unroll
    for (int i = 0; i < TM; ++i)
      #pragma unroll
      for (int j = 0; j < TN; ++j)
        acc[i][j] = 0;

    for (index_t k0 = 0; dsc_active && k0 < K; k0 += BK) {
      for (int e = tid; e < BM * BK; e += THREADS) {
        const int r = e / BK, k = e % BK;
        const index_t gm = m0 + r, gk = k0 + k;
        As[k][r] = (gm < M && gk < K) ? $LOAD_A$ : ($T$)0;
      }
      for (int e = tid; e < BK * BN; e += THREADS) {
        const int k = e / BN, c = e % BN;
        const index_t gk = k0 + k, gn = n0 + c;
        Bs[k][c] = (gk < K && gn < N) ? $LOAD_B$ : ($T$)0;
      }
      __syncthreads();
      #pragma unroll
      for (int k = 0; k < BK; ++k) {
        $T$ a[TM], b[TN];
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
            acc[i][j] = $FMA$(a[i], b[j], acc[i][j]);
      }
      __syncthreads();
    }

    #pragma unroll
    for (int i = 0; i < TM; ++i)
      #pragma unroll
      for (int j = 0; j < TN; ++j) {
        const index_t m = m0 + ty + i * TY, n = n0 + tx + j * TX;
        if (m < M && n < N)
          dsc_epilogue($ARGS$, z, m, n, acc[i][j]);
      }
  }
)cuda";

class GemmEmitter {
public:
  GemmEmitter(exec::KernelOp kernel) : kernel(kernel) {}
  FailureOr<EmittedKernel> emit();

private:
  /// The epilogue function: one accumulator element in, one store out.
  LogicalResult emitEpilogue(llvm::raw_ostream &os, StringRef accType);
  /// Whether the launch can run all samples as one GEMM (see emit()).
  bool foldsSamplesIntoRows(BlockArgument lhs, BlockArgument rhs);

  exec::KernelOp kernel;
  /// The graph.matmul or graph.grouped_matmul.
  Operation *product = nullptr;
  graph::GroupedMatMulOp grouped;
  SmallVector<int64_t> resultShape;
  SmallVector<int64_t> batchShape;
  int64_t m = 0, n = 0, k = 0, batch = 1;

public:
  /// Emits the tensor-core entries, one per tile (the first is `entry`).
  LogicalResult
  emitTensorCore(llvm::raw_ostream &os, EmittedKernel &result,
                 ArrayRef<std::pair<StringRef, std::string>> common,
                 ArrayRef<exec::GemmTile> tiles);

  /// EmitOptions::gemmTile: the tile, and the split-K slices (0: chosen).
  std::optional<exec::GemmTile> forcedTile;
  int64_t forcedSlices = 0;
};

} // namespace

LogicalResult GemmEmitter::emitEpilogue(llvm::raw_ostream &os,
                                        StringRef accType) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  os << "static __device__ __forceinline__ void dsc_epilogue("
     << kernelParameters(kernel) << ", index_t z, index_t m, index_t n, "
     << accType << " acc) {\n";
  // Coordinates of the result element: batch dimensions from z.
  SmallVector<std::string> coords;
  SmallVector<int64_t> batchStrides = getStrides(batchShape);
  for (auto [d, size] : llvm::enumerate(batchShape)) {
    std::string coord = "z";
    if (batchStrides[d] != 1)
      coord = llvm::formatv("({0} / {1})", coord, batchStrides[d]);
    if (d != 0)
      coord = llvm::formatv("({0} % {1})", coord, size);
    coords.push_back(coord);
  }
  coords.push_back("m");
  coords.push_back("n");
  ScalarExprEmitter scalar(
      kernel, "a gemm epilogue", os, "  ",
      [&](Value value) -> FailureOr<std::string> {
        auto arg = dyn_cast<BlockArgument>(value);
        if (!arg)
          return kernel.emitOpError("unsupported op '")
                 << value.getDefiningOp()->getName() << "' in a gemm epilogue";
        if (!broadcastsTo(shapeOf(arg), resultShape))
          return kernel.emitOpError("argument #")
                 << arg.getArgNumber() << " of type " << arg.getType()
                 << " does not broadcast to the gemm result";
        Type type = elementTypeOf(arg);
        std::string name = llvm::formatv("x{0}", arg.getArgNumber());
        os << "  const " << getElementInfo(type)->compute << " " << name
           << " = "
           << loadAsCompute(
                  type, llvm::formatv("arg{0}[{1}]", arg.getArgNumber(),
                                      broadcastIndexFromCoords(
                                          shapeOf(arg), resultShape, coords))
                            .str())
           << ";\n";
        return name;
      });
  scalar.bind(product->getResult(0), "acc");
  Value result = yield.getValues().front();
  FailureOr<std::string> expr = scalar.emit(result);
  if (failed(expr))
    return failure();
  os << llvm::formatv("  out0[(z * {0} + m) * {1} + n] = {2};\n", m, n,
                      storeFromCompute(elementTypeOf(result), *expr));
  os << "}\n\n";
  return success();
}

LogicalResult
GemmEmitter::emitTensorCore(llvm::raw_ostream &os, EmittedKernel &result,
                            ArrayRef<std::pair<StringRef, std::string>> common,
                            ArrayRef<exec::GemmTile> tiles) {
  for (auto [index, tile] : llvm::enumerate(tiles)) {
    int64_t gridX = ceilDiv(n, tile.bn), gridY = ceilDiv(m, tile.bm);
    if (gridY > kMaxGridYZ)
      return kernel.emitOpError("matmul has too many rows (")
             << m << ") for one launch of " << tile.bm << "-row tiles";
    FailureOr<SplitK> split =
        planSplitK(kernel, tile, gridX * gridY, ceilDiv(k, tile.bk));
    if (failed(split))
      return failure();
    int64_t slices = split->slices;
    exec::GemmTile effective = tile;
    effective.splitK = slices;
    std::vector<std::pair<StringRef, std::string>> values(common.begin(),
                                                          common.end());
    addSplitKValues(*split, values);
    addTileValues(tile, values);
    std::string entry = variantEntryName(result.entry, index);
    if (tile.wgmma)
      os << "// warpgroup mma: " << tile.bm << "x" << tile.bn << "x" << tile.bk
         << " tile, " << tile.bm / 64 << " warpgroups, " << tile.stages
         << " stages";
    else
      os << "// tensor cores: " << tile.bm << "x" << tile.bn << "x" << tile.bk
         << " tile, " << tile.warpsM << "x" << tile.warpsN << " warps, "
         << tile.stages << " stages";
    if (slices > 1)
      os << ", split-K " << slices << " x " << split->tilesPerSlice
         << " K tiles";
    os << "\n";
    os << kernelSignature(kernel, entry, tile.threads(),
                          /*reportsFaults=*/false,
                          /*usesScratch=*/slices > 1)
       << " {";
    os << tensorCoreTileBody(tile, kWgmmaBody, kTensorCoreBody, common,
                             std::move(values), k, /*bNMajor=*/true,
                             /*batched=*/true, result.archSpecific);

    KernelVariant variant;
    variant.entry = entry;
    variant.grid = {
        static_cast<int32_t>(std::max<int64_t>(gridX, 1)),
        static_cast<int32_t>(std::max<int64_t>(gridY, 1)),
        static_cast<int32_t>(
            slices > 1 ? slices : std::clamp<int64_t>(batch, 1, kMaxGridYZ))};
    variant.block = {static_cast<int32_t>(tile.threads()), 1, 1};
    variant.sharedMemory = static_cast<int32_t>(tile.sharedBytes());
    variant.scratchBytes = split->scratchBytes;
    variant.description = effective.str();
    if (index > 0) {
      result.variants.push_back(std::move(variant));
      continue;
    }
    result.grid = variant.grid;
    result.block = variant.block;
    result.sharedMemory = variant.sharedMemory;
    result.scratchBytes = variant.scratchBytes;
    if (tiles.size() > 1)
      result.description = variant.description;
  }
  return success();
}

FailureOr<EmittedKernel> GemmEmitter::emit() {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return kernel.emitOpError("gemm kernel must yield one value, not ")
           << yield.getValues().size();
  for (Operation &op : body.without_terminator()) {
    if (isa<graph::MatMulOp, graph::GroupedMatMulOp>(op)) {
      if (product)
        return kernel.emitOpError("gemm kernel has more than one matmul");
      product = &op;
      continue;
    }
    if (!ScalarExprEmitter::isScalarizable(&op))
      return kernel.emitOpError("unsupported op '")
             << op.getName() << "' in a gemm epilogue";
  }
  if (!product)
    return kernel.emitOpError("gemm kernel has no graph.matmul");
  grouped = dyn_cast<graph::GroupedMatMulOp>(product);
  auto lhs = dyn_cast<BlockArgument>(product->getOperand(0));
  auto rhs = dyn_cast<BlockArgument>(product->getOperand(1));
  auto groups =
      grouped ? dyn_cast<BlockArgument>(grouped.getGroups()) : BlockArgument();
  if (!lhs || !rhs || (grouped && !groups))
    return kernel.emitOpError(
        "matmul operands must be kernel arguments (no prologue)");
  ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  if (lhsShape.size() < 2 || rhsShape.size() < 2)
    return kernel.emitOpError("1-d matmul operands are not supported");
  Value productResult = product->getResult(0);
  resultShape = llvm::to_vector(shapeOf(productResult));
  if (shapeOf(yield.getValues().front()) != ArrayRef<int64_t>(resultShape))
    return kernel.emitOpError("gemm epilogue changes the result shape from ")
           << productResult.getType() << " to "
           << yield.getValues().front().getType();
  m = lhsShape[lhsShape.size() - 2];
  k = lhsShape.back();
  n = rhsShape.back();
  batchShape.assign(resultShape.begin(), resultShape.end() - 2);
  ArrayRef<int64_t> lhsBatch = lhsShape.drop_back(2);
  ArrayRef<int64_t> rhsBatch = rhsShape.drop_back(2);
  // A grouped product's rhs batch is its experts: the group picks one.
  if (resultShape.size() < 2 || resultShape[resultShape.size() - 2] != m ||
      resultShape.back() != n || rhsShape[rhsShape.size() - 2] != k ||
      !broadcastsTo(lhsBatch, batchShape) ||
      (grouped ? rhsShape.size() != 3 || resultShape.size() != 2
               : !broadcastsTo(rhsBatch, batchShape)))
    return kernel.emitOpError("inconsistent matmul shapes: ")
           << lhs.getType() << " x " << rhs.getType() << " -> "
           << productResult.getType();
  for (int64_t d : batchShape)
    batch *= d;

  Type inputType = elementTypeOf(lhs);
  Type resultType = elementTypeOf(productResult);
  bool tensorCores = inputType.isF16() || inputType.isBF16();
  // Integers (not booleans) accumulate exactly in the result's type, which
  // wraps around as the reference's integers do.
  bool integer = isa<IntegerType>(inputType) && !inputType.isInteger(1) &&
                 isa<IntegerType>(resultType) && !resultType.isInteger(1);
  if (!tensorCores && !integer && !inputType.isF32() && !inputType.isF64())
    return kernel.emitOpError("unsupported matmul element type ") << inputType;

  // Samples folded into the rows: with one sample per launch row block,
  // a per-sample [m, K] x shared [K, N] is one GEMM of m * samples rows
  // (sample-major rows are contiguous), instead of one small GEMM per
  // sample.
  bool foldSamples = !grouped && foldsSamplesIntoRows(lhs, rhs);
  int64_t largest = 1;
  for (Type type : kernel.getArgumentTypes())
    largest = std::max(largest, cast<ShapedType>(type).getNumElements());
  for (Type type : kernel.getResultTypes())
    largest = std::max(largest, cast<ShapedType>(type).getNumElements());

  EmittedKernel result;
  result.name = kernel.getSymName().str();
  result.entry = entryName(kernel);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << indexTypeFor(largest) << " index_t;\n";

  SmallVector<std::string> argNames;
  for (size_t i = 0; i < kernel.getNumArguments(); ++i)
    argNames.push_back("arg" + std::to_string(i));
  argNames.push_back("out0");
  std::string batchA = broadcastIndexFromLinear(lhsBatch, batchShape, "z");
  std::string batchB =
      grouped ? std::string("(dsc_active ? dsc_group : 0)")
              : broadcastIndexFromLinear(rhsBatch, batchShape, "z");
  // A grouped product's block reads its group's expert; a block of a
  // group outside the experts leaves the K loop out (zero rows).
  std::string group = "  constexpr bool dsc_active = true;\n";
  int64_t groupRows = grouped ? grouped.getGroupRowsAttr().getInt() : 0;
  if (grouped)
    group = llvm::formatv("  const int dsc_group = {0}[m0 / {1}];\n"
                          "  const bool dsc_active = dsc_group >= 0 && "
                          "dsc_group < {2};\n",
                          argName(groups), groupRows, rhsShape[0]);
  std::vector<std::pair<StringRef, std::string>> common = {
      {"M", foldSamples ? "(index_t)" + std::to_string(m) + " * dsc_samples"
                        : std::to_string(m)},
      {"N", std::to_string(n)},
      {"K", std::to_string(k)},
      {"BATCH", std::to_string(batch)},
      {"A", "arg" + std::to_string(lhs.getArgNumber())},
      {"B", "arg" + std::to_string(rhs.getArgNumber())},
      {"A_BATCH", batchA},
      {"B_BATCH", batchB},
      {"GROUP", group},
      {"ARGS", llvm::join(argNames, ", ")}};

  FailureOr<exec::TacticsOp> found =
      findEmittableTactics(kernel, "gemm", inputType, tensorCores);
  if (failed(found))
    return failure();
  exec::TacticsOp tactics = *found;
  int64_t gridX, gridY, gridZ = std::clamp<int64_t>(batch, 1, kMaxGridYZ),
                        threads;
  if (tensorCores) {
    // Split-K sums slices across grid z: one batch, not per sample.
    bool canSplit = batch == 1 && !runsPerSample(kernel) && !grouped;
    SmallVector<exec::GemmTile> tiles;
    if (forcedTile) {
      exec::GemmTile tile = *forcedTile;
      tile.splitK = tile.wgmma ? 1
                    : forcedSlices > 0
                        ? forcedSlices
                        : exec::chooseGemmSplitK(ceilDiv(m, tile.bm) *
                                                     ceilDiv(n, tile.bn),
                                                 ceilDiv(k, tile.bk));
      tiles.push_back(tile);
    } else if (tactics) {
      for (Attribute attr : tactics.getCandidates()) {
        std::string problem;
        std::optional<exec::GemmTile> tile =
            exec::GemmTile::fromAttr(cast<DictionaryAttr>(attr), &problem);
        if (!tile)
          return tactics.emitOpError("candidate ") << attr << " " << problem;
        if (tile->tma)
          return tactics.emitOpError("candidate ")
                 << tile->str()
                 << " takes TMA im2col copies, which only convolutions have";
        if (tile->splitK > 1 && !canSplit)
          return tactics.emitOpError("candidate ")
                 << tile->str()
                 << " splits K, which a batched or per-sample gemm cannot";
        tiles.push_back(*tile);
      }
    } else {
      tiles.push_back(exec::chooseGemmTile(m, n, k, batch, canSplit));
    }
    if (!canSplit)
      for (exec::GemmTile &tile : tiles)
        tile.splitK = 1;
    if (grouped) {
      // Row tiles within one group: the library's default tile may not be.
      if (!forcedTile && !tactics && groupRows % tiles.front().bm != 0)
        tiles.front() = exec::GemmTile{64, 64, 32, 2, 2, 3};
      for (const exec::GemmTile &tile : tiles)
        if (groupRows % tile.bm != 0)
          return kernel.emitOpError("grouped matmul tile ")
                 << tile.str() << " has rows (" << tile.bm
                 << ") that do not divide group_rows (" << groupRows << ")";
    }
    os << getTensorCoreHelpers(inputType);
    SmallVector<int64_t> widths;
    for (const exec::GemmTile &tile : tiles)
      if (tile.wgmma && !llvm::is_contained(widths, tile.bn))
        widths.push_back(tile.bn);
    if (!widths.empty())
      os << getWgmmaHelpers(inputType, widths);
    os << "\n";
    if (failed(emitEpilogue(os, "float")) ||
        failed(emitTensorCore(os, result, common, tiles)))
      return failure();
  } else {
    bool isDouble = inputType.isF64();
    bool wide = isDouble || (integer && getElementInfo(resultType)->bytes == 8);
    SimtTile tile = chooseSimtTile(m, n, batch, wide);
    for (SimtTile smaller :
         {SimtTile{64, 64, 16, 4, 4}, SimtTile{16, 64, 16, 1, 4}})
      if (grouped && groupRows % tile.bm != 0)
        tile = smaller;
    if (grouped && groupRows % tile.bm != 0)
      return kernel.emitOpError("grouped matmul: group_rows (")
             << groupRows << ") is not a multiple of 16 rows";
    std::string computeType = isDouble ? "double" : "float";
    std::string storageType = computeType, fma = isDouble ? "fma" : "fmaf";
    if (integer) {
      computeType = getElementInfo(resultType)->compute;
      storageType = getElementInfo(inputType)->storage;
      fma = "dsc_mad";
      // Unsigned arithmetic: overflow wraps, defined.
      StringRef wrap = wide ? "unsigned long long" : "unsigned int";
      os << llvm::formatv("static __device__ __forceinline__ {0} dsc_mad({0} "
                          "a, {0} b, {0} c) {{\n  return ({0})(({1})a * ({1})b "
                          "+ ({1})c);\n}\n\n",
                          computeType, wrap);
    }
    if (failed(emitEpilogue(os, computeType)))
      return failure();
    threads = tile.threads();
    common.push_back({"BM", std::to_string(tile.bm)});
    common.push_back({"BN", std::to_string(tile.bn)});
    common.push_back({"BK", std::to_string(tile.bk)});
    common.push_back({"TM", std::to_string(tile.tm)});
    common.push_back({"TN", std::to_string(tile.tn)});
    common.push_back({"T", computeType});
    common.push_back({"S", storageType});
    common.push_back({"LOAD_A", "(" + computeType + ")Az[gm * K + gk]"});
    common.push_back({"LOAD_B", "(" + computeType + ")Bz[gk * N + gn]"});
    common.push_back({"FMA", fma});
    os << (integer ? "// integer " : "// ") << "simt: " << tile.bm << "x"
       << tile.bn << "x" << tile.bk << " tile, " << tile.tm << "x" << tile.tn
       << " per thread\n";
    os << kernelSignature(kernel, result.entry, threads) << " {";
    os << substitute(kSimtBody, common) << "}\n";
    gridX = ceilDiv(n, tile.bn);
    gridY = ceilDiv(m, tile.bm);
    result.sharedMemory = 0;
    if (gridY > kMaxGridYZ)
      return kernel.emitOpError("matmul has too many rows (")
             << m << ") for one launch";
    result.grid = {static_cast<int32_t>(std::max<int64_t>(gridX, 1)),
                   static_cast<int32_t>(std::max<int64_t>(gridY, 1)),
                   static_cast<int32_t>(gridZ)};
    result.block = {static_cast<int32_t>(threads), 1, 1};
  }
  result.source = std::move(source);
  if (foldSamples)
    result.sampleGridAxis = 1;
  return result;
}

bool GemmEmitter::foldsSamplesIntoRows(BlockArgument lhs, BlockArgument rhs) {
  if (!runsPerSample(kernel) || batch != 1 || !isPerSampleValue(kernel, lhs) ||
      isPerSampleValue(kernel, rhs) || !isPerSampleResult(kernel, 0))
    return false;
  // Epilogue operands index rows by the global row: a per-sample one must
  // have all m rows of its sample, a shared one none.
  for (BlockArgument arg : kernel.getBody().front().getArguments()) {
    if (arg == lhs || arg == rhs)
      continue;
    ArrayRef<int64_t> shape = shapeOf(arg);
    int64_t rows = shape.size() >= 2 ? shape[shape.size() - 2] : 1;
    if (isPerSampleValue(kernel, arg) ? rows != m : rows != 1)
      return false;
  }
  return true;
}

FailureOr<EmittedKernel> emitGemmKernel(exec::KernelOp kernel,
                                        const EmitOptions &options) {
  GemmEmitter emitter(kernel);
  if (!options.gemmTile.empty()) {
    ArrayRef<int64_t> t = options.gemmTile;
    exec::GemmTile tile;
    if (t.size() >= 6 && t.size() <= 8)
      tile = {t[0], t[1], t[2], t[3], t[4], t[5]};
    if (t.size() == 8)
      tile.wgmma = t[7];
    // Warp tiles of whole 16x16 mma pairs, whole 16-deep K steps, and what
    // one block can hold.
    if (t.size() < 6 || t.size() > 8 || (t.size() >= 7 && t[6] < 1) ||
        !exec::checkGemmTile(tile).empty())
      return kernel.emitOpError("invalid gemm tile (BM,BN,BK,WARPS_M,WARPS_N,"
                                "STAGES[,SPLIT_K[,WGMMA]]): ")
             << llvm::join(llvm::map_range(
                               t, [](int64_t v) { return std::to_string(v); }),
                           ",");
    emitter.forcedTile = tile;
    emitter.forcedSlices = t.size() >= 7 ? t[6] : 0;
  }
  return emitter.emit();
}

} // namespace dsc::codegen
