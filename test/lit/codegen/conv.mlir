// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN
// Channels-last 2-D convs with group 1 are implicit GEMMs: M = N*P*Q output
// pixels, N = Cout, K = R*S*C; the epilogue (bias, residual add, ReLU) runs
// on each accumulator before the only store. All compiled by NVRTC for sm_90
// without spills.

// f32: the SIMT tile; stride 2, padding and dilation in the im2col offsets.
// CHECK-LABEL: // kernel @conv_f32_residual_relu entry conv_f32_residual_relu grid (1, 1, 1) block (256, 1, 1)
// CHECK: static __device__ __forceinline__ sindex_t dsc_im2col(index_t gm, index_t gk) {
// CHECK: constexpr index_t M = 60, K = 45;
// CHECK: constexpr int H = 9, W = 11, C = 5, P = 5, Q = 6, S = 3;
// CHECK: const int h = (int)p * 2 - 1 + (int)(tap / S) * 1;
// CHECK: const int w = (int)q * 2 - 2 + (int)(tap % S) * 2;
// CHECK: return (sindex_t)(((img * H + h) * W + w) * C + ch);
// CHECK: float dsc_epilogue_value(
// CHECK: acc += arg2[n];
// CHECK: const float x3 = arg3[m * 7 + n];
// CHECK: return
// CHECK: void dsc_epilogue(
// CHECK-NEXT: out0[m * 7 + n] = dsc_epilogue_value(arg0, arg1, arg2, arg3, out0, m, n, acc);
// CHECK: // implicit-gemm convolution, simt: M 60 N 7 K 45, 64x64x16 tile, 4x4 per thread
// CUBIN: // kernel @conv_f32_residual_relu entry conv_f32_residual_relu cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_f32_residual_relu(%x: tensor<2x9x11x5xf32>, %w: tensor<7x3x3x5xf32>, %b: tensor<7xf32>, %r: tensor<2x5x6x7xf32>) -> tensor<2x5x6x7xf32> attributes {family = "data"} {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 2, 1, 2>, group = 1 : i64} : (tensor<2x9x11x5xf32>, tensor<7x3x3x5xf32>, tensor<7xf32>) -> tensor<2x5x6x7xf32>
  %a = graph.add %c, %r : (tensor<2x5x6x7xf32>, tensor<2x5x6x7xf32>) -> tensor<2x5x6x7xf32>
  %y = graph.relu %a : tensor<2x5x6x7xf32> -> tensor<2x5x6x7xf32>
  exec.yield %y : tensor<2x5x6x7xf32>
}

// f16 on tensor cores, C a multiple of 8 (16-byte copies of 8 channels).
// ResNet-50's 3x3 layer of stage 3 at batch 1: M = 196, N = 256, K = 2304.
// CHECK-LABEL: // kernel @conv_f16_stage3
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: // implicit-gemm convolution on tensor cores: M 196 N 256 K 2304, 16x32x32 tile, 1x2 warps, 4 stages
// CHECK: const bool vecX = (256 % 8 == 0)
// CHECK: dsc_ldmatrix_b_rows(bf, bs + warpN * WTN * AS + kk, AS, lane);
// CUBIN: // kernel @conv_f16_stage3 entry conv_f16_stage3 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_f16_stage3(%x: tensor<1x14x14x256xf16>, %w: tensor<256x3x3x256xf16>, %b: tensor<256xf16>) -> tensor<1x14x14x256xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x14x14x256xf16>, tensor<256x3x3x256xf16>, tensor<256xf16>) -> tensor<1x14x14x256xf16>
  %y = graph.relu %c : tensor<1x14x14x256xf16> -> tensor<1x14x14x256xf16>
  exec.yield %y : tensor<1x14x14x256xf16>
}

// The stem of ResNet-50 at batch 32 (C = 3: elements gathered one by one):
// enough pixels for 128x64 tiles.
// CHECK-LABEL: // kernel @conv_bf16_stem
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: // implicit-gemm convolution on tensor cores: M 401408 N 64 K 147, 128x64x32 tile, 4x2 warps, 3 stages
// CUBIN: // kernel @conv_bf16_stem entry conv_bf16_stem cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_bf16_stem(%x: tensor<32x224x224x3xbf16>, %w: tensor<64x7x7x3xbf16>) -> tensor<32x112x112x64xbf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<32x224x224x3xbf16>, tensor<64x7x7x3xbf16>) -> tensor<32x112x112x64xbf16>
  exec.yield %y : tensor<32x112x112x64xbf16>
}

// 64 output channels take 64-wide tiles (ResNet-50's stem at batch 1:
// M = 12544, 196 blocks of 64x64).
// CHECK-LABEL: // kernel @conv_f16_stem_batch1
// CHECK: // implicit-gemm convolution on tensor cores: M 12544 N 64 K 147, 64x64x32 tile, 2x2 warps, 4 stages
// CHECK: const bool vecX = (3 % 8 == 0)
// CHECK: const sindex_t offset = dsc_im2col(gm, gk + e);
exec.kernel @conv_f16_stem_batch1(%x: tensor<1x224x224x3xf16>, %w: tensor<64x7x7x3xf16>) -> tensor<1x112x112x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<1x224x224x3xf16>, tensor<64x7x7x3xf16>) -> tensor<1x112x112x64xf16>
  exec.yield %y : tensor<1x112x112x64xf16>
}

