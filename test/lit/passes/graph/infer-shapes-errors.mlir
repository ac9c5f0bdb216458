// RUN: dsc-opt %s -split-input-file -graph-infer-shapes -verify-diagnostics

func.func @bad_matmul(%x: tensor<4x8xf32>, %w: tensor<7x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.matmul' op contracting dimensions differ: lhs 4x8 and rhs 7x16}}
  %0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<7x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bad_reshape(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.reshape' op cannot reshape 2x3 to [4, -1]: cannot infer the -1 dimension: 6 elements do not divide into 4}}
  %0 = graph.reshape %x {shape = array<i64: 4, -1>} : tensor<2x3xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bad_squeeze(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.squeeze' op cannot squeeze axis 0 of size 2}}
  %0 = graph.squeeze %x {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @contradicts_declared(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'graph.relu' op inferred result shape 2x3 contradicts the declared shape 3x3}}
  %0 = graph.relu %x : tensor<2x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @bad_expand(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.expand' op input shape 2x3 does not broadcast to 4x1}}
  %0 = graph.expand %x {shape = array<i64: 4, 1>} : tensor<2x3xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
