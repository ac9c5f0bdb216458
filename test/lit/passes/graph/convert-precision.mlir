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
