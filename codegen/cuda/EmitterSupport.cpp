//===- EmitterSupport.cpp - shared pieces of the CUDA emitters ------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "codegen/cuda/CudaEmitter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <tuple>

using namespace mlir;

namespace dsc::codegen {

FailureOr<ElementInfo> getElementInfo(Type type) {
  ElementInfo info;
  if (type.isF16() || type.isBF16()) {
    info = {"unsigned short", "float", 2, true};
  } else if (type.isF32()) {
    info = {"float", "float", 4, true};
  } else if (type.isF64()) {
    info = {"double", "double", 8, true};
  } else if (type.isInteger(1)) {
    // Booleans are one byte in buffers and `bool` in registers.
    info = {"unsigned char", "bool", 1, false};
  } else if (auto intType = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = intType.isUnsigned();
    switch (intType.getWidth()) {
    case 8:
      info.storage = isUnsigned ? "unsigned char" : "signed char";
      break;
    case 16:
      info.storage = isUnsigned ? "unsigned short" : "short";
      break;
    case 32:
      info.storage = isUnsigned ? "unsigned int" : "int";
      break;
    case 64:
      info.storage = isUnsigned ? "unsigned long long" : "long long";
      break;
    default:
      return failure();
    }
    info.compute = info.storage;
    info.bytes = intType.getWidth() / 8;
    info.isFloat = false;
  } else {
    return failure();
  }
  return info;
}

std::string loadAsCompute(Type type, StringRef storageExpr) {
  if (type.isF16())
    return llvm::formatv("dsc_f16_to_f32({0})", storageExpr).str();
  if (type.isBF16())
    return llvm::formatv("dsc_bf16_to_f32({0})", storageExpr).str();
  if (type.isInteger(1))
    return llvm::formatv("({0} != 0)", storageExpr).str();
  return storageExpr.str();
}

std::string storeFromCompute(Type type, StringRef computeExpr) {
  if (type.isF16())
    return llvm::formatv("dsc_f32_to_f16({0})", computeExpr).str();
  if (type.isBF16())
    return llvm::formatv("dsc_f32_to_bf16({0})", computeExpr).str();
  if (type.isInteger(1))
    return llvm::formatv("(unsigned char)(({0}) ? 1 : 0)", computeExpr).str();
  return computeExpr.str();
}

std::string convertCompute(Type from, Type to, StringRef expr) {
  if (from == to)
    return expr.str();
  auto fromInfo = getElementInfo(from);
  auto toInfo = getElementInfo(to);
  assert(succeeded(fromInfo) && succeeded(toInfo) && "unchecked element type");
  // Booleans: anything non-zero (NaN included) is true; true is 1.
  if (to.isInteger(1))
    return llvm::formatv("(({0}) != 0)", expr).str();
  std::string source = expr.str();
  // f16/bf16 values are computed in f32 without rounding between ops; the
  // cast sees the value the tensor holds, rounded to its precision.
  if (from.isF16())
    source = llvm::formatv("dsc_f16_to_f32(dsc_f32_to_f16({0}))", expr).str();
  else if (from.isBF16())
    source = llvm::formatv("dsc_bf16_to_f32(dsc_f32_to_bf16({0}))", expr).str();
  else if (from.isInteger(1))
    source = llvm::formatv("(({0}) ? 1 : 0)", expr).str();
  if (to.isF16() || to.isBF16()) {
    StringRef suffix = to.isF16() ? "f16" : "bf16";
    // Round once, from the widest exact form: f32 values directly, f64 and
    // integers through f64 (exact for integers below 2^53).
    if (from.isF32() || from.isF16() || from.isBF16())
      return llvm::formatv("dsc_{0}_to_f32(dsc_f32_to_{0}({1}))", suffix,
                           source)
          .str();
    return llvm::formatv("dsc_{0}_to_f32(dsc_f64_to_{0}((double)({1})))",
                         suffix, source)
        .str();
  }
  // Between f32/f64/integers a C conversion has cast's semantics: round to
  // nearest even into floats, truncation toward zero into integers.
  return llvm::formatv("(({0})({1}))", toInfo->compute, source).str();
}

std::string floatLiteral(Type type, const llvm::APFloat &value) {
  bool isDouble = type.isF64();
  bool losesInfo = false;
  llvm::APFloat converted = value;
  converted.convert(isDouble ? llvm::APFloat::IEEEdouble()
                             : llvm::APFloat::IEEEsingle(),
                    llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  if (converted.isNaN())
    return isDouble ? "__longlong_as_double(0x7ff8000000000000LL)"
                    : "__int_as_float(0x7fc00000)";
  if (converted.isInfinity()) {
    if (isDouble)
      return converted.isNegative()
                 ? "__longlong_as_double(0xfff0000000000000LL)"
                 : "__longlong_as_double(0x7ff0000000000000LL)";
    return converted.isNegative() ? "__int_as_float(0xff800000)"
                                  : "__int_as_float(0x7f800000)";
  }
  char buffer[64];
  if (isDouble)
    std::snprintf(buffer, sizeof(buffer), "%.17g", converted.convertToDouble());
  else
    std::snprintf(buffer, sizeof(buffer), "%.9g",
                  static_cast<double>(converted.convertToFloat()));
  std::string text = buffer;
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  if (!isDouble)
    text += "f";
  if (text[0] == '-')
    text = "(" + text + ")";
  return text;
}

std::string intLiteral(Type type, const llvm::APInt &value) {
  if (type.isInteger(1))
    return value.isZero() ? "false" : "true";
  auto info = getElementInfo(type);
  assert(succeeded(info) && "unchecked element type");
  bool isUnsigned = cast<IntegerType>(type).isUnsigned();
  if (isUnsigned)
    return llvm::formatv("(({0}){1}ULL)", info->compute, value.getZExtValue())
        .str();
  int64_t v = value.getSExtValue();
  if (v == INT64_MIN)
    return "(-9223372036854775807LL - 1)";
  return llvm::formatv("(({0}){1}LL)", info->compute, v).str();
}

StringRef getPrelude() {
  return R"cuda(// Generated by dsc: self-contained, includes no header.
static __device__ __forceinline__ float dsc_f16_to_f32(unsigned short h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}
static __device__ __forceinline__ unsigned short dsc_f32_to_f16(float f) {
  unsigned short h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}
static __device__ __forceinline__ unsigned short dsc_f64_to_f16(double f) {
  unsigned short h;
  asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h) : "d"(f));
  return h;
}
static __device__ __forceinline__ float dsc_bf16_to_f32(unsigned short h) {
  return __uint_as_float(((unsigned int)h) << 16);
}
static __device__ __forceinline__ unsigned short dsc_f32_to_bf16(float f) {
  unsigned short h;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}
static __device__ __forceinline__ unsigned short dsc_f64_to_bf16(double f) {
  unsigned short h;
  asm("cvt.rn.bf16.f64 %0, %1;" : "=h"(h) : "d"(f));
  return h;
}
)cuda";
}

