// RUN: dsc-translate --exec-to-cuda %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'exec.kernel' op graph.attention must be alone in its kernel (no prologue or epilogue)}}
exec.kernel @prologue(%q: tensor<1x1x4x32xf16>, %k: tensor<1x1x4x32xf16>, %v: tensor<1x1x4x32xf16>) -> tensor<1x1x4x32xf16> attributes {family = "data"} {
  %n = graph.neg %q : tensor<1x1x4x32xf16> -> tensor<1x1x4x32xf16>
  %a = graph.attention %n, %k, %v {scale = 1.0 : f32} : (tensor<1x1x4x32xf16>, tensor<1x1x4x32xf16>, tensor<1x1x4x32xf16>) -> tensor<1x1x4x32xf16>
  exec.yield %a : tensor<1x1x4x32xf16>
}

// -----

// b * h planes go on the grid's z axis.
// expected-error @+1 {{'exec.kernel' op attention over 65536 (batch x heads) planes exceeds the grid limit of 65535}}
exec.kernel @planes(%q: tensor<4096x16x1x32xf16>, %k: tensor<4096x16x1x32xf16>, %v: tensor<4096x16x1x32xf16>) -> tensor<4096x16x1x32xf16> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4096x16x1x32xf16>, tensor<4096x16x1x32xf16>, tensor<4096x16x1x32xf16>) -> tensor<4096x16x1x32xf16>
  exec.yield %a : tensor<4096x16x1x32xf16>
}

// -----

// expected-error @+1 {{'exec.kernel' op attention depth above 4096 is not supported (8192, 8192)}}
exec.kernel @deep(%q: tensor<1x1x2x8192xf32>, %k: tensor<1x1x2x8192xf32>, %v: tensor<1x1x2x8192xf32>) -> tensor<1x1x2x8192xf32> attributes {family = "data"} {
  %a = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x1x2x8192xf32>, tensor<1x1x2x8192xf32>, tensor<1x1x2x8192xf32>) -> tensor<1x1x2x8192xf32>
  exec.yield %a : tensor<1x1x2x8192xf32>
}
