//===- Pipeline.cpp - the dsc compilation pipeline ------------------------===//

#include "compiler/driver/Pipeline.h"

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/nvrtc/NvrtcCompiler.h"
#include "compiler/driver/PlanWriter.h"
#include "compiler/driver/SymbolicBatch.h"
#include "compiler/onnx/Importer.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/Passes.h"
#include "passes/lower/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
using namespace dsc;
using namespace dsc::driver;

void dsc::driver::registerDialects(MLIRContext &context) {
  context
      .loadDialect<graph::GraphDialect, exec::ExecDialect, func::FuncDialect>();
}

/// The ONNX node names a location carries (fusions carry all of theirs).
static void collectNodeNames(Location loc, llvm::SetVector<StringRef> &names) {
  if (auto name = dyn_cast<NameLoc>(loc))
    names.insert(name.getName().getValue());
  else if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNodeNames(inner, names);
  else if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    collectNodeNames(callSite.getCallee(), names);
}

void dsc::driver::printDiagnostic(Diagnostic &diagnostic,
                                  llvm::raw_ostream &os) {
  switch (diagnostic.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "dsc: error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "dsc: warning: ";
    break;
  default:
    os << "dsc: note: ";
  }
  llvm::SetVector<StringRef> names;
  collectNodeNames(diagnostic.getLocation(), names);
  if (!names.empty()) {
    os << (names.size() == 1 ? "node '" : "nodes '");
    llvm::interleave(names.getArrayRef().take_front(4), os, "', '");
    if (names.size() > 4)
      os << "', ... (" << names.size() << " in all)";
    os << "': ";
  }
  os << diagnostic << "\n";
}

namespace {
/// Prints `[n/N] stage  12.3 ms` lines as the stages finish.
class Progress {
public:
  Progress(llvm::raw_ostream &log, bool enabled, int stages)
      : log(log), enabled(enabled), stages(stages) {}

  template <typename Fn> auto stage(llvm::StringRef name, Fn &&fn) {
    auto start = std::chrono::steady_clock::now();
    auto result = fn();
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    ++done;
    if (enabled)
      log << llvm::formatv("[{0}/{1}] {2,-28} {3,9:f1} ms\n", done, stages,
                           name, ms);
    return result;
  }

private:
  llvm::raw_ostream &log;
  bool enabled;
  int stages;
  int done = 0;
};

LogicalResult runPasses(ModuleOp module,
                        llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  build(pm);
  return pm.run(module);
}

LogicalResult writeOutput(llvm::StringRef path, llvm::StringRef bytes) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "dsc: cannot write '" << path << "': " << error << "\n";
    return failure();
  }
  file->os() << bytes;
  file->keep();
  return success();
}

std::string printModule(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  return os.str();
}
} // namespace

/// Imports the model at several sizes of `dim` and checks that it computes
/// every sample on its own (SymbolicBatch.h). Prints the reason and returns
/// nullopt, with the exit code in `exitCode`, when it does not.
static std::optional<SampleLayout>
checkSymbolicDim(StringRef inputPath, MLIRContext &context,
                 const onnx::ImportOptions &options,
                 const CompileOptions::DimRange &dim, int &exitCode) {
  exitCode = 2;
  // Two sizes tell a multiple of the dimension from a constant; the
  // largest one asks whether the same ops serve the whole range.
  SmallVector<int64_t> sizes = {2, 3};
  if (dim.max > 3)
    sizes.push_back(dim.max);
  SmallVector<OwningOpRef<ModuleOp>> probes;
  for (int64_t size : sizes) {
    onnx::ImportOptions probeOptions = options;
    probeOptions.dimValues[dim.name] = size;
    onnx::ImportResult probe =
        onnx::importModel(inputPath, context, probeOptions);
    if (probe.status != onnx::ImportStatus::Ok) {
      llvm::errs() << "dsc: with " << dim.name << "=" << size << ": "
                   << probe.message << "\n";
      exitCode = probe.status == onnx::ImportStatus::Unsupported ? 2 : 1;
      return std::nullopt;
    }
    if (failed(runPasses(*probe.module, [](OpPassManager &pm) {
          pm.nest<func::FuncOp>().addPass(graph::createInferShapes());
        })))
      return std::nullopt;
    probes.push_back(std::move(probe.module));
  }
  SmallVector<ModuleOp> modules;
  for (auto &probe : probes)
    modules.push_back(*probe);
  FailureOr<SampleLayout> layout = checkPerSample(modules, sizes, dim.name);
  if (failed(layout))
    return std::nullopt;
  return *layout;
}

