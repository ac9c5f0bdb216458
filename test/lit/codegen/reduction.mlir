// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=NVRTC
// graph.reduce (any axes), arg_reduce, hardmax and cumsum in the data family;
// log_softmax in the row-reduction family. All compile with NVRTC for sm_90;
// only the f64 column-mode log_softmax uses a little local memory.
// NVRTC: // kernel @sum_middle entry sum_middle cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @max_last entry max_last cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @prod_all entry prod_all cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @min_u8 entry min_u8 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @sum_empty entry sum_empty cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @argmax_last entry argmax_last cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @argmin entry argmin cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @hardmax entry hardmax cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @cumsum_rev_excl entry cumsum_rev_excl cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @log_softmax entry log_softmax cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @log_softmax_mid entry log_softmax_mid cubin {{[0-9]+}} bytes

// The innermost dimension is kept: one thread per row, coalesced; f16 sums in f32.
// CHECK-LABEL: // kernel @sum_middle
// CHECK: // reduce sum: 20 rows of 6, 1 threads per row
// CHECK: const index_t base = (row / 5) * 30 + (row % 5);
// CHECK: float v = 0;
// CHECK: v = dsc_combine(v, (float)dsc_f16_to_f32(arg0[base + j * 5]));
// CHECK: out0[row] = dsc_f32_to_f16((float)v);
exec.kernel @sum_middle(%x: tensor<4x6x5xf16>) -> tensor<4x1x5xf16> attributes {family = "data"} {
  %y = graph.reduce sum %x {axes = array<i64: 1>, keepdims = true} : tensor<4x6x5xf16> -> tensor<4x1x5xf16>
  exec.yield %y : tensor<4x1x5xf16>
}

// A warp per row with strided reads and shuffles; max propagates NaN.
// CHECK-LABEL: // kernel @max_last
// CHECK: return (a != a || b != b) ? a + b : fmaxf(a, b);
// CHECK: // reduce max: 8 rows of 1000, 32 threads per row
// CHECK: float v = __int_as_float(0xff800000);
// CHECK: for (index_t j = lane; j < R; j += 32)
// CHECK: v = dsc_combine(v, __shfl_xor_sync(0xffffffffu, v, offset));
// CHECK-NOT: __syncthreads
exec.kernel @max_last(%x: tensor<8x1000xf32>) -> tensor<8xf32> attributes {family = "data"} {
  %y = graph.reduce max %x {axes = array<i64: -1>, keepdims = false} : tensor<8x1000xf32> -> tensor<8xf32>
  exec.yield %y : tensor<8xf32>
}

// One long row: the whole block, combined through shared memory; exact i64.
// CHECK-LABEL: // kernel @prod_all
// CHECK: // reduce prod: 1 rows of 120000, 256 threads per row
// CHECK: long long v = 1;
// CHECK: __shared__ long long scratch[8];
// CHECK: __syncthreads();
// CHECK: v = dsc_combine(v, scratch[w]);
exec.kernel @prod_all(%x: tensor<3x40000xi64>) -> tensor<i64> attributes {family = "data"} {
  %y = graph.reduce prod %x {axes = array<i64>, keepdims = false} : tensor<3x40000xi64> -> tensor<i64>
  exec.yield %y : tensor<i64>
}

// Small integers accumulate in 32 bits (shuffles move no bytes); the identity of
// min is the type's maximum.
// CHECK-LABEL: // kernel @min_u8
// CHECK: unsigned int v = 255ULL;
// CHECK: (unsigned int)arg0[base + (j / 40) * 120 + (j % 40)]
// CHECK: out0[row] = (unsigned char)v;
exec.kernel @min_u8(%x: tensor<2x3x40xui8>) -> tensor<3xui8> attributes {family = "data"} {
  %y = graph.reduce min %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x40xui8> -> tensor<3xui8>
  exec.yield %y : tensor<3xui8>
}

