// RUN: dsc-opt %s -split-input-file -graph-pad-channels | FileCheck %s

// The stem: 3 channels become 4, the input through a zero pad of its last
// dimension, the filter alike (graph-fold-constants folds that one).
// CHECK-LABEL: func.func @stem
// CHECK: %[[T:.*]] = graph.transpose %arg0
// CHECK: %[[Z:.*]] = graph.constant dense<0.000000e+00> : tensor<f16>
// CHECK: %[[X:.*]] = graph.pad constant %[[T]], %[[Z]] {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>} : (tensor<2x16x16x3xf16>, tensor<f16>) -> tensor<2x16x16x4xf16>
// CHECK: %[[Z2:.*]] = graph.constant dense<0.000000e+00> : tensor<f16>
// CHECK: %[[W:.*]] = graph.pad constant %{{.*}}, %[[Z2]] {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>} : (tensor<8x7x7x3xf16>, tensor<f16>) -> tensor<8x7x7x4xf16>
// CHECK: graph.conv %[[X]], %[[W]], %{{.*}} {channels_last, {{.*}}} : (tensor<2x16x16x4xf16>, tensor<8x7x7x4xf16>, tensor<8xf16>) -> tensor<2x8x8x8xf16>
func.func @stem(%x: tensor<2x3x16x16xf16>) -> tensor<2x8x8x8xf16> {
  %w = graph.constant dense<0.5> : tensor<8x7x7x3xf16>
  %b = graph.constant dense<1.0> : tensor<8xf16>
  %t = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<2x3x16x16xf16> -> tensor<2x16x16x3xf16>
  %c = graph.conv %t, %w, %b {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<2x16x16x3xf16>, tensor<8x7x7x3xf16>, tensor<8xf16>) -> tensor<2x8x8x8xf16>
  return %c : tensor<2x8x8x8xf16>
}

// -----

// 6 bf16 channels become 8 (16-byte taps); a filter that is not a constant
// is padded all the same.
// CHECK-LABEL: func.func @six_channels
// CHECK: %[[T:.*]] = graph.transpose %arg0
// CHECK: graph.pad constant %[[T]], %{{.*}} {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 2>} : (tensor<1x5x5x6xbf16>, tensor<bf16>) -> tensor<1x5x5x8xbf16>
// CHECK: graph.pad constant %arg1, %{{.*}} {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 2>} : (tensor<4x3x3x6xbf16>, tensor<bf16>) -> tensor<4x3x3x8xbf16>
// CHECK: graph.conv {{.*}} : (tensor<1x5x5x8xbf16>, tensor<4x3x3x8xbf16>) -> tensor<1x3x3x4xbf16>
func.func @six_channels(%x: tensor<1x6x5x5xbf16>, %w: tensor<4x3x3x6xbf16>) -> tensor<1x3x3x4xbf16> {
  %t = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x6x5x5xbf16> -> tensor<1x5x5x6xbf16>
  %c = graph.conv %t, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x6xbf16>, tensor<4x3x3x6xbf16>) -> tensor<1x3x3x4xbf16>
  return %c : tensor<1x3x3x4xbf16>
}

// -----

// Left alone where the pad would be a kernel of its own: an input that is
// a function argument, and a transpose that something else reads too.
// CHECK-LABEL: func.func @no_fusable_transpose
// CHECK-NOT: graph.pad
// CHECK: return
func.func @no_fusable_transpose(%x: tensor<1x5x5x3xf16>, %y: tensor<1x3x5x5xf16>, %w: tensor<4x3x3x3xf16>) -> (tensor<1x3x3x4xf16>, tensor<1x3x3x4xf16>, tensor<1x5x5x3xf16>) {
  %0 = graph.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x3xf16>, tensor<4x3x3x3xf16>) -> tensor<1x3x3x4xf16>
  %t = graph.transpose %y {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x5x5xf16> -> tensor<1x5x5x3xf16>
  %1 = graph.conv %t, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x3xf16>, tensor<4x3x3x3xf16>) -> tensor<1x3x3x4xf16>
  return %0, %1, %t : tensor<1x3x3x4xf16>, tensor<1x3x3x4xf16>, tensor<1x5x5x3xf16>
}

// -----

// Left alone, each input a transpose read only by its conv: channels
// already a multiple of 4; f32 (the SIMT kernel reads elements anyway);
// grouped; channels-first (its input is no channels-last transpose).
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: graph.pad
// CHECK: return
func.func @unchanged(%a: tensor<1x12x5x5xf16>, %wa: tensor<4x3x3x12xf16>, %b: tensor<1x3x5x5xf32>, %wb: tensor<4x3x3x3xf32>, %c: tensor<1x5x5x3xf16>, %wc: tensor<4x3x3x3xf16>, %d: tensor<1x6x5x5xf16>, %wd: tensor<6x3x3x3xf16>) -> (tensor<1x3x3x4xf16>, tensor<1x3x3x4xf32>, tensor<1x4x3x3xf16>, tensor<1x3x3x6xf16>) {
  %ta = graph.transpose %a {perm = array<i64: 0, 2, 3, 1>} : tensor<1x12x5x5xf16> -> tensor<1x5x5x12xf16>
  %0 = graph.conv %ta, %wa {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x12xf16>, tensor<4x3x3x12xf16>) -> tensor<1x3x3x4xf16>
  %tb = graph.transpose %b {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x5x5xf32> -> tensor<1x5x5x3xf32>
  %1 = graph.conv %tb, %wb {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x3x4xf32>
  %tc = graph.transpose %c {perm = array<i64: 0, 3, 1, 2>} : tensor<1x5x5x3xf16> -> tensor<1x3x5x5xf16>
  %2 = graph.conv %tc, %wc {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xf16>, tensor<4x3x3x3xf16>) -> tensor<1x4x3x3xf16>
  %td = graph.transpose %d {perm = array<i64: 0, 2, 3, 1>} : tensor<1x6x5x5xf16> -> tensor<1x5x5x6xf16>
  %3 = graph.conv %td, %wd {channels_last, dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x5x6xf16>, tensor<6x3x3x3xf16>) -> tensor<1x3x3x6xf16>
  return %0, %1, %2, %3 : tensor<1x3x3x4xf16>, tensor<1x3x3x4xf32>, tensor<1x4x3x3xf16>, tensor<1x3x3x6xf16>
}
