// RUN: dsc-opt %s -split-input-file -graph-infer-shapes -verify-diagnostics

func.func @conv_window_too_large(%x: tensor<1x3x2x5xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op window of extent 3 does not fit spatial dimension 0 of size 2 with pads 0 and 0}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x2x5xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_window_too_large(%x: tensor<1x3x7x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op window of extent 5 does not fit spatial dimension 1 of size 2 with pads 1 and 1}}
  %0 = graph.pool max %x {kernel_shape = array<i64: 2, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 0, 1, 0, 1>} : tensor<1x3x7x2xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
