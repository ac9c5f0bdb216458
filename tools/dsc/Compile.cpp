//===- Compile.cpp - dsc compile ------------------------------------------===//

#include "tools/dsc/Commands.h"

#include "compiler/driver/Pipeline.h"
#include "tools/dsc/ToolSupport.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace dsc;
using namespace dsc::tools;

cl::SubCommand dsc::tools::compileCommand("compile",
                                          "compile an ONNX model into a plan");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"),
                                      cl::sub(compileCommand));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("output file (default: the model's name with "
                        ".plan, or stdout for --emit other than plan)"),
               cl::value_desc("file"), cl::sub(compileCommand));
static cl::opt<driver::EmitStage> emit(
    "emit", cl::desc("the stage to stop at and write"),
    cl::values(clEnumValN(driver::EmitStage::Graph, "graph",
                          "graph dialect after shape inference and folding"),
               clEnumValN(driver::EmitStage::Fused, "fused",
                          "graph dialect with fusion regions"),
               clEnumValN(driver::EmitStage::Exec, "exec",
                          "exec dialect: buffers, kernels, launches"),
               clEnumValN(driver::EmitStage::Cuda, "cuda",
                          "the generated CUDA C++"),
               clEnumValN(driver::EmitStage::Plan, "plan", "the plan file")),
    cl::init(driver::EmitStage::Plan), cl::sub(compileCommand));
static cl::opt<std::string>
    precision("precision",
              cl::desc("precision kernels compute in: fp32, fp16, bf16"),
              cl::init("fp32"), cl::sub(compileCommand));
static cl::opt<std::string> ioPrecision(
    "io-precision",
    cl::desc("the plan's float inputs and outputs: model (the model's types, "
             "converted at the edges) or compute (f32 ones take --precision: "
             "callers pass and get fp16/bf16 tensors)"),
    cl::init("model"), cl::sub(compileCommand));
static cl::opt<std::string> moeRouting(
    "moe-routing",
    cl::desc("whether a dense mixture of experts computes only the tokens its "
             "router chose: auto (where the cost model says it pays), always, "
             "never"),
    cl::init("auto"), cl::sub(compileCommand));
static cl::opt<std::string> arch("arch",
                                 cl::desc("GPU architecture of the cubins"),
                                 cl::init("sm_90"), cl::sub(compileCommand));
static cl::list<int64_t>
    gemmTile("gemm-tile", cl::CommaSeparated, cl::Hidden,
             cl::desc("force every fp16/bf16 GEMM's tile (tuning experiments): "
                      "BM,BN,BK,WARPS_M,WARPS_N,STAGES[,SPLIT_K[,WGMMA]]"),
             cl::sub(compileCommand));
static cl::opt<bool> quiet("quiet", cl::desc("no progress lines"),
                           cl::sub(compileCommand));
static cl::list<std::string> inputValues(
    "input-value",
    cl::desc("fix graph input NAME to the value in FILE.npy: the plan is "
             "specialized to it and no longer takes it as an input (for "
             "inputs that determine shapes, e.g. a Reshape target)"),
    cl::value_desc("NAME=FILE.npy"), cl::sub(compileCommand));

static cl::opt<int64_t> stringBytes(
    "string-bytes",
    cl::desc("bytes of UTF-8 each string of a STRING input can take: the "
             "plan holds such an input as u8 with a slot of this size per "
             "string"),
    cl::init(64), cl::sub(compileCommand));

static cl::list<std::string> dims(
    "dim",
    cl::desc("a named dimension of the inputs (ONNX dim_param): NAME=N fixes "
             "it to N; NAME=MIN..MAX compiles one plan that runs for every "
             "size in the range (one such dimension)"),
    cl::value_desc("NAME=N|NAME=MIN..MAX"), cl::sub(compileCommand));

static cl::list<std::string> sequenceLengths(
    "sequence-length",
    cl::desc("the length L of sequence graph input NAME: the plan takes its "
             "tensors as the inputs NAME[0] ... NAME[L-1]"),
    cl::value_desc("NAME=L"), cl::sub(compileCommand));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("the shape of graph input NAME where the model declares none or "
             "leaves dimensions without a size (NAME= for a scalar)"),
    cl::value_desc("NAME=D0,D1,..."), cl::sub(compileCommand));
