//===- runtime.h - dsc runtime C++ API --------------------------*- C++ -*-===//
//
// Loads a dsc plan and runs it on an NVIDIA GPU. Three layers:
//   Runtime  process-wide: CUDA driver, device, primary context, kernel cache.
//            Thread-safe.
//   Plan     one loaded model: weights on the device, kernels loaded.
//            Immutable and thread-safe; share it between threads.
//   Context  one concurrent execution: the arena and resolved launch
//            arguments. Thread-compatible: one thread at a time.
// PlanFile parses and validates plan bytes without any CUDA (for inspection,
// the CPU path and tests). Every fallible call returns a Status; nothing
// aborts or throws on bad input. A Runtime must outlive its Plans, and a Plan
// its Contexts.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_H
#define DSC_RUNTIME_H

#include <cuda.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dsc::plan {
struct Plan;
struct KernelVariant;
} // namespace dsc::plan

namespace dsc::rt {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1, ///< A caller's argument is wrong (null, count, size).
  kInvalidPlan = 2,     ///< The plan bytes are malformed or inconsistent.
  kNotFound = 3,        ///< A file does not exist.
  kIoError = 4,         ///< A file could not be read or written.
  kUnavailable = 5,     ///< No CUDA driver or no device.
  kCudaError = 6,       ///< A CUDA driver call failed.
  kCompileError = 7,    ///< NVRTC could not compile a kernel.
  kOutOfMemory = 8,     ///< Host or device allocation failed.
  kInternal = 9,
};

/// Name of a status code, e.g. "invalid plan".
const char *statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(StatusCode code, std::string message) {
    return Status(code, std::move(message));
  }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }
  /// "invalid plan: step 3 (launch): ..." or "ok".
  std::string toString() const;

private:
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Element types; the values equal the plan schema's dsc.plan.DType.
enum class DType : int8_t {
  kF32 = 0,
  kF16 = 1,
  kBF16 = 2,
  kF64 = 3,
  kI64 = 4,
  kI32 = 5,
  kI8 = 6,
  kU8 = 7,
  kBool = 8,
  kI16 = 9,
  kU16 = 10,
  kU32 = 11,
  kU64 = 12,
};

/// Bytes per element, or 0 for a value outside the enum.
size_t dtypeSize(DType dtype);
/// "f32", "bf16", ...; "?" for a value outside the enum.
const char *dtypeName(DType dtype);

/// One model input or output, as the plan's signature declares it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  /// With a sample axis: one sample's shape (see SymbolicDimInfo).
  std::vector<int64_t> shape;
  /// Bytes of `shape` (one sample's when there is a sample axis).
  uint64_t byteSize = 0;
  /// The axis that N samples extend N times, or -1.
  int32_t sampleAxis = -1;
  /// A tensor of strings: U8, the last dimension a slot of UTF-8 bytes per
  /// string, NUL-padded.
  bool isString = false;

  /// Bytes for `samples` samples.
  uint64_t bytesFor(int64_t samples) const {
    return sampleAxis < 0 ? byteSize : byteSize * uint64_t(samples);
  }
  /// How many samples a tensor of `given` shape holds (shapeFor's
  /// inverse), or -1 when it is not whole samples of this one.
  int64_t samplesIn(const std::vector<int64_t> &given) const {
    if (sampleAxis < 0 || given.size() != shape.size() ||
        shape[sampleAxis] <= 0 || given[sampleAxis] % shape[sampleAxis] != 0)
      return -1;
    int64_t count = given[sampleAxis] / shape[sampleAxis];
    return shapeFor(count) == given ? count : -1;
  }
  /// The shape for `samples` samples.
  std::vector<int64_t> shapeFor(int64_t samples) const {
    std::vector<int64_t> result = shape;
    if (sampleAxis >= 0)
      result[sampleAxis] *= samples;
    return result;
  }
};

/// The dimension a plan runs for any size of, `min` to `max` samples: the
/// plan computes each sample on its own (the compiler checked that samples
/// never meet), so one plan serves every size. Set the size with
/// Context::setDimension before running.
struct SymbolicDimInfo {
  std::string name;
  int64_t min = 0, max = 0;
};

/// One weight's place in the plan's weights blob.
struct WeightInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// Plan bytes, verified and checked: every index and byte range in range.
class PlanFile {
public:
  /// The plan format version this runtime reads.
  static constexpr uint32_t kFormatVersion = 1;
  /// The most generated variants one kernel may carry.
  static constexpr size_t kMaxVariants = 16;

