//===- Tuner.cpp - Kernel tactics: timing and the per-GPU cache ----------===//

#include "Tuner.h"

#include "Blas.h"
#include "CudaDriver.h"
#include "KernelCache.h"
#include "plan_generated.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace dsc::rt {

//===----------------------------------------------------------------------===//
// The tactic cache
//===----------------------------------------------------------------------===//

namespace {

/// The first line of a cache file: its format and version.
constexpr char kCacheFormat[] = "dsc-tactics";
constexpr int kCacheVersion = 2;

std::string cacheMagic() {
  return std::string(kCacheFormat) + " " + std::to_string(kCacheVersion);
}

std::string hashText(const std::string &text) {
  return contentDigest(text.data(), text.size());
}

bool makeDirs(const std::string &dir) {
  for (size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1))
    mkdir(dir.substr(0, slash).c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  struct stat info;
  return stat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

void warn(const std::string &message) {
  std::fprintf(stderr, "dsc: warning: %s\n", message.c_str());
}

} // namespace

std::string tactics::cacheKey(const std::string &deviceName,
                              const std::string &arch, int driverVersion,
                              size_t blasVersion,
                              const std::vector<uint8_t> &planBytes) {
  std::string name = deviceName;
  std::replace(name.begin(), name.end(), '\n', ' ');
  // The heuristic's candidates depend on the workspace and their number.
  // The format is part of the key, so a file of another version is
  // another file.
  return "format " + std::to_string(kCacheVersion) + " | " + name + " | " +
         arch + " | driver " + std::to_string(driverVersion) + " | cublasLt " +
         std::to_string(blasVersion) + " | workspace " +
         std::to_string(kBlasWorkspaceBytes) + " | candidates " +
         std::to_string(kBlasCandidates) + " | plan " +
         contentDigest(planBytes.data(), planBytes.size());
}

std::string tactics::cachePath(const std::string &dir, const std::string &key) {
  return dir + "/tactics-" + hashText(key) + ".txt";
}

bool tactics::write(const std::string &path, const std::string &key,
                    const std::vector<Choice> &choices) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0 &&
      !makeDirs(path.substr(0, slash)))
    return false;
  static std::atomic<uint64_t> counter{0};
  std::string temporary = path + ".tmp." + std::to_string(getpid()) + "." +
                          std::to_string(counter++);
  std::string text = cacheMagic() + "\n" + key + "\nkernels " +
                     std::to_string(choices.size()) + "\n";
  // One line per kernel: its number, variant and cuBLASLt algorithm.
  for (size_t k = 0; k < choices.size(); ++k)
    text += std::to_string(k) + " " + std::to_string(choices[k].variant) + " " +
            std::to_string(choices[k].algorithm) + "\n";
  text += "end\n";
  std::FILE *stream = std::fopen(temporary.c_str(), "wb");
  if (!stream)
    return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), stream) == text.size();
  ok = std::fclose(stream) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

tactics::ReadResult tactics::read(const std::string &path,
                                  const std::string &key, size_t numKernels,
                                  std::vector<Choice> *choices,
                                  std::string *problem) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream)
    return ReadResult::kMissing;
  auto invalid = [&](std::string reason) {
    *problem = "tactic cache '" + path + "': " + std::move(reason);
    choices->clear();
    return ReadResult::kInvalid;
  };
  std::string line;
  if (!std::getline(stream, line) || line.rfind(kCacheFormat, 0) != 0)
    return invalid("not a dsc tactic file");
  if (line != cacheMagic())
    return invalid("'" + line + "' is another version (this runtime reads '" +
                   cacheMagic() + "')");
  if (!std::getline(stream, line) || line != key)
    return invalid("made for another plan or GPU");
  if (!std::getline(stream, line))
    return invalid("truncated");
  std::istringstream header(line);
  std::string word;
  long long count = -1;
  if (!(header >> word >> count) || word != "kernels" ||
      count != static_cast<long long>(numKernels))
    return invalid("expected 'kernels " + std::to_string(numKernels) +
                   "', found '" + line + "'");
  choices->assign(numKernels, Choice());
  for (size_t k = 0; k < numKernels; ++k) {
    long long index = -1, variant = -1, algorithm = -2;
    std::string rest;
    if (!std::getline(stream, line))
      return invalid("truncated at kernel " + std::to_string(k));
    std::istringstream entry(line);
    if (!(entry >> index >> variant >> algorithm) || (entry >> rest) ||
        index != static_cast<long long>(k) || variant < 0 ||
        variant > static_cast<long long>(PlanFile::kMaxVariants) ||
        algorithm < -1 || algorithm >= kBlasCandidates)
      return invalid("bad entry for kernel " + std::to_string(k) + ": '" +
                     line + "'");
    (*choices)[k] = {static_cast<int>(variant), static_cast<int>(algorithm)};
  }
  if (!std::getline(stream, line) || line != "end")
    return invalid("no end line");
  return ReadResult::kLoaded;
}