std::string argName(Value value) {
  return llvm::formatv("arg{0}", cast<BlockArgument>(value).getArgNumber());
}

/// Replaces each `$NAME$` of `text`.
std::string
substitute(StringRef text,
           ArrayRef<std::pair<StringRef, std::string>> replacements) {
  std::string result = text.str();
  for (auto &[key, value] : replacements) {
    std::string token = ("$" + key + "$").str();
    for (size_t at = result.find(token); at != std::string::npos;
         at = result.find(token, at + value.size()))
      result.replace(at, token.size(), value);
  }
  return result;
}

std::string getTensorCoreHelpers(Type elementType) {
  static constexpr StringLiteral helpers = R"cuda(
static __device__ __forceinline__ unsigned dsc_smem_addr(const void* p) {
  return (unsigned)__cvta_generic_to_shared(p);
}
static __device__ __forceinline__ void dsc_cp_async16(void* smem, const void* gmem) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" :: "r"(dsc_smem_addr(smem)), "l"(gmem));
}
/// 8 bytes (4 channels of one tap): only the L1-allocating form takes
/// fewer than 16.
static __device__ __forceinline__ void dsc_cp_async8(void* smem, const void* gmem) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 8;\n" :: "r"(dsc_smem_addr(smem)), "l"(gmem));
}
/// `x`, opaque to the optimizer: epilogue indices built on it are not
/// hoisted above the main loop, where they would hold registers throughout.
static __device__ __forceinline__ int dsc_opaque(int x) {
  int y;
  asm volatile("mov.b32 %0, %1;\n" : "=r"(y) : "r"(x));
  return y;
}
static __device__ __forceinline__ void dsc_cp_async_commit() {
  asm volatile("cp.async.commit_group;\n" ::);
}
template <int N> static __device__ __forceinline__ void dsc_cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" :: "n"(N));
}
static __device__ __forceinline__ void dsc_ldmatrix_x4(unsigned (&r)[4], const void* smem) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(dsc_smem_addr(smem)));
}
static __device__ __forceinline__ void dsc_ldmatrix_x4_trans(unsigned (&r)[4], const void* smem) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(dsc_smem_addr(smem)));
}
static __device__ __forceinline__ void dsc_mma_16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.$MMA_TYPE$.$MMA_TYPE$.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
/// B fragments of NT 8-column tiles whose columns are rows of `b` (K
/// contiguous, `stride` elements apart; `b` at the warp's first column and
/// the step's first k): each ldmatrix.x4 reads (n 0-7, k 0-7), (n 0-7,
/// k 8-15), (n 8-15, k 0-7), (n 8-15, k 8-15) of a 16-column pair.
template <int NT>
static __device__ __forceinline__ void dsc_ldmatrix_b_rows(unsigned (&bf)[NT][2], const unsigned short* b, int stride, int lane) {
  #pragma unroll
  for (int j = 0; j < NT; j += 2) {
    unsigned r[4];
    dsc_ldmatrix_x4(r, b + (j * 8 + lane % 8 + (lane / 16) * 8) * stride + ((lane / 8) % 2) * 8);
    bf[j][0] = r[0];
    bf[j][1] = r[1];
    bf[j + 1][0] = r[2];
    bf[j + 1][1] = r[3];
  }
}
template <int MT, int NT>
static __device__ __forceinline__ void dsc_zero_tiles(float (&acc)[MT][NT][4]) {
  #pragma unroll
  for (int i = 0; i < MT; ++i)
    #pragma unroll
    for (int j = 0; j < NT; ++j)
      #pragma unroll
      for (int c = 0; c < 4; ++c)
        acc[i][j][c] = 0.0f;
}
/// A warp's MT x NT m16n8k16 MMAs of one 16-deep step.
template <int MT, int NT>
static __device__ __forceinline__ void dsc_mma_tiles(float (&acc)[MT][NT][4], const unsigned (&af)[MT][4], const unsigned (&bf)[NT][2]) {
  #pragma unroll
  for (int i = 0; i < MT; ++i)
    #pragma unroll
    for (int j = 0; j < NT; ++j)
      dsc_mma_16816(acc[i][j], af[i], bf[j][0], bf[j][1]);
}
)cuda";
  std::string text = helpers.str();
  StringRef token = "$MMA_TYPE$";
  StringRef mmaType = elementType.isBF16() ? "bf16" : "f16";
  for (size_t at = text.find(token.str()); at != std::string::npos;
       at = text.find(token.str(), at + mmaType.size()))
    text.replace(at, token.size(), mmaType.str());
  return text;
}

