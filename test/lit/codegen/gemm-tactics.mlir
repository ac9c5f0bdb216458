// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN

// One source, one entry per exec.tactics candidate: the first is the
// kernel's entry, the others variants with their own launch configuration;
// split-K takes scratch (counters, then 4 slices of 64x64 fp32 partial sums
// per output tile). The epilogue is shared. Every entry first waits for
// the previous grid, then lets the next one launch (programmatic dependent
// launch, which the runtime can enable on sm_90).
// CHECK-LABEL: // kernel @tiled entry tiled grid (4, 2, 1) block (128, 1, 1) shared_memory 73728 tactic 64x64x64 w2x2 s4
// CHECK-NEXT: // variant @tiled entry tiled_t1 grid (4, 1, 1) block (128, 1, 1) shared_memory 82944 tactic 128x64x64 w2x2 s3
// CHECK-NEXT: // variant @tiled entry tiled_t2 grid (4, 2, 4) block (128, 1, 1) shared_memory 73728 scratch 525312 tactic 64x64x64 w2x2 s4 k4
// CHECK-NEXT: // variant @tiled entry tiled_t3 grid (7, 6, 1) block (64, 1, 1) shared_memory 15360 tactic 16x32x32 w1x2 s4
// CHECK: static __device__ __forceinline__ void dsc_await_previous_grid() {
// CHECK-NEXT: #if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
// CHECK-NEXT: asm volatile("griddepcontrol.wait;\n" ::: "memory");
// CHECK-NEXT: asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
// CHECK-COUNT-1: static __device__ __forceinline__ void dsc_epilogue(
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(128) tiled(
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK-NOT: scratch
// CHECK: constexpr int SPLIT_K = 1, KT_PER_SPLIT = 16;
// CHECK: // tensor cores: 128x64x64 tile, 2x2 warps, 3 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(128) tiled_t1(
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK: constexpr int BM = 128, BN = 64, BK = 64, STAGES = 3;
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages, split-K 4 x 4 K tiles
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(128) tiled_t2({{.*}}, unsigned char *__restrict__ scratch)
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK: constexpr int SPLIT_K = 4, KT_PER_SPLIT = 4;
// CHECK: dsc_last_slice = atomicAdd(&counters[tile], 1u) == SPLIT_K - 1;
// CHECK: // tensor cores: 16x32x32 tile, 1x2 warps, 4 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(64) tiled_t3(
// CHECK-NEXT: dsc_await_previous_grid();
// CUBIN: // kernel @tiled entry tiled cubin
exec.kernel @tiled(%x: tensor<96x1024xf16>, %w: tensor<1024x200xf16>, %b: tensor<200xf16>) -> tensor<96x200xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<96x1024xf16>, tensor<1024x200xf16>) -> tensor<96x200xf16>
  %z = graph.add %y, %b : (tensor<96x200xf16>, tensor<200xf16>) -> tensor<96x200xf16>
  exec.yield %z : tensor<96x200xf16>
}
exec.tactics @tiled [
  {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1},
  {bm = 128, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 3, split_k = 1},
  {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 4},
  {bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 1}]

// Without exec.tactics, one entry (the heuristic's tile) and no tactic.
// CHECK-LABEL: // kernel @untiled entry untiled grid (4, 2, 1) block (128, 1, 1) shared_memory 73728
// CHECK-NOT: tactic
// CHECK-NOT: // variant
// CHECK: untiled(
exec.kernel @untiled(%x: tensor<96x64xf16>, %w: tensor<64x200xf16>) -> tensor<96x200xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<96x64xf16>, tensor<64x200xf16>) -> tensor<96x200xf16>
  exec.yield %y : tensor<96x200xf16>
}

// Warpgroup-MMA tiles: the source guards the sm_90a body and falls back to
// an mma.sync body of the same block tile elsewhere; NVRTC compiles it for
// sm_90a. The epilogue's indices stay out of the main loop (no spills with
// 128 accumulators a thread).
// CHECK-LABEL: // kernel @warpgroup entry warpgroup grid (2, 2, 1) block (256, 1, 1) shared_memory 197632 tactic 128x256x64 w8x1 s4 wgmma
// CHECK-NEXT: // variant @warpgroup entry warpgroup_t1 grid (4, 4, 1) block (128, 1, 1) shared_memory 99328 tactic 64x128x64 w4x1 s4 wgmma
// CHECK-NEXT: // variant @warpgroup entry warpgroup_t2 grid (8, 4, 1) block (128, 1, 1) shared_memory 73728 tactic 64x64x64 w2x2 s4
// CHECK: #if defined(__CUDA_ARCH_FEAT_SM90_ALL)
// CHECK: dsc_wgmma_m64n256k16(float (&d)[128]
// CHECK: dsc_wgmma_m64n128k16(float (&d)[64]
// CHECK: // warpgroup mma: 128x256x64 tile, 2 warpgroups, 4 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(256) warpgroup(
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK-NEXT: #if defined(__CUDA_ARCH_FEAT_SM90_ALL)
// CHECK: dsc_wgmma_m64n256k16<1>(acc, da + kk * (32 / 16), db + kk * (16 * 128 / 16));
// CHECK: #else
// CHECK: constexpr int BM = 128, BN = 256, BK = 32, STAGES = 3;
// CHECK: #endif
// CHECK: // warpgroup mma: 64x128x64 tile, 1 warpgroups, 4 stages
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages
// CUBIN: // kernel @warpgroup entry warpgroup cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{1?[0-9]?[0-9]}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @warpgroup(%x: tensor<256x512xf16>, %w: tensor<512x512xf16>) -> tensor<256x512xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<256x512xf16>, tensor<512x512xf16>) -> tensor<256x512xf16>
  exec.yield %y : tensor<256x512xf16>
}
exec.tactics @warpgroup [
  {bm = 128, bn = 256, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1},
  {bm = 64, bn = 128, bk = 64, warps_m = 4, warps_n = 1, stages = 4, split_k = 1, wgmma = 1},
  {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]
