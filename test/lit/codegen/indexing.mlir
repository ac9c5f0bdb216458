// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=NVRTC
// Indexing ops of the data family: one thread per output element. Every
// kernel compiles with NVRTC for sm_90 without local memory.
// NVRTC: // kernel @concat3 entry concat3 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @slice_neg entry slice_neg cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @gather_rows entry gather_rows cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @gather_scalar entry gather_scalar cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @gather_elements entry gather_elements cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @scatter_add entry scatter_add cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @expand entry expand cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @tile entry tile cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @pad_constant entry pad_constant cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @pad_reflect entry pad_reflect cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @pad_edge entry pad_edge cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @pad_wrap entry pad_wrap cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @trilu entry trilu cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @shape entry shape cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @empty entry empty cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0

// Concat picks the input by the coordinate along the axis; empty inputs drop out.
// CHECK-LABEL: // kernel @concat3 entry concat3 grid (1, 1, 1) block (256, 1, 1)
// CHECK: // concat: one thread per output element
// CHECK: const index_t inner = o % 4, a = (o / 4) % 4, outer = o / 16;
// CHECK: if (a < 3)
// CHECK-NEXT: out0[o] = arg0[(outer * 3 + (a - 0)) * 4 + inner];
// CHECK-NEXT: else if (a < 4)
// CHECK-NEXT: out0[o] = arg1[(outer * 1 + (a - 3)) * 4 + inner];
// CHECK-NOT: arg2[
exec.kernel @concat3(%a: tensor<2x3x4xf32>, %b: tensor<2x1x4xf32>, %c: tensor<2x0x4xf32>) -> tensor<2x4x4xf32> attributes {family = "data"} {
  %y = graph.concat %a, %b, %c {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<2x1x4xf32>, tensor<2x0x4xf32>) -> tensor<2x4x4xf32>
  exec.yield %y : tensor<2x4x4xf32>
}

// Negative steps: signed offsets from the resolved start (row 4, column 0).
// CHECK-LABEL: // kernel @slice_neg
// CHECK: out0[o] = arg0[(index_t)(24LL + (long long)c0 * -12 + (long long)c1 * 2)];
exec.kernel @slice_neg(%x: tensor<5x6xf16>) -> tensor<2x3xf16> attributes {family = "data"} {
  %y = graph.slice %x {starts = array<i64: -1, 0>, ends = array<i64: 0, 6>, axes = array<i64: 0, 1>, steps = array<i64: -2, 2>} : tensor<5x6xf16> -> tensor<2x3xf16>
  exec.yield %y : tensor<2x3xf16>
}

// Gather normalizes negative indices; out-of-range ones read 0. Rows of
// 16 bytes move 16 bytes per thread where both pointers are aligned.
// CHECK-LABEL: // kernel @gather_rows
// CHECK: gather_rows(const unsigned short* __restrict__ arg0, const long long* __restrict__ arg1, unsigned short* __restrict__ out0, unsigned int *__restrict__ fault)
// CHECK: o < 6; o += stride
// CHECK: const index_t e = o * 8, inner = e % 8, j = (e / 8) % 6, outer = e / 48;
// CHECK: long long index = (long long)arg1[j];
// CHECK-NEXT: if (index < 0)
// CHECK-NEXT: index += 10LL;
// CHECK-NEXT: if (index < 0 || index >= 10LL)
// CHECK-NEXT: *fault = 1u;
// CHECK-NEXT: const bool valid = index >= 0 && index < 10LL;
// CHECK-NEXT: const index_t from = (outer * 10 + (index_t)(valid ? index : 0)) * 8 + inner;
// CHECK-NEXT: if ((((unsigned long long)arg0 | (unsigned long long)out0) & 15) == 0) {
// CHECK: *reinterpret_cast<uint4*>(out0 + e) = valid ? *reinterpret_cast<const uint4*>(arg0 + from) : zero;
// CHECK: out0[e + v] = valid ? arg0[from + v] : (unsigned short)0;
exec.kernel @gather_rows(%x: tensor<10x8xbf16>, %i: tensor<2x3xi64>) -> tensor<2x3x8xbf16> attributes {family = "data"} {
  %y = graph.gather %x, %i {axis = 0 : i64} : (tensor<10x8xbf16>, tensor<2x3xi64>) -> tensor<2x3x8xbf16>
  exec.yield %y : tensor<2x3x8xbf16>
}

// A rank-0 index removes the axis.
// CHECK-LABEL: // kernel @gather_scalar
// CHECK: long long index = (long long)arg1[j];
// CHECK: index += 5LL;
// CHECK: arg0[(outer * 5 + (index_t)index) * 1 + inner]
exec.kernel @gather_scalar(%x: tensor<4x5xi32>, %i: tensor<i32>) -> tensor<4xi32> attributes {family = "data"} {
  %y = graph.gather %x, %i {axis = 1 : i64} : (tensor<4x5xi32>, tensor<i32>) -> tensor<4xi32>
  exec.yield %y : tensor<4xi32>
}

// CHECK-LABEL: // kernel @gather_elements
// CHECK: long long index = (long long)arg1[o];
// CHECK: index += 3LL;
// CHECK: out0[o] = index >= 0 && index < 3LL ? arg0[c1 + (index_t)index * 4] : (float)0;
exec.kernel @gather_elements(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>) -> tensor<2x4xf32> attributes {family = "data"} {
  %y = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  exec.yield %y : tensor<2x4xf32>
}