/// The f32 accumulators d[0..regs) of a wgmma: its PTX operand list
/// ("%0, %1, ...") and the asm constraints that bind them in place.
static std::pair<std::string, std::string> accumulatorOperands(int64_t regs) {
  std::string list, constraints;
  for (int64_t r = 0; r < regs; ++r) {
    list += (r ? ", %" : "%") + std::to_string(r);
    constraints += (r ? ", \"+f\"(d[" : "\"+f\"(d[") + std::to_string(r) + "])";
  }
  return {list, constraints};
}

/// `dsc_wgmma_m64n<n>k16<TRANS_B>(d, a, b, accumulate = 1)`: A through a
/// descriptor (K-major), or, with `registerA`, `dsc_wgmma_rs_m64n<n>k16`
/// taking A's four fragment registers.
static std::string wgmmaHelper(Type elementType, int64_t n, bool registerA) {
  StringRef type = elementType.isBF16() ? "bf16" : "f16";
  int64_t regs = n / 2;
  auto [list, constraints] = accumulatorOperands(regs);
  // Operands after the accumulators: the scale-d flag, A, B.
  auto operand = [&](int64_t i) { return "%" + std::to_string(regs + i); };
  std::string a = registerA ? "{" + operand(1) + ", " + operand(2) + ", " +
                                  operand(3) + ", " + operand(4) + "}"
                            : operand(1);
  std::string b = operand(registerA ? 5 : 2);
  std::string trans = operand(registerA ? 6 : 3);
  return llvm::formatv(
             "template <int TRANS_B>\n"
             "static __device__ __forceinline__ void dsc_wgmma_{0}m64n{1}k16("
             "float (&d)[{2}], {3}, unsigned long long b, int accumulate = "
             "1) {{\n"
             "  asm volatile(\"{{\\n.reg .pred p;\\nsetp.ne.b32 p, {4}, "
             "0;\\n\"\n"
             "               \"wgmma.mma_async.sync.aligned.m64n{1}k16."
             "f32.{5}.{5} {{{6}}, {7}, {8}, p, 1, 1, {9}{10};\\n}\\n\"\n"
             "               : {11}\n"
             "               : \"r\"(accumulate), {12}\"l\"(b), "
             "\"n\"(TRANS_B));\n"
             "}\n",
             registerA ? "rs_" : "", n, regs,
             registerA ? "const unsigned (&a)[4]" : "unsigned long long a",
             operand(0), type, list, a, b, registerA ? "" : "0, ", trans,
             constraints,
             registerA ? "\"r\"(a[0]), \"r\"(a[1]), \"r\"(a[2]), \"r\"(a[3]), "
                       : "\"l\"(a), ")
      .str();
}