  PlanFile() = default;

  /// Takes ownership of `bytes`, verifies and checks them.
  static Status fromBytes(std::vector<uint8_t> bytes, PlanFile *out);
  static Status fromFile(const std::string &path, PlanFile *out);

  /// The flatbuffer root; valid while this PlanFile lives. Null if empty.
  const dsc::plan::Plan *raw() const;
  const std::vector<uint8_t> &bytes() const { return bytes_; }

  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }
  const std::vector<WeightInfo> &weights() const { return weights_; }
  /// The weights blob (host copy inside the plan bytes).
  const uint8_t *weightsBlob() const;
  uint64_t weightsBlobSize() const;
  size_t numKernels() const;
  size_t numSteps() const;
  /// One sample's arena in a plan with a symbolic dimension.
  uint64_t arenaSize() const;
  /// The plan's symbolic dimension, if it has one.
  const std::optional<SymbolicDimInfo> &symbolicDim() const {
    return symbolicDim_;
  }
  uint64_t arenaLowerBound() const;
  std::string producer() const;
  /// The exec-dialect program text (may be empty).
  std::string execIr() const;

private:
  std::vector<uint8_t> bytes_;
  std::vector<TensorInfo> inputs_, outputs_;
  std::vector<WeightInfo> weights_;
  std::optional<SymbolicDimInfo> symbolicDim_;
};

struct RuntimeOptions {
  /// CUDA device ordinal.
  int device = 0;
  /// Kernel cache folder; empty: $DSC_CACHE_DIR, else
  /// $HOME/.cache/dsc/kernels.
  std::string cacheDir;
  /// Whether JIT-compiled cubins are read from and written to disk.
  bool diskCache = true;
  /// NVRTC options added to "--gpu-architecture=sm_XY -std=c++17" (part of
  /// the cache key).
  std::vector<std::string> nvrtcOptions;
};

/// Counters of the kernel cache, for tests and logs.
struct KernelCacheStats {
  uint64_t cubinsLoaded = 0; ///< Plan cubins used as they are.
  uint64_t compiled = 0;     ///< NVRTC compilations.
  uint64_t diskHits = 0;     ///< Cubins read from the disk cache.
  uint64_t memoryHits = 0;   ///< Cubins reused from this process.
};

/// How Plan::load picks each kernel's tactic: among a GEMM's generated
/// variants (tiles, split-K) and its cuBLASLt form (for kernels whose plan
/// entry has a library description).
enum class TuneMode {
  /// The choice cached for this plan and GPU, else the generated kernels.
  /// The environment variable DSC_TUNE overrides it: "1" is
  /// kTuneIfUncached, "library" kLibraryOnly, "generated" kGeneratedOnly.
  kCached,
  /// The cached choice, else time both now and cache the result.
  kTuneIfUncached,
  /// Time both now, whatever is cached, and cache the result (`dsc tune`).
  kRetune,
  /// The generated kernels only.
  kGeneratedOnly,
  /// cuBLASLt (its heuristic's first algorithm) wherever it can run, the
  /// generated kernel elsewhere (TuneEntry::unavailable says why). For
  /// tests and comparisons.
  kLibraryOnly,
};

struct PlanOptions {
  TuneMode tune = TuneMode::kCached;
  /// >= 0: every kernel with generated variants runs variant `variant`
  /// (where it has one that loads, else variant 0), untimed and uncached;
  /// cuBLASLt is not used. For tests of the variants. The environment's
  /// `DSC_TUNE=variant:N` sets it when `tune` is kCached.
  int variant = -1;
};

/// One GEMM kernel's tactics, as Plan::load chose them.
struct TuneEntry {
  size_t kernel = 0;
  std::string name;
  /// E.g. "f16 512x3072x768 +bias gelu_tanh".
  std::string shape;
  /// Median times of one launch when timed now (else -1); libraryMs is the
  /// fastest cuBLASLt candidate's.
  float generatedMs = -1, libraryMs = -1;
  /// The cuBLASLt candidate chosen, or -1 for the generated kernel.
  int algorithm = -1;
  /// The kernel's generated variants (plan.fbs Kernel.variants; 0 is its
  /// own entry): the tactic, the median time of one launch when timed now
  /// (else -1), and whether it loaded on this device (its shared memory).
  struct Variant {
    std::string description;
    float ms = -1;
    bool usable = true;
  };
  std::vector<Variant> variants;
  /// The generated variant that runs where cuBLASLt does not; generatedMs
  /// is its time.
  int variant = 0;
  /// Why cuBLASLt is not an option here (absent, no algorithm), else empty.
  std::string unavailable;
};