int dsc::driver::compileModel(llvm::StringRef inputPath,
                              llvm::StringRef outputPath,
                              const CompileOptions &options,
                              llvm::raw_ostream &log) {
  MLIRContext context;
  registerDialects(context);
  // Diagnostics name the op's location: the ONNX node it came from.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler diagnostics(&context, [](Diagnostic &diagnostic) {
    printDiagnostic(diagnostic, llvm::errs());
    return success();
  });
  Progress progress(log, options.progress, 8);

  onnx::ImportOptions importOptions = options.import;
  const CompileOptions::DimRange *symbolic = nullptr;
  for (const CompileOptions::DimRange &dim : options.dims) {
    if (dim.min == dim.max) {
      importOptions.dimValues[dim.name] = dim.min;
      continue;
    }
    if (symbolic) {
      llvm::errs() << "dsc: error: dimensions '" << symbolic->name << "' and '"
                   << dim.name
                   << "' both have ranges; a plan may have one symbolic "
                      "dimension (fix the others with --dim NAME=N)\n";
      return 2;
    }
    symbolic = &dim;
  }

  std::optional<SampleLayout> sampleLayout;
  int symbolicExitCode = 0;
  onnx::ImportResult imported = progress.stage("import", [&] {
    if (symbolic) {
      sampleLayout = checkSymbolicDim(inputPath, context, importOptions,
                                      *symbolic, symbolicExitCode);
      if (!sampleLayout)
        return onnx::ImportResult();
      // The plan is one sample's.
      importOptions.dimValues[symbolic->name] = 1;
    }
    return onnx::importModel(inputPath, context, importOptions);
  });
  if (symbolic && !sampleLayout)
    return symbolicExitCode;
  if (imported.status != onnx::ImportStatus::Ok) {
    llvm::errs() << "dsc: " << imported.message << "\n";
    return imported.status == onnx::ImportStatus::Unsupported ? 2 : 1;
  }
  for (const std::string &name : imported.emptyOutputs)
    llvm::errs() << "dsc: note: output '" << name
                 << "' is an empty sequence or an optional holding no value: "
                    "the plan has no output for it\n";
  for (const onnx::OpenDimension &open : imported.openDimensions) {
    llvm::errs() << "dsc: error: input '" << open.input << "' has ";
    if (open.name.empty())
      llvm::errs() << "a dimension without a size or a name (axis " << open.axis
                   << "); plans need a size for it: give the input's shape "
                      "with --input-shape "
                   << open.input
                   << "=D0,D1,..., or name the dimension in the model "
                      "(dim_param) and give it with --dim NAME=N or a range "
                      "with --dim NAME=MIN..MAX\n";
    else
      llvm::errs() << "the symbolic dimension '" << open.name << "' (axis "
                   << open.axis << "); give it a size with --dim " << open.name
                   << "=N or a range with --dim " << open.name << "=MIN..MAX\n";
    return 2;
  }
  ModuleOp module = *imported.module;
  if (symbolic) {
    auto func = *module.getOps<func::FuncOp>().begin();
    Builder b(&context);
    func->setAttr("graph.symbolic_dim", b.getStringAttr(symbolic->name));
    func->setAttr("graph.symbolic_range",
                  b.getDenseI64ArrayAttr({symbolic->min, symbolic->max}));
    for (auto [i, axis] : llvm::enumerate(sampleLayout->inputAxes))
      if (axis >= 0)
        func.setArgAttr(i, "graph.sample_axis", b.getI64IntegerAttr(axis));
    for (auto [i, axis] : llvm::enumerate(sampleLayout->outputAxes))
      if (axis >= 0)
        func.setResultAttr(i, "graph.sample_axis", b.getI64IntegerAttr(axis));
  }

  if (failed(progress.stage("shapes, folding, recompose", [&] {
        return runPasses(module, [&](OpPassManager &pm) {
          OpPassManager &fn = pm.nest<func::FuncOp>();
          fn.addPass(graph::createInferShapes());
          fn.addPass(createCanonicalizerPass());
          fn.addPass(graph::createFoldConstants());
          fn.addPass(graph::createFoldBatchNorm());
          fn.addPass(graph::createFoldConstants());
          fn.addPass(graph::createRecompose());
          fn.addPass(createCanonicalizerPass());
          fn.addPass(createCSEPass());
        });
      })))
    return 1;
  if (options.emit == EmitStage::Graph)
    return failed(writeOutput(outputPath, printModule(module))) ? 1 : 0;

  if (failed(progress.stage("precision, fusion", [&] {
        return runPasses(module, [&](OpPassManager &pm) {
          OpPassManager &fn = pm.nest<func::FuncOp>();
          // Plans only: `dsc eval` interprets the imported graph as is.
          fn.addPass(graph::createConvertLayout());
          fn.addPass(graph::createConvToMatmul());
          fn.addPass(graph::createFoldConstants());
          graph::ConvertPrecisionOptions precision;
          precision.precision = options.precision;
          precision.ioPrecision = options.ioPrecision;
          fn.addPass(graph::createConvertPrecision(precision));
          fn.addPass(createCanonicalizerPass());
          // After precision: only 16-bit convs take 8-byte taps.
          fn.addPass(graph::createPadChannels());
          fn.addPass(graph::createFoldConstants());
          fn.addPass(graph::createFuseAttention());
          fn.addPass(graph::createAttentionLayout());
          fn.addPass(graph::createHoistRowScale());
          fn.addPass(graph::createSinkReshapes());
          fn.addPass(graph::createStackExperts());
          if (options.moeRouting != "never") {
            graph::RouteExpertsOptions routing;
            if (options.moeRouting == "always")
              routing.costFactor = 0;
            fn.addPass(graph::createRouteExperts(routing));
          }
          fn.addPass(createCanonicalizerPass());
          fn.addPass(graph::createFuse());
        });
      })))
    return 1;
  if (options.emit == EmitStage::Fused)
    return failed(writeOutput(outputPath, printModule(module))) ? 1 : 0;

  // Open dimensions were refused after import; this catches what a pass
  // could not make static.
  for (auto func : module.getOps<func::FuncOp>())
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
      if (!cast<ShapedType>(type).hasStaticShape()) {
        std::string name = "#" + std::to_string(i);
        if (auto attr = func.getArgAttrOfType<StringAttr>(i, "graph.name"))
          name = attr.str();
        if (!cast<ShapedType>(type).hasRank()) {
          llvm::errs() << "dsc: error: input '" << name
                       << "' has no declared shape; plans need one: give it "
                          "with --input-shape "
                       << name << "=D0,D1,...\n";
          return 2;
        }
        llvm::errs() << "dsc: error: input '" << name
                     << "' has the dynamic shape "
                     << graph::formatShape(cast<ShapedType>(type).getShape())
                     << "; plans need static shapes (symbolic dimensions are "
                        "not supported yet)\n";
        return 2;
      }

  if (failed(progress.stage("bufferize, plan memory", [&] {
        return runPasses(module, [&](OpPassManager &pm) {
          pm.addPass(lower::createLowerToExec());
          pm.addPass(lower::createDedupeKernels());
          pm.addPass(lower::createSelectLibraryGemm());
          // A forced tile (--gemm-tile) is the only one.
          if (options.gemmTile.empty())
            pm.addPass(lower::createSelectGemmTactics());
          pm.nest<exec::ProgramOp>().addPass(lower::createPlanMemory());
        });
      })))
    return 1;
  if (options.emit == EmitStage::Exec)
    return failed(writeOutput(outputPath, printModule(module))) ? 1 : 0;

  // Codegen: one CUDA source per kernel; launches take its configuration.
  llvm::StringMap<codegen::EmittedKernel> emitted;
  bool codegenFailed = progress.stage("emit CUDA", [&] {
    codegen::EmitOptions emitOptions;
    emitOptions.arch = options.arch;
    emitOptions.gemmTile = options.gemmTile;
    for (auto kernel : module.getOps<exec::KernelOp>()) {
      auto result = codegen::emitKernel(kernel, emitOptions);
      if (failed(result))
        return true;
      emitted[kernel.getSymName()] = std::move(*result);
    }
    auto program = *module.getOps<exec::ProgramOp>().begin();
    std::optional<ArrayRef<int64_t>> range = program.getSymbolicRange();
    bool tooWide = false;
    module.walk([&](exec::LaunchOp launch) {
      const codegen::EmittedKernel &kernel = emitted[launch.getKernel()];
      // Samples multiply the grid's z extent, limited to 65535.
      int axis = kernel.sampleGridAxis;
      if (kernel.perSample && range &&
          int64_t(kernel.grid[axis]) * (*range)[1] > 65535 && !tooWide) {
        launch.emitOpError("grid ")
            << (axis == 1 ? "y" : "z") << " extent " << kernel.grid[axis]
            << " times " << (*range)[1]
            << " samples exceeds the limit of 65535; lower the range's "
               "maximum";
        tooWide = true;
      }
      OpBuilder b(launch);
      launch.setGridAttr(b.getDenseI32ArrayAttr(kernel.grid));
      launch.setBlockAttr(b.getDenseI32ArrayAttr(kernel.block));
      launch.setSharedMemoryAttr(b.getI32IntegerAttr(kernel.sharedMemory));
    });
    return tooWide;
  });
  if (codegenFailed)
    return 2; // the kernel is valid IR that no emitter supports yet
  if (options.emit == EmitStage::Cuda) {
    std::string text;
    for (auto kernel : module.getOps<exec::KernelOp>()) {
      const codegen::EmittedKernel &k = emitted[kernel.getSymName()];
      text +=
          llvm::formatv("// kernel {0}: grid ({1},{2},{3}) block ({4},{5},{6}) "
                        "shared {7} bytes\n",
                        k.name, k.grid[0], k.grid[1], k.grid[2], k.block[0],
                        k.block[1], k.block[2], k.sharedMemory)
              .str();
      for (const codegen::KernelVariant &v : k.variants)
        text +=
            llvm::formatv("// variant {0}: grid ({1},{2},{3}) block "
                          "({4},{5},{6}) shared {7} bytes, {8}\n",
                          v.entry, v.grid[0], v.grid[1], v.grid[2], v.block[0],
                          v.block[1], v.block[2], v.sharedMemory, v.description)
                .str();
      text += k.source + "\n";
    }
    return failed(writeOutput(outputPath, text)) ? 1 : 0;
  }

  llvm::StringMap<KernelBinary> binaries;
  bool nvrtcFailed = progress.stage("NVRTC " + options.arch, [&] {
    for (auto &entry : emitted) {
      const codegen::EmittedKernel &k = entry.second;
      // sm_90a cubins load on sm_90 devices only; the source stays portable.
      std::string arch = options.arch;
      if (k.archSpecific && arch == "sm_90")
        arch += "a";
      auto compiled = codegen::compileCuda(k.source, k.name, arch);
      if (!compiled) {
        llvm::errs() << "dsc: NVRTC failed on kernel '" << k.name
                     << "': " << llvm::toString(compiled.takeError()) << "\n";
        return true;
      }
      binaries[k.name] = KernelBinary{
          k.entry,        k.source,        arch,        compiled->cubin,
          compiled->ptx,  k.reportsFaults, k.perSample, k.sampleGridAxis,
          k.scratchBytes, k.description,   k.variants,  k.awaitsPreviousGrid};
    }
    return false;
  });
  if (nvrtcFailed)
    return 1;

  auto plan =
      progress.stage("write plan", [&] { return writePlan(module, binaries); });
  if (failed(plan))
    return 1;
  llvm::StringRef bytes(reinterpret_cast<const char *>(plan->data()),
                        plan->size());
  if (failed(progress.stage("save",
                            [&] { return writeOutput(outputPath, bytes); })))
    return 1;
  if (options.progress) {
    auto program = *module.getOps<exec::ProgramOp>().begin();
    log << llvm::formatv("plan: {0} bytes, {1} kernels, arena {2} bytes "
                         "(lower bound {3})\n",
                         plan->size(), emitted.size(),
                         program.getArenaSize().value_or(0),
                         program.getArenaLowerBound().value_or(0));
  }
  return 0;
}
