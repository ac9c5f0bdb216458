//===- Commands.h - dsc subcommands -----------------------------*- C++ -*-===//
//
// Each subcommand lives in its own file: an llvm::cl::SubCommand, its options
// (cl::sub), and a run function returning the process exit code:
// 0 success, 2 unsupported model/op/dtype, 1 any other error.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_TOOLS_DSC_COMMANDS_H
#define DSC_TOOLS_DSC_COMMANDS_H

#include "llvm/Support/CommandLine.h"

namespace dsc::tools {

enum ExitCode : int { kSuccess = 0, kError = 1, kUnsupported = 2 };

/// `dsc compile model.onnx -o model.plan [--emit=...] [--precision=...]`.
extern llvm::cl::SubCommand compileCommand;
int runCompile();

/// `dsc run model.plan [--input NAME=FILE.npy] [--outputs DIR] [--device]`.
extern llvm::cl::SubCommand runCommand;
int runRun();

/// `dsc inspect model.plan`: signature, arena, weights, kernels, schedule.
extern llvm::cl::SubCommand inspectCommand;
int runInspect();

/// `dsc eval model.onnx`: imports and runs the CPU reference on the graph,
/// without compiling a plan (for checking numerics).
extern llvm::cl::SubCommand evalCommand;
int runEval();

extern llvm::cl::SubCommand tuneCommand;
int runTune();

} // namespace dsc::tools

#endif // DSC_TOOLS_DSC_COMMANDS_H