// An empty row gives the identity.
// CHECK-LABEL: // kernel @sum_empty
// CHECK: constexpr index_t ROWS = 6, R = 0;
// CHECK: float v = 0;
exec.kernel @sum_empty(%x: tensor<2x0x3xf32>) -> tensor<2x3xf32> attributes {family = "data"} {
  %y = graph.reduce sum %x {axes = array<i64: 1>, keepdims = false} : tensor<2x0x3xf32> -> tensor<2x3xf32>
  exec.yield %y : tensor<2x3xf32>
}

// Order-dependent scans walk one line per thread, in order.
// CHECK-LABEL: // kernel @argmax_last
// CHECK: // arg_reduce: 3 lines of 4, one thread per line
// CHECK: if (x > bestValue || x == bestValue) {
// CHECK: out0[line] = best;
exec.kernel @argmax_last(%x: tensor<3x4xf32>) -> tensor<3x1xi64> attributes {family = "data"} {
  %y = graph.arg_reduce max %x {axis = 1 : i64, keepdims = true, select_last_index = true} : tensor<3x4xf32> -> tensor<3x1xi64>
  exec.yield %y : tensor<3x1xi64>
}

// CHECK-LABEL: // kernel @argmin
// CHECK: constexpr index_t LINES = 6, N = 4, INNER = 2;
// CHECK: if (x < bestValue) {
exec.kernel @argmin(%x: tensor<3x4x2xi32>) -> tensor<3x2xi64> attributes {family = "data"} {
  %y = graph.arg_reduce min %x {axis = 1 : i64, keepdims = false} : tensor<3x4x2xi32> -> tensor<3x2xi64>
  exec.yield %y : tensor<3x2xi64>
}

// CHECK-LABEL: // kernel @hardmax
// CHECK: float bestValue = dsc_bf16_to_f32(arg0[at(0)]);
// CHECK: out0[at(j)] = j == best ? dsc_f32_to_bf16(1) : dsc_f32_to_bf16(0);
exec.kernel @hardmax(%x: tensor<3x4xbf16>) -> tensor<3x4xbf16> attributes {family = "data"} {
  %y = graph.hardmax %x {axis = -1 : i64} : tensor<3x4xbf16> -> tensor<3x4xbf16>
  exec.yield %y : tensor<3x4xbf16>
}

// CHECK-LABEL: // kernel @cumsum_rev_excl
// CHECK: const index_t j = N - 1 - step;
// CHECK: out0[at(j)] = (int)sum;
// CHECK-NEXT: sum += x;
exec.kernel @cumsum_rev_excl(%x: tensor<2x5xi32>) -> tensor<2x5xi32> attributes {family = "data"} {
  %y = graph.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<2x5xi32> -> tensor<2x5xi32>
  exec.yield %y : tensor<2x5xi32>
}

// log_softmax is a row reduction: x - max - log(sum of exp).
// CHECK-LABEL: // kernel @log_softmax
// CHECK: // row mode: 4 rows of 10
// CHECK: const float rowLogSum = logf(rowSum);
// CHECK: dsc_epilogue(arg0, out0, base + j, x - rowMax - rowLogSum);
exec.kernel @log_softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> attributes {family = "row_reduction"} {
  %y = graph.log_softmax %x {axis = -1 : i64} : tensor<4x10xf32> -> tensor<4x10xf32>
  exec.yield %y : tensor<4x10xf32>
}

// CHECK-LABEL: // kernel @log_softmax_mid
// CHECK: // column mode: 6 rows of 10
// CHECK: const double rowLogSum = log(rowSum);
exec.kernel @log_softmax_mid(%x: tensor<2x10x3xf64>) -> tensor<2x10x3xf64> attributes {family = "row_reduction"} {
  %y = graph.log_softmax %x {axis = 1 : i64} : tensor<2x10x3xf64> -> tensor<2x10x3xf64>
  exec.yield %y : tensor<2x10x3xf64>
}
