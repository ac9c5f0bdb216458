//===- Tune.cpp - dsc tune ------------------------------------------------===//
//
// Times each GEMM's generated variants (tiles, split-K) and, where it has a
// cuBLASLt alternative, the heuristic's top algorithms, on the plan's
// shapes; keeps the fastest and caches the choice for this plan and GPU,
// where later loads find it.
//
//===----------------------------------------------------------------------===//

#include "tools/dsc/Commands.h"

#include "dsc/runtime.h"

#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace dsc;
using namespace dsc::tools;

cl::SubCommand dsc::tools::tuneCommand(
    "tune", "time each GEMM's generated variants and cuBLASLt on this GPU "
            "and cache the fastest choice");

static cl::opt<std::string> planPath(cl::Positional, cl::Required,
                                     cl::desc("<model.plan>"),
                                     cl::sub(tuneCommand));

static cl::opt<int> deviceOrdinal("device-ordinal", cl::desc("CUDA device"),
                                  cl::init(0), cl::sub(tuneCommand));

static std::string milliseconds(float ms) {
  return ms < 0 ? std::string("-") : formatv("{0:f4}", ms).str();
}

int dsc::tools::runTune() {
  rt::PlanFile file;
  if (rt::Status status = rt::PlanFile::fromFile(planPath, &file); !status) {
    errs() << "dsc tune: " << status.message() << "\n";
    return kError;
  }
  rt::RuntimeOptions runtimeOptions;
  runtimeOptions.device = deviceOrdinal;
  std::unique_ptr<rt::Runtime> runtime;
  if (rt::Status status = rt::Runtime::create(runtimeOptions, &runtime);
      !status) {
    errs() << "dsc tune: " << status.message() << "\n";
    return status.code() == rt::StatusCode::kUnavailable ? kUnsupported
                                                         : kError;
  }
  rt::PlanOptions options;
  options.tune = rt::TuneMode::kRetune;
  std::unique_ptr<rt::Plan> plan;
  if (rt::Status status =
          rt::Plan::load(*runtime, std::move(file), &plan, options);
      !status) {
    errs() << "dsc tune: " << status.message() << "\n";
    return kError;
  }
  raw_ostream &os = outs();
  os << "tuned " << planPath << " on " << runtime->deviceName() << " ("
     << runtime->arch() << ")";
  if (!runtime->blas())
    os << ": " << runtime->blasStatus();
  os << "\n";
  const std::vector<rt::TuneEntry> &report = plan->tuneReport();
  if (report.empty()) {
    os << "no GEMM has variants or a cuBLASLt alternative: nothing to tune\n";
    return kSuccess;
  }
  os << formatv("{0,-28} {1,-32} {2,14} {3,14}  {4}\n", "kernel", "shape",
                "generated ms", "cublasLt ms", "choice");
  for (const rt::TuneEntry &entry : report) {
    std::string generated =
        entry.variants.size() > 1
            ? formatv("generated variant {0}", entry.variant).str()
            : std::string("generated");
    std::string choice =
        entry.algorithm >= 0
            ? formatv("cublasLt (algorithm {0})", entry.algorithm).str()
        : entry.unavailable.empty()
            ? generated
            : generated + " (" + entry.unavailable + ")";
    os << formatv("{0,-28} {1,-32} {2,14} {3,14}  {4}\n", entry.name,
                  entry.shape.empty() ? "-" : entry.shape,
                  milliseconds(entry.generatedMs),
                  milliseconds(entry.libraryMs), choice);
    // The generated candidates, the winner marked.
    if (entry.variants.size() > 1)
      for (auto [v, variant] : llvm::enumerate(entry.variants))
        os << formatv(
            "    {0} variant {1,-2} {2,-28} {3,14}\n",
            int(v) == entry.variant && entry.algorithm < 0 ? "*" : " ", v,
            variant.description.empty() ? "-" : variant.description,
            variant.usable ? milliseconds(variant.ms)
                           : std::string("unusable"));
  }
  std::string cache = plan->tacticCachePath();
  os << "choices cached in " << (cache.empty() ? "(no disk cache)" : cache)
     << "\n";
  return kSuccess;
}
