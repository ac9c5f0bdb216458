//===- Pipeline.h - the dsc compilation pipeline ----------------*- C++ -*-===//

#ifndef DSC_COMPILER_DRIVER_PIPELINE_H
#define DSC_COMPILER_DRIVER_PIPELINE_H

#include "compiler/onnx/Importer.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace dsc::driver {

/// Where `dsc compile` stops and what it prints.
enum class EmitStage { Graph, Fused, Exec, Cuda, Plan };

struct CompileOptions {
  EmitStage emit = EmitStage::Plan;
  /// fp32, fp16 or bf16: the precision kernels compute and store in.
  std::string precision = "fp32";
  /// model or compute: whether f32 inputs and outputs stay f32 or take
  /// `precision` (graph-convert-precision's io-precision).
  std::string ioPrecision = "model";
  std::string arch = "sm_90";
  /// auto, always or never: whether a stacked MoE computes only the tokens
  /// its router chose (graph-route-experts; auto where the cost model says
  /// it pays).
  std::string moeRouting = "auto";
  /// codegen::EmitOptions::gemmTile.
  std::vector<int64_t> gemmTile;
  /// One line per stage with its time, on `log`.
  bool progress = true;
  /// Graph inputs fixed to values (`--input-value`).
  onnx::ImportOptions import;
  /// Named dimensions: `--dim NAME=N` fixes one to N (min == max);
  /// `--dim NAME=MIN..MAX` makes the plan run for any size in the range (one
  /// such dimension at most, see SymbolicBatch.h).
  struct DimRange {
    std::string name;
    int64_t min = 0, max = 0;
  };
  std::vector<DimRange> dims;
};

/// Prints one diagnostic as `dsc: error: node 'NAME': message`, naming the
/// ONNX node(s) its location points to.
void printDiagnostic(mlir::Diagnostic &diagnostic, llvm::raw_ostream &os);

/// Registers every dialect dsc's IR uses.
void registerDialects(mlir::MLIRContext &context);

/// Runs the whole pipeline on `inputPath` and writes the stage's output
/// (a plan, or the IR/CUDA text) to `outputPath` ("-" for stdout). Returns
/// the process exit code: 0, 2 for an unsupported model, 1 otherwise.
int compileModel(llvm::StringRef inputPath, llvm::StringRef outputPath,
                 const CompileOptions &options, llvm::raw_ostream &log);

} // namespace dsc::driver

#endif // DSC_COMPILER_DRIVER_PIPELINE_H
