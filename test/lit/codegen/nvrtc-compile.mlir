// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s
// Every family, f32/f16/bf16/f64, odd shapes, batched gemm with broadcast,
// epilogues, softmax on a middle axis, layer_norm with and without bias,
// reduce_mean over several axes, transposes: all compiled by NVRTC for sm_90.
// No kernel but the f64 gemm spills registers.
// CHECK: // kernel @linear_gelu entry linear_gelu cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @bmm_bf16 entry bmm_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @gemv_f32 entry gemv_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @big_f32 entry big_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @small_f16 entry small_f16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @softmax_last entry softmax_last cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @softmax_mid entry softmax_mid cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @ln_bias entry ln_bias cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @ln_nobias entry ln_nobias cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @mean_hw entry mean_hw cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @mean_02 entry mean_02 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @mean_0 entry mean_0 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @softmax_long entry softmax_long cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @transpose_0213 entry transpose_0213 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @transpose_last entry transpose_last cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @reshape entry reshape cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @add_relu entry add_relu cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @gelu_f16 entry gelu_f16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @odd_bf16 entry odd_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @f64_math entry f64_math cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @passthrough entry passthrough cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @big_f16 entry big_f16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 107520
// CHECK: // kernel @odd_f16 entry odd_f16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @bmm_broadcast_f32 entry bmm_broadcast_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// f64 SIMT spills a few bytes (128 registers at 256 threads).
// CHECK: // kernel @gemm_f64 entry gemm_f64 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack {{[0-9]+}} spill_stores {{[0-9]+}} spill_loads {{[0-9]+}} shared_memory 0
// CHECK: // kernel @attention_scores_bf16 entry attention_scores_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @transpose_4d_f32 entry transpose_4d_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}
// CHECK: // kernel @unsqueeze_bf16 entry unsqueeze_bf16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory {{[0-9]+}}

