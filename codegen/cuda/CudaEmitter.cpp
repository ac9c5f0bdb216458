//===- CudaEmitter.cpp - exec.kernel to CUDA C++ --------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include "codegen/cuda/EmitterSupport.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace dsc::codegen {

/// Whether the kernel's `index`-th argument (or result) is one sample of
/// many (`exec.per_sample`, set by graph-lower-to-exec).
static bool isPerSample(ArrayAttr attrs, unsigned index) {
  if (!attrs || index >= attrs.size())
    return false;
  auto dict = dyn_cast<DictionaryAttr>(attrs[index]);
  return dict && dict.contains("exec.per_sample");
}

bool isPerSampleValue(exec::KernelOp kernel, BlockArgument arg) {
  return isPerSample(kernel.getArgAttrsAttr(), arg.getArgNumber());
}

bool isPerSampleResult(exec::KernelOp kernel, unsigned index) {
  return isPerSample(kernel.getResAttrsAttr(), index);
}

bool runsPerSample(exec::KernelOp kernel) {
  for (unsigned i = 0; i < kernel.getNumArguments(); ++i)
    if (isPerSample(kernel.getArgAttrsAttr(), i))
      return true;
  for (unsigned i = 0; i < kernel.getNumResults(); ++i)
    if (isPerSample(kernel.getResAttrsAttr(), i))
      return true;
  return false;
}

/// Turns the kernel of one sample into the kernel of N: launched with N
/// times its grid's z extent, each block works on sample blockIdx.z / Z,
/// whose buffers start one sample's size further per sample, and sees the
/// z index and extent of its own sample's grid. Every family's entry is
/// written by kernelSignature followed by `{`, so the prologue goes there.
static LogicalResult makePerSample(exec::KernelOp kernel,
                                   EmittedKernel &emitted) {
  std::string signature = " " + emitted.entry + "(";
  size_t at = emitted.source.find(signature);
  size_t open = at == std::string::npos ? at : emitted.source.find('{', at);
  if (open == std::string::npos)
    return kernel.emitOpError("has no entry '")
           << emitted.entry << "' to make per-sample";
  if (emitted.sampleGridAxis == 1) {
    // Samples folded into the rows (GemmEmitter): the grid's y extent is
    // the samples times one sample's; pointers stay at the first sample.
    std::string prologue =
        "\n  // Samples folded into rows: gridDim.y / " +
        std::to_string(emitted.grid[1]) +
        ".\n  const unsigned int dsc_samples = gridDim.y / " +
        std::to_string(emitted.grid[1]) + "u;";
    emitted.source.insert(open + 1, prologue);
    return success();
  }
  std::string body = emitted.source.substr(open + 1);
  bool usesZ = body.find("blockIdx.z") != std::string::npos ||
               body.find("gridDim.z") != std::string::npos;
  for (auto [from, to] :
       {std::pair<StringRef, StringRef>{"blockIdx.z", "dsc_block_z"},
        {"gridDim.z", "dsc_grid_z"}})
    for (size_t pos = body.find(from.str()); pos != std::string::npos;
         pos = body.find(from.str(), pos + to.size()))
      body.replace(pos, from.size(), to.str());

  unsigned perSampleZ = static_cast<unsigned>(emitted.grid[2]);
  std::string prologue;
  llvm::raw_string_ostream os(prologue);
  os << "\n  // One sample of N: blockIdx.z / " << perSampleZ << ".\n";
  os << "  const unsigned int dsc_sample = blockIdx.z / " << perSampleZ
     << "u;\n";
  if (usesZ)
    os << "  const unsigned int dsc_block_z = blockIdx.z % " << perSampleZ
       << "u, dsc_grid_z = " << perSampleZ << "u;\n";
  auto offset = [&](StringRef name, Type type) {
    os << "  " << name << " += (unsigned long long)dsc_sample * "
       << cast<ShapedType>(type).getNumElements() << "ull;\n";
  };
  for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes()))
    if (isPerSample(kernel.getArgAttrsAttr(), i))
      offset("arg" + std::to_string(i), type);
  for (auto [i, type] : llvm::enumerate(kernel.getResultTypes()))
    if (isPerSample(kernel.getResAttrsAttr(), i))
      offset("out" + std::to_string(i), type);
  emitted.source = emitted.source.substr(0, open + 1) + prologue + body;
  return success();
}

static FailureOr<EmittedKernel> emitByFamily(exec::KernelOp kernel,
                                             const EmitOptions &options) {
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
    if (auto attention = emitAttentionKernel(kernel, options))
      return std::move(*attention);
    return emitDataKernel(kernel, options);
  }
  return kernel.emitOpError("unsupported kernel family '") << family << "'";
}

/// Programmatic dependent launch (sm_90): this grid waits until the
/// previous one has finished and its writes are visible, then lets the next
/// kernel's blocks be scheduled as its own last ones run (after the wait,
/// so that at most one grid's blocks wait at a time). Both are no-ops in a
/// launch without programmatic stream serialization.
static constexpr llvm::StringLiteral kAwaitPreviousGrid = R"cuda(
static __device__ __forceinline__ void dsc_await_previous_grid() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;\n" ::: "memory");
  asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
#endif
}
)cuda";

/// Makes every entry of `emitted` (its variants too) wait for the previous
/// grid before its first instruction, so that the runtime may overlap its
/// launch with that grid's tail. Every family's entry is written by
/// kernelSignature followed by `{`.
static LogicalResult awaitPreviousGrid(exec::KernelOp kernel,
                                       EmittedKernel &emitted) {
  SmallVector<StringRef> entries = {emitted.entry};
  for (const KernelVariant &variant : emitted.variants)
    entries.push_back(variant.entry);
  for (StringRef entry : entries) {
    std::string signature = (" " + entry + "(").str();
    size_t at = emitted.source.find(signature);
    size_t open = at == std::string::npos ? at : emitted.source.find('{', at);
    if (open == std::string::npos)
      return kernel.emitOpError("has no entry '") << entry << "'";
    emitted.source.insert(open + 1, "\n  dsc_await_previous_grid();");
  }
  emitted.source = (kAwaitPreviousGrid + emitted.source).str();
  emitted.awaitsPreviousGrid = true;
  return success();
}

FailureOr<EmittedKernel> emitKernel(exec::KernelOp kernel,
                                    const EmitOptions &options) {
  if (failed(verifyKernelTypes(kernel)))
    return failure();
  FailureOr<EmittedKernel> emitted = emitByFamily(kernel, options);
  if (failed(emitted))
    return failure();
  if (runsPerSample(kernel)) {
    if (failed(makePerSample(kernel, *emitted)))
      return failure();
    emitted->perSample = true;
  }
  if (failed(awaitPreviousGrid(kernel, *emitted)))
    return failure();
  return emitted;
}

} // namespace dsc::codegen
