// RUN: dsc-opt %s -split-input-file -verify-diagnostics

func.func @resize_scales(%x: tensor<2x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.resize' op has 2 sizes but 1 scales}}
  %0 = graph.resize nearest %x {coordinates = #graph.resize_coordinates<asymmetric>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 2.0>, sizes = array<i64: 4, 8>} : tensor<2x4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_rank(%x: tensor<2x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.resize' op has 1 sizes but the input has rank 2}}
  %0 = graph.resize nearest %x {coordinates = #graph.resize_coordinates<asymmetric>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 2.0>, sizes = array<i64: 4>} : tensor<2x4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_crop_without_roi(%x: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.resize' op tf_crop_and_resize needs a roi}}
  %0 = graph.resize linear %x {coordinates = #graph.resize_coordinates<tf_crop_and_resize>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 2.0>, sizes = array<i64: 8>} : tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_negative_scale(%x: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.resize' op scale -2.000000e+00 is not positive}}
  %0 = graph.resize linear %x {coordinates = #graph.resize_coordinates<asymmetric>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: -2.0>, sizes = array<i64: 8>} : tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_linear_integers(%x: tensor<4xi32>) -> tensor<*xi32> {
  // expected-error @+1 {{'graph.resize' op interpolates floating-point tensors only, not 'i32'}}
  %0 = graph.resize linear %x {coordinates = #graph.resize_coordinates<asymmetric>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 2.0>, sizes = array<i64: 8>} : tensor<4xi32> -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

func.func @topk_too_large(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  // expected-error @+1 {{'graph.topk' op k 5 exceeds the dimension of size 4}}
  %v, %i = graph.topk %x {axis = 1 : i64, k = 5 : i64} : tensor<3x4xf32> -> tensor<*xf32>, tensor<*xi64>
  return %v, %i : tensor<*xf32>, tensor<*xi64>
}

// -----

func.func @topk_axis(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  // expected-error @+1 {{'graph.topk' op axis 2 is out of range for rank 2}}
  %v, %i = graph.topk %x {axis = 2 : i64, k = 1 : i64} : tensor<3x4xf32> -> tensor<*xf32>, tensor<*xi64>
  return %v, %i : tensor<*xf32>, tensor<*xi64>
}

// -----

func.func @topk_indices_type(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xi32>) {
  // expected-error @+1 {{'graph.topk' op indices must be i64, not 'i32'}}
  %v, %i = graph.topk %x {axis = 1 : i64, k = 1 : i64} : tensor<3x4xf32> -> tensor<*xf32>, tensor<*xi32>
  return %v, %i : tensor<*xf32>, tensor<*xi32>
}

// -----

func.func @gather_nd_tuple(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.gather_nd' op index tuples of length 3 do not fit an input of rank 2 with 0 batch dimensions}}
  %0 = graph.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_nd_batch(%x: tensor<2x3xf32>, %i: tensor<3x1xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.gather_nd' op batch dimension 0 differs: 2 in the input, 3 in the indices}}
  %0 = graph.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_nd_index_type(%x: tensor<2x3xf32>, %i: tensor<3x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.gather_nd' op indices must be i32 or i64, not 'f32'}}
  %0 = graph.gather_nd %x, %i : (tensor<2x3xf32>, tensor<3x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @scatter_nd_updates(%x: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.scatter_nd' op updates shape 2x3 differs from the expected 2x4}}
  %0 = graph.scatter_nd %x, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
