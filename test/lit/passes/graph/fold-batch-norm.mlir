// RUN: dsc-opt %s -split-input-file -graph-fold-batch-norm | FileCheck %s
// RUN: dsc-opt %s -split-input-file -graph-fold-batch-norm -graph-fold-constants | FileCheck %s --check-prefix=FOLDED

// Inference BatchNormalization as the importer spells it: (conv - mean) *
// invstd * scale + beta. a = [2, 4], b = -mean * a + beta = [1, -4]: the
// filter becomes [1, 2] * a = [2, 8] and the bias [1, 1] * a + b = [3, 0].
// CHECK-LABEL: func.func @batch_norm
// CHECK: %[[FILTER:.*]] = graph.mul %{{.*}}, %{{.*}} : (tensor<2x1x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<2x1x1x1xf32>
// CHECK: %[[CONV:.*]] = graph.conv %arg0, %[[FILTER]], %{{.*}} {{.*}} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NOT: graph.sub
// CHECK-NEXT: %[[RELU:.*]] = graph.relu %[[CONV]]
// CHECK-NEXT: return %[[RELU]]
// FOLDED-LABEL: func.func @batch_norm
// FOLDED-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}8.000000e+00]]]]> : tensor<2x1x1x1xf32>
// FOLDED-DAG: %[[B:.*]] = graph.constant dense<[3.000000e+00, 0.000000e+00]> : tensor<2xf32>
// FOLDED: graph.conv %arg0, %[[W]], %[[B]]
// FOLDED-NEXT: graph.relu
func.func @batch_norm(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = graph.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = graph.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %invstd = graph.constant dense<[[[0.5]], [[2.0]]]> : tensor<2x1x1xf32>
  %scale = graph.constant dense<[[[4.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %beta = graph.constant dense<[[[3.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.sub %c, %mean : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = graph.mul %0, %invstd : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %2 = graph.mul %scale, %1 : (tensor<2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %3 = graph.add %2, %beta : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %4 = graph.relu %3 : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  return %4 : tensor<1x2x3x3xf32>
}

// -----

// No conv bias: one is made. x / [2, 4] + 1 (a scalar): filter [0.5, 0.5],
// bias [1, 1].
// FOLDED-LABEL: func.func @divide_no_bias
// FOLDED-DAG: %[[W:.*]] = graph.constant dense<5.000000e-01> : tensor<2x1x1x1xf32>
// FOLDED-DAG: %[[B:.*]] = graph.constant dense<1.000000e+00> : tensor<2xf32>
// FOLDED: %[[C:.*]] = graph.conv %arg0, %[[W]], %[[B]]
// FOLDED-NEXT: return %[[C]]
func.func @divide_no_bias(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %d = graph.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %one = graph.constant dense<1.0> : tensor<f32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.div %c, %d : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = graph.add %0, %one : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// f16: the factors are computed in f32 and rounded once.
// CHECK-LABEL: func.func @half
// CHECK: graph.mul %{{.*}}, %{{.*}} : (tensor<2x1x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<2x1x1x1xf32>
// CHECK: %[[W:.*]] = graph.cast %{{.*}} : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xf16>
// CHECK: graph.conv %arg0, %[[W]], %{{.*}} : (tensor<1x1x3x3xf16>, tensor<2x1x1x1xf16>, tensor<2xf16>)
// CHECK-NOT: graph.mul
// FOLDED-LABEL: func.func @half
// FOLDED-DAG: graph.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf16>
// FOLDED-DAG: graph.constant dense<3.000000e+00> : tensor<2xf16>
func.func @half(%x: tensor<1x1x3x3xf16>) -> tensor<1x2x3x3xf16> {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf16>
  %k = graph.constant dense<3.0> : tensor<2x1x1xf16>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf16>, tensor<2x1x1x1xf16>) -> tensor<1x2x3x3xf16>
  %0 = graph.mul %c, %k : (tensor<1x2x3x3xf16>, tensor<2x1x1xf16>) -> tensor<1x2x3x3xf16>
  %1 = graph.add %0, %k : (tensor<1x2x3x3xf16>, tensor<2x1x1xf16>) -> tensor<1x2x3x3xf16>
  return %1 : tensor<1x2x3x3xf16>
}

// -----

// Cases that must not fold: the conv result has another user; a constant
// varies along a spatial axis; c - x; a filter that is not a constant.
// CHECK-LABEL: func.func @shared_result
// CHECK: %[[C:.*]] = graph.conv
// CHECK-NEXT: %[[M:.*]] = graph.mul %[[C]]
// CHECK-NEXT: return %[[M]], %[[C]]
func.func @shared_result(%x: tensor<1x1x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %k = graph.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.mul %c, %k : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %0, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @spatial_constant
// CHECK: %[[C:.*]] = graph.conv
// CHECK-NEXT: graph.mul %[[C]]
func.func @spatial_constant(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %k = graph.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.mul %c, %k : (tensor<1x2x3x3xf32>, tensor<1x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @constant_minus_conv
// CHECK: %[[C:.*]] = graph.conv
// CHECK-NEXT: graph.sub %{{.*}}, %[[C]]
func.func @constant_minus_conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %k = graph.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.sub %k, %c : (tensor<2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @filter_argument
// CHECK: %[[C:.*]] = graph.conv %arg0, %arg1
// CHECK-NEXT: graph.mul %[[C]]
func.func @filter_argument(%x: tensor<1x1x3x3xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %k = graph.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %0 = graph.mul %c, %k : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