class KernelCache;
struct CudaDriver;
struct CublasLt;
class BlasGemm;

class Runtime {
public:
  ~Runtime();
  Runtime(const Runtime &) = delete;
  Runtime &operator=(const Runtime &) = delete;

  /// Loads libcuda.so.1, initializes the driver and retains the device's
  /// primary context.
  static Status create(const RuntimeOptions &options,
                       std::unique_ptr<Runtime> *out);

  int device() const { return device_; }
  /// E.g. "sm_90".
  const std::string &arch() const { return arch_; }
  const std::string &deviceName() const { return deviceName_; }
  CUcontext context() const { return context_; }
  /// cuDriverGetVersion, e.g. 13000.
  int driverVersion() const { return driverVersion_; }
  /// cuBLASLt, loaded on first use (the first plan with a GEMM it can
  /// run), or null where it could not be loaded: then blasStatus() says
  /// why and plans run their generated kernels only.
  const CublasLt *blas() const;
  const std::string &blasStatus() const;
  KernelCacheStats kernelCacheStats() const;

  /// Internal: the driver's entry points and the kernel cache.
  const CudaDriver &driver() const { return *driver_; }
  KernelCache &kernelCache() const { return *cache_; }
  int maxSharedMemoryOptin() const { return maxSharedOptin_; }
  /// Compute capability 9.0 or later with a driver that has
  /// cuLaunchKernelEx: kernels that await the previous grid may be
  /// launched with programmatic stream serialization.
  bool programmaticLaunches() const { return programmaticLaunches_; }

private:
  Runtime() = default;
  std::unique_ptr<CudaDriver> driver_;
  std::unique_ptr<KernelCache> cache_;
  mutable std::once_flag blasOnce_;
  mutable std::unique_ptr<CublasLt> blas_;
  mutable std::string blasStatus_;
  int driverVersion_ = 0;
  int device_ = 0;
  CUdevice cuDevice_ = 0;
  CUcontext context_ = nullptr;
  std::string arch_, deviceName_;
  int maxSharedOptin_ = 0;
  bool programmaticLaunches_ = false;
};

class Plan {
public:
  ~Plan();
  Plan(const Plan &) = delete;
  Plan &operator=(const Plan &) = delete;

  /// Uploads the weights and loads every kernel: the plan's cubin when it was
  /// built for this device's arch, else NVRTC from source (disk-cached).
  /// Then picks each GEMM's tactic as `options.tune` says; tuned choices are
  /// cached per plan and GPU next to the kernel cache.
  static Status load(Runtime &runtime, PlanFile file,
                     std::unique_ptr<Plan> *out,
                     const PlanOptions &options = PlanOptions());

  Runtime &runtime() const { return runtime_; }
  const PlanFile &file() const { return file_; }
  const std::vector<TensorInfo> &inputs() const { return file_.inputs(); }
  const std::vector<TensorInfo> &outputs() const { return file_.outputs(); }
  /// Bytes of device memory a Context needs for its arena.
  uint64_t workspaceSize() const;
  CUdeviceptr weightsDevicePtr() const { return weights_; }
  CUfunction function(size_t kernel) const { return functions_[kernel]; }