std::string getWgmmaHelpers(Type elementType, ArrayRef<int64_t> widths) {
  std::string text = R"cuda(
/// A TMA tensor map (CUtensorMap), passed by value as a __grid_constant__
/// parameter: the runtime encodes it (plan TensorMap).
struct __align__(64) dsc_tensor_map {
  unsigned long long opaque[16];
};
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
/// A shared-memory matrix descriptor: start, leading and stride byte
/// offsets (16-byte units) and the 128-byte swizzle (layout type 1).
static __device__ __forceinline__ unsigned long long dsc_wgmma_desc(const void* smem, unsigned lbo, unsigned sbo) {
  return (unsigned long long)((dsc_smem_addr(smem) & 0x3FFFF) >> 4) |
         ((unsigned long long)((lbo >> 4) & 0x3FFF) << 16) |
         ((unsigned long long)((sbo >> 4) & 0x3FFF) << 32) | (1ull << 62);
}
static __device__ __forceinline__ void dsc_wgmma_fence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
static __device__ __forceinline__ void dsc_wgmma_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
template <int N> static __device__ __forceinline__ void dsc_wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" :: "n"(N) : "memory");
}
/// Shared memory that ordinary stores or cp.async wrote, made visible to
/// the tensor cores (the async proxy).
static __device__ __forceinline__ void dsc_fence_proxy_async() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}
/// mbarriers that TMA copies complete (transaction bytes), one per stage.
static __device__ __forceinline__ void dsc_mbarrier_init(unsigned long long* bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" :: "r"(dsc_smem_addr(bar)), "r"(count) : "memory");
}
/// Initialized barriers, made visible to the copy engine.
static __device__ __forceinline__ void dsc_mbarrier_init_fence() {
  asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
}
/// The calling thread's arrival, announcing `bytes` of copies to come.
static __device__ __forceinline__ void dsc_mbarrier_expect_tx(unsigned long long* bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" :: "r"(dsc_smem_addr(bar)), "r"(bytes) : "memory");
}
/// Waits for phase `parity` of `bar` to complete.
static __device__ __forceinline__ void dsc_mbarrier_wait(unsigned long long* bar, unsigned parity) {
  unsigned done = 0;
  do {
    asm volatile("{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done) : "r"(dsc_smem_addr(bar)), "r"(parity) : "memory");
  } while (!done);
}
/// An im2col bulk copy of a 4-D NHWC tensor: PIXELS pixels from (c, w, h,
/// n) on, each at tap offset (offW, offH), 128-byte swizzled into `dst`,
/// completing on `bar`. The template parameters describe the map's
/// geometry for host emulation; the copy engine reads it from `map`.
template <int PIXELS, int C, int W, int H, int IMAGES, int LOW_W, int LOW_H,
          int HIGH_W, int HIGH_H, int STRIDE_W, int STRIDE_H>
static __device__ __forceinline__ void dsc_tma_im2col_4d(void* dst, const dsc_tensor_map* map, const void* x,
    int c, int w, int h, int n, unsigned short offW, unsigned short offH, unsigned long long* bar) {
  asm volatile("cp.async.bulk.tensor.4d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes"
               " [%0], [%1, {%2, %3, %4, %5}], [%6], {%7, %8};\n"
               :: "r"(dsc_smem_addr(dst)), "l"((unsigned long long)map), "r"(c), "r"(w), "r"(h), "r"(n),
                  "r"(dsc_smem_addr(bar)), "h"(offW), "h"(offH) : "memory");
}
)cuda";
  for (int64_t n : widths)
    text += wgmmaHelper(elementType, n, /*registerA=*/false);
  text += "#endif\n";
  return text;
}

std::string getWgmmaRegisterAHelpers(Type elementType,
                                     ArrayRef<int64_t> widths) {
  std::string text = "#if defined(__CUDA_ARCH_FEAT_SM90_ALL)\n";
  for (int64_t n : widths)
    text += wgmmaHelper(elementType, n, /*registerA=*/true);
  text += "#endif\n";
  return text;
}

/// The warpgroup-MMA pipeline after a body's loadTile: stages in flight,
/// the MMA batches, and $EPILOGUE$ (kWgmmaScalarEpilogue or
/// kWgmmaStagedEpilogue).
constexpr StringLiteral kWgmmaPipeline = R"cuda(
  float acc[BN / 2];
  #pragma unroll
  for (int i = 0; i < BN / 2; ++i)
    acc[i] = 0.0f;
  const unsigned long long descA = dsc_wgmma_desc(As + wg * 64 * BK, 16, 1024);
  const unsigned long long descB = dsc_wgmma_desc(Bs, $B_LBO$, 1024);

  #pragma unroll
  for (int s = 0; s < PREFETCH; ++s) {
    if (s < numKTiles)
      loadTile(s, (index_t)s * BK);
    dsc_cp_async_commit();
  }
  for (int kt = 0; kt < numKTiles; ++kt) {
    // Tile kt has landed and is visible to the tensor cores; every
    // warpgroup has retired the batch that read the stage refilled next.
    dsc_cp_async_wait<PREFETCH - 1>();
$WAIT_A$    dsc_fence_proxy_async();
    dsc_wgmma_wait<1>();
    __syncthreads();
    const int next = kt + PREFETCH;
    if (next < numKTiles)
      loadTile(next % STAGES, (index_t)next * BK);
    dsc_cp_async_commit();

    // Descriptors advance by the start address (16-byte units): 32 bytes
    // along K-major lines, 16 lines of an N-major stage, per k-step.
    const unsigned stage = (unsigned)(kt % STAGES);
    const unsigned long long da = descA + stage * (A_STAGE * 2 / 16);
    const unsigned long long db = descB + stage * (B_STAGE * 2 / 16);
    dsc_wgmma_fence();
    #pragma unroll
    for (int kk = 0; kk < BK / 16; ++kk)
      dsc_wgmma_m64n$BN$k16<$TRANS_B$>(acc, da + kk * (32 / 16), db + kk * ($B_KSTEP$));
    dsc_wgmma_commit();
  }
  dsc_wgmma_wait<0>();
  dsc_cp_async_wait<0>();
