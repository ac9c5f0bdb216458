// RUN: dsc-opt %s -split-input-file -graph-convert-layout | FileCheck %s

// A small CNN: one transpose at the input, every conv and pool channels-last,
// the relu, the residual add and the per-channel constant on N x H x W x C,
// the global mean over axes 1 and 2; transposes that only move ones (the
// constant's, the one before the flatten) are reshapes.
// CHECK-LABEL: func.func @cnn
// CHECK: %[[X:.*]] = graph.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : tensor<2x8x6x6xf32> -> tensor<2x6x6x8xf32>
// CHECK: %[[W1:.*]] = graph.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : tensor<8x8x3x3xf32> -> tensor<8x3x3x8xf32>
// CHECK: %[[C1:.*]] = graph.conv %[[X]], %[[W1]] {channels_last, {{.*}}} : (tensor<2x6x6x8xf32>, tensor<8x3x3x8xf32>) -> tensor<2x6x6x8xf32>
// CHECK: %[[R:.*]] = graph.relu %[[C1]] : tensor<2x6x6x8xf32> -> tensor<2x6x6x8xf32>
// CHECK: %[[K:.*]] = graph.reshape %{{.*}} : tensor<8x1x1xf32> -> tensor<1x8x1x1xf32>
// CHECK: %[[KT:.*]] = graph.reshape %[[K]] {{.*}} : tensor<1x8x1x1xf32> -> tensor<1x1x1x8xf32>
// CHECK: %[[M:.*]] = graph.mul %[[R]], %[[KT]] : (tensor<2x6x6x8xf32>, tensor<1x1x1x8xf32>) -> tensor<2x6x6x8xf32>
// CHECK: %[[C2:.*]] = graph.conv %[[M]], %{{.*}} {channels_last, {{.*}}} : (tensor<2x6x6x8xf32>, tensor<8x3x3x8xf32>) -> tensor<2x6x6x8xf32>
// CHECK: %[[A:.*]] = graph.add %[[C2]], %[[R]] : (tensor<2x6x6x8xf32>, tensor<2x6x6x8xf32>) -> tensor<2x6x6x8xf32>
// CHECK: %[[P:.*]] = graph.pool max %[[A]] {channels_last, {{.*}}} : tensor<2x6x6x8xf32> -> tensor<2x3x3x8xf32>
// CHECK: %[[MEAN:.*]] = graph.reduce_mean %[[P]] {axes = array<i64: 1, 2>, keepdims = true} : tensor<2x3x3x8xf32> -> tensor<2x1x1x8xf32>
// CHECK-NOT: graph.transpose
// CHECK: %[[V:.*]] = graph.reshape %[[MEAN]] {{.*}} : tensor<2x1x1x8xf32> -> tensor<2x8x1x1xf32>
// CHECK: %[[F:.*]] = graph.reshape %[[V]] {{.*}} : tensor<2x8x1x1xf32> -> tensor<2x8xf32>
// CHECK: return %[[F]]
func.func @cnn(%x: tensor<2x8x6x6xf32>) -> tensor<2x8xf32> {
  %w1 = graph.constant dense<0.5> : tensor<8x8x3x3xf32>
  %w2 = graph.constant dense<0.25> : tensor<8x8x3x3xf32>
  %k = graph.constant dense<2.0> : tensor<8x1x1xf32>
  %c1 = graph.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<2x8x6x6xf32>
  %r = graph.relu %c1 : tensor<2x8x6x6xf32> -> tensor<2x8x6x6xf32>
  %m = graph.mul %r, %k : (tensor<2x8x6x6xf32>, tensor<8x1x1xf32>) -> tensor<2x8x6x6xf32>
  %c2 = graph.conv %m, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<2x8x6x6xf32>
  %a = graph.add %c2, %r : (tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>) -> tensor<2x8x6x6xf32>
  %p = graph.pool max %a {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<2x8x6x6xf32> -> tensor<2x8x3x3xf32>
  %mean = graph.reduce_mean %p {axes = array<i64: 2, 3>, keepdims = true} : tensor<2x8x3x3xf32> -> tensor<2x8x1x1xf32>
  %f = graph.reshape %mean {shape = array<i64: 2, 8>} : tensor<2x8x1x1xf32> -> tensor<2x8xf32>
  return %f : tensor<2x8xf32>
}

// -----

// A conv result that is returned, and a graph input added to one: the
// transposes stay at those boundaries.
// CHECK-LABEL: func.func @boundary
// CHECK: %[[C:.*]] = graph.conv %{{.*}} {channels_last, {{.*}}} : (tensor<1x5x5x16xf32>, tensor<16x1x1x16xf32>) -> tensor<1x5x5x16xf32>
// CHECK: %[[T:.*]] = graph.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x5x5x16xf32> -> tensor<1x16x5x5xf32>
// CHECK: %[[A:.*]] = graph.add %[[T]], %arg1 : (tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
// CHECK: return %[[T]], %[[A]]
func.func @boundary(%x: tensor<1x16x5x5xf32>, %y: tensor<1x16x5x5xf32>) -> (tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32>) {
  %w = graph.constant dense<0.5> : tensor<16x16x1x1xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x5x5xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x5x5xf32>
  %a = graph.add %c, %y : (tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  return %c, %a : tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32>
}

// -----

// No conv has a multiple of 8 input channels (nor group 1): nothing changes.
// CHECK-LABEL: func.func @does_not_pay
// CHECK-NOT: channels_last
// CHECK-NOT: graph.transpose
func.func @does_not_pay(%x: tensor<1x3x5x5xf32>, %z: tensor<1x8x5x5xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x8x5x5xf32>) {
  %w = graph.constant dense<0.5> : tensor<4x3x1x1xf32>
  %d = graph.constant dense<0.5> : tensor<8x1x3x3xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x5x5xf32>
  %e = graph.conv %z, %d {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x5x5xf32>
  return %c, %e : tensor<1x4x5x5xf32>, tensor<1x8x5x5xf32>
}
