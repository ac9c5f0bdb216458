// RUN: dsc-opt %s -exec-select-gemm-tactics -split-input-file | FileCheck %s
// RUN: dsc-opt %s -exec-select-gemm-tactics="max-candidates=2 max-conv-candidates=2" -split-input-file | FileCheck %s --check-prefix=TWO

// bert's FFN at batch 4: 96 tiles of 128x128 cannot fill 132 SMs, so the
// heuristic picks 64x64 (384 tiles, no split-K); the warpgroup-MMA tiles
// follow, then the other mma.sync tiles, the first 8 candidates in all.
// CHECK-LABEL: exec.kernel @large
// CHECK: exec.tactics @large [{bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 256 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 4 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 4 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 128 : i64, bn = 256 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 4 : i64}]
// TWO-LABEL: exec.kernel @large
// TWO: exec.tactics @large [{bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 256 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}]
exec.kernel @large(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  exec.yield %y : tensor<512x3072xf16>
}

// -----

// Few output tiles (128 x 768 in 64x64 tiles: 24 blocks): the heuristic
// splits K's 12 tiles into 3 slices; then no split, 2 and 4 slices.
// CHECK-LABEL: exec.kernel @few_tiles
// CHECK: exec.tactics @few_tiles [{bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 3 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 2 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 4 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 256 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 4 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 4 : i64}]
exec.kernel @few_tiles(%x: tensor<128x768xf16>, %w: tensor<768x768xf16>) -> tensor<128x768xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<128x768xf16>, tensor<768x768xf16>) -> tensor<128x768xf16>
  exec.yield %y : tensor<128x768xf16>
}

// -----

// Skinny M (decode): 16-row tiles only, no 64-row ones.
// CHECK-LABEL: exec.kernel @skinny
// CHECK: exec.tactics @skinny [{bk = 32 : i64, bm = 16 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}, {bk = 64 : i64, bm = 16 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 1 : i64, warps_n = 4 : i64}]
exec.kernel @skinny(%x: tensor<8x4096xbf16>, %w: tensor<4096x11008xbf16>) -> tensor<8x11008xbf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x4096xbf16>, tensor<4096x11008xbf16>) -> tensor<8x11008xbf16>
  exec.yield %y : tensor<8x11008xbf16>
}

// -----

// Batched (attention scores): K is not split across batches; no tile
// taller or wider than 128 (no 128x256 warpgroup tile).
// CHECK-LABEL: exec.kernel @batched
// CHECK: exec.tactics @batched [{bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 4 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 4 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}]
exec.kernel @batched(%q: tensor<12x128x64xf16>, %k: tensor<12x64x128xf16>) -> tensor<12x128x128xf16> attributes {family = "gemm"} {
  %s = graph.matmul %q, %k : (tensor<12x128x64xf16>, tensor<12x64x128xf16>) -> tensor<12x128x128xf16>
  exec.yield %s : tensor<12x128x128xf16>
}

// -----

// f32 runs the SIMT kernel, which has one tile: no tactics.
// CHECK-LABEL: exec.kernel @simt
// CHECK-NOT: exec.tactics
exec.kernel @simt(%x: tensor<128x256xf32>, %w: tensor<256x256xf32>) -> tensor<128x256xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<128x256xf32>, tensor<256x256xf32>) -> tensor<128x256xf32>
  exec.yield %y : tensor<128x256xf32>
}

// -----

// Per-sample kernels keep their one entry.
// CHECK-LABEL: exec.kernel @per_sample
// CHECK-NOT: exec.tactics
exec.kernel @per_sample(%x: tensor<64x256xf16> {exec.per_sample}, %w: tensor<256x256xf16>) -> (tensor<64x256xf16> {exec.per_sample}) attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x256xf16>, tensor<256x256xf16>) -> tensor<64x256xf16>
  exec.yield %y : tensor<64x256xf16>
}

// -----

// Tactics already given are kept as they are.
// CHECK-LABEL: exec.kernel @given
// CHECK: exec.tactics @given [{bk = 32 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 2 : i64, warps_m = 2 : i64, warps_n = 2 : i64}]
// CHECK-NOT: exec.tactics
exec.kernel @given(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  exec.yield %y : tensor<512x3072xf16>
}
exec.tactics @given [{bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 2, split_k = 1}]

// -----

// An implicit-GEMM conv (ResNet's stage 3 at batch 1: M = 196 pixels,
// N = 256, K = 2304 in 72 K tiles): the conv heuristic's 16x32 tile (104
// blocks, too few for 132 SMs) split 3 ways, then split 6 ways and unsplit,
// then the conv tiles whose block counts are nearest 132 SMs, each split as
// the heuristic would: 32x32 (56 tiles, 5 slices), 16x64 (52, 6); bk = 32.
// CHECK-LABEL: exec.kernel @conv_stage3
// CHECK: exec.tactics @conv_stage3 [{bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 3 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 6 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 32 : i64, split_k = 5 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 64 : i64, split_k = 6 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 64 : i64, split_k = 9 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}]
exec.kernel @conv_stage3(%x: tensor<1x14x14x256xf16>, %w: tensor<256x3x3x256xf16>, %b: tensor<256xf16>) -> tensor<1x14x14x256xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x14x14x256xf16>, tensor<256x3x3x256xf16>, tensor<256xf16>) -> tensor<1x14x14x256xf16>
  %y = graph.relu %c : tensor<1x14x14x256xf16> -> tensor<1x14x14x256xf16>
  exec.yield %y : tensor<1x14x14x256xf16>
}

