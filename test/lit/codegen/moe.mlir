// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN

// graph.moe_route: one block; 10000 slots of 8 experts, 44 KiB of counters
// at most (1024 threads x 8 experts).
// CHECK-LABEL: // kernel @route entry route grid (1, 1, 1) block (1024, 1, 1)
// CHECK: // moe_route: 10000 slots of 8 experts into 11008 rows in groups of 128; one block of 1024 threads
// CHECK: constexpr int E = 8, G = 128, THREADS = 1024;
// CHECK: out0[row] = (int)(s / K);
// CHECK: out2[s] = row;
// CHECK: out3[r / G] = r < starts[E] ? e : -1;
// CUBIN: // kernel @route entry route cubin
exec.kernel @route(%c: tensor<5000x2xi64>) -> (tensor<11008xi32>, tensor<11008xi32>, tensor<5000x2xi32>, tensor<86xi32>) attributes {family = "data"} {
  %t, %s, %r, %g = graph.moe_route %c {experts = 8 : i64, group_rows = 128 : i64} : tensor<5000x2xi64> -> tensor<11008xi32>, tensor<11008xi32>, tensor<5000x2xi32>, tensor<86xi32>
  exec.yield %t, %s, %r, %g : tensor<11008xi32>, tensor<11008xi32>, tensor<5000x2xi32>, tensor<86xi32>
}

// A grouped GEMM: each block reads its group's expert and offsets B by it;
// a group outside the experts runs no K tile.
// CHECK-LABEL: // kernel @grouped entry grouped grid (8, 80, 1) block (128, 1, 1)
// CHECK-NEXT: // variant @grouped entry grouped_t1 grid (2, 40, 1) block (256, 1, 1) {{.*}} tactic 128x256x64 w8x1 s4 wgmma
// CHECK: const int dsc_group = arg2[m0 / 128];
// CHECK-NEXT: const bool dsc_active = dsc_group >= 0 && dsc_group < 8;
// CHECK: const int ktCount = dsc_active ? min(numKTiles - ktBegin, KT_PER_SPLIT) : 0;
// CHECK: const unsigned short* __restrict__ Bz = B + ((dsc_active ? dsc_group : 0)) * (K * N);
// CHECK: const int numKTiles = dsc_active ? (int)((K + BK - 1) / BK) : 0;
// CUBIN: // kernel @grouped entry grouped cubin
exec.kernel @grouped(%a: tensor<5120x1024xf16>, %w: tensor<8x1024x512xf16>, %g: tensor<40xi32>) -> tensor<5120x512xf16> attributes {family = "gemm"} {
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<5120x1024xf16>, tensor<8x1024x512xf16>, tensor<40xi32>) -> tensor<5120x512xf16>
  exec.yield %y : tensor<5120x512xf16>
}
exec.tactics @grouped [
  {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1},
  {bm = 128, bn = 256, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1}]

// f32: the SIMT tile whose rows divide the 16-row groups.
// CHECK-LABEL: // kernel @grouped_f32 entry grouped_f32 grid (1, 4, 1) block (256, 1, 1)
// CHECK: // simt: 16x64x16 tile, 1x4 per thread
// CHECK: const int dsc_group = arg2[m0 / 16];
// CHECK: for (index_t k0 = 0; dsc_active && k0 < K; k0 += BK) {
exec.kernel @grouped_f32(%a: tensor<64x30xf32>, %w: tensor<2x30x20xf32>, %g: tensor<4xi32>) -> tensor<64x20xf32> attributes {family = "gemm"} {
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 16 : i64} : (tensor<64x30xf32>, tensor<2x30x20xf32>, tensor<4xi32>) -> tensor<64x20xf32>
  exec.yield %y : tensor<64x20xf32>
}
