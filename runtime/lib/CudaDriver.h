//===- CudaDriver.h - CUDA driver entry points, loaded at run time -*- C++ -*-//
//
// libcuda.so.1 is dlopen'ed so that binaries start on machines without a GPU
// driver. cuda.h gives the prototypes; the macros there pick each entry's
// current versioned symbol (cuMemAlloc -> cuMemAlloc_v2), which is the name
// looked up.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_CUDADRIVER_H
#define DSC_RUNTIME_CUDADRIVER_H

#include "dsc/runtime.h"

#include <cuda.h>

#include <string>

namespace dsc::plan {
struct KernelVariant;
struct Launch;
struct TensorMap;
} // namespace dsc::plan

namespace dsc::rt {

#define DSC_CUDA_DRIVER_ENTRIES(X)                                             \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease)                                                 \
  X(cuCtxPushCurrent)                                                          \
  X(cuCtxPopCurrent)                                                           \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyHtoDAsync)                                                         \
  X(cuMemcpyDtoHAsync)                                                         \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD8)                                                                \
  X(cuModuleLoadData)                                                          \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamBeginCapture)                                                      \
  X(cuStreamEndCapture)                                                        \
  X(cuGraphInstantiate)                                                        \
  X(cuGraphExecUpdate)                                                         \
  X(cuGraphLaunch)                                                             \
  X(cuGraphDestroy)                                                            \
  X(cuGraphExecDestroy)                                                        \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)

struct CudaDriver {
#define DSC_DECLARE_ENTRY(name) decltype(&::name) name = nullptr;
  DSC_CUDA_DRIVER_ENTRIES(DSC_DECLARE_ENTRY)
#undef DSC_DECLARE_ENTRY

  /// Optional (drivers of CUDA 12 and later): TMA variants need it.
  decltype(&::cuTensorMapEncodeIm2col) cuTensorMapEncodeIm2col = nullptr;
  /// Optional (CUDA 12 and later): programmatic dependent launches need it.
  decltype(&::cuLaunchKernelEx) cuLaunchKernelEx = nullptr;

  void *library = nullptr;

  CudaDriver() = default;
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;
  ~CudaDriver();

  /// dlopen's `libraryName` and resolves every entry; kUnavailable if the
  /// library is absent, kCudaError if an entry is missing.
  Status load(const char *libraryName = "libcuda.so.1");

  /// Ok, or kCudaError "<what>: CUDA_ERROR_X (description)".
  Status check(CUresult result, const std::string &what) const;

  /// Encodes the im2col tensor map `spec` (plan.fbs TensorMap) over the
  /// tensor at `base` into `out`, a 64-byte aligned CUtensorMap; an error
  /// where the driver or GPU has no TMA or refuses the map.
  Status encodeTensorMap(const dsc::plan::TensorMap &spec, CUdeviceptr base,
                         void *out) const;
};

/// Whether the tensor maps of `variant` can be encoded once, at context
/// creation: over arena or weights arguments of `launch`, in a plan whose
/// arena offsets do not move with a symbolic dimension, by a driver with
/// TMA. Elsewhere the kernel's entry runs instead.
bool tensorMapsResolvable(const dsc::plan::KernelVariant &variant,
                          const dsc::plan::Launch &launch, bool symbolic,
                          const CudaDriver &driver);

/// Makes a context current on this thread for the guard's lifetime.
class ScopedContext {
public:
  ScopedContext(const CudaDriver &driver, CUcontext context);
  ~ScopedContext();
  const Status &status() const { return status_; }

private:
  const CudaDriver &driver_;
  Status status_;
  bool pushed_ = false;
};

} // namespace dsc::rt

#endif // DSC_RUNTIME_CUDADRIVER_H