// -----

// The same layer at batch 32 (M = 6272 pixels): 128x128 tiles fill 98 of
// the SMs, so the warpgroup-MMA tiles follow the pick (bk = 64), each first
// with its input through TMA im2col copies (256 channels: whole 64-channel
// K tiles), up to six candidates.
// CHECK-LABEL: exec.kernel @conv_stage3_b32
// CHECK: exec.tactics @conv_stage3_b32 [{bk = 32 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 4 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, tma = 1 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, tma = 1 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 128 : i64, split_k = 1 : i64, stages = 4 : i64, tma = 1 : i64, warps_m = 4 : i64, warps_n = 1 : i64, wgmma = 1 : i64}]
exec.kernel @conv_stage3_b32(%x: tensor<32x14x14x256xf16>, %w: tensor<256x3x3x256xf16>) -> tensor<32x14x14x256xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<32x14x14x256xf16>, tensor<256x3x3x256xf16>) -> tensor<32x14x14x256xf16>
  exec.yield %c : tensor<32x14x14x256xf16>
}

// -----

// ResNet's stem at batch 32, its channels padded to 4 (M = 401408, N = 64,
// K = 196: 4 K tiles of 64): after the heuristic's tile, the patch tiles
// (4 channels: each input pixel copied once per block, not once per tap),
// then the 128x64 warpgroup tile and the same with 3 stages (more blocks
// per SM to hide each block's pipeline fill and epilogue).
// CHECK-LABEL: exec.kernel @conv_stem_b32
// CHECK: exec.tactics @conv_stem_b32 [{bk = 32 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 4 : i64, warps_n = 2 : i64}, {bk = 16 : i64, bm = 256 : i64, bn = 64 : i64, patch = 16 : i64, split_k = 1 : i64, stages = 1 : i64, warps_m = 4 : i64, warps_n = 2 : i64}, {bk = 16 : i64, bm = 128 : i64, bn = 64 : i64, patch = 16 : i64, split_k = 1 : i64, stages = 1 : i64, warps_m = 4 : i64, warps_n = 2 : i64}, {bk = 16 : i64, bm = 64 : i64, bn = 64 : i64, patch = 16 : i64, split_k = 1 : i64, stages = 1 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}, {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 3 : i64, warps_m = 8 : i64, warps_n = 1 : i64, wgmma = 1 : i64}]
exec.kernel @conv_stem_b32(%x: tensor<32x224x224x4xf16>, %w: tensor<64x7x7x4xf16>) -> tensor<32x112x112x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<32x224x224x4xf16>, tensor<64x7x7x4xf16>) -> tensor<32x112x112x64xf16>
  exec.yield %y : tensor<32x112x112x64xf16>
}

// ResNet's stage 4 at batch 1 (M = 49, N = 512, K = 4608 in 144 K tiles):
// 64 tiles of 16x32 split 5 ways (320 blocks), then 10 ways and unsplit;
// with two candidates, the pick and its doubled split.
// CHECK-LABEL: exec.kernel @conv_stage4
// CHECK: exec.tactics @conv_stage4 [{bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 5 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 10 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 32 : i64, split_k = 9 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 64 : i64, split_k = 9 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 64 : i64, split_k = 16 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}]
// TWO-LABEL: exec.kernel @conv_stage4
// TWO: exec.tactics @conv_stage4 [{bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 5 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 10 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}]
exec.kernel @conv_stage4(%x: tensor<1x7x7x512xf16>, %w: tensor<512x3x3x512xf16>, %b: tensor<512xf16>) -> tensor<1x7x7x512xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x7x7x512xf16>, tensor<512x3x3x512xf16>, tensor<512xf16>) -> tensor<1x7x7x512xf16>
  %y = graph.relu %c : tensor<1x7x7x512xf16> -> tensor<1x7x7x512xf16>
  exec.yield %y : tensor<1x7x7x512xf16>
}

// -----

// Its 1x1 expansion to 2048 channels: 256 tiles of 16x32 fill the SMs (no
// split); the others, fewer tiles, split over the 16 K tiles.
// CHECK-LABEL: exec.kernel @conv_expand
// CHECK: exec.tactics @conv_expand [{bk = 32 : i64, bm = 16 : i64, bn = 32 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 32 : i64, split_k = 3 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 2 : i64}, {bk = 32 : i64, bm = 16 : i64, bn = 64 : i64, split_k = 3 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}, {bk = 32 : i64, bm = 32 : i64, bn = 64 : i64, split_k = 4 : i64, stages = 4 : i64, warps_m = 1 : i64, warps_n = 4 : i64}]
exec.kernel @conv_expand(%x: tensor<1x7x7x512xf16>, %w: tensor<2048x1x1x512xf16>) -> tensor<1x7x7x2048xf16> attributes {family = "data"} {
  %c = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x7x7x512xf16>, tensor<2048x1x1x512xf16>) -> tensor<1x7x7x2048xf16>
  exec.yield %c : tensor<1x7x7x2048xf16>
}

// -----

// f32 convs run a SIMT tile: no tactics.
// CHECK-LABEL: exec.kernel @conv_f32
// CHECK-NOT: exec.tactics
exec.kernel @conv_f32(%x: tensor<1x14x14x64xf32>, %w: tensor<64x3x3x64xf32>) -> tensor<1x14x14x64xf32> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x14x14x64xf32>, tensor<64x3x3x64xf32>) -> tensor<1x14x14x64xf32>
  exec.yield %y : tensor<1x14x14x64xf32>
}