exec.kernel @linear_gelu(%x: tensor<512x768xf16>, %w: tensor<768x3072xf16>, %b: tensor<3072xf16>) -> tensor<512x3072xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<512x768xf16>, tensor<768x3072xf16>) -> tensor<512x3072xf16>
  %z = graph.add %y, %b : (tensor<512x3072xf16>, tensor<3072xf16>) -> tensor<512x3072xf16>
  %g = graph.gelu %z : tensor<512x3072xf16> -> tensor<512x3072xf16>
  exec.yield %g : tensor<512x3072xf16>
}
exec.kernel @bmm_bf16(%x: tensor<2x3x33x70xbf16>, %w: tensor<3x70x17xbf16>, %r: tensor<2x3x33x17xbf16>) -> tensor<2x3x33x17xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x3x33x70xbf16>, tensor<3x70x17xbf16>) -> tensor<2x3x33x17xbf16>
  %z = graph.add %y, %r : (tensor<2x3x33x17xbf16>, tensor<2x3x33x17xbf16>) -> tensor<2x3x33x17xbf16>
  %c = graph.cast %z : tensor<2x3x33x17xbf16> -> tensor<2x3x33x17xf32>
  exec.yield %c : tensor<2x3x33x17xf32>
}
exec.kernel @gemv_f32(%x: tensor<1x100xf32>, %w: tensor<100x257xf32>) -> tensor<1x257xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<1x100xf32>, tensor<100x257xf32>) -> tensor<1x257xf32>
  exec.yield %y : tensor<1x257xf32>
}
exec.kernel @big_f32(%x: tensor<1024x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  exec.yield %y : tensor<1024x1024xf32>
}
exec.kernel @small_f16(%x: tensor<8x64xf16>, %w: tensor<64x64xf16>) -> tensor<8x64xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<8x64xf16>, tensor<64x64xf16>) -> tensor<8x64xf16>
  exec.yield %y : tensor<8x64xf16>
}
exec.kernel @softmax_last(%x: tensor<4x12x128x128xf16>) -> tensor<4x12x128x128xf16> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = -1 : i64} : tensor<4x12x128x128xf16> -> tensor<4x12x128x128xf16>
  exec.yield %y : tensor<4x12x128x128xf16>
}
exec.kernel @softmax_mid(%x: tensor<2x10x33xf32>) -> tensor<2x10x33xf32> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = 1 : i64} : tensor<2x10x33xf32> -> tensor<2x10x33xf32>
  exec.yield %y : tensor<2x10x33xf32>
}
exec.kernel @ln_bias(%x: tensor<8x197x768xf16>, %s: tensor<768xf16>, %b: tensor<768xf16>) -> tensor<8x197x768xf32> attributes {family = "row_reduction"} {
  %y = graph.layer_norm %x, %s, %b {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<8x197x768xf16>, tensor<768xf16>, tensor<768xf16>) -> tensor<8x197x768xf16>
  %c = graph.cast %y : tensor<8x197x768xf16> -> tensor<8x197x768xf32>
  exec.yield %c : tensor<8x197x768xf32>
}
exec.kernel @ln_nobias(%x: tensor<3x5x7xf32>, %s: tensor<5x7xf32>) -> tensor<3x5x7xf32> attributes {family = "row_reduction"} {
  %y = graph.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-6 : f32} : (tensor<3x5x7xf32>, tensor<5x7xf32>) -> tensor<3x5x7xf32>
  exec.yield %y : tensor<3x5x7xf32>
}
exec.kernel @mean_hw(%x: tensor<2x64x7x7xf32>) -> tensor<2x64x1x1xf32> attributes {family = "row_reduction"} {
  %y = graph.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = true} : tensor<2x64x7x7xf32> -> tensor<2x64x1x1xf32>
  exec.yield %y : tensor<2x64x1x1xf32>
}
exec.kernel @mean_02(%x: tensor<4x6x5xbf16>) -> tensor<6xbf16> attributes {family = "row_reduction"} {
  %y = graph.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<4x6x5xbf16> -> tensor<6xbf16>
  exec.yield %y : tensor<6xbf16>
}
exec.kernel @mean_0(%x: tensor<4x6x5xf32>) -> tensor<6x5xf32> attributes {family = "row_reduction"} {
  %y = graph.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<4x6x5xf32> -> tensor<6x5xf32>
  exec.yield %y : tensor<6x5xf32>
}
exec.kernel @softmax_long(%x: tensor<3x5000xf32>) -> tensor<3x5000xf32> attributes {family = "row_reduction"} {
  %y = graph.softmax %x {axis = 1 : i64} : tensor<3x5000xf32> -> tensor<3x5000xf32>
  exec.yield %y : tensor<3x5000xf32>
}
exec.kernel @transpose_0213(%x: tensor<2x128x12x64xf16>) -> tensor<2x12x128x64xf16> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 0, 2, 1, 3>} : tensor<2x128x12x64xf16> -> tensor<2x12x128x64xf16>
  exec.yield %y : tensor<2x12x128x64xf16>
}
exec.kernel @transpose_last(%x: tensor<2x33x65xf32>) -> tensor<2x65x33xf32> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<2x33x65xf32> -> tensor<2x65x33xf32>
  exec.yield %y : tensor<2x65x33xf32>
}
exec.kernel @reshape(%x: tensor<2x3x4xf16>) -> tensor<6x4xf16> attributes {family = "data"} {
  %y = graph.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf16> -> tensor<6x4xf16>
  exec.yield %y : tensor<6x4xf16>
}

