// RUN: dsc-translate --exec-to-cuda %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'exec.kernel' op data kernel body must be one op}}
exec.kernel @two_ops(%x: tensor<2x3xf32>) -> tensor<3x2xf32> attributes {family = "data"} {
  %t = graph.tile %x {repeats = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %y = graph.transpose %t {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  exec.yield %y : tensor<3x2xf32>
}

// -----

// A transpose takes a pad of its result, nothing else.
// expected-error @+1 {{'exec.kernel' op a data kernel of two ops must be a transpose and the pad of its result, which it yields}}
exec.kernel @transpose_tile(%x: tensor<2x3xf32>) -> tensor<3x2xf32> attributes {family = "data"} {
  %t = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = graph.tile %t {repeats = array<i64: 1, 1>} : tensor<3x2xf32> -> tensor<3x2xf32>
  exec.yield %y : tensor<3x2xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op a data kernel of two ops must be a transpose and the pad of its result, which it yields}}
exec.kernel @transpose_pad_yields_transpose(%x: tensor<2x3xf32>, %v: tensor<f32>) -> tensor<3x2xf32> attributes {family = "data"} {
  %t = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = graph.pad constant %t, %v {pads = array<i64: 0, 0, 0, 1>} : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x3xf32>
  exec.yield %t : tensor<3x2xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op a transpose takes constant pads only}}
exec.kernel @transpose_reflect_pad(%x: tensor<2x3xf32>, %v: tensor<f32>) -> tensor<3x4xf32> attributes {family = "data"} {
  %t = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = graph.pad reflect %t, %v {pads = array<i64: 0, 1, 0, 1>} : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x4xf32>
  exec.yield %y : tensor<3x4xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op arg_reduce over an empty dimension}}
exec.kernel @argmax_empty(%x: tensor<3x0xf32>) -> tensor<3xi64> attributes {family = "data"} {
  %y = graph.arg_reduce max %x {axis = 1 : i64, keepdims = false} : tensor<3x0xf32> -> tensor<3xi64>
  exec.yield %y : tensor<3xi64>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported 'graph.add' on booleans in an elementwise body}}
exec.kernel @bool_add(%a: tensor<4xi1>) -> tensor<4xi1> attributes {family = "elementwise"} {
  %y = graph.add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  exec.yield %y : tensor<4xi1>
}

// -----

// expected-error @+1 {{'exec.kernel' op indices shape 2x5 exceeds the input shape 3x4 at dimension 1}}
exec.kernel @indices_too_wide(%x: tensor<3x4xf32>, %i: tensor<2x5xi64>) -> tensor<2x5xf32> attributes {family = "data"} {
  %y = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2x5xi64>) -> tensor<2x5xf32>
  exec.yield %y : tensor<2x5xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op data kernel must yield results of 'graph.topk', each once}}
exec.kernel @topk_twice(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 2 : i64, axis = 1 : i64} : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  exec.yield %v, %v : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op gather_nd of 'tensor<2x3xf32>' at 'tensor<4x1xi64>' cannot yield 'tensor<4x2xf32>'}}
exec.kernel @gather_nd_result(%x: tensor<2x3xf32>, %i: tensor<4x1xi64>) -> tensor<4x2xf32> attributes {family = "data"} {
  %y = graph.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x1xi64>) -> tensor<4x2xf32>
  exec.yield %y : tensor<4x2xf32>
}
