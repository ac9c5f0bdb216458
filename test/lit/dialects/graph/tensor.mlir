// RUN: dsc-opt %s | dsc-opt | FileCheck %s
// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s --check-prefix=SHAPES

// CHECK-LABEL: func.func @resize
// SHAPES-LABEL: func.func @resize
func.func @resize(%x: tensor<1x1x2x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // CHECK: graph.resize linear %{{.*}} {coordinates = #graph.resize_coordinates<align_corners>, nearest_mode = #graph.resize_nearest_mode<round_prefer_floor>, roi = array<f64>, scales = array<f64: 1.000000e+00, 1.000000e+00, 6.000000e-01, 6.000000e-01>, sizes = array<i64: 1, 1, 1, 2>}
  // SHAPES: graph.resize linear {{.*}} -> tensor<1x1x1x2xf32>
  %0 = graph.resize linear %x {coordinates = #graph.resize_coordinates<align_corners>, nearest_mode = #graph.resize_nearest_mode<round_prefer_floor>, roi = array<f64>, scales = array<f64: 1.0, 1.0, 0.6, 0.6>, sizes = array<i64: 1, 1, 1, 2>} : tensor<1x1x2x4xf32> -> tensor<*xf32>
  // CHECK: graph.resize cubic %{{.*}} {{{.*}}cubic_coeff_a = -5.000000e-01 : f64, exclude_outside = true, extrapolation_value = 1.000000e+01 : f64
  // SHAPES: graph.resize cubic {{.*}} -> tensor<1x1x3x3xf32>
  %1 = graph.resize cubic %x {coordinates = #graph.resize_coordinates<tf_crop_and_resize>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 0.6, 0.8>, scales = array<f64: 1.0, 1.0, 1.5, 0.75>, sizes = array<i64: 1, 1, 3, 3>, cubic_coeff_a = -0.5 : f64, exclude_outside = true, extrapolation_value = 10.0 : f64} : tensor<1x1x2x4xf32> -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// CHECK-LABEL: func.func @topk
// SHAPES-LABEL: func.func @topk
func.func @topk(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  // CHECK: graph.topk %{{.*}} {axis = -1 : i64, k = 2 : i64, largest = false} : tensor<3x4xf32> -> tensor<*xf32>, tensor<*xi64>
  // SHAPES: graph.topk {{.*}} -> tensor<3x2xf32>, tensor<3x2xi64>
  %values, %indices = graph.topk %x {axis = -1 : i64, k = 2 : i64, largest = false} : tensor<3x4xf32> -> tensor<*xf32>, tensor<*xi64>
  return %values, %indices : tensor<*xf32>, tensor<*xi64>
}

// CHECK-LABEL: func.func @gather_scatter_nd
// SHAPES-LABEL: func.func @gather_scatter_nd
func.func @gather_scatter_nd(%x: tensor<2x3x4xf32>, %i: tensor<2x5x1xi64>, %j: tensor<6x2xi32>, %u: tensor<6x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // CHECK: graph.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<*xf32>
  // SHAPES: graph.gather_nd {{.*}} -> tensor<2x5x4xf32>
  %0 = graph.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<*xf32>
  // CHECK: graph.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = #graph.scatter_reduction<max>} : (tensor<2x3x4xf32>, tensor<6x2xi32>, tensor<6x4xf32>) -> tensor<*xf32>
  // SHAPES: graph.scatter_nd {{.*}} -> tensor<2x3x4xf32>
  %1 = graph.scatter_nd %x, %j, %u {reduction = #graph.scatter_reduction<max>} : (tensor<2x3x4xf32>, tensor<6x2xi32>, tensor<6x4xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}
