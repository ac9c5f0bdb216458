//===- host_cuda.h - generated CUDA kernels on the host ---------*- C++ -*-===//
//
// The subset of CUDA that dsc's generated kernels use, emulated on the CPU
// so that their results can be checked without a GPU: blocks run one after
// the other, each GPU thread of a block is a std::thread, __syncthreads is a
// barrier of the block and __shfl_xor_sync/__shfl_up_sync exchange values at a
// barrier of the warp. Threads that return early drop out of both barriers
// (dsc's kernels leave by whole warps, or by whole blocks around
// __syncthreads).
// __shared__ variables are function statics: one block runs at a time.
// The prelude's conversions (inline PTX) are replaced by host equivalents
// (_Float16, round-to-nearest-even bf16); run_host_kernels.py strips them.
//
// The tensor-core helpers (cp.async, ldmatrix, mma.sync m16n8k16) are
// replaced too (and split-K's atomics and cache hints): copies happen at once,
// and ldmatrix and mma exchange their fragments through the warp's slots with
// the PTX ISA's fragment layouts (DSC_MMA_BF16 selects bf16 operands).
//
// wgmma runs per thread from shared memory (below); a source using it is
// run twice, with and without __CUDA_ARCH_FEAT_SM90_ALL (the second time
// only the entries that have a Hopper path).
//
// What this checks: index arithmetic, op semantics, the warp and block
// reductions' logic, tensor-core fragment bookkeeping. What it does not:
// timing, the memory model beyond barriers, the PTX itself (NVRTC compiles
// every kernel in the lit tests).
//
//===----------------------------------------------------------------------===//
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
using std::isnan;
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
};
static thread_local dim3 threadIdx, blockIdx;
static dim3 blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
struct alignas(8) uint2 {
  unsigned x, y;
};
struct WarpState {
  std::barrier<> *bar;
  unsigned long long slot[32];
  unsigned frag[32][6];
};
struct BlockState {
  std::barrier<> *bar;
  std::atomic<int> any[3] = {0, 0, 0};
};
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
  if (p)
    tlBlock->any[n % 3].store(1);
  tlBlock->bar->arrive_and_wait();
  return tlBlock->any[n % 3].load();
}
/// Each lane of the warp publishes `v` and reads lane `source`'s.
template <class T> T dsc_host_warp_read(T v, int source) {
  static_assert(sizeof(T) <= 8, "");
  unsigned long long bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  tlWarp->slot[tlLane] = bits;
  tlWarp->bar->arrive_and_wait();
  bits = tlWarp->slot[source];
  tlWarp->bar->arrive_and_wait();
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}
template <class T> T __shfl_xor_sync(unsigned, T v, int off) {
  return dsc_host_warp_read(v, tlLane ^ off);
}
/// Lanes below `off` keep their own value, as on the GPU.
template <class T> T __shfl_up_sync(unsigned, T v, int off) {
  return dsc_host_warp_read(v, tlLane >= off ? tlLane - off : tlLane);
}
inline float __int_as_float(unsigned x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}
inline float __uint_as_float(unsigned x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}
inline unsigned __float_as_uint(float f) {
  unsigned x;
  std::memcpy(&x, &f, 4);
  return x;
}
inline double __longlong_as_double(long long x) {
  double f;
  std::memcpy(&f, &x, 8);
  return f;
}
static inline float dsc_f16_to_f32(unsigned short h) {
  _Float16 f;
  std::memcpy(&f, &h, 2);
  return (float)f;
}
static inline unsigned short dsc_f32_to_f16(float x) {
  _Float16 f = (_Float16)x;
  unsigned short h;
  std::memcpy(&h, &f, 2);
  return h;
}
static inline unsigned short dsc_f64_to_f16(double x) {
  _Float16 f = (_Float16)x;
  unsigned short h;
  std::memcpy(&h, &f, 2);
  return h;
}
static inline float dsc_bf16_to_f32(unsigned short h) {
  return __uint_as_float(((unsigned)h) << 16);
}
static inline unsigned short dsc_f32_to_bf16(float f) {
  unsigned u;
  std::memcpy(&u, &f, 4);
  if (std::isnan(f))
    return 0x7fc0;
  u += 0x7fff + ((u >> 16) & 1);
  return (unsigned short)(u >> 16);
}
static inline unsigned short dsc_f64_to_bf16(double d) {
  return dsc_f32_to_bf16((float)d);
}

