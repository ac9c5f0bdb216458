// RUN: dsc-opt %s -split-input-file -graph-lower-to-exec | FileCheck %s

// CHECK-LABEL: exec.kernel @matmul_0
// CHECK-SAME: (%arg0: tensor<4x8xf32>, %arg1: tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK-SAME: family = "gemm"
// CHECK: graph.matmul
// CHECK: exec.yield
// CHECK-LABEL: exec.kernel @softmax_1
// CHECK-SAME: family = "row_reduction"
// CHECK-LABEL: exec.program @main
// The result of the last kernel is the function's result (through a
// reshape): the kernel writes the caller's output buffer, seen as 4x16.
// CHECK: %[[OUT:.*]] = exec.output "probs" index(0) : !exec.buffer<64xf32>
// CHECK: %[[X:.*]] = exec.input "x" index(0) : !exec.buffer<4x8xf32>
// CHECK: %[[W:.*]] = exec.weight "const_0" {value = dense<1.000000e+00> : tensor<8x16xf32>} : !exec.buffer<8x16xf32>
// CHECK: %[[T:.*]] = exec.alloc : !exec.buffer<4x16xf32>
// CHECK: exec.launch @matmul_0 ins(%[[X]], %[[W]] : {{.*}}) outs(%[[T]] : !exec.buffer<4x16xf32>)
// CHECK: %[[V:.*]] = exec.view %[[OUT]] : !exec.buffer<64xf32> to !exec.buffer<4x16xf32>
// CHECK: exec.launch @softmax_1 ins(%[[T]] : !exec.buffer<4x16xf32>) outs(%[[V]] : !exec.buffer<4x16xf32>)
// CHECK: exec.view %[[V]] : !exec.buffer<4x16xf32> to !exec.buffer<64xf32>
// CHECK-NOT: exec.copy
// CHECK-NOT: func.func
func.func @main(%x: tensor<4x8xf32> {graph.name = "x"}) -> (tensor<64xf32> {graph.name = "probs"}) {
  %w = graph.constant dense<1.0> : tensor<8x16xf32>
  %0 = graph.fusion gemm anchor("matmul") (%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>):
    %m = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    graph.yield %m : tensor<4x16xf32>
  }
  %1 = graph.fusion row_reduction anchor("softmax") (%0 : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %s = graph.softmax %a {axis = -1 : i64} : tensor<4x16xf32> -> tensor<4x16xf32>
    graph.yield %s : tensor<4x16xf32>
  }
  %2 = graph.reshape %1 {shape = array<i64: 64>, allow_zero = true} : tensor<4x16xf32> -> tensor<64xf32>
  return %2 : tensor<64xf32>
}

// -----

// A result that is an input, or the same kernel result twice, is copied.
// CHECK-LABEL: exec.program @main
// CHECK: %[[O0:.*]] = exec.output "output_0" index(0)
// CHECK: %[[O1:.*]] = exec.output "output_1" index(1)
// CHECK: %[[O2:.*]] = exec.output "output_2" index(2)
// CHECK: %[[X:.*]] = exec.input "input_0" index(0)
// CHECK: exec.launch @elementwise_0 ins(%[[X]] : !exec.buffer<4xf32>) outs(%[[O0]] : !exec.buffer<4xf32>)
// CHECK: exec.copy %[[O0]] to %[[O1]]
// CHECK: exec.copy %[[X]] to %[[O2]]
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = graph.fusion elementwise anchor("none") (%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %r = graph.relu %a : tensor<4xf32> -> tensor<4xf32>
    graph.yield %r : tensor<4xf32>
  }
  return %0, %0, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// STRING tensors (u8 with a slot per string last) keep their mark on the
// caller's buffers: the plan's signature tells tools and callers.
// CHECK-LABEL: exec.program @main
// CHECK: exec.output "upper" index(0) {string} : !exec.buffer<3x16xui8>
// CHECK: exec.input "words" index(0) {string} : !exec.buffer<3x16xui8>
func.func @main(%x: tensor<3x16xui8> {graph.name = "words", graph.string}) -> (tensor<3x16xui8> {graph.name = "upper", graph.string}) {
  %0 = graph.fusion elementwise anchor("none") (%x : tensor<3x16xui8>) -> tensor<3x16xui8> {
  ^bb0(%a: tensor<3x16xui8>):
    %c = graph.constant dense<32> : tensor<ui8>
    %s = graph.sub %a, %c : (tensor<3x16xui8>, tensor<ui8>) -> tensor<3x16xui8>
    graph.yield %s : tensor<3x16xui8>
  }
  return %0 : tensor<3x16xui8>
}
