//===- CudaEmitter.cpp - exec.kernel to CUDA C++ --------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include "codegen/cuda/EmitterSupport.h"

using namespace mlir;

namespace dsc::codegen {

FailureOr<EmittedKernel> emitKernel(exec::KernelOp kernel,
                                    const EmitOptions &options) {
  if (failed(verifyKernelTypes(kernel)))
    return failure();
  StringRef family = kernel.getFamily();
  if (family == "elementwise")
    return emitElementwiseKernel(kernel, options);
  if (family == "gemm")
    return emitGemmKernel(kernel, options);
  if (family == "row_reduction")
    return emitRowReductionKernel(kernel, options);
  if (family == "data") {
    if (auto nn = emitNnKernel(kernel, options))
      return std::move(*nn);
    return emitDataKernel(kernel, options);
  }
  return kernel.emitOpError("unsupported kernel family '") << family << "'";
}

} // namespace dsc::codegen
