// RUN: dsc-opt %s -split-input-file -verify-diagnostics

func.func @rank(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op query must have rank 4 (B x H x S x D), not 3}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @heads(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op query, key and value differ in their heads}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @depth(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op query depth 16 differs from key depth 32}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @positions(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x9x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op key has 8 positions, value 9}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x9x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @mask_shape(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x10x16xf32>, %v: tensor<1x4x10x16xf32>, %m: tensor<1x1x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op mask shape 1x1x8x8 does not broadcast to the scores (B x H x S x Sk)}}
  %0 = graph.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x10x16xf32>, tensor<1x4x10x16xf32>, tensor<1x1x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @mask_type(%q: tensor<1x4x8x16xf16>, %k: tensor<1x4x8x16xf16>, %v: tensor<1x4x8x16xf16>, %m: tensor<1x1x8x8xf32>) -> tensor<*xf16> {
  // expected-error @+1 {{'graph.attention' op mask must be i1 or have the query's element type 'f16', not 'f32'}}
  %0 = graph.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x4x8x16xf16>, tensor<1x4x8x16xf16>, tensor<1x4x8x16xf16>, tensor<1x1x8x8xf32>) -> tensor<*xf16>
  return %0 : tensor<*xf16>
}

// -----

func.func @integer(%q: tensor<1x4x8x16xi32>, %k: tensor<1x4x8x16xi32>, %v: tensor<1x4x8x16xi32>) -> tensor<*xi32> {
  // expected-error @+1 {{'graph.attention' op query must have a floating-point element type, not 'i32'}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x8x16xi32>, tensor<1x4x8x16xi32>, tensor<1x4x8x16xi32>) -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

func.func @mixed_types(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf16>, %v: tensor<1x4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op query, key, value and result must have one element type}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf16>, tensor<1x4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @scale(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op scale must be finite}}
  %0 = graph.attention %q, %k, %v {scale = 0x7F800000 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @offsets_without_seq_major(%q: tensor<1x4x8x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op head_offsets and num_heads need seq_major}}
  %0 = graph.attention %q, %q, %q {scale = 1.0 : f32, head_offsets = array<i64: 0, 1, 2>, num_heads = 1 : i64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @offsets_without_heads(%q: tensor<1x8x6x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op head_offsets and num_heads go together}}
  %0 = graph.attention %q, %q, %q {scale = 1.0 : f32, seq_major, head_offsets = array<i64: 0, 2, 4>} : (tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @packed_heads_out_of_range(%qkv: tensor<1x8x6x16xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'graph.attention' op heads 4 to 6 of operand 2 do not exist (it holds 6)}}
  %0 = graph.attention %qkv, %qkv, %qkv {scale = 1.0 : f32, seq_major, head_offsets = array<i64: 0, 2, 4>, num_heads = 3 : i64} : (tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
