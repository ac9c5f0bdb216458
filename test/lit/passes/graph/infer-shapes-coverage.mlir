// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %c: tensor<1x3xi1>) -> (tensor<*xf32>, tensor<*xi1>) {
  // CHECK: graph.math sin {{.*}} -> tensor<2x3xf32>
  %0 = graph.math sin %x : tensor<2x3xf32> -> tensor<*xf32>
  // CHECK: graph.compare ge, {{.*}} -> tensor<2x3xi1>
  %1 = graph.compare ge, %0, %y : (tensor<*xf32>, tensor<3xf32>) -> tensor<*xi1>
  // CHECK: graph.select {{.*}} -> tensor<2x3xf32>
  %2 = graph.select %c, %0, %y : (tensor<1x3xi1>, tensor<*xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %2, %1 : tensor<*xf32>, tensor<*xi1>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<*xf32>, tensor<*xi64>, tensor<*xf32>) {
  // CHECK: graph.reduce sum {{.*}} -> tensor<2x1x1xf32>
  %0 = graph.reduce sum %x {axes = array<i64: 1, -1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<*xf32>
  // CHECK: graph.arg_reduce max {{.*}} -> tensor<2x4xi64>
  %1 = graph.arg_reduce max %x {axis = 1 : i64, keepdims = false} : tensor<2x3x4xf32> -> tensor<*xi64>
  // CHECK: graph.reduce prod {{.*}} -> tensor<f32>
  %2 = graph.reduce prod %x {axes = array<i64>, keepdims = false} : tensor<2x3x4xf32> -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xi64>, tensor<*xf32>
}

// CHECK-LABEL: func.func @slices
func.func @slices(%x: tensor<10x6xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // Negative bounds count from the end; out-of-range ones are clamped.
  // CHECK: graph.slice {{.*}} -> tensor<9x6xf32>
  %0 = graph.slice %x {starts = array<i64: -9>, ends = array<i64: 1000>, axes = array<i64: 0>, steps = array<i64: 1>} : tensor<10x6xf32> -> tensor<*xf32>
  // Reversed with a step of -2: 9, 7, 5, 3, 1.
  // CHECK: graph.slice {{.*}} -> tensor<5x6xf32>
  %1 = graph.slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775807>, axes = array<i64: 0>, steps = array<i64: -2>} : tensor<10x6xf32> -> tensor<*xf32>
  // An empty slice.
  // CHECK: graph.slice {{.*}} -> tensor<10x0xf32>
  %2 = graph.slice %x {starts = array<i64: 4>, ends = array<i64: 2>, axes = array<i64: 1>, steps = array<i64: 1>} : tensor<10x6xf32> -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3xf32>, %i: tensor<4x5xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>) {
  // CHECK: graph.concat {{.*}} -> tensor<2x6xf32>
  %0 = graph.concat %x, %x {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<*xf32>
  // CHECK: graph.gather {{.*}} -> tensor<2x4x5xf32>
  %1 = graph.gather %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x5xi64>) -> tensor<*xf32>
  // CHECK: graph.expand {{.*}} -> tensor<4x2x3xf32>
  %2 = graph.expand %x {shape = array<i64: 4, 1, 1>} : tensor<2x3xf32> -> tensor<*xf32>
  // CHECK: graph.tile {{.*}} -> tensor<6x3xf32>
  %3 = graph.tile %x {repeats = array<i64: 3, 1>} : tensor<2x3xf32> -> tensor<*xf32>
  %v = graph.constant dense<0.0> : tensor<f32>
  // CHECK: graph.pad {{.*}} -> tensor<3x2xf32>
  %4 = graph.pad constant %x, %v {pads = array<i64: 1, 0, 0, -1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<*xf32>
  // CHECK: graph.shape {{.*}} -> tensor<1xi64>
  %5 = graph.shape %4 {start = -1 : i64} : tensor<*xf32> -> tensor<*xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>
}
