// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// Split-K of an implicit-GEMM conv (M = 49 pixels, N = 64, K = 576 in 18 K
// tiles: 8 output tiles of 16x32). Split entries take the scratch, grid z
// is the slice count (7 asked, 6 made: none empty), and the scratch holds
// 1024 bytes of counters, then 8 tiles x slices x 16x32 fp32 partial sums.
// CHECK-LABEL: // kernel @conv_split entry conv_split grid (2, 4, 3) block (64, 1, 1) shared_memory 15360 scratch 50176 tactic 16x32x32 w1x2 s4 k3
// CHECK-NEXT: // variant @conv_split entry conv_split_t1 grid (2, 4, 1) block (64, 1, 1) shared_memory 15360 tactic 16x32x32 w1x2 s4
// CHECK-NEXT: // variant @conv_split entry conv_split_t2 grid (2, 4, 6) block (64, 1, 1) shared_memory 15360 scratch 99328 tactic 16x32x32 w1x2 s4 k6
// CHECK: // implicit-gemm convolution on tensor cores: M 49 N 64 K 576, 16x32x32 tile, 1x2 warps, 4 stages, split-K 3 x 6 K tiles
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(64) conv_split({{.*}}, unsigned char *__restrict__ scratch) {
// CHECK: constexpr int SPLIT_K = 3, KT_PER_SPLIT = 6;
// CHECK: for (int kt = 0; kt < ktCount; ++kt) {
// CHECK: float* partials = reinterpret_cast<float*>(scratch + 1024) +
// CHECK: dsc_last_slice = atomicAdd(&counters[tile], 1u) == SPLIT_K - 1;
// CHECK: counters[tile] = 0;
// CHECK: dsc_epilogue(
// CHECK: // implicit-gemm convolution on tensor cores: M 49 N 64 K 576, 16x32x32 tile, 1x2 warps, 4 stages{{$}}
// CHECK-NEXT: extern "C" __global__ void __launch_bounds__(64) conv_split_t1({{.*}}out0) {
// CHECK: constexpr int SPLIT_K = 1, KT_PER_SPLIT = 18;
// CHECK-NOT: atomicAdd
// CHECK: split-K 6 x 3 K tiles
// CHECK-NEXT: conv_split_t2({{.*}}, unsigned char *__restrict__ scratch) {
exec.kernel @conv_split(%x: tensor<1x7x7x64xf16>, %w: tensor<64x3x3x64xf16>, %b: tensor<64xf16>) -> tensor<1x7x7x64xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x7x7x64xf16>, tensor<64x3x3x64xf16>, tensor<64xf16>) -> tensor<1x7x7x64xf16>
  %y = graph.relu %c : tensor<1x7x7x64xf16> -> tensor<1x7x7x64xf16>
  exec.yield %y : tensor<1x7x7x64xf16>
}
exec.tactics @conv_split [
  {bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 3},
  {bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 1},
  {bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 7}]

// Without tactics the heuristic splits the 8 tiles 4 ways (at least 4 K
// tiles a slice).
// CHECK-LABEL: // kernel @conv_heuristic entry conv_heuristic grid (2, 4, 4) block (64, 1, 1) shared_memory 15360 scratch 66560
// CHECK: split-K 4 x 5 K tiles
exec.kernel @conv_heuristic(%x: tensor<1x7x7x64xf16>, %w: tensor<64x3x3x64xf16>) -> tensor<1x7x7x64xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x7x7x64xf16>, tensor<64x3x3x64xf16>) -> tensor<1x7x7x64xf16>
  exec.yield %c : tensor<1x7x7x64xf16>
}

// Per sample, grid z counts the samples: no split.
// CHECK-LABEL: // kernel @conv_per_sample
// CHECK-NOT: scratch
// CHECK: 16x32x32 tile, 1x2 warps, 4 stages{{$}}
exec.kernel @conv_per_sample(%x: tensor<1x7x7x64xf16> {exec.per_sample}, %w: tensor<64x3x3x64xf16>) -> (tensor<1x7x7x64xf16> {exec.per_sample}) attributes {family = "data"} {
  %c = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x7x7x64xf16>, tensor<64x3x3x64xf16>) -> tensor<1x7x7x64xf16>
  exec.yield %c : tensor<1x7x7x64xf16>
}
