//===- Pipeline.cpp - the dsc compilation pipeline ------------------------===//

#include "compiler/driver/Pipeline.h"

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/nvrtc/NvrtcCompiler.h"
#include "compiler/driver/PlanWriter.h"
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

  onnx::ImportResult imported = progress.stage("import", [&] {
    return onnx::importModel(inputPath, context, options.import);
  });
  if (imported.status != onnx::ImportStatus::Ok) {
    llvm::errs() << "dsc: " << imported.message << "\n";
    return imported.status == onnx::ImportStatus::Unsupported ? 2 : 1;
  }
  ModuleOp module = *imported.module;

  if (failed(progress.stage("shapes, folding, recompose", [&] {
        return runPasses(module, [&](OpPassManager &pm) {
          OpPassManager &fn = pm.nest<func::FuncOp>();
          fn.addPass(graph::createInferShapes());
          fn.addPass(createCanonicalizerPass());
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
          graph::ConvertPrecisionOptions precision;
          precision.precision = options.precision;
          fn.addPass(graph::createConvertPrecision(precision));
          fn.addPass(createCanonicalizerPass());
          fn.addPass(graph::createFuse());
        });
      })))
    return 1;
  if (options.emit == EmitStage::Fused)
    return failed(writeOutput(outputPath, printModule(module))) ? 1 : 0;

  // Plans are static for now: a symbolic dimension is unsupported, not wrong.
  for (auto func : module.getOps<func::FuncOp>())
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
      if (!cast<ShapedType>(type).hasStaticShape()) {
        std::string name = "#" + std::to_string(i);
        if (auto attr = func.getArgAttrOfType<StringAttr>(i, "graph.name"))
          name = attr.str();
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
    for (auto kernel : module.getOps<exec::KernelOp>()) {
      auto result = codegen::emitKernel(kernel, emitOptions);
      if (failed(result))
        return true;
      emitted[kernel.getSymName()] = std::move(*result);
    }
    module.walk([&](exec::LaunchOp launch) {
      const codegen::EmittedKernel &kernel = emitted[launch.getKernel()];
      OpBuilder b(launch);
      launch.setGridAttr(b.getDenseI32ArrayAttr(kernel.grid));
      launch.setBlockAttr(b.getDenseI32ArrayAttr(kernel.block));
      launch.setSharedMemoryAttr(b.getI32IntegerAttr(kernel.sharedMemory));
    });
    return false;
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
      text += k.source + "\n";
    }
    return failed(writeOutput(outputPath, text)) ? 1 : 0;
  }

  llvm::StringMap<KernelBinary> binaries;
  bool nvrtcFailed = progress.stage("NVRTC " + options.arch, [&] {
    for (auto &entry : emitted) {
      const codegen::EmittedKernel &k = entry.second;
      auto compiled = codegen::compileCuda(k.source, k.name, options.arch);
      if (!compiled) {
        llvm::errs() << "dsc: NVRTC failed on kernel '" << k.name
                     << "': " << llvm::toString(compiled.takeError()) << "\n";
        return true;
      }
      binaries[k.name] = KernelBinary{k.entry, k.source, options.arch,
                                      compiled->cubin, compiled->ptx};
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
