// RUN: dsc-translate --exec-to-cuda %s -split-input-file -verify-diagnostics

exec.kernel @simt(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>) -> tensor<8x8xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  exec.yield %y : tensor<8x8xf32>
}
// expected-error @+1 {{'exec.tactics' op lists tiles for the gemm kernel 'simt' of 'f32', which has no tensor-core path}}
exec.tactics @simt [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

exec.kernel @batched(%x: tensor<4x64x256xf16>, %w: tensor<4x256x64xf16>) -> tensor<4x64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<4x64x256xf16>, tensor<4x256x64xf16>) -> tensor<4x64x64xf16>
  exec.yield %y : tensor<4x64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate 64x64x64 w2x2 s4 k2 splits K, which a batched or per-sample gemm cannot}}
exec.tactics @batched [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 2}]

// -----

exec.kernel @per_sample(%x: tensor<64x64xf16> {exec.per_sample}, %w: tensor<64x64xf16>) -> (tensor<64x64xf16> {exec.per_sample}) attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
// expected-error @+1 {{'exec.tactics' op lists tiles for the per-sample kernel 'per_sample', which has one entry}}
exec.tactics @per_sample [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}]

// -----

// 512 output tiles are more than the split-K counters hold.
// expected-error @+1 {{'exec.kernel' op split-K over 512 output tiles exceeds the limit of 256}}
exec.kernel @many_tiles(%x: tensor<1024x256xf16>, %w: tensor<256x2048xf16>) -> tensor<1024x2048xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<1024x256xf16>, tensor<256x2048xf16>) -> tensor<1024x2048xf16>
  exec.yield %y : tensor<1024x2048xf16>
}
exec.tactics @many_tiles [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 2}]

// -----

exec.kernel @conv_f32(%x: tensor<1x8x8x16xf32>, %w: tensor<32x3x3x16xf32>) -> tensor<1x8x8x32xf32> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x8x8x16xf32>, tensor<32x3x3x16xf32>) -> tensor<1x8x8x32xf32>
  exec.yield %y : tensor<1x8x8x32xf32>
}
// expected-error @+1 {{'exec.tactics' op lists tiles for the conv kernel 'conv_f32' of 'f32', which has no tensor-core path}}
exec.tactics @conv_f32 [{bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 1}]

// -----

// A split conv of 64 x 5 = 320 output tiles: more than the split-K counters
// hold.
// expected-error @+1 {{'exec.kernel' op split-K over 320 output tiles exceeds the limit of 256}}
exec.kernel @conv_many_tiles(%x: tensor<1x32x32x16xf16>, %w: tensor<160x3x3x16xf16>) -> tensor<1x32x32x160xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x32x32x16xf16>, tensor<160x3x3x16xf16>) -> tensor<1x32x32x160xf16>
  exec.yield %y : tensor<1x32x32x160xf16>
}
exec.tactics @conv_many_tiles [{bm = 16, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 2}]

// -----

exec.kernel @wgmma_split(%x: tensor<256x1024xf16>, %w: tensor<1024x256xf16>) -> tensor<256x256xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<256x1024xf16>, tensor<1024x256xf16>) -> tensor<256x256xf16>
  exec.yield %y : tensor<256x256xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 a wgmma tile does not split K}}
exec.tactics @wgmma_split [{bm = 64, bn = 128, bk = 64, warps_m = 4, warps_n = 1, stages = 4, split_k = 2, wgmma = 1}]

// -----

exec.kernel @wgmma_warps(%x: tensor<256x1024xf16>, %w: tensor<1024x256xf16>) -> tensor<256x256xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<256x1024xf16>, tensor<1024x256xf16>) -> tensor<256x256xf16>
  exec.yield %y : tensor<256x256xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #0 a wgmma tile needs 4 warps (one warpgroup) per 64 rows}}
exec.tactics @wgmma_warps [{bm = 128, bn = 128, bk = 64, warps_m = 2, warps_n = 4, stages = 4, split_k = 1, wgmma = 1}]

// -----

// A 128-row tile would straddle two 64-row groups of different experts.
// expected-error @+1 {{'exec.kernel' op grouped matmul tile 128x64x64 w2x2 s3 has rows (128) that do not divide group_rows (64)}}
exec.kernel @grouped_straddle(%x: tensor<256x64xf16>, %w: tensor<2x64x64xf16>, %g: tensor<4xi32>) -> tensor<256x64xf16> attributes {family = "gemm"} {
  %y = graph.grouped_matmul %x, %w, %g {group_rows = 64 : i64} : (tensor<256x64xf16>, tensor<2x64x64xf16>, tensor<4xi32>) -> tensor<256x64xf16>
  exec.yield %y : tensor<256x64xf16>
}
exec.tactics @grouped_straddle [{bm = 128, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 3, split_k = 1}]

// -----

// TMA copies are the convolution's: a GEMM candidate cannot take them.
exec.kernel @gemm_tma(%x: tensor<256x1024xf16>, %w: tensor<1024x256xf16>) -> tensor<256x256xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<256x1024xf16>, tensor<1024x256xf16>) -> tensor<256x256xf16>
  exec.yield %y : tensor<256x256xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate 128x128x64 w8x1 s4 wgmma tma takes TMA im2col copies, which only convolutions have}}
