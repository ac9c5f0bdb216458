// RUN: dsc-opt %s -graph-convert-precision=precision=fp16 | FileCheck %s --check-prefix=FP16
// RUN: dsc-opt %s -graph-convert-precision=precision=bf16 | FileCheck %s --check-prefix=BF16

// The signature keeps f32; everything inside becomes f16 (or bf16).
// FP16-LABEL: func.func @linear
// FP16-SAME: (%arg0: tensor<2x4xf32>) -> tensor<2x3xf32>
// FP16: %[[X:.*]] = graph.cast %arg0 : tensor<2x4xf32> -> tensor<2x4xf16>
// FP16: graph.constant dense<9.997550e-02> : tensor<4x3xf16>
// FP16: graph.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf16>
// FP16: %[[M:.*]] = graph.matmul %[[X]], %{{.*}} : (tensor<2x4xf16>, tensor<4x3xf16>) -> tensor<2x3xf16>
// FP16: %[[A:.*]] = graph.add %[[M]], %{{.*}} : (tensor<2x3xf16>, tensor<3xf16>) -> tensor<2x3xf16>
// FP16: %[[Y:.*]] = graph.cast %[[A]] : tensor<2x3xf16> -> tensor<2x3xf32>
// FP16: return %[[Y]]
// BF16-LABEL: func.func @linear
// BF16: graph.matmul {{.*}} -> tensor<2x3xbf16>
func.func @linear(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = graph.constant dense<0.1> : tensor<4x3xf32>
  %b = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = graph.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = graph.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Integer tensors are left alone.
// FP16-LABEL: func.func @ints
// FP16: graph.cast %arg0 : tensor<4xi64> -> tensor<4xf16>
func.func @ints(%x: tensor<4xi64>) -> tensor<4xf32> {
  %0 = graph.cast %x : tensor<4xi64> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// An MoE router: the selection's input (softmax of the router GEMM) stays
// f32, reading the f32 argument itself and an f32 weight; the expert GEMM
// and everything after the selection's values are f16.
// FP16-LABEL: func.func @router
// FP16-DAG: %[[XH:.*]] = graph.cast %arg0 : tensor<4x16xf32> -> tensor<4x16xf16>
// FP16-DAG: %[[WR:.*]] = graph.constant dense<{{.*}}> : tensor<16x8xf32>
// FP16-DAG: %[[WE:.*]] = graph.constant dense<{{.*}}> : tensor<16x16xf16>
// FP16: %[[L:.*]] = graph.matmul %arg0, %[[WR]] : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// FP16: %[[P:.*]] = graph.softmax %[[L]] {axis = -1 : i64} : tensor<4x8xf32> -> tensor<4x8xf32>
// FP16: %[[V:.*]], %{{.*}} = graph.topk %[[P]] {{.*}} : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x2xi64>
// FP16: %[[E:.*]] = graph.matmul %[[XH]], %[[WE]] : (tensor<4x16xf16>, tensor<16x16xf16>) -> tensor<4x16xf16>
// FP16: %[[VH:.*]] = graph.cast %[[V]] : tensor<4x2xf32> -> tensor<4x2xf16>
// FP16: %[[G:.*]] = graph.reduce sum %[[VH]] {{.*}} -> tensor<4x1xf16>
// FP16: graph.mul %[[E]], %[[G]]
// Without a selection, the same softmax is f16.
// FP16-LABEL: func.func @no_selection
// FP16: graph.softmax %{{.*}} : tensor<4x8xf16> -> tensor<4x8xf16>
func.func @router(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %wr = graph.constant dense<0.5> : tensor<16x8xf32>
  %we = graph.constant dense<0.25> : tensor<16x16xf32>
  %logits = graph.matmul %x, %wr : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %p = graph.softmax %logits {axis = -1 : i64} : tensor<4x8xf32> -> tensor<4x8xf32>
  %v, %i = graph.topk %p {axis = 1 : i64, k = 2 : i64} : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x2xi64>
  %e = graph.matmul %x, %we : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %g = graph.reduce sum %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %y = graph.mul %e, %g : (tensor<4x16xf32>, tensor<4x1xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

func.func @no_selection(%x: tensor<4x16xf32>) -> tensor<4x8xf32> {
  %wr = graph.constant dense<0.5> : tensor<16x8xf32>
  %logits = graph.matmul %x, %wr : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %p = graph.softmax %logits {axis = -1 : i64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %p : tensor<4x8xf32>
}

// Finite constants beyond the target's range saturate (finfo(float32).min
// masks stay finite; float32's max rounds up beyond bf16's too); infinities
// stay infinite.
// FP16-LABEL: func.func @saturate
// FP16: graph.constant dense<[-6.550400e+04, 6.550400e+04, 0xFC00, 1.000000e+00]> : tensor<4xf16>
// BF16-LABEL: func.func @saturate
// BF16: graph.constant dense<[-3.389530e+38, 3.389530e+38, 0xFF80, 1.000000e+00]> : tensor<4xbf16>
func.func @saturate(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = graph.constant dense<[-3.40282347E+38, 3.40282347E+38, 0xFF800000, 1.0]> : tensor<4xf32>
  %0 = graph.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
