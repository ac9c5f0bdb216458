// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN
// Convolutions and pools: one thread per result element over its window,
// every size a constant; all compiled by NVRTC for sm_90 without spills.

// CHECK-LABEL: // kernel @conv_group_bias entry conv_group_bias grid (1, 1, 1) block (256, 1, 1)
// CHECK: // convolution, one thread per result element
// CHECK: typedef int idx_t;
// CHECK: const idx_t m = r % 6;
// CHECK: const idx_t g = m / 3;
// CHECK: const idx_t xc = (n * 4 + g * 2 + c) * 42;
// CHECK: const idx_t fc = (m * 2 + c) * 9;
// CHECK: const idx_t i0 = o0 * 2 - 1 + k0 * 1;
// CHECK: if (i0 < 0 || i0 >= 7) continue;
// CHECK: const idx_t i1 = o1 * 1 - 0 + k1 * 2;
// CHECK: const idx_t x1 = x0 * 6 + i1;
// CHECK: acc += (float)arg0[xc + x1] * (float)arg1[fc + w1];
// CHECK: acc += (float)arg2[m];
// CUBIN: // kernel @conv_group_bias entry conv_group_bias cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_group_bias(%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x4x2xf32> attributes {family = "data"} {
  %y = graph.conv %x, %w, %b {strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, 2, 0>, group = 2 : i64} : (tensor<2x4x7x6xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x4x2xf32>
  exec.yield %y : tensor<2x6x4x2xf32>
}

// f16 in memory, f32 accumulation.
// CHECK-LABEL: // kernel @conv_f16_3d
// CHECK: acc += (float)dsc_f16_to_f32(arg0[xc + x2]) * (float)dsc_f16_to_f32(arg1[fc + w2]);
// CHECK: out0[o] = dsc_f32_to_f16(acc);
// CUBIN: // kernel @conv_f16_3d entry conv_f16_3d cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_f16_3d(%x: tensor<1x2x4x5x3xf16>, %w: tensor<3x2x2x3x2xf16>) -> tensor<1x3x5x5x4xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x2x4x5x3xf16>, tensor<3x2x2x3x2xf16>) -> tensor<1x3x5x5x4xf16>
  exec.yield %y : tensor<1x3x5x5x4xf16>
}

// Integers accumulate in 64 bits (ConvInteger).
// CHECK-LABEL: // kernel @conv_i32
// CHECK: long long acc = 0;
// CHECK: acc += (long long)arg0[xc + x0] * (long long)arg1[fc + w0];
// CUBIN: // kernel @conv_i32 entry conv_i32 cubin
exec.kernel @conv_i32(%x: tensor<1x2x9xi32>, %w: tensor<4x2x3xi32>) -> tensor<1x4x7xi32> attributes {family = "data"} {
  %y = graph.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x2x9xi32>, tensor<4x2x3xi32>) -> tensor<1x4x7xi32>
  exec.yield %y : tensor<1x4x7xi32>
}

// Transposed: the taps whose input position is a whole stride away.
// CHECK-LABEL: // kernel @conv_transpose_bf16
// CHECK: // transposed convolution, one thread per result element
// CHECK: const idx_t fc = ((g * 2 + c) * 3 + m - g * 3) * 6;
// CHECK: const idx_t t0 = o0 + 1 - k0 * 1;
// CHECK: if (t0 < 0 || t0 % 2 != 0) continue;
// CHECK: const idx_t i0 = t0 / 2;
// CHECK: if (i0 < 0 || i0 >= 3) continue;
// CHECK: out0[o] = dsc_f32_to_bf16(acc);
// CUBIN: // kernel @conv_transpose_bf16 entry conv_transpose_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_transpose_bf16(%x: tensor<1x4x3x4xbf16>, %w: tensor<4x3x3x2xbf16>, %b: tensor<6xbf16>) -> tensor<1x6x6x12xbf16> attributes {family = "data"} {
  %y = graph.conv_transpose %x, %w, %b {strides = array<i64: 2, 3>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, 0, 1>, output_padding = array<i64: 1, 2>, group = 2 : i64} : (tensor<1x4x3x4xbf16>, tensor<4x3x3x2xbf16>, tensor<6xbf16>) -> tensor<1x6x6x12xbf16>
  exec.yield %y : tensor<1x6x6x12xbf16>
}

