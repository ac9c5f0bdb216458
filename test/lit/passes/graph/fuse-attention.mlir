// RUN: dsc-opt %s -split-input-file -graph-fuse-attention | FileCheck %s

// HF eager (BERT): Div by sqrt(d) on the scores, an additive padding mask.
// CHECK-LABEL: func.func @eager_padding_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x10x16xf32>, %[[V:.*]]: tensor<2x4x10x32xf32>, %[[M:.*]]: tensor<2x1x1x10xf32>)
// CHECK-NEXT: %[[A:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[M]] {scale = 2.500000e-01 : f32}
// CHECK-SAME: -> tensor<2x4x8x32xf32>
// CHECK-NEXT: return %[[A]]
func.func @eager_padding_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x10x16xf32>, %v: tensor<2x4x10x32xf32>, %m: tensor<2x1x1x10xf32>) -> tensor<2x4x8x32xf32> {
  %c = graph.constant dense<4.0> : tensor<f32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<2x4x10x16xf32> -> tensor<2x4x16x10xf32>
  %s = graph.matmul %q, %kt : (tensor<2x4x8x16xf32>, tensor<2x4x16x10xf32>) -> tensor<2x4x8x10xf32>
  %d = graph.div %s, %c : (tensor<2x4x8x10xf32>, tensor<f32>) -> tensor<2x4x8x10xf32>
  %a = graph.add %d, %m : (tensor<2x4x8x10xf32>, tensor<2x1x1x10xf32>) -> tensor<2x4x8x10xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<2x4x8x10xf32> -> tensor<2x4x8x10xf32>
  %o = graph.matmul %p, %v : (tensor<2x4x8x10xf32>, tensor<2x4x10x32xf32>) -> tensor<2x4x8x32xf32>
  return %o : tensor<2x4x8x32xf32>
}

// -----

