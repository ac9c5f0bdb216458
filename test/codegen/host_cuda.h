//===- host_cuda.h - generated CUDA kernels on the host ---------*- C++ -*-===//
//
// The subset of CUDA that dsc's generated kernels use, emulated on the CPU
// so that their results can be checked without a GPU: blocks run one after
// the other, each GPU thread of a block is a std::thread, __syncthreads is a
// barrier of the block and __shfl_xor_sync exchanges values at a barrier of
// the warp. Threads that return early drop out of both barriers (dsc's
// kernels leave by whole warps, or by whole blocks around __syncthreads).
// __shared__ variables are function statics: one block runs at a time.
// The prelude's conversions (inline PTX) are replaced by host equivalents
// (_Float16, round-to-nearest-even bf16); run_host_kernels.py strips them,
// and the tensor-core helpers (cp.async, ldmatrix, mma.sync), which become
// copies and fragment exchanges at warp barriers with the PTX layouts.
//
// What this checks: index arithmetic, op semantics, the warp and block
// reductions' logic. What it does not: timing, the memory model beyond
// barriers, the PTX itself (NVRTC compiles every kernel in the lit tests).
//
//===----------------------------------------------------------------------===//
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
using std::isnan;
struct dim3 { unsigned x = 1, y = 1, z = 1; };
static thread_local dim3 threadIdx, blockIdx;
static dim3 blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(x)
#define __shared__ static
#define __align__(n) alignas(n)
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
struct WarpState {
  std::barrier<> *bar;
  unsigned long long slot[32];
  const void *addr[32];  // ldmatrix row addresses
  unsigned frag[32][6];  // mma.sync fragments: a[0..3], b0, b1
};
struct BlockState { std::barrier<> *bar; std::atomic<int> any[3] = {0, 0, 0}; };
static thread_local WarpState *tlWarp;
static thread_local BlockState *tlBlock;
static thread_local unsigned tlLane;
inline void __syncthreads() { tlBlock->bar->arrive_and_wait(); }
// Call n ORs into slot n % 3 and clears slot (n + 1) % 3 first: that one was
// last read in call n - 2, before everyone arrived at call n - 1's barrier,
// and is next set in call n + 1, after everyone cleared it at this one's.
static thread_local unsigned tlOrCalls;
inline int __syncthreads_or(int p) {
  unsigned n = tlOrCalls++;
  tlBlock->any[(n + 1) % 3].store(0);
  if (p) tlBlock->any[n % 3].store(1);
  tlBlock->bar->arrive_and_wait();
  return tlBlock->any[n % 3].load();
}
template <class T> T __shfl_xor_sync(unsigned, T v, int off) {
  static_assert(sizeof(T) <= 8, "");
  unsigned long long bits = 0; std::memcpy(&bits, &v, sizeof(T));
  tlWarp->slot[tlLane] = bits;
  tlWarp->bar->arrive_and_wait();
  bits = tlWarp->slot[tlLane ^ off];
  tlWarp->bar->arrive_and_wait();
  T r; std::memcpy(&r, &bits, sizeof(T)); return r;
}
inline float __int_as_float(unsigned x) { float f; std::memcpy(&f, &x, 4); return f; }
inline float __uint_as_float(unsigned x) { float f; std::memcpy(&f, &x, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned x; std::memcpy(&x, &f, 4); return x; }
inline double __longlong_as_double(long long x) { double f; std::memcpy(&f, &x, 8); return f; }
static inline float dsc_f16_to_f32(unsigned short h) { _Float16 f; std::memcpy(&f, &h, 2); return (float)f; }
static inline unsigned short dsc_f32_to_f16(float x) { _Float16 f = (_Float16)x; unsigned short h; std::memcpy(&h, &f, 2); return h; }
static inline unsigned short dsc_f64_to_f16(double x) { _Float16 f = (_Float16)x; unsigned short h; std::memcpy(&h, &f, 2); return h; }
static inline float dsc_bf16_to_f32(unsigned short h) { return __uint_as_float(((unsigned)h) << 16); }
static inline unsigned short dsc_f32_to_bf16(float f) {
  unsigned u; std::memcpy(&u, &f, 4);
  if (std::isnan(f)) return 0x7fc0;
  u += 0x7fff + ((u >> 16) & 1); return (unsigned short)(u >> 16);
}
static inline unsigned short dsc_f64_to_bf16(double d) { return dsc_f32_to_bf16((float)d); }

// The tensor-core helpers (GemmEmitter, ConvEmitter) in place of their PTX:
// cp.async is a plain copy (waits are then no-ops), ldmatrix and mma.sync
// exchange rows and fragments through the warp's slots at barriers.
// DSC_MMA_BF16 selects bf16 operands (else f16).
static inline void dsc_cp_async16(void *smem, const void *gmem) { std::memcpy(smem, gmem, 16); }
static inline void dsc_cp_async_commit() {}
template <int N> static inline void dsc_cp_async_wait() {}
static inline float dsc_mma_operand(unsigned word, int half) {
  unsigned short h = (unsigned short)(word >> (16 * half));
#ifdef DSC_MMA_BF16
  return dsc_bf16_to_f32(h);
#else
  return dsc_f16_to_f32(h);
#endif
}
// ldmatrix .x4: lane l gives the address of row l % 8 of matrix l / 8 and
// receives, of each matrix, row l / 4 at columns 2 (l % 4) and + 1, or with
// .trans rows 2 (l % 4) and + 1 at column l / 4; the first in the low half.
static inline void dsc_ldmatrix_host(unsigned (&r)[4], const void *smem, bool trans) {
  tlWarp->addr[tlLane] = smem;
  tlWarp->bar->arrive_and_wait();
  for (int i = 0; i < 4; ++i) {
    unsigned short h[2];
    for (int e = 0; e < 2; ++e) {
      int row = trans ? 2 * (tlLane % 4) + e : tlLane / 4;
      int col = trans ? tlLane / 4 : 2 * (tlLane % 4) + e;
      h[e] = static_cast<const unsigned short *>(tlWarp->addr[i * 8 + row])[col];
    }
    r[i] = h[0] | ((unsigned)h[1] << 16);
  }
  tlWarp->bar->arrive_and_wait();
}
static inline void dsc_ldmatrix_x4(unsigned (&r)[4], const void *smem) { dsc_ldmatrix_host(r, smem, false); }
static inline void dsc_ldmatrix_x4_trans(unsigned (&r)[4], const void *smem) { dsc_ldmatrix_host(r, smem, true); }
// mma.sync.m16n8k16: lane l holds A rows l / 4 (a[0], a[2]) and l / 4 + 8
// (a[1], a[3]) at k = 2 (l % 4) + {0, 1} (a[0], a[1]) and k + 8 (a[2],
// a[3]); B column l / 4 at those k (b0) and k + 8 (b1); C rows l / 4 (c[0],
// c[1]) and + 8 (c[2], c[3]) at columns 2 (l % 4) + {0, 1}.
static inline void dsc_mma_16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  unsigned *mine = tlWarp->frag[tlLane];
  for (int i = 0; i < 4; ++i) mine[i] = a[i];
  mine[4] = b0; mine[5] = b1;
  tlWarp->bar->arrive_and_wait();
  float A[16][16], B[16][8];
  for (int l = 0; l < 32; ++l)
    for (int e = 0; e < 2; ++e) {
      const unsigned *f = tlWarp->frag[l];
      int row = l / 4, k = 2 * (l % 4) + e;
      A[row][k] = dsc_mma_operand(f[0], e);
      A[row + 8][k] = dsc_mma_operand(f[1], e);
      A[row][k + 8] = dsc_mma_operand(f[2], e);
      A[row + 8][k + 8] = dsc_mma_operand(f[3], e);
      B[k][row] = dsc_mma_operand(f[4], e);
      B[k + 8][row] = dsc_mma_operand(f[5], e);
    }
  tlWarp->bar->arrive_and_wait();
  for (int i = 0; i < 4; ++i) {
    int row = tlLane / 4 + (i / 2) * 8, n = 2 * (tlLane % 4) + i % 2;
    float sum = 0;
    for (int k = 0; k < 16; ++k) sum += A[row][k] * B[k][n];
    c[i] += sum;
  }
}

