// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s

// A bias broadcast along rows reads `i % N`; f32 moves 4 elements a thread.
// CHECK-LABEL: // kernel @add_relu entry add_relu grid (1, 1, 1) block (256, 1, 1) shared_memory 0
// CHECK: extern "C" __global__ void __launch_bounds__(256) add_relu(const float* __restrict__ arg0, const float* __restrict__ arg1, float* __restrict__ out0)
// CHECK: typedef unsigned int index_t;
// CHECK: const index_t numVectors = 8;
// CHECK: const bool aligned = (((unsigned long long)arg0 % 16) | ((unsigned long long)arg1 % 16) | ((unsigned long long)out0 % 16)) == 0;
// CHECK: *reinterpret_cast<uint4*>(a0) = *reinterpret_cast<const uint4*>(arg0 + (i));
// CHECK: *reinterpret_cast<uint4*>(a1) = *reinterpret_cast<const uint4*>(arg1 + ((i % 8)));
// CHECK: const float v0 = x0 + x1;
// CHECK: const float v1 = fmaxf(v0, 0.0f);
// CHECK: r0[j] = v1;
// CHECK: *reinterpret_cast<uint4*>(out0 + i) = *reinterpret_cast<const uint4*>(r0);
// CHECK: const float x1 = arg1[(e % 8)];
// CHECK: out0[e] = v1;
exec.kernel @add_relu(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> attributes {family = "elementwise"} {
  %s = graph.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %r = graph.relu %s : tensor<4x8xf32> -> tensor<4x8xf32>
  exec.yield %r : tensor<4x8xf32>
}

// f16 computes in f32, splat constants are literals, a middle broadcast
// dimension skips a run, and a cast from f16 sees the rounded value.
// CHECK-LABEL: // kernel @gelu_f16 entry gelu_f16 grid (5, 1, 1) block (256, 1, 1)
// CHECK-SAME: shared_memory 0
// CHECK: gelu_f16(const unsigned short* __restrict__ arg0, const unsigned short* __restrict__ arg1, unsigned short* __restrict__ out0, float* __restrict__ out1)
// CHECK: const index_t numVectors = 1152;
// CHECK: *reinterpret_cast<uint2*>(a1) = *reinterpret_cast<const uint2*>(arg1 + ((i / 2304) * 768 + (i % 768)));
// CHECK: const float x0 = dsc_f16_to_f32(a0[j]);
// CHECK: const float v0 = x0 * 1.5f;
// CHECK: const float v2 = 0.5f * v1 * (1.0f + tanhf(0.797884561f * (v1 + 0.044715f * v1 * v1 * v1)));
// CHECK: r0[j] = dsc_f32_to_f16(v2);
// CHECK: const float v3 = ((float)(dsc_f16_to_f32(dsc_f32_to_f16(v2))));
// CHECK: r1[j] = v3;
// CHECK: *reinterpret_cast<uint4*>(out1 + i) = *reinterpret_cast<const uint4*>(r1);
exec.kernel @gelu_f16(%x: tensor<2x3x768xf16>, %c: tensor<2x1x768xf16>) -> (tensor<2x3x768xf16>, tensor<2x3x768xf32>) attributes {family = "elementwise"} {
  %k = graph.constant dense<1.5> : tensor<f16>
  %m = graph.mul %x, %k : (tensor<2x3x768xf16>, tensor<f16>) -> tensor<2x3x768xf16>
  %a = graph.add %m, %c : (tensor<2x3x768xf16>, tensor<2x1x768xf16>) -> tensor<2x3x768xf16>
  %g = graph.gelu %a {approximate = #graph.gelu_approximation<tanh>} : tensor<2x3x768xf16> -> tensor<2x3x768xf16>
  %f = graph.cast %g : tensor<2x3x768xf16> -> tensor<2x3x768xf32>
  exec.yield %g, %f : tensor<2x3x768xf16>, tensor<2x3x768xf32>
}

// An odd innermost dimension gets no vector path; a column vector reads
// `i / N`; exact gelu, sigmoid, pow by 2 and a negative literal.
// CHECK-LABEL: // kernel @odd_bf16 entry odd_bf16 grid (1, 1, 1)
// CHECK-NOT: aligned
// CHECK: const index_t numVectors = 21;
// CHECK: const float x0 = dsc_bf16_to_f32(arg0[e]);
// CHECK: const float x1 = dsc_bf16_to_f32(arg1[(e / 7)]);
// CHECK: const float v0 = x0 - x1;
// CHECK: const float v1 = v0 * v0;
// CHECK: const float v2 = 0.5f * v1 * (1.0f + erff(v1 * 0.707106781f));
// CHECK: const float v3 = 1.0f / (1.0f + expf(-(v2)));
// CHECK: const float v4 = v3 * (-0.25f);
// CHECK: out0[e] = dsc_f32_to_bf16(v4);
exec.kernel @odd_bf16(%x: tensor<3x7xbf16>, %m: tensor<3x1xbf16>) -> tensor<3x7xbf16> attributes {family = "elementwise"} {
  %two = graph.constant dense<2.0> : tensor<bf16>
  %q = graph.constant dense<-0.25> : tensor<1xbf16>
  %d = graph.sub %x, %m : (tensor<3x7xbf16>, tensor<3x1xbf16>) -> tensor<3x7xbf16>
  %p = graph.pow %d, %two : (tensor<3x7xbf16>, tensor<bf16>) -> tensor<3x7xbf16>
  %g = graph.gelu %p : tensor<3x7xbf16> -> tensor<3x7xbf16>
  %s = graph.sigmoid %g : tensor<3x7xbf16> -> tensor<3x7xbf16>
  %r = graph.mul %s, %q : (tensor<3x7xbf16>, tensor<1xbf16>) -> tensor<3x7xbf16>
  exec.yield %r : tensor<3x7xbf16>
}

// f64 computes in double with the double math functions; integer casts.
// CHECK-LABEL: // kernel @f64_math
// CHECK: const double v0 = exp(x0);
// CHECK: const double v1 = log(v0);
// CHECK: const double v2 = sqrt(v1);
// CHECK: const long long v3 = ((long long)(v2));
// CHECK: const long long v4 = (v3 > ((long long)0LL) ? v3 : ((long long)0LL));
// CHECK: const bool v5 = ((v4) != 0);
// CHECK: out0[e] = (unsigned char)((v5) ? 1 : 0);
exec.kernel @f64_math(%x: tensor<5xf64>) -> tensor<5xi1> attributes {family = "elementwise"} {
  %zero = graph.constant dense<0> : tensor<i64>
  %e = graph.exp %x : tensor<5xf64> -> tensor<5xf64>
  %l = graph.log %e : tensor<5xf64> -> tensor<5xf64>
  %s = graph.sqrt %l : tensor<5xf64> -> tensor<5xf64>
  %i = graph.cast %s : tensor<5xf64> -> tensor<5xi64>
  %m = graph.max %i, %zero : (tensor<5xi64>, tensor<i64>) -> tensor<5xi64>
  %b = graph.cast %m : tensor<5xi64> -> tensor<5xi1>
  exec.yield %b : tensor<5xi1>
}

// Two results, one of them an argument passed through; a scalar operand.
// CHECK-LABEL: // kernel @passthrough
// CHECK: const float x0 = a0[j];
// CHECK: r0[j] = x0;
// CHECK: const float x1 = arg1[0];
// CHECK: const float v0 = 1.0f / x1;
// CHECK: const float v1 = x0 * v0;
// CHECK: r1[j] = v1;
exec.kernel @passthrough(%x: tensor<16xf32>, %s: tensor<f32>) -> (tensor<16xf32>, tensor<16xf32>) attributes {family = "elementwise"} {
  %r = graph.reciprocal %s : tensor<f32> -> tensor<f32>
  %y = graph.mul %x, %r : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  exec.yield %x, %y : tensor<16xf32>, tensor<16xf32>
}
