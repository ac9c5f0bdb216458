// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=CUBIN

// Nearest: a table of input offsets per resized axis, the others read their
// own coordinate; elements are copied as stored.
// CHECK-LABEL: // kernel @resize_nearest entry resize_nearest grid (1, 1, 1) block (256, 1, 1)
// CHECK: // resize: one thread per output element
// CHECK: static const long long offsets2[4] = {0, 0, 3, 3};
// CHECK: static const long long offsets3[6] = {0, 0, 1, 1, 2, 2};
// CHECK-NOT: weights
// CHECK: out0[o] = arg0[(long long)c1 * 6 + offsets2[c2 * 1 + t2] + offsets3[c3 * 1 + t3]];
// CUBIN: // kernel @resize_nearest entry resize_nearest cubin {{[0-9]+}} bytes
exec.kernel @resize_nearest(%x: tensor<1x2x2x3xf16>) -> tensor<1x2x4x6xf16> attributes {family = "data"} {
  %y = graph.resize nearest %x {coordinates = #graph.resize_coordinates<asymmetric>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 2, 4, 6>} : tensor<1x2x2x3xf16> -> tensor<1x2x4x6xf16>
  exec.yield %y : tensor<1x2x4x6xf16>
}

// Linear, align_corners: two taps per coordinate with their weights; the
// sum is in double and rounded once.
// CHECK-LABEL: // kernel @resize_linear entry resize_linear
// CHECK: static const long long offsets1[10] = {0, 0, 0, 1, 0, 1, 1, 2, 1, 2};
// CHECK: static const double weights1[10] = {0.{{0+}}e+00, 1.{{0+}}e+00, 5.{{0+}}e-01, 5.{{0+}}e-01, 0.{{0+}}e+00, 1.{{0+}}e+00, 5.{{0+}}e-01, 5.{{0+}}e-01, 0.{{0+}}e+00, 1.{{0+}}e+00};
// CHECK: sum += weights1[c1 * 2 + t1] * (double)arg0[(long long)c0 * 3 + offsets1[c1 * 2 + t1]];
// CHECK: out0[o] = (float)sum;
// CUBIN: // kernel @resize_linear entry resize_linear cubin {{[0-9]+}} bytes
exec.kernel @resize_linear(%x: tensor<2x3xf32>) -> tensor<2x5xf32> attributes {family = "data"} {
  %y = graph.resize linear %x {coordinates = #graph.resize_coordinates<align_corners>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64>, scales = array<f64: 1.0, 1.6666666666666667>, sizes = array<i64: 2, 5>} : tensor<2x3xf32> -> tensor<2x5xf32>
  exec.yield %y : tensor<2x5xf32>
}

// tf_crop_and_resize: coordinates outside the crop take the extrapolation
// value.
// CHECK-LABEL: // kernel @resize_crop entry resize_crop
// CHECK: static const unsigned char outside0[3] = {0, 0, 1};
// CHECK: if (outside0[c0]) {
// CHECK-NEXT: out0[o] = dsc_f32_to_bf16((float)1.{{0+}}e+01);
// CUBIN: // kernel @resize_crop entry resize_crop cubin {{[0-9]+}} bytes
exec.kernel @resize_crop(%x: tensor<4xbf16>) -> tensor<3xbf16> attributes {family = "data"} {
  %y = graph.resize cubic %x {coordinates = #graph.resize_coordinates<tf_crop_and_resize>, nearest_mode = #graph.resize_nearest_mode<floor>, roi = array<f64: 0.5, 1.5>, scales = array<f64: 0.75>, sizes = array<i64: 3>, extrapolation_value = 10.0 : f64} : tensor<4xbf16> -> tensor<3xbf16>
  exec.yield %y : tensor<3xbf16>
}

// TopK of a row that fits in shared memory: a bitonic sort padded to a power
// of two, in the total order (NaN largest, ties by the lower position); the
// values are copied as stored, the indices are row positions.
// CHECK-LABEL: // kernel @topk_mid entry topk_mid grid (6, 1, 1) block (32, 1, 1)
// CHECK: // top-k: one block per row, a bitonic sort of the row in shared memory
// CHECK: static __device__ __forceinline__ bool dsc_before(float a, long long ia, float b, long long ib) {
// CHECK-NEXT: if (ia >= 5LL || ib >= 5LL)
// CHECK: return na && nb ? ia < ib : na;
// CHECK: return a > b;
// CHECK: topk_mid(const unsigned short* __restrict__ arg0, unsigned short* __restrict__ out0, long long* __restrict__ out1)
// CHECK: constexpr index_t N = 5, K = 2, INNER = 3, ROWS = 6;
// CHECK: constexpr int P = 8;
// CHECK: keys[e] = (index_t)e < N ? dsc_f16_to_f32(arg0[base + (index_t)e * INNER]) : (float)0;
// CHECK: out0[at] = arg0[base + (index_t)slots[j] * INNER];
// CHECK-NEXT: out1[at] = (long long)slots[j];
// CUBIN: // kernel @topk_mid entry topk_mid cubin {{[0-9]+}} bytes
exec.kernel @topk_mid(%x: tensor<2x5x3xf16>) -> (tensor<2x2x3xf16>, tensor<2x2x3xi64>) attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 2 : i64, axis = 1 : i64} : tensor<2x5x3xf16> -> tensor<2x2x3xf16>, tensor<2x2x3xi64>
  exec.yield %v, %i : tensor<2x2x3xf16>, tensor<2x2x3xi64>
}

// Smallest, integers (no NaN test), the indices alone yielded: out0 is the
// indices and the values are not written.
// CHECK-LABEL: // kernel @topk_indices entry topk_indices grid (3, 1, 1) block (32, 1, 1)
// CHECK-NOT: na && nb
// CHECK: return a < b;
// CHECK: topk_indices(const int* __restrict__ arg0, long long* __restrict__ out0)
// CHECK-NOT: arg0[base + (index_t)slots[j] * INNER]
// CHECK: out0[at] = (long long)slots[j];
// CUBIN: // kernel @topk_indices entry topk_indices cubin {{[0-9]+}} bytes
exec.kernel @topk_indices(%x: tensor<3x7xi32>) -> tensor<3x7xi64> attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 7 : i64, axis = -1 : i64, largest = false} : tensor<3x7xi32> -> tensor<3x7xi32>, tensor<3x7xi64>
  exec.yield %i : tensor<3x7xi64>
}

