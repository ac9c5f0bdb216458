//===- NvrtcCompiler.cpp - CUDA C++ to cubin with NVRTC -------------------===//

#include "codegen/nvrtc/NvrtcCompiler.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <nvrtc.h>

namespace dsc::codegen {

namespace {
/// Destroys the NVRTC program on every path out of compileCuda.
struct ProgramGuard {
  nvrtcProgram program = nullptr;
  ~ProgramGuard() {
    if (program)
      nvrtcDestroyProgram(&program);
  }
};
} // namespace

static llvm::Error nvrtcError(nvrtcResult result, llvm::StringRef what,
                              llvm::StringRef name, llvm::StringRef log = "") {
  std::string message = llvm::formatv("nvrtc {0} failed for '{1}': {2}", what,
                                      name, nvrtcGetErrorString(result))
                            .str();
  if (!log.empty())
    message += "\n" + log.str();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<CompiledKernel> compileCuda(llvm::StringRef source,
                                           llvm::StringRef name,
                                           llvm::StringRef arch) {
  return compileCuda(source, name, arch, CompileOptions());
}

llvm::Expected<CompiledKernel> compileCuda(llvm::StringRef source,
                                           llvm::StringRef name,
                                           llvm::StringRef arch,
                                           const CompileOptions &options) {
  if (!arch.starts_with("sm_"))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "nvrtc needs a real architecture such as sm_90, not '%s'",
        arch.str().c_str());
  std::string sourceText = source.str();
  std::string programName = (name + ".cu").str();
  ProgramGuard guard;
  if (nvrtcResult result =
          nvrtcCreateProgram(&guard.program, sourceText.c_str(),
                             programName.c_str(), 0, nullptr, nullptr);
      result != NVRTC_SUCCESS)
    return nvrtcError(result, "program creation", name);

  std::vector<std::string> args = {"--gpu-architecture=" + arch.str(),
                                   "-std=c++17", "-Xptxas", "-v"};
  if (options.fastMath)
    args.push_back("--use_fast_math");
  if (options.lineInfo)
    args.push_back("-lineinfo");
  args.insert(args.end(), options.extraOptions.begin(),
              options.extraOptions.end());
  std::vector<const char *> argv;
  for (const std::string &arg : args)
    argv.push_back(arg.c_str());

  nvrtcResult compiled = nvrtcCompileProgram(
      guard.program, static_cast<int>(argv.size()), argv.data());
  CompiledKernel kernel;
  size_t logSize = 0;
  if (nvrtcGetProgramLogSize(guard.program, &logSize) == NVRTC_SUCCESS &&
      logSize > 1) {
    kernel.log.resize(logSize);
    nvrtcGetProgramLog(guard.program, kernel.log.data());
    kernel.log.resize(logSize - 1); // drop the terminating NUL
  }
  if (compiled != NVRTC_SUCCESS)
    return nvrtcError(compiled, "compilation", name, kernel.log);

  size_t cubinSize = 0;
  if (nvrtcResult result = nvrtcGetCUBINSize(guard.program, &cubinSize);
      result != NVRTC_SUCCESS)
    return nvrtcError(result, "cubin size query", name);
  kernel.cubin.resize(cubinSize);
  if (nvrtcResult result = nvrtcGetCUBIN(guard.program, kernel.cubin.data());
      result != NVRTC_SUCCESS)
    return nvrtcError(result, "cubin retrieval", name);

  size_t ptxSize = 0;
  if (nvrtcResult result = nvrtcGetPTXSize(guard.program, &ptxSize);
      result != NVRTC_SUCCESS)
    return nvrtcError(result, "ptx size query", name);
  kernel.ptx.resize(ptxSize);
  if (nvrtcResult result = nvrtcGetPTX(guard.program, kernel.ptx.data());
      result != NVRTC_SUCCESS)
    return nvrtcError(result, "ptx retrieval", name);
  if (!kernel.ptx.empty() && kernel.ptx.back() == '\0')
    kernel.ptx.pop_back();
  return kernel;
}

/// The integer right before `suffix` in `line`, e.g. 40 in "Used 40 registers".
static std::optional<int> numberBefore(llvm::StringRef line,
                                       llvm::StringRef suffix) {
  size_t at = line.find(suffix);
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef head = line.take_front(at).rtrim();
  size_t start = head.find_last_not_of("0123456789");
  llvm::StringRef digits =
      start == llvm::StringRef::npos ? head : head.drop_front(start + 1);
  int value = 0;
  if (digits.getAsInteger(10, value))
    return std::nullopt;
  return value;
}

std::optional<PtxasResources> parsePtxasResources(llvm::StringRef log,
                                                  llvm::StringRef entry) {
  // ptxas writes "Function properties for <entry>" then the stack/spill line,
  // and, after "Compiling entry function '<entry>'", "Used N registers".
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n');
  PtxasResources resources;
  bool inProperties = false, inEntry = false, found = false;
  for (llvm::StringRef line : lines) {
    if (line.contains("Function properties for ")) {
      inProperties = line.trim().ends_with(" " + entry.str());
      continue;
    }
    if (line.contains("Compiling entry function ")) {
      inEntry = line.contains("'" + entry.str() + "'");
      continue;
    }
    if (inProperties && line.contains("stack frame")) {
      resources.stackFrameBytes =
          numberBefore(line, "bytes stack frame").value_or(0);
      resources.spillStoreBytes =
          numberBefore(line, "bytes spill stores").value_or(0);
      resources.spillLoadBytes =
          numberBefore(line, "bytes spill loads").value_or(0);
      inProperties = false;
    }
    if (inEntry && line.contains(" registers")) {
      if (auto registers = numberBefore(line, " registers")) {
        resources.registers = *registers;
        found = true;
      }
      inEntry = false;
    }
  }
  if (!found)
    return std::nullopt;
  return resources;
}

} // namespace dsc::codegen
