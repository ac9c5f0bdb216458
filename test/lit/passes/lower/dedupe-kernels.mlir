// RUN: dsc-opt %s -exec-dedupe-kernels | FileCheck %s

// @b repeats @a (names and locations aside); @c has another body, @d
// another type: both stay.
// CHECK-LABEL: exec.kernel @a
// CHECK-NOT: exec.kernel @b
// CHECK-LABEL: exec.kernel @c
// CHECK-LABEL: exec.kernel @d
// CHECK-LABEL: exec.program @main
// CHECK: exec.launch @a ins(%{{.*}}) outs(%[[T0:.*]] :
// CHECK: exec.launch @a ins(%[[T0]]
// CHECK: exec.launch @c
// CHECK: exec.launch @d
exec.kernel @a(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "elementwise"} {
  %r = graph.relu %x : tensor<8xf32> -> tensor<8xf32>
  exec.yield %r : tensor<8xf32>
}
exec.kernel @b(%y: tensor<8xf32>) -> tensor<8xf32> attributes {family = "elementwise"} {
  %r = graph.relu %y : tensor<8xf32> -> tensor<8xf32> loc("other")
  exec.yield %r : tensor<8xf32>
}
exec.kernel @c(%x: tensor<8xf32>) -> tensor<8xf32> attributes {family = "elementwise"} {
  %r = graph.tanh %x : tensor<8xf32> -> tensor<8xf32>
  exec.yield %r : tensor<8xf32>
}
exec.kernel @d(%x: tensor<4xf32>) -> tensor<4xf32> attributes {family = "elementwise"} {
  %r = graph.relu %x : tensor<4xf32> -> tensor<4xf32>
  exec.yield %r : tensor<4xf32>
}
exec.program @main {
  %x = exec.input "x" index(0) : !exec.buffer<8xf32>
  %t0 = exec.alloc : !exec.buffer<8xf32>
  exec.launch @a ins(%x : !exec.buffer<8xf32>) outs(%t0 : !exec.buffer<8xf32>)
  %t1 = exec.alloc : !exec.buffer<8xf32>
  exec.launch @b ins(%t0 : !exec.buffer<8xf32>) outs(%t1 : !exec.buffer<8xf32>)
  %t2 = exec.alloc : !exec.buffer<8xf32>
  exec.launch @c ins(%t1 : !exec.buffer<8xf32>) outs(%t2 : !exec.buffer<8xf32>)
  %v = exec.view %t2 : !exec.buffer<8xf32> to !exec.buffer<2x4xf32>
  %y = exec.output "y" index(0) : !exec.buffer<4xf32>
  %w = exec.alloc : !exec.buffer<4xf32>
  exec.launch @d ins(%w : !exec.buffer<4xf32>) outs(%y : !exec.buffer<4xf32>)
}
