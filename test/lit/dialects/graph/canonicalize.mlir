// RUN: dsc-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @vector_times_batch
// CHECK: %[[L:.*]] = graph.reshape %arg0 {allow_zero = true, shape = array<i64: 1, 4>} : tensor<4xf32> -> tensor<1x4xf32>
// CHECK: %[[M:.*]] = graph.matmul %[[L]], %arg1 : (tensor<1x4xf32>, tensor<2x4x3xf32>) -> tensor<2x1x3xf32>
// CHECK: graph.reshape %[[M]] {{.*}} -> tensor<2x3xf32>
func.func @vector_times_batch(%v: tensor<4xf32>, %w: tensor<2x4x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.matmul %v, %w : (tensor<4xf32>, tensor<2x4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @matrix_times_vector
// CHECK: %[[R:.*]] = graph.reshape %arg1 {allow_zero = true, shape = array<i64: 4, 1>}
// CHECK: %[[M:.*]] = graph.matmul %arg0, %[[R]] : (tensor<3x4xf32>, tensor<4x1xf32>) -> tensor<3x1xf32>
// CHECK: graph.reshape %[[M]] {{.*}} -> tensor<3xf32>
func.func @matrix_times_vector(%a: tensor<3x4xf32>, %v: tensor<4xf32>) -> tensor<3xf32> {
  %0 = graph.matmul %a, %v : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func @dot
// CHECK: graph.matmul {{.*}} : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
// CHECK: graph.reshape {{.*}} -> tensor<f32>
func.func @dot(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.matmul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @reshape_chain
// CHECK-NEXT: %[[R:.*]] = graph.reshape %arg0 {allow_zero = true, shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = graph.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = graph.unsqueeze %0 {axes = array<i64: 0>} : tensor<3x2xf32> -> tensor<1x3x2xf32>
  %2 = graph.reshape %1 {shape = array<i64: 6>} : tensor<1x3x2xf32> -> tensor<6xf32>
  return %2 : tensor<6xf32>
}

// Shape and Size fold once the input shape is static (the Shape -> Reshape
// chains of exported models).
// CHECK-LABEL: func.func @shape_and_size
// CHECK-DAG: graph.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: graph.constant dense<24> : tensor<i64>
// CHECK-NOT: graph.shape
// CHECK-NOT: graph.size
func.func @shape_and_size(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<i64>) {
  %0 = graph.shape %x {start = 1 : i64} : tensor<2x3x4xf32> -> tensor<2xi64>
  %1 = graph.size %x : tensor<2x3x4xf32> -> tensor<i64>
  return %0, %1 : tensor<2xi64>, tensor<i64>
}
