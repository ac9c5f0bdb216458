// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN

// BERT-base: 12 heads, S = 128, D = 64, the padding mask [B, 1, 1, S]. Two
// 64-row query tiles per (b, h) plane on x, the planes on z; Q, two K and
// two V stages of 64 rows padded to 72 halves: 5 * 64 * 72 * 2 bytes.
// CHECK-LABEL: // kernel @bert entry bert grid (2, 1, 24) block (128, 1, 1) shared_memory 36864
// Hopper variants: one or two warpgroups of 64 rows, Q and two or three K
// and V stages as 128-byte swizzled lines, and 1024 bytes to align them.
// CHECK-NEXT: // variant @bert entry bert_t1 grid (2, 1, 24) block (128, 1, 1) shared_memory 41984 tactic 64 query rows, warpgroup MMA, 2 stages
// CHECK-NEXT: // variant @bert entry bert_t2 grid (1, 1, 24) block (256, 1, 1) shared_memory 50176 tactic 128 query rows, warpgroup MMA, 2 stages
// CHECK-NEXT: // variant @bert entry bert_t3 grid (1, 1, 24) block (256, 1, 1) shared_memory 66560 tactic 128 query rows, warpgroup MMA, 3 stages
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: cvt.rn.f16x2.f32
// CHECK: // flash attention (tensor cores)
// CHECK: constexpr int MT = 1, BM = 64 * MT, BN = 64, D = 64, DS = D + 8, THREADS = 128;
// CHECK-NEXT: constexpr int S = 128, SK = 128, H = 12;
// CHECK-NEXT: constexpr bool CAUSAL = false, HAS_MASK = true;
// CHECK: constexpr float SCALE = 1.250000000e-01f
// CHECK: x = (x + (float)dsc_f16_to_f32(arg3[(long long)b * 128 + (long long)key])) * LOG2E;
// CHECK: const float inv = sum > 0.0f ? 1.0f / sum : __int_as_float(0x7fc00000);
// CHECK: // flash attention (warpgroup MMA): 64 query rows x 64 keys per tile, 1 warpgroup, 2 stages
// CHECK: #if defined(__CUDA_ARCH_FEAT_SM90_ALL)
// CHECK: constexpr int WG = 1, MT = 1, BM = 64 * WG, BN = 64, D = 64, THREADS = 128 * WG;
// CHECK-NEXT: constexpr int STAGES = 2;
// CHECK: dsc_wgmma_m64n64k16<0>(
// CHECK: dsc_wgmma_rs_m64n64k16<1>(
// CHECK: issueScores(s, kt);
// CHECK: x = (x + (float)dsc_f16_to_f32(arg3[(long long)b * 128 + (long long)key])) * LOG2E;
// CHECK: issueValues(pf, kt);
// CHECK: #else
// CHECK: constexpr int MT = 1, BM = 64 * MT, BN = 64, D = 64, DS = D + 8, THREADS = 128;
// CHECK: #endif
// CHECK: // flash attention (warpgroup MMA): 128 query rows x 64 keys per tile, 2 warpgroups, 2 stages
// CHECK: constexpr int WG = 2, MT = 1
// CHECK: if (threadIdx.x >= 128)
// CHECK-NEXT: return;
// CHECK-NEXT: constexpr int MT = 2, BM = 64 * MT
// CUBIN: // kernel @bert entry bert cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 36864
// CUBIN-NEXT: // variant bert_t1 registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 41984
// CUBIN-NEXT: // variant bert_t2 registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 50176
// CUBIN-NEXT: // variant bert_t3 registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 66560
exec.kernel @bert(%q: tensor<2x12x128x64xf16>, %k: tensor<2x12x128x64xf16>, %v: tensor<2x12x128x64xf16>, %m: tensor<2x1x1x128xf16>) -> tensor<2x12x128x64xf16> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<2x12x128x64xf16>, tensor<2x12x128x64xf16>, tensor<2x12x128x64xf16>, tensor<2x1x1x128xf16>) -> tensor<2x12x128x64xf16>
  exec.yield %a : tensor<2x12x128x64xf16>
}