//===----------------------------------------------------------------------===//
// Choosing tactics
//===----------------------------------------------------------------------===//

namespace {

/// The alignment of a buffer at `ref`: the arena and the weights start
/// 256-byte aligned; a caller's pointer is assumed 16-byte aligned (and
/// checked at every run).
uint32_t refAlignment(const dsc::plan::BufferRef &ref) {
  uint64_t offset = ref.offset();
  uint64_t alignment = offset ? (offset & (~offset + 1)) : 256;
  alignment = std::min<uint64_t>(alignment, 256);
  if (ref.space() == dsc::plan::Space::Input ||
      ref.space() == dsc::plan::Space::Output)
    alignment = std::min<uint64_t>(alignment, 16);
  return static_cast<uint32_t>(alignment);
}

/// The fewest bytes any launch of `kernel` aligns the matrices to.
uint32_t gemmAlignment(const dsc::plan::Plan &raw, uint32_t kernel,
                       const dsc::plan::LibraryGemm &gemm) {
  uint32_t alignment = 256;
  for (const dsc::plan::StepEntry *entry : *raw.steps()) {
    const dsc::plan::Launch *launch = entry->step_as_Launch();
    if (!launch || launch->kernel() != kernel)
      continue;
    std::vector<int64_t> matrices = {gemm.a_arg(), gemm.b_arg(), gemm.d_arg(),
                                     gemm.residual_arg()};
    for (int64_t arg : matrices)
      if (arg >= 0)
        alignment =
            std::min(alignment, refAlignment(*launch->args()->Get(arg)));
  }
  return alignment;
}

/// kCached follows $DSC_TUNE: "1" tunes what the cache does not answer,
/// "library" and "generated" force either tactic, "variant:N" forces the
/// generated variant N (`variant`, unless PlanOptions already forces one).
TuneMode effectiveMode(TuneMode mode, int *variant) {
  const char *env = std::getenv("DSC_TUNE");
  if (mode != TuneMode::kCached || !env)
    return mode;
  if (std::strncmp(env, "variant:", 8) == 0) {
    char *end = nullptr;
    long number = std::strtol(env + 8, &end, 10);
    if (end != env + 8 && *end == '\0' && number >= 0 &&
        number <= long(PlanFile::kMaxVariants) && *variant < 0)
      *variant = int(number);
    else if (*variant < 0)
      warn("DSC_TUNE='" + std::string(env) +
           "' names no variant (variant:0 to variant:" +
           std::to_string(PlanFile::kMaxVariants) + "); ignored");
    return mode;
  }
  if (std::strcmp(env, "1") == 0)
    return TuneMode::kTuneIfUncached;
  if (std::strcmp(env, "library") == 0)
    return TuneMode::kLibraryOnly;
  if (std::strcmp(env, "generated") == 0)
    return TuneMode::kGeneratedOnly;
  return mode;
}

/// Whether any kernel of `raw` has a cuBLASLt form, or generated variants.
bool hasLibraryGemms(const dsc::plan::Plan &raw) {
  if (!raw.kernels())
    return false;
  for (const dsc::plan::Kernel *kernel : *raw.kernels())
    if (kernel->library_gemm())
      return true;
  return false;
}

bool hasVariants(const dsc::plan::Plan &raw) {
  if (!raw.kernels())
    return false;
  for (const dsc::plan::Kernel *kernel : *raw.kernels())
    if (kernel->variants() && kernel->variants()->size() > 0)
      return true;
  return false;
}

} // namespace

bool Plan::usesLibrary() const {
  return std::any_of(tactics_.begin(), tactics_.end(),
                     [](int tactic) { return tactic >= 0; });
}

