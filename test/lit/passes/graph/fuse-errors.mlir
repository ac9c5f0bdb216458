// RUN: dsc-opt %s -graph-fuse=recompute-flops-per-byte=-1 -verify-diagnostics

// expected-error @+1 {{graph-fuse: recompute-flops-per-byte must not be negative, got -1}}
func.func @negative_ratio(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.exp %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
