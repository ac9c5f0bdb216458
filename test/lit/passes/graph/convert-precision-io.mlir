// RUN: dsc-opt %s -graph-convert-precision="precision=fp16 io-precision=compute" | FileCheck %s

// io-precision=compute: the f32 arguments and results take the target
// type, with no casts at the edges.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%arg0: tensor<2x4xf16>) -> tensor<2x3xf16>
// CHECK-NOT: graph.cast
// CHECK: %[[M:.*]] = graph.matmul %arg0, %{{.*}} : (tensor<2x4xf16>, tensor<4x3xf16>) -> tensor<2x3xf16>
// CHECK: %[[A:.*]] = graph.add %[[M]], %{{.*}} -> tensor<2x3xf16>
// CHECK-NEXT: return %[[A]]
func.func @linear(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = graph.constant dense<0.1> : tensor<4x3xf32>
  %b = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = graph.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = graph.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// The selection's f32 slice reads the now 16-bit argument through a cast;
// an f32 result computed in f32 is cast to the target on its way out;
// integer arguments and results keep their types.
// CHECK-LABEL: func.func @router
// CHECK-SAME: (%arg0: tensor<4x16xf16>, %arg1: tensor<4xi64>) -> (tensor<4x8xf16>, tensor<4x2xi64>)
// CHECK: %[[X:.*]] = graph.cast %arg0 : tensor<4x16xf16> -> tensor<4x16xf32>
// CHECK: %[[L:.*]] = graph.matmul %[[X]], %{{.*}} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[P:.*]] = graph.softmax %[[L]]
// CHECK: %{{.*}}, %[[I:.*]] = graph.topk %[[P]]
// CHECK: %[[PH:.*]] = graph.cast %[[P]] : tensor<4x8xf32> -> tensor<4x8xf16>
// CHECK: return %[[PH]], %[[I]]
func.func @router(%x: tensor<4x16xf32>, %n: tensor<4xi64>) -> (tensor<4x8xf32>, tensor<4x2xi64>) {
  %wr = graph.constant dense<0.5> : tensor<16x8xf32>
  %logits = graph.matmul %x, %wr : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %p = graph.softmax %logits {axis = -1 : i64} : tensor<4x8xf32> -> tensor<4x8xf32>
  %v, %i = graph.topk %p {axis = 1 : i64, k = 2 : i64} : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x2xi64>
  return %p, %i : tensor<4x8xf32>, tensor<4x2xi64>
}
