// RUN: dsc-opt %s -graph-hoist-row-scale | FileCheck %s

// An MoE expert's `out + gate * (h @ W)`: the gate scales h instead.
// CHECK-LABEL: func.func @expert
// CHECK: %[[S:.*]] = graph.mul %arg0, %arg1 : (tensor<6x4xf32>, tensor<6x1xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: %[[P:.*]] = graph.matmul %[[S]], %{{.*}} : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
// CHECK-NEXT: graph.add %arg2, %[[P]]
func.func @expert(%h: tensor<6x4xf32>, %gate: tensor<6x1xf32>, %out: tensor<6x3xf32>) -> tensor<6x3xf32> {
  %w = graph.constant dense<0.5> : tensor<4x3xf32>
  %y = graph.matmul %h, %w : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %g = graph.mul %gate, %y : (tensor<6x1xf32>, tensor<6x3xf32>) -> tensor<6x3xf32>
  %o = graph.add %out, %g : (tensor<6x3xf32>, tensor<6x3xf32>) -> tensor<6x3xf32>
  return %o : tensor<6x3xf32>
}

// Not a row scale: one factor per column, per element, or a product used
// twice stays as it is.
// CHECK-LABEL: func.func @not_row_scales
// CHECK: %[[Y:.*]] = graph.matmul %arg0
// CHECK-NEXT: graph.mul %[[Y]], %arg1
// CHECK: %[[Z:.*]] = graph.matmul %arg0
// CHECK-NEXT: graph.mul %[[Z]], %arg2
// CHECK: %[[U:.*]] = graph.matmul %arg0
// CHECK-NEXT: graph.mul %[[U]], %arg3
func.func @not_row_scales(%h: tensor<6x4xf32>, %col: tensor<1x3xf32>, %full: tensor<6x3xf32>, %row: tensor<6x1xf32>) -> (tensor<6x3xf32>, tensor<6x3xf32>, tensor<6x3xf32>, tensor<6x3xf32>) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32>
  %y = graph.matmul %h, %w : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %a = graph.mul %y, %col : (tensor<6x3xf32>, tensor<1x3xf32>) -> tensor<6x3xf32>
  %z = graph.matmul %h, %w : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %b = graph.mul %z, %full : (tensor<6x3xf32>, tensor<6x3xf32>) -> tensor<6x3xf32>
  %u = graph.matmul %h, %w : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %c = graph.mul %u, %row : (tensor<6x3xf32>, tensor<6x1xf32>) -> tensor<6x3xf32>
  return %a, %b, %c, %u : tensor<6x3xf32>, tensor<6x3xf32>, tensor<6x3xf32>, tensor<6x3xf32>
}

// The gate is computed after the product (an exporter's node order): the
// scaled input and the matmul go where the gate is used.
// CHECK-LABEL: func.func @gate_after_product
// CHECK: %[[G:.*]] = graph.sigmoid %arg1
// CHECK-NEXT: %[[S:.*]] = graph.mul %arg0, %[[G]]
// CHECK-NEXT: %[[P:.*]] = graph.matmul %[[S]]
// CHECK-NEXT: return %[[P]]
func.func @gate_after_product(%h: tensor<6x4xf32>, %logit: tensor<6x1xf32>) -> tensor<6x3xf32> {
  %w = graph.constant dense<0.5> : tensor<4x3xf32>
  %y = graph.matmul %h, %w : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %gate = graph.sigmoid %logit : tensor<6x1xf32> -> tensor<6x1xf32>
  %g = graph.mul %y, %gate : (tensor<6x3xf32>, tensor<6x1xf32>) -> tensor<6x3xf32>
  return %g : tensor<6x3xf32>
}