$EPILOGUE$)cuda";

/// Each accumulator through dsc_epilogue, which stores it.
constexpr StringLiteral kWgmmaScalarEpilogue = R"cuda(
  // Accumulator i = 4 j + 2 h + c: row 16 wgWarp + lane/4 + 8 h of the
  // warpgroup's 64, column 8 j + 2 (lane % 4) + c.
  const int row = dsc_opaque(wg * 64 + wgWarp * 16 + lane / 4);
  const int col = dsc_opaque((lane % 4) * 2);
  #pragma unroll
  for (int j = 0; j < BN / 8; ++j)
    #pragma unroll
    for (int h = 0; h < 2; ++h) {
      const index_t m = m0 + row + h * 8;
      #pragma unroll
      for (int c = 0; c < 2; ++c) {
        const index_t n = n0 + j * 8 + col + c;
        if (m < M && n < N)
          dsc_epilogue($ARGS$, $EPILOGUE_BATCH$m, n, acc[j * 4 + h * 2 + c]);
      }
    }
)cuda";

/// 16-bit results through dsc_epilogue_value into shared memory, then out
/// in 16-byte chunks (not batched).
constexpr StringLiteral kWgmmaStagedEpilogue = R"cuda(
  // Accumulator i = 4 j + 2 h + c: row 16 wgWarp + lane/4 + 8 h of the
  // warpgroup's 64, column 8 j + 2 (lane % 4) + c. Once every warpgroup is
  // done with the stages, the tile's 16-bit values are staged there (rows
  // of BN + 8: the 4-byte writes of a warp hit distinct banks) and leave in
  // 16-byte chunks, not 2-byte stores that each write part of a sector.
  __syncthreads();
  constexpr int YS = BN + 8;
  static_assert(BM * YS <= STAGES * (A_STAGE + B_STAGE),
                "the staged tile must fit in the stages' shared memory");
  unsigned short* Ys = As;
  const int row = dsc_opaque(wg * 64 + wgWarp * 16 + lane / 4);
  const int col = dsc_opaque((lane % 4) * 2);
  #pragma unroll
  for (int j = 0; j < BN / 8; ++j)
    #pragma unroll
    for (int h = 0; h < 2; ++h) {
      // Rows past M and columns past N are computed at an element in
      // range (never stored).
      const index_t m = min(m0 + row + h * 8, M - 1);
      const index_t n = n0 + j * 8 + col;
      const unsigned lo = dsc_epilogue_value($ARGS$, m, min(n, N - 1), acc[j * 4 + h * 2]);
      const unsigned hi = dsc_epilogue_value($ARGS$, m, min(n + 1, N - 1), acc[j * 4 + h * 2 + 1]);
      *reinterpret_cast<unsigned*>(Ys + (row + h * 8) * YS + j * 8 + col) = lo | (hi << 16);
    }
  __syncthreads();
  const bool vecOut = N % 8 == 0 && (unsigned long long)out0 % 16 == 0;
  for (int c = tid; c < BM * (BN / 8); c += THREADS) {
    const int r = c / (BN / 8), cc = (c % (BN / 8)) * 8;
    const index_t m = m0 + r, n = n0 + cc;
    if (m >= M)
      continue;
    if (vecOut && n + 8 <= N) {
      *reinterpret_cast<uint4*>(out0 + m * N + n) =
          *reinterpret_cast<const uint4*>(Ys + r * YS + cc);
    } else {
      for (int e = 0; e < 8 && n + e < N; ++e)
        out0[m * N + n + e] = Ys[r * YS + cc + e];
    }
  }
)cuda";

