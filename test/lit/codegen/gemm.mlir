// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// Bias + exact gelu epilogue on tensor cores; 512x3072 is too few 128x128
// tiles for 132 SMs, so 64x64 tiles.
// CHECK-LABEL: // kernel @linear_gelu entry linear_gelu grid (48, 8, 1) block (128, 1, 1) shared_memory 73728
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: static __device__ __forceinline__ void dsc_epilogue(const unsigned short* __restrict__ arg0, const unsigned short* __restrict__ arg1, const unsigned short* __restrict__ arg2, unsigned short* __restrict__ out0, index_t z, index_t m, index_t n, float acc) {
// CHECK-NEXT: const float x2 = dsc_f16_to_f32(arg2[n]);
// CHECK-NEXT: const float v0 = acc + x2;
// CHECK-NEXT: const float v1 = 0.5f * v0 * (1.0f + erff(v0 * 0.707106781f));
// CHECK-NEXT: out0[(z * 512 + m) * 3072 + n] = dsc_f32_to_f16(v1);
// CHECK-NEXT: }
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages
// CHECK: const index_t M = 512;
// CHECK-NEXT: constexpr index_t N = 3072, K = 768, BATCH = 1;
// CHECK: dsc_ldmatrix_x4_trans(r,
// CHECK: dsc_epilogue(arg0, arg1, arg2, out0, z, m, n, acc[i][j][h * 2 + c]);
exec.kernel @linear_gelu(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>, %b: tensor<3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  %z = graph.add %y, %b : (tensor<512x3072xf16>, tensor<3072xf16>) -> tensor<512x3072xf16>
  %g = graph.gelu %z : tensor<512x3072xf16> -> tensor<512x3072xf16>
  exec.yield %g : tensor<512x3072xf16>
}

// Large enough for 128x128 tiles and 8 warps (dynamic shared memory > 48 KB).
// CHECK-LABEL: // kernel @big_f16 entry big_f16 grid (16, 16, 1) block (256, 1, 1) shared_memory 107520
// CHECK: // tensor cores: 128x128x64 tile, 2x4 warps, 3 stages
exec.kernel @big_f16(%x: tensor<2048x1024xf16>, %w: tensor<1024x2048xf16>) -> tensor<2048x2048xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2048x1024xf16>, tensor<1024x2048xf16>) -> tensor<2048x2048xf16>
  exec.yield %y : tensor<2048x2048xf16>
}

// Batched bf16 with a broadcast batch dimension of B, residual and cast.
// CHECK-LABEL: // kernel @bmm_bf16 entry bmm_bf16 grid (1, 1, 6) block (128, 1, 1)
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: const float x2 = dsc_bf16_to_f32(arg2[((z / 3)) * 1683 + ((z % 3)) * 561 + (m) * 17 + n]);
// CHECK-NEXT: const float v0 = acc + x2;
// CHECK-NEXT: const float v1 = ((float)(dsc_bf16_to_f32(dsc_f32_to_bf16(v0))));
// CHECK-NEXT: out0[(z * 33 + m) * 17 + n] = v1;
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages
// CHECK: const unsigned short* __restrict__ Az = A + (z) * (M * K);
// CHECK: const unsigned short* __restrict__ Bz = B + ((z % 3)) * (K * N);
exec.kernel @bmm_bf16(%x: tensor<2x3x33x70xbf16>, %w: tensor<3x70x17xbf16>, %r: tensor<2x3x33x17xbf16>) -> tensor<2x3x33x17xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x3x33x70xbf16>, tensor<3x70x17xbf16>) -> tensor<2x3x33x17xbf16>
  %z = graph.add %y, %r : (tensor<2x3x33x17xbf16>, tensor<2x3x33x17xbf16>) -> tensor<2x3x33x17xbf16>
  %c = graph.cast %z : tensor<2x3x33x17xbf16> -> tensor<2x3x33x17xf32>
  exec.yield %c : tensor<2x3x33x17xf32>
}

