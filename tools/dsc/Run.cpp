//===- Run.cpp - dsc run --------------------------------------------------===//

#include "tools/dsc/Commands.h"
#include "tools/dsc/ToolSupport.h"

#include "compiler/driver/CpuExecutor.h"
#include "compiler/driver/Pipeline.h"
#include "dialects/graph/GraphOps.h"
#include "dsc/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>

#include <unistd.h>

using namespace llvm;
using namespace dsc;
using namespace dsc::tools;

// Element types convert between the runtime and the reference by value.
static_assert(static_cast<int>(reference::DType::Bool) ==
                      static_cast<int>(rt::DType::kBool) &&
                  static_cast<int>(reference::DType::U64) ==
                      static_cast<int>(rt::DType::kU64),
              "reference::DType must mirror dsc::rt::DType");

cl::SubCommand dsc::tools::runCommand("run",
                                      "run a plan on given or random inputs");

static cl::opt<std::string> planPath(cl::Positional, cl::Required,
                                     cl::desc("<model.plan>"),
                                     cl::sub(runCommand));
static cl::list<std::string> inputArgs("input",
                                       cl::desc("an input as NAME=FILE.npy"),
                                       cl::value_desc("NAME=FILE.npy"),
                                       cl::sub(runCommand));
static cl::opt<std::string>
    outputsDir("outputs", cl::desc("write each output to DIR/NAME.npy"),
               cl::value_desc("DIR"), cl::sub(runCommand));
enum class Device { Cpu, Gpu };
static cl::opt<Device> device(
    "device", cl::desc("where to run"),
    cl::values(clEnumValN(Device::Cpu, "cpu", "the reference interpreter"),
               clEnumValN(Device::Gpu, "gpu", "the CUDA runtime")),
    cl::init(Device::Gpu), cl::sub(runCommand));
static cl::opt<uint64_t> seed("seed", cl::desc("seed of the random inputs"),
                              cl::init(0), cl::sub(runCommand));
static cl::opt<unsigned> iterations("iterations",
                                    cl::desc("GPU: timed runs after warm-up"),
                                    cl::init(20), cl::sub(runCommand));

static cl::opt<bool> cudaGraphs(
    "cuda-graphs",
    cl::desc("replay the plan as a CUDA graph (default; =false launches "
             "each kernel on its own)"),
    cl::init(true), cl::sub(runCommand));
static cl::opt<int64_t> samplesOption(
    "samples",
    cl::desc("for a plan with a symbolic dimension: the number of samples of "
             "random inputs (inputs from files give it by their shapes)"),
    cl::init(0), cl::sub(runCommand));

