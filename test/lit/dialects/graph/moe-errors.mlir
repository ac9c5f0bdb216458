// RUN: dsc-opt %s -split-input-file -verify-diagnostics

func.func @route_rows(%c: tensor<150x2xi64>) {
  // expected-error @+1 {{'graph.moe_route' op result #0 must have shape 1280, not 1024}}
  %t, %s, %r, %g = graph.moe_route %c {experts = 8 : i64, group_rows = 128 : i64} : tensor<150x2xi64> -> tensor<1024xi32>, tensor<1280xi32>, tensor<150x2xi32>, tensor<10xi32>
  return
}

// -----

func.func @route_experts(%c: tensor<4x2xi64>) {
  // expected-error @+1 {{'graph.moe_route' op experts must be at least 1, not 0}}
  %t, %s, %r, %g = graph.moe_route %c {experts = 0 : i64, group_rows = 4 : i64} : tensor<4x2xi64> -> tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
  return
}

// -----

func.func @route_float_choices(%c: tensor<4x2xf32>) {
  // expected-error @+1 {{'graph.moe_route' op choices must be i32 or i64, not 'f32'}}
  %t, %s, %r, %g = graph.moe_route %c {experts = 2 : i64, group_rows = 4 : i64} : tensor<4x2xf32> -> tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
  return
}

// -----

func.func @route_rank(%c: tensor<8xi64>) {
  // expected-error @+1 {{'graph.moe_route' op choices must be [tokens, k], not rank 1}}
  %t, %s, %r, %g = graph.moe_route %c {experts = 2 : i64, group_rows = 4 : i64} : tensor<8xi64> -> tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
  return
}

// -----

func.func @grouped_rows(%a: tensor<100x64xf16>, %w: tensor<8x64x96xf16>, %g: tensor<1xi32>) {
  // expected-error @+1 {{'graph.grouped_matmul' op lhs has 100 rows, not 1 groups of 128}}
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<100x64xf16>, tensor<8x64x96xf16>, tensor<1xi32>) -> tensor<100x96xf16>
  return
}

// -----

func.func @grouped_contraction(%a: tensor<128x64xf16>, %w: tensor<8x32x96xf16>, %g: tensor<1xi32>) {
  // expected-error @+1 {{'graph.grouped_matmul' op contracts lhs columns (64) with rhs rows (32)}}
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<128x64xf16>, tensor<8x32x96xf16>, tensor<1xi32>) -> tensor<128x96xf16>
  return
}

// -----

func.func @grouped_rank(%a: tensor<128x64xf16>, %w: tensor<64x96xf16>, %g: tensor<1xi32>) {
  // expected-error @+1 {{'graph.grouped_matmul' op needs a static [rows, K] lhs, [experts, K, N] rhs and [rows / group_rows] groups}}
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<128x64xf16>, tensor<64x96xf16>, tensor<1xi32>) -> tensor<128x96xf16>
  return
}

// -----

func.func @grouped_types(%a: tensor<128x64xf16>, %w: tensor<8x64x96xf32>, %g: tensor<1xi32>) {
  // expected-error @+1 {{'graph.grouped_matmul' op lhs and rhs element types differ: 'f16' and 'f32'}}
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<128x64xf16>, tensor<8x64x96xf32>, tensor<1xi32>) -> tensor<128x96xf16>
  return
}

// -----

func.func @grouped_groups_type(%a: tensor<128x64xf16>, %w: tensor<8x64x96xf16>, %g: tensor<1xi64>) {
  // expected-error @+1 {{'graph.grouped_matmul' op groups must be i32, not 'i64'}}
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<128x64xf16>, tensor<8x64x96xf16>, tensor<1xi64>) -> tensor<128x96xf16>
  return
}