// 128x768 makes 24 tiles of 64x64 for 132 SMs: K = 3072 (48 K tiles) is
// split in 10 slices of 5 tiles, reduced through the scratch by the last
// slice of each tile, which alone runs the epilogue.
// CHECK-LABEL: // kernel @skinny_split_k entry skinny_split_k grid (12, 2, 10) block (128, 1, 1) shared_memory 73728 scratch 3933184
// CHECK: // tensor cores: 64x64x64 tile, 2x2 warps, 4 stages, split-K 10 x 5 K tiles
// CHECK: void __launch_bounds__(128) skinny_split_k({{.*}}, unsigned short* __restrict__ out0, unsigned char *__restrict__ scratch)
// CHECK: constexpr int SPLIT_K = 10, KT_PER_SPLIT = 5;
// CHECK: __stcg(&mine[
// CHECK: dsc_last_slice = atomicAdd(&counters[tile], 1u) == SPLIT_K - 1;
// CHECK: if (!dsc_last_slice)
// CHECK-NEXT: return;
// CHECK: acc[i][j][c] += __ldcg(&slice[
// CHECK: counters[tile] = 0;
// CHECK: dsc_epilogue(arg0, arg1, arg2, out0, z, m, n, acc[i][j][h * 2 + c]);
exec.kernel @skinny_split_k(%x: tensor<128x3072xf16>, %w: tensor<3072x768xf16>, %r: tensor<128x768xf16>) -> tensor<128x768xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<128x3072xf16>, tensor<3072x768xf16>) -> tensor<128x768xf16>
  %z = graph.add %y, %r : (tensor<128x768xf16>, tensor<128x768xf16>) -> tensor<128x768xf16>
  exec.yield %z : tensor<128x768xf16>
}

// Batched GEMMs are not split.
// CHECK-LABEL: // kernel @batched_not_split entry batched_not_split grid (1, 1, 12) block (128, 1, 1) shared_memory 73728
// CHECK-NOT: scratch
// CHECK: constexpr int SPLIT_K = 1, KT_PER_SPLIT = 48;
exec.kernel @batched_not_split(%x: tensor<12x64x3072xf16>, %w: tensor<12x3072x64xf16>) -> tensor<12x64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<12x64x3072xf16>, tensor<12x3072x64xf16>) -> tensor<12x64x64xf16>
  exec.yield %y : tensor<12x64x64xf16>
}

// f32 stays on the SIMT path (no TF32).
// CHECK-LABEL: // kernel @gemv_f32 entry gemv_f32 grid (5, 1, 1) block (256, 1, 1) shared_memory 0
// CHECK-NOT: mma.sync
// CHECK: // simt: 16x64x16 tile, 1x4 per thread
// CHECK: acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
exec.kernel @gemv_f32(%x: tensor<1x100xf32>, %w: tensor<100x257xf32>) -> tensor<1x257xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<1x100xf32>, tensor<100x257xf32>) -> tensor<1x257xf32>
  exec.yield %y : tensor<1x257xf32>
}

// Integers (MatMulInteger's graph: i32 operands after the zero points):
// the SIMT tile accumulates in i32, wrapping around like the reference.
// CHECK-LABEL: // kernel @int_matmul entry int_matmul grid (1, 1, 2) block (256, 1, 1)
// CHECK: static __device__ __forceinline__ int dsc_mad(int a, int b, int c) {
// CHECK-NEXT: return (int)((unsigned int)a * (unsigned int)b + (unsigned int)c);
// CHECK: static __device__ __forceinline__ void dsc_epilogue({{.*}}, int acc) {
// CHECK: // integer simt: 64x64x16 tile, 4x4 per thread
// CHECK: __shared__ int As[BK][BM + 1];
// CHECK: As[k][r] = (gm < M && gk < K) ? (int)Az[gm * K + gk] : (int)0;
// CHECK: acc[i][j] = dsc_mad(a[i], b[j], acc[i][j]);
exec.kernel @int_matmul(%a: tensor<2x33x20xi32>, %b: tensor<20x7xi32>) -> tensor<2x33x7xi32> attributes {family = "gemm"} {
  %y = graph.matmul %a, %b : (tensor<2x33x20xi32>, tensor<20x7xi32>) -> tensor<2x33x7xi32>
  exec.yield %y : tensor<2x33x7xi32>
}

// i64 accumulates in 64 bits.
// CHECK-LABEL: // kernel @i64_matmul entry i64_matmul
// CHECK: return (long long)((unsigned long long)a * (unsigned long long)b + (unsigned long long)c);
exec.kernel @i64_matmul(%a: tensor<3x4xi64>, %b: tensor<4x5xi64>) -> tensor<3x5xi64> attributes {family = "gemm"} {
  %y = graph.matmul %a, %b : (tensor<3x4xi64>, tensor<4x5xi64>) -> tensor<3x5xi64>
  exec.yield %y : tensor<3x5xi64>
}
