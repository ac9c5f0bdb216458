// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// An implicit-GEMM conv with two tiles: one entry each, the epilogue and
// the im2col helper shared.
// CHECK-LABEL: // kernel @conv_tc entry conv_tc grid (2, 6, 1) block (64, 1, 1) shared_memory 15360 tactic 16x32x32 w1x2 s4
// CHECK-NEXT: // variant @conv_tc entry conv_tc_t1 grid (1, 2, 1) block (128, 1, 1) shared_memory 40960 tactic 64x64x32 w2x2 s4
// CHECK-COUNT-1: dsc_im2col(index_t gm, index_t gk) {
// CHECK: // implicit-gemm convolution on tensor cores: M 90 N 40 K 144, 16x32x32 tile, 1x2 warps, 4 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(64) conv_tc(
// CHECK: // implicit-gemm convolution on tensor cores: M 90 N 40 K 144, 64x64x32 tile, 2x2 warps, 4 stages
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(128) conv_tc_t1(
exec.kernel @conv_tc(%x: tensor<1x9x10x16xf16>, %w: tensor<40x3x3x16xf16>, %b: tensor<40xf16>) -> tensor<1x9x10x40xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x9x10x16xf16>, tensor<40x3x3x16xf16>, tensor<40xf16>) -> tensor<1x9x10x40xf16>
  exec.yield %y : tensor<1x9x10x40xf16>
}
exec.tactics @conv_tc [
  {bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 1},
  {bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]