std::string tensorCoreTileBody(
    const exec::GemmTile &tile, StringRef wgmmaBody, StringRef mmaBody,
    ArrayRef<std::pair<StringRef, std::string>> common,
    std::vector<std::pair<StringRef, std::string>> values, int64_t k,
    bool bNMajor, bool batched, bool &archSpecific, bool stagedEpilogue) {
  if (!tile.wgmma)
    return substitute(mmaBody, values) + "}\n";
  exec::GemmTile fallback = {tile.bm, tile.bn, 32, tile.bm / 32, 2, 3, 1};
  std::vector<std::pair<StringRef, std::string>> fallbackValues(common.begin(),
                                                                common.end());
  SplitK whole;
  whole.tilesPerSlice = (k + fallback.bk - 1) / fallback.bk;
  addSplitKValues(whole, fallbackValues);
  addTileValues(fallback, fallbackValues);
  values.insert(
      values.begin(),
      {"WGMMA_PIPELINE",
       getWgmmaPipeline(bNMajor, batched, tile.tma != 0, stagedEpilogue)});
  archSpecific = true;
  return "\n#if defined(__CUDA_ARCH_FEAT_SM90_ALL)" +
         substitute(wgmmaBody, values) + "#else" +
         substitute(mmaBody, fallbackValues) + "#endif\n}\n";
}

std::string getWgmmaPipeline(bool bNMajor, bool batched, bool tmaA,
                             bool stagedEpilogue) {
  assert(!(batched && stagedEpilogue) && "the staged epilogue is not batched");
  return substitute(
      kWgmmaPipeline,
      {{"EPILOGUE",
        (stagedEpilogue ? kWgmmaStagedEpilogue : kWgmmaScalarEpilogue).str()},
       {"WAIT_A", tmaA ? "    dsc_mbarrier_wait(&dsc_full[kt % "
                         "STAGES], (kt / STAGES) & 1);\n"
                       : ""},
       {"B_LBO", bNMajor ? "BK * 128" : "16"},
       {"B_KSTEP", bNMajor ? "16 * 128 / 16" : "32 / 16"},
       {"TRANS_B", bNMajor ? "1" : "0"},
       {"EPILOGUE_BATCH", batched ? "z, " : ""}});
}

/// Each slice stores its accumulators to scratch (fragment order, so that a
/// warp's stores are contiguous), then the last slice of the tile to arrive
/// sums all of them in slice order (the result does not depend on the
/// arrival order) and runs the epilogue. The tile's counter is reset for the
/// next launch.
constexpr StringLiteral kSplitKReduce = R"cuda(
    {
      constexpr int FRAGMENT = MT * NT * 4;
      __shared__ int dsc_last_slice;
      const unsigned tile = blockIdx.y * gridDim.x + blockIdx.x;
      unsigned* counters = reinterpret_cast<unsigned*>(scratch);
      float* partials = reinterpret_cast<float*>(scratch + $COUNTER_BYTES$) +
                        (size_t)tile * SPLIT_K * FRAGMENT * THREADS;
      float* mine = partials + (size_t)split * FRAGMENT * THREADS;
      #pragma unroll
      for (int i = 0; i < MT; ++i)
        #pragma unroll
        for (int j = 0; j < NT; ++j)
          #pragma unroll
          for (int c = 0; c < 4; ++c)
            __stcg(&mine[((i * NT + j) * 4 + c) * THREADS + tid], acc[i][j][c]);
      __threadfence();
      __syncthreads();
      if (tid == 0)
        dsc_last_slice = atomicAdd(&counters[tile], 1u) == SPLIT_K - 1;
      __syncthreads();
      if (!dsc_last_slice)
        return;
      __threadfence();
      dsc_zero_tiles(acc);
      for (int s = 0; s < SPLIT_K; ++s) {
        const float* slice = partials + (size_t)s * FRAGMENT * THREADS;
        #pragma unroll
        for (int i = 0; i < MT; ++i)
          #pragma unroll
          for (int j = 0; j < NT; ++j)
            #pragma unroll
            for (int c = 0; c < 4; ++c)
              acc[i][j][c] += __ldcg(&slice[((i * NT + j) * 4 + c) * THREADS + tid]);
      }
      if (tid == 0)
        counters[tile] = 0;
    }
)cuda";

FailureOr<SplitK> planSplitK(exec::KernelOp kernel, const exec::GemmTile &tile,
                             int64_t outputTiles, int64_t kTiles) {
  SplitK split;
  std::tie(split.slices, split.tilesPerSlice) =
      exec::gemmSplitSlices(tile.splitK, kTiles);
  if (split.slices == 1)
    return split;
  // One counter per output tile in the counters' fixed space.
  if (outputTiles * 4 > kSplitKCounterBytes)
    return kernel.emitOpError("split-K over ")
           << outputTiles << " output tiles exceeds the limit of "
           << kSplitKCounterBytes / 4;
  // Each slice's partial sums: one f32 per element of the output tile.
  split.scratchBytes =
      kSplitKCounterBytes + outputTiles * split.slices * tile.bm * tile.bn * 4;
  return split;
}

