//===- Runtime.cpp - Runtime, Plan and Context ---------------------------===//

#include "dsc/runtime.h"

#include "Blas.h"
#include "CudaDriver.h"
#include "KernelCache.h"
#include "plan_generated.h"

#include <algorithm>
#include <cstdlib>

namespace dsc::rt {

/// Dynamic shared memory a kernel may use without opting in.
static constexpr unsigned kDefaultSharedMemoryLimit = 48 * 1024;

//===----------------------------------------------------------------------===//
// Runtime
//===----------------------------------------------------------------------===//

Runtime::~Runtime() {
  // cuBLASLt's handle goes while the context is still retained.
  blas_.reset();
  if (context_)
    (void)driver_->cuDevicePrimaryCtxRelease(cuDevice_);
}

Status Runtime::create(const RuntimeOptions &options,
                       std::unique_ptr<Runtime> *out) {
  if (!out)
    return Status::error(StatusCode::kInvalidArgument, "null Runtime output");
  out->reset();
  std::unique_ptr<Runtime> runtime(new Runtime());
  runtime->driver_ = std::make_unique<CudaDriver>();
  const CudaDriver &cu = *runtime->driver_;
  if (Status status = runtime->driver_->load(); !status)
    return status;

  CUresult result = cu.cuInit(0);
  if (result == CUDA_ERROR_NO_DEVICE)
    return Status::error(StatusCode::kUnavailable, "no CUDA device");
  if (result != CUDA_SUCCESS) {
    Status status = cu.check(result, "cuInit");
    return Status::error(StatusCode::kUnavailable, status.message());
  }
  int count = 0;
  if (Status status = cu.check(cu.cuDeviceGetCount(&count), "cuDeviceGetCount");
      !status)
    return status;
  if (count == 0)
    return Status::error(StatusCode::kUnavailable, "no CUDA device");
  if (options.device < 0 || options.device >= count)
    return Status::error(StatusCode::kInvalidArgument,
                         "CUDA device " + std::to_string(options.device) +
                             " out of range (" + std::to_string(count) +
                             " devices)");
  runtime->device_ = options.device;
  if (Status status = cu.check(
          cu.cuDeviceGet(&runtime->cuDevice_, options.device), "cuDeviceGet");
      !status)
    return status;
  int major = 0, minor = 0;
  char name[256] = {0};
  CUdevice device = runtime->cuDevice_;
  if (Status status = cu.check(
          cu.cuDeviceGetAttribute(
              &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
          "cuDeviceGetAttribute");
      !status)
    return status;
  if (Status status = cu.check(
          cu.cuDeviceGetAttribute(
              &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
          "cuDeviceGetAttribute");
      !status)
    return status;
  if (Status status = cu.check(
          cu.cuDeviceGetAttribute(
              &runtime->maxSharedOptin_,
              CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device),
          "cuDeviceGetAttribute");
      !status)
    return status;
  if (Status status =
          cu.check(cu.cuDeviceGetName(name, sizeof(name) - 1, device),
                   "cuDeviceGetName");
      !status)
    return status;
  runtime->arch_ = "sm_" + std::to_string(major) + std::to_string(minor);
  runtime->programmaticLaunches_ = major >= 9 && cu.cuLaunchKernelEx;
  runtime->deviceName_ = name;
  if (Status status =
          cu.check(cu.cuDevicePrimaryCtxRetain(&runtime->context_, device),
                   "cuDevicePrimaryCtxRetain");
      !status)
    return status;
  if (Status status = cu.check(cu.cuDriverGetVersion(&runtime->driverVersion_),
                               "cuDriverGetVersion");
      !status)
    return status;
  runtime->cache_ = std::make_unique<KernelCache>(
      options.cacheDir, options.diskCache, options.nvrtcOptions);
  *out = std::move(runtime);
  return Status::ok();
}

KernelCacheStats Runtime::kernelCacheStats() const { return cache_->stats(); }

const CublasLt *Runtime::blas() const {
  // Optional, and large: loaded once, when a plan first needs it.
  std::call_once(blasOnce_, [this] {
    ScopedContext scope(*driver_, context_);
    auto blas = std::make_unique<CublasLt>();
    Status status = scope.status() ? blas->load() : scope.status();
    if (status)
      blas_ = std::move(blas);
    else
      blasStatus_ = status.message();
  });
  return blas_.get();
}

const std::string &Runtime::blasStatus() const {
  (void)blas();
  return blasStatus_;
}

//===----------------------------------------------------------------------===//
// Plan
//===----------------------------------------------------------------------===//

Plan::Plan(Runtime &runtime, PlanFile file)
    : runtime_(runtime), file_(std::move(file)) {}

Plan::~Plan() {
  const CudaDriver &cu = runtime_.driver();
  ScopedContext scope(cu, runtime_.context());
  for (CUmodule module : modules_)
    if (module)
      (void)cu.cuModuleUnload(module);
  if (weights_)
    (void)cu.cuMemFree(weights_);
}

uint64_t Plan::workspaceSize() const {
  // Checked at load not to overflow.
  const auto &dim = file_.symbolicDim();
  uint64_t arena = file_.arenaSize() * uint64_t(dim ? dim->max : 1);
  // cuBLASLt's workspace follows the arena, 256-byte aligned.
  return usesLibrary() ? (arena + 255) / 256 * 256 + kBlasWorkspaceBytes
                       : arena;
}

namespace {

/// Whether a cubin built for `kernelArch` runs on a device of `deviceArch`:
/// the same sm_XY, or its arch-specific variant sm_XYa.
bool cubinMatches(const std::string &kernelArch,
                  const std::string &deviceArch) {
  return kernelArch == deviceArch || kernelArch == deviceArch + "a";
}

} // namespace

Status Plan::load(Runtime &runtime, PlanFile file, std::unique_ptr<Plan> *out,
                  const PlanOptions &options) {
  if (!out)
    return Status::error(StatusCode::kInvalidArgument, "null Plan output");
  out->reset();
  if (!file.raw())
    return Status::error(StatusCode::kInvalidArgument,
                         "empty PlanFile (not parsed)");
  const CudaDriver &cu = runtime.driver();
  ScopedContext scope(cu, runtime.context());
  if (!scope.status())
    return scope.status();
  std::unique_ptr<Plan> plan(new Plan(runtime, std::move(file)));
  const dsc::plan::Plan &raw = *plan->file_.raw();

  if (uint64_t blobSize = plan->file_.weightsBlobSize()) {
    if (Status status = cu.check(cu.cuMemAlloc(&plan->weights_, blobSize),
                                 "allocating " + std::to_string(blobSize) +
                                     " bytes of weights");
        !status)
      return status;
    if (Status status =
            cu.check(cu.cuMemcpyHtoD(plan->weights_, plan->file_.weightsBlob(),
                                     blobSize),
                     "uploading weights");
        !status)
      return status;
  }

  // The most dynamic shared memory any launch of each kernel asks for.
  size_t numKernels = plan->file_.numKernels();
  std::vector<unsigned> sharedMemory(numKernels, 0);
  for (size_t s = 0; s < plan->file_.numSteps(); ++s) {
    const dsc::plan::Launch *launch = raw.steps()->Get(s)->step_as_Launch();
    if (!launch)
      continue;
    if (launch->shared_memory() > kDefaultSharedMemoryLimit &&
        launch->shared_memory() >
            static_cast<unsigned>(runtime.maxSharedMemoryOptin()))
      return Status::error(StatusCode::kInvalidPlan,
                           "step " + std::to_string(s) +
                               " (launch): shared_memory " +
                               std::to_string(launch->shared_memory()) +
                               " bytes exceeds the device's limit of " +
                               std::to_string(runtime.maxSharedMemoryOptin()));
    unsigned &most = sharedMemory[launch->kernel()];
    most = std::max(most, launch->shared_memory());
  }

  plan->modules_.assign(numKernels, nullptr);
  plan->functions_.assign(numKernels, nullptr);
  plan->variantFunctions_.assign(numKernels, {});
  KernelCache &cache = runtime.kernelCache();
  for (size_t k = 0; k < numKernels; ++k) {
    const dsc::plan::Kernel *kernel = raw.kernels()->Get(k);
    std::string name = kernel->name()->str();
    std::string what = "kernel " + std::to_string(k) + " '" + name + "'";
    CUmodule &module = plan->modules_[k];
    CUresult loaded = CUDA_ERROR_NOT_FOUND;
    if (kernel->cubin() && kernel->cubin()->size() > 0 &&
        cubinMatches(kernel->arch()->str(), runtime.arch())) {
      // Copied so the image is suitably aligned for the driver.
      std::vector<char> image(kernel->cubin()->begin(), kernel->cubin()->end());
      loaded = cu.cuModuleLoadData(&module, image.data());
      if (loaded == CUDA_SUCCESS)
        cache.noteCubinLoaded();
    }
    if (loaded != CUDA_SUCCESS && kernel->source()->size() == 0)
      return cu.check(loaded == CUDA_ERROR_NOT_FOUND
                          ? CUDA_ERROR_NO_BINARY_FOR_GPU
                          : loaded,
                      what + ": cubin for " +
                          (kernel->arch() ? kernel->arch()->str() : "?") +
                          " does not load on " + runtime.arch() +
                          " and there is no source");
    if (loaded != CUDA_SUCCESS) {
      std::string source = kernel->source()->str();
      Cubin cubin;
      if (Status status = cache.getCubin(name, source, runtime.arch(), &cubin);
          !status)
        return status;
      loaded = cu.cuModuleLoadData(&module, cubin->data());
      if (loaded != CUDA_SUCCESS) {
        // A cached cubin the driver rejects: compile afresh once.
        std::vector<char> fresh;
        if (Status status = cache.compile(name, source, runtime.arch(), &fresh);
            !status)
          return status;
        if (Status status = cu.check(cu.cuModuleLoadData(&module, fresh.data()),
                                     what + ": loading the compiled cubin");
            !status)
          return status;
      }
    }
    if (Status status =
            cu.check(cu.cuModuleGetFunction(&plan->functions_[k], module,
                                            kernel->entry()->c_str()),
                     what + ": entry '" + kernel->entry()->str() + "'");
        !status)
      return status;
    if (sharedMemory[k] > kDefaultSharedMemoryLimit) {
      if (Status status =
              cu.check(cu.cuFuncSetAttribute(
                           plan->functions_[k],
                           CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                           static_cast<int>(sharedMemory[k])),
                       what + ": setting max dynamic shared memory");
          !status)
        return status;
    }
    if (Status status = plan->loadVariants(k, module, what); !status)
      return status;
  }
  if (Status status = plan->chooseTactics(options); !status)
    return status;
  *out = std::move(plan);
  return Status::ok();
}

Status Plan::loadVariants(size_t kernel, CUmodule module,
                          const std::string &what) {
  const CudaDriver &cu = runtime_.driver();
  const auto *variants = file_.raw()->kernels()->Get(kernel)->variants();
  if (!variants)
    return Status::ok();
  std::vector<CUfunction> &functions = variantFunctions_[kernel];
  functions.assign(variants->size(), nullptr);
  for (flatbuffers::uoffset_t v = 0; v < variants->size(); ++v) {
    const dsc::plan::KernelVariant *variant = variants->Get(v);
    std::string entry = variant->entry()->str();
    std::string whatVariant = what + " variant " + std::to_string(v + 1);
    unsigned shared = variant->shared_memory();
    // A tile this device cannot hold is no candidate here.
    if (shared > kDefaultSharedMemoryLimit &&
        shared > static_cast<unsigned>(runtime_.maxSharedMemoryOptin()))
      continue;
    if (Status status = cu.check(
            cu.cuModuleGetFunction(&functions[v], module, entry.c_str()),
            whatVariant + ": entry '" + entry + "'");
        !status)
      return status;
    if (shared > kDefaultSharedMemoryLimit)
      if (Status status = cu.check(
              cu.cuFuncSetAttribute(
                  functions[v], CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                  static_cast<int>(shared)),
              whatVariant + ": setting max dynamic shared memory");
          !status)
        return status;
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Context
//===----------------------------------------------------------------------===//

Context::~Context() {
  const CudaDriver &cu = plan_.runtime().driver();
  ScopedContext scope(cu, plan_.runtime().context());
  if (ownsArena_ && arena_)
    (void)cu.cuMemFree(arena_);
  if (faultWords_)
    (void)cu.cuMemFree(faultWords_);
  if (scratch_)
    (void)cu.cuMemFree(scratch_);
  for (CUdeviceptr buffer : inputStaging_)
    if (buffer)
      (void)cu.cuMemFree(buffer);
  for (CUdeviceptr buffer : outputStaging_)
    if (buffer)
      (void)cu.cuMemFree(buffer);
  if (start_)
    (void)cu.cuEventDestroy(start_);
  if (stop_)
    (void)cu.cuEventDestroy(stop_);
  if (graphExec_)
    (void)cu.cuGraphExecDestroy(graphExec_);
  if (captureStream_)
    (void)cu.cuStreamDestroy(captureStream_);
  for (const LibraryStep &step : librarySteps_)
    (void)plan_.runtime().blas()->cublasLtMatmulDescDestroy(
        static_cast<cublasLtMatmulDesc_t>(step.descriptor));
}

namespace {

Status allocateStaging(const CudaDriver &cu,
                       const std::vector<TensorInfo> &tensors, const char *kind,
                       int64_t maxSamples, std::vector<CUdeviceptr> *buffers) {
  buffers->assign(tensors.size(), 0);
  for (size_t i = 0; i < tensors.size(); ++i) {
    uint64_t bytes = tensors[i].bytesFor(maxSamples);
    if (bytes == 0)
      continue;
    if (Status status =
            cu.check(cu.cuMemAlloc(&(*buffers)[i], bytes),
                     std::string("allocating staging for ") + kind + " " +
                         std::to_string(i) + " '" + tensors[i].name + "'");
        !status)
      return status;
  }
  return Status::ok();
}

} // namespace

Status Context::create(const Plan &plan, std::unique_ptr<Context> *out,
                       CUdeviceptr workspace) {
  if (!out)
    return Status::error(StatusCode::kInvalidArgument, "null Context output");
  out->reset();
  const CudaDriver &cu = plan.runtime().driver();
  ScopedContext scope(cu, plan.runtime().context());
  if (!scope.status())
    return scope.status();
  std::unique_ptr<Context> context(new Context(plan));
  uint64_t arenaSize = plan.workspaceSize();
  if (workspace) {
    if (workspace % 256 != 0)
      return Status::error(StatusCode::kInvalidArgument,
                           "workspace pointer must be 256-byte aligned");
    context->arena_ = workspace;
  } else if (arenaSize > 0) {
    if (Status status = cu.check(cu.cuMemAlloc(&context->arena_, arenaSize),
                                 "allocating the " + std::to_string(arenaSize) +
                                     "-byte arena");
        !status)
      return status;
    context->ownsArena_ = true;
  }
  const auto &symbolicDim = plan.file().symbolicDim();
  int64_t maxSamples = symbolicDim ? symbolicDim->max : 1;
  // A plan with a symbolic dimension runs once its size is set.
  context->samples_ = symbolicDim ? 0 : 1;
  if (Status status = allocateStaging(cu, plan.inputs(), "input", maxSamples,
                                      &context->inputStaging_);
      !status)
    return status;
  if (Status status = allocateStaging(cu, plan.outputs(), "output", maxSamples,
                                      &context->outputStaging_);
      !status)
    return status;
  if (Status status =
          cu.check(cu.cuEventCreate(&context->start_, CU_EVENT_DEFAULT),
                   "cuEventCreate");
      !status)
    return status;
  if (Status status = cu.check(
          cu.cuEventCreate(&context->stop_, CU_EVENT_DEFAULT), "cuEventCreate");
      !status)
    return status;
  if (Status status = context->resolveSteps(); !status)
    return status;
  if (const char *env = std::getenv("DSC_CUDA_GRAPHS"))
    context->useCudaGraphs_ = std::string(env) != "0";
  // Off unless asked for: ResNet-50 at batch 1 ran 0.41 -> 0.47 ms with
  // the launch triggered before the wait (docs/performance.md).
  const char *pdl = std::getenv("DSC_PDL");
  context->setUseProgrammaticLaunches(pdl && std::string(pdl) == "1");
  if (Status status = cu.check(
          cu.cuStreamCreate(&context->captureStream_, CU_STREAM_NON_BLOCKING),
          "creating the capture stream");
      !status)
    return status;
  context->capturedInputs_.assign(plan.inputs().size(), 0);
  context->capturedOutputs_.assign(plan.outputs().size(), 0);
  if (context->scratchBytes_ > 0) {
    if (Status status =
            cu.check(cu.cuMemAlloc(&context->scratch_, context->scratchBytes_),
                     "allocating " + std::to_string(context->scratchBytes_) +
                         " bytes of kernel scratch");
        !status)
      return status;
    if (Status status = cu.check(
            cu.cuMemsetD8(context->scratch_, 0, context->scratchBytes_),
            "clearing the kernel scratch");
        !status)
      return status;
    for (size_t s : context->scratchSteps_) {
      ResolvedStep &step = context->steps_[s];
      bool faults =
          std::find(context->faultSteps_.begin(), context->faultSteps_.end(),
                    s) != context->faultSteps_.end();
      step.argValues[step.argValues.size() - (faults ? 2 : 1)] =
          context->scratch_;
    }
  }
  if (plan.usesLibrary()) {
    context->blasWorkspace_ =
        context->arena_ + plan.workspaceSize() - kBlasWorkspaceBytes;
    if (Status status = context->createLibrarySteps(); !status)
      return status;
  }
  if (!context->faultSteps_.empty()) {
    size_t bytes = context->faultSteps_.size() * sizeof(uint32_t);
    if (Status status = cu.check(cu.cuMemAlloc(&context->faultWords_, bytes),
                                 "allocating fault words");
        !status)
      return status;
    for (size_t i = 0; i < context->faultSteps_.size(); ++i)
      context->steps_[context->faultSteps_[i]].argValues.back() =
          context->faultWords_ + i * sizeof(uint32_t);
  }
  *out = std::move(context);
  return Status::ok();
}

Status Context::resolveSteps() {
  const dsc::plan::Plan &raw = *plan_.file().raw();
  size_t numSteps = plan_.file().numSteps();
  steps_.assign(numSteps, ResolvedStep());
  patches_.clear();
  arenaRefs_.clear();
  bool symbolic = plan_.file().symbolicDim().has_value();
  // Resolves `ref` now if it lies in the weights or (without a symbolic
  // dimension) the arena, else records a patch that run() fills in from the
  // caller's pointers or setDimension from the number of samples.
  auto resolve = [&](const dsc::plan::BufferRef &ref, size_t step, size_t arg,
                     bool *perSample = nullptr) -> CUdeviceptr {
    switch (ref.space()) {
    case dsc::plan::Space::Arena:
      if (perSample)
        *perSample = symbolic;
      if (!symbolic)
        return arena_ + ref.offset();
      arenaRefs_.push_back(
          Patch{step, arg, Patch::Space::Arena, 0, ref.offset(), true});
      return 0;
    case dsc::plan::Space::Weights:
      return plan_.weightsDevicePtr() + ref.offset();
    case dsc::plan::Space::Input:
    case dsc::plan::Space::Output: {
      bool isOutput = ref.space() == dsc::plan::Space::Output;
      const TensorInfo &sig =
          (isOutput ? plan_.outputs() : plan_.inputs())[ref.index()];
      if (perSample)
        *perSample = sig.sampleAxis >= 0;
      patches_.push_back(Patch{
          step, arg, isOutput ? Patch::Space::Output : Patch::Space::Input,
          ref.index(), ref.offset(), sig.sampleAxis >= 0});
      return 0;
    }
    }
    return 0;
  };
  for (size_t s = 0; s < numSteps; ++s) {
    const dsc::plan::StepEntry *entry = raw.steps()->Get(s);
    ResolvedStep &step = steps_[s];
    if (const dsc::plan::Launch *launch = entry->step_as_Launch()) {
      step.isLaunch = true;
      step.function = plan_.function(launch->kernel());
      for (int d = 0; d < 3; ++d) {
        step.grid[d] = launch->grid()->Get(d);
        step.block[d] = launch->block()->Get(d);
      }
      step.sharedMemory = launch->shared_memory();
      size_t numArgs = launch->args() ? launch->args()->size() : 0;
      const dsc::plan::Kernel *kernel = raw.kernels()->Get(launch->kernel());
      bool reportsFaults = kernel->reports_faults();
      step.awaitsPreviousGrid = kernel->awaits_previous_grid();
      uint64_t scratchBytes = kernel->scratch_bytes();
      // Another generated variant: its entry and configuration.
      int v = plan_.variant(launch->kernel());
      const dsc::plan::KernelVariant *variant =
          v > 0 ? kernel->variants()->Get(v - 1) : nullptr;
      if (variant && !tensorMapsResolvable(*variant, *launch, symbolic,
                                           plan_.runtime().driver()))
        variant = nullptr;
      if (variant) {
        step.function = plan_.variantFunction(launch->kernel(), v);
        for (int d = 0; d < 3; ++d) {
          step.grid[d] = variant->grid()->Get(d);
          step.block[d] = variant->block()->Get(d);
        }
        step.sharedMemory = variant->shared_memory();
        scratchBytes = variant->scratch_bytes();
      }
      bool usesScratch = scratchBytes > 0;
      if (symbolic && kernel->per_sample()) {
        step.sampleGridAxis = kernel->per_sample_axis();
        step.sampleGrid = step.grid[step.sampleGridAxis];
      }
      step.argValues.resize(numArgs + (usesScratch ? 1 : 0) +
                            (reportsFaults ? 1 : 0));
      step.argPointers.resize(step.argValues.size());
      for (size_t a = 0; a < numArgs; ++a)
        step.argValues[a] = resolve(*launch->args()->Get(a), s, a);
      if (variant)
        if (Status status = encodeTensorMaps(plan_.runtime().driver(), *variant,
                                             step.argValues.data(), &step.maps);
            !status)
          return Status::error(
              status.code(), "kernel '" + kernel->name()->str() + "' variant " +
                                 std::to_string(v) + ": " + status.message());
      // The scratch's and the fault word's addresses are set once they are
      // allocated.
      if (usesScratch) {
        scratchSteps_.push_back(s);
        scratchBytes_ = std::max<uint64_t>(scratchBytes_, scratchBytes);
      }
      if (reportsFaults)
        faultSteps_.push_back(s);
      for (size_t a = 0; a < step.argValues.size(); ++a)
        step.argPointers[a] = &step.argValues[a];
      for (ResolvedStep::TensorMapBytes &map : step.maps)
        step.argPointers.push_back(&map);
    } else if (const dsc::plan::Copy *copy = entry->step_as_Copy()) {
      step.copySource =
          resolve(*copy->source(), s, 0, &step.copySourcePerSample);
      step.copyTarget =
          resolve(*copy->target(), s, 1, &step.copyTargetPerSample);
      step.copySize = copy->source()->size();
    } else {
      return Status::error(StatusCode::kInternal,
                           "step " + std::to_string(s) + " has no kind");
    }
  }
  return Status::ok();
}

Status Context::encodeTensorMaps(
    const CudaDriver &driver, const dsc::plan::KernelVariant &variant,
    const CUdeviceptr *args, std::vector<ResolvedStep::TensorMapBytes> *maps) {
  const auto *specs = variant.tensor_maps();
  maps->assign(specs ? specs->size() : 0, {});
  for (size_t i = 0; i < maps->size(); ++i)
    if (Status status = driver.encodeTensorMap(
            *specs->Get(i), args[specs->Get(i)->arg()], &(*maps)[i]);
        !status)
      return status;
  return Status::ok();
}

void Context::place(const Patch &patch, CUdeviceptr base) {
  ResolvedStep &step = steps_[patch.step];
  CUdeviceptr value =
      base + patch.offset * (patch.perSample ? uint64_t(samples_) : 1);
  if (step.isLaunch)
    step.argValues[patch.arg] = value;
  else
    (patch.arg == 0 ? step.copySource : step.copyTarget) = value;
}

CUresult Context::copy(const ResolvedStep &step, CUstream stream) const {
  const CudaDriver &cu = plan_.runtime().driver();
  uint64_t size = step.copySize;
  if (size == 0)
    return CUDA_SUCCESS;
  bool source = step.copySourcePerSample, target = step.copyTargetPerSample;
  if (source == target)
    return cu.cuMemcpyDtoDAsync(step.copyTarget, step.copySource,
                                size * uint64_t(source ? samples_ : 1), stream);
  // A shared value into every sample, or the first sample into a shared
  // tensor (every sample holds the same value there).
  int64_t count = target ? samples_ : 1;
  for (int64_t b = 0; b < count; ++b)
    if (CUresult result = cu.cuMemcpyDtoDAsync(step.copyTarget + b * size,
                                               step.copySource, size, stream);
        result != CUDA_SUCCESS)
      return result;
  return CUDA_SUCCESS;
}

Status Context::setDimension(const std::string &name, int64_t size) {
  const auto &dim = plan_.file().symbolicDim();
  if (!dim)
    return Status::error(StatusCode::kInvalidArgument,
                         "the plan has no symbolic dimension ('" + name +
                             "' given)");
  if (name != dim->name)
    return Status::error(StatusCode::kInvalidArgument,
                         "the plan's symbolic dimension is '" + dim->name +
                             "', not '" + name + "'");
  if (size < dim->min || size > dim->max)
    return Status::error(
        StatusCode::kInvalidArgument,
        "symbolic dimension '" + name + "' = " + std::to_string(size) +
            " is outside the plan's range " + std::to_string(dim->min) + ".." +
            std::to_string(dim->max));
  samples_ = size;
  for (const Patch &patch : arenaRefs_)
    place(patch, arena_);
  for (ResolvedStep &step : steps_)
    if (step.sampleGrid)
      step.grid[step.sampleGridAxis] = step.sampleGrid * unsigned(size);
  return Status::ok();
}

Status Context::run(const CUdeviceptr *inputs, const CUdeviceptr *outputs,
                    CUstream stream) {
  const std::vector<TensorInfo> &inputSig = plan_.inputs();
  const std::vector<TensorInfo> &outputSig = plan_.outputs();
  if (samples_ == 0)
    return Status::error(StatusCode::kInvalidArgument,
                         "the plan has the symbolic dimension '" +
                             plan_.file().symbolicDim()->name +
                             "': set its size with setDimension first");
  if ((!inputs && !inputSig.empty()) || (!outputs && !outputSig.empty()))
    return Status::error(StatusCode::kInvalidArgument,
                         "null input or output pointer array");
  for (size_t i = 0; i < inputSig.size(); ++i)
    if (!inputs[i] && inputSig[i].byteSize > 0)
      return Status::error(StatusCode::kInvalidArgument,
                           "input " + std::to_string(i) + " '" +
                               inputSig[i].name + "': null device pointer");
  for (size_t i = 0; i < outputSig.size(); ++i)
    if (!outputs[i] && outputSig[i].byteSize > 0)
      return Status::error(StatusCode::kInvalidArgument,
                           "output " + std::to_string(i) + " '" +
                               outputSig[i].name + "': null device pointer");

  const CudaDriver &cu = plan_.runtime().driver();
  ScopedContext scope(cu, plan_.runtime().context());
  if (!scope.status())
    return scope.status();
  if (!useCudaGraphs_) {
    for (const Patch &patch : patches_)
      place(patch, patch.space == Patch::Space::Output ? outputs[patch.index]
                                                       : inputs[patch.index]);
    return enqueueSteps(stream);
  }
  bool captured =
      graphExec_ && capturedSamples_ == samples_ &&
      std::equal(capturedInputs_.begin(), capturedInputs_.end(), inputs) &&
      std::equal(capturedOutputs_.begin(), capturedOutputs_.end(), outputs);
  if (!captured)
    if (Status status = captureGraph(inputs, outputs, stream); !status)
      return status;
  return cu.check(cu.cuGraphLaunch(graphExec_, stream), "launching the graph");
}

size_t Context::launchesPerRun() const {
  return std::count_if(steps_.begin(), steps_.end(),
                       [](const ResolvedStep &step) { return step.isLaunch; });
}

Status Context::captureGraph(const CUdeviceptr *inputs,
                             const CUdeviceptr *outputs, CUstream stream) {
  const CudaDriver &cu = plan_.runtime().driver();
  for (const Patch &patch : patches_)
    place(patch, patch.space == Patch::Space::Output ? outputs[patch.index]
                                                     : inputs[patch.index]);
  capturedSamples_ = -1;
  // cuBLASLt loads its kernels at their first call, which a capture cannot
  // hold: the first capture follows one plain run.
  // It runs on the caller's stream, ordered after what produced the inputs.
  if (!graphExec_ && plan_.usesLibrary()) {
    if (Status status = enqueueSteps(stream); !status)
      return status;
    if (Status status = cu.check(cu.cuStreamSynchronize(stream),
                                 "warming up the library steps");
        !status)
      return status;
  }
  if (Status status =
          cu.check(cu.cuStreamBeginCapture(captureStream_,
                                           CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                   "beginning the graph capture");
      !status)
    return status;
  Status enqueued = enqueueSteps(captureStream_);
  CUgraph graph = nullptr;
  CUresult ended = cu.cuStreamEndCapture(captureStream_, &graph);
  if (!enqueued) {
    if (graph)
      (void)cu.cuGraphDestroy(graph);
    return enqueued;
  }
  if (Status status = cu.check(ended, "ending the graph capture"); !status)
    return status;
  // Same topology, other pointers or grids: updating the executable graph in
  // place is much cheaper than instantiating it again. Library steps are
  // instantiated anew: a pointer change may swap a cuBLASLt call for the
  // generated kernel (alignment), whose node an update must not reuse.
  if (graphExec_ && plan_.usesLibrary()) {
    (void)cu.cuGraphExecDestroy(graphExec_);
    graphExec_ = nullptr;
  }
  if (graphExec_) {
    CUgraphExecUpdateResultInfo info;
    if (cu.cuGraphExecUpdate(graphExec_, graph, &info) != CUDA_SUCCESS) {
      (void)cu.cuGraphExecDestroy(graphExec_);
      graphExec_ = nullptr;
    }
  }
  Status status = Status::ok();
  if (!graphExec_)
    status = cu.check(cu.cuGraphInstantiate(&graphExec_, graph, 0),
                      "instantiating the graph");
  (void)cu.cuGraphDestroy(graph);
  if (!status) {
    graphExec_ = nullptr;
    return status;
  }
  std::copy(inputs, inputs + capturedInputs_.size(), capturedInputs_.begin());
  std::copy(outputs, outputs + capturedOutputs_.size(),
            capturedOutputs_.begin());
  capturedSamples_ = samples_;
  return Status::ok();
}

Status Context::enqueueSteps(CUstream stream) {
  const CudaDriver &cu = plan_.runtime().driver();
  if (faultWords_)
    if (CUresult result =
            cu.cuMemsetD32Async(faultWords_, 0, faultSteps_.size(), stream);
        result != CUDA_SUCCESS)
      return cu.check(result, "clearing the fault words");
  // Whether the last thing enqueued is a generated kernel's grid: the one
  // a programmatic launch would overlap (never a library call or a copy).
  bool afterGeneratedGrid = false;
  for (size_t s = 0; s < steps_.size(); ++s) {
    ResolvedStep &step = steps_[s];
    if (step.library >= 0) {
      bool ran = false;
      if (Status status = runLibraryStep(step, stream, &ran); !status)
        return status;
      if (ran) {
        afterGeneratedGrid = false;
        continue;
      }
    }
    CUresult result;
    if (step.isLaunch && step.awaitsPreviousGrid && afterGeneratedGrid &&
        useProgrammaticLaunches_) {
      CUlaunchAttribute attribute = {};
      attribute.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
      attribute.value.programmaticStreamSerializationAllowed = 1;
      CUlaunchConfig config = {};
      config.gridDimX = step.grid[0];
      config.gridDimY = step.grid[1];
      config.gridDimZ = step.grid[2];
      config.blockDimX = step.block[0];
      config.blockDimY = step.block[1];
      config.blockDimZ = step.block[2];
      config.sharedMemBytes = step.sharedMemory;
      config.hStream = stream;
      config.attrs = &attribute;
      config.numAttrs = 1;
      result = cu.cuLaunchKernelEx(&config, step.function,
                                   step.argPointers.data(), nullptr);
    } else if (step.isLaunch) {
      result = cu.cuLaunchKernel(step.function, step.grid[0], step.grid[1],
                                 step.grid[2], step.block[0], step.block[1],
                                 step.block[2], step.sharedMemory, stream,
                                 step.argPointers.data(), nullptr);
    } else {
      result = copy(step, stream);
    }
    afterGeneratedGrid = step.isLaunch;
    // The message is built only on failure: run() allocates nothing.
    if (result != CUDA_SUCCESS)
      return cu.check(result, "step " + std::to_string(s) +
                                  (step.isLaunch ? " (launch)" : " (copy)"));
  }
  return Status::ok();
}

Status Context::runHost(const std::vector<const void *> &hostInputs,
                        const std::vector<void *> &hostOutputs, CUstream stream,
                        float *gpuMs) {
  const std::vector<TensorInfo> &inputSig = plan_.inputs();
  const std::vector<TensorInfo> &outputSig = plan_.outputs();
  if (hostInputs.size() != inputSig.size() ||
      hostOutputs.size() != outputSig.size())
    return Status::error(StatusCode::kInvalidArgument,
                         "expected " + std::to_string(inputSig.size()) +
                             " inputs and " + std::to_string(outputSig.size()) +
                             " outputs, got " +
                             std::to_string(hostInputs.size()) + " and " +
                             std::to_string(hostOutputs.size()));
  for (size_t i = 0; i < inputSig.size(); ++i)
    if (!hostInputs[i] && inputSig[i].byteSize > 0)
      return Status::error(StatusCode::kInvalidArgument,
                           "input " + std::to_string(i) + " '" +
                               inputSig[i].name + "': null host pointer");
  for (size_t i = 0; i < outputSig.size(); ++i)
    if (!hostOutputs[i] && outputSig[i].byteSize > 0)
      return Status::error(StatusCode::kInvalidArgument,
                           "output " + std::to_string(i) + " '" +
                               outputSig[i].name + "': null host pointer");

  const CudaDriver &cu = plan_.runtime().driver();
  ScopedContext scope(cu, plan_.runtime().context());
  if (!scope.status())
    return scope.status();
  if (samples_ == 0)
    return Status::error(StatusCode::kInvalidArgument,
                         "the plan has the symbolic dimension '" +
                             plan_.file().symbolicDim()->name +
                             "': set its size with setDimension first");
  for (size_t i = 0; i < inputSig.size(); ++i) {
    if (inputSig[i].bytesFor(samples_) == 0)
      continue;
    if (Status status = cu.check(
            cu.cuMemcpyHtoDAsync(inputStaging_[i], hostInputs[i],
                                 inputSig[i].bytesFor(samples_), stream),
            "copying input " + std::to_string(i) + " to the device");
        !status)
      return status;
  }
  if (gpuMs)
    if (Status status =
            cu.check(cu.cuEventRecord(start_, stream), "cuEventRecord");
        !status)
      return status;
  if (Status status = run(inputStaging_.data(), outputStaging_.data(), stream);
      !status)
    return status;
  if (gpuMs)
    if (Status status =
            cu.check(cu.cuEventRecord(stop_, stream), "cuEventRecord");
        !status)
      return status;
  for (size_t i = 0; i < outputSig.size(); ++i) {
    if (outputSig[i].bytesFor(samples_) == 0)
      continue;
    if (Status status = cu.check(
            cu.cuMemcpyDtoHAsync(hostOutputs[i], outputStaging_[i],
                                 outputSig[i].bytesFor(samples_), stream),
            "copying output " + std::to_string(i) + " to the host");
        !status)
      return status;
  }
  if (Status status =
          cu.check(cu.cuStreamSynchronize(stream), "cuStreamSynchronize");
      !status)
    return status;
  if (Status status = checkFaults(); !status)
    return status;
  if (gpuMs)
    return cu.check(cu.cuEventElapsedTime(gpuMs, start_, stop_),
                    "cuEventElapsedTime");
  return Status::ok();
}

Status Context::checkFaults() {
  if (!faultWords_)
    return Status::ok();
  const CudaDriver &cu = plan_.runtime().driver();
  ScopedContext scope(cu, plan_.runtime().context());
  if (!scope.status())
    return scope.status();
  std::vector<uint32_t> words(faultSteps_.size());
  if (Status status = cu.check(cu.cuMemcpyDtoH(words.data(), faultWords_,
                                               words.size() * sizeof(uint32_t)),
                               "reading the fault words");
      !status)
    return status;
  const dsc::plan::Plan &raw = *plan_.file().raw();
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == 0)
      continue;
    size_t step = faultSteps_[i];
    const dsc::plan::Launch *launch = raw.steps()->Get(step)->step_as_Launch();
    std::string kernel = raw.kernels()->Get(launch->kernel())->name()->str();
    std::string what = words[i] == 1 ? "an index input holds a value out of "
                                       "range"
                                     : "fault code " + std::to_string(words[i]);
    return Status::error(StatusCode::kInvalidArgument,
                         "step " + std::to_string(step) + " (kernel '" +
                             kernel + "'): " + what +
                             "; the outputs are undefined");
  }
  return Status::ok();
}

} // namespace dsc::rt