  /// The cuBLASLt candidate that runs `kernel`, or -1 for its generated
  /// kernel.
  int tactic(size_t kernel) const { return tactics_[kernel]; }
  /// The generated variant of `kernel` that runs (where cuBLASLt does not):
  /// 0 for its entry, v for plan.fbs Kernel.variants[v - 1].
  int variant(size_t kernel) const { return variants_[kernel]; }
  /// The function of variant `variant` of `kernel`; null where it did not
  /// load (more shared memory than this device has).
  CUfunction variantFunction(size_t kernel, int variant) const {
    return variant == 0 ? functions_[kernel]
                        : variantFunctions_[kernel][variant - 1];
  }
  /// Internal: `kernel`'s cuBLASLt form, or null.
  const BlasGemm *gemm(size_t kernel) const { return gemms_[kernel].get(); }
  /// Whether any GEMM runs in cuBLASLt (contexts then hold its workspace).
  bool usesLibrary() const;
  /// One entry per kernel with a library description or variants.
  const std::vector<TuneEntry> &tuneReport() const { return tuneReport_; }
  /// Where the tactics came from: "tuned", "cache", "default",
  /// "generated only", "library only", "variant N".
  const std::string &tacticSource() const { return tacticSource_; }
  /// The tactic cache file of this plan on this GPU ("" without a disk
  /// cache).
  std::string tacticCachePath() const;

private:
  friend class Tuner;
  /// Out of line: the members' destructors need BlasGemm complete.
  Plan(Runtime &runtime, PlanFile file);
  Status chooseTactics(const PlanOptions &options);
  /// Loads `kernel`'s variants' entries from `module`.
  Status loadVariants(size_t kernel, CUmodule module, const std::string &what);
  Runtime &runtime_;
  PlanFile file_;
  CUdeviceptr weights_ = 0;
  std::vector<CUmodule> modules_;
  std::vector<CUfunction> functions_;
  /// Per kernel: its cuBLASLt form (null without one) and tactic.
  std::vector<std::unique_ptr<BlasGemm>> gemms_;
  std::vector<int> tactics_;
  /// Per kernel: its variants' functions (plan.fbs Kernel.variants) and the
  /// variant that runs.
  std::vector<std::vector<CUfunction>> variantFunctions_;
  std::vector<int> variants_;
  std::vector<TuneEntry> tuneReport_;
  std::string tacticSource_ = "default";
};

class Context {
public:
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  /// Allocates the arena (unless `workspace` is given: device memory of at
  /// least plan.workspaceSize() bytes, 256-byte aligned, owned by the caller
  /// and outliving the Context) and host staging buffers for runHost.
  static Status create(const Plan &plan, std::unique_ptr<Context> *out,
                       CUdeviceptr workspace = 0);

  const Plan &plan() const { return plan_; }
  uint64_t workspaceSize() const { return plan_.workspaceSize(); }

  /// For a plan with a symbolic dimension (PlanFile::symbolicDim): the
  /// number of samples the next runs take, in [min, max]; an error naming
  /// the range otherwise. Inputs and outputs with a sample axis then hold
  /// that many samples (TensorInfo::bytesFor).
  Status setDimension(const std::string &name, int64_t size);
  /// The number of samples runs take (1 for a plan without a symbolic
  /// dimension; 0 until setDimension for one with).
  int64_t samples() const { return samples_; }

  /// Enqueues the plan on `stream`: no allocation, no synchronization, no
  /// compilation. `inputs` and `outputs` hold one device pointer per
  /// signature entry, each at least that tensor's byte size (for the samples
  /// set). With CUDA graphs on (the default), the plan's launches are
  /// captured once into a graph and every later run with the same pointers
  /// and samples is one graph launch; other pointers update the graph
  /// (cuGraphExecUpdate) before it launches.
  Status run(const CUdeviceptr *inputs, const CUdeviceptr *outputs,
             CUstream stream);

  /// Whether run() replays a CUDA graph (true unless the environment sets
  /// DSC_CUDA_GRAPHS=0) or launches each kernel itself.
  void setUseCudaGraphs(bool use) { useCudaGraphs_ = use; }
  bool usesCudaGraphs() const { return useCudaGraphs_; }
  /// Whether a kernel that awaits the previous grid, launched right after
  /// another generated kernel, overlaps its launch with that kernel's last
  /// blocks (programmatic dependent launch, where the device and driver
  /// support it; off unless the environment sets DSC_PDL=1).
  void setUseProgrammaticLaunches(bool use) {
    useProgrammaticLaunches_ = use && plan_.runtime().programmaticLaunches();
  }
  bool usesProgrammaticLaunches() const { return useProgrammaticLaunches_; }
  /// The kernel launches one run makes.
  size_t launchesPerRun() const;

  /// Copies host inputs to device staging buffers, runs, copies the outputs
  /// back and synchronizes `stream`. If `gpuMs` is given, stores the time of
  /// run() alone, measured with CUDA events.
  Status runHost(const std::vector<const void *> &hostInputs,
                 const std::vector<void *> &hostOutputs, CUstream stream,
                 float *gpuMs = nullptr);

  /// After run() and a synchronization of its stream: an error naming the
  /// kernel if one reported invalid input values (an index out of range),
  /// which leaves the outputs undefined. runHost() checks this itself.
  Status checkFaults();

private:
  friend class Tuner;
  explicit Context(const Plan &plan) : plan_(plan) {}
  Status resolveSteps();
  /// Descriptors for the steps whose kernel runs in cuBLASLt.
  Status createLibrarySteps();

