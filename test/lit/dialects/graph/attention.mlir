// RUN: dsc-opt %s | dsc-opt | FileCheck %s
// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s --check-prefix=SHAPES

// CHECK-LABEL: func.func @attention
// SHAPES-LABEL: func.func @attention
func.func @attention(%q: tensor<2x4x8x16xf16>, %k: tensor<2x4x10x16xf16>, %v: tensor<2x4x10x32xf16>, %m: tensor<2x1x1x10xf16>) -> tensor<*xf16> {
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f32}
  // SHAPES: graph.attention {{.*}} -> tensor<2x4x8x32xf16>
  %0 = graph.attention %q, %k, %v, %m {scale = 0.25 : f32} : (tensor<2x4x8x16xf16>, tensor<2x4x10x16xf16>, tensor<2x4x10x32xf16>, tensor<2x1x1x10xf16>) -> tensor<*xf16>
  return %0 : tensor<*xf16>
}

// CHECK-LABEL: func.func @causal_bool_mask
// SHAPES-LABEL: func.func @causal_bool_mask
func.func @causal_bool_mask(%q: tensor<1x2x5x64xf32>, %k: tensor<1x2x5x64xf32>, %v: tensor<1x2x5x64xf32>, %m: tensor<5x5xi1>) -> tensor<*xf32> {
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 1.250000e-01 : f32, zero_empty_rows}
  // SHAPES: graph.attention {{.*}} -> tensor<1x2x5x64xf32>
  %0 = graph.attention %q, %k, %v, %m {scale = 0.125 : f32, causal, zero_empty_rows} : (tensor<1x2x5x64xf32>, tensor<1x2x5x64xf32>, tensor<1x2x5x64xf32>, tensor<5x5xi1>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// Positions before heads; a packed B x S x 3H x D projection read as query,
// key and value through head offsets.
// CHECK-LABEL: func.func @seq_major_packed
// SHAPES-LABEL: func.func @seq_major_packed
func.func @seq_major_packed(%qkv: tensor<2x8x12x16xf16>, %q: tensor<2x8x4x16xf16>) -> (tensor<*xf16>, tensor<*xf16>) {
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}} {head_offsets = array<i64: 0, 4, 8>, num_heads = 4 : i64, scale = 2.500000e-01 : f32, seq_major}
  // SHAPES: graph.attention {{.*}} -> tensor<2x8x4x16xf16>
  %0 = graph.attention %qkv, %qkv, %qkv {scale = 0.25 : f32, seq_major, head_offsets = array<i64: 0, 4, 8>, num_heads = 4 : i64} : (tensor<2x8x12x16xf16>, tensor<2x8x12x16xf16>, tensor<2x8x12x16xf16>) -> tensor<*xf16>
  // SHAPES: graph.attention {{.*}} -> tensor<2x8x4x16xf16>
  %1 = graph.attention %q, %q, %q {scale = 0.25 : f32, seq_major} : (tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>) -> tensor<*xf16>
  return %0, %1 : tensor<*xf16>, tensor<*xf16>
}
