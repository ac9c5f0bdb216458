// RUN: dsc-opt %s -graph-sink-reshapes | FileCheck %s

// A projection as exporters write it: the bias, GELU and residual add read
// the reshape; they move onto the matmul's [M, N] result, the residual is
// reshaped to it, and one reshape is left at the end.
// CHECK-LABEL: func.func @projection
// CHECK: %[[Y:.*]] = graph.matmul %arg0, %arg1 : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
// CHECK-NEXT: %[[B:.*]] = graph.add %[[Y]], %arg2 : (tensor<6x8xf32>, tensor<8xf32>) -> tensor<6x8xf32>
// CHECK-NEXT: %[[G:.*]] = graph.gelu %[[B]]
// CHECK-SAME: -> tensor<6x8xf32>
// CHECK-NEXT: %[[R:.*]] = graph.reshape %arg3 {{.*}} : tensor<2x3x8xf32> -> tensor<6x8xf32>
// CHECK-NEXT: %[[S:.*]] = graph.add %[[G]], %[[R]] : (tensor<6x8xf32>, tensor<6x8xf32>) -> tensor<6x8xf32>
// CHECK-NEXT: %[[O:.*]] = graph.reshape %[[S]] {{.*}} : tensor<6x8xf32> -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @projection(%x: tensor<6x4xf32>, %w: tensor<4x8xf32>, %bias: tensor<8xf32>, %res: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  %y = graph.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r = graph.reshape %y {allow_zero = true, shape = array<i64: 2, 3, 8>} : tensor<6x8xf32> -> tensor<2x3x8xf32>
  %b = graph.add %r, %bias : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %g = graph.gelu %b {approximate = #graph.gelu_approximation<tanh>} : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
  %s = graph.add %g, %res : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %s : tensor<2x3x8xf32>
}

// A splat constant is rebuilt in the matmul's shape; the reshape that fed a
// matmul again folds away.
// CHECK-LABEL: func.func @splat_and_refold
// CHECK: %[[C:.*]] = graph.constant dense<2.000000e+00> : tensor<6x8xf32>
// CHECK-NEXT: %[[Y:.*]] = graph.matmul %arg0, %arg1
// CHECK-NEXT: %[[M:.*]] = graph.mul %[[Y]], %[[C]] : (tensor<6x8xf32>, tensor<6x8xf32>) -> tensor<6x8xf32>
// CHECK-NEXT: graph.matmul %[[M]], %arg2 : (tensor<6x8xf32>, tensor<8x4xf32>)
func.func @splat_and_refold(%x: tensor<6x4xf32>, %w: tensor<4x8xf32>, %w2: tensor<8x4xf32>) -> tensor<6x4xf32> {
  %c = graph.constant dense<2.0> : tensor<2x3x8xf32>
  %y = graph.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r = graph.reshape %y {allow_zero = true, shape = array<i64: 2, 3, 8>} : tensor<6x8xf32> -> tensor<2x3x8xf32>
  %m = graph.mul %r, %c : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %f = graph.reshape %m {allow_zero = true, shape = array<i64: 6, 8>} : tensor<2x3x8xf32> -> tensor<6x8xf32>
  %z = graph.matmul %f, %w2 : (tensor<6x8xf32>, tensor<8x4xf32>) -> tensor<6x4xf32>
  return %z : tensor<6x4xf32>
}

// Stays: the reshape changes the row length, its input is no GEMM, another
// operand broadcasts along a leading axis, or two GEMMs of different shapes
// meet.
// CHECK-LABEL: func.func @stays
// CHECK: %[[R1:.*]] = graph.reshape
// CHECK-NEXT: graph.relu %[[R1]] : tensor<3x16xf32>
// CHECK: %[[R2:.*]] = graph.reshape %arg2
// CHECK-NEXT: graph.relu %[[R2]]
// CHECK: %[[R3:.*]] = graph.reshape
// CHECK-NEXT: graph.add %[[R3]], %arg3 : (tensor<2x3x8xf32>, tensor<2x1x8xf32>)
// CHECK: %[[R4:.*]] = graph.reshape
// CHECK: graph.add %[[R4]], %{{.*}} : (tensor<2x3x8xf32>, tensor<2x3x8xf32>)
func.func @stays(%x: tensor<6x4xf32>, %w: tensor<4x8xf32>, %a: tensor<6x8xf32>, %col: tensor<2x1x8xf32>, %v: tensor<2x3x4xf32>, %w3: tensor<4x8xf32>) -> (tensor<3x16xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %y = graph.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r1 = graph.reshape %y {allow_zero = true, shape = array<i64: 3, 16>} : tensor<6x8xf32> -> tensor<3x16xf32>
  %u1 = graph.relu %r1 : tensor<3x16xf32> -> tensor<3x16xf32>
  %r2 = graph.reshape %a {allow_zero = true, shape = array<i64: 2, 3, 8>} : tensor<6x8xf32> -> tensor<2x3x8xf32>
  %u2 = graph.relu %r2 : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
  %y3 = graph.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r3 = graph.reshape %y3 {allow_zero = true, shape = array<i64: 2, 3, 8>} : tensor<6x8xf32> -> tensor<2x3x8xf32>
  %u3 = graph.add %r3, %col : (tensor<2x3x8xf32>, tensor<2x1x8xf32>) -> tensor<2x3x8xf32>
  %y4 = graph.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r4 = graph.reshape %y4 {allow_zero = true, shape = array<i64: 2, 3, 8>} : tensor<6x8xf32> -> tensor<2x3x8xf32>
  %z = graph.matmul %v, %w3 : (tensor<2x3x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32>
  %u4 = graph.add %r4, %z : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %u1, %u2, %u3, %u4 : tensor<3x16xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