// The dynamo decomposition of scaled_dot_product_attention: sqrt(scale) on
// q and on kT, the mask added first in operand order, a NaN guard.
// CHECK-LABEL: func.func @sdpa_decomposition
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2, %arg3 {scale = 0.12499{{[0-9]*}} : f32, zero_empty_rows}
// CHECK-NEXT: return %[[A]]
func.func @sdpa_decomposition(%q: tensor<1x2x5x64xf32>, %k: tensor<1x2x5x64xf32>, %v: tensor<1x2x5x64xf32>, %m: tensor<1x1x5x5xf32>) -> tensor<1x2x5x64xf32> {
  %r = graph.constant dense<0.353553385> : tensor<f32>
  %zero = graph.constant dense<0.0> : tensor<f32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x5x64xf32> -> tensor<1x2x64x5xf32>
  %qs = graph.mul %q, %r : (tensor<1x2x5x64xf32>, tensor<f32>) -> tensor<1x2x5x64xf32>
  %ks = graph.mul %kt, %r : (tensor<1x2x64x5xf32>, tensor<f32>) -> tensor<1x2x64x5xf32>
  %s = graph.matmul %qs, %ks : (tensor<1x2x5x64xf32>, tensor<1x2x64x5xf32>) -> tensor<1x2x5x5xf32>
  %a = graph.add %m, %s : (tensor<1x1x5x5xf32>, tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  %p = graph.softmax %a {axis = 3 : i64} : tensor<1x2x5x5xf32> -> tensor<1x2x5x5xf32>
  %nan = graph.compare ne, %p, %p : (tensor<1x2x5x5xf32>, tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xi1>
  %g = graph.select %nan, %zero, %p : (tensor<1x2x5x5xi1>, tensor<f32>, tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  %o = graph.matmul %g, %v : (tensor<1x2x5x5xf32>, tensor<1x2x5x64xf32>) -> tensor<1x2x5x64xf32>
  return %o : tensor<1x2x5x64xf32>
}

// -----

// A constant causal mask (0 on and below the diagonal, -inf above) is the
// causal attribute.
// CHECK-LABEL: func.func @additive_causal_constant
// CHECK-NOT: graph.constant
// CHECK: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2 {causal, scale = 1.000000e+00 : f32}
// CHECK-NEXT: return %[[A]]
func.func @additive_causal_constant(%q: tensor<1x1x3x8xf16>, %k: tensor<1x1x3x8xf16>, %v: tensor<1x1x3x8xf16>) -> tensor<1x1x3x8xf16> {
  %m = graph.constant dense<[[0.0, 0xFC00, 0xFC00], [0.0, 0.0, 0xFC00], [0.0, 0.0, 0.0]]> : tensor<3x3xf16>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x3x8xf16> -> tensor<1x1x8x3xf16>
  %s = graph.matmul %q, %kt : (tensor<1x1x3x8xf16>, tensor<1x1x8x3xf16>) -> tensor<1x1x3x3xf16>
  %a = graph.add %s, %m : (tensor<1x1x3x3xf16>, tensor<3x3xf16>) -> tensor<1x1x3x3xf16>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<1x1x3x3xf16> -> tensor<1x1x3x3xf16>
  %o = graph.matmul %p, %v : (tensor<1x1x3x3xf16>, tensor<1x1x3x8xf16>) -> tensor<1x1x3x8xf16>
  return %o : tensor<1x1x3x8xf16>
}

// -----

// The causal mask expanded over the batch ([B, 1, S, Sk], as HF builds it)
// is the causal attribute when every batch's slice is causal.
// CHECK-LABEL: func.func @batch_expanded_causal
// CHECK-NOT: graph.constant
// CHECK: graph.attention %arg0, %arg1, %arg2 {causal, scale = 1.000000e+00 : f32}
func.func @batch_expanded_causal(%q: tensor<2x2x2x8xf32>, %k: tensor<2x2x2x8xf32>, %v: tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32> {
  %m = graph.constant dense<[[[[0.0, -3.40282347E+38], [0.0, 0.0]]], [[[0.0, -3.40282347E+38], [0.0, 0.0]]]]> : tensor<2x1x2x2xf32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<2x2x2x8xf32> -> tensor<2x2x8x2xf32>
  %s = graph.matmul %q, %kt : (tensor<2x2x2x8xf32>, tensor<2x2x8x2xf32>) -> tensor<2x2x2x2xf32>
  %a = graph.add %s, %m : (tensor<2x2x2x2xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x2x2xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<2x2x2x2xf32> -> tensor<2x2x2x2xf32>
  %o = graph.matmul %p, %v : (tensor<2x2x2x2xf32>, tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
  return %o : tensor<2x2x2x8xf32>
}

// -----

// One batch's slice of an expanded mask is not causal: the mask stays.
// CHECK-LABEL: func.func @batch_expanded_not_causal
// CHECK: graph.attention %arg0, %arg1, %arg2, %{{.*}} {scale = 1.000000e+00 : f32}
func.func @batch_expanded_not_causal(%q: tensor<2x2x2x8xf32>, %k: tensor<2x2x2x8xf32>, %v: tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32> {
  %m = graph.constant dense<[[[[0.0, -3.40282347E+38], [0.0, 0.0]]], [[[0.0, -3.40282347E+38], [-3.40282347E+38, 0.0]]]]> : tensor<2x1x2x2xf32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<2x2x2x8xf32> -> tensor<2x2x8x2xf32>
  %s = graph.matmul %q, %kt : (tensor<2x2x2x8xf32>, tensor<2x2x8x2xf32>) -> tensor<2x2x2x2xf32>
  %a = graph.add %s, %m : (tensor<2x2x2x2xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x2x2xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<2x2x2x2xf32> -> tensor<2x2x2x2xf32>
  %o = graph.matmul %p, %v : (tensor<2x2x2x2xf32>, tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
  return %o : tensor<2x2x2x8xf32>
}

// -----

// GPT-2 eager: Div, Where(causal, scores, finfo.min), then the padding mask;
// kT is a transpose of another layout (composed into one transpose of k).
// CHECK-LABEL: func.func @gpt2_eager
// CHECK: %[[K:.*]] = graph.transpose %arg1 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x8xf32> -> tensor<1x2x4x8xf32>
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %[[K]], %arg2, %arg3 {causal, scale = 0.353553{{[0-9]*}} : f32}
// CHECK-NEXT: return %[[A]]
func.func @gpt2_eager(%q: tensor<1x2x4x8xf32>, %k: tensor<1x4x2x8xf32>, %v: tensor<1x2x4x8xf32>, %pad: tensor<1x1x1x4xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<2.82842708> : tensor<f32>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %causal = graph.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %kt = graph.transpose %k {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %d = graph.div %s, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %w = graph.select %causal, %d, %min : (tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %a = graph.add %w, %pad : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A boolean mask: Where(cond, scores, -inf) keeps where cond holds;
// Where(cond, -inf, scores) drops there (the condition is negated). kT is
// not a transpose: k is transposed back.
// CHECK-LABEL: func.func @bool_masks
// CHECK: %[[K:.*]] = graph.transpose %arg1 {perm = array<i64: 0, 1, 3, 2>} : tensor<2x2x16x6xf32> -> tensor<2x2x6x16xf32>
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %[[K]], %arg2, %arg3 {scale = 1.000000e+00 : f32}
// CHECK: %[[N:.*]] = graph.not %arg3
// CHECK-NEXT: graph.attention %arg0, %[[K2:.*]], %arg2, %[[N]] {scale = 1.000000e+00 : f32}
func.func @bool_masks(%q: tensor<2x2x6x16xf32>, %kt: tensor<2x2x16x6xf32>, %v: tensor<2x2x6x16xf32>, %m: tensor<2x1x1x6xi1>) -> (tensor<2x2x6x16xf32>, tensor<2x2x6x16xf32>) {
  %inf = graph.constant dense<0xFF800000> : tensor<f32>
  %s = graph.matmul %q, %kt : (tensor<2x2x6x16xf32>, tensor<2x2x16x6xf32>) -> tensor<2x2x6x6xf32>
  %w = graph.select %m, %s, %inf : (tensor<2x1x1x6xi1>, tensor<2x2x6x6xf32>, tensor<f32>) -> tensor<2x2x6x6xf32>
  %p = graph.softmax %w {axis = -1 : i64} : tensor<2x2x6x6xf32> -> tensor<2x2x6x6xf32>
  %o = graph.matmul %p, %v : (tensor<2x2x6x6xf32>, tensor<2x2x6x16xf32>) -> tensor<2x2x6x16xf32>
  %s2 = graph.matmul %q, %kt : (tensor<2x2x6x16xf32>, tensor<2x2x16x6xf32>) -> tensor<2x2x6x6xf32>
  %w2 = graph.select %m, %inf, %s2 : (tensor<2x1x1x6xi1>, tensor<f32>, tensor<2x2x6x6xf32>) -> tensor<2x2x6x6xf32>
  %p2 = graph.softmax %w2 {axis = -1 : i64} : tensor<2x2x6x6xf32> -> tensor<2x2x6x6xf32>
  %o2 = graph.matmul %p2, %v : (tensor<2x2x6x6xf32>, tensor<2x2x6x16xf32>) -> tensor<2x2x6x16xf32>
  return %o, %o2 : tensor<2x2x6x16xf32>, tensor<2x2x6x16xf32>
}

// -----

// A finite fill (finfo.min) with a condition that is not causal: an
// additive mask select(cond, 0, fill).
// CHECK-LABEL: func.func @finite_fill
// CHECK-DAG: %[[ZERO:.*]] = graph.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[FILL:.*]] = graph.constant dense<-3.40282347E+38> : tensor<f32>
// CHECK: %[[M:.*]] = graph.select %arg3, %[[ZERO]], %[[FILL]] : (tensor<1x1x1x6xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x1x6xf32>
// CHECK-NEXT: graph.attention %arg0, %arg1, %arg2, %[[M]]
func.func @finite_fill(%q: tensor<1x2x6x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %m: tensor<1x1x1x6xi1>) -> tensor<1x2x6x16xf32> {
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x6x16xf32> -> tensor<1x2x16x6xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x6x16xf32>, tensor<1x2x16x6xf32>) -> tensor<1x2x6x6xf32>
  %w = graph.select %m, %s, %min : (tensor<1x1x1x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
  %p = graph.softmax %w {axis = -1 : i64} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x6x6xf32>, tensor<1x2x6x16xf32>) -> tensor<1x2x6x16xf32>
  return %o : tensor<1x2x6x16xf32>
}

// -----

// fp16 with softmax in f32 (casts around it).
// CHECK-LABEL: func.func @f16_softmax_in_f32
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2 {scale = 1.250000e-01 : f32} : (tensor<1x2x7x64xf16>, tensor<1x2x7x64xf16>, tensor<1x2x7x64xf16>) -> tensor<1x2x7x64xf16>
// CHECK-NEXT: return %[[A]]
func.func @f16_softmax_in_f32(%q: tensor<1x2x7x64xf16>, %k: tensor<1x2x7x64xf16>, %v: tensor<1x2x7x64xf16>) -> tensor<1x2x7x64xf16> {
  %c = graph.constant dense<1.250000e-01> : tensor<f16>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x7x64xf16> -> tensor<1x2x64x7xf16>
  %s = graph.matmul %q, %kt : (tensor<1x2x7x64xf16>, tensor<1x2x64x7xf16>) -> tensor<1x2x7x7xf16>
  %d = graph.mul %c, %s : (tensor<f16>, tensor<1x2x7x7xf16>) -> tensor<1x2x7x7xf16>
  %up = graph.cast %d : tensor<1x2x7x7xf16> -> tensor<1x2x7x7xf32>
  %p = graph.softmax %up {axis = -1 : i64} : tensor<1x2x7x7xf32> -> tensor<1x2x7x7xf32>
  %down = graph.cast %p : tensor<1x2x7x7xf32> -> tensor<1x2x7x7xf16>
  %o = graph.matmul %down, %v : (tensor<1x2x7x7xf16>, tensor<1x2x7x64xf16>) -> tensor<1x2x7x64xf16>
  return %o : tensor<1x2x7x64xf16>
}

// -----

// Not fused: the scores are returned too.
// CHECK-LABEL: func.func @scores_used_elsewhere
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
func.func @scores_used_elsewhere(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.softmax %s {axis = -1 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o, %s : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not fused: the probabilities are returned too.
// CHECK-LABEL: func.func @probs_used_elsewhere
// CHECK-NOT: graph.attention
func.func @probs_used_elsewhere(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.softmax %s {axis = -1 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o, %p : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not fused: softmax over the query axis.
// CHECK-LABEL: func.func @softmax_other_axis
// CHECK-NOT: graph.attention
// CHECK: graph.softmax %{{.*}} {axis = 2 : i64}
func.func @softmax_other_axis(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.softmax %s {axis = 2 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Not fused: the mask enlarges the scores (batch 1 scores, batch 2 mask).
// CHECK-LABEL: func.func @mask_wrong_shape
// CHECK-NOT: graph.attention
func.func @mask_wrong_shape(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<2x2x4x8xf32>, %m: tensor<2x1x4x4xf32>) -> tensor<2x2x4x8xf32> {
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %a = graph.add %s, %m : (tensor<1x2x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<2x2x4x4xf32> -> tensor<2x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<2x2x4x4xf32>, tensor<2x2x4x8xf32>) -> tensor<2x2x4x8xf32>
  return %o : tensor<2x2x4x8xf32>
}

// -----

// Not fused: a scale after the mask would scale the mask.
// CHECK-LABEL: func.func @scale_after_mask
// CHECK-NOT: graph.attention
func.func @scale_after_mask(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %m: tensor<1x1x1x4xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<2.0> : tensor<f32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %a = graph.add %s, %m : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  %d = graph.div %a, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = graph.softmax %d {axis = -1 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Not fused: a causal-looking constant with a masked entry on the diagonal
// is an ordinary mask (kept as the mask operand, no causal attribute).
// CHECK-LABEL: func.func @almost_causal
// CHECK: graph.attention %arg0, %arg1, %arg2, %{{.*}} {scale = 1.000000e+00 : f32}
func.func @almost_causal(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>, %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %m = graph.constant dense<[[0.0, 0xFF800000], [0.0, 0xFF800000]]> : tensor<2x2xf32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x2x8xf32> -> tensor<1x1x8x2xf32>
  %s = graph.matmul %q, %kt : (tensor<1x1x2x8xf32>, tensor<1x1x8x2xf32>) -> tensor<1x1x2x2xf32>
  %a = graph.add %s, %m : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %o = graph.matmul %p, %v : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// The dynamo decomposition's key: transposed with batch and heads flattened
// (reshape, transpose [0, 2, 1], reshape) and scaled; k is read as it was.
// A constant mask of zeros (an all-ones attention mask) is no mask.
// CHECK-LABEL: func.func @flattened_key_zero_mask
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2 {scale = 0.12499{{[0-9]*}} : f32}
// CHECK-NEXT: return %[[A]]
func.func @flattened_key_zero_mask(%q: tensor<1x2x5x64xf32>, %k: tensor<1x2x5x64xf32>, %v: tensor<1x2x5x64xf32>) -> tensor<1x2x5x64xf32> {
  %r = graph.constant dense<0.353553385> : tensor<f32>
  %zero = graph.constant dense<0.0> : tensor<1x1x5x5xf32>
  %flat = graph.reshape %k {shape = array<i64: 2, 5, 64>} : tensor<1x2x5x64xf32> -> tensor<2x5x64xf32>
  %t = graph.transpose %flat {perm = array<i64: 0, 2, 1>} : tensor<2x5x64xf32> -> tensor<2x64x5xf32>
  %kt = graph.reshape %t {shape = array<i64: 1, 2, 64, 5>} : tensor<2x64x5xf32> -> tensor<1x2x64x5xf32>
  %qs = graph.mul %q, %r : (tensor<1x2x5x64xf32>, tensor<f32>) -> tensor<1x2x5x64xf32>
  %ks = graph.mul %kt, %r : (tensor<1x2x64x5xf32>, tensor<f32>) -> tensor<1x2x64x5xf32>
  %s = graph.matmul %qs, %ks : (tensor<1x2x5x64xf32>, tensor<1x2x64x5xf32>) -> tensor<1x2x5x5xf32>
  %a = graph.add %s, %zero : (tensor<1x2x5x5xf32>, tensor<1x1x5x5xf32>) -> tensor<1x2x5x5xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<1x2x5x5xf32> -> tensor<1x2x5x5xf32>
  %o = graph.matmul %p, %v : (tensor<1x2x5x5xf32>, tensor<1x2x5x64xf32>) -> tensor<1x2x5x64xf32>
  return %o : tensor<1x2x5x64xf32>
}

// -----

// GPT-2 eager without padding: Where(causal, w, finfo.min) and an all-true
// boolean Where: causal and no mask.
// CHECK-LABEL: func.func @causal_and_all_true
// CHECK-NEXT: %[[A:.*]] = graph.attention %arg0, %arg1, %arg2 {causal, scale = 1.000000e+00 : f32}
// CHECK-NEXT: return %[[A]]
func.func @causal_and_all_true(%q: tensor<1x1x3x8xf32>, %k: tensor<1x1x3x8xf32>, %v: tensor<1x1x3x8xf32>) -> tensor<1x1x3x8xf32> {
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %inf = graph.constant dense<0xFF800000> : tensor<f32>
  %causal = graph.constant dense<[[true, false, false], [true, true, false], [true, true, true]]> : tensor<3x3xi1>
  %all = graph.constant dense<true> : tensor<1x1x1x3xi1>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x3x8xf32> -> tensor<1x1x8x3xf32>
  %s = graph.matmul %q, %kt : (tensor<1x1x3x8xf32>, tensor<1x1x8x3xf32>) -> tensor<1x1x3x3xf32>
  %w = graph.select %causal, %s, %min : (tensor<3x3xi1>, tensor<1x1x3x3xf32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  %w2 = graph.select %all, %w, %inf : (tensor<1x1x1x3xi1>, tensor<1x1x3x3xf32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  %p = graph.softmax %w2 {axis = -1 : i64} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
  %o = graph.matmul %p, %v : (tensor<1x1x3x3xf32>, tensor<1x1x3x8xf32>) -> tensor<1x1x3x8xf32>
  return %o : tensor<1x1x3x8xf32>
}

// -----

// Not fused: an infinite scale has no graph.attention (its scale is finite).
// CHECK-LABEL: func.func @infinite_scale
// CHECK-NOT: graph.attention
func.func @infinite_scale(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>, %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %c = graph.constant dense<0x7F800000> : tensor<f32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x2x8xf32> -> tensor<1x1x8x2xf32>
  %s = graph.matmul %q, %kt : (tensor<1x1x2x8xf32>, tensor<1x1x8x2xf32>) -> tensor<1x1x2x2xf32>
  %d = graph.mul %s, %c : (tensor<1x1x2x2xf32>, tensor<f32>) -> tensor<1x1x2x2xf32>
  %p = graph.softmax %d {axis = -1 : i64} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %o = graph.matmul %p, %v : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// Two constant masks: the causal one is the attribute; a padding row that
// keeps only key 0 is not causal for 4 query rows (it stays the mask).
// CHECK-LABEL: func.func @causal_and_padding_constants
// CHECK: %[[PAD:.*]] = graph.constant dense<{{\[\[\[\[}}0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000]]]]> : tensor<1x1x1x4xf32>
// CHECK: graph.attention %arg0, %arg1, %arg2, %[[PAD]] {causal, scale = 1.000000e+00 : f32}
func.func @causal_and_padding_constants(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %pad = graph.constant dense<[[[[0.0, 0xFF800000, 0xFF800000, 0xFF800000]]]]> : tensor<1x1x1x4xf32>
  %causal = graph.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x4x8xf32> -> tensor<1x1x8x4xf32>
  %s = graph.matmul %q, %kt : (tensor<1x1x4x8xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x4x4xf32>
  %w = graph.select %causal, %s, %min : (tensor<4x4xi1>, tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %a = graph.add %w, %pad : (tensor<1x1x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x1x4x4xf32>
  %p = graph.softmax %a {axis = -1 : i64} : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %o = graph.matmul %p, %v : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
