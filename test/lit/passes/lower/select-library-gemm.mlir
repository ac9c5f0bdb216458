// RUN: dsc-opt %s -exec-select-library-gemm -split-input-file | FileCheck %s

// Bias then tanh gelu on f16: one cuBLASLt matmul with the GELU_BIAS
// epilogue; D is the argument after the three inputs.
// CHECK-LABEL: exec.kernel @bias_gelu_tanh
// CHECK-SAME: exec.library_gemm = {a = 0 : i64, activation = "gelu_tanh", b = 1 : i64, batch = 1 : i64, bias = 2 : i64, d = 3 : i64, k = 768 : i64, lda = 768 : i64, ldb = 3072 : i64, ldd = 3072 : i64, m = 512 : i64, n = 3072 : i64, residual = -1 : i64, stride_a = 0 : i64, stride_b = 0 : i64, stride_d = 1572864 : i64, type = f16}
exec.kernel @bias_gelu_tanh(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>, %b: tensor<3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  %z = graph.add %y, %b : (tensor<512x3072xf16>, tensor<3072xf16>) -> tensor<512x3072xf16>
  %g = graph.gelu %z {approximate = #graph.gelu_approximation<tanh>} : tensor<512x3072xf16> -> tensor<512x3072xf16>
  exec.yield %g : tensor<512x3072xf16>
}

// Exact (erf) gelu: cuBLASLt has none, the generated kernel only.
// CHECK-LABEL: exec.kernel @bias_gelu_erf
// CHECK-NOT: exec.library_gemm
// CHECK: exec.yield
exec.kernel @bias_gelu_erf(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>, %b: tensor<3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  %z = graph.add %y, %b : (tensor<512x3072xf16>, tensor<3072xf16>) -> tensor<512x3072xf16>
  %g = graph.gelu %z : tensor<512x3072xf16> -> tensor<512x3072xf16>
  exec.yield %g : tensor<512x3072xf16>
}

// f32, the bias on the left of the add and of shape [1, N], then relu.
// CHECK-LABEL: exec.kernel @f32_bias_relu
// CHECK-SAME: activation = "relu"
// CHECK-SAME: bias = 0 : i64
// CHECK-SAME: residual = -1 : i64
// CHECK-SAME: type = f32
exec.kernel @f32_bias_relu(%b: tensor<1x40xf32>, %x: tensor<33x70xf32>, %w: tensor<70x40xf32>) -> tensor<33x40xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<33x70xf32>, tensor<70x40xf32>) -> tensor<33x40xf32>
  %z = graph.add %b, %y : (tensor<1x40xf32>, tensor<33x40xf32>) -> tensor<33x40xf32>
  %r = graph.relu %z : tensor<33x40xf32> -> tensor<33x40xf32>
  exec.yield %r : tensor<33x40xf32>
}

// A plain matmul, and relu without a bias.
// CHECK-LABEL: exec.kernel @plain
// CHECK-SAME: activation = "none"
// CHECK-SAME: bias = -1 : i64
// CHECK-LABEL: exec.kernel @relu_only
// CHECK-SAME: activation = "relu", b = 1 : i64, batch = 1 : i64, bias = -1 : i64
exec.kernel @plain(%x: tensor<8x16xbf16>, %w: tensor<16x24xbf16>) -> tensor<8x24xbf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xbf16>, tensor<16x24xbf16>) -> tensor<8x24xbf16>
  exec.yield %y : tensor<8x24xbf16>
}
exec.kernel @relu_only(%x: tensor<8x16xf16>, %w: tensor<16x24xf16>) -> tensor<8x24xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf16>, tensor<16x24xf16>) -> tensor<8x24xf16>
  %r = graph.relu %y : tensor<8x24xf16> -> tensor<8x24xf16>
  exec.yield %r : tensor<8x24xf16>
}

