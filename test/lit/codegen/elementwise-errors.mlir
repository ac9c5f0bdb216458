// RUN: dsc-translate --exec-to-cuda %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'exec.kernel' op non-splat constant in an elementwise body (only splat constants can be inlined)}}
exec.kernel @nonsplat(%x: tensor<4xf32>) -> tensor<4xf32> attributes {family = "elementwise"} {
  %c = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = graph.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  exec.yield %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported op 'graph.matmul' in an elementwise body}}
exec.kernel @matmul_inside(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> attributes {family = "elementwise"} {
  %y = graph.matmul %a, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  exec.yield %y : tensor<4x4xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported 'graph.tanh' on 'i32' in an elementwise body}}
exec.kernel @int_tanh(%x: tensor<4xi32>) -> tensor<4xi32> attributes {family = "elementwise"} {
  %y = graph.tanh %x : tensor<4xi32> -> tensor<4xi32>
  exec.yield %y : tensor<4xi32>
}

// -----

// expected-error @+1 {{'exec.kernel' op elementwise kernel yields values of different shapes}}
exec.kernel @two_shapes(%x: tensor<4xf32>, %y: tensor<2x4xf32>) -> (tensor<4xf32>, tensor<2x4xf32>) attributes {family = "elementwise"} {
  exec.yield %x, %y : tensor<4xf32>, tensor<2x4xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported element type 'f8E4M3FN' of argument #0}}
exec.kernel @fp8(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> attributes {family = "elementwise"} {
  exec.yield %x : tensor<4xf8E4M3FN>
}
