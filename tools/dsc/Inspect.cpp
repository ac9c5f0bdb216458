//===- Inspect.cpp - dsc inspect ------------------------------------------===//

#include "tools/dsc/Commands.h"

#include "dsc/runtime.h"
#include "plan_generated.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

using namespace llvm;
using namespace dsc;
using namespace dsc::tools;

cl::SubCommand dsc::tools::inspectCommand(
    "inspect", "print a plan's signature, arena, weights and kernels");

static cl::opt<std::string> planPath(cl::Positional, cl::Required,
                                     cl::desc("<model.plan>"),
                                     cl::sub(inspectCommand));

/// `name: f32[batchx16]`; a sample axis shows the dimension's name (times
/// the samples' own extent along it when that is not one).
static void printTensor(raw_ostream &os, const rt::TensorInfo &info,
                        const std::optional<rt::SymbolicDimInfo> &dim) {
  // A string tensor shows the ONNX shape; its slot is the last dimension.
  llvm::ArrayRef<int64_t> shape(info.shape);
  if (info.isString)
    shape = shape.drop_back();
  os << "  " << info.name << ": "
     << (info.isString ? "string" : rt::dtypeName(info.dtype)) << "[";
  for (auto [axis, size] : llvm::enumerate(shape)) {
    if (axis)
      os << "x";
    if (dim && static_cast<int32_t>(axis) == info.sampleAxis)
      os << (size == 1 ? "" : std::to_string(size) + "*") << dim->name;
    else
      os << size;
  }
  os << "] (";
  if (info.isString)
    os << info.shape.back() << "-byte string slots, ";
  os << info.byteSize << " bytes" << (info.sampleAxis >= 0 ? " per sample" : "")
     << ")\n";
}

static const char *spaceName(plan::Space space) {
  return plan::EnumNameSpace(space);
}

/// Bytes each context gives cuBLASLt beside the arena when a GEMM runs in
/// the library (kBlasWorkspaceBytes, runtime/lib/Blas.h).
constexpr uint64_t kLibraryWorkspaceBytes = 32ull << 20;

/// The planned arena beside its lower bound (the most bytes live at once),
/// then what a context allocates outside the plan's packing: cuBLASLt's
/// workspace and the kernels' scratch. The ratio compares the arena with
/// its bound only, like with like.
static void printMemory(raw_ostream &os, const rt::PlanFile &file) {
  const auto &dim = file.symbolicDim();
  uint64_t arena = file.arenaSize(), bound = file.arenaLowerBound();
  os << formatv("arena: {0} bytes{1}, lower bound {2} bytes (the most live at "
                "once): {3:f3}x\n",
                arena, dim ? " per sample" : "", bound,
                bound ? double(arena) / bound : 1.0);
  uint64_t libraryGemms = 0, scratch = 0;
  for (const plan::Kernel *k : *file.raw()->kernels()) {
    libraryGemms += k->library_gemm() != nullptr;
    scratch = std::max<uint64_t>(scratch, k->scratch_bytes());
  }
  uint64_t samples = dim ? uint64_t(dim->max) : 1;
  uint64_t workspace = libraryGemms ? kLibraryWorkspaceBytes : 0;
  // As Plan::workspaceSize: the library's workspace follows the arena.
  uint64_t arenaBytes = arena * samples;
  uint64_t total =
      workspace ? alignTo(arenaBytes, 256) + workspace : arenaBytes;
  os << formatv("  beside the arena (not in it nor in its bound): cuBLASLt "
                "workspace {0} bytes ({1} library GEMM kernels), kernel "
                "scratch {2} bytes\n",
                workspace, libraryGemms, scratch);
  os << formatv("  context memory: {0} bytes (arena{1} + cuBLASLt "
                "workspace) + {2} bytes of scratch\n",
                total,
                dim ? formatv(" at {0} samples", samples).str() : std::string(),
                scratch);
}

