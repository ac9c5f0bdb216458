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

// An image's 3 channels to channels-last: a 32x32 tile would idle 29 of
// every 32 threads, so each output element gathers its input.
// CHECK-LABEL: // kernel @transpose_narrow entry transpose_narrow
// CHECK-SAME: block (256, 1, 1)
// CHECK: // transpose of a narrow dimension: gather
// CHECK: out0[o] = arg0[(o / 3072) * 3072 + ((o / 96) % 32) * 32 + ((o / 3) % 32) + (o % 3) * 1024];
exec.kernel @transpose_narrow(%x: tensor<2x3x32x32xf16>) -> tensor<2x32x32x3xf16> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<2x3x32x32xf16> -> tensor<2x32x32x3xf16>
  exec.yield %y : tensor<2x32x32x3xf16>
}

// The same with its channels padded to 4 (graph-pad-channels): each thread
// writes one pixel's 4 channels as one 8-byte vector, the fourth the pad
// value.
// CHECK-LABEL: // kernel @transpose_pad entry transpose_pad grid (8, 1, 1) block (256, 1, 1)
// CHECK: // pad of the last dimension to 4, 8-byte rows: one thread per output element
// CHECK: for (index_t o = {{.*}}; o < 2048; o += stride) {
// CHECK: offset += c0 * 3072;
// CHECK: offset += c1 * 32;
// CHECK: offset += c2 * 1;
// CHECK: union { uint2 v; unsigned short e[4]; } row;
// CHECK: row.e[0] = arg0[offset + 0];
// CHECK: row.e[1] = arg0[offset + 1024];
// CHECK: row.e[2] = arg0[offset + 2048];
// CHECK: row.e[3] = arg1[0];
// CHECK: reinterpret_cast<uint2*>(out0)[o] = row.v;
exec.kernel @transpose_pad(%x: tensor<2x3x32x32xf16>, %v: tensor<f16>) -> tensor<2x32x32x4xf16> attributes {family = "data"} {
  %t = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<2x3x32x32xf16> -> tensor<2x32x32x3xf16>
  %y = graph.pad constant %t, %v {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>} : (tensor<2x32x32x3xf16>, tensor<f16>) -> tensor<2x32x32x4xf16>
  exec.yield %y : tensor<2x32x32x4xf16>
}

// Pads elsewhere: per element, through the transpose's strides.
// CHECK-LABEL: // kernel @transpose_pad_rows
// CHECK: // pad: one thread per output element
// CHECK: offset += j * 32LL;
// CHECK: out0[o] = inside ? arg0[(index_t)offset] : arg1[0];
exec.kernel @transpose_pad_rows(%x: tensor<2x3x32x32xf16>, %v: tensor<f16>) -> tensor<2x34x32x3xf16> attributes {family = "data"} {
  %t = graph.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<2x3x32x32xf16> -> tensor<2x32x32x3xf16>
  %y = graph.pad constant %t, %v {pads = array<i64: 0, 1, 0, 0, 0, 1, 0, 0>} : (tensor<2x32x32x3xf16>, tensor<f16>) -> tensor<2x34x32x3xf16>
  exec.yield %y : tensor<2x34x32x3xf16>
}

// A reshape is a copy, 16 bytes at a time when aligned.
// CHECK-LABEL: // kernel @reshape entry reshape grid (1, 1, 1) block (256, 1, 1)
// CHECK: const uint4* __restrict__ src = reinterpret_cast<const uint4*>(arg0);
// CHECK: out0[v] = arg0[v];
exec.kernel @reshape(%x: tensor<2x3x4xf16>) -> tensor<6x4xf16> attributes {family = "data"} {
  %y = graph.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf16> -> tensor<6x4xf16>
  exec.yield %y : tensor<6x4xf16>
}