exec.kernel @add_relu(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> attributes {family = "elementwise"} {
  %s = graph.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %r = graph.relu %s : tensor<4x8xf32> -> tensor<4x8xf32>
  exec.yield %r : tensor<4x8xf32>
}

exec.kernel @gelu_f16(%x: tensor<2x3x768xf16>, %c: tensor<2x1x768xf16>) -> (tensor<2x3x768xf16>, tensor<2x3x768xf32>) attributes {family = "elementwise"} {
  %k = graph.constant dense<1.5> : tensor<f16>
  %m = graph.mul %x, %k : (tensor<2x3x768xf16>, tensor<f16>) -> tensor<2x3x768xf16>
  %a = graph.add %m, %c : (tensor<2x3x768xf16>, tensor<2x1x768xf16>) -> tensor<2x3x768xf16>
  %g = graph.gelu %a {approximate = #graph.gelu_approximation<tanh>} : tensor<2x3x768xf16> -> tensor<2x3x768xf16>
  %f = graph.cast %g : tensor<2x3x768xf16> -> tensor<2x3x768xf32>
  exec.yield %g, %f : tensor<2x3x768xf16>, tensor<2x3x768xf32>
}

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

exec.kernel @passthrough(%x: tensor<16xf32>, %s: tensor<f32>) -> (tensor<16xf32>, tensor<16xf32>) attributes {family = "elementwise"} {
  %r = graph.reciprocal %s : tensor<f32> -> tensor<f32>
  %y = graph.mul %x, %r : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  exec.yield %x, %y : tensor<16xf32>, tensor<16xf32>
}
exec.kernel @big_f16(%x: tensor<2048x1024xf16>, %w: tensor<1024x2048xf16>, %b: tensor<2048xf16>, %r: tensor<2048x2048xf16>) -> tensor<2048x2048xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2048x1024xf16>, tensor<1024x2048xf16>) -> tensor<2048x2048xf16>
  %z = graph.add %y, %b : (tensor<2048x2048xf16>, tensor<2048xf16>) -> tensor<2048x2048xf16>
  %g = graph.gelu %z {approximate = #graph.gelu_approximation<tanh>} : tensor<2048x2048xf16> -> tensor<2048x2048xf16>
  %o = graph.add %g, %r : (tensor<2048x2048xf16>, tensor<2048x2048xf16>) -> tensor<2048x2048xf16>
  exec.yield %o : tensor<2048x2048xf16>
}
exec.kernel @odd_f16(%x: tensor<3x77x61xf16>, %w: tensor<61x45xf16>) -> tensor<3x77x45xf16> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<3x77x61xf16>, tensor<61x45xf16>) -> tensor<3x77x45xf16>
  exec.yield %y : tensor<3x77x45xf16>
}
exec.kernel @bmm_broadcast_f32(%x: tensor<2x1x9x31xf32>, %w: tensor<5x31x13xf32>) -> tensor<2x5x9x13xf32> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<2x1x9x31xf32>, tensor<5x31x13xf32>) -> tensor<2x5x9x13xf32>
  exec.yield %y : tensor<2x5x9x13xf32>
}
exec.kernel @gemm_f64(%x: tensor<17x19xf64>, %w: tensor<19x23xf64>) -> tensor<17x23xf64> attributes {family = "gemm"} {
  %y = graph.matmul %x, %w : (tensor<17x19xf64>, tensor<19x23xf64>) -> tensor<17x23xf64>
  exec.yield %y : tensor<17x23xf64>
}
exec.kernel @attention_scores_bf16(%q: tensor<2x12x128x64xbf16>, %k: tensor<2x12x64x128xbf16>) -> tensor<2x12x128x128xbf16> attributes {family = "gemm"} {
  %s = graph.constant dense<0.125> : tensor<bf16>
  %y = graph.matmul %q, %k : (tensor<2x12x128x64xbf16>, tensor<2x12x64x128xbf16>) -> tensor<2x12x128x128xbf16>
  %z = graph.mul %y, %s : (tensor<2x12x128x128xbf16>, tensor<bf16>) -> tensor<2x12x128x128xbf16>
  exec.yield %z : tensor<2x12x128x128xbf16>
}
exec.kernel @transpose_4d_f32(%x: tensor<3x4x5x6xf32>) -> tensor<6x3x5x4xf32> attributes {family = "data"} {
  %y = graph.transpose %x {perm = array<i64: 3, 0, 2, 1>} : tensor<3x4x5x6xf32> -> tensor<6x3x5x4xf32>
  exec.yield %y : tensor<6x3x5x4xf32>
}
exec.kernel @unsqueeze_bf16(%x: tensor<7x3xbf16>) -> tensor<7x1x3xbf16> attributes {family = "data"} {
  %y = graph.unsqueeze %x {axes = array<i64: 1>} : tensor<7x3xbf16> -> tensor<7x1x3xbf16>
  exec.yield %y : tensor<7x1x3xbf16>
}