int dsc::tools::runInspect() {
  rt::PlanFile file;
  if (rt::Status status = rt::PlanFile::fromFile(planPath, &file);
      !status.isOk()) {
    errs() << "dsc inspect: " << status.message() << "\n";
    return kError;
  }
  raw_ostream &os = outs();
  os << "plan " << planPath << " (" << file.bytes().size() << " bytes, "
     << file.producer() << ")\n";
  const auto &dim = file.symbolicDim();
  if (dim)
    os << formatv("symbolic dimension: {0} in {1}..{2} (the plan is one "
                  "sample's; kernels run once per sample)\n",
                  dim->name, dim->min, dim->max);
  os << "inputs:\n";
  for (const rt::TensorInfo &info : file.inputs())
    printTensor(os, info, dim);
  os << "outputs:\n";
  for (const rt::TensorInfo &info : file.outputs())
    printTensor(os, info, dim);
  printMemory(os, file);
  os << formatv("weights: {0} tensors, {1} bytes\n", file.weights().size(),
                file.weightsBlobSize());
  for (const rt::WeightInfo &w : file.weights())
    os << formatv("  {0,-40} {1,5} {2,12} bytes at {3}\n", w.name,
                  rt::dtypeName(w.dtype), w.size, w.offset);
  const plan::Plan *raw = file.raw();
  os << "kernels: " << file.numKernels() << "\n";
  for (const plan::Kernel *k : *raw->kernels()) {
    os << formatv("  {0,-28} entry {1}, {2}, cubin {3} bytes, ptx {4} bytes, "
                  "source {5} bytes\n",
                  k->name()->str(), k->entry()->str(),
                  k->arch() ? k->arch()->str() : "-",
                  k->cubin() ? k->cubin()->size() : 0,
                  k->ptx() ? k->ptx()->size() : 0, k->source()->size());
    if (k->variants() && k->variants()->size() > 0) {
      os << formatv("    variant 0: {0} (default)\n",
                    k->description() ? k->description()->str() : "-");
      for (auto [v, variant] : llvm::enumerate(*k->variants()))
        os << formatv(
            "    variant {0}: {1}, entry {2}, grid ({3},{4},{5}) "
            "block ({6},{7},{8}) smem {9}, scratch {10} bytes\n",
            v + 1, variant->description() ? variant->description()->str() : "-",
            variant->entry()->str(), variant->grid()->Get(0),
            variant->grid()->Get(1), variant->grid()->Get(2),
            variant->block()->Get(0), variant->block()->Get(1),
            variant->block()->Get(2), variant->shared_memory(),
            variant->scratch_bytes());
    }
    if (const plan::LibraryGemm *g = k->library_gemm()) {
      os << formatv("    cublasLt: {0} {1}x{2}x{3} batch {4}, A arg {5}, B "
                    "arg {6}, D arg {7}",
                    rt::dtypeName(static_cast<rt::DType>(g->input_type())),
                    g->m(), g->n(), g->k(), g->batch(), g->a_arg(), g->b_arg(),
                    g->d_arg());
      if (g->bias_arg() >= 0)
        os << ", bias arg " << g->bias_arg();
      if (g->residual_arg() >= 0)
        os << ", residual arg " << g->residual_arg();
      if (g->activation() != plan::GemmActivation::None)
        os << ", " << plan::EnumNameGemmActivation(g->activation());
      os << "\n";
    }
  }
  os << "schedule: " << file.numSteps() << " steps\n";
  auto ref = [](const plan::BufferRef *r) {
    return formatv("{0}[{1}]+{2} ({3} B)", spaceName(r->space()), r->index(),
                   r->offset(), r->size())
        .str();
  };
  for (const plan::StepEntry *entry : *raw->steps()) {
    if (const plan::Launch *launch = entry->step_as_Launch()) {
      os << formatv(
          "  launch {0} grid ({1},{2},{3}) block ({4},{5},{6}) smem {7}:",
          raw->kernels()->Get(launch->kernel())->name()->str(),
          launch->grid()->Get(0), launch->grid()->Get(1),
          launch->grid()->Get(2), launch->block()->Get(0),
          launch->block()->Get(1), launch->block()->Get(2),
          launch->shared_memory());
      for (const plan::BufferRef *arg : *launch->args())
        os << " " << ref(arg);
      os << "\n";
    } else if (const plan::Copy *copy = entry->step_as_Copy()) {
      os << "  copy " << ref(copy->source()) << " -> " << ref(copy->target())
         << "\n";
    }
  }
  return kSuccess;
}
