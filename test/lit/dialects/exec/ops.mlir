// RUN: dsc-opt %s | dsc-opt | FileCheck %s

// CHECK-LABEL: exec.kernel @fused_add_relu
// CHECK-SAME: family = "elementwise"
exec.kernel @fused_add_relu(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> attributes {family = "elementwise"} {
  %s = graph.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %r = graph.relu %s : tensor<4x8xf32> -> tensor<4x8xf32>
  exec.yield %r : tensor<4x8xf32>
}

// CHECK-LABEL: exec.program @main
// CHECK: %[[X:.*]] = exec.input "x" index(0) : !exec.buffer<4x8xf32>
// CHECK: %[[W:.*]] = exec.weight "bias" {value = dense<5.000000e-01> : tensor<8xf32>} : !exec.buffer<8xf32>
// CHECK: %[[T:.*]] = exec.alloc {offset = 0 : i64} : !exec.buffer<4x8xf32>
// CHECK: exec.launch @fused_add_relu ins(%[[X]], %[[W]] : !exec.buffer<4x8xf32>, !exec.buffer<8xf32>) outs(%[[T]] : !exec.buffer<4x8xf32>) {block = array<i32: 256, 1, 1>, grid = array<i32: 1, 1, 1>}
// CHECK: %[[V:.*]] = exec.view %[[T]] : !exec.buffer<4x8xf32> to !exec.buffer<32xf32>
// CHECK: %[[Y:.*]] = exec.output "y" index(0) : !exec.buffer<32xf32>
// CHECK: exec.copy %[[V]] to %[[Y]] : !exec.buffer<32xf32> to !exec.buffer<32xf32>
exec.program @main attributes {arena_size = 128 : i64} {
  %x = exec.input "x" index(0) : !exec.buffer<4x8xf32>
  %b = exec.weight "bias" {value = dense<0.5> : tensor<8xf32>} : !exec.buffer<8xf32>
  %t = exec.alloc {offset = 0 : i64} : !exec.buffer<4x8xf32>
  exec.launch @fused_add_relu ins(%x, %b : !exec.buffer<4x8xf32>, !exec.buffer<8xf32>) outs(%t : !exec.buffer<4x8xf32>) {grid = array<i32: 1, 1, 1>, block = array<i32: 256, 1, 1>}
  %v = exec.view %t : !exec.buffer<4x8xf32> to !exec.buffer<32xf32>
  %y = exec.output "y" index(0) : !exec.buffer<32xf32>
  exec.copy %v to %y : !exec.buffer<32xf32> to !exec.buffer<32xf32>
}

// CHECK-LABEL: exec.kernel @tiled_gemm
// CHECK: exec.tactics @tiled_gemm [{bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 1 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}, {bk = 64 : i64, bm = 64 : i64, bn = 64 : i64, split_k = 2 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}]
exec.kernel @tiled_gemm(%x: tensor<64x512xf16>, %w: tensor<512x64xf16>) -> tensor<64x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<64x512xf16>, tensor<512x64xf16>) -> tensor<64x64xf16>
  exec.yield %y : tensor<64x64xf16>
}
exec.tactics @tiled_gemm [{bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 1}, {bm = 64, bn = 64, bk = 64, warps_m = 2, warps_n = 2, stages = 4, split_k = 2}]

// CHECK-LABEL: exec.program @strings
// CHECK: exec.input "words" index(0) {string} : !exec.buffer<3x16xui8>
// CHECK: exec.output "same" index(0) {string} : !exec.buffer<3x16xui8>
exec.program @strings {
  %x = exec.input "words" index(0) {string} : !exec.buffer<3x16xui8>
  %y = exec.output "same" index(0) {string} : !exec.buffer<3x16xui8>
  exec.copy %x to %y : !exec.buffer<3x16xui8> to !exec.buffer<3x16xui8>
}
