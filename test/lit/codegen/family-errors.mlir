// RUN: dsc-translate --exec-to-cuda %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'exec.kernel' op 1-d matmul operands are not supported}}
exec.kernel @gemv_1d(%x: tensor<8xf16>, %w: tensor<8x4xf16>) -> tensor<4xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8xf16>, tensor<8x4xf16>) -> tensor<4xf16>
  exec.yield %y : tensor<4xf16>
}

// -----

// Booleans have no matmul kernel (integers do).
// expected-error @+1 {{'exec.kernel' op unsupported matmul element type 'i1'}}
exec.kernel @bool_matmul(%a: tensor<3x4xi1>, %b: tensor<4x5xi1>) -> tensor<3x5xi1> attributes {family = "gemm"} {
  %y = graph.matmul %a, %b : (tensor<3x4xi1>, tensor<4x5xi1>) -> tensor<3x5xi1>
  exec.yield %y : tensor<3x5xi1>
}

// -----

// expected-error @+1 {{'exec.kernel' op gemm kernel has no graph.matmul}}
exec.kernel @no_matmul(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "gemm"} {
  exec.yield %x : tensor<8xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op non-splat constant in a gemm epilogue (only splat constants can be inlined)}}
exec.kernel @nonsplat_bias(%a: tensor<4x2xf16>, %b: tensor<2x2xf16>) -> tensor<4x2xf16> attributes {family = "gemm"} {
  %c = graph.constant dense<[1.0, 2.0]> : tensor<2xf16>
  %y = graph.matmul %a, %b : (tensor<4x2xf16>, tensor<2x2xf16>) -> tensor<4x2xf16>
  %z = graph.add %y, %c : (tensor<4x2xf16>, tensor<2xf16>) -> tensor<4x2xf16>
  exec.yield %z : tensor<4x2xf16>
}

// -----

// expected-error @+1 {{'exec.kernel' op row_reduction kernel has no softmax, log_softmax, layer_norm or reduce_mean}}
exec.kernel @no_reduction(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "row_reduction"} {
  %y = graph.relu %x : tensor<8xf32> -> tensor<8xf32>
  exec.yield %y : tensor<8xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported op 'graph.matmul' in a row_reduction kernel}}
exec.kernel @matmul_in_reduction(%a: tensor<4x4xf32>) -> tensor<4x4xf32> attributes {family = "row_reduction"} {
  %m = graph.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = graph.softmax %m {axis = 1 : i64} : tensor<4x4xf32> -> tensor<4x4xf32>
  exec.yield %y : tensor<4x4xf32>
}

// -----

// expected-error @+1 {{'exec.kernel' op unsupported op 'graph.relu' in a data kernel}}
exec.kernel @relu_data(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "data"} {
  %y = graph.relu %x : tensor<8xf32> -> tensor<8xf32>
  exec.yield %y : tensor<8xf32>
}
