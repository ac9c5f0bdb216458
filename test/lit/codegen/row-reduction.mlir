// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// Short rows: a warp per row, 8 rows a block, the row cached in registers.
// CHECK-LABEL: // kernel @softmax_last entry softmax_last grid (768, 1, 1) block (256, 1, 1) shared_memory 0
// CHECK: // row mode: 6144 rows of 128
// CHECK: constexpr int ROW_THREADS = 32, ITEMS = 4;
// CHECK: const index_t base = row * 128;
// CHECK: cache[it] = x;
// CHECK: rowMax = dsc_group_max(rowMax, scratch);
// CHECK: rowSum += expf(x - rowMax);
// CHECK: rowSum = dsc_group_sum(rowSum, scratch);
// CHECK: dsc_epilogue(arg0, out0, base + j, expf(x - rowMax) / rowSum);
exec.kernel @softmax_last(%x: tensor<4x12x128x128xf16>) -> tensor<4x12x128x128xf16> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = -1 : i64} : tensor<4x12x128x128xf16> -> tensor<4x12x128x128xf16>
  exec.yield %y : tensor<4x12x128x128xf16>
}

// A middle axis: one thread per row, rows adjacent in memory.
// CHECK-LABEL: // kernel @softmax_mid entry softmax_mid grid (1, 1, 1) block (256, 1, 1)
// CHECK: // column mode: 66 rows of 10
// CHECK: const index_t base = (row / 33) * 330 + (row % 33);
// CHECK: const float x = arg0[base + j * 33];
exec.kernel @softmax_mid(%x: tensor<2x10x33xf32>) -> tensor<2x10x33xf32> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = 1 : i64} : tensor<2x10x33xf32> -> tensor<2x10x33xf32>
  exec.yield %y : tensor<2x10x33xf32>
}

// layer_norm with bias and a cast epilogue, a warp per row of 768.
// CHECK-LABEL: // kernel @ln_bias entry ln_bias grid (197, 1, 1) block (256, 1, 1)
// CHECK: const float v0 = ((float)(dsc_f16_to_f32(dsc_f32_to_f16(y))));
// CHECK-NOT: uint4
// CHECK: // row mode: 1576 rows of 768
// CHECK: constexpr int ROW_THREADS = 32, ITEMS = 24;
// CHECK: const float rowRstd = (float)1 / sqrtf(rowVar + 9.99999975e-06f);
// CHECK: (x - rowMean) * rowRstd * dsc_f16_to_f32(arg1[j]) + dsc_f16_to_f32(arg2[j])
exec.kernel @ln_bias(%x: tensor<8x197x768xf16>, %s: tensor<768xf16>, %b: tensor<768xf16>) -> tensor<8x197x768xf32> attributes {family = "row_reduction"} {
  %y = graph.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<8x197x768xf16>, tensor<768xf16>, tensor<768xf16>) -> tensor<8x197x768xf16>
  %c = graph.cast %y : tensor<8x197x768xf16> -> tensor<8x197x768xf32>
  exec.yield %c : tensor<8x197x768xf32>
}

// f16 in and out, rows of whole 16-byte vectors per lane (768 = 3 x 256):
// when the tensors are 16-byte aligned, one load and one store of 8
// elements (and one load of each parameter), the epilogue's value packed;
// the element loop otherwise.
// CHECK-LABEL: // kernel @ln_vector
// CHECK: unsigned short dsc_epilogue_value(
// CHECK: return dsc_f32_to_f16(v{{[0-9]+}});
// CHECK: out0[o] = dsc_epilogue_value(arg0, arg1, arg2, arg3, out0, o, y);
// CHECK: if (((unsigned long long)arg0 | (unsigned long long)arg1 | (unsigned long long)arg2 | (unsigned long long)out0) % 16 == 0) {
// CHECK: constexpr int VECTORS = R / 256;
// CHECK: const uint4 raw = *reinterpret_cast<const uint4*>(arg0 + base + ((index_t)lane + (index_t)it * 32) * 8);
// CHECK: rowRstd
// CHECK: const uint4 p0 = *reinterpret_cast<const uint4*>(arg1 + j0);
// CHECK: const uint4 p1 = *reinterpret_cast<const uint4*>(arg2 + j0);
// CHECK: h[e] = dsc_epilogue_value(arg0, arg1, arg2, arg3, out0, base + j, (x - rowMean) * rowRstd * dsc_f16_to_f32(reinterpret_cast<const unsigned short*>(&p0)[e]) + dsc_f16_to_f32(reinterpret_cast<const unsigned short*>(&p1)[e]));
// CHECK: *reinterpret_cast<uint4*>(out0 + base + j0) = packed;
// CHECK: return;
// CHECK: float cache[ITEMS];
exec.kernel @ln_vector(%x: tensor<4x768xf16>, %s: tensor<768xf16>, %b: tensor<768xf16>, %r: tensor<4x768xf16>) -> tensor<4x768xf16> attributes {family = "row_reduction"} {
  %y = graph.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x768xf16>, tensor<768xf16>, tensor<768xf16>) -> tensor<4x768xf16>
  %z = graph.add %y, %r : (tensor<4x768xf16>, tensor<4x768xf16>) -> tensor<4x768xf16>
  exec.yield %z : tensor<4x768xf16>
}

// layer_norm without bias over the last two dimensions.
// CHECK-LABEL: // kernel @ln_nobias
// CHECK: // row mode: 3 rows of 35
// CHECK: dsc_epilogue(arg0, arg1, out0, base + j, (x - rowMean) * rowRstd * arg1[j]);
exec.kernel @ln_nobias(%x: tensor<3x5x7xf32>, %s: tensor<5x7xf32>) -> tensor<3x5x7xf32> attributes {family = "row_reduction"} {
  %y = graph.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-6 : f32} : (tensor<3x5x7xf32>, tensor<5x7xf32>) -> tensor<3x5x7xf32>
  exec.yield %y : tensor<3x5x7xf32>
}

// reduce_mean over two non-adjacent axes keeps a strided row.
// CHECK-LABEL: // kernel @mean_02
// CHECK: // row mode: 6 rows of 20
// CHECK: const index_t base = row * 5;
// CHECK: const float x = dsc_bf16_to_f32(arg0[base + (j / 5) * 30 + (j % 5)]);
// CHECK: dsc_epilogue(arg0, out0, row, rowSum / (float)R);
exec.kernel @mean_02(%x: tensor<4x6x5xbf16>) -> tensor<6xbf16> attributes {family = "row_reduction"} {
  %y = graph.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<4x6x5xbf16> -> tensor<6xbf16>
  exec.yield %y : tensor<6xbf16>
}

// Rows longer than 1024 take a block each, combining warps in shared memory.
// CHECK-LABEL: // kernel @softmax_long entry softmax_long grid (3, 1, 1) block (256, 1, 1)
// CHECK: scratch[threadIdx.x / 32] = v;
// CHECK: constexpr int ROW_THREADS = 256, ITEMS = 20;
exec.kernel @softmax_long(%x: tensor<3x5000xf32>) -> tensor<3x5000xf32> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = 1 : i64} : tensor<3x5000xf32> -> tensor<3x5000xf32>
  exec.yield %y : tensor<3x5000xf32>
}
