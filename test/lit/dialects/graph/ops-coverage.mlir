// RUN: dsc-opt %s | dsc-opt | FileCheck %s

// CHECK-LABEL: func.func @math_and_logic
func.func @math_and_logic(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<2x3xi32>) -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xi1>) {
  // CHECK: graph.math floor %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %0 = graph.math floor %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.math atanh %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = graph.math atanh %0 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = graph.mod %1, %y {fmod = true} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.compare lt, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = graph.compare lt, %2, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = graph.select %3, %2, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.bitwise shl, %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %5 = graph.bitwise shl, %i, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: graph.not %{{.*}} : tensor<2x3xi1> -> tensor<2x3xi1>
  %6 = graph.not %3 : tensor<2x3xi1> -> tensor<2x3xi1>
  // CHECK: graph.mod %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %7 = graph.mod %5, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %4, %7, %6 : tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x4xf32>, tensor<2x1x4xi64>, tensor<2x3x4xf32>) {
  // CHECK: graph.reduce max %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %0 = graph.reduce max %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: graph.arg_reduce min %{{.*}} {axis = 1 : i64, keepdims = true, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  %1 = graph.arg_reduce min %x {axis = 1 : i64, keepdims = true, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  // CHECK: graph.cumsum %{{.*}} {axis = -1 : i64, reverse = true}
  %2 = graph.cumsum %x {axis = -1 : i64, reverse = true} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: graph.log_softmax %{{.*}} {axis = 2 : i64}
  %3 = graph.log_softmax %2 {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: graph.hardmax %{{.*}} {axis = 0 : i64}
  %4 = graph.hardmax %3 {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0, %1, %4 : tensor<2x4xf32>, tensor<2x1x4xi64>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3xf32>, %idx: tensor<4xi64>, %e: tensor<2x2xi64>) -> (tensor<4x3xf32>, tensor<2x3xf32>, tensor<3xi64>) {
  // CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %0 = graph.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // CHECK: graph.slice %{{.*}} {axes = array<i64: 1>, ends = array<i64: -1>, starts = array<i64: 0>, steps = array<i64: 2>}
  %1 = graph.slice %0 {starts = array<i64: 0>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x1xf32>
  // CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  %2 = graph.gather %0, %idx {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  // CHECK: graph.gather_elements
  %3 = graph.gather_elements %x, %e {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  // CHECK: graph.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = #graph.scatter_reduction<add>}
  %4 = graph.scatter_elements %x, %e, %3 {axis = 1 : i64, reduction = #graph.scatter_reduction<add>} : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>) -> tensor<2x3xf32>
  // CHECK: graph.expand %{{.*}} {shape = array<i64: 2, 1, 3>}
  %5 = graph.expand %4 {shape = array<i64: 2, 1, 3>} : tensor<2x3xf32> -> tensor<2x2x3xf32>
  // CHECK: graph.tile %{{.*}} {repeats = array<i64: 1, 2, 1>}
  %6 = graph.tile %5 {repeats = array<i64: 1, 2, 1>} : tensor<2x2x3xf32> -> tensor<2x4x3xf32>
  %zero = graph.constant dense<0.0> : tensor<f32>
  // CHECK: graph.pad reflect %{{.*}}, %{{.*}} {pads = array<i64: 0, 1, 0, 0, 1, 0>}
  %7 = graph.pad reflect %6, %zero {pads = array<i64: 0, 1, 0, 0, 1, 0>} : (tensor<2x4x3xf32>, tensor<f32>) -> tensor<2x6x3xf32>
  // CHECK: graph.trilu %{{.*}} {k = 1 : i64, upper = false}
  %8 = graph.trilu %x {upper = false, k = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.shape %{{.*}} {start = 1 : i64} : tensor<2x6x3xf32> -> tensor<2xi64>
  %9 = graph.shape %7 {start = 1 : i64} : tensor<2x6x3xf32> -> tensor<2xi64>
  // CHECK: graph.size %{{.*}} : tensor<2x6x3xf32> -> tensor<i64>
  %10 = graph.size %7 : tensor<2x6x3xf32> -> tensor<i64>
  %11 = graph.reshape %10 {shape = array<i64: 1>} : tensor<i64> -> tensor<1xi64>
  %12 = graph.concat %9, %11 {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %2, %8, %12 : tensor<4x3xf32>, tensor<2x3xf32>, tensor<3xi64>
}