std::string variantEntryName(StringRef entry, size_t index) {
  return index == 0 ? entry.str() : (entry + "_t" + Twine(index)).str();
}

void addTileValues(const exec::GemmTile &tile,
                   std::vector<std::pair<StringRef, std::string>> &values) {
  values.push_back({"BM", std::to_string(tile.bm)});
  values.push_back({"BN", std::to_string(tile.bn)});
  values.push_back({"BK", std::to_string(tile.bk)});
  values.push_back({"STAGES", std::to_string(tile.stages)});
  values.push_back({"WARPS_M", std::to_string(tile.warpsM)});
  values.push_back({"WARPS_N", std::to_string(tile.warpsN)});
  values.push_back({"THREADS", std::to_string(tile.threads())});
}

void addSplitKValues(const SplitK &split,
                     std::vector<std::pair<StringRef, std::string>> &values) {
  values.push_back({"SPLIT_K", std::to_string(split.slices)});
  values.push_back({"KT_PER_SPLIT", std::to_string(split.tilesPerSlice)});
  values.push_back(
      {"SPLIT_K_REDUCE",
       split.slices > 1
           ? substitute(kSplitKReduce, {{"COUNTER_BYTES",
                                         std::to_string(kSplitKCounterBytes)}})
           : std::string()});
}

SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

bool broadcastsTo(ArrayRef<int64_t> operandShape,
                  ArrayRef<int64_t> resultShape) {
  if (operandShape.size() > resultShape.size())
    return false;
  size_t offset = resultShape.size() - operandShape.size();
  for (auto [i, d] : llvm::enumerate(operandShape))
    if (d != 1 && d != resultShape[offset + i])
      return false;
  return true;
}

std::string broadcastIndexFromLinear(ArrayRef<int64_t> operandShape,
                                     ArrayRef<int64_t> resultShape,
                                     StringRef linearIndex) {
  assert(broadcastsTo(operandShape, resultShape) && "unchecked broadcast");
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<int64_t> resultStrides = getStrides(resultShape);
  SmallVector<int64_t> operandStrides = getStrides(operandShape);

  // Runs of result dimensions that the operand keeps (same size) or
  // broadcasts; size-1 result dimensions belong to neither.
  struct Run {
    bool kept;
    int64_t first, last; // result dimensions, inclusive
  };
  SmallVector<Run> runs;
  for (int64_t d = 0, e = resultShape.size(); d < e; ++d) {
    if (resultShape[d] == 1)
      continue;
    int64_t od = d - static_cast<int64_t>(offset);
    bool kept = od >= 0 && operandShape[od] != 1;
    if (!runs.empty() && runs.back().kept == kept)
      runs.back().last = d;
    else
      runs.push_back({kept, d, d});
  }

  SmallVector<std::string> terms;
  for (auto [runIndex, run] : llvm::enumerate(runs)) {
    if (!run.kept)
      continue;
    int64_t size = 1;
    for (int64_t d = run.first; d <= run.last; ++d)
      size *= resultShape[d];
    std::string coordinate = linearIndex.str();
    if (resultStrides[run.last] != 1)
      coordinate =
          llvm::formatv("({0} / {1})", coordinate, resultStrides[run.last]);
    // The outermost run needs no modulo: the linear index is in bounds.
    if (runIndex != 0)
      coordinate = llvm::formatv("({0} % {1})", coordinate, size);
    int64_t stride = operandStrides[run.last - offset];
    if (stride != 1)
      coordinate = llvm::formatv("{0} * {1}", coordinate, stride);
    terms.push_back(coordinate);
  }
  if (terms.empty())
    return "0";
  return llvm::join(terms, " + ");
}

std::string broadcastIndexFromCoords(ArrayRef<int64_t> operandShape,
                                     ArrayRef<int64_t> resultShape,
                                     ArrayRef<std::string> resultCoords) {
  assert(broadcastsTo(operandShape, resultShape) && "unchecked broadcast");
  assert(resultCoords.size() == resultShape.size() && "one coord per dim");
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<int64_t> operandStrides = getStrides(operandShape);
  SmallVector<std::string> terms;
  for (auto [od, size] : llvm::enumerate(operandShape)) {
    if (size == 1)
      continue;
    const std::string &coord = resultCoords[od + offset];
    if (operandStrides[od] == 1)
      terms.push_back(coord);
    else
      terms.push_back(
          llvm::formatv("({0}) * {1}", coord, operandStrides[od]).str());
  }
  if (terms.empty())
    return "0";
  return llvm::join(terms, " + ");
}

