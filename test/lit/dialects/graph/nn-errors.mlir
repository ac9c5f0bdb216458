// RUN: dsc-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op input has 4 channels, the filter expects 3 per group x 1 groups}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group(%x: tensor<1x8x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op filter dimension of size 6 is not a multiple of group 4}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64} : (tensor<1x8x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_attr_sizes(%x: tensor<1x3x5x5xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op expects 2 strides and dilations and 4 pads, got 2, 2 and 2}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_negative_pads(%x: tensor<1x3x5x5xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op pads must not be negative}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_types(%x: tensor<1x3x5x5xf32>, %w: tensor<6x3x3x3xf16>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op input, filter, bias and result must have one element type}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf16>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x5x5xf32>, %w: tensor<6x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op bias has 5 elements for 6 result channels}}
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv_transpose' op input has 4 channels, the filter expects 3}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv_transpose' op expects 2 output_padding values, got 1}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_rank(%x: tensor<3x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op input of rank 3 does not match 2 spatial dimensions (N x C x spatial expected)}}
  %0 = graph.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<3x7x8xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_stride(%x: tensor<1x3x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op strides must be positive}}
  %0 = graph.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x7x8xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @avg_pool_int(%x: tensor<1x3x7x8xi8>) -> tensor<*xi8> {
  // expected-error @+1 {{'graph.pool' op avg pooling needs a floating-point element type}}
  %0 = graph.pool avg %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x7x8xi8> -> tensor<*xi8>
  return %0 : tensor<*xi8>
}

// -----

func.func @lp_pool_p(%x: tensor<1x3x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op p must be positive, not 0}}
  %0 = graph.pool lp %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, p = 0 : i64} : tensor<1x3x7x8xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @indices_type(%x: tensor<1x3x7x8xf32>) -> tensor<*xi32> {
  // expected-error @+1 {{'graph.max_pool_indices' op result must hold i64 indices}}
  %0 = graph.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x7x8xf32> -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

func.func @pool_huge_pads(%x: tensor<1x3x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op strides, dilations and pads must be below 2^31 in magnitude}}
  %0 = graph.pool max %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 4611686018427387904, 0>} : tensor<1x3x7x8xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_huge_kernel(%x: tensor<1x3x7x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pool' op kernel_shape must be positive and below 2^31}}
  %0 = graph.pool max %x {kernel_shape = array<i64: 2, 4294967296>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x7x8xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Channels-last: the channels are the input's and the filter's last
// dimension.
func.func @conv_channels_last(%x: tensor<1x5x5x4xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.conv' op input has 4 channels, the filter expects 3 per group x 1 groups}}
  %0 = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x5x5x4xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