// CHECK-LABEL: // kernel @max_pool_u8
// CHECK: // max pooling, one thread per result element
// CHECK: long long acc = 0;
// CHECK: if (best < 0 || v > acc) {
// CHECK: out0[o] = acc;
// CUBIN: // kernel @max_pool_u8 entry max_pool_u8 cubin
exec.kernel @max_pool_u8(%x: tensor<1x2x5x5xui8>) -> tensor<1x2x2x2xui8> attributes {family = "data"} {
  %y = graph.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x5x5xui8> -> tensor<1x2x2x2xui8>
  exec.yield %y : tensor<1x2x2x2xui8>
}

// The divisor counts the padded window without the ceil_mode overhang.
// CHECK-LABEL: // kernel @avg_pool_include_pad
// CHECK: // avg pooling, one thread per result element
// CHECK: count = 1;
// CHECK: inside += i >= -1 && i < 8;
// CHECK: out0[o] = dsc_f32_to_f16(acc / (float)count);
// CUBIN: // kernel @avg_pool_include_pad entry avg_pool_include_pad cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @avg_pool_include_pad(%x: tensor<2x3x7x8xf16>) -> tensor<2x3x4x3xf16> attributes {family = "data"} {
  %y = graph.pool avg %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, ceil_mode = true, count_include_pad = true} : tensor<2x3x7x8xf16> -> tensor<2x3x4x3xf16>
  exec.yield %y : tensor<2x3x4x3xf16>
}

// CHECK-LABEL: // kernel @lp_pool_f64
// CHECK: acc += pow(fabs(v), (double)3);
// CHECK: out0[o] = pow(acc, (double)1 / (double)3);
// CUBIN: // kernel @lp_pool_f64 entry lp_pool_f64 cubin
exec.kernel @lp_pool_f64(%x: tensor<1x2x6x6xf64>) -> tensor<1x2x5x5xf64> attributes {family = "data"} {
  %y = graph.pool lp %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, p = 3 : i64} : tensor<1x2x6x6xf64> -> tensor<1x2x5x5xf64>
  exec.yield %y : tensor<1x2x5x5xf64>
}

// Column-major indices: the first spatial dimension varies fastest.
// CHECK-LABEL: // kernel @max_pool_indices_column
// CHECK: // max (indices) pooling, one thread per result element
// CHECK: best = i0 + 7 * (i1);
// CHECK: out0[o] = best < 0 ? -1LL : (long long)xc + best;
// CUBIN: // kernel @max_pool_indices_column entry max_pool_indices_column cubin
exec.kernel @max_pool_indices_column(%x: tensor<2x3x7x8xf32>) -> tensor<2x3x4x3xi64> attributes {family = "data"} {
  %y = graph.max_pool_indices %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, column_major = true} : tensor<2x3x7x8xf32> -> tensor<2x3x4x3xi64>
  exec.yield %y : tensor<2x3x4x3xi64>
}

