// RUN: dsc-opt %s -graph-route-experts='cost-factor=0 group-rows=4' | FileCheck %s
// RUN: dsc-opt %s -graph-route-experts | FileCheck %s --check-prefix=DENSE

// A stacked MoE (graph-stack-experts' form): 8 tokens, top-2 of 4 experts,
// F = 3. Routed: 16 slots in groups of 4 rows, 28 rows at most; each
// projection is a grouped GEMM of the gathered token rows against the
// weights rearranged to [E, Dm, F]; the body runs per routed row with the
// slot's weight as its gate; each token sums its 2 rows of the grouped
// down projection.
// CHECK-LABEL: func.func @routed_swiglu
// CHECK: %[[TOKENS:.*]], %[[SLOTS:.*]], %[[ROWS:.*]], %[[GROUPS:.*]] = graph.moe_route %[[CHOICES:.*]] {experts = 4 : i64, group_rows = 4 : i64} : tensor<8x2xi64> -> tensor<28xi32>, tensor<28xi32>, tensor<8x2xi32>, tensor<7xi32>
// CHECK: %[[XR:.*]] = graph.gather %arg0, %[[TOKENS]] {axis = 0 : i64} : (tensor<8x2xf32>, tensor<28xi32>) -> tensor<28x2xf32>
// CHECK: %[[W1:.*]] = graph.constant dense_resource<routed_experts> : tensor<4x2x3xf32>
// CHECK: %[[A:.*]] = graph.grouped_matmul %[[XR]], %[[W1]], %[[GROUPS]] {group_rows = 4 : i64} : (tensor<28x2xf32>, tensor<4x2x3xf32>, tensor<7xi32>) -> tensor<28x3xf32>
// CHECK: %[[W3:.*]] = graph.constant dense_resource<routed_experts_1> : tensor<4x2x3xf32>
// CHECK: %[[B:.*]] = graph.grouped_matmul %[[XR]], %[[W3]], %[[GROUPS]] {group_rows = 4 : i64}
// CHECK: %[[S:.*]] = graph.sigmoid %[[A]] : tensor<28x3xf32> -> tensor<28x3xf32>
// CHECK: %[[SILU:.*]] = graph.mul %[[A]], %[[S]] : (tensor<28x3xf32>, tensor<28x3xf32>) -> tensor<28x3xf32>
// CHECK: %[[H:.*]] = graph.mul %[[SILU]], %[[B]]
// CHECK: %[[FLATW:.*]] = graph.reshape %[[WEIGHTS:.*]] {{.*}} : tensor<8x1x2xf32> -> tensor<16xf32>
// CHECK: %[[RW:.*]] = graph.gather %[[FLATW]], %[[SLOTS]] {axis = 0 : i64} : (tensor<16xf32>, tensor<28xi32>) -> tensor<28xf32>
// CHECK: %[[GATE:.*]] = graph.reshape %[[RW]] {{.*}} : tensor<28xf32> -> tensor<28x1xf32>
// CHECK: %[[GH:.*]] = graph.mul %[[H]], %[[GATE]] : (tensor<28x3xf32>, tensor<28x1xf32>) -> tensor<28x3xf32>
// CHECK: %[[W2:.*]] = graph.constant dense_resource<routed_experts_2> : tensor<4x3x2xf32>
// CHECK: %[[Y:.*]] = graph.grouped_matmul %[[GH]], %[[W2]], %[[GROUPS]] {group_rows = 4 : i64} : (tensor<28x3xf32>, tensor<4x3x2xf32>, tensor<7xi32>) -> tensor<28x2xf32>
// CHECK: %[[YS:.*]] = graph.gather %[[Y]], %[[ROWS]] {axis = 0 : i64} : (tensor<28x2xf32>, tensor<8x2xi32>) -> tensor<8x2x2xf32>
// CHECK: %[[SUM:.*]] = graph.reduce sum %[[YS]] {axes = array<i64: 1>, keepdims = false} : tensor<8x2x2xf32> -> tensor<8x2xf32>
// CHECK-NOT: graph.matmul
// CHECK: return %[[SUM]]
// The cost model: 512 routed rows (groups of 128) against 32 dense ones.
// DENSE-LABEL: func.func @routed_swiglu
// DENSE-NOT: graph.moe_route
// DENSE: graph.matmul
func.func @routed_swiglu(%x: tensor<8x2xf32>, %logits: tensor<8x4xf32>) -> tensor<8x2xf32> {
  %values, %indices = graph.topk %logits {axis = -1 : i64, k = 2 : i64} : tensor<8x4xf32> -> tensor<8x2xf32>, tensor<8x2xi64>
  %w1 = graph.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0]]> : tensor<2x12xf32>
  %w3 = graph.constant dense<0.5> : tensor<2x12xf32>
  %w2 = graph.constant dense<1.0> : tensor<12x2xf32>
  %iota = graph.constant dense<[[[0], [1], [2], [3]]]> : tensor<1x4x1xi64>
  %p1 = graph.matmul %x, %w1 : (tensor<8x2xf32>, tensor<2x12xf32>) -> tensor<8x12xf32>
  %a = graph.reshape %p1 {allow_zero = true, shape = array<i64: 8, 4, 3>} : tensor<8x12xf32> -> tensor<8x4x3xf32>
  %p3 = graph.matmul %x, %w3 : (tensor<8x2xf32>, tensor<2x12xf32>) -> tensor<8x12xf32>
  %b = graph.reshape %p3 {allow_zero = true, shape = array<i64: 8, 4, 3>} : tensor<8x12xf32> -> tensor<8x4x3xf32>
  %i3 = graph.reshape %indices {allow_zero = true, shape = array<i64: 8, 1, 2>} : tensor<8x2xi64> -> tensor<8x1x2xi64>
  %v3 = graph.reshape %values {allow_zero = true, shape = array<i64: 8, 1, 2>} : tensor<8x2xf32> -> tensor<8x1x2xf32>
  %eq = graph.compare eq, %i3, %iota : (tensor<8x1x2xi64>, tensor<1x4x1xi64>) -> tensor<8x4x2xi1>
  %sel = graph.cast %eq : tensor<8x4x2xi1> -> tensor<8x4x2xf32>
  %wsel = graph.mul %v3, %sel : (tensor<8x1x2xf32>, tensor<8x4x2xf32>) -> tensor<8x4x2xf32>
  %gate = graph.reduce sum %wsel {axes = array<i64: 2>, keepdims = true} : tensor<8x4x2xf32> -> tensor<8x4x1xf32>
  %s = graph.sigmoid %a : tensor<8x4x3xf32> -> tensor<8x4x3xf32>
  %silu = graph.mul %a, %s : (tensor<8x4x3xf32>, tensor<8x4x3xf32>) -> tensor<8x4x3xf32>
  %h = graph.mul %silu, %b : (tensor<8x4x3xf32>, tensor<8x4x3xf32>) -> tensor<8x4x3xf32>
  %gh = graph.mul %h, %gate : (tensor<8x4x3xf32>, tensor<8x4x1xf32>) -> tensor<8x4x3xf32>
  %flat = graph.reshape %gh {allow_zero = true, shape = array<i64: 8, 12>} : tensor<8x4x3xf32> -> tensor<8x12xf32>
  %y = graph.matmul %flat, %w2 : (tensor<8x12xf32>, tensor<12x2xf32>) -> tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}

