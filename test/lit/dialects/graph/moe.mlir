// RUN: dsc-opt %s | dsc-opt | FileCheck %s
// RUN: dsc-opt %s -graph-infer-shapes | FileCheck %s --check-prefix=SHAPES

// 300 slots of 8 experts in groups of 128: (300 + 8 * 127) / 128 = 10
// groups, 1280 rows.
// CHECK-LABEL: func.func @route
// CHECK: graph.moe_route %arg0 {experts = 8 : i64, group_rows = 128 : i64} : tensor<150x2xi64> -> tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
// SHAPES-LABEL: func.func @route
// SHAPES: -> tensor<1280xi32>, tensor<1280xi32>, tensor<150x2xi32>, tensor<10xi32>
func.func @route(%choices: tensor<150x2xi64>) -> (tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>) {
  %t, %s, %r, %g = graph.moe_route %choices {experts = 8 : i64, group_rows = 128 : i64} : tensor<150x2xi64> -> tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
  return %t, %s, %r, %g : tensor<*xi32>, tensor<*xi32>, tensor<*xi32>, tensor<*xi32>
}

// CHECK-LABEL: func.func @grouped
// CHECK: graph.grouped_matmul %arg0, %arg1, %arg2 {group_rows = 128 : i64}
// SHAPES-LABEL: func.func @grouped
// SHAPES: -> tensor<1280x96xf16>
func.func @grouped(%a: tensor<1280x64xf16>, %w: tensor<8x64x96xf16>, %g: tensor<10xi32>) -> tensor<*xf16> {
  %y = graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : (tensor<1280x64xf16>, tensor<8x64x96xf16>, tensor<10xi32>) -> tensor<*xf16>
  return %y : tensor<*xf16>
}