// Channels-last: the channel varies fastest over the threads, the group's
// channels are the innermost loop of each tap (filter M x R x S x C/group).
// CHECK-LABEL: // kernel @conv_nhwc_group
// CHECK: const idx_t m = r % 6; r /= 6;
// CHECK: const idx_t o1 = r % 6; r /= 6;
// CHECK: const idx_t o0 = r % 4; r /= 4;
// CHECK: const idx_t n = r;
// CHECK: const idx_t g = m / 3;
// CHECK: const idx_t xc = (n * 42 + x1) * 4 + g * 2;
// CHECK: const idx_t fc = (m * 9 + w1) * 2;
// CHECK: for (idx_t c = 0; c < 2; ++c)
// CHECK: acc += (float)arg0[xc + c] * (float)arg1[fc + c];
// CHECK: acc += (float)arg2[m];
// CUBIN: // kernel @conv_nhwc_group entry conv_nhwc_group cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @conv_nhwc_group(%x: tensor<2x7x6x4xf32>, %w: tensor<6x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<2x4x6x6xf32> attributes {family = "data"} {
  %y = graph.conv %x, %w, %b {channels_last, strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 2, 2, 2>, group = 2 : i64} : (tensor<2x7x6x4xf32>, tensor<6x3x3x2xf32>, tensor<6xf32>) -> tensor<2x4x6x6xf32>
  exec.yield %y : tensor<2x4x6x6xf32>
}

// CHECK-LABEL: // kernel @avg_pool_nhwc_f16
// CHECK: const idx_t c = r % 5; r /= 5;
// CHECK: const idx_t xc = n * 20 * 5 + c;
// CHECK: const float v = (float)dsc_f16_to_f32(arg0[xc + x1 * 5]);
// CUBIN: // kernel @avg_pool_nhwc_f16 entry avg_pool_nhwc_f16 cubin
exec.kernel @avg_pool_nhwc_f16(%x: tensor<2x4x5x5xf16>) -> tensor<2x2x3x5xf16> attributes {family = "data"} {
  %y = graph.pool avg %x {channels_last, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<2x4x5x5xf16> -> tensor<2x2x3x5xf16>
  exec.yield %y : tensor<2x2x3x5xf16>
}

// Channels-last 16-bit max and avg pools with channels in multiples of 8:
// 8 channels per thread, one 16-byte load per tap when aligned.
// CHECK-LABEL: // kernel @max_pool_nhwc_vec
// CHECK: // max pooling, channels-last, 8 channels per thread
// CHECK: for (idx_t o = (idx_t)blockIdx.x * blockDim.x + threadIdx.x; o < (idx_t)80; o += stride) {
// CHECK: const idx_t c8 = r % 2; r /= 2;
// CHECK: const idx_t xc = n * 63 * 16 + c8 * 8;
// CHECK: const unsigned short* src = arg0 + xc + x1 * 16;
// CHECK: raw = *reinterpret_cast<const uint4*>(src);
// CHECK: if (count == 0 || f > acc[e])
// CHECK: reinterpret_cast<uint4*>(out0)[o] = packed;
// CUBIN: // kernel @max_pool_nhwc_vec entry max_pool_nhwc_vec cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0
exec.kernel @max_pool_nhwc_vec(%x: tensor<2x7x9x16xf16>) -> tensor<2x4x5x16xf16> attributes {family = "data"} {
  %y = graph.pool max %x {channels_last, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<2x7x9x16xf16> -> tensor<2x4x5x16xf16>
  exec.yield %y : tensor<2x4x5x16xf16>
}

// CHECK-LABEL: // kernel @avg_pool_nhwc_vec_bf16
// CHECK: // avg pooling, channels-last, 8 channels per thread
// CHECK: acc[e] += f;
// CHECK: count = 1;
// CHECK: acc[e] / (float)count
// CUBIN: // kernel @avg_pool_nhwc_vec_bf16 entry avg_pool_nhwc_vec_bf16 cubin
exec.kernel @avg_pool_nhwc_vec_bf16(%x: tensor<1x5x6x8xbf16>) -> tensor<1x3x3x8xbf16> attributes {family = "data"} {
  %y = graph.pool avg %x {channels_last, kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, count_include_pad = true} : tensor<1x5x6x8xbf16> -> tensor<1x3x3x8xbf16>
  exec.yield %y : tensor<1x3x3x8xbf16>
}
