// RUN: dsc-opt %s -graph-stack-experts='max-stacked-bytes=191' -verify-diagnostics | FileCheck %s --check-prefix=SMALL
// RUN: dsc-opt %s -graph-stack-experts='max-stacked-bytes=192' | FileCheck %s --check-prefix=FITS

// The stacked intermediates here are the projection's and the body's
// [4, 6] f32 (2 x 96 bytes): a limit below 192 bytes leaves the experts
// alone and says so.
// SMALL-LABEL: func.func @limit
// SMALL-COUNT-4: graph.matmul
// SMALL-NOT: graph.reshape
// FITS-LABEL: func.func @limit
// FITS-COUNT-2: graph.matmul
// FITS-NOT: graph.matmul
func.func @limit(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w1_0 = graph.constant dense<0.5> : tensor<2x3xf32>
  %w1_1 = graph.constant dense<1.5> : tensor<2x3xf32>
  %w2_0 = graph.constant dense<0.5> : tensor<3x2xf32>
  %w2_1 = graph.constant dense<1.5> : tensor<3x2xf32>
  %a0 = graph.matmul %x, %w1_0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.tanh %a0 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p0 = graph.matmul %h0, %w2_0 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a1 = graph.matmul %x, %w1_1 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h1 = graph.tanh %a1 : tensor<4x3xf32> -> tensor<4x3xf32>
  %p1 = graph.matmul %h1, %w2_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  // expected-remark @+1 {{experts not stacked: the stacked intermediates take 192 bytes, more than max-stacked-bytes (191)}}
  %acc1 = graph.add %p0, %p1 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %acc1 : tensor<4x2xf32>
}