// Each output element replays the updates aimed at it in order: deterministic,
// duplicates included; f16 rounds after each update, as the reference does.
// CHECK-LABEL: // kernel @scatter_add
// CHECK: float r = dsc_f16_to_f32(arg0[o]);
// CHECK-NEXT: if (c0 < 2)
// CHECK-NEXT: for (index_t j = 0; j < 3; ++j) {
// CHECK-NEXT: const index_t at = c0 * 3 + j * 1;
// CHECK: if (index == (long long)c1) {
// CHECK-NEXT: const float u = dsc_f16_to_f32(arg2[at]);
// CHECK-NEXT: r = dsc_f16_to_f32(dsc_f32_to_f16(r + u));
// CHECK: out0[o] = dsc_f32_to_f16(r);
exec.kernel @scatter_add(%x: tensor<3x5xf16>, %i: tensor<2x3xi64>, %u: tensor<2x3xf16>) -> tensor<3x5xf16> attributes {family = "data"} {
  %y = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = #graph.scatter_reduction<add>} : (tensor<3x5xf16>, tensor<2x3xi64>, tensor<2x3xf16>) -> tensor<3x5xf16>
  exec.yield %y : tensor<3x5xf16>
}

// CHECK-LABEL: // kernel @expand
// CHECK: out0[o] = arg0[((o / 4) % 3)];
exec.kernel @expand(%x: tensor<3x1xi64>) -> tensor<2x3x4xi64> attributes {family = "data"} {
  %y = graph.expand %x {shape = array<i64: 2, 1, 4>} : tensor<3x1xi64> -> tensor<2x3x4xi64>
  exec.yield %y : tensor<2x3x4xi64>
}

// CHECK-LABEL: // kernel @tile
// CHECK: out0[o] = arg0[(c0 % 2) * 3 + c1];
exec.kernel @tile(%x: tensor<2x3xi8>) -> tensor<4x3xi8> attributes {family = "data"} {
  %y = graph.tile %x {repeats = array<i64: 2, 1>} : tensor<2x3xi8> -> tensor<4x3xi8>
  exec.yield %y : tensor<4x3xi8>
}

// Constant pads (a negative one crops) read the value operand outside.
// CHECK-LABEL: // kernel @pad_constant
// CHECK: long long j = (long long)c0 - (1LL);
// CHECK-NEXT: if (j < 0 || j >= 3LL)
// CHECK-NEXT: inside = false;
// CHECK: out0[o] = inside ? arg0[(index_t)offset] : arg1[0];
exec.kernel @pad_constant(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<5x3xf32> attributes {family = "data"} {
  %y = graph.pad constant %x, %v {pads = array<i64: 1, 0, 1, -1>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<5x3xf32>
  exec.yield %y : tensor<5x3xf32>
}

// Reflection is periodic in 2(n-1) and does not repeat the edge.
// CHECK-LABEL: // kernel @pad_reflect
// CHECK: long long j = (long long)c1 - (2LL);
// CHECK-NEXT: j = ((j % 6LL) + 6LL) % 6LL;
// CHECK-NEXT: if (j >= 4LL)
// CHECK-NEXT: j = 6LL - j;
exec.kernel @pad_reflect(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<3x9xf32> attributes {family = "data"} {
  %y = graph.pad reflect %x, %v {pads = array<i64: 0, 2, 0, 3>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x9xf32>
  exec.yield %y : tensor<3x9xf32>
}

// CHECK-LABEL: // kernel @pad_edge
// CHECK: j = j < 0 ? 0 : j >= 3LL ? 3LL - 1 : j;
exec.kernel @pad_edge(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<5x4xf32> attributes {family = "data"} {
  %y = graph.pad edge %x, %v {pads = array<i64: 1, 0, 1, 0>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<5x4xf32>
  exec.yield %y : tensor<5x4xf32>
}

// CHECK-LABEL: // kernel @pad_wrap
// CHECK: j = ((j % 4LL) + 4LL) % 4LL;
exec.kernel @pad_wrap(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<3x10xf32> attributes {family = "data"} {
  %y = graph.pad wrap %x, %v {pads = array<i64: 0, 3, 0, 3>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x10xf32>
  exec.yield %y : tensor<3x10xf32>
}

// CHECK-LABEL: // kernel @trilu
// CHECK: const bool keep = (long long)c2 - (long long)c1 >= (-1LL);
// CHECK: out0[o] = keep ? arg0[o] : (double)0;
exec.kernel @trilu(%x: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> attributes {family = "data"} {
  %y = graph.trilu %x {upper = true, k = -1 : i64} : tensor<2x3x4xf64> -> tensor<2x3x4xf64>
  exec.yield %y : tensor<2x3x4xf64>
}

// An unfolded shape writes its known values.
// CHECK-LABEL: // kernel @shape
// CHECK: out0[o] = (long long)(o == 0 ? 3LL : 4LL);
exec.kernel @shape(%x: tensor<2x3x4xf32>) -> tensor<2xi64> attributes {family = "data"} {
  %y = graph.shape %x {start = 1 : i64} : tensor<2x3x4xf32> -> tensor<2xi64>
  exec.yield %y : tensor<2xi64>
}

// An empty result: a kernel that does nothing.
// CHECK-LABEL: // kernel @empty
// CHECK-NOT: for (
// CHECK: }
exec.kernel @empty(%x: tensor<0x4xf32>) -> tensor<0x8xf32> attributes {family = "data"} {
  %y = graph.tile %x {repeats = array<i64: 1, 2>} : tensor<0x4xf32> -> tensor<0x8xf32>
  exec.yield %y : tensor<0x8xf32>
}