static cl::list<std::string>
    absentInputs("absent",
                 cl::desc("optional graph input NAME holds no value: the "
                          "plan is specialized to that and does not take it"),
                 cl::value_desc("NAME"), cl::sub(compileCommand));

/// Parses `--dim` values.
static Expected<std::vector<driver::CompileOptions::DimRange>>
parseDims(ArrayRef<std::string> args) {
  std::vector<driver::CompileOptions::DimRange> result;
  for (const std::string &arg : args) {
    auto [name, value] = StringRef(arg).split('=');
    auto [low, high] = value.split("..");
    driver::CompileOptions::DimRange range{name.str(), 0, 0};
    bool bad = name.empty() || low.getAsInteger(10, range.min) ||
               (value.contains("..") ? high.getAsInteger(10, range.max)
                                     : (range.max = range.min, false));
    if (bad)
      return createStringError(inconvertibleErrorCode(),
                               "--dim expects NAME=N or NAME=MIN..MAX, got '" +
                                   arg + "'");
    bool isRange = value.contains("..");
    if (!isRange && range.min < 0)
      return createStringError(inconvertibleErrorCode(),
                               "--dim " + arg + ": a size must be >= 0");
    if (isRange &&
        (range.min < 1 || range.max < range.min || range.max > 65535))
      return createStringError(
          inconvertibleErrorCode(),
          "--dim " + arg + ": a range must satisfy 1 <= MIN <= MAX <= 65535");
    if (llvm::any_of(result, [&](const auto &other) {
          return other.name == range.name;
        }))
      return createStringError(inconvertibleErrorCode(),
                               "--dim " + name.str() + " is given twice");
    result.push_back(range);
  }
  return result;
}

int dsc::tools::runCompile() {
  if (precision != "fp32" && precision != "fp16" && precision != "bf16") {
    errs() << "dsc compile: --precision must be fp32, fp16 or bf16, not '"
           << precision << "'\n";
    return kError;
  }
  if (ioPrecision != "model" && ioPrecision != "compute") {
    errs() << "dsc compile: --io-precision must be model or compute, not '"
           << ioPrecision << "'\n";
    return kError;
  }
  if (moeRouting != "auto" && moeRouting != "always" && moeRouting != "never") {
    errs() << "dsc compile: --moe-routing must be auto, always or never, not '"
           << moeRouting << "'\n";
    return kError;
  }
  if (!StringRef(arch).starts_with("sm_")) {
    errs() << "dsc compile: --arch must look like sm_90, not '" << arch
           << "'\n";
    return kError;
  }
  std::string output = outputPath;
  if (output.empty()) {
    if (emit == driver::EmitStage::Plan) {
      SmallString<128> path(inputPath);
      sys::path::replace_extension(path, "plan");
      output = std::string(path);
    } else {
      output = "-";
    }
  }
  driver::CompileOptions options;
  Expected<StringMap<reference::Tensor>> values =
      readNamedTensors(inputValues, "input-value");
  if (!values) {
    errs() << "dsc compile: error: " << toString(values.takeError()) << "\n";
    return kError;
  }
  options.import.inputValues = std::move(*values);
  if (Error error = checkStringBytes(stringBytes)) {
    errs() << "dsc compile: error: " << toString(std::move(error)) << "\n";
    return kError;
  }
  options.import.stringBytes = stringBytes;
  if (Error error = readBoundaryOptions(sequenceLengths, absentInputs,
                                        inputShapes, options.import)) {
    errs() << "dsc compile: error: " << toString(std::move(error)) << "\n";
    return kError;
  }
  auto dimRanges = parseDims(dims);
  if (!dimRanges) {
    errs() << "dsc compile: error: " << toString(dimRanges.takeError()) << "\n";
    return kError;
  }
  options.dims = std::move(*dimRanges);
  options.emit = emit;
  options.precision = precision;
  options.ioPrecision = ioPrecision;
  options.gemmTile.assign(gemmTile.begin(), gemmTile.end());
  options.arch = arch;
  options.moeRouting = moeRouting;
  options.progress = !quiet;
  int code = driver::compileModel(inputPath, output, options, errs());
  if (code == 0 && emit == driver::EmitStage::Plan && !quiet)
    errs() << "wrote " << output << "\n";
  return code;
}
