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
// (_Float16, round-to-nearest-even bf16); run_host_kernels.py strips them.
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
struct WarpState { std::barrier<> *bar; unsigned long long slot[32]; };
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