// Bias and residual, beta = 1 with C the residual.
// CHECK-LABEL: exec.kernel @bias_residual
// CHECK-SAME: activation = "none"
// CHECK-SAME: bias = 3 : i64
// CHECK-SAME: d = 4 : i64
// CHECK-SAME: residual = 2 : i64
exec.kernel @bias_residual(%x: tensor<64x32xf16>, %w: tensor<32x48xf16>, %r: tensor<64x48xf16>, %b: tensor<48xf16>) -> tensor<64x48xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x32xf16>, tensor<32x48xf16>) -> tensor<64x48xf16>
  %s = graph.add %y, %r : (tensor<64x48xf16>, tensor<64x48xf16>) -> tensor<64x48xf16>
  %z = graph.add %s, %b : (tensor<64x48xf16>, tensor<48xf16>) -> tensor<64x48xf16>
  exec.yield %z : tensor<64x48xf16>
}

// A residual then an activation: cuBLASLt's relu(A B + C) with beta = 1.
// CHECK-LABEL: exec.kernel @residual_then_relu
// CHECK: exec.library_gemm
// CHECK-SAME: activation = "relu"
// CHECK-SAME: residual = 2
exec.kernel @residual_then_relu(%x: tensor<64x32xf16>, %w: tensor<32x48xf16>, %r: tensor<64x48xf16>) -> tensor<64x48xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x32xf16>, tensor<32x48xf16>) -> tensor<64x48xf16>
  %s = graph.add %y, %r : (tensor<64x48xf16>, tensor<64x48xf16>) -> tensor<64x48xf16>
  %t = graph.relu %s : tensor<64x48xf16> -> tensor<64x48xf16>
  exec.yield %t : tensor<64x48xf16>
}

// Odd epilogues stay generated: an add after the activation, a cast, a
// multiply, a per-row vector, a scalar, two biases.
// CHECK-LABEL: exec.kernel @add_after_relu
// CHECK-NOT: exec.library_gemm
// CHECK-LABEL: exec.kernel @cast
// CHECK-NOT: exec.library_gemm
// CHECK-LABEL: exec.kernel @scale
// CHECK-NOT: exec.library_gemm
// CHECK-LABEL: exec.kernel @row_vector
// CHECK-NOT: exec.library_gemm
// CHECK-LABEL: exec.kernel @scalar
// CHECK-NOT: exec.library_gemm
// CHECK-LABEL: exec.kernel @two_biases
// CHECK-NOT: exec.library_gemm
// CHECK: exec.yield
exec.kernel @add_after_relu(%x: tensor<8x16xf16>, %w: tensor<16x24xf16>, %b: tensor<24xf16>) -> tensor<8x24xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf16>, tensor<16x24xf16>) -> tensor<8x24xf16>
  %r = graph.relu %y : tensor<8x24xf16> -> tensor<8x24xf16>
  %z = graph.add %r, %b : (tensor<8x24xf16>, tensor<24xf16>) -> tensor<8x24xf16>
  exec.yield %z : tensor<8x24xf16>
}
exec.kernel @cast(%x: tensor<8x16xf16>, %w: tensor<16x24xf16>) -> tensor<8x24xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf16>, tensor<16x24xf16>) -> tensor<8x24xf16>
  %c = graph.cast %y : tensor<8x24xf16> -> tensor<8x24xf32>
  exec.yield %c : tensor<8x24xf32>
}
exec.kernel @scale(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %s: tensor<24xf32>) -> tensor<8x24xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf32>, tensor<16x24xf32>) -> tensor<8x24xf32>
  %z = graph.mul %y, %s : (tensor<8x24xf32>, tensor<24xf32>) -> tensor<8x24xf32>
  exec.yield %z : tensor<8x24xf32>
}
exec.kernel @row_vector(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %b: tensor<8x1xf32>) -> tensor<8x24xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf32>, tensor<16x24xf32>) -> tensor<8x24xf32>
  %z = graph.add %y, %b : (tensor<8x24xf32>, tensor<8x1xf32>) -> tensor<8x24xf32>
  exec.yield %z : tensor<8x24xf32>
}
exec.kernel @scalar(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %b: tensor<1xf32>) -> tensor<8x24xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf32>, tensor<16x24xf32>) -> tensor<8x24xf32>
  %z = graph.add %y, %b : (tensor<8x24xf32>, tensor<1xf32>) -> tensor<8x24xf32>
  exec.yield %z : tensor<8x24xf32>
}
exec.kernel @two_biases(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %b: tensor<24xf32>, %c: tensor<24xf32>) -> tensor<8x24xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf32>, tensor<16x24xf32>) -> tensor<8x24xf32>
  %z = graph.add %y, %b : (tensor<8x24xf32>, tensor<24xf32>) -> tensor<8x24xf32>
  %u = graph.add %z, %c : (tensor<8x24xf32>, tensor<24xf32>) -> tensor<8x24xf32>
  exec.yield %u : tensor<8x24xf32>
}

