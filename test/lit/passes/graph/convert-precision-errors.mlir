// RUN: dsc-opt %s -graph-convert-precision="precision=fp16 io-precision=half" -verify-diagnostics -split-input-file

// expected-error @+1 {{unknown io-precision 'half' (expected model or compute)}}
func.func @bad_io(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
