// RUN: dsc-opt %s -split-input-file -verify-diagnostics

exec.kernel @k(%x: tensor<4xf32>) -> tensor<4xf32> attributes {family = "elementwise"} {
  exec.yield %x : tensor<4xf32>
}
exec.program @main {
  %x = exec.input "x" index(0) : !exec.buffer<8xf32>
  %y = exec.output "y" index(0) : !exec.buffer<4xf32>
  // expected-error @+1 {{'exec.launch' op inputs #0 is '!exec.buffer<8xf32>' but kernel 'k' expects 'tensor<4xf32>'}}
  exec.launch @k ins(%x : !exec.buffer<8xf32>) outs(%y : !exec.buffer<4xf32>)
}

// -----

exec.program @main {
  %y = exec.output "y" index(0) : !exec.buffer<4xf32>
  // expected-error @+1 {{'exec.launch' op kernel 'missing' is not defined}}
  exec.launch @missing outs(%y : !exec.buffer<4xf32>)
}

// -----

// expected-error @+1 {{'exec.kernel' op unknown kernel family 'magic'}}
exec.kernel @k(%x: tensor<4xf32>) -> tensor<4xf32> attributes {family = "magic"} {
  exec.yield %x : tensor<4xf32>
}

// -----

exec.program @main attributes {arena_size = 16 : i64} {
  // expected-error @+1 {{'exec.alloc' op bytes [8, 24) lie outside the arena of 16 bytes}}
  %t = exec.alloc {offset = 8 : i64} : !exec.buffer<4xf32>
}

// -----

exec.program @main {
  %x = exec.input "x" index(0) : !exec.buffer<4xf32>
  // expected-error @+1 {{'exec.view' op view of 16 bytes as 12 bytes}}
  %v = exec.view %x : !exec.buffer<4xf32> to !exec.buffer<3xf32>
}

// -----

exec.program @main {
  // expected-error @+1 {{'exec.weight' op needs a value or an offset into the weights blob}}
  %w = exec.weight "w" : !exec.buffer<4xf32>
}

// -----

exec.program @main {
  // expected-error @+1 {{'exec.weight' op value type 'tensor<3xf32>' does not match the buffer '!exec.buffer<4xf32>'}}
  %w = exec.weight "w" {value = dense<1.0> : tensor<3xf32>} : !exec.buffer<4xf32>
}

// -----

// expected-error @+1 {{'exec.program' op needs both symbolic_dim and symbolic_range, or neither}}
exec.program @main attributes {symbolic_dim = "batch"} {
}

// -----

// expected-error @+1 {{'exec.program' op symbolic_range must be [min, max] with 1 <= min <= max}}
exec.program @main attributes {symbolic_dim = "batch", symbolic_range = array<i64: 4, 2>} {
}

// -----

exec.program @main {
  // expected-error @+1 {{'exec.input' op has a sample_axis but the program has no symbolic_dim}}
  %x = exec.input "x" index(0) {sample_axis = 0 : i64} : !exec.buffer<1x4xf32>
}

// -----

exec.program @main attributes {symbolic_dim = "batch", symbolic_range = array<i64: 1, 8>} {
  // expected-error @+1 {{'exec.output' op sample_axis 2 is not an axis of '!exec.buffer<1x4xf32>'}}
  %y = exec.output "y" index(0) {sample_axis = 2 : i64} : !exec.buffer<1x4xf32>
}

// -----

exec.program @main {
  // expected-error @+1 {{'exec.input' op holds strings but its buffer '!exec.buffer<4x8xf32>' is no 8-bit tensor with a slot dimension}}
  %x = exec.input "x" index(0) {string} : !exec.buffer<4x8xf32>
}

// -----

exec.program @main {
  // expected-error @+1 {{'exec.output' op holds strings but its buffer '!exec.buffer<ui8>' is no 8-bit tensor with a slot dimension}}
  %y = exec.output "y" index(0) {string} : !exec.buffer<ui8>
}

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op needs at least one candidate}}
exec.tactics @g []

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 needs an integer 'split_k'}}
exec.tactics @g [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4}]

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #1 has the unknown field 'swizzle'}}
exec.tactics @g [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1, swizzle = 1}]

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 each warp's tile must be whole 16x16 mma pairs}}
exec.tactics @g [{bm = 64, bn = 40, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 needs 282624 bytes of shared memory, more than 232448}}
exec.tactics @g [{bm = 256, bn = 256, bk = 64, warps_m = 4, warps_n = 4, stages = 4, split_k = 1}]

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #1 repeats 64x64x64 w2x2 s4}}
exec.tactics @g [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

exec.kernel @e(%x: tensor<4xf32>) -> tensor<4xf32> attributes {family = "elementwise"} {
  exec.yield %x : tensor<4xf32>
}
// expected-error @+1 {{'exec.tactics' op kernel 'e' is of family 'elementwise', not gemm or an implicit-gemm convolution}}
exec.tactics @e [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

// expected-error @+1 {{'exec.tactics' op kernel 'missing' is not defined}}
exec.tactics @missing [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

exec.kernel @g(%x: tensor<64x64xf16>, %w: tensor<64x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
exec.tactics @g [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]
// expected-error @+1 {{'exec.tactics' op kernel 'g' already has tactics}}
exec.tactics @g [{bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

exec.kernel @c(%x: tensor<1x8x8x16xf16>, %w: tensor<32x3x3x16xf16>) -> tensor<1x8x8x32xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x8x8x16xf16>, tensor<32x3x3x16xf16>) -> tensor<1x8x8x32xf16>
  exec.yield %y : tensor<1x8x8x32xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 bk must be 32 for a convolution}}
exec.tactics @c [{bm = 16, bn = 32, bk = 64, warps_m = 1, warps_n = 2, stages = 4, split_k = 1}]
