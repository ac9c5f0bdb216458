// RUN: dsc-translate --exec-to-cuda %s | FileCheck %s
// RUN: dsc-translate --exec-to-cubin %s | FileCheck %s --check-prefix=NVRTC
// Elementwise math, mod, comparisons and logic on floats, integers and
// booleans; all compile with NVRTC for sm_90.
// NVRTC: // kernel @math_f16 entry math_f16 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @math_int entry math_int cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @mod_int entry mod_int cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @fmod_f32 entry fmod_f32 cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @compare_select entry compare_select cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @bool_logic entry bool_logic cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @shifts entry shifts cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0
// NVRTC: // kernel @int_div_max entry int_div_max cubin {{[0-9]+}} bytes ptx {{[0-9]+}} bytes registers {{[0-9]+}} stack 0 spill_stores 0 spill_loads 0 shared_memory 0

// Round is rint (half to even); sign keeps NaN and the sign of zero.
// CHECK-LABEL: // kernel @math_f16
// CHECK: const float v0 = rintf(x0);
// CHECK: const float v1 = (v0 > 0 ? (float)1 : v0 < 0 ? (float)-1 : v0);
// CHECK: const float v2 = acoshf(v1);
exec.kernel @math_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> attributes {family = "elementwise"} {
  %a = graph.math round %x : tensor<4x8xf16> -> tensor<4x8xf16>
  %b = graph.math sign %a : tensor<4x8xf16> -> tensor<4x8xf16>
  %c = graph.math acosh %b : tensor<4x8xf16> -> tensor<4x8xf16>
  exec.yield %c : tensor<4x8xf16>
}

// CHECK-LABEL: // kernel @math_int
// CHECK: const int v0 = (int)((x0 > 0) - (x0 < 0));
// CHECK: const int v1 = v0;
exec.kernel @math_int(%x: tensor<6xi32>) -> tensor<6xi32> attributes {family = "elementwise"} {
  %a = graph.math sign %x : tensor<6xi32> -> tensor<6xi32>
  %b = graph.math floor %a : tensor<6xi32> -> tensor<6xi32>
  exec.yield %b : tensor<6xi32>
}

// Integer mod takes the divisor's sign; a zero divisor gives 0.
// CHECK-LABEL: // kernel @mod_int
// CHECK: const long long v0 = (x1 == 0 ? (long long)0 : x1 == (long long)-1 ? (long long)0 : (long long)(x0 % x1));
// CHECK: const long long v1 = (x1 == 0 ? (long long)0 : (v0 != 0 && ((v0 < 0) != (x1 < 0))) ? (long long)(v0 + x1) : v0);
exec.kernel @mod_int(%x: tensor<6xi64>, %y: tensor<6xi64>) -> tensor<6xi64> attributes {family = "elementwise"} {
  %a = graph.mod %x, %y : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  exec.yield %a : tensor<6xi64>
}

// CHECK-LABEL: // kernel @fmod_f32
// CHECK: const float v0 = fmodf(x0, x1);
exec.kernel @fmod_f32(%x: tensor<6xf32>, %y: tensor<6xf32>) -> tensor<6xf32> attributes {family = "elementwise"} {
  %a = graph.mod %x, %y {fmod = true} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  exec.yield %a : tensor<6xf32>
}

// Comparisons yield bools that not/select consume in registers.
// CHECK-LABEL: // kernel @compare_select
// CHECK: const bool v0 = (x0 < x1);
// CHECK: const bool v1 = !(v0);
// CHECK: const float v2 = (v1 ? x0 : x1);
exec.kernel @compare_select(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> attributes {family = "elementwise"} {
  %c = graph.compare lt, %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  %n = graph.not %c : tensor<4x8xi1> -> tensor<4x8xi1>
  %s = graph.select %n, %x, %y : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  exec.yield %s : tensor<4x8xf32>
}

// CHECK-LABEL: // kernel @bool_logic
// CHECK: const bool x0 = (a0[j] != 0);
// CHECK: const bool v0 = (x0 != x1);
// CHECK: const bool v1 = (v0 == x0);
// CHECK: const bool v2 = (v1 || x1);
// CHECK: r0[j] = (unsigned char)((v2) ? 1 : 0);
exec.kernel @bool_logic(%a: tensor<16xi1>, %b: tensor<16xi1>) -> tensor<16xi1> attributes {family = "elementwise"} {
  %x = graph.bitwise xor, %a, %b : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %y = graph.compare eq, %x, %a : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %z = graph.bitwise or, %y, %b : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  exec.yield %z : tensor<16xi1>
}

// Logical shifts of the type's bits; shifting by the width or more gives 0.
// CHECK-LABEL: // kernel @shifts
// CHECK: const unsigned char v0 = ((unsigned long long)(long long)(x1) >= 8 ? (unsigned char)0 : (unsigned char)((((unsigned long long)(long long)(x0) & 0xFFULL) << (unsigned)(x1)) & 0xFFULL));
// CHECK: >> (unsigned)(x1))
// CHECK: const unsigned char v2 = (unsigned char)(~(v1));
exec.kernel @shifts(%a: tensor<8xui8>, %b: tensor<8xui8>) -> tensor<8xui8> attributes {family = "elementwise"} {
  %x = graph.bitwise shl, %a, %b : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xui8>
  %y = graph.bitwise shr, %x, %b : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xui8>
  %z = graph.not %y : tensor<8xui8> -> tensor<8xui8>
  exec.yield %z : tensor<8xui8>
}

// Integer division without C's undefined cases; float max propagates NaN.
// CHECK-LABEL: // kernel @int_div_max
// CHECK: const int v0 = (x1 == 0 ? (int)0 : x1 == (int)-1 ? (int)(0ULL - (unsigned long long)(x0)) : (int)(x0 / x1));
// CHECK: const float v1 = ((x2 != x2 || x2 != x2) ? x2 + x2 : fmaxf(x2, x2));
exec.kernel @int_div_max(%a: tensor<8xi32>, %b: tensor<8xi32>, %c: tensor<8xf32>) -> (tensor<8xi32>, tensor<8xf32>) attributes {family = "elementwise"} {
  %x = graph.div %a, %b : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  %y = graph.max %c, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  exec.yield %x, %y : tensor<8xi32>, tensor<8xf32>
}
