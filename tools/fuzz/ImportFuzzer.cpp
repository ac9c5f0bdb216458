//===- ImportFuzzer.cpp - libFuzzer target for the ONNX importer ----------===//
//
// Feeds arbitrary bytes to the ONNX importer and, when they import, runs the
// passes `dsc eval` runs before interpreting (graph-infer-shapes,
// canonicalize, graph-fold-constants) with the verifier on, so that the op
// verifiers and shape inference see what the importer lets through. The
// only property checked is the product's promise for bad models: an error
// status, never a crash, an assertion or undefined behaviour (ASan).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/Importer.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: nothing one input interns can hide a bug in
  // the next, and memory does not grow over a long run.
  MLIRContext context(MLIRContext::Threading::DISABLED);
  context.loadDialect<dsc::graph::GraphDialect, func::FuncDialect>();
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });

  // External data is resolved against a folder that does not exist: the
  // fuzzer must not depend on (or read) files around it.
  dsc::onnx::ImportResult imported = dsc::onnx::importModelFromBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent-dsc-fuzz", context);
  if (imported.status != dsc::onnx::ImportStatus::Ok)
    return 0;

  PassManager pm(&context);
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(dsc::graph::createInferShapes());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(dsc::graph::createFoldConstants());
  (void)pm.run(*imported.module);
  return 0;
}