// Tensor-core helpers. Fragments of m16n8k16 (g = lane / 4, q = lane % 4):
// A a0 (g, 2q..2q+1), a1 (g+8, 2q..), a2 (g, 2q+8..), a3 (g+8, 2q+8..);
// B b0 (k 2q..2q+1, n g), b1 (k 2q+8.., n g); C c0..c1 (g, 2q..2q+1),
// c2..c3 (g+8, 2q..). The lower index sits in the low 16 bits.
#ifndef DSC_MMA_BF16
#define DSC_MMA_BF16 0
#endif
static inline float dsc_mma_half(unsigned short h) {
  return DSC_MMA_BF16 ? dsc_bf16_to_f32(h) : dsc_f16_to_f32(h);
}
static inline void dsc_cp_async16(void *dst, const void *src) {
  std::memcpy(dst, src, 16);
}
static inline void dsc_cp_async8(void *dst, const void *src) {
  std::memcpy(dst, src, 8);
}
static inline void dsc_cp_async_commit() {}
template <int N> static inline void dsc_cp_async_wait() {}
static inline unsigned dsc_pack2(float lo, float hi) {
  unsigned short l = DSC_MMA_BF16 ? dsc_f32_to_bf16(lo) : dsc_f32_to_f16(lo);
  unsigned short h = DSC_MMA_BF16 ? dsc_f32_to_bf16(hi) : dsc_f32_to_f16(hi);
  return l | (unsigned)h << 16;
}
// ex2.approx.ftz: results below the smallest normal flush to zero.
static inline float dsc_exp2(float x) {
  float r = std::exp2(x);
  return std::fpclassify(r) == FP_SUBNORMAL ? 0.0f : r;
}
// Lanes 8m..8m+7 give the row addresses of matrix m; lane t receives row
// t / 4, columns 2 (t % 4) and 2 (t % 4) + 1 (.trans: column t / 4 of rows
// 2 (t % 4) and 2 (t % 4) + 1).
template <bool Trans>
static inline void dsc_ldmatrix(unsigned (&r)[4], const void *p) {
  tlWarp->slot[tlLane] = (unsigned long long)p;
  tlWarp->bar->arrive_and_wait();
  for (int m = 0; m < 4; ++m) {
    auto row = [&](unsigned i) {
      return (const unsigned short *)tlWarp->slot[m * 8 + i];
    };
    unsigned q = tlLane % 4, g = tlLane / 4;
    unsigned short lo = Trans ? row(2 * q)[g] : row(g)[2 * q];
    unsigned short hi = Trans ? row(2 * q + 1)[g] : row(g)[2 * q + 1];
    r[m] = lo | (unsigned)hi << 16;
  }
  tlWarp->bar->arrive_and_wait();
}
static inline void dsc_ldmatrix_x4(unsigned (&r)[4], const void *p) {
  dsc_ldmatrix<false>(r, p);
}
static inline void dsc_ldmatrix_x4_trans(unsigned (&r)[4], const void *p) {
  dsc_ldmatrix<true>(r, p);
}
static inline void dsc_mma_16816(float (&c)[4], const unsigned (&a)[4],
                                 unsigned b0, unsigned b1) {
  unsigned *mine = tlWarp->frag[tlLane];
  for (int i = 0; i < 4; ++i)
    mine[i] = a[i];
  mine[4] = b0;
  mine[5] = b1;
  tlWarp->bar->arrive_and_wait();
  float A[16][16], B[16][8];
  for (unsigned l = 0; l < 32; ++l) {
    unsigned g = l / 4, q = l % 4;
    const unsigned *f = tlWarp->frag[l];
    auto put = [](float *dst, unsigned w) {
      dst[0] = dsc_mma_half(w & 0xffff);
      dst[1] = dsc_mma_half(w >> 16);
    };
    put(&A[g][2 * q], f[0]);
    put(&A[g + 8][2 * q], f[1]);
    put(&A[g][2 * q + 8], f[2]);
    put(&A[g + 8][2 * q + 8], f[3]);
    float b[2];
    put(b, f[4]);
    B[2 * q][g] = b[0];
    B[2 * q + 1][g] = b[1];
    put(b, f[5]);
    B[2 * q + 8][g] = b[0];
    B[2 * q + 9][g] = b[1];
  }
  tlWarp->bar->arrive_and_wait();
  unsigned g = tlLane / 4, q = tlLane % 4;
  for (int e = 0; e < 4; ++e) {
    unsigned row = g + (e / 2) * 8, col = 2 * q + e % 2;
    float sum = c[e];
    for (int k = 0; k < 16; ++k)
      sum += A[row][k] * B[k][col];
    c[e] = sum;
  }
}
// Dynamic shared memory: one buffer (one block runs at a time), aligned to
// the 1024-byte period of the 128-byte swizzle; shared addresses are
// offsets into it.
alignas(1024) static unsigned char dsc_host_smem[232448 + 1024];
static inline unsigned dsc_smem_addr(const void *p) {
  return (unsigned)((const unsigned char *)p - dsc_host_smem);
}
static inline int dsc_opaque(int x) { return x; }