int dsc::tools::runRun() {
  rt::PlanFile plan;
  if (rt::Status status = rt::PlanFile::fromFile(planPath, &plan);
      !status.isOk()) {
    errs() << "dsc run: " << status.message() << "\n";
    return kError;
  }
  std::vector<InputSpec> specs;
  const auto &symbolicDim = plan.symbolicDim();
  if (samplesOption != 0 && !symbolicDim) {
    errs() << "dsc run: error: --samples is for plans with a symbolic "
              "dimension; this plan has none\n";
    return kError;
  }
  for (const rt::TensorInfo &info : plan.inputs()) {
    // Files give the number of samples; random inputs take --samples (or
    // the range's minimum).
    std::vector<int64_t> shape = info.shape;
    if (info.sampleAxis >= 0)
      shape = samplesOption ? info.shapeFor(samplesOption)
                            : info.shapeFor(symbolicDim->min);
    if (info.sampleAxis >= 0 && !samplesOption &&
        llvm::any_of(inputArgs, [&](const std::string &arg) {
          return StringRef(arg).split('=').first == info.name;
        }))
      shape[info.sampleAxis] = mlir::ShapedType::kDynamic;
    specs.push_back({info.name, static_cast<reference::DType>(info.dtype),
                     shape, /*unranked=*/false, info.isString});
  }
  auto inputs = bindInputs(specs, inputArgs, seed);
  if (!inputs) {
    errs() << "dsc run: error: " << toString(inputs.takeError()) << "\n";
    return kError;
  }

  std::vector<reference::Tensor> outputs;
  if (device == Device::Cpu) {
    mlir::MLIRContext context;
    context.printOpOnDiagnostic(false);
    mlir::ScopedDiagnosticHandler diagnostics(
        &context, [](mlir::Diagnostic &d) {
          driver::printDiagnostic(d, errs());
          return mlir::success();
        });
    auto results = driver::runPlanOnCpu(plan, *inputs, context);
    if (failed(results)) {
      errs() << "dsc run: the plan failed on the CPU\n";
      return kError;
    }
    outputs.assign(results->begin(), results->end());
    outs() << "ran " << planPath << " on the CPU reference\n";
  } else {
    // Host copies of the inputs and outputs are made below: refuse sizes
    // this machine cannot hold instead of being killed for them.
    // The samples the inputs hold, each input checked to agree.
    int64_t samples = 1;
    if (symbolicDim) {
      samples = 0;
      for (auto [info, tensor] : llvm::zip(plan.inputs(), *inputs)) {
        if (info.sampleAxis < 0)
          continue;
        int64_t count = info.samplesIn(tensor.shape);
        if (count < 1 || (samples && count != samples)) {
          errs() << "dsc run: error: input '" << info.name << "' of shape "
                 << graph::formatShape(tensor.shape)
                 << " does not hold whole samples of shape "
                 << graph::formatShape(info.shape)
                 << (samples ? " as many as the inputs before it" : "") << "\n";
          return kError;
        }
        samples = count;
      }
    }
    uint64_t hostBytes = 0;
    for (const rt::TensorInfo &info : plan.inputs())
      hostBytes += info.bytesFor(samples);
    for (const rt::TensorInfo &info : plan.outputs())
      hostBytes += info.bytesFor(samples);
    uint64_t physical =
        uint64_t(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
    if (hostBytes > physical / 2) {
      errs() << "dsc run: the inputs and outputs take " << hostBytes
             << " bytes, too large for this machine's memory (" << physical
             << " bytes)\n";
      return kError;
    }
    std::unique_ptr<rt::Runtime> runtime;
    std::unique_ptr<rt::Plan> loaded;
    std::unique_ptr<rt::Context> context;
    rt::Status status = rt::Runtime::create(rt::RuntimeOptions(), &runtime);
    if (status.isOk())
      status = rt::Plan::load(*runtime, plan, &loaded);
    if (status.isOk())
      status = rt::Context::create(*loaded, &context);
    if (status.isOk() && symbolicDim)
      status = context->setDimension(symbolicDim->name, samples);
    if (status.isOk())
      context->setUseCudaGraphs(cudaGraphs);
    if (!status.isOk()) {
      errs() << "dsc run: " << status.message() << "\n";
      return kError;
    }
    std::vector<std::vector<uint8_t>> inBytes, outBytes;
    std::vector<const void *> inPtrs;
    std::vector<void *> outPtrs;
    for (const reference::Tensor &t : *inputs) {
      inBytes.emplace_back(t.sizeInBytes());
      t.toBytes(inBytes.back().data());
      inPtrs.push_back(inBytes.back().data());
    }
    for (const rt::TensorInfo &info : plan.outputs()) {
      outBytes.emplace_back(info.bytesFor(samples));
      outPtrs.push_back(outBytes.back().data());
    }
    std::vector<float> times;
    for (unsigned i = 0; status.isOk() && i < 3 + iterations; ++i) {
      float ms = 0;
      status = context->runHost(inPtrs, outPtrs, nullptr, &ms);
      if (i >= 3)
        times.push_back(ms);
    }
    if (!status.isOk()) {
      errs() << "dsc run: " << status.message() << "\n";
      return kError;
    }
    for (auto [info, bytes] : llvm::zip(plan.outputs(), outBytes))
      outputs.push_back(reference::Tensor::fromBytes(
          static_cast<reference::DType>(info.dtype), info.shapeFor(samples),
          bytes.data()));
    std::sort(times.begin(), times.end());
    outs() << "ran " << planPath << " on " << runtime->deviceName() << " ("
           << runtime->arch() << ")";
    if (!times.empty())
      outs() << formatv(
          ": median {0:f3} ms over {1} runs, {2} launches{3}{4}",
          times[times.size() / 2], times.size(), context->launchesPerRun(),
          context->usesCudaGraphs() ? " in a CUDA graph" : "",
          context->usesProgrammaticLaunches() ? ", programmatic" : "");
    outs() << "\n";
  }

  std::vector<std::string> names;
  for (auto [info, tensor] : llvm::zip(plan.outputs(), outputs)) {
    names.push_back(info.name);
    tensor.text = info.isString;
  }
  for (auto [name, tensor] : llvm::zip(names, outputs))
    printSummary(outs(), name, tensor);
  if (!outputsDir.empty())
    if (Error error = writeOutputs(outputsDir, names, outputs)) {
      errs() << "dsc run: " << toString(std::move(error)) << "\n";
      return kError;
    }
  return kSuccess;
}