/// The expression of the offset of element `var` of the row-major space of
/// `dims` (a subset of the dimensions of `shape`, in order), in elements of
/// the dense row-major `shape`. Adjacent dimensions are merged.
std::string subspaceOffset(ArrayRef<int64_t> dims, ArrayRef<int64_t> shape,
                           StringRef var) {
  SmallVector<int64_t> strides = getStrides(shape);
  // Groups of dimensions adjacent in `shape`, innermost first.
  struct Group {
    int64_t size, stride;
  };
  SmallVector<Group> groups;
  for (int64_t i = static_cast<int64_t>(dims.size()) - 1; i >= 0; --i) {
    int64_t d = dims[i];
    if (shape[d] == 1)
      continue;
    if (!groups.empty() && i + 1 < static_cast<int64_t>(dims.size()) &&
        dims[i + 1] == d + 1 && shape[d + 1] != 1)
      groups.back().size *= shape[d];
    else
      groups.push_back({shape[d], strides[d]});
  }
  SmallVector<std::string> terms;
  int64_t inner = 1;
  for (auto [i, group] : llvm::enumerate(groups)) {
    std::string coord = var.str();
    if (inner != 1)
      coord = llvm::formatv("({0} / {1})", coord, inner);
    if (i + 1 != groups.size())
      coord = llvm::formatv("({0} % {1})", coord, group.size);
    if (group.stride != 1)
      coord = llvm::formatv("{0} * {1}", coord, group.stride);
    terms.push_back(coord);
    inner *= group.size;
  }
  if (terms.empty())
    return "0";
  std::reverse(terms.begin(), terms.end());
  return llvm::join(terms, " + ");
}

StringRef indexTypeFor(int64_t numElements) {
  return numElements < (int64_t(1) << 31) ? "unsigned int"
                                          : "unsigned long long";
}

StringRef kernelIndexType(exec::KernelOp kernel) {
  int64_t largest = 1;
  for (Type type : kernel.getArgumentTypes())
    largest = std::max(largest, cast<ShapedType>(type).getNumElements());
  for (Type type : kernel.getResultTypes())
    largest = std::max(largest, cast<ShapedType>(type).getNumElements());
  return indexTypeFor(largest);
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

std::string entryName(exec::KernelOp kernel) {
  std::string name;
  for (char c : kernel.getSymName())
    name += llvm::isAlnum(c) ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "k_" + name;
  return name;
}

std::string kernelParameters(exec::KernelOp kernel) {
  SmallVector<std::string> params;
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    auto info = getElementInfo(cast<ShapedType>(type).getElementType());
    params.push_back(
        llvm::formatv("const {0}* __restrict__ arg{1}", info->storage, i));
  }
  for (auto [i, type] : llvm::enumerate(kernel.getResultTypes())) {
    auto info = getElementInfo(cast<ShapedType>(type).getElementType());
    params.push_back(
        llvm::formatv("{0}* __restrict__ out{1}", info->storage, i));
  }
  return llvm::join(params, ", ");
}

exec::TacticsOp findTactics(exec::KernelOp kernel) {
  Block *block = kernel->getBlock();
  if (!block)
    return nullptr;
  for (auto tactics : block->getOps<exec::TacticsOp>())
    if (tactics.getKernel() == kernel.getSymName())
      return tactics;
  return nullptr;
}

FailureOr<exec::TacticsOp> findEmittableTactics(exec::KernelOp kernel,
                                                StringRef family, Type type,
                                                bool tensorCores) {
  exec::TacticsOp tactics = findTactics(kernel);
  if (tactics && !tensorCores)
    return tactics.emitOpError("lists tiles for the ")
           << family << " kernel '" << kernel.getSymName() << "' of " << type
           << ", which has no tensor-core path";
  if (tactics && runsPerSample(kernel))
    return tactics.emitOpError("lists tiles for the per-sample kernel '")
           << kernel.getSymName() << "', which has one entry";
  return tactics;
}

std::string kernelSignature(exec::KernelOp kernel, StringRef entry,
                            int64_t threads, bool reportsFaults,
                            bool usesScratch, int64_t minBlocks) {
  std::string bounds = std::to_string(threads);
  if (minBlocks > 0)
    bounds += ", " + std::to_string(minBlocks);
  return llvm::formatv(
      "extern \"C\" __global__ void __launch_bounds__({0}) {1}({2}{3}{4})",
      bounds, entry, kernelParameters(kernel),
      usesScratch ? ", unsigned char *__restrict__ scratch" : "",
      reportsFaults ? ", unsigned int *__restrict__ fault" : "");
}

LogicalResult verifyKernelTypes(exec::KernelOp kernel) {
  auto check = [&](Type type, StringRef what, size_t index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return kernel.emitOpError()
             << what << " #" << index << " must be a statically shaped tensor";
    if (failed(getElementInfo(tensor.getElementType())))
      return kernel.emitOpError()
             << "unsupported element type " << tensor.getElementType() << " of "
             << what << " #" << index;
    return success();
  };
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes()))
    if (failed(check(type, "argument", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(kernel.getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

} // namespace dsc::codegen
