//===- CudaDriver.cpp - CUDA driver entry points, loaded at run time -----===//

#include "CudaDriver.h"

#include <dlfcn.h>

namespace dsc::rt {

#define DSC_STRINGIFY_EXPANDED(x) DSC_STRINGIFY(x)
#define DSC_STRINGIFY(x) #x

CudaDriver::~CudaDriver() {
  if (library)
    dlclose(library);
}

Status CudaDriver::load(const char *libraryName) {
  library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return Status::error(StatusCode::kUnavailable,
                         std::string("no CUDA driver (") + libraryName +
                             " not found)");
    // The stringified name is the macro-expanded one: the versioned symbol.
#define DSC_RESOLVE_ENTRY(entry)                                               \
  entry = reinterpret_cast<decltype(entry)>(                                   \
      dlsym(library, DSC_STRINGIFY_EXPANDED(entry)));                          \
  if (!entry)                                                                  \
    return Status::error(StatusCode::kCudaError,                               \
                         std::string("CUDA driver lacks ") +                   \
                             DSC_STRINGIFY_EXPANDED(entry) +                   \
                             " (driver too old?)");
  DSC_CUDA_DRIVER_ENTRIES(DSC_RESOLVE_ENTRY)
#undef DSC_RESOLVE_ENTRY
  return Status::ok();
}

Status CudaDriver::check(CUresult result, const std::string &what) const {
  if (result == CUDA_SUCCESS)
    return Status::ok();
  const char *name = nullptr, *description = nullptr;
  if (cuGetErrorName)
    cuGetErrorName(result, &name);
  if (cuGetErrorString)
    cuGetErrorString(result, &description);
  std::string message = what + ": " + (name ? name : "CUDA error") + " (" +
                        std::to_string(static_cast<int>(result));
  if (description)
    message += std::string(", ") + description;
  message += ")";
  StatusCode code = result == CUDA_ERROR_OUT_OF_MEMORY
                        ? StatusCode::kOutOfMemory
                        : StatusCode::kCudaError;
  return Status::error(code, std::move(message));
}

ScopedContext::ScopedContext(const CudaDriver &driver, CUcontext context)
    : driver_(driver) {
  // check() builds its message only on failure: run() must not allocate.
  CUresult result = driver_.cuCtxPushCurrent(context);
  pushed_ = result == CUDA_SUCCESS;
  if (!pushed_)
    status_ = driver_.check(result, "cuCtxPushCurrent");
}

ScopedContext::~ScopedContext() {
  if (pushed_) {
    CUcontext popped = nullptr;
    (void)driver_.cuCtxPopCurrent(&popped);
  }
}

} // namespace dsc::rt
