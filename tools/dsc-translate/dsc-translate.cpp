//===- dsc-translate.cpp - exec kernels to CUDA C++ and cubin -------------===//
//
// `--exec-to-cuda` prints every exec.kernel's generated source with its launch
// configuration; `--exec-to-cubin` also compiles each with NVRTC for sm_90
// and prints its sizes and ptxas' resource report. Both are how lit tests see
// the CUDA backend without a GPU.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/nvrtc/NvrtcCompiler.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

static void registerDialects(DialectRegistry &registry) {
  registry.insert<dsc::graph::GraphDialect, dsc::exec::ExecDialect,
                  func::FuncDialect>();
}

static void printLaunch(const dsc::codegen::EmittedKernel &kernel,
                        raw_ostream &os) {
  os << llvm::formatv("// kernel @{0} entry {1} grid ({2}, {3}, {4}) block "
                      "({5}, {6}, {7}) shared_memory {8}",
                      kernel.name, kernel.entry, kernel.grid[0], kernel.grid[1],
                      kernel.grid[2], kernel.block[0], kernel.block[1],
                      kernel.block[2], kernel.sharedMemory);
  if (kernel.scratchBytes)
    os << " scratch " << kernel.scratchBytes;
  if (!kernel.description.empty())
    os << " tactic " << kernel.description;
  os << "\n";
  for (const dsc::codegen::KernelVariant &variant : kernel.variants) {
    os << llvm::formatv("// variant @{0} entry {1} grid ({2}, {3}, {4}) block "
                        "({5}, {6}, {7}) shared_memory {8}",
                        kernel.name, variant.entry, variant.grid[0],
                        variant.grid[1], variant.grid[2], variant.block[0],
                        variant.block[1], variant.block[2],
                        variant.sharedMemory);
    if (variant.scratchBytes)
      os << " scratch " << variant.scratchBytes;
    os << " tactic " << variant.description << "\n";
    auto list = [](const auto &values) {
      return llvm::join(
          llvm::map_range(values, [](auto v) { return std::to_string(v); }),
          " ");
    };
    for (const dsc::codegen::TensorMapSpec &map : variant.tensorMaps)
      os << llvm::formatv("//   tensor map of arg {0}: im2col dims [{1}] "
                          "strides [{2}] corners [{3}] [{4}] element strides "
                          "[{5}] {6} channels x {7} pixels\n",
                          map.arg, list(map.dims), list(map.strides),
                          list(map.lowerCorner), list(map.upperCorner),
                          list(map.elementStrides), map.channelsPerPixel,
                          map.pixelsPerColumn);
  }
}

/// Emits every kernel under `op`, stopping at the first failure (its error
/// is already on the kernel).
static LogicalResult
forEachKernel(Operation *op,
              function_ref<LogicalResult(dsc::codegen::EmittedKernel &)> fn) {
  dsc::codegen::EmitOptions options;
  WalkResult walked = op->walk([&](dsc::exec::KernelOp kernel) {
    FailureOr<dsc::codegen::EmittedKernel> emitted =
        dsc::codegen::emitKernel(kernel, options);
    if (failed(emitted) || failed(fn(*emitted)))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walked.wasInterrupted());
}

int main(int argc, char **argv) {
  TranslateFromMLIRRegistration toCuda(
      "exec-to-cuda", "print the CUDA C++ of every exec.kernel",
      [](Operation *op, raw_ostream &os) {
        return forEachKernel(op, [&](dsc::codegen::EmittedKernel &kernel) {
          printLaunch(kernel, os);
          os << kernel.source << "\n";
          return success();
        });
      },
      registerDialects);

  TranslateFromMLIRRegistration toCubin(
      "exec-to-cubin",
      "compile every exec.kernel with NVRTC for sm_90 (sm_90a where it uses "
      "wgmma) and print its sizes",
      [](Operation *op, raw_ostream &os) {
        return forEachKernel(op, [&](dsc::codegen::EmittedKernel &kernel) {
          llvm::Expected<dsc::codegen::CompiledKernel> compiled =
              dsc::codegen::compileCuda(kernel.source, kernel.name,
                                        kernel.archSpecific ? "sm_90a"
                                                            : "sm_90");
          if (!compiled) {
            std::string message = llvm::toString(compiled.takeError());
            Operation *kernelOp = SymbolTable::lookupSymbolIn(op, kernel.name);
            (kernelOp ? kernelOp : op)->emitError(message);
            return failure();
          }
          os << llvm::formatv(
              "// kernel @{0} entry {1} cubin {2} bytes ptx {3} bytes",
              kernel.name, kernel.entry, compiled->cubin.size(),
              compiled->ptx.size());
          if (auto resources = dsc::codegen::parsePtxasResources(compiled->log,
                                                                 kernel.entry))
            os << llvm::formatv(
                " registers {0} stack {1} spill_stores {2} "
                "spill_loads {3}",
                resources->registers, resources->stackFrameBytes,
                resources->spillStoreBytes, resources->spillLoadBytes);
          os << llvm::formatv(" shared_memory {0}\n", kernel.sharedMemory);
          for (const dsc::codegen::KernelVariant &variant : kernel.variants)
            if (auto resources = dsc::codegen::parsePtxasResources(
                    compiled->log, variant.entry))
              os << llvm::formatv(
                  "// variant {0} registers {1} stack {2} spill_stores {3} "
                  "spill_loads {4} shared_memory {5}\n",
                  variant.entry, resources->registers,
                  resources->stackFrameBytes, resources->spillStoreBytes,
                  resources->spillLoadBytes, variant.sharedMemory);
          return success();
        });
      },
      registerDialects);

  return failed(mlirTranslateMain(argc, argv, "dsc translation driver"));
}
