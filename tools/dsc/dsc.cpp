//===- dsc.cpp - the dsc command-line tool --------------------------------===//

#include "tools/dsc/Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace dsc::tools;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "dsc: compiles ONNX models into GPU plans and runs them\n");
  if (compileCommand)
    return runCompile();
  if (runCommand)
    return runRun();
  if (inspectCommand)
    return runInspect();
  if (evalCommand)
    return runEval();
  if (tuneCommand)
    return runTune();
  llvm::errs() << "dsc: give a subcommand (see dsc --help)\n";
  return kError;
}