  const Plan &plan_;
  CUdeviceptr arena_ = 0;
  bool ownsArena_ = false;
  std::vector<CUdeviceptr> inputStaging_, outputStaging_;
  /// One fault word per launch of a kernel that reports faults.
  CUdeviceptr faultWords_ = 0;
  /// Kernel scratch (plan.fbs Kernel.scratch_bytes): the largest any kernel
  /// takes, zeroed once; the steps that take it.
  CUdeviceptr scratch_ = 0;
  std::vector<size_t> scratchSteps_;
  uint64_t scratchBytes_ = 0;
  std::vector<size_t> faultSteps_; ///< The step of each fault word.
  CUevent start_ = nullptr, stop_ = nullptr;

  /// Per step: launch arguments resolved to device pointers, except
  /// input/output ones, which `patches_` fill in at every run; with a
  /// symbolic dimension, setDimension places the arena ones (`arenaRefs_`).
  struct ResolvedStep {
    bool isLaunch = false;
    CUfunction function = nullptr;
    unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
    unsigned sharedMemory = 0;
    /// One sample's grid extent along `sampleGridAxis` of a per-sample
    /// launch (0 otherwise).
    unsigned sampleGrid = 0, sampleGridAxis = 2;
    /// The step's entry in `librarySteps_` when its kernel runs in
    /// cuBLASLt, else -1.
    int32_t library = -1;
    /// The kernel awaits the previous grid (plan.fbs
    /// Kernel.awaits_previous_grid).
    bool awaitsPreviousGrid = false;
    /// Kernel arguments, then the fault word's address if it reports faults.
    std::vector<CUdeviceptr> argValues;
    /// TMA descriptors (CUtensorMap) the entry takes after those, encoded
    /// over the arguments their specs name.
    struct alignas(64) TensorMapBytes {
      uint64_t words[16];
    };
    std::vector<TensorMapBytes> maps;
    std::vector<void *> argPointers;
    CUdeviceptr copySource = 0, copyTarget = 0;
    /// One sample's bytes when the copy's ends are per-sample.
    uint64_t copySize = 0;
    bool copySourcePerSample = false, copyTargetPerSample = false;
  };
  /// An argument placed at every run or every setDimension.
  struct Patch {
    size_t step;
    size_t arg; ///< Argument number; for copies 0 = source, 1 = target.
    enum class Space : uint8_t { Arena, Input, Output } space;
    uint32_t index;
    uint64_t offset;
    /// Offsets of per-sample buffers are one sample's: scaled by samples_.
    bool perSample;
  };
  void place(const Patch &patch, CUdeviceptr base);
  /// Encodes every tensor map of `variant` over the launch arguments
  /// `args` into `maps` (the context's steps and the tuner's timings).
  static Status encodeTensorMaps(
      const CudaDriver &driver, const dsc::plan::KernelVariant &variant,
      const CUdeviceptr *args, std::vector<ResolvedStep::TensorMapBytes> *maps);

  /// Enqueues every step on `stream` (a capturing one, or the caller's).
  Status enqueueSteps(CUstream stream);
  /// Captures the steps into graphExec_ for these pointers and samples.
  Status captureGraph(const CUdeviceptr *inputs, const CUdeviceptr *outputs,
                      CUstream stream);
  bool useCudaGraphs_ = true;
  bool useProgrammaticLaunches_ = false;
  /// The stream graphs are captured on (capture is not possible on the
  /// legacy default stream callers may pass); the graph launches on theirs.
  CUstream captureStream_ = nullptr;
  CUgraphExec graphExec_ = nullptr;
  /// What graphExec_ was captured for.
  std::vector<CUdeviceptr> capturedInputs_, capturedOutputs_;
  int64_t capturedSamples_ = -1;
  /// Enqueues a library step; `ran` false when a caller's pointer is too
  /// little aligned for the chosen algorithm (the kernel runs instead).
  Status runLibraryStep(const ResolvedStep &step, CUstream stream, bool *ran);
  struct LibraryStep {
    const BlasGemm *gemm = nullptr;
    void *descriptor = nullptr; ///< cublasLtMatmulDesc_t
    int algorithm = 0;
  };
  std::vector<LibraryStep> librarySteps_;
  CUdeviceptr blasWorkspace_ = 0;
  /// Enqueues a copy step for the samples set.
  CUresult copy(const ResolvedStep &step, CUstream stream) const;
  std::vector<ResolvedStep> steps_;
  std::vector<Patch> patches_, arenaRefs_;
  int64_t samples_ = 1;
};

} // namespace dsc::rt

#endif // DSC_RUNTIME_H
