// RUN: dsc-opt %s -graph-route-experts='group-rows=0' -verify-diagnostics

// expected-error @below {{graph-route-experts: group-rows must be at least 1, not 0}}
func.func @no_rows(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  return %x : tensor<2x2xf32>
}