// GPT-2 small, causal, one sample of a symbolic batch: S = 512 makes 8 query
// tiles; the per-sample prologue moves every pointer one plane set further.
// CHECK-LABEL: // kernel @gpt2 entry gpt2 grid (8, 1, 12) block (128, 1, 1) shared_memory 36864
// CHECK: const unsigned int dsc_sample = blockIdx.z / 12u;
// CHECK-NEXT: const unsigned int dsc_block_z = blockIdx.z % 12u, dsc_grid_z = 12u;
// CHECK-NEXT: arg0 += (unsigned long long)dsc_sample * 393216ull;
// CHECK-NEXT: arg1 += (unsigned long long)dsc_sample * 393216ull;
// CHECK-NEXT: arg2 += (unsigned long long)dsc_sample * 393216ull;
// CHECK-NEXT: out0 += (unsigned long long)dsc_sample * 393216ull;
// CHECK: constexpr bool CAUSAL = true, HAS_MASK = false;
// CHECK: const int plane = dsc_block_z;
// CHECK: const bool maskTile = HAS_MASK || n0 + BN > SK || (CAUSAL && n0 + BN - 1 > warpRow0);
// CHECK: const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
// CUBIN: // kernel @gpt2 entry gpt2 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @gpt2(%q: tensor<1x12x512x64xf16> {exec.per_sample}, %k: tensor<1x12x512x64xf16> {exec.per_sample}, %v: tensor<1x12x512x64xf16> {exec.per_sample}) -> (tensor<1x12x512x64xf16> {exec.per_sample}) attributes {family = "data"} {
  %a = graph.attention %q, %k, %v {scale = 0.125 : f32, causal, zero_empty_rows} : (tensor<1x12x512x64xf16>, tensor<1x12x512x64xf16>, tensor<1x12x512x64xf16>) -> tensor<1x12x512x64xf16>
  exec.yield %a : tensor<1x12x512x64xf16>
}

// D = 128 in bf16 with a boolean [S, Sk] mask and Sk != S: 5 * 64 * 136 * 2
// bytes of shared memory (above 48 KB: the runtime opts in).
// CHECK-LABEL: // kernel @d128_bf16 entry d128_bf16 grid (2, 1, 2) block (128, 1, 1) shared_memory 69632
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: cvt.rn.bf16x2.f32
// CHECK: x = ((arg3[(long long)i * 200 + (long long)key] != 0 ? x : NEG_INF)) * LOG2E;
// CHECK: *reinterpret_cast<unsigned*>(dst) = dsc_pack2(v0, v1);
// CHECK: dst[0] = dsc_f32_to_bf16(value);
// CUBIN: // kernel @d128_bf16 entry d128_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 69632
exec.kernel @d128_bf16(%q: tensor<1x2x77x128xbf16>, %k: tensor<1x2x200x128xbf16>, %v: tensor<1x2x200x128xbf16>, %m: tensor<77x200xi1>) -> tensor<1x2x77x128xbf16> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v, %m {scale = 0.0883883461 : f32} : (tensor<1x2x77x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<77x200xi1>) -> tensor<1x2x77x128xbf16>
  exec.yield %a : tensor<1x2x77x128xbf16>
}

// f32: one warp per query row, 4 rows per block; D = 64 is two elements per
// lane, Dv = 40 two with the second only on lanes below 8.
// CHECK-LABEL: // kernel @rows_f32 entry rows_f32 grid (20, 1, 6) block (128, 1, 1) shared_memory 0
// CHECK: // attention (one warp per query row, float online softmax)
// CHECK: constexpr int D = 64, DV = 40, S = 77, SK = 50, H = 3;
// CHECK: const float x = dot * SCALE + (float)arg3[(long long)h * 3850 + (long long)i * 50 + (long long)key];
// CHECK: const float correction = expf(rowMax - newMax), p = expf(x - newMax);
// CUBIN: // kernel @rows_f32 entry rows_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
exec.kernel @rows_f32(%q: tensor<2x3x77x64xf32>, %k: tensor<2x3x50x64xf32>, %v: tensor<2x3x50x40xf32>, %m: tensor<3x77x50xf32>) -> tensor<2x3x77x40xf32> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<2x3x77x64xf32>, tensor<2x3x50x64xf32>, tensor<2x3x50x40xf32>, tensor<3x77x50xf32>) -> tensor<2x3x77x40xf32>
  exec.yield %a : tensor<2x3x77x40xf32>
}

// f64 computes in double.
// CHECK-LABEL: // kernel @rows_f64 entry rows_f64 grid (1, 1, 1) block (128, 1, 1)
// CHECK: // attention (one warp per query row, double online softmax)
// CHECK: const double correction = exp(rowMax - newMax), p = exp(x - newMax);
// CUBIN: // kernel @rows_f64 entry rows_f64 cubin
exec.kernel @rows_f64(%q: tensor<1x1x3x16xf64>, %k: tensor<1x1x3x16xf64>, %v: tensor<1x1x3x16xf64>) -> tensor<1x1x3x16xf64> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v {scale = 0.25 : f32, causal} : (tensor<1x1x3x16xf64>, tensor<1x1x3x16xf64>, tensor<1x1x3x16xf64>) -> tensor<1x1x3x16xf64>
  exec.yield %a : tensor<1x1x3x16xf64>
}
