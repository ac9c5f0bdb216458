// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// The innermost dimension stays: a gather per output element.
// CHECK-LABEL: // kernel @transpose_0213 entry transpose_0213 grid (768, 1, 1) block (256, 1, 1)
// CHECK: // transpose keeping the innermost dimension: gather
// CHECK: out0[o] = arg0[(o / 98304) * 98304 + ((o / 8192) % 12) * 64 + ((o / 64) % 128) * 768 + (o % 64)];
exec.kernel @transpose_0213(%x: tensor<2x128x12x64xf16>) -> tensor<2x12x128x64xf16> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 0, 2, 1, 3>} : tensor<2x128x12x64xf16> -> tensor<2x12x128x64xf16>
  exec.yield %y : tensor<2x12x128x64xf16>
}

// The innermost dimension moves: tiles through padded shared memory.
// CHECK-LABEL: // kernel @transpose_last entry transpose_last grid (3, 2, 2) block (32, 8, 1)
// CHECK: __shared__ float tile[32][33];
// CHECK: tile[i][threadIdx.x] = arg0[inBase + b * 65 + a];
// CHECK: out0[outBase + a * 33 + b] = tile[threadIdx.x][i];
exec.kernel @transpose_last(%x: tensor<2x33x65xf32>) -> tensor<2x65x33xf32> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<2x33x65xf32> -> tensor<2x65x33xf32>
  exec.yield %y : tensor<2x65x33xf32>
}

// A reshape is a copy, 16 bytes at a time when aligned.
// CHECK-LABEL: // kernel @reshape entry reshape grid (1, 1, 1) block (256, 1, 1)
// CHECK: const uint4* __restrict__ src = reinterpret_cast<const uint4*>(arg0);
// CHECK: out0[v] = arg0[v];
exec.kernel @reshape(%x: tensor<2x3x4xf16>) -> tensor<6x4xf16> attributes {family = "data"} {
  %y = graph.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf16> -> tensor<6x4xf16>
  exec.yield %y : tensor<6x4xf16>
}
