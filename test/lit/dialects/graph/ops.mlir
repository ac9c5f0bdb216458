// RUN: dsc-opt %s | dsc-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.gelu %{{.*}} {approximate = #graph.gelu_approximation<tanh>}
  %1 = graph.gelu %0 {approximate = #graph.gelu_approximation<tanh>} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf16>
  %2 = graph.cast %1 : tensor<2x3xf32> -> tensor<2x3xf16>
  %3 = graph.cast %2 : tensor<2x3xf16> -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // CHECK: graph.constant dense<1.000000e+00> : tensor<16xf32>
  %s = graph.constant dense<1.0> : tensor<16xf32>
  // CHECK: graph.matmul
  %0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  // CHECK: graph.layer_norm %{{.*}}, %{{.*}} {axis = -1 : i64, epsilon = 9.99999974E-6 : f32}
  %1 = graph.layer_norm %0, %s {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  // CHECK: graph.softmax %{{.*}} {axis = 1 : i64}
  %2 = graph.softmax %1 {axis = 1 : i64} : tensor<4x16xf32> -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>) -> tensor<4x1x6xf32> {
  // CHECK: graph.transpose %{{.*}} {perm = array<i64: 2, 0, 1>}
  %0 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: graph.reshape %{{.*}} {shape = array<i64: 0, -1>}
  %1 = graph.reshape %0 {shape = array<i64: 0, -1>} : tensor<4x2x3xf32> -> tensor<4x6xf32>
  // CHECK: graph.unsqueeze %{{.*}} {axes = array<i64: 1>}
  %2 = graph.unsqueeze %1 {axes = array<i64: 1>} : tensor<4x6xf32> -> tensor<4x1x6xf32>
  // CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: -1>, keepdims = true}
  %3 = graph.reduce_mean %2 {axes = array<i64: -1>, keepdims = true} : tensor<4x1x6xf32> -> tensor<4x1x1xf32>
  %4 = graph.sub %2, %3 : (tensor<4x1x6xf32>, tensor<4x1x1xf32>) -> tensor<4x1x6xf32>
  return %4 : tensor<4x1x6xf32>
}

// CHECK-LABEL: func.func @fusion
func.func @fusion(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // CHECK: graph.fusion elementwise anchor("none") (%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>):
  // CHECK-NEXT: %[[S:.*]] = graph.add %[[X]], %[[B]]
  // CHECK-NEXT: %[[R:.*]] = graph.relu %[[S]]
  // CHECK-NEXT: graph.yield %[[R]] : tensor<4x8xf32>
  %0 = graph.fusion elementwise anchor("none") (%x, %b : tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a0: tensor<4x8xf32>, %a1: tensor<8xf32>):
    %s = graph.add %a0, %a1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %r = graph.relu %s : tensor<4x8xf32> -> tensor<4x8xf32>
    graph.yield %r : tensor<4x8xf32>
  }
  return %0 : tensor<4x8xf32>
}
