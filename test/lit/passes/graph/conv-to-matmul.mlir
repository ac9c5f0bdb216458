// RUN: dsc-opt %s -graph-conv-to-matmul -split-input-file | FileCheck %s
// RUN: dsc-opt %s -graph-conv-to-matmul -graph-sink-reshapes -split-input-file | FileCheck %s --check-prefix=SINK

// A channels-last 1x1 conv (stride 1, no padding, group 1) is a GEMM of the
// 2*5*7 = 70 pixels by 16 channels: the input reshaped, the filter reshaped
// and transposed to [C, M], the bias added to the product, the result
// reshaped back.
// CHECK-LABEL: func.func @pointwise
// CHECK-NEXT: %[[X:.*]] = graph.reshape %arg0 {allow_zero = true, shape = array<i64: 70, 16>} : tensor<2x5x7x16xf32> -> tensor<70x16xf32>
// CHECK-NEXT: %[[F:.*]] = graph.reshape %arg1 {allow_zero = true, shape = array<i64: 24, 16>} : tensor<24x1x1x16xf32> -> tensor<24x16xf32>
// CHECK-NEXT: %[[W:.*]] = graph.transpose %[[F]] {perm = array<i64: 1, 0>} : tensor<24x16xf32> -> tensor<16x24xf32>
// CHECK-NEXT: %[[P:.*]] = graph.matmul %[[X]], %[[W]] : (tensor<70x16xf32>, tensor<16x24xf32>) -> tensor<70x24xf32>
// CHECK-NEXT: %[[B:.*]] = graph.add %[[P]], %arg2 : (tensor<70x24xf32>, tensor<24xf32>) -> tensor<70x24xf32>
// CHECK-NEXT: %[[Y:.*]] = graph.reshape %[[B]] {allow_zero = true, shape = array<i64: 2, 5, 7, 24>} : tensor<70x24xf32> -> tensor<2x5x7x24xf32>
// CHECK-NEXT: %[[A:.*]] = graph.add %[[Y]], %arg3
// CHECK-NOT: graph.conv
// The residual add and ReLU then move onto the product (its epilogue), the
// residual reshaped to it.
// SINK-LABEL: func.func @pointwise
// SINK: %[[P:.*]] = graph.matmul
// SINK-NEXT: %[[B:.*]] = graph.add %[[P]], %arg2 : (tensor<70x24xf32>, tensor<24xf32>) -> tensor<70x24xf32>
// SINK-NEXT: %[[R:.*]] = graph.reshape %arg3 {{.*}} : tensor<2x5x7x24xf32> -> tensor<70x24xf32>
// SINK-NEXT: %[[A:.*]] = graph.add %[[B]], %[[R]] : (tensor<70x24xf32>, tensor<70x24xf32>) -> tensor<70x24xf32>
// SINK-NEXT: %[[Y:.*]] = graph.relu %[[A]] : tensor<70x24xf32> -> tensor<70x24xf32>
// SINK-NEXT: %[[O:.*]] = graph.reshape %[[Y]] {{.*}} : tensor<70x24xf32> -> tensor<2x5x7x24xf32>
// SINK-NEXT: return %[[O]]
func.func @pointwise(%x: tensor<2x5x7x16xf32>, %w: tensor<24x1x1x16xf32>, %b: tensor<24xf32>, %r: tensor<2x5x7x24xf32>) -> tensor<2x5x7x24xf32> {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<2x5x7x16xf32>, tensor<24x1x1x16xf32>, tensor<24xf32>) -> tensor<2x5x7x24xf32>
  %a = graph.add %c, %r : (tensor<2x5x7x24xf32>, tensor<2x5x7x24xf32>) -> tensor<2x5x7x24xf32>
  %y = graph.relu %a : tensor<2x5x7x24xf32> -> tensor<2x5x7x24xf32>
  return %y : tensor<2x5x7x24xf32>
}

// -----

// f16 without a bias: no add.
// CHECK-LABEL: func.func @no_bias_f16
// CHECK: %[[P:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<9x8xf16>, tensor<8x3xf16>) -> tensor<9x3xf16>
// CHECK-NEXT: %[[Y:.*]] = graph.reshape %[[P]] {allow_zero = true, shape = array<i64: 1, 3, 3, 3>} : tensor<9x3xf16> -> tensor<1x3x3x3xf16>
// CHECK-NEXT: return %[[Y]]
func.func @no_bias_f16(%x: tensor<1x3x3x8xf16>, %w: tensor<3x1x1x8xf16>) -> tensor<1x3x3x3xf16> {
  %c = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x3x8xf16>, tensor<3x1x1x8xf16>) -> tensor<1x3x3x3xf16>
  return %c : tensor<1x3x3x3xf16>
}

// -----

// Not GEMMs as they stand: a 1x1 conv with stride 2 (it skips pixels), with
// padding (zero rows), grouped, channels-first, a 3x1 filter, and an
// integer conv (ConvInteger accumulates exactly).
// CHECK-LABEL: func.func @kept
// CHECK-NOT: graph.matmul
// CHECK-COUNT-6: graph.conv
// CHECK-NOT: graph.matmul
func.func @kept(%x: tensor<1x4x4x8xf32>, %w: tensor<8x1x1x8xf32>, %g: tensor<8x1x1x4xf32>, %xc: tensor<1x8x4x4xf32>, %wc: tensor<8x8x1x1xf32>, %t: tensor<8x3x1x8xf32>, %xi: tensor<1x4x4x8xi32>, %wi: tensor<8x1x1x8xi32>) -> (tensor<1x2x2x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>, tensor<1x2x4x8xf32>, tensor<1x4x4x8xi32>) {
  %0 = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>) -> tensor<1x2x2x8xf32>
  %1 = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>) -> tensor<1x6x6x8xf32>
  %2 = graph.conv %x, %g {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x4x8xf32>, tensor<8x1x1x4xf32>) -> tensor<1x4x4x8xf32>
  %3 = graph.conv %xc, %wc {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %4 = graph.conv %x, %t {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x4x8xf32>, tensor<8x3x1x8xf32>) -> tensor<1x2x4x8xf32>
  %5 = graph.conv %xi, %wi {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x4x8xi32>, tensor<8x1x1x8xi32>) -> tensor<1x4x4x8xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x2x2x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>, tensor<1x2x4x8xf32>, tensor<1x4x4x8xi32>
}
