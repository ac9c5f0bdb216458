// RUN: dsc-opt %s -graph-fuse=library-epilogues=false | FileCheck %s
// RUN: dsc-opt %s -graph-fuse="max-inputs=2 library-epilogues=false" | FileCheck %s --check-prefix=LIMIT
// RUN: dsc-opt %s -graph-fuse=library-epilogue-min-macs=0 | FileCheck %s --check-prefix=LIB

// A Linear -> GELU -> Linear -> residual -> LayerNorm block: each matmul
// absorbs its bias and activation; the layer norm stands alone.
// CHECK-LABEL: func.func @mlp
// CHECK: %[[H:.*]] = graph.fusion gemm anchor("matmul") (%arg0, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
// CHECK: graph.matmul
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.gelu
// CHECK-NEXT: graph.yield
// CHECK: %[[O:.*]] = graph.fusion gemm anchor("matmul") (%[[H]], %{{.*}}, %{{.*}}, %arg0 : {{.*}}) -> tensor<4x8xf32> {
// CHECK: graph.matmul
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.yield
// CHECK: %[[N:.*]] = graph.fusion row_reduction anchor("layer_norm") (%[[O]], %{{.*}} : tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
// CHECK: return %[[N]]
// With library epilogues on every GEMM, the exact GELU cuBLASLt cannot run
// leaves the first GEMM for an elementwise kernel; bias + residual stay.
// LIB-LABEL: func.func @mlp
// LIB: %[[H:.*]] = graph.fusion gemm anchor("matmul")
// LIB: graph.matmul
// LIB-NEXT: graph.add
// LIB-NEXT: graph.yield
// LIB: %[[G:.*]] = graph.fusion elementwise anchor("none") (%[[H]] : tensor<4x16xf32>) -> tensor<4x16xf32> {
// LIB: graph.gelu
// LIB: graph.fusion gemm anchor("matmul") (%[[G]],
// LIB: graph.matmul
// LIB-NEXT: graph.add
// LIB-NEXT: graph.add
// LIB-NEXT: graph.yield
func.func @mlp(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %b1 = graph.constant dense<[0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0]> : tensor<16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %b2 = graph.constant dense<[0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0]> : tensor<8xf32>
  %g = graph.constant dense<[1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]> : tensor<8xf32>
  %0 = graph.matmul %x, %w1 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = graph.add %0, %b1 : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = graph.gelu %1 : tensor<4x16xf32> -> tensor<4x16xf32>
  %3 = graph.matmul %2, %w2 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %4 = graph.add %3, %b2 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %5 = graph.add %4, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = graph.layer_norm %5, %g {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %6 : tensor<4x8xf32>
}

// Splat constants are cloned into the body; elementwise producers with one
// use join their consumer.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK: %[[F:.*]] = graph.fusion elementwise anchor("none") (%arg0, %arg1 : tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: graph.mul
// CHECK-NEXT: graph.sub
// CHECK-NEXT: graph.tanh
// CHECK-NEXT: graph.yield
// CHECK-NOT: graph.constant
// CHECK: return %[[F]]
func.func @elementwise_chain(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  %two = graph.constant dense<2.0> : tensor<f32>
  %0 = graph.mul %x, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = graph.sub %0, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = graph.tanh %1 : tensor<4x8xf32> -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// Must not fuse: a value with two users is materialized once; the epilogue
// stops at it, and each user is its own kernel.
// CHECK-LABEL: func.func @shared_value
// CHECK: %[[M:.*]] = graph.fusion gemm anchor("matmul")
// CHECK-NOT: graph.relu
// CHECK: graph.yield
// CHECK: graph.fusion elementwise anchor("none") (%[[M]]
// CHECK: graph.relu
// CHECK: graph.fusion elementwise anchor("none") (%[[M]]
// CHECK: graph.sigmoid
func.func @shared_value(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = graph.relu %0 : tensor<4x8xf32> -> tensor<4x8xf32>
  %2 = graph.sigmoid %0 : tensor<4x8xf32> -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// Must not fuse: an epilogue may not change the anchor's shape (broadcasting
// up would need a different kernel).
// CHECK-LABEL: func.func @broadcasting_epilogue
// CHECK: graph.fusion gemm anchor("matmul") ({{.*}}) -> tensor<4x8xf32>
// CHECK: graph.fusion elementwise anchor("none") ({{.*}}) -> tensor<2x4x8xf32>
func.func @broadcasting_epilogue(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %r: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = graph.add %0, %r : (tensor<4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %1 : tensor<2x4x8xf32>
}

// Reshapes stay outside kernels; softmax after a transpose is two kernels.
// CHECK-LABEL: func.func @views
// CHECK: graph.fusion data anchor("transpose")
// CHECK: graph.reshape
// CHECK: graph.fusion row_reduction anchor("softmax")
func.func @views(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = graph.reshape %0 {shape = array<i64: 4, 6>, allow_zero = true} : tensor<4x2x3xf32> -> tensor<4x6xf32>
  %2 = graph.softmax %1 {axis = -1 : i64} : tensor<4x6xf32> -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// graph.reduce absorbs its elementwise epilogue; other data ops stand alone.
// CHECK-LABEL: func.func @reduce_epilogue
// CHECK: graph.fusion data anchor("reduce")
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.reduce sum
// CHECK-NEXT: graph.sqrt
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion data anchor("tile")
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.tile
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion elementwise anchor("none")
func.func @reduce_epilogue(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<4x3xf32>) {
  %0 = graph.reduce sum %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  %1 = graph.sqrt %0 : tensor<2xf32> -> tensor<2xf32>
  %2 = graph.tile %x {repeats = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
  %3 = graph.exp %2 : tensor<4x3xf32> -> tensor<4x3xf32>
  return %1, %3 : tensor<2xf32>, tensor<4x3xf32>
}

// With at most two inputs per kernel the residual add stays out.
// LIMIT-LABEL: func.func @mlp
// LIMIT: graph.fusion gemm anchor("matmul") (%arg0, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// LIMIT-NEXT: ^bb0
// LIMIT-NEXT: graph.matmul
// LIMIT-NEXT: graph.yield
// LIMIT: graph.fusion elementwise anchor("none") ({{.*}} : tensor<4x16xf32>, tensor<16xf32>)
// LIMIT: graph.add
// LIMIT-NEXT: graph.gelu
// LIMIT-LABEL: func.func @elementwise_chain

// The library's epilogue grammar: bias, residual, then relu or tanh GELU;
// nothing after an activation, no activation after a residual.
// LIB-LABEL: func.func @library_grammar
// LIB: graph.fusion gemm anchor("matmul")
// LIB: graph.matmul
// LIB: graph.add
// LIB-NEXT: graph.gelu %{{.*}} {approximate = #graph.gelu_approximation<tanh>}
// LIB-NEXT: graph.yield
// LIB: graph.fusion elementwise anchor("none")
// LIB: graph.mul
// LIB: graph.fusion gemm anchor("matmul")
// LIB: graph.matmul
// LIB-NEXT: graph.add
// LIB-NEXT: graph.yield
// LIB: graph.fusion elementwise anchor("none")
// LIB: graph.relu
func.func @library_grammar(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x8xf32>
  %b1 = graph.constant dense<0.5> : tensor<8xf32>
  %0 = graph.matmul %x, %w1 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = graph.add %0, %b1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = graph.gelu %1 {approximate = #graph.gelu_approximation<tanh>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %3 = graph.mul %2, %2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = graph.matmul %3, %w1 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %5 = graph.add %4, %r : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = graph.relu %5 : tensor<4x8xf32> -> tensor<4x8xf32>
  return %6 : tensor<4x8xf32>
}

// An implicit-GEMM conv (channels-last, 2-D, group 1) absorbs the residual
// add and the ReLU; a channels-first conv stays alone (its direct kernel
// takes no epilogue).
// CHECK-LABEL: func.func @conv_residual
// CHECK: %[[C:.*]] = graph.fusion data anchor("conv") (%arg0, %{{.*}}, %{{.*}}, %arg1 : tensor<1x5x5x8xf16>, tensor<8x3x3x8xf16>, tensor<8xf16>, tensor<1x5x5x8xf16>) -> tensor<1x5x5x8xf16> {
// CHECK: graph.conv
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.relu
// CHECK-NEXT: graph.yield
// CHECK: %[[D:.*]] = graph.fusion data anchor("conv") (%arg2, %{{.*}} : tensor<1x8x5x5xf16>, tensor<8x8x3x3xf16>) -> tensor<1x8x5x5xf16> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.conv
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion elementwise anchor("none") (%[[D]]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.relu
func.func @conv_residual(%x: tensor<1x5x5x8xf16>, %r: tensor<1x5x5x8xf16>, %z: tensor<1x8x5x5xf16>) -> (tensor<1x5x5x8xf16>, tensor<1x8x5x5xf16>) {
  %w = graph.constant dense<0.1> : tensor<8x3x3x8xf16>
  %b = graph.constant dense<0.5> : tensor<8xf16>
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x5x5x8xf16>, tensor<8x3x3x8xf16>, tensor<8xf16>) -> tensor<1x5x5x8xf16>
  %a = graph.add %c, %r : (tensor<1x5x5x8xf16>, tensor<1x5x5x8xf16>) -> tensor<1x5x5x8xf16>
  %y = graph.relu %a : tensor<1x5x5x8xf16> -> tensor<1x5x5x8xf16>
  %v = graph.constant dense<0.1> : tensor<8x8x3x3xf16>
  %d = graph.conv %z, %v {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x8x5x5xf16>, tensor<8x8x3x3xf16>) -> tensor<1x8x5x5xf16>
  %e = graph.relu %d : tensor<1x8x5x5xf16> -> tensor<1x8x5x5xf16>
  return %y, %e : tensor<1x5x5x8xf16>, tensor<1x8x5x5xf16>
}
