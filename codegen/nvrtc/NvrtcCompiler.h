//===- NvrtcCompiler.h - CUDA C++ to cubin with NVRTC -----------*- C++ -*-===//

#ifndef DSC_CODEGEN_NVRTC_NVRTCCOMPILER_H
#define DSC_CODEGEN_NVRTC_NVRTCCOMPILER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace dsc::codegen {

struct CompiledKernel {
  /// Machine code for the requested arch (e.g. sm_90).
  std::string cubin;
  /// PTX of the same compilation (`.target sm_90`), which the driver can JIT
  /// for later architectures.
  std::string ptx;
  /// NVRTC's log, with ptxas' resource report (`-Xptxas -v`).
  std::string log;
};

struct CompileOptions {
  /// Off by default: fast math trades accuracy we promise (1e-3 relative).
  bool fastMath = false;
  /// Line information for profilers (Nsight Compute source view).
  bool lineInfo = false;
  /// Options passed to NVRTC after dsc's own.
  std::vector<std::string> extraOptions;
};

/// Compiles `source` (self-contained CUDA C++) for `arch` (e.g. "sm_90"):
/// cubin for that arch and its PTX. `name` names the program in the log.
/// The error of a failed compilation carries NVRTC's log.
llvm::Expected<CompiledKernel>
compileCuda(llvm::StringRef source, llvm::StringRef name, llvm::StringRef arch);
llvm::Expected<CompiledKernel> compileCuda(llvm::StringRef source,
                                           llvm::StringRef name,
                                           llvm::StringRef arch,
                                           const CompileOptions &options);

/// What ptxas reported for one entry function.
struct PtxasResources {
  int registers = 0;
  int stackFrameBytes = 0;
  int spillStoreBytes = 0;
  int spillLoadBytes = 0;
};

/// Reads ptxas' `-v` report for `entry` out of an NVRTC log; nullopt when
/// the log does not have one.
std::optional<PtxasResources> parsePtxasResources(llvm::StringRef log,
                                                  llvm::StringRef entry);

} // namespace dsc::codegen

#endif // DSC_CODEGEN_NVRTC_NVRTCCOMPILER_H
