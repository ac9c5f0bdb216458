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
