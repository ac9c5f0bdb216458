// RUN: dsc-opt %s -split-input-file -graph-lower-to-exec -verify-diagnostics

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.relu' op is not inside a graph.fusion; run graph-fuse before lowering}}
  %0 = graph.relu %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{expected one function to lower, found 2}}
module {
  func.func @a() { return }
  func.func @b() { return }
}