template <class F> void launch(dim3 grid, dim3 block, F kernel) {
  gridDim = grid; blockDim = block;
  unsigned threads = block.x * block.y * block.z;
  for (unsigned bz = 0; bz < grid.z; ++bz)
  for (unsigned by = 0; by < grid.y; ++by)
  for (unsigned bx = 0; bx < grid.x; ++bx) {
    std::barrier<> blockBar(threads);
    BlockState bs{&blockBar};
    unsigned nwarps = (threads + 31) / 32;
    std::vector<std::unique_ptr<std::barrier<>>> wbars;
    std::vector<WarpState> ws(nwarps);
    for (unsigned w = 0; w < nwarps; ++w) {
      unsigned n = std::min(32u, threads - w * 32);
      wbars.emplace_back(new std::barrier<>(n));
      ws[w].bar = wbars.back().get();
    }
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        threadIdx.x = t % block.x; threadIdx.y = (t / block.x) % block.y; threadIdx.z = t / (block.x * block.y);
        blockIdx.x = bx; blockIdx.y = by; blockIdx.z = bz;
        tlLane = t % 32; tlWarp = &ws[t / 32]; tlBlock = &bs;
        kernel();
        tlWarp->bar->arrive_and_drop();
        tlBlock->bar->arrive_and_drop();
      });
    for (auto &th : pool) th.join();
  }
}