std::string Plan::tacticCachePath() const {
  const KernelCache &cache = runtime_.kernelCache();
  const dsc::plan::Plan &raw = *file_.raw();
  // cuBLASLt's version matters (and it is loaded) only for library GEMMs.
  const CublasLt *blas = hasLibraryGemms(raw) ? runtime_.blas() : nullptr;
  if (!cache.diskEnabled() || (!hasVariants(raw) && !blas))
    return std::string();
  return tactics::cachePath(
      cache.dir(),
      tactics::cacheKey(runtime_.deviceName(), runtime_.arch(),
                        runtime_.driverVersion(), blas ? blas->version() : 0,
                        file_.bytes()));
}

Status Plan::chooseTactics(const PlanOptions &options) {
  const dsc::plan::Plan &raw = *file_.raw();
  size_t numKernels = file_.numKernels();
  tactics_.assign(numKernels, -1);
  variants_.assign(numKernels, 0);
  gemms_.clear();
  gemms_.resize(numKernels);
  tuneReport_.clear();
  int forcedVariant = options.variant;
  TuneMode mode = effectiveMode(options.tune, &forcedVariant);
  tacticSource_ =
      mode == TuneMode::kGeneratedOnly ? "generated only" : "default";
  bool anyLibrary = hasLibraryGemms(raw), anyVariants = hasVariants(raw);
  if (!anyLibrary && !anyVariants)
    return Status::ok();
  // Generated only, or a forced variant: cuBLASLt is not even loaded.
  bool useLibrary =
      anyLibrary && mode != TuneMode::kGeneratedOnly && forcedVariant < 0;
  const CublasLt *blas = useLibrary ? runtime_.blas() : nullptr;
  for (size_t k = 0; k < numKernels; ++k) {
    const dsc::plan::Kernel *kernel = raw.kernels()->Get(k);
    const dsc::plan::LibraryGemm *gemm = kernel->library_gemm();
    const auto *variants = kernel->variants();
    if (!gemm && (!variants || variants->size() == 0))
      continue;
    TuneEntry entry;
    entry.kernel = k;
    entry.name = kernel->name()->str();
    entry.variants.push_back(
        {kernel->description() ? kernel->description()->str() : "", -1, true});
    for (flatbuffers::uoffset_t v = 0; variants && v < variants->size(); ++v)
      entry.variants.push_back({variants->Get(v)->description()
                                    ? variants->Get(v)->description()->str()
                                    : "",
                                -1, variantFunctions_[k][v] != nullptr});
    if (!gemm) {
      entry.unavailable = "no cuBLASLt form";
    } else if (forcedVariant >= 0) {
      entry.unavailable = "generated variant forced";
    } else if (mode == TuneMode::kGeneratedOnly) {
      entry.unavailable = "generated kernels only";
    } else if (!blas) {
      entry.unavailable = runtime_.blasStatus();
    } else {
      Status status = BlasGemm::create(
          *blas, *gemm, gemmAlignment(raw, uint32_t(k), *gemm), &gemms_[k]);
      if (status)
        entry.shape = gemms_[k]->description();
      else
        entry.unavailable = status.message();
    }
    tuneReport_.push_back(std::move(entry));
  }
  if (forcedVariant >= 0) {
    tacticSource_ = "variant " + std::to_string(forcedVariant);
    for (TuneEntry &entry : tuneReport_) {
      size_t v = size_t(forcedVariant);
      entry.variant = v < entry.variants.size() && entry.variants[v].usable
                          ? forcedVariant
                          : 0;
      variants_[entry.kernel] = entry.variant;
    }
    return Status::ok();
  }
  if (mode == TuneMode::kGeneratedOnly)
    return Status::ok();

  if (mode == TuneMode::kLibraryOnly) {
    tacticSource_ = "library only";
    for (TuneEntry &entry : tuneReport_)
      if (gemms_[entry.kernel])
        tactics_[entry.kernel] = entry.algorithm = 0;
    return Status::ok();
  }
  // Nothing to choose from: no variants, and cuBLASLt is absent.
  if (!blas && !anyVariants)
    return Status::ok();

  std::string path = tacticCachePath();
  std::string key = tactics::cacheKey(
      runtime_.deviceName(), runtime_.arch(), runtime_.driverVersion(),
      anyLibrary && runtime_.blas() ? runtime_.blas()->version() : 0,
      file_.bytes());
  if (mode != TuneMode::kRetune && !path.empty()) {
    std::vector<tactics::Choice> choices;
    std::string problem;
    tactics::ReadResult result =
        tactics::read(path, key, numKernels, &choices, &problem);
    if (result == tactics::ReadResult::kLoaded) {
      // A choice this runtime cannot honour makes the whole file suspect.
      for (size_t k = 0; k < numKernels && problem.empty(); ++k) {
        const tactics::Choice &choice = choices[k];
        const auto *variants = raw.kernels()->Get(k)->variants();
        size_t numVariants = 1 + (variants ? variants->size() : 0);
        if (choice.algorithm >= 0 &&
            (!gemms_[k] ||
             size_t(choice.algorithm) >= gemms_[k]->candidates().size()))
          problem = "tactic cache '" + path + "': kernel " + std::to_string(k) +
                    " has no cuBLASLt candidate " +
                    std::to_string(choice.algorithm);
        else if (size_t(choice.variant) >= numVariants ||
                 !variantFunction(k, choice.variant))
          problem = "tactic cache '" + path + "': kernel " + std::to_string(k) +
                    " has no usable variant " + std::to_string(choice.variant);
      }
      if (problem.empty()) {
        for (size_t k = 0; k < numKernels; ++k) {
          tactics_[k] = choices[k].algorithm;
          variants_[k] = choices[k].variant;
        }
        for (TuneEntry &entry : tuneReport_) {
          entry.algorithm = tactics_[entry.kernel];
          entry.variant = variants_[entry.kernel];
        }
        tacticSource_ = "cache";
        return Status::ok();
      }
    }
    if (!problem.empty())
      warn(problem + "; ignored");
  }
  if (mode == TuneMode::kCached)
    return Status::ok();

  if (Status status = Tuner::tune(*this); !status)
    return status;
  tacticSource_ = "tuned";
  std::vector<tactics::Choice> choices(numKernels);
  for (size_t k = 0; k < numKernels; ++k)
    choices[k] = {variants_[k], tactics_[k]};
  if (!path.empty() && !tactics::write(path, key, choices))
    warn("could not write the tactic cache '" + path + "'");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

namespace {

constexpr int kWarmups = 2, kSamples = 5, kRepeats = 10;

/// The median over kSamples of the mean time of kRepeats enqueues, in ms.
Status timeMs(const CudaDriver &cu, CUevent start, CUevent stop,
              const std::function<Status()> &enqueue, float *ms) {
  for (int i = 0; i < kWarmups; ++i)
    if (Status status = enqueue(); !status)
      return status;
  std::vector<float> samples;
  for (int s = 0; s < kSamples; ++s) {
    if (Status status =
            cu.check(cu.cuEventRecord(start, nullptr), "cuEventRecord");
        !status)
      return status;
    for (int r = 0; r < kRepeats; ++r)
      if (Status status = enqueue(); !status)
        return status;
    if (Status status =
            cu.check(cu.cuEventRecord(stop, nullptr), "cuEventRecord");
        !status)
      return status;
    if (Status status =
            cu.check(cu.cuEventSynchronize(stop), "cuEventSynchronize");
        !status)
      return status;
    float elapsed = 0;
    if (Status status = cu.check(cu.cuEventElapsedTime(&elapsed, start, stop),
                                 "cuEventElapsedTime");
        !status)
      return status;
    samples.push_back(elapsed / kRepeats);
  }
  std::sort(samples.begin(), samples.end());
  *ms = samples[samples.size() / 2];
  return Status::ok();
}

/// Frees device memory and events on every path out of Tuner::tune.
struct TuningResources {
  const CudaDriver &cu;
  CUdeviceptr workspace = 0;
  /// Zeroed scratch for the variants that take it (split-K).
  CUdeviceptr scratch = 0;
  CUevent start = nullptr, stop = nullptr;
  ~TuningResources() {
    if (workspace)
      (void)cu.cuMemFree(workspace);
    if (scratch)
      (void)cu.cuMemFree(scratch);
    if (start)
      (void)cu.cuEventDestroy(start);
    if (stop)
      (void)cu.cuEventDestroy(stop);
  }
};

} // namespace

Status Tuner::tune(Plan &plan) {
  const CudaDriver &cu = plan.runtime().driver();
  ScopedContext scope(cu, plan.runtime().context());
  if (!scope.status())
    return scope.status();
  // A context of generated kernels only (the tactics are all -1 here), its
  // inputs and outputs in its staging buffers, everything zeroed.
  std::unique_ptr<Context> context;
  if (Status status = Context::create(plan, &context); !status)
    return status;
  // A plan with a symbolic dimension is timed at its most samples (the
  // arena's buffers placed for them; variants are never per sample).
  if (const auto &dim = plan.file().symbolicDim())
    if (Status status = context->setDimension(dim->name, dim->max); !status)
      return status;
  for (const Context::Patch &patch : context->patches_)
    context->place(patch, patch.space == Context::Patch::Space::Output
                              ? context->outputStaging_[patch.index]
                              : context->inputStaging_[patch.index]);
  auto zero = [&](CUdeviceptr buffer, uint64_t bytes) {
    return buffer && bytes >= 4
               ? cu.check(cu.cuMemsetD32Async(buffer, 0, bytes / 4, nullptr),
                          "zeroing tuning buffers")
               : Status::ok();
  };
  if (Status status = zero(context->arena_, plan.workspaceSize()); !status)
    return status;
  for (size_t i = 0; i < plan.inputs().size(); ++i)
    if (Status status = zero(context->inputStaging_[i],
                             plan.inputs()[i].bytesFor(context->samples()));
        !status)
      return status;

  const dsc::plan::Plan &raw = *plan.file().raw();
  TuningResources resources{cu};
  bool anyLibrary = std::any_of(plan.gemms_.begin(), plan.gemms_.end(),
                                [](const auto &gemm) { return bool(gemm); });
  if (anyLibrary)
    if (Status status =
            cu.check(cu.cuMemAlloc(&resources.workspace, kBlasWorkspaceBytes),
                     "allocating the cuBLASLt workspace");
        !status)
      return status;
  uint64_t scratchBytes = 0;
  for (const dsc::plan::Kernel *kernel : *raw.kernels())
    if (kernel->variants())
      for (const dsc::plan::KernelVariant *variant : *kernel->variants())
        scratchBytes =
            std::max<uint64_t>(scratchBytes, variant->scratch_bytes());
  if (scratchBytes > 0) {
    if (Status status =
            cu.check(cu.cuMemAlloc(&resources.scratch, scratchBytes),
                     "allocating the variants' scratch");
        !status)
      return status;
    if (Status status =
            cu.check(cu.cuMemsetD8(resources.scratch, 0, scratchBytes),
                     "clearing the variants' scratch");
        !status)
      return status;
  }
  if (Status status =
          cu.check(cu.cuEventCreate(&resources.start, CU_EVENT_DEFAULT),
                   "cuEventCreate");
      !status)
    return status;
  if (Status status = cu.check(
          cu.cuEventCreate(&resources.stop, CU_EVENT_DEFAULT), "cuEventCreate");
      !status)
    return status;

  for (TuneEntry &entry : plan.tuneReport_) {
    const BlasGemm *gemm = plan.gemms_[entry.kernel].get();
    // The kernel's first launch stands for all of them.
    size_t stepIndex = 0;
    while (stepIndex < context->steps_.size()) {
      const dsc::plan::Launch *launch =
          raw.steps()->Get(stepIndex)->step_as_Launch();
      if (launch && launch->kernel() == entry.kernel)
        break;
      ++stepIndex;
    }
    if (stepIndex == context->steps_.size())
      continue;
    const Context::ResolvedStep &step = context->steps_[stepIndex];
    std::string what = "tuning kernel '" + entry.name + "'";
    if (Status status = timeMs(
            cu, resources.start, resources.stop,
            [&] {
              return cu.check(cu.cuLaunchKernel(
                                  step.function, step.grid[0], step.grid[1],
                                  step.grid[2], step.block[0], step.block[1],
                                  step.block[2], step.sharedMemory, nullptr,
                                  const_cast<void **>(step.argPointers.data()),
                                  nullptr),
                              what + ": launching the generated kernel");
            },
            &entry.variants[0].ms);
        !status)
      return status;
    // The other variants, with the step's arguments and their own
    // configuration; one that fails to launch is no candidate.
    const dsc::plan::Kernel *kernel = raw.kernels()->Get(entry.kernel);
    const dsc::plan::Launch *launch =
        raw.steps()->Get(stepIndex)->step_as_Launch();
    size_t numArgs = launch->args() ? launch->args()->size() : 0;
    for (size_t v = 1; v < entry.variants.size(); ++v) {
      CUfunction function = plan.variantFunction(entry.kernel, int(v));
      if (!function)
        continue;
      const dsc::plan::KernelVariant *variant =
          kernel->variants()->Get(uint32_t(v - 1));
      std::vector<CUdeviceptr> values(step.argValues.begin(),
                                      step.argValues.begin() + numArgs);
      if (variant->scratch_bytes() > 0)
        values.push_back(resources.scratch);
      if (kernel->reports_faults())
        values.push_back(step.argValues.back());
      std::vector<void *> pointers;
      for (CUdeviceptr &value : values)
        pointers.push_back(&value);
      // Tensor maps over the step's arguments, as the context would encode
      // them; a variant whose maps cannot be is no candidate.
      std::vector<Context::ResolvedStep::TensorMapBytes> maps;
      if (!tensorMapsResolvable(*variant, *launch,
                                plan.file().symbolicDim().has_value(), cu) ||
          !Context::encodeTensorMaps(cu, *variant, step.argValues.data(),
                                     &maps)) {
        entry.variants[v].usable = false;
        continue;
      }
      for (auto &map : maps)
        pointers.push_back(&map);
      const auto *grid = variant->grid();
      const auto *block = variant->block();
      float ms = -1;
      Status status = timeMs(
          cu, resources.start, resources.stop,
          [&] {
            return cu.check(
                cu.cuLaunchKernel(function, grid->Get(0), grid->Get(1),
                                  grid->Get(2), block->Get(0), block->Get(1),
                                  block->Get(2), variant->shared_memory(),
                                  nullptr, pointers.data(), nullptr),
                what + ": launching variant " + std::to_string(v));
          },
          &ms);
      if (status)
        entry.variants[v].ms = ms;
      else
        entry.variants[v].usable = false;
    }
    entry.variant = 0;
    for (size_t v = 1; v < entry.variants.size(); ++v)
      if (entry.variants[v].usable && entry.variants[v].ms >= 0 &&
          entry.variants[v].ms < entry.variants[entry.variant].ms)
        entry.variant = int(v);
    entry.generatedMs = entry.variants[entry.variant].ms;
    plan.variants_[entry.kernel] = entry.variant;
    if (!gemm)
      continue;
    if (!gemm->isAligned(step.argValues.data())) {
      entry.unavailable = "operands less aligned than the algorithms need";
      continue;
    }
    cublasLtMatmulDesc_t descriptor = nullptr;
    if (Status status = gemm->createDescriptor(&descriptor); !status)
      return status;
    for (size_t c = 0; c < gemm->candidates().size(); ++c) {
      float ms = -1;
      Status status = timeMs(
          cu, resources.start, resources.stop,
          [&] {
            return gemm->enqueue(descriptor, int(c), step.argValues.data(),
                                 resources.workspace, nullptr);
          },
          &ms);
      // A candidate that fails is no candidate; the stream stays usable.
      if (status && (entry.libraryMs < 0 || ms < entry.libraryMs)) {
        entry.libraryMs = ms;
        entry.algorithm = int(c);
      }
    }
    (void)plan.runtime().blas()->cublasLtMatmulDescDestroy(descriptor);
    if (entry.algorithm >= 0 && entry.libraryMs >= entry.generatedMs)
      entry.algorithm = -1;
    plan.tactics_[entry.kernel] = entry.algorithm;
  }
  return cu.check(cu.cuStreamSynchronize(nullptr), "cuStreamSynchronize");
}

//===----------------------------------------------------------------------===//
// Library steps in a context
//===----------------------------------------------------------------------===//

Status Context::createLibrarySteps() {
  const dsc::plan::Plan &raw = *plan_.file().raw();
  for (size_t s = 0; s < steps_.size(); ++s) {
    const dsc::plan::Launch *launch = raw.steps()->Get(s)->step_as_Launch();
    if (!launch || plan_.tactic(launch->kernel()) < 0)
      continue;
    LibraryStep library;
    library.gemm = plan_.gemm(launch->kernel());
    library.algorithm = plan_.tactic(launch->kernel());
    cublasLtMatmulDesc_t descriptor = nullptr;
    if (Status status = library.gemm->createDescriptor(&descriptor); !status)
      return status;
    library.descriptor = descriptor;
    steps_[s].library = static_cast<int32_t>(librarySteps_.size());
    librarySteps_.push_back(library);
  }
  return Status::ok();
}

Status Context::runLibraryStep(const ResolvedStep &step, CUstream stream,
                               bool *ran) {
  const LibraryStep &library = librarySteps_[step.library];
  *ran = library.gemm->isAligned(step.argValues.data());
  if (!*ran)
    return Status::ok();
  return library.gemm->enqueue(
      static_cast<cublasLtMatmulDesc_t>(library.descriptor), library.algorithm,
      step.argValues.data(), blasWorkspace_, stream);
}

} // namespace dsc::rt
