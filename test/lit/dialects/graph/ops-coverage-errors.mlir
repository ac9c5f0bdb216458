// RUN: dsc-opt %s -split-input-file -verify-diagnostics

func.func @math_on_integers(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{'graph.math' op 'sin' is not defined on 'i32'}}
  %0 = graph.math sin %x : tensor<2xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @float_mod_without_fmod(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.mod' op on floating-point operands requires fmod}}
  %0 = graph.mod %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @compare_result_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.compare' op result element type must be i1, not 'f32'}}
  %0 = graph.compare eq, %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @bitwise_on_floats(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.bitwise' op operands must be integers, not 'f32'}}
  %0 = graph.bitwise and, %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @shift_booleans(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{'graph.bitwise' op cannot shift booleans}}
  %0 = graph.bitwise shl, %x, %x : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @select_condition(%c: tensor<2xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.select' op condition must be i1, not 'f32'}}
  %0 = graph.select %c, %x, %x : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.reduce' op axis 2 is out of range for rank 2}}
  %0 = graph.reduce sum %x {axes = array<i64: 2>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_repeated_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.reduce' op axis -1 appears twice}}
  %0 = graph.reduce sum %x {axes = array<i64: 1, -1>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @arg_reduce_kind(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'graph.arg_reduce' op kind must be max or min, not sum}}
  %0 = graph.arg_reduce sum %x {axis = 1 : i64, keepdims = false} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @arg_reduce_type(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'graph.arg_reduce' op result element type must be i64, not 'i32'}}
  %0 = graph.arg_reduce max %x {axis = 1 : i64, keepdims = false} : tensor<2x3xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @concat_ranks(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.concat' op inputs have different ranks 2 and 1}}
  %0 = graph.concat %x, %y {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_lengths(%x: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.slice' op starts, ends, axes and steps must have the same length}}
  %0 = graph.slice %x {starts = array<i64: 0>, ends = array<i64: 1, 2>, axes = array<i64: 0>, steps = array<i64: 1>} : tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_zero_step(%x: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.slice' op steps must not be 0}}
  %0 = graph.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, axes = array<i64: 0>, steps = array<i64: 0>} : tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_indices(%x: tensor<4xf32>, %i: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.gather' op indices must be i32 or i64, not 'f32'}}
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<4xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_elements_rank(%x: tensor<4x2xf32>, %i: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.gather_elements' op indices have rank 1 but the input has rank 2}}
  %0 = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<4x2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @tile_repeats(%x: tensor<4x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.tile' op has 1 repeats but the input has rank 2}}
  %0 = graph.tile %x {repeats = array<i64: 2>} : tensor<4x2xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_count(%x: tensor<4x2xf32>, %v: tensor<f32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.pad' op has 2 pads but the input has rank 2 (expected 4)}}
  %0 = graph.pad constant %x, %v {pads = array<i64: 1, 1>} : (tensor<4x2xf32>, tensor<f32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.trilu' op input must have rank at least 2}}
  %0 = graph.trilu %x {upper = true, k = 0 : i64} : tensor<4xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @shape_type(%x: tensor<4xf32>) -> tensor<*xi32> {
  // expected-error @+1 {{'graph.shape' op result element type must be i64}}
  %0 = graph.shape %x : tensor<4xf32> -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

func.func @log_softmax_axis(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.log_softmax' op axis 1 is out of range for rank 1}}
  %0 = graph.log_softmax %x {axis = 1 : i64} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
