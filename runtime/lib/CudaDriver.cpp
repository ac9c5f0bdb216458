//===- CudaDriver.cpp - CUDA driver entry points, loaded at run time -----===//

#include "CudaDriver.h"

#include "plan_generated.h"

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
  cuTensorMapEncodeIm2col = reinterpret_cast<decltype(cuTensorMapEncodeIm2col)>(
      dlsym(library, "cuTensorMapEncodeIm2col"));
  cuLaunchKernelEx = reinterpret_cast<decltype(cuLaunchKernelEx)>(
      dlsym(library, DSC_STRINGIFY_EXPANDED(cuLaunchKernelEx)));
  return Status::ok();
}

Status CudaDriver::encodeTensorMap(const dsc::plan::TensorMap &spec,
                                   CUdeviceptr base, void *out) const {
  if (!cuTensorMapEncodeIm2col)
    return Status::error(StatusCode::kUnavailable,
                         "the CUDA driver has no cuTensorMapEncodeIm2col");
  // PlanFile checked the ranks and ranges.
  cuuint32_t rank = spec.dims()->size();
  cuuint64_t dims[5], strides[4];
  cuuint32_t elementStrides[5];
  int lower[3], upper[3];
  for (cuuint32_t d = 0; d < rank; ++d) {
    dims[d] = spec.dims()->Get(d);
    elementStrides[d] = spec.element_strides()->Get(d);
    if (d + 1 < rank)
      strides[d] = spec.strides()->Get(d);
    if (d + 2 < rank) {
      lower[d] = spec.lower_corner()->Get(d);
      upper[d] = spec.upper_corner()->Get(d);
    }
  }
  CUtensorMapDataType type =
      spec.element_bytes() == 1   ? CU_TENSOR_MAP_DATA_TYPE_UINT8
      : spec.element_bytes() == 2 ? CU_TENSOR_MAP_DATA_TYPE_UINT16
      : spec.element_bytes() == 4 ? CU_TENSOR_MAP_DATA_TYPE_UINT32
                                  : CU_TENSOR_MAP_DATA_TYPE_UINT64;
  return check(cuTensorMapEncodeIm2col(
                   static_cast<CUtensorMap *>(out), type, rank,
                   reinterpret_cast<void *>(base), dims, strides, lower, upper,
                   spec.channels_per_pixel(), spec.pixels_per_column(),
                   elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE,
                   CU_TENSOR_MAP_SWIZZLE_128B,
                   CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
                   CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
               "encoding a TMA tensor map");
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

/// Whether the tensor maps of `variant` can be encoded once, at context
/// creation: over arena or weights arguments, in a plan whose arena
/// offsets do not move with a symbolic dimension, by a driver with TMA.
bool tensorMapsResolvable(const dsc::plan::KernelVariant &variant,
                          const dsc::plan::Launch &launch, bool symbolic,
                          const CudaDriver &driver) {
  const auto *maps = variant.tensor_maps();
  if (!maps || maps->size() == 0)
    return true;
  if (symbolic || !driver.cuTensorMapEncodeIm2col)
    return false;
  for (const dsc::plan::TensorMap *map : *maps) {
    dsc::plan::Space space = launch.args()->Get(map->arg())->space();
    if (space != dsc::plan::Space::Arena && space != dsc::plan::Space::Weights)
      return false;
  }
  return true;
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
