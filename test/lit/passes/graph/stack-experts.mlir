// RUN: dsc-opt %s -graph-stack-experts | FileCheck %s

// Three SwiGLU experts with per-expert gates and an initial sum: one GEMM per
// projection against the weights side by side, the body once over [T, E, F],
// one GEMM with K = E * F against the stacked W2, then the initial sum.
// CHECK-LABEL: func.func @swiglu_experts
// CHECK: %[[W1:.*]] = graph.constant dense_resource<stacked_experts> : tensor<2x9xf32>
// CHECK: %[[Y1:.*]] = graph.matmul %arg0, %[[W1]] : (tensor<4x2xf32>, tensor<2x9xf32>) -> tensor<4x9xf32>
// CHECK: %[[A:.*]] = graph.reshape %[[Y1]] {{.*}} -> tensor<4x3x3xf32>
// CHECK: %[[W3:.*]] = graph.constant dense_resource<stacked_experts_1> : tensor<2x9xf32>
// CHECK: %[[Y3:.*]] = graph.matmul %arg0, %[[W3]] : (tensor<4x2xf32>, tensor<2x9xf32>) -> tensor<4x9xf32>
// CHECK: %[[B:.*]] = graph.reshape %[[Y3]] {{.*}} -> tensor<4x3x3xf32>
// CHECK: %[[G:.*]] = graph.concat %arg1, %arg2, %arg3 {axis = 1 : i64} : {{.*}} -> tensor<4x3xf32>
// CHECK: %[[G3:.*]] = graph.reshape %[[G]] {{.*}} -> tensor<4x3x1xf32>
// CHECK: %[[S:.*]] = graph.sigmoid %[[A]] : tensor<4x3x3xf32> -> tensor<4x3x3xf32>
// CHECK: %[[SILU:.*]] = graph.mul %[[A]], %[[S]] : {{.*}} -> tensor<4x3x3xf32>
// CHECK: %[[H:.*]] = graph.mul %[[SILU]], %[[B]] : {{.*}} -> tensor<4x3x3xf32>
// CHECK: %[[GH:.*]] = graph.mul %[[H]], %[[G3]] : (tensor<4x3x3xf32>, tensor<4x3x1xf32>) -> tensor<4x3x3xf32>
// CHECK: %[[FLAT:.*]] = graph.reshape %[[GH]] {{.*}} : tensor<4x3x3xf32> -> tensor<4x9xf32>
// CHECK: %[[W2:.*]] = graph.constant dense_resource<stacked_experts_2> : tensor<9x2xf32>
// CHECK: %[[P:.*]] = graph.matmul %[[FLAT]], %[[W2]] : (tensor<4x9xf32>, tensor<9x2xf32>) -> tensor<4x2xf32>
// CHECK: %[[OUT:.*]] = graph.add %arg4, %[[P]]
// CHECK-NOT: graph.matmul
// CHECK: return %[[OUT]]
func.func @swiglu_experts(%x: tensor<4x2xf32>, %g0: tensor<4x1xf32>, %g1: tensor<4x1xf32>, %g2: tensor<4x1xf32>, %init: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<[[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]> : tensor<2x3xf32>
  %w1_2 = graph.constant dense<[[13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]> : tensor<2x3xf32>
  %w3_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w3_1 = graph.constant dense<0.25> : tensor<2x3xf32>
  %w3_2 = graph.constant dense<2.0> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<[[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]> : tensor<3x2xf32>
  %w2_2 = graph.constant dense<1.0> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s0 = graph.sigmoid %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %silu0 = graph.mul %a0, %s0 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %b0 = graph.matmul %x, %w3_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.mul %silu0, %b0 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %gh0 = graph.mul %h0, %g0 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p0 = graph.matmul %gh0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc0 = graph.add %init, %p0 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s1 = graph.sigmoid %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %silu1 = graph.mul %a1, %s1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %b1 = graph.matmul %x, %w3_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.mul %silu1, %b1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %gh1 = graph.mul %h1, %g1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p1 = graph.matmul %gh1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %acc0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %a2 = graph.matmul %x, %w1_2 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s2 = graph.sigmoid %a2 : tensor<4x3xf32> -> tensor<4x3xf32>
  %silu2 = graph.mul %a2, %s2 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %b2 = graph.matmul %x, %w3_2 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h2 = graph.mul %silu2, %b2 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %gh2 = graph.mul %h2, %g2 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p2 = graph.matmul %gh2, %w2_2 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc2 = graph.add %acc1, %p2 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc2 : tensor<4x2xf32>
}

// Gates computed from the router's choices the same way for each expert
// (the expert's index is a per-expert constant) join the body: the
// comparison runs over [T, E, k] and the sum over k keeps E. Any body works
// (here relu with a per-expert bias); a sum that starts at the first
// product needs no add, and an initial sum of zeros is dropped.
// CHECK-LABEL: func.func @router_gates
// CHECK-DAG: %[[IDX:.*]] = graph.constant dense<{{\[}}{{\[}}[0], [1]]]> : tensor<1x2x1xi64>
// CHECK-DAG: %[[BIAS:.*]] = graph.constant dense<{{\[}}{{\[}}[1.000000e+00, 1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00]]]> : tensor<1x2x3xf32>
// CHECK-DAG: %[[Y:.*]] = graph.matmul %arg0, %{{.*}} : (tensor<4x2xf32>, tensor<2x6xf32>) -> tensor<4x6xf32>
// CHECK-DAG: %[[A:.*]] = graph.reshape %[[Y]] {{.*}} -> tensor<4x2x3xf32>
// CHECK-DAG: %[[I3:.*]] = graph.reshape %arg1 {{.*}} : tensor<4x2xi64> -> tensor<4x1x2xi64>
// CHECK-DAG: %[[P3:.*]] = graph.reshape %arg2 {{.*}} : tensor<4x2xf32> -> tensor<4x1x2xf32>
// CHECK: %[[R:.*]] = graph.add %[[A]], %[[BIAS]] : (tensor<4x2x3xf32>, tensor<1x2x3xf32>) -> tensor<4x2x3xf32>
// CHECK: %[[H:.*]] = graph.relu %[[R]]
// CHECK: %[[EQ:.*]] = graph.compare eq, %[[I3]], %[[IDX]] : (tensor<4x1x2xi64>, tensor<1x2x1xi64>) -> tensor<4x2x2xi1>
// CHECK: %[[SEL:.*]] = graph.cast %[[EQ]] : tensor<4x2x2xi1> -> tensor<4x2x2xf32>
// CHECK: %[[W:.*]] = graph.mul %[[P3]], %[[SEL]] : (tensor<4x1x2xf32>, tensor<4x2x2xf32>) -> tensor<4x2x2xf32>
// CHECK: %[[G:.*]] = graph.reduce sum %[[W]] {axes = array<i64: 2>, keepdims = true} : tensor<4x2x2xf32> -> tensor<4x2x1xf32>
// CHECK: %[[GH:.*]] = graph.mul %[[H]], %[[G]] : (tensor<4x2x3xf32>, tensor<4x2x1xf32>) -> tensor<4x2x3xf32>
// CHECK: %[[FLAT:.*]] = graph.reshape %[[GH]] {{.*}} -> tensor<4x6xf32>
// CHECK: %[[OUT:.*]] = graph.matmul %[[FLAT]], %{{.*}} : (tensor<4x6xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @router_gates(%x: tensor<4x2xf32>, %idx: tensor<4x2xi64>, %prob: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %e0 = graph.constant dense<0> : tensor<i64>
  %e1 = graph.constant dense<1> : tensor<i64>
  %bias0 = graph.constant dense<1.0> : tensor<3xf32>
  %bias1 = graph.constant dense<2.0> : tensor<3xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x2xf32>
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %eq0 = graph.compare eq, %idx, %e0 : (tensor<4x2xi64>, tensor<i64>) -> tensor<4x2xi1>
  %sel0 = graph.cast %eq0 : tensor<4x2xi1> -> tensor<4x2xf32>
  %w0 = graph.mul %prob, %sel0 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %g0 = graph.reduce sum %w0 {axes = array<i64: -1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %r0 = graph.add %a0, %bias0 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %h0 = graph.relu %r0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %gh0 = graph.mul %h0, %g0 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p0 = graph.matmul %gh0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc0 = graph.add %zeros, %p0 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %eq1 = graph.compare eq, %idx, %e1 : (tensor<4x2xi64>, tensor<i64>) -> tensor<4x2xi1>
  %sel1 = graph.cast %eq1 : tensor<4x2xi1> -> tensor<4x2xf32>
  %w1 = graph.mul %prob, %sel1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %g1 = graph.reduce sum %w1 {axes = array<i64: -1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %r1 = graph.add %a1, %bias1 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %h1 = graph.relu %r1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %gh1 = graph.mul %h1, %g1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p1 = graph.matmul %gh1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %acc0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// The first product starts the sum (no initial value).
// CHECK-LABEL: func.func @no_initial_sum
// CHECK: graph.matmul %arg0, %{{.*}} : (tensor<4x2xf32>, tensor<2x6xf32>)
// CHECK: %[[OUT:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @no_initial_sum(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// Two MoE layers in a row: each stacks, the second projects the first's sum.
// CHECK-LABEL: func.func @two_layers
// CHECK: graph.matmul %arg0, %{{.*}} : (tensor<4x2xf32>, tensor<2x6xf32>)
// CHECK: %[[FIRST:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
// CHECK: graph.matmul %[[FIRST]], %{{.*}} : (tensor<4x2xf32>, tensor<2x6xf32>)
// CHECK: %[[SECOND:.*]] = graph.matmul %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: return %[[SECOND]]
func.func @two_layers(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %b0 = graph.matmul %y, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %k0 = graph.tanh %b0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %q0 = graph.matmul %k0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %b1 = graph.matmul %y, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %k1 = graph.tanh %b1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %q1 = graph.matmul %k1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %z = graph.add %q0, %q1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %z : tensor<4x2xf32>
}

// A copy of one op in each body that reads only shared values (a sigmoid
// of a shared gate, not CSE'd) is the same for every expert: [T, 1, 1].
// CHECK-LABEL: func.func @shared_copies
// CHECK: %[[G:.*]] = graph.reshape %arg1 {{.*}} : tensor<4x1xf32> -> tensor<4x1x1xf32>
// CHECK: %[[S:.*]] = graph.sigmoid %[[G]] : tensor<4x1x1xf32> -> tensor<4x1x1xf32>
// CHECK: graph.mul %{{.*}}, %[[S]] : (tensor<4x2x3xf32>, tensor<4x1x1xf32>) -> tensor<4x2x3xf32>
// CHECK-NOT: graph.sigmoid
func.func @shared_copies(%x: tensor<4x2xf32>, %g: tensor<4x1xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s0 = graph.sigmoid %g : tensor<4x1xf32> -> tensor<4x1xf32>
  %h0 = graph.mul %a0, %s0 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s1 = graph.sigmoid %g : tensor<4x1xf32> -> tensor<4x1xf32>
  %h1 = graph.mul %a1, %s1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// Experts of different widths (K of the down projection 3 and 4) do not
// stack.
// CHECK-LABEL: func.func @different_widths
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.concat
// CHECK-NOT: graph.reshape
func.func @different_widths(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x4xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<4x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %h1 = graph.tanh %a1 : tensor<4x4xf32> -> tensor<4x4xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x4xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// A weight that is not a constant (here an input) does not stack.
// CHECK-LABEL: func.func @weight_not_constant
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.reshape
func.func @weight_not_constant(%x: tensor<4x2xf32>, %w1_1: tensor<2x3xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// An intermediate read elsewhere (expert 1's projection is also a result,
// then expert 0's body) must stay: nothing stacks.
// CHECK-LABEL: func.func @projection_read_elsewhere
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.reshape
// CHECK-LABEL: func.func @body_read_elsewhere
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.reshape
func.func @projection_read_elsewhere(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>) {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1, %a1 : tensor<4x2xf32>, tensor<4x3xf32>
}
func.func @body_read_elsewhere(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>) {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1, %h0 : tensor<4x2xf32>, tensor<4x3xf32>
}

// Bodies that differ (tanh and relu), and projections of different inputs,
// do not stack.
// CHECK-LABEL: func.func @different_bodies
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.reshape
// CHECK-LABEL: func.func @different_inputs
// CHECK-COUNT-4: graph.matmul
// CHECK-NOT: graph.reshape
func.func @different_bodies(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.relu %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}
func.func @different_inputs(%x: tensor<4x2xf32>, %y: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %y, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}

// One expert is not a sum to stack.
// CHECK-LABEL: func.func @one_expert
// CHECK-COUNT-2: graph.matmul
// CHECK-NOT: graph.reshape
func.func @one_expert(%x: tensor<4x2xf32>, %init: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %acc0 = graph.add %init, %p0 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc0 : tensor<4x2xf32>
}

// The weights of @swiglu_experts side by side (f32 bits after the blob's
// alignment word): row 0 of W1_0, W1_1, W1_2 (1 2 3, 7 8 9, 13 14 15), then
// row 1 (4 5 6, 10 11 12, 16 17 18); W3_e's splats 0.5, 0.25, 2 per row;
// W2_0 (1..6), W2_1 (7..12), W2_2 (six 1s) one after another.
// CHECK: stacked_experts: "0x080000000000803F00000040000040400000E0400000004100001041000050410000604100007041000080400000A0400000C040000020410000304100004041000080410000884100009041"
// CHECK-NEXT: stacked_experts_1: "0x080000000000003F0000003F0000003F0000803E0000803E0000803E0000004000000040000000400000003F0000003F0000003F0000803E0000803E0000803E000000400000004000000040"
// CHECK-NEXT: stacked_experts_2: "0x080000000000803F0000004000004040000080400000A0400000C0400000E04000000041000010410000204100003041000040410000803F0000803F0000803F0000803F0000803F0000803F"
