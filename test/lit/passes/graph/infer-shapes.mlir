// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s

// CHECK-LABEL: func.func @broadcast_and_matmul
// CHECK-SAME: -> tensor<2x4x16xf32>
func.func @broadcast_and_matmul(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<*xf32> {
  // CHECK: graph.matmul {{.*}} -> tensor<2x4x16xf32>
  %0 = graph.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<*xf32>
  // CHECK: graph.add {{.*}} -> tensor<2x4x16xf32>
  %1 = graph.add %0, %b : (tensor<*xf32>, tensor<16xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// CHECK-LABEL: func.func @vector_matmul
func.func @vector_matmul(%v: tensor<8xf32>, %w: tensor<3x8x5xf32>) -> tensor<*xf32> {
  // CHECK: graph.matmul {{.*}} -> tensor<3x5xf32>
  %0 = graph.matmul %v, %w : (tensor<8xf32>, tensor<3x8x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// CHECK-LABEL: func.func @reshapes
func.func @reshapes(%x: tensor<2x3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: graph.reshape {{.*}} -> tensor<2x12xf32>
  %0 = graph.reshape %x {shape = array<i64: 0, -1>} : tensor<2x3x4xf32> -> tensor<*xf32>
  // CHECK: graph.unsqueeze {{.*}} -> tensor<2x1x12x1xf32>
  %1 = graph.unsqueeze %0 {axes = array<i64: 1, -1>} : tensor<*xf32> -> tensor<*xf32>
  // CHECK: graph.squeeze {{.*}} -> tensor<2x12xf32>
  %2 = graph.squeeze %1 {axes = array<i64>} : tensor<*xf32> -> tensor<*xf32>
  // CHECK: graph.transpose {{.*}} -> tensor<4x2x3xf32>
  %3 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<*xf32>
  // CHECK: graph.reduce_mean {{.*}} -> tensor<4x3xf32>
  %4 = graph.reduce_mean %3 {axes = array<i64: 1>, keepdims = false} : tensor<*xf32> -> tensor<*xf32>
  return %1, %2, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// Channels-last conv and pool: N x H x W x C in and out.
// CHECK-LABEL: func.func @channels_last
func.func @channels_last(%x: tensor<2x7x6x4xf32>, %w: tensor<6x3x3x2xf32>) -> tensor<*xf32> {
  // CHECK: graph.conv {{.*}} -> tensor<2x4x6x6xf32>
  %0 = graph.conv %x, %w {channels_last, strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 2, 2, 2>, group = 2 : i64} : (tensor<2x7x6x4xf32>, tensor<6x3x3x2xf32>) -> tensor<*xf32>
  // CHECK: graph.pool max {{.*}} -> tensor<2x2x3x6xf32>
  %1 = graph.pool max %0 {channels_last, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