// Integers and mixed types are not cuBLASLt's (in this tactic).
// CHECK-LABEL: exec.kernel @integer
// CHECK-NOT: exec.library_gemm
// CHECK: exec.yield
exec.kernel @integer(%x: tensor<8x16xi32>, %w: tensor<16x24xi32>) -> tensor<8x24xi32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xi32>, tensor<16x24xi32>) -> tensor<8x24xi32>
  exec.yield %y : tensor<8x24xi32>
}

// Batched: a shared weight folds the batches into the rows; whole batches on
// both sides are strided; a partly broadcast batch is not expressible.
// CHECK-LABEL: exec.kernel @shared_weight
// CHECK-SAME: batch = 1 : i64
// CHECK-SAME: m = 198 : i64
// CHECK-SAME: stride_a = 0 : i64, stride_b = 0 : i64, stride_d = 0 : i64
// CHECK-LABEL: exec.kernel @strided
// CHECK-SAME: batch = 6 : i64
// CHECK-SAME: m = 33 : i64
// CHECK-SAME: stride_a = 2310 : i64, stride_b = 1190 : i64, stride_d = 561 : i64
// CHECK-LABEL: exec.kernel @shared_lhs
// CHECK-SAME: batch = 3 : i64
// CHECK-SAME: stride_a = 0 : i64, stride_b = 1190 : i64
// CHECK-LABEL: exec.kernel @partly_broadcast
// CHECK-NOT: exec.library_gemm
// CHECK: exec.yield
exec.kernel @shared_weight(%x: tensor<2x3x33x70xf16>, %w: tensor<70x17xf16>) -> tensor<2x3x33x17xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x3x33x70xf16>, tensor<70x17xf16>) -> tensor<2x3x33x17xf16>
  exec.yield %y : tensor<2x3x33x17xf16>
}
exec.kernel @strided(%x: tensor<2x3x33x70xf16>, %w: tensor<2x3x70x17xf16>) -> tensor<2x3x33x17xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x3x33x70xf16>, tensor<2x3x70x17xf16>) -> tensor<2x3x33x17xf16>
  exec.yield %y : tensor<2x3x33x17xf16>
}
exec.kernel @shared_lhs(%x: tensor<1x33x70xf32>, %w: tensor<3x70x17xf32>) -> tensor<3x33x17xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<1x33x70xf32>, tensor<3x70x17xf32>) -> tensor<3x33x17xf32>
  exec.yield %y : tensor<3x33x17xf32>
}
exec.kernel @partly_broadcast(%x: tensor<2x3x33x70xf16>, %w: tensor<3x70x17xf16>) -> tensor<2x3x33x17xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x3x33x70xf16>, tensor<3x70x17xf16>) -> tensor<2x3x33x17xf16>
  exec.yield %y : tensor<2x3x33x17xf16>
}

// Other families are left alone.
// CHECK-LABEL: exec.kernel @elementwise
// CHECK-NOT: exec.library_gemm
// CHECK: exec.yield
exec.kernel @elementwise(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "elementwise"} {
  %r = graph.relu %x : tensor<8xf32> -> tensor<8xf32>
  exec.yield %r : tensor<8xf32>
}

// -----

// A plan with a symbolic dimension keeps its generated kernels: library
// steps take their pointers as they are, not per sample.
// CHECK-LABEL: exec.kernel @symbolic
// CHECK-NOT: exec.library_gemm
// CHECK: exec.program @main
exec.kernel @symbolic(%x: tensor<8x16xf16>, %w: tensor<16x24xf16>) -> tensor<8x24xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x16xf16>, tensor<16x24xf16>) -> tensor<8x24xf16>
  exec.yield %y : tensor<8x24xf16>
}
exec.program @main attributes {symbolic_dim = "batch", symbolic_range = array<i64: 1, 8>} {
}
