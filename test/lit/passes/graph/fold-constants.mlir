// RUN: dsc-opt %s -split-input-file -graph-fold-constants | FileCheck %s
// RUN: dsc-opt %s -split-input-file -graph-fold-constants=max-elements=4 | FileCheck %s --check-prefix=LIMIT

// Gemm's transB becomes a transposed weight: the transpose folds away and
// the original weight, now dead, goes with it.
// CHECK-LABEL: func.func @transposed_weight
// CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: graph.matmul %{{.*}}, %[[W]]
// CHECK-NOT: graph.transpose
// LIMIT-LABEL: func.func @transposed_weight
// LIMIT: graph.transpose
func.func @transposed_weight(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %wt = graph.transpose %w {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = graph.matmul %x, %wt : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A chain of constant ops folds in one sweep, with numpy broadcasting.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<[1.100000e+01, 2.200000e+01]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain() -> tensor<2xf32> {
  %a = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = graph.constant dense<10.0> : tensor<f32>
  %c = graph.mul %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %d = graph.add %c, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %d : tensor<2xf32>
}

// -----

// Casts round to the target type: to nearest even for f16, toward zero for
// integers.
// CHECK-LABEL: func.func @casts
// CHECK-DAG: graph.constant dense<[1.000000e+00, 1.001950e+00, -2.500000e+00]> : tensor<3xf16>
// CHECK-DAG: graph.constant dense<[1, 1, -2]> : tensor<3xi64>
func.func @casts() -> (tensor<3xf16>, tensor<3xi64>) {
  %a = graph.constant dense<[1.00048828125, 1.00146484375, -2.5]> : tensor<3xf32>
  %h = graph.cast %a : tensor<3xf32> -> tensor<3xf16>
  %i = graph.cast %a : tensor<3xf32> -> tensor<3xi64>
  return %h, %i : tensor<3xf16>, tensor<3xi64>
}

// -----

// Data movement and reductions of constants fold too.
// CHECK-LABEL: func.func @reshape_and_reduce
// CHECK-DAG: graph.constant dense<{{\[\[}}0, 1, 2], [3, 4, 5]]> : tensor<2x3xi64>
// CHECK-DAG: graph.constant dense<[2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-NOT: graph.reshape
// CHECK-NOT: graph.reduce_mean
func.func @reshape_and_reduce() -> (tensor<2x3xi64>, tensor<2xf32>) {
  %a = graph.constant dense<[0, 1, 2, 3, 4, 5]> : tensor<6xi64>
  %r = graph.reshape %a {shape = array<i64: 2, -1>} : tensor<6xi64> -> tensor<2x3xi64>
  %f = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m = graph.reduce_mean %f {axes = array<i64: 1>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  return %r, %m : tensor<2x3xi64>, tensor<2xf32>
}

// -----

// Results larger than 16 elements become blobs, not uniqued dense attributes.
// CHECK-LABEL: func.func @large_result
// CHECK-NEXT: %[[W:.*]] = graph.constant dense_resource<folded> : tensor<8x4xf32>
// CHECK-NEXT: graph.add %{{.*}}, %[[W]]
// CHECK: folded: "0x080000000000C03F0000C03F
func.func @large_result(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %w = graph.constant dense<1.5> : tensor<4x8xf32>
  %wt = graph.transpose %w {perm = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %y = graph.add %x, %wt : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

// An op with a non-constant operand is left alone, and so is a constant
// still used elsewhere.
// CHECK-LABEL: func.func @non_constant_operand
// CHECK-NEXT: %[[C:.*]] = graph.constant
// CHECK-NEXT: graph.add %{{.*}}, %[[C]]
func.func @non_constant_operand(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = graph.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// A result whose shape is not known yet is not folded (graph-infer-shapes
// runs first).
// CHECK-LABEL: func.func @unranked_result
// CHECK: graph.relu
func.func @unranked_result() -> tensor<*xf32> {
  %c = graph.constant dense<[-1.0, 2.0]> : tensor<2xf32>
  %y = graph.relu %c : tensor<2xf32> -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Above max-elements a result is not folded; below it, it is.
// CHECK-LABEL: func.func @size_limit
// CHECK-NOT: graph.neg
// LIMIT-LABEL: func.func @size_limit
// LIMIT: graph.neg {{.*}} : tensor<5xf32>
// LIMIT-NOT: graph.neg
func.func @size_limit() -> (tensor<5xf32>, tensor<4xf32>) {
  %a = graph.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %b = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %na = graph.neg %a : tensor<5xf32> -> tensor<5xf32>
  %nb = graph.neg %b : tensor<4xf32> -> tensor<4xf32>
  return %na, %nb : tensor<5xf32>, tensor<4xf32>
}

// -----

// A fusion whose inputs are all constants is evaluated through its body.
// CHECK-LABEL: func.func @fusion
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<[0.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fusion() -> tensor<2xf32> {
  %a = graph.constant dense<[-1.0, 2.0]> : tensor<2xf32>
  %f = graph.fusion elementwise anchor("none") (%a : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%x: tensor<2xf32>):
    %r = graph.relu %x : tensor<2xf32> -> tensor<2xf32>
    %d = graph.add %r, %r : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %d : tensor<2xf32>
  }
  return %f : tensor<2xf32>
}

// -----

// Index computations on constants fold, booleans included.
// CHECK-LABEL: func.func @indices
// CHECK-DAG: graph.constant dense<[30, 10]> : tensor<2xi64>
// CHECK-DAG: graph.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NOT: graph.gather
// CHECK-NOT: graph.compare
func.func @indices() -> (tensor<2xi64>, tensor<3xi1>) {
  %a = graph.constant dense<[10, 20, 30]> : tensor<3xi64>
  %i = graph.constant dense<[-1, 0]> : tensor<2xi64>
  %g = graph.gather %a, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %t = graph.constant dense<15> : tensor<i64>
  %c = graph.compare lt, %a, %t : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  return %g, %c : tensor<2xi64>, tensor<3xi1>
}

// -----

// An out-of-range index is not folded: the interpreter's error is left for
// the evaluation that reports it.
// CHECK-LABEL: func.func @bad_index
// CHECK: graph.gather
func.func @bad_index() -> tensor<1xi64> {
  %a = graph.constant dense<[10, 20, 30]> : tensor<3xi64>
  %i = graph.constant dense<[3]> : tensor<1xi64>
  %g = graph.gather %a, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %g : tensor<1xi64>
}

// -----

// graph.attention in the reference interpreter: with q = k = I and
// scale = ln 3, row i weighs its own value row 3:1 against the other.
// Causal: row 0 sees only key 0. A boolean mask dropping every key of row 1
// gives NaN there (as softmax does), or zeros with zero_empty_rows.
// CHECK-LABEL: func.func @attention
// CHECK-NEXT: %[[P:.*]] = graph.constant dense<{{\[\[\[\[}}1.500000e+00, 2.500000e+00], [2.500000e+00, 3.500000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [2.500000e+00, 3.500000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-NEXT: %[[N:.*]] = graph.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [0x{{7FC00000|FFC00000}}, 0x{{7FC00000|FFC00000}}]]]]> : tensor<1x1x2x2xf32>
// CHECK-NEXT: %[[Z:.*]] = graph.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-NEXT: return %[[P]], %[[C]], %[[N]], %[[Z]]
func.func @attention() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %i = graph.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %v = graph.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %m = graph.constant dense<[[true, false], [false, false]]> : tensor<2x2xi1>
  %0 = graph.attention %i, %i, %v {scale = 1.09861229 : f32} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %1 = graph.attention %i, %i, %v {scale = 1.09861229 : f32, causal} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %2 = graph.attention %i, %i, %v, %m {scale = 1.09861229 : f32} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<2x2xi1>) -> tensor<1x1x2x2xf32>
  %3 = graph.attention %i, %i, %v, %m {scale = 1.09861229 : f32, zero_empty_rows} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<2x2xi1>) -> tensor<1x1x2x2xf32>
  return %0, %1, %2, %3 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}