// Warpgroup MMA (compiled with -D__CUDA_ARCH_FEAT_SM90_ALL): each thread
// computes its own accumulators straight from shared memory, reading A
// (64 x 16, K-major) and B (16 x N, N-major) through the descriptors as the
// PTX ISA's canonical 128-byte-swizzled layouts define them: 16-byte chunk
// bits [4:6] of an address XOR its 128-byte line bits [7:9].
static inline void dsc_wgmma_fence() {}
static inline void dsc_wgmma_commit() {}
template <int N> static inline void dsc_wgmma_wait() {}
static inline void dsc_fence_proxy_async() {}
static inline unsigned long long dsc_wgmma_desc(const void *p, unsigned lbo,
                                                unsigned sbo) {
  return (unsigned long long)((dsc_smem_addr(p) & 0x3FFFF) >> 4) |
         ((unsigned long long)((lbo >> 4) & 0x3FFF) << 16) |
         ((unsigned long long)((sbo >> 4) & 0x3FFF) << 32) | (1ull << 62);
}
// A descriptor's byte field at `shift` (start, LBO, SBO: 16-byte units).
static inline unsigned dsc_wgmma_field(unsigned long long desc, int shift) {
  return (unsigned)((desc >> shift) & 0x3FFF) << 4;
}
static inline void dsc_wgmma_check(unsigned long long desc) {
  if ((desc >> 62) != 1) {
    std::fprintf(stderr, "wgmma: not a 128-byte swizzle descriptor\n");
    std::abort();
  }
}
// The element at a shared address of the 128-byte swizzled layout.
static inline float dsc_wgmma_load(unsigned addr) {
  addr ^= ((addr >> 7) & 7) << 4;
  unsigned short h;
  std::memcpy(&h, dsc_host_smem + addr, 2);
  return dsc_mma_half(h);
}
// B (k, col): N-major, 64-column groups LBO apart, 8-line K groups SBO
// apart; K-major, as A, a line per column.
template <int TRANS_B>
static inline float dsc_wgmma_b(unsigned long long b, unsigned k,
                                unsigned col) {
  return dsc_wgmma_load(
      TRANS_B ? dsc_wgmma_field(b, 0) + (col / 64) * dsc_wgmma_field(b, 16) +
                    (k / 8) * dsc_wgmma_field(b, 32) + (k % 8) * 128 +
                    (col % 64) * 2
              : dsc_wgmma_field(b, 0) + (col / 8) * dsc_wgmma_field(b, 32) +
                    (col % 8) * 128 + k * 2);
}
template <int N, int TRANS_B>
static inline void dsc_wgmma_host(float (&d)[N / 2], unsigned long long a,
                                  unsigned long long b, int accumulate) {
  dsc_wgmma_check(a);
  dsc_wgmma_check(b);
  unsigned warp = (threadIdx.x / 32) % 4, lane = threadIdx.x % 32;
  for (int j = 0; j < N / 8; ++j)
    for (int h = 0; h < 2; ++h)
      for (int c = 0; c < 2; ++c) {
        unsigned row = 16 * warp + lane / 4 + 8 * h;
        unsigned col = 8 * j + 2 * (lane % 4) + c;
        float sum = accumulate ? d[4 * j + 2 * h + c] : 0.0f;
        // A: 8-row groups SBO apart, 128-byte lines, K contiguous.
        for (unsigned k = 0; k < 16; ++k)
          sum += dsc_wgmma_load(dsc_wgmma_field(a, 0) +
                                (row / 8) * dsc_wgmma_field(a, 32) +
                                (row % 8) * 128 + k * 2) *
                 dsc_wgmma_b<TRANS_B>(b, k, col);
        d[4 * j + 2 * h + c] = sum;
      }
}
// A from registers: each warp's 16 rows in the m16n8k16 A fragments, which
// the warp exchanges through its slots; B through the descriptor as above.
template <int N, int TRANS_B>
static inline void dsc_wgmma_rs_host(float (&d)[N / 2], const unsigned (&a)[4],
                                     unsigned long long b, int accumulate) {
  dsc_wgmma_check(b);
  unsigned *mine = tlWarp->frag[tlLane];
  for (int i = 0; i < 4; ++i)
    mine[i] = a[i];
  tlWarp->bar->arrive_and_wait();
  float A[16][16];
  for (unsigned l = 0; l < 32; ++l) {
    unsigned g = l / 4, q = l % 4;
    const unsigned *f = tlWarp->frag[l];
    for (int i = 0; i < 4; ++i) {
      unsigned r = g + (i % 2) * 8, k = 2 * q + (i / 2) * 8;
      A[r][k] = dsc_mma_half(f[i] & 0xffff);
      A[r][k + 1] = dsc_mma_half(f[i] >> 16);
    }
  }
  tlWarp->bar->arrive_and_wait();
  unsigned lane = tlLane;
  for (int j = 0; j < N / 8; ++j)
    for (int h = 0; h < 2; ++h)
      for (int c = 0; c < 2; ++c) {
        unsigned row = lane / 4 + 8 * h, col = 8 * j + 2 * (lane % 4) + c;
        float sum = accumulate ? d[4 * j + 2 * h + c] : 0.0f;
        for (unsigned k = 0; k < 16; ++k)
          sum += A[row][k] * dsc_wgmma_b<TRANS_B>(b, k, col);
        d[4 * j + 2 * h + c] = sum;
      }
}
template <int TRANS_B>
static inline void
dsc_wgmma_rs_m64n64k16(float (&d)[32], const unsigned (&a)[4],
                       unsigned long long b, int accumulate = 1) {
  dsc_wgmma_rs_host<64, TRANS_B>(d, a, b, accumulate);
}
template <int TRANS_B>
static inline void dsc_wgmma_m64n64k16(float (&d)[32], unsigned long long a,
                                       unsigned long long b,
                                       int accumulate = 1) {
  dsc_wgmma_host<64, TRANS_B>(d, a, b, accumulate);
}
template <int TRANS_B>
static inline void dsc_wgmma_m64n128k16(float (&d)[64], unsigned long long a,
                                        unsigned long long b,
                                        int accumulate = 1) {
  dsc_wgmma_host<128, TRANS_B>(d, a, b, accumulate);
}
template <int TRANS_B>
static inline void dsc_wgmma_m64n256k16(float (&d)[128], unsigned long long a,
                                        unsigned long long b,
                                        int accumulate = 1) {
  dsc_wgmma_host<256, TRANS_B>(d, a, b, accumulate);
}

