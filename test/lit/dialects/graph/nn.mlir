// RUN: dsc-opt %s | dsc-opt | FileCheck %s
// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s --check-prefix=SHAPES

// CHECK-LABEL: func.func @conv
// SHAPES-LABEL: func.func @conv
func.func @conv(%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<*xf32> {
  // CHECK: graph.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 2>, group = 2 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 1>}
  // (7 + 1 + 2 - 3) / 2 + 1 = 4 and (6 + 0 + 1 - 5) / 1 + 1 = 3.
  // SHAPES: graph.conv {{.*}} -> tensor<2x6x4x3xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, 2, 1>, group = 2 : i64} : (tensor<2x4x7x6xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// CHECK-LABEL: func.func @conv_no_bias_dynamic
// SHAPES-LABEL: func.func @conv_no_bias_dynamic
func.func @conv_no_bias_dynamic(%x: tensor<?x3x?xf16>, %w: tensor<5x3x4xf16>) -> tensor<*xf16> {
  // CHECK: graph.conv %{{.*}}, %{{.*}} {dilations
  // SHAPES: graph.conv {{.*}} -> tensor<?x5x?xf16>
  %0 = graph.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, group = 1 : i64} : (tensor<?x3x?xf16>, tensor<5x3x4xf16>) -> tensor<*xf16>
  return %0 : tensor<*xf16>
}

// CHECK-LABEL: func.func @conv_transpose
// SHAPES-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<1x4x3x4xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<*xf32> {
  // CHECK: graph.conv_transpose %{{.*}}, %{{.*}} {dilations = array<i64: 1, 2>, group = 2 : i64, output_padding = array<i64: 1, 2>, pads = array<i64: 1, 0, -1, 1>, strides = array<i64: 2, 3>}
  // 2 * 2 + 1 + 3 - 1 + 1 = 8 and 3 * 3 + 2 + 3 - 0 - 1 = 13.
  // SHAPES: graph.conv_transpose {{.*}} -> tensor<1x6x8x13xf32>
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 2, 3>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, -1, 1>, output_padding = array<i64: 1, 2>, group = 2 : i64} : (tensor<1x4x3x4xf32>, tensor<4x3x3x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// CHECK-LABEL: func.func @pools
// SHAPES-LABEL: func.func @pools
func.func @pools(%x: tensor<2x3x7x8xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xi64>, tensor<*xf32>) {
  // CHECK: graph.pool max %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 2>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>}
  // ceil((7 + 2 - 3) / 2) + 1 = 4, ceil((8 + 1 - 2) / 3) + 1 = 4, but the
  // last column window would start at 9 >= 8 + 0, in the padding: 3.
  // SHAPES: graph.pool max {{.*}} -> tensor<2x3x4x3xf32>
  %0 = graph.pool max %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, ceil_mode = true} : tensor<2x3x7x8xf32> -> tensor<*xf32>
  // CHECK: graph.pool avg %{{.*}} {count_include_pad = true
  // SHAPES: graph.pool avg {{.*}} -> tensor<2x3x4x3xf32>
  %1 = graph.pool avg %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, count_include_pad = true} : tensor<2x3x7x8xf32> -> tensor<*xf32>
  // CHECK: graph.max_pool_indices %{{.*}} {column_major = true
  // SHAPES: graph.max_pool_indices {{.*}} -> tensor<2x3x4x3xi64>
  %2 = graph.max_pool_indices %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, column_major = true} : tensor<2x3x7x8xf32> -> tensor<*xi64>
  // CHECK: graph.pool lp %{{.*}} {{{.*}}p = 3 : i64
  // SHAPES: graph.pool lp {{.*}} -> tensor<2x3x1x1xf32>
  %3 = graph.pool lp %x {kernel_shape = array<i64: 7, 8>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, p = 3 : i64} : tensor<2x3x7x8xf32> -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xi64>, tensor<*xf32>
}