exec.tactics @gemm_tma [{bm = 128, bn = 128, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1, tma = 1}]

// -----

exec.kernel @conv_tma_first(%x: tensor<2x16x16x64xf16>, %w: tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<2x16x16x64xf16>, tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16>
  exec.yield %y : tensor<2x16x16x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate 128x64x64 w8x1 s4 wgmma tma takes TMA copies, which the first candidate (the entry every GPU runs untuned) cannot}}
exec.tactics @conv_tma_first [{bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1, tma = 1}]

// -----

// 48 channels are not whole 64-channel K tiles of one tap.
exec.kernel @conv_tma_channels(%x: tensor<2x16x16x48xf16>, %w: tensor<64x3x3x48xf16>) -> tensor<2x16x16x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<2x16x16x48xf16>, tensor<64x3x3x48xf16>) -> tensor<2x16x16x64xf16>
  exec.yield %y : tensor<2x16x16x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate 128x64x64 w8x1 s4 wgmma tma takes TMA copies, which this convolution cannot (it needs 16-bit elements, channels a multiple of 64, strides up to 8, window corners within 8 bits)}}
exec.tactics @conv_tma_channels [{bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1}, {bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1, tma = 1}]

// -----

exec.kernel @conv_tma_mma_sync(%x: tensor<2x16x16x64xf16>, %w: tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<2x16x16x64xf16>, tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16>
  exec.yield %y : tensor<2x16x16x64xf16>
}
// expected-error @+1 {{tma needs a warpgroup-MMA (wgmma) tile}}
exec.tactics @conv_tma_mma_sync [{bm = 128, bn = 64, bk = 32, warps_m = 4, warps_n = 2, stages = 3, split_k = 1}, {bm = 128, bn = 64, bk = 32, warps_m = 4, warps_n = 2, stages = 3, split_k = 1, tma = 1}]

// -----

// Patch tiles read each tap's channels as 4-byte fragment pairs: 64
// channels take the implicit GEMM.
exec.kernel @conv_patch_channels(%x: tensor<2x16x16x64xf16>, %w: tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<2x16x16x64xf16>, tensor<64x3x3x64xf16>) -> tensor<2x16x16x64xf16>
  exec.yield %y : tensor<2x16x16x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate 128x64x16 w4x2 s1 patch16 is a patch tile, which this convolution cannot take (it needs 16-bit inputs and result, 4 or 8 channels and its window within shared memory)}}
exec.tactics @conv_patch_channels [{bm = 128, bn = 64, bk = 32, warps_m = 4, warps_n = 2, stages = 3, split_k = 1}, {bm = 128, bn = 64, bk = 16, warps_m = 4, warps_n = 2, stages = 1, split_k = 1, patch = 16}]

// -----

// A 4-channel conv whose epilogue widens the result to f32: the staged
// tile holds 16-bit values.
exec.kernel @conv_patch_f32_result(%x: tensor<1x32x32x4xf16>, %w: tensor<64x7x7x4xf16>) -> tensor<1x16x16x64xf32> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<1x32x32x4xf16>, tensor<64x7x7x4xf16>) -> tensor<1x16x16x64xf16>
  %z = graph.cast %y : tensor<1x16x16x64xf16> -> tensor<1x16x16x64xf32>
  exec.yield %z : tensor<1x16x16x64xf32>
}
// expected-error @+1 {{'exec.tactics' op candidate 64x64x16 w2x2 s1 patch16 is a patch tile, which this convolution cannot take}}
exec.tactics @conv_patch_f32_result [{bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 16, warps_m = 2, warps_n = 2, stages = 1, split_k = 1, patch = 16}]

// -----

exec.kernel @conv_patch_rows(%x: tensor<1x32x32x4xf16>, %w: tensor<64x7x7x4xf16>) -> tensor<1x16x16x64xf16> attributes {family = "data"} {
  %y = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<1x32x32x4xf16>, tensor<64x7x7x4xf16>) -> tensor<1x16x16x64xf16>
  exec.yield %y : tensor<1x16x16x64xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #1 a patch tile needs bm a multiple of patch (whole pixel rows)}}
exec.tactics @conv_patch_rows [{bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 48, bn = 64, bk = 16, warps_m = 1, warps_n = 2, stages = 1, split_k = 1, patch = 32}]

// -----

exec.kernel @gemm_patch(%x: tensor<256x1024xf16>, %w: tensor<1024x256xf16>) -> tensor<256x256xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<256x1024xf16>, tensor<1024x256xf16>) -> tensor<256x256xf16>
  exec.yield %y : tensor<256x256xf16>
}
// expected-error @+1 {{'exec.tactics' op candidate #1 is a patch tile, which only a convolution takes}}
exec.tactics @gemm_patch [{bm = 64, bn = 64, bk = 32, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 16, warps_m = 2, warps_n = 2, stages = 1, split_k = 1, patch = 16}]
