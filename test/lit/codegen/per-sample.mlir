// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// One sample of a symbolic dimension: the launch's z extent is samples times
// the kernel's own, and each per-sample buffer moves one sample's elements
// further per sample; the weight (no exec.per_sample) stays shared.
// CHECK-LABEL: // kernel @add_bias entry add_bias grid (1, 1, 1)
// CHECK: add_bias(const float* __restrict__ arg0, const float* __restrict__ arg1, float* __restrict__ out0) {
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK-NEXT: // One sample of N: blockIdx.z / 1.
// CHECK-NEXT: const unsigned int dsc_sample = blockIdx.z / 1u;
// CHECK-NEXT: arg0 += (unsigned long long)dsc_sample * 32ull;
// CHECK-NEXT: out0 += (unsigned long long)dsc_sample * 32ull;
// CHECK-NOT: arg1 +=
exec.kernel @add_bias(%x: tensor<4x8xf32> {exec.per_sample}, %b: tensor<8xf32>) -> (tensor<4x8xf32> {exec.per_sample}) attributes {family = "elementwise"} {
  %s = graph.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  exec.yield %s : tensor<4x8xf32>
}

// A batched matmul that walks its own z grid: blockIdx.z and gridDim.z
// become the sample's own z index and extent.
// CHECK-LABEL: // kernel @bmm entry bmm grid ({{[0-9]+}}, {{[0-9]+}}, 3)
// CHECK: const unsigned int dsc_sample = blockIdx.z / 3u;
// CHECK-NEXT: const unsigned int dsc_block_z = blockIdx.z % 3u, dsc_grid_z = 3u;
// CHECK-NEXT: arg0 += (unsigned long long)dsc_sample * 96ull;
// CHECK-NEXT: arg1 += (unsigned long long)dsc_sample * 120ull;
// CHECK-NEXT: out0 += (unsigned long long)dsc_sample * 60ull;
// CHECK-NOT: blockIdx.z;
// CHECK: dsc_block_z
exec.kernel @bmm(%a: tensor<3x4x8xf32> {exec.per_sample}, %b: tensor<3x8x5xf32> {exec.per_sample}) -> (tensor<3x4x5xf32> {exec.per_sample}) attributes {family = "gemm"} {
  %m = graph.matmul %a, %b : (tensor<3x4x8xf32>, tensor<3x8x5xf32>) -> tensor<3x4x5xf32>
  exec.yield %m : tensor<3x4x5xf32>
}

// A per-sample [m, K] times a shared [K, N] with a shared bias: the samples
// are folded into the rows of one GEMM (grid y times the samples), and the
// pointers stay at the first sample.
// CHECK-LABEL: // kernel @linear entry linear grid (1, 1, 1)
// CHECK: linear(const float* __restrict__ arg0, const float* __restrict__ arg1, const float* __restrict__ arg2, float* __restrict__ out0) {
// CHECK-NEXT: dsc_await_previous_grid();
// CHECK-NEXT: // Samples folded into rows: gridDim.y / 1.
// CHECK-NEXT: const unsigned int dsc_samples = gridDim.y / 1u;
// CHECK: const index_t M = (index_t)3 * dsc_samples;
// CHECK: if (m0 >= M)
// CHECK-NOT: dsc_sample *
exec.kernel @linear(%x: tensor<3x8xf32> {exec.per_sample}, %w: tensor<8x5xf32>, %b: tensor<5xf32>) -> (tensor<3x5xf32> {exec.per_sample}) attributes {family = "gemm"} {
  %m = graph.matmul %x, %w : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32>
  %r = graph.add %m, %b : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  exec.yield %r : tensor<3x5xf32>
}

// A shared operand with rows of its own (a constant residual) cannot follow
// the global row: one sample per z slice instead.
// CHECK-LABEL: // kernel @shared_rows entry shared_rows
// CHECK: const unsigned int dsc_sample = blockIdx.z / 1u;
// CHECK: const index_t M = 3;
exec.kernel @shared_rows(%x: tensor<3x8xf32> {exec.per_sample}, %w: tensor<8x5xf32>, %r: tensor<3x5xf32>) -> (tensor<3x5xf32> {exec.per_sample}) attributes {family = "gemm"} {
  %m = graph.matmul %x, %w : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32>
  %s = graph.add %m, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  exec.yield %s : tensor<3x5xf32>
}
