// RUN: dsc-opt %s -graph-fuse=library-epilogues=false | FileCheck %s
// RUN: dsc-opt %s -graph-fuse="max-inputs=2 library-epilogues=false" | FileCheck %s --check-prefix=LIMIT
// RUN: dsc-opt %s -graph-fuse="library-epilogue-min-macs=0 library-epilogue-min-depth=0" | FileCheck %s --check-prefix=LIB
// RUN: dsc-opt %s -graph-fuse | FileCheck %s --check-prefix=DEFAULT
// RUN: dsc-opt %s -graph-fuse="max-live-values=2 library-epilogues=false" | FileCheck %s --check-prefix=LIVE
// RUN: dsc-opt %s -graph-fuse="recompute-flops-per-byte=0 library-epilogues=false" | FileCheck %s --check-prefix=NORECOMPUTE

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

// A transpose writes the constant pad of its result (graph-pad-channels'
// zero channels) in the same kernel; a pad of a transpose that is also
// read elsewhere stays a kernel of its own.
// CHECK-LABEL: func.func @padded_transpose
// CHECK: %[[Z:.*]] = graph.constant dense<0.000000e+00> : tensor<f16>
// CHECK: graph.fusion data anchor("transpose") (%arg0, %[[Z]] : tensor<1x3x4x4xf16>, tensor<f16>) -> tensor<1x4x4x4xf16>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.transpose
// CHECK-NEXT: graph.pad constant
// CHECK-NEXT: graph.yield
// CHECK: %[[T:.*]] = graph.fusion data anchor("transpose") (%arg0 : tensor<1x3x4x4xf16>) -> tensor<1x4x4x3xf16>
// CHECK: graph.fusion data anchor("pad") (%[[T]], %[[Z]] : tensor<1x4x4x3xf16>, tensor<f16>)
func.func @padded_transpose(%x: tensor<1x3x4x4xf16>) -> (tensor<1x4x4x4xf16>, tensor<1x4x4x4xf16>, tensor<1x4x4x3xf16>) {
  %z = graph.constant dense<0.0> : tensor<f16>
  %0 = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x4x4xf16> -> tensor<1x4x4x3xf16>
  %1 = graph.pad constant %0, %z {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>} : (tensor<1x4x4x3xf16>, tensor<f16>) -> tensor<1x4x4x4xf16>
  %2 = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x4x4xf16> -> tensor<1x4x4x3xf16>
  %3 = graph.pad constant %2, %z {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>} : (tensor<1x4x4x3xf16>, tensor<f16>) -> tensor<1x4x4x4xf16>
  return %1, %3, %2 : tensor<1x4x4x4xf16>, tensor<1x4x4x4xf16>, tensor<1x4x4x3xf16>
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

// The library's epilogue grammar: bias and residual, then relu or tanh GELU
// (cuBLASLt's act(A B + C + bias)); nothing after an activation.
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
// LIB-NEXT: graph.relu
// LIB-NEXT: graph.yield
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

// A cheap producer read by two kernels is recomputed in each: neither reads
// it from memory, and its own kernel is gone. 4x8 f32 is 128 bytes: the
// producer's kernel moved 256 and its readers' reads of it 256, against
// 256 more reads of %x; each clone adds 32 multiplies (one of them is the
// extra work).
// CHECK-LABEL: func.func @recompute_cheap
// CHECK: graph.fusion elementwise anchor("none") (%arg0 : tensor<4x8xf32>) attributes {cost = {bytes_saved = 256 : i64, flops_added = 32 : i64}, recomputed = 1 : i64}
// CHECK: graph.mul
// CHECK-NEXT: graph.exp
// CHECK: graph.fusion elementwise anchor("none") (%arg0 : tensor<4x8xf32>) attributes {cost = {bytes_saved = 256 : i64, flops_added = 32 : i64}, recomputed = 1 : i64}
// CHECK: graph.mul
// CHECK-NEXT: graph.tanh
// CHECK-NOT: graph.fusion
// With no FLOPs allowed per byte saved, the product is computed once, by
// the first reader's kernel, which writes it for the second.
// NORECOMPUTE-LABEL: func.func @recompute_cheap
// NORECOMPUTE: %[[S:.*]]:2 = graph.fusion elementwise anchor("none") (%arg0 : tensor<4x8xf32>) attributes {cost = {bytes_saved = 128 : i64, flops_added = 0 : i64}} -> tensor<4x8xf32>, tensor<4x8xf32>
// NORECOMPUTE: %[[P:.*]] = graph.mul
// NORECOMPUTE-NEXT: %[[E:.*]] = graph.exp %[[P]]
// NORECOMPUTE-NEXT: graph.yield %[[E]], %[[P]]
// NORECOMPUTE: graph.fusion elementwise anchor("none") (%[[S]]#1 : tensor<4x8xf32>) -> tensor<4x8xf32>
// NORECOMPUTE-NEXT: ^bb0
// NORECOMPUTE-NEXT: graph.tanh
func.func @recompute_cheap(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %two = graph.constant dense<2.0> : tensor<f32>
  %s = graph.mul %x, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %a = graph.exp %s : tensor<4x8xf32> -> tensor<4x8xf32>
  %b = graph.tanh %s : tensor<4x8xf32> -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// Must not recompute: three erf GELUs (20 FLOPs an element each) would
// cost 1280 FLOPs to save 256 bytes. The GELU is computed once, by the
// first reader's kernel (which saves that kernel's read of it), and written
// for the other two.
// CHECK-LABEL: func.func @recompute_expensive
// CHECK: %[[E:.*]]:2 = graph.fusion elementwise anchor("none") (%arg0, %arg1 : tensor<4x8xf32>, tensor<4x8xf32>) attributes {cost = {bytes_saved = 128 : i64, flops_added = 0 : i64}} -> tensor<4x8xf32>, tensor<4x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[G:.*]] = graph.gelu
// CHECK-NEXT: %[[A:.*]] = graph.add %[[G]]
// CHECK-NEXT: graph.yield %[[A]], %[[G]]
// CHECK: %[[B:.*]] = graph.fusion elementwise anchor("none") (%[[E]]#1, %arg1 : {{.*}}) -> tensor<4x8xf32>
// CHECK-NOT: graph.gelu
// CHECK: graph.mul
// CHECK: %[[C:.*]] = graph.fusion elementwise anchor("none") (%[[E]]#1, %arg1 : {{.*}}) -> tensor<4x8xf32>
// CHECK-NOT: graph.gelu
// CHECK: graph.sub
// CHECK: return %[[E]]#0, %[[B]], %[[C]]
func.func @recompute_expensive(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = graph.gelu %x : tensor<4x8xf32> -> tensor<4x8xf32>
  %a = graph.add %e, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = graph.mul %e, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %c = graph.sub %e, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a, %b, %c : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// A value the function returns joins its reader's kernel as a second
// result: one kernel writes both.
// CHECK-LABEL: func.func @extra_result
// CHECK: %[[F:.*]]:2 = graph.fusion elementwise anchor("none") (%arg0, %arg1 : tensor<4x8xf32>, tensor<4x8xf32>) attributes {cost = {bytes_saved = 128 : i64, flops_added = 0 : i64}} -> tensor<4x8xf32>, tensor<4x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[E:.*]] = graph.exp
// CHECK-NEXT: %[[A:.*]] = graph.add %[[E]]
// CHECK-NEXT: graph.yield %[[A]], %[[E]]
// CHECK: return %[[F]]#1, %[[F]]#0
func.func @extra_result(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = graph.exp %x : tensor<4x8xf32> -> tensor<4x8xf32>
  %c = graph.add %a, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a, %c : tensor<4x8xf32>, tensor<4x8xf32>
}

// Must not fuse: the exp joining the add's kernel as an extra result would
// make that kernel read the transpose of its own result (a cycle).
// CHECK-LABEL: func.func @cycle
// CHECK: %[[E:.*]] = graph.fusion elementwise anchor("none") (%arg0 : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.exp
// CHECK-NEXT: graph.yield
// CHECK: %[[T:.*]] = graph.fusion data anchor("transpose") (%[[E]] : tensor<4x4xf32>)
// CHECK: graph.fusion elementwise anchor("none") (%[[E]], %[[T]] : tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.yield
func.func @cycle(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = graph.exp %x : tensor<4x4xf32> -> tensor<4x4xf32>
  %t = graph.transpose %a {perm = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  %c = graph.add %a, %t : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %c : tensor<4x4xf32>
}

// Nine inputs: the chain is cut where a kernel would take more than eight.
// CHECK-LABEL: func.func @too_many_inputs
// CHECK: %[[F:.*]] = graph.fusion elementwise anchor("none") (%arg0, %arg1 : tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion elementwise anchor("none") (%[[F]], %arg2, %arg3, %arg4, %arg5, %arg6, %arg7, %arg8 : {{.*}}) -> tensor<8xf32>
// CHECK-COUNT-7: graph.add
// CHECK-NEXT: graph.yield
func.func @too_many_inputs(%a0: tensor<8xf32>, %a1: tensor<8xf32>, %a2: tensor<8xf32>, %a3: tensor<8xf32>, %a4: tensor<8xf32>, %a5: tensor<8xf32>, %a6: tensor<8xf32>, %a7: tensor<8xf32>, %a8: tensor<8xf32>) -> tensor<8xf32> {
  %0 = graph.add %a0, %a1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = graph.add %0, %a2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = graph.add %1, %a3 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %3 = graph.add %2, %a4 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = graph.add %3, %a5 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %5 = graph.add %4, %a6 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %6 = graph.add %5, %a7 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %7 = graph.add %6, %a8 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %7 : tensor<8xf32>
}

// (a + b) * (c + d) + (e + f) * (g + h) holds three values at once after
// g + h: one kernel by default; with a budget of two, the left product is
// written by a kernel of its own.
// CHECK-LABEL: func.func @live_values
// CHECK: graph.fusion elementwise anchor("none") (%arg0, %arg1, %arg2, %arg3, %arg4, %arg5, %arg6, %arg7 : {{.*}}) -> tensor<8xf32>
// CHECK-COUNT-7: graph.{{add|mul}}
// CHECK-NEXT: graph.yield
// LIVE-LABEL: func.func @live_values
// LIVE: %[[L:.*]] = graph.fusion elementwise anchor("none") (%arg0, %arg1, %arg2, %arg3 : {{.*}}) -> tensor<8xf32>
// LIVE-NEXT: ^bb0
// LIVE-NEXT: graph.add
// LIVE-NEXT: graph.add
// LIVE-NEXT: graph.mul
// LIVE-NEXT: graph.yield
// LIVE: graph.fusion elementwise anchor("none") (%arg4, %arg5, %arg6, %arg7, %[[L]] : {{.*}}) -> tensor<8xf32>
// LIVE-NEXT: ^bb0
// LIVE-NEXT: graph.add
// LIVE-NEXT: graph.add
// LIVE-NEXT: graph.mul
// LIVE-NEXT: graph.add
// LIVE-NEXT: graph.yield
func.func @live_values(%a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %e: tensor<8xf32>, %f: tensor<8xf32>, %g: tensor<8xf32>, %h: tensor<8xf32>) -> tensor<8xf32> {
  %0 = graph.add %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = graph.add %c, %d : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = graph.mul %0, %1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %3 = graph.add %e, %f : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = graph.add %g, %h : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %5 = graph.mul %3, %4 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %6 = graph.add %2, %5 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %6 : tensor<8xf32>
}

// A value read twice in one kernel is computed once there.
// CHECK-LABEL: func.func @diamond
// CHECK: graph.fusion elementwise anchor("none") (%arg0 : tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[E:.*]] = graph.exp
// CHECK-NEXT: graph.constant
// CHECK-NEXT: %[[A:.*]] = graph.add %[[E]]
// CHECK-NEXT: graph.mul %[[E]], %[[A]]
// CHECK-NEXT: graph.yield
func.func @diamond(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = graph.constant dense<1.0> : tensor<f32>
  %a = graph.exp %x : tensor<4x8xf32> -> tensor<4x8xf32>
  %b = graph.add %a, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %c = graph.mul %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// By default a GEMM below 2^27 multiply-adds keeps its whole epilogue (erf
// GELU included): it is launch-bound, the generated kernel is as fast as
// the library's.
// DEFAULT-LABEL: func.func @gemm_small
// DEFAULT: graph.fusion gemm anchor("matmul")
// DEFAULT: graph.matmul
// DEFAULT-NEXT: graph.add
// DEFAULT-NEXT: graph.gelu
// DEFAULT-NEXT: graph.yield
// DEFAULT-NOT: graph.fusion
// LIB-LABEL: func.func @gemm_small
// LIB: graph.matmul
// LIB-NEXT: graph.add
// LIB-NEXT: graph.yield
// LIB: graph.fusion elementwise anchor("none")
// LIB-NEXT: ^bb0
// LIB-NEXT: graph.gelu
func.func @gemm_small(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = graph.add %0, %bias : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = graph.gelu %1 : tensor<4x16xf32> -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// 512 x 1024 x 1024 = 2^29 multiply-adds: by default the library's epilogue
// only; without library epilogues the whole chain.
// DEFAULT-LABEL: func.func @gemm_large
// DEFAULT: %[[M:.*]] = graph.fusion gemm anchor("matmul")
// DEFAULT: graph.matmul
// DEFAULT-NEXT: graph.add
// DEFAULT-NEXT: graph.yield
// DEFAULT: graph.fusion elementwise anchor("none") (%[[M]] : tensor<512x1024xf32>)
// DEFAULT-NEXT: ^bb0
// DEFAULT-NEXT: graph.gelu
// CHECK-LABEL: func.func @gemm_large
// CHECK: graph.fusion gemm anchor("matmul")
// CHECK: graph.matmul
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.gelu
// CHECK-NEXT: graph.yield
// CHECK-NOT: graph.fusion
func.func @gemm_large(%x: tensor<512x1024xf32>, %w: tensor<1024x1024xf32>, %bias: tensor<1024xf32>) -> tensor<512x1024xf32> {
  %0 = graph.matmul %x, %w : (tensor<512x1024xf32>, tensor<1024x1024xf32>) -> tensor<512x1024xf32>
  %1 = graph.add %0, %bias : (tensor<512x1024xf32>, tensor<1024xf32>) -> tensor<512x1024xf32>
  %2 = graph.gelu %1 : tensor<512x1024xf32> -> tensor<512x1024xf32>
  return %2 : tensor<512x1024xf32>
}

// ResNet-50's 1x1 expansion at batch 32 as a GEMM (graph-conv-to-matmul):
// 100352 x 256 x 64 = 1.6e9 multiply-adds: the residual add and ReLU stay
// its epilogue (cuBLASLt's relu(A B + C) or the generated kernel's).
// CHECK-LABEL: func.func @gemm_shallow
// DEFAULT-LABEL: func.func @gemm_shallow
// DEFAULT: graph.fusion gemm anchor("matmul")
// DEFAULT: graph.matmul
// DEFAULT-NEXT: graph.add
// DEFAULT-NEXT: graph.relu
// DEFAULT-NEXT: graph.yield
// DEFAULT-NEXT: }
// DEFAULT-NEXT: return
// LIB-LABEL: func.func @gemm_shallow
// LIB: graph.matmul
// LIB-NEXT: graph.add
// LIB-NEXT: graph.relu
// LIB-NEXT: graph.yield
func.func @gemm_shallow(%x: tensor<100352x64xf16>, %w: tensor<64x256xf16>, %r: tensor<100352x256xf16>) -> tensor<100352x256xf16> {
  %0 = graph.matmul %x, %w : (tensor<100352x64xf16>, tensor<64x256xf16>) -> tensor<100352x256xf16>
  %1 = graph.add %0, %r : (tensor<100352x256xf16>, tensor<100352x256xf16>) -> tensor<100352x256xf16>
  %2 = graph.relu %1 : tensor<100352x256xf16> -> tensor<100352x256xf16>
  return %2 : tensor<100352x256xf16>
}

// Must not recompute: a clone runs once per element of its kernel, so
// exp of an 8-vector broadcast into two 64x8 kernels costs 8 x (512 + 512 -
// 8) FLOPs to save 64 bytes; it stays a kernel of its own.
// CHECK-LABEL: func.func @recompute_broadcast
// CHECK: %[[E:.*]] = graph.fusion elementwise anchor("none") (%arg0 : tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.exp
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion elementwise anchor("none") (%arg1, %[[E]] : tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.yield
// CHECK: graph.fusion elementwise anchor("none") (%arg1, %[[E]] : tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: graph.mul
// CHECK-NEXT: graph.yield
func.func @recompute_broadcast(%v: tensor<8xf32>, %x: tensor<64x8xf32>) -> (tensor<64x8xf32>, tensor<64x8xf32>) {
  %e = graph.exp %v : tensor<8xf32> -> tensor<8xf32>
  %a = graph.add %x, %e : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  %b = graph.mul %x, %e : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  return %a, %b : tensor<64x8xf32>, tensor<64x8xf32>
}
