//===- CApi.cpp - The C API over dsc/runtime.h ----------------------------===//
//
// Every entry point catches everything (std::bad_alloc from the standard
// library is the only exception that can arise) so that nothing crosses the C
// boundary.
//
//===----------------------------------------------------------------------===//

#include "dsc/dsc.h"
#include "dsc/runtime.h"

#include <new>

using namespace dsc::rt;

struct dsc_status_t {
  dsc_status_code code;
  std::string message;
};
struct dsc_runtime_t {
  std::unique_ptr<Runtime> runtime;
};
struct dsc_plan_t {
  std::unique_ptr<Plan> plan;
};
struct dsc_context_t {
  std::unique_ptr<Context> context;
};

static_assert(DSC_INTERNAL == static_cast<int>(StatusCode::kInternal) &&
                  DSC_OUT_OF_MEMORY ==
                      static_cast<int>(StatusCode::kOutOfMemory),
              "dsc_status_code must mirror dsc::rt::StatusCode");
static_assert(DSC_TUNE_LIBRARY_ONLY == static_cast<int>(TuneMode::kLibraryOnly),
              "dsc_tune_mode must mirror dsc::rt::TuneMode");
static_assert(DSC_BOOL == static_cast<int>(DType::kBool),
              "dsc_dtype must mirror dsc::rt::DType");

namespace {

/// The one status we can return when even allocating a status fails.
dsc_status_t outOfMemoryStatus{DSC_OUT_OF_MEMORY, "out of host memory"};

dsc_status makeStatus(dsc_status_code code, const char *message) {
  dsc_status status = new (std::nothrow) dsc_status_t;
  if (!status)
    return &outOfMemoryStatus;
  status->code = code;
  try {
    status->message = message;
  } catch (...) {
  }
  return status;
}

dsc_status toC(const Status &status) {
  if (status.isOk())
    return nullptr;
  return makeStatus(static_cast<dsc_status_code>(status.code()),
                    status.message().c_str());
}

dsc_status nullArgument(const char *what) {
  return makeStatus(DSC_INVALID_ARGUMENT,
                    (std::string("null argument: ") + what).c_str());
}

template <typename Body> dsc_status guarded(Body body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return &outOfMemoryStatus;
  } catch (...) {
    return makeStatus(DSC_INTERNAL, "unexpected exception in the dsc runtime");
  }
}

dsc_status tensorInfo(const dsc_plan *plan, size_t index, bool isOutput,
                      const char **name, dsc_dtype *dtype,
                      const int64_t **shape, size_t *rank, uint64_t *byteSize) {
  if (!plan)
    return nullArgument("plan");
  const std::vector<TensorInfo> &tensors =
      isOutput ? plan->plan->outputs() : plan->plan->inputs();
  if (index >= tensors.size())
    return makeStatus(DSC_INVALID_ARGUMENT,
                      (std::string(isOutput ? "output" : "input") + " index " +
                       std::to_string(index) + " out of range (" +
                       std::to_string(tensors.size()) + ")")
                          .c_str());
  const TensorInfo &tensor = tensors[index];
  if (name)
    *name = tensor.name.c_str();
  if (dtype)
    *dtype = static_cast<dsc_dtype>(tensor.dtype);
  if (shape)
    *shape = tensor.shape.data();
  if (rank)
    *rank = tensor.shape.size();
  if (byteSize)
    *byteSize = tensor.byteSize;
  return nullptr;
}

dsc_status loadPlan(dsc_runtime *runtime, PlanFile file, dsc_plan **out,
                    dsc_tune_mode tune = DSC_TUNE_CACHED) {
  PlanOptions options;
  options.tune = static_cast<TuneMode>(tune);
  std::unique_ptr<Plan> plan;
  if (Status status =
          Plan::load(*runtime->runtime, std::move(file), &plan, options);
      !status)
    return toC(status);
  *out = new dsc_plan_t{std::move(plan)};
  return nullptr;
}

} // namespace