// A row too long for shared memory: k rounds of block-wide selection of the
// element after the previous round's. The results may be yielded in any
// order.
// CHECK-LABEL: // kernel @topk_long entry topk_long grid (2, 1, 1) block (1024, 1, 1)
// CHECK: // top-k: one block per row, k rounds of block-wide selection of the next element
// CHECK: topk_long(const double* __restrict__ arg0, long long* __restrict__ out0, double* __restrict__ out1)
// CHECK: if (prevSlot >= 0 && !dsc_before(prevKey, prevSlot, v, (long long)e))
// CHECK: out1[at] = arg0[base + (index_t)prevSlot * INNER];
// CHECK-NEXT: out0[at] = (long long)prevSlot;
// CUBIN: // kernel @topk_long entry topk_long cubin {{[0-9]+}} bytes
exec.kernel @topk_long(%x: tensor<2x5000xf64>) -> (tensor<2x3xi64>, tensor<2x3xf64>) attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 3 : i64, axis = 1 : i64} : tensor<2x5000xf64> -> tensor<2x3xf64>, tensor<2x3xi64>
  exec.yield %i, %v : tensor<2x3xi64>, tensor<2x3xf64>
}

// A long row of values of 32 bits or less: each element is ranked as one
// 64-bit number (an order-preserving key, then the position's complement),
// so a round is a maximum of ranks below the previous round's.
// CHECK-LABEL: // kernel @topk_packed entry topk_packed grid (3, 1, 1) block (1024, 1, 1)
// CHECK: // top-k: one block per row, k rounds of block-wide selection of the next element, as packed ranks
// CHECK: static __device__ __forceinline__ unsigned long long dsc_rank(float v, long long e) {
// CHECK-NEXT: v = v + 0.0f;
// CHECK: unsigned int key = v != v ? 0xffffffffu : (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
// CHECK-NEXT: key = ~key;
// CHECK-NEXT: return ((unsigned long long)key << 32) | (0xffffffffu - (unsigned int)e);
// CHECK-NOT: dsc_before
// CHECK: if ((j == 0 || r < prev) && r > best)
// CHECK: const long long slot = (long long)(0xffffffffu - (unsigned int)prev);
// CUBIN: // kernel @topk_packed entry topk_packed cubin {{[0-9]+}} bytes
exec.kernel @topk_packed(%x: tensor<3x9000xbf16>) -> (tensor<3x4xbf16>, tensor<3x4xi64>) attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 4 : i64, axis = 1 : i64, largest = false} : tensor<3x9000xbf16> -> tensor<3x4xbf16>, tensor<3x4xi64>
  exec.yield %v, %i : tensor<3x4xbf16>, tensor<3x4xi64>
}

// k = 0: nothing to write, a kernel that does nothing.
// CHECK-LABEL: // kernel @topk_empty entry topk_empty
// CHECK-NOT: __shared__
// CHECK: }
// CUBIN: // kernel @topk_empty entry topk_empty cubin {{[0-9]+}} bytes
exec.kernel @topk_empty(%x: tensor<4x3xf32>) -> (tensor<4x0xf32>, tensor<4x0xi64>) attributes {family = "data"} {
  %v, %i = graph.topk %x {k = 0 : i64, axis = 1 : i64} : tensor<4x3xf32> -> tensor<4x0xf32>, tensor<4x0xi64>
  exec.yield %v, %i : tensor<4x0xf32>, tensor<4x0xi64>
}

