// RUN: dsc-opt %s -graph-attention-layout -canonicalize | FileCheck %s

// BERT's form: three projections, each B x S x H x D transposed to
// B x H x S x D, and the result transposed back: no transposes remain.
// CHECK-LABEL: func.func @separate_projections
// CHECK-NOT: graph.transpose
// CHECK: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2 {scale = 1.250000e-01 : f32, seq_major} : (tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>) -> tensor<2x8x4x16xf16>
// CHECK-NOT: graph.transpose
// CHECK: return %[[A]]
func.func @separate_projections(%q: tensor<2x8x4x16xf16>, %k: tensor<2x8x4x16xf16>, %v: tensor<2x8x4x16xf16>) -> tensor<2x8x4x16xf16> {
  %qt = graph.transpose %q {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %kt = graph.transpose %k {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %vt = graph.transpose %v {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %a = graph.attention %qt, %kt, %vt {scale = 0.125 : f32} : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>) -> tensor<2x4x8x16xf16>
  %o = graph.transpose %a {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x8x16xf16> -> tensor<2x8x4x16xf16>
  return %o : tensor<2x8x4x16xf16>
}

// GPT-2's form: one B x S x 3HD projection sliced three ways. The
// attention reads it as B x S x 3H x D from heads 0, H and 2H; the mask
// and causal flag stay; a user of the B x H x S x D result reads a
// transpose of the new one.
// CHECK-LABEL: func.func @packed_projection
// CHECK: %[[P:.*]] = graph.reshape %arg0 {{.*}} : tensor<2x8x192xf16> -> tensor<2x8x12x16xf16>
// CHECK-NEXT: %[[A:.*]] = graph.attention %[[P]], %[[P]], %[[P]], %arg1 {causal, head_offsets = array<i64: 0, 4, 8>, num_heads = 4 : i64, scale = 1.250000e-01 : f32, seq_major}
// CHECK-SAME: -> tensor<2x8x4x16xf16>
// CHECK: %[[T:.*]] = graph.transpose %[[A]] {perm = array<i64: 0, 2, 1, 3>}
// CHECK: return %[[T]]
func.func @packed_projection(%qkv: tensor<2x8x192xf16>, %mask: tensor<1x1x8x8xf16>) -> tensor<2x4x8x16xf16> {
  %q = graph.slice %qkv {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 64>, steps = array<i64: 1>} : tensor<2x8x192xf16> -> tensor<2x8x64xf16>
  %k = graph.slice %qkv {axes = array<i64: 2>, starts = array<i64: 64>, ends = array<i64: 128>, steps = array<i64: 1>} : tensor<2x8x192xf16> -> tensor<2x8x64xf16>
  %v = graph.slice %qkv {axes = array<i64: -1>, starts = array<i64: 128>, ends = array<i64: 9223372036854775807>, steps = array<i64: 1>} : tensor<2x8x192xf16> -> tensor<2x8x64xf16>
  %q4 = graph.reshape %q {allow_zero = true, shape = array<i64: 2, 8, 4, 16>} : tensor<2x8x64xf16> -> tensor<2x8x4x16xf16>
  %k4 = graph.reshape %k {allow_zero = true, shape = array<i64: 2, 8, 4, 16>} : tensor<2x8x64xf16> -> tensor<2x8x4x16xf16>
  %v4 = graph.reshape %v {allow_zero = true, shape = array<i64: 2, 8, 4, 16>} : tensor<2x8x64xf16> -> tensor<2x8x4x16xf16>
  %qt = graph.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %kt = graph.transpose %k4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %vt = graph.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %a = graph.attention %qt, %kt, %vt, %mask {scale = 0.125 : f32, causal} : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<1x1x8x8xf16>) -> tensor<2x4x8x16xf16>
  return %a : tensor<2x4x8x16xf16>
}

// Stays: the key is not a transpose of a projection, or a slice is not
// whole heads (offset 8 of depth 16).
// CHECK-LABEL: func.func @stays
// CHECK: graph.attention %{{.*}}, %arg1, %{{.*}} {scale = 1.250000e-01 : f32} :
// CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f32, seq_major} : (tensor<2x8x4x16xf16>,
func.func @stays(%q: tensor<2x8x4x16xf16>, %k: tensor<2x4x8x16xf16>, %p: tensor<2x8x72xf16>) -> (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>) {
  %qt = graph.transpose %q {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %a = graph.attention %qt, %k, %qt {scale = 0.125 : f32} : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>) -> tensor<2x4x8x16xf16>
  %s = graph.slice %p {axes = array<i64: 2>, starts = array<i64: 8>, ends = array<i64: 72>, steps = array<i64: 1>} : tensor<2x8x72xf16> -> tensor<2x8x64xf16>
  %s4 = graph.reshape %s {allow_zero = true, shape = array<i64: 2, 8, 4, 16>} : tensor<2x8x64xf16> -> tensor<2x8x4x16xf16>
  %st = graph.transpose %s4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x16xf16> -> tensor<2x4x8x16xf16>
  %b = graph.attention %st, %st, %st {scale = 0.125 : f32} : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>) -> tensor<2x4x8x16xf16>
  return %a, %b : tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>
}