// The stem with its channels padded to 4 (graph-pad-channels): a tap's 4
// channels and 4 of a filter row's taps (K = 196) are 8-byte copies, in
// the mma.sync tile and in the warpgroup tile; sm_90a compiles all three.
// CHECK-LABEL: // kernel @conv_f16_stem4 entry conv_f16_stem4
// CHECK: static __device__ __forceinline__ void dsc_cp_async8(
// CHECK-NEXT: cp.async.ca.shared.global [%0], [%1], 8;
// CHECK: // implicit-gemm convolution on tensor cores: M 401408 N 64 K 196, 128x64x32 tile
// CHECK: const bool vecX4 = (4 % 4 == 0) && ((unsigned long long)X % 8 == 0);
// CHECK: dsc_copy_tap4(dst, X, dsc_im2col(gm, gk));
// CHECK-NEXT: dsc_copy_tap4(dst + 4, X, dsc_im2col(gm, gk + 4));
// CHECK: dsc_copy_filter4(dst, F, gn, gk, K);
// CHECK: // implicit-gemm convolution on warpgroup mma: M 401408 N 64 K 196, 128x64x64 tile
// CHECK: dsc_copy_tap4(dst, X, pixelOffset(i, gk));
// CHECK-NEXT: dsc_copy_tap4(dst + 4, X, pixelOffset(i, gk + 4));
// CHECK: dsc_copy_filter4(dst, F, gn, gk, K);
// The patch tile (a direct convolution from input windows): 64 pixels as
// 4 rows of 16 at a time, K = 196 in 13 steps, 132 SMs x 4 blocks walking
// 6272 tiles; windows of 13 x 37 pixels; the result leaves in 16-byte
// chunks from the staged tile.
// CHECK: // direct convolution from input windows: 4x16 output pixels x 64 channels at a time, 2x2 warps, 528 persistent blocks for 6272 tiles
// CHECK-NEXT: __launch_bounds__(128, 4) conv_f16_stem4_t2(
// CHECK: constexpr int KSTEPS = (TAPS * C + 15) / 16;
// CHECK: constexpr int PATCH_H = (TH - 1) * 2 + (7 - 1) * 1 + 1;
// CHECK: loadWindow(Xs + (buffer ^ 1) * PATCH_CHUNKS * 4, next);
// CHECK: const unsigned lo = dsc_epilogue_value(arg0, arg1, out0, m, min(n0 + col, N - 1), acc[i][j][h * 2]);
// CHECK: *reinterpret_cast<uint4*>(out0 + offset) =
// CUBIN: // kernel @conv_f16_stem4 entry conv_f16_stem4 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
// CUBIN: // variant conv_f16_stem4_t2 registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_f16_stem4(%x: tensor<32x224x224x4xf16>, %w: tensor<64x7x7x4xf16>) -> tensor<32x112x112x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<32x224x224x4xf16>, tensor<64x7x7x4xf16>) -> tensor<32x112x112x64xf16>
  exec.yield %y : tensor<32x112x112x64xf16>
}
exec.tactics @conv_f16_stem4 [{bm = 128, bn = 64, bk = 32, warps_m = 4, warps_n = 2, stages = 3, split_k = 1}, {bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1}, {bm = 64, bn = 64, bk = 16, warps_m = 2, warps_n = 2, stages = 1, split_k = 1, patch = 16}]

// A variant whose input arrives by TMA im2col copies (ResNet's stage-2 3x3
// conv at batch 32: 128 channels, two 64-channel K tiles per tap): the entry
// takes the tensor map last, thread 0 issues one copy per K tile with the
// tap as the map's offsets, and the window's corners are the pads and the
// last base pixel (27 - 1 - 27 = -1). sm_90a compiles it.
// CHECK-LABEL: // kernel @conv_f16_tma entry conv_f16_tma
// CHECK-NEXT: // variant @conv_f16_tma entry conv_f16_tma_t1 grid (2, 196, 1) block (256, 1, 1) shared_memory 99328 tactic 128x64x64 w8x1 s4 wgmma tma
// CHECK-NEXT: //   tensor map of arg 0: im2col dims [128 28 28 32] strides [256 7168 200704] corners [-1 -1] [-1 -1] element strides [1 1 1 1] 64 channels x 128 pixels
// CHECK: struct __align__(64) dsc_tensor_map {
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK: cp.async.bulk.tensor.4d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes
// CHECK: conv_f16_tma_t1(const unsigned short* __restrict__ arg0, const unsigned short* __restrict__ arg1, unsigned short* __restrict__ out0, const __grid_constant__ dsc_tensor_map tmap0) {
// CHECK: const int tap = (int)(k0 / 128), c0 = (int)(k0 % 128);
// CHECK: dsc_tma_im2col_4d<BM, 128, 28, 28, 32, -1, -1, -1,
// CHECK-NEXT: -1, 1, 1>(
// CHECK: dsc_mbarrier_wait(&dsc_full[kt % STAGES], (kt / STAGES) & 1);
// Its f16 result is staged in the stages' shared memory and leaves in
// 16-byte chunks.
// CHECK: unsigned short* Ys = As;
// CHECK: const unsigned lo = dsc_epilogue_value(arg0, arg1, out0, m, min(n, N - 1), acc[j * 4 + h * 2]);
// CHECK: *reinterpret_cast<uint4*>(out0 + m * N + n) =
// CUBIN: // kernel @conv_f16_tma entry conv_f16_tma cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_f16_tma(%x: tensor<32x28x28x128xf16>, %w: tensor<128x3x3x128xf16>) -> tensor<32x28x28x128xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<32x28x28x128xf16>, tensor<128x3x3x128xf16>) -> tensor<32x28x28x128xf16>
  exec.yield %y : tensor<32x28x28x128xf16>
}
exec.tactics @conv_f16_tma [
  {bm = 128, bn = 64, bk = 32, warps_m = 4, warps_n = 2, stages = 3, split_k = 1},
  {bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1, tma = 1}]