// The gate compares the choices with expert indices in another order: the
// gate of expert e is not the choice of e, nothing is routed.
// CHECK-LABEL: func.func @permuted_expert_indices
// CHECK-NOT: graph.moe_route
// CHECK: graph.matmul
func.func @permuted_expert_indices(%x: tensor<8x2xf32>, %logits: tensor<8x2xf32>) -> tensor<8x2xf32> {
  %values, %indices = graph.topk %logits {axis = -1 : i64, k = 1 : i64} : tensor<8x2xf32> -> tensor<8x1xf32>, tensor<8x1xi64>
  %w1 = graph.constant dense<1.0> : tensor<2x6xf32>
  %w2 = graph.constant dense<1.0> : tensor<6x2xf32>
  %iota = graph.constant dense<[[[1], [0]]]> : tensor<1x2x1xi64>
  %p1 = graph.matmul %x, %w1 : (tensor<8x2xf32>, tensor<2x6xf32>) -> tensor<8x6xf32>
  %a = graph.reshape %p1 {allow_zero = true, shape = array<i64: 8, 2, 3>} : tensor<8x6xf32> -> tensor<8x2x3xf32>
  %i3 = graph.reshape %indices {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xi64> -> tensor<8x1x1xi64>
  %v3 = graph.reshape %values {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xf32> -> tensor<8x1x1xf32>
  %eq = graph.compare eq, %i3, %iota : (tensor<8x1x1xi64>, tensor<1x2x1xi64>) -> tensor<8x2x1xi1>
  %sel = graph.cast %eq : tensor<8x2x1xi1> -> tensor<8x2x1xf32>
  %wsel = graph.mul %v3, %sel : (tensor<8x1x1xf32>, tensor<8x2x1xf32>) -> tensor<8x2x1xf32>
  %gate = graph.reduce sum %wsel {axes = array<i64: 2>, keepdims = true} : tensor<8x2x1xf32> -> tensor<8x2x1xf32>
  %r = graph.relu %a : tensor<8x2x3xf32> -> tensor<8x2x3xf32>
  %gh = graph.mul %r, %gate : (tensor<8x2x3xf32>, tensor<8x2x1xf32>) -> tensor<8x2x3xf32>
  %flat = graph.reshape %gh {allow_zero = true, shape = array<i64: 8, 6>} : tensor<8x2x3xf32> -> tensor<8x6xf32>
  %y = graph.matmul %flat, %w2 : (tensor<8x6xf32>, tensor<6x2xf32>) -> tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}

// The body's projection is also returned: it is needed for every expert,
// nothing is routed.
// CHECK-LABEL: func.func @projection_read_elsewhere
// CHECK-NOT: graph.moe_route
func.func @projection_read_elsewhere(%x: tensor<8x2xf32>, %logits: tensor<8x2xf32>) -> (tensor<8x2xf32>, tensor<8x2x3xf32>) {
  %values, %indices = graph.topk %logits {axis = -1 : i64, k = 1 : i64} : tensor<8x2xf32> -> tensor<8x1xf32>, tensor<8x1xi64>
  %w1 = graph.constant dense<1.0> : tensor<2x6xf32>
  %w2 = graph.constant dense<1.0> : tensor<6x2xf32>
  %iota = graph.constant dense<[[[0], [1]]]> : tensor<1x2x1xi64>
  %p1 = graph.matmul %x, %w1 : (tensor<8x2xf32>, tensor<2x6xf32>) -> tensor<8x6xf32>
  %a = graph.reshape %p1 {allow_zero = true, shape = array<i64: 8, 2, 3>} : tensor<8x6xf32> -> tensor<8x2x3xf32>
  %i3 = graph.reshape %indices {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xi64> -> tensor<8x1x1xi64>
  %v3 = graph.reshape %values {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xf32> -> tensor<8x1x1xf32>
  %eq = graph.compare eq, %i3, %iota : (tensor<8x1x1xi64>, tensor<1x2x1xi64>) -> tensor<8x2x1xi1>
  %sel = graph.cast %eq : tensor<8x2x1xi1> -> tensor<8x2x1xf32>
  %wsel = graph.mul %v3, %sel : (tensor<8x1x1xf32>, tensor<8x2x1xf32>) -> tensor<8x2x1xf32>
  %gate = graph.reduce sum %wsel {axes = array<i64: 2>, keepdims = true} : tensor<8x2x1xf32> -> tensor<8x2x1xf32>
  %r = graph.relu %a : tensor<8x2x3xf32> -> tensor<8x2x3xf32>
  %gh = graph.mul %r, %gate : (tensor<8x2x3xf32>, tensor<8x2x1xf32>) -> tensor<8x2x3xf32>
  %flat = graph.reshape %gh {allow_zero = true, shape = array<i64: 8, 6>} : tensor<8x2x3xf32> -> tensor<8x6xf32>
  %y = graph.matmul %flat, %w2 : (tensor<8x6xf32>, tensor<6x2xf32>) -> tensor<8x2xf32>
  return %y, %a : tensor<8x2xf32>, tensor<8x2x3xf32>
}

// Both projections read one constant (identical weights): routed, the
// constant erased once.
// CHECK-LABEL: func.func @shared_weight
// CHECK: graph.moe_route
// CHECK-COUNT-3: graph.grouped_matmul
// CHECK-NOT: graph.matmul
func.func @shared_weight(%x: tensor<8x2xf32>, %logits: tensor<8x2xf32>) -> tensor<8x2xf32> {
  %values, %indices = graph.topk %logits {axis = -1 : i64, k = 1 : i64} : tensor<8x2xf32> -> tensor<8x1xf32>, tensor<8x1xi64>
  %w = graph.constant dense<1.0> : tensor<2x6xf32>
  %w2 = graph.constant dense<1.0> : tensor<6x2xf32>
  %iota = graph.constant dense<[[[0], [1]]]> : tensor<1x2x1xi64>
  %p1 = graph.matmul %x, %w : (tensor<8x2xf32>, tensor<2x6xf32>) -> tensor<8x6xf32>
  %a = graph.reshape %p1 {allow_zero = true, shape = array<i64: 8, 2, 3>} : tensor<8x6xf32> -> tensor<8x2x3xf32>
  %p3 = graph.matmul %x, %w : (tensor<8x2xf32>, tensor<2x6xf32>) -> tensor<8x6xf32>
  %b = graph.reshape %p3 {allow_zero = true, shape = array<i64: 8, 2, 3>} : tensor<8x6xf32> -> tensor<8x2x3xf32>
  %i3 = graph.reshape %indices {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xi64> -> tensor<8x1x1xi64>
  %v3 = graph.reshape %values {allow_zero = true, shape = array<i64: 8, 1, 1>} : tensor<8x1xf32> -> tensor<8x1x1xf32>
  %eq = graph.compare eq, %i3, %iota : (tensor<8x1x1xi64>, tensor<1x2x1xi64>) -> tensor<8x2x1xi1>
  %sel = graph.cast %eq : tensor<8x2x1xi1> -> tensor<8x2x1xf32>
  %wsel = graph.mul %v3, %sel : (tensor<8x1x1xf32>, tensor<8x2x1xf32>) -> tensor<8x2x1xf32>
  %gate = graph.reduce sum %wsel {axes = array<i64: 2>, keepdims = true} : tensor<8x2x1xf32> -> tensor<8x2x1xf32>
  %h = graph.mul %a, %b : (tensor<8x2x3xf32>, tensor<8x2x3xf32>) -> tensor<8x2x3xf32>
  %gh = graph.mul %h, %gate : (tensor<8x2x3xf32>, tensor<8x2x1xf32>) -> tensor<8x2x3xf32>
  %flat = graph.reshape %gh {allow_zero = true, shape = array<i64: 8, 6>} : tensor<8x2x3xf32> -> tensor<8x6xf32>
  %y = graph.matmul %flat, %w2 : (tensor<8x6xf32>, tensor<6x2xf32>) -> tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}