// GatherND with a batch dimension: tuple t of batch t / 2 selects a slice of
// 4 elements; each index is counted from the end when negative and faults
// when out of range.
// CHECK-LABEL: // kernel @gather_nd_batch entry gather_nd_batch grid (1, 1, 1) block (256, 1, 1)
// CHECK: // gather_nd: one thread per output element
// CHECK: , unsigned int *__restrict__ fault)
// CHECK: const index_t t = o / 4, s = o % 4;
// CHECK: offset += (long long)(t / 2) * 12LL;
// CHECK: long long index = (long long)arg1[t * 1 + 0];
// CHECK: index += 3LL;
// CHECK: *fault = 1u;
// CHECK: offset += index * 4LL;
// CHECK: out0[o] = inside ? arg0[(index_t)offset + s] : (float)0;
// CUBIN: // kernel @gather_nd_batch entry gather_nd_batch cubin {{[0-9]+}} bytes
exec.kernel @gather_nd_batch(%x: tensor<2x3x4xf32>, %i: tensor<2x2x1xi64>) -> tensor<2x2x4xf32> attributes {family = "data"} {
  %y = graph.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2x1xi64>) -> tensor<2x2x4xf32>
  exec.yield %y : tensor<2x2x4xf32>
}

// Pairs of i32 indices into a 2-d input: scalar slices.
// CHECK-LABEL: // kernel @gather_nd_pairs entry gather_nd_pairs
// CHECK: const index_t t = o / 1, s = o % 1;
// CHECK: long long index = (long long)arg1[t * 2 + 1];
// CHECK: offset += index * 1LL;
// CUBIN: // kernel @gather_nd_pairs entry gather_nd_pairs cubin {{[0-9]+}} bytes
exec.kernel @gather_nd_pairs(%x: tensor<5x6xi8>, %i: tensor<3x2xi32>) -> tensor<3xi8> attributes {family = "data"} {
  %y = graph.gather_nd %x, %i : (tensor<5x6xi8>, tensor<3x2xi32>) -> tensor<3xi8>
  exec.yield %y : tensor<3xi8>
}

// ScatterND: blocks stage the targets of 256 tuples in shared memory, each
// thread replays in order those aimed at its element (a block skips a chunk
// that aims at none of its slots); f16 sums round after each update as the
// reference does.
// CHECK-LABEL: // kernel @scatter_nd_add entry scatter_nd_add grid (1, 1, 1) block (256, 1, 1)
// CHECK: // scatter_nd: one thread per output element replays the updates aimed at it, in order
// CHECK: , unsigned int *__restrict__ fault)
// CHECK: __shared__ long long targets[256];
// CHECK: const long long slot = (long long)(o / 4);
// CHECK: const long long lo = (long long)(first / 4), hi = (long long)((first + blockDim.x - 1 < 24 ? first + blockDim.x - 1 : 24 - 1) / 4);
// CHECK: for (index_t t0 = 0; t0 < 3; t0 += 256) {
// CHECK: targets[threadIdx.x] = inside ? offset : -1;
// CHECK-NEXT: near = inside && offset >= lo && offset <= hi;
// CHECK: if (__syncthreads_or(near) && active) {
// CHECK: if (targets[c] == slot) {
// CHECK-NEXT: const float u = dsc_f16_to_f32(arg2[(t0 + c) * 4 + s]);
// CHECK-NEXT: r = dsc_f16_to_f32(dsc_f32_to_f16(r + u));
// CHECK: out0[o] = dsc_f32_to_f16(r);
// CUBIN: // kernel @scatter_nd_add entry scatter_nd_add cubin {{[0-9]+}} bytes
exec.kernel @scatter_nd_add(%x: tensor<2x3x4xf16>, %i: tensor<3x2xi64>, %u: tensor<3x4xf16>) -> tensor<2x3x4xf16> attributes {family = "data"} {
  %y = graph.scatter_nd %x, %i, %u {reduction = #graph.scatter_reduction<add>} : (tensor<2x3x4xf16>, tensor<3x2xi64>, tensor<3x4xf16>) -> tensor<2x3x4xf16>
  exec.yield %y : tensor<2x3x4xf16>
}

// No tuples: a copy.
// CHECK-LABEL: // kernel @scatter_nd_none entry scatter_nd_none
// CHECK-NOT: targets
// CHECK: out0[o] = r;
// CUBIN: // kernel @scatter_nd_none entry scatter_nd_none cubin {{[0-9]+}} bytes
exec.kernel @scatter_nd_none(%x: tensor<4x2xi32>, %i: tensor<0x1xi64>, %u: tensor<0x2xi32>) -> tensor<4x2xi32> attributes {family = "data"} {
  %y = graph.scatter_nd %x, %i, %u : (tensor<4x2xi32>, tensor<0x1xi64>, tensor<0x2xi32>) -> tensor<4x2xi32>
  exec.yield %y : tensor<4x2xi32>
}