extern "C" {

dsc_status_code dsc_status_get_code(dsc_status status) {
  return status ? status->code : DSC_OK;
}

const char *dsc_status_get_message(dsc_status status) {
  return status ? status->message.c_str() : "";
}

void dsc_status_destroy(dsc_status status) {
  if (status != &outOfMemoryStatus)
    delete status;
}

dsc_status dsc_plan_validate(const void *data, size_t size) {
  return guarded([&]() -> dsc_status {
    if (!data && size > 0)
      return nullArgument("data");
    const auto *bytes = static_cast<const uint8_t *>(data);
    PlanFile file;
    return toC(
        PlanFile::fromBytes(std::vector<uint8_t>(bytes, bytes + size), &file));
  });
}

dsc_status dsc_runtime_create(int device, const char *cacheDir,
                              dsc_runtime **out) {
  return guarded([&]() -> dsc_status {
    if (!out)
      return nullArgument("out");
    *out = nullptr;
    RuntimeOptions options;
    options.device = device;
    if (cacheDir)
      options.cacheDir = cacheDir;
    std::unique_ptr<Runtime> runtime;
    if (Status status = Runtime::create(options, &runtime); !status)
      return toC(status);
    *out = new dsc_runtime_t{std::move(runtime)};
    return nullptr;
  });
}

void dsc_runtime_destroy(dsc_runtime *runtime) { delete runtime; }

dsc_status dsc_plan_load_file(dsc_runtime *runtime, const char *path,
                              dsc_plan **out) {
  return dsc_plan_load_file_tuned(runtime, path, DSC_TUNE_CACHED, out);
}

dsc_status dsc_plan_load_bytes(dsc_runtime *runtime, const void *data,
                               size_t size, dsc_plan **out) {
  return guarded([&]() -> dsc_status {
    if (!out)
      return nullArgument("out");
    *out = nullptr;
    if (!runtime)
      return nullArgument("runtime");
    if (!data && size > 0)
      return nullArgument("data");
    const auto *bytes = static_cast<const uint8_t *>(data);
    PlanFile file;
    if (Status status = PlanFile::fromBytes(
            std::vector<uint8_t>(bytes, bytes + size), &file);
        !status)
      return toC(status);
    return loadPlan(runtime, std::move(file), out);
  });
}

dsc_status dsc_plan_load_file_tuned(dsc_runtime *runtime, const char *path,
                                    int tune, dsc_plan **out) {
  return guarded([&]() -> dsc_status {
    if (!out)
      return nullArgument("out");
    *out = nullptr;
    if (tune < DSC_TUNE_CACHED || tune > DSC_TUNE_LIBRARY_ONLY)
      return makeStatus(DSC_INVALID_ARGUMENT,
                        ("invalid tune mode " + std::to_string(tune)).c_str());
    if (!runtime)
      return nullArgument("runtime");
    if (!path)
      return nullArgument("path");
    PlanFile file;
    if (Status status = PlanFile::fromFile(path, &file); !status)
      return toC(status);
    return loadPlan(runtime, std::move(file), out,
                    static_cast<dsc_tune_mode>(tune));
  });
}

size_t dsc_plan_num_library_gemms(const dsc_plan *plan) {
  if (!plan)
    return 0;
  size_t count = 0;
  for (size_t k = 0; k < plan->plan->file().numKernels(); ++k)
    count += plan->plan->tactic(k) >= 0;
  return count;
}

void dsc_plan_destroy(dsc_plan *plan) { delete plan; }

size_t dsc_plan_num_inputs(const dsc_plan *plan) {
  return plan ? plan->plan->inputs().size() : 0;
}

size_t dsc_plan_num_outputs(const dsc_plan *plan) {
  return plan ? plan->plan->outputs().size() : 0;
}

dsc_status dsc_plan_input_info(const dsc_plan *plan, size_t index,
                               const char **name, dsc_dtype *dtype,
                               const int64_t **shape, size_t *rank,
                               uint64_t *byteSize) {
  return guarded([&] {
    return tensorInfo(plan, index, false, name, dtype, shape, rank, byteSize);
  });
}

dsc_status dsc_plan_output_info(const dsc_plan *plan, size_t index,
                                const char **name, dsc_dtype *dtype,
                                const int64_t **shape, size_t *rank,
                                uint64_t *byteSize) {
  return guarded([&] {
    return tensorInfo(plan, index, true, name, dtype, shape, rank, byteSize);
  });
}

uint64_t dsc_plan_workspace_size(const dsc_plan *plan) {
  return plan ? plan->plan->workspaceSize() : 0;
}

dsc_status dsc_context_create(dsc_plan *plan, CUdeviceptr workspace,
                              dsc_context **out) {
  return guarded([&]() -> dsc_status {
    if (!out)
      return nullArgument("out");
    *out = nullptr;
    if (!plan)
      return nullArgument("plan");
    std::unique_ptr<Context> context;
    if (Status status = Context::create(*plan->plan, &context, workspace);
        !status)
      return toC(status);
    *out = new dsc_context_t{std::move(context)};
    return nullptr;
  });
}

void dsc_context_destroy(dsc_context *context) { delete context; }

dsc_status dsc_context_run(dsc_context *context, const CUdeviceptr *inputs,
                           const CUdeviceptr *outputs, CUstream stream) {
  return guarded([&]() -> dsc_status {
    if (!context)
      return nullArgument("context");
    return toC(context->context->run(inputs, outputs, stream));
  });
}

dsc_status dsc_context_check_faults(dsc_context *context) {
  return guarded([&]() -> dsc_status {
    if (!context)
      return nullArgument("context");
    return toC(context->context->checkFaults());
  });
}

dsc_status dsc_context_set_dimension(dsc_context *context, const char *name,
                                     int64_t size) {
  return guarded([&]() -> dsc_status {
    if (!context)
      return nullArgument("context");
    if (!name)
      return nullArgument("name");
    return toC(context->context->setDimension(name, size));
  });
}

void dsc_context_set_cuda_graphs(dsc_context *context, int enabled) {
  if (context)
    context->context->setUseCudaGraphs(enabled != 0);
}

size_t dsc_context_launches_per_run(const dsc_context *context) {
  return context ? context->context->launchesPerRun() : 0;
}

int dsc_plan_symbolic_dim(const dsc_plan *plan, const char **name, int64_t *min,
                          int64_t *max) {
  if (!plan || !plan->plan->file().symbolicDim())
    return 0;
  const SymbolicDimInfo &dim = *plan->plan->file().symbolicDim();
  if (name)
    *name = dim.name.c_str();
  if (min)
    *min = dim.min;
  if (max)
    *max = dim.max;
  return 1;
}

int32_t dsc_plan_sample_axis(const dsc_plan *plan, int output, size_t index) {
  if (!plan)
    return -1;
  const auto &sig = output ? plan->plan->outputs() : plan->plan->inputs();
  return index < sig.size() ? sig[index].sampleAxis : -1;
}

int dsc_plan_is_string(const dsc_plan *plan, int output, size_t index) {
  if (!plan)
    return 0;
  const auto &sig = output ? plan->plan->outputs() : plan->plan->inputs();
  return index < sig.size() && sig[index].isString ? 1 : 0;
}

dsc_status dsc_context_run_host(dsc_context *context,
                                const void *const *hostInputs,
                                void *const *hostOutputs, CUstream stream,
                                float *gpuMs) {
  return guarded([&]() -> dsc_status {
    if (!context)
      return nullArgument("context");
    const Plan &plan = context->context->plan();
    size_t numInputs = plan.inputs().size(), numOutputs = plan.outputs().size();
    if ((!hostInputs && numInputs) || (!hostOutputs && numOutputs))
      return nullArgument("host_inputs or host_outputs");
    std::vector<const void *> inputs(hostInputs, hostInputs + numInputs);
    std::vector<void *> outputs(hostOutputs, hostOutputs + numOutputs);
    return toC(context->context->runHost(inputs, outputs, stream, gpuMs));
  });
}

} // extern "C"