// TMA (sm_90a): an mbarrier needs no waiting when copies happen at once,
// and the im2col copy walks the window as the PTX ISA's im2col mode does.
#define __grid_constant__
struct alignas(64) dsc_tensor_map {
  unsigned long long opaque[16];
};
static inline void dsc_mbarrier_init(unsigned long long *, unsigned) {}
static inline void dsc_mbarrier_init_fence() {}
static inline void dsc_mbarrier_expect_tx(unsigned long long *, unsigned) {}
static inline void dsc_mbarrier_wait(unsigned long long *, unsigned) {}
/// PIXELS base pixels from (w, h) of image n on, each a 128-byte row of 64
/// channels from c on, read at the tap offset (offW, offH): the base pixel
/// steps STRIDE_W along [LOW_W, W - 1 + HIGH_W], then STRIDE_H along
/// [LOW_H, H - 1 + HIGH_H], then to the next image; elements outside the
/// tensor are zeros. Rows are 128-byte swizzled by their address.
template <int PIXELS, int C, int W, int H, int IMAGES, int LOW_W, int LOW_H,
          int HIGH_W, int HIGH_H, int STRIDE_W, int STRIDE_H>
static inline void dsc_tma_im2col_4d(void *dst, const dsc_tensor_map *,
                                     const void *x, int c, int w, int h, int n,
                                     unsigned short offW, unsigned short offH,
                                     unsigned long long *) {
  const unsigned short *input = static_cast<const unsigned short *>(x);
  unsigned base = dsc_smem_addr(dst);
  for (int pixel = 0; pixel < PIXELS; ++pixel) {
    int iw = w + offW, ih = h + offH;
    for (int e = 0; e < 64; ++e) {
      int ch = c + e;
      unsigned short value = 0;
      if (n < IMAGES && iw >= 0 && iw < W && ih >= 0 && ih < H && ch < C)
        value = input[((size_t(n) * H + ih) * W + iw) * C + ch];
      unsigned addr = base + pixel * 128 + e * 2;
      addr ^= ((addr >> 7) & 7) << 4;
      std::memcpy(dsc_host_smem + addr, &value, 2);
    }
    w += STRIDE_W;
    if (w > W - 1 + HIGH_W) {
      w = LOW_W;
      h += STRIDE_H;
      if (h > H - 1 + HIGH_H) {
        h = LOW_H;
        ++n;
      }
    }
  }
}

using std::max;
using std::min;

// Split-K's arrival counters and partial sums: blocks run one at a time, so
// the fences and cache hints have nothing to order.
inline unsigned atomicAdd(unsigned *p, unsigned v) {
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
inline void __threadfence() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
template <class T> inline void __stcg(T *p, T v) { *p = v; }
template <class T> inline T __ldcg(const T *p) { return *p; }

template <class F> void launch(dim3 grid, dim3 block, F kernel) {
  gridDim = grid;
  blockDim = block;
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
            threadIdx.x = t % block.x;
            threadIdx.y = (t / block.x) % block.y;
            threadIdx.z = t / (block.x * block.y);
            blockIdx.x = bx;
            blockIdx.y = by;
            blockIdx.z = bz;
            tlLane = t % 32;
            tlWarp = &ws[t / 32];
            tlBlock = &bs;
            kernel();
            tlWarp->bar->arrive_and_drop();
            tlBlock->bar->arrive_and_drop();
          });
        for (auto &th : pool)
          th.join();
      }
}
