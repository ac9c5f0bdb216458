//===- Eval.cpp - dsc eval ------------------------------------------------===//
//
// Imports a model, runs the graph passes that make it concrete (shapes,
// canonical forms, folded constants) and evaluates it with the CPU reference
// interpreter. This is the numerical ground truth the compiled plans are
// tested against.
//
//===----------------------------------------------------------------------===//

#include "tools/dsc/Commands.h"
#include "tools/dsc/ToolSupport.h"

#include "compiler/onnx/Importer.h"
#include "compiler/reference/Npy.h"
#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

using namespace mlir;
using namespace dsc;
namespace cl = llvm::cl;

cl::SubCommand dsc::tools::evalCommand(
    "eval", "Imports an ONNX model and runs it on the CPU reference "
            "interpreter (no plan is compiled)");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"),
                                      cl::sub(tools::evalCommand));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input as a .npy file (repeat for each input; "
                        "random inputs when none is given)"),
               cl::value_desc("NAME=FILE.npy"), cl::sub(tools::evalCommand));
static cl::opt<std::string>
    outputDir("outputs",
              cl::desc("Folder to write each output to, as NAME.npy"),
              cl::value_desc("DIR"), cl::sub(tools::evalCommand));
static cl::list<std::string> sequenceLengths(
    "sequence-length",
    cl::desc("The length L of sequence input NAME (by default, the number of "
             "NAME[i] inputs given)"),
    cl::value_desc("NAME=L"), cl::sub(tools::evalCommand));
static cl::list<std::string>
    absentInputs("absent", cl::desc("Optional input NAME holds no value"),
                 cl::value_desc("NAME"), cl::sub(tools::evalCommand));
static cl::opt<int64_t> stringBytes(
    "string-bytes",
    cl::desc("bytes of UTF-8 each string of a STRING input can take (the "
             "slot the compiled graph holds it in)"),
    cl::init(64), cl::sub(tools::evalCommand));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Seed of the random inputs"),
                              cl::sub(tools::evalCommand));

/// Random inputs larger than this are refused rather than exhausting memory
/// on a model that declares huge shapes.
static int fail(const llvm::Twine &message) {
  llvm::errs() << "dsc eval: error: " << message << "\n";
  return tools::kError;
}

/// The ONNX name of argument or result `index`.
static std::string nameOf(DictionaryAttr attrs, unsigned index) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("graph.name"))
      return name.str();
  return "#" + std::to_string(index);
}

/// Reads the file given for input `name`; the error names the input.
static FailureOr<reference::Tensor>
readGiven(const llvm::StringMap<std::string> &givenFiles, StringRef name) {
  llvm::Expected<reference::Tensor> value =
      reference::readNpy(givenFiles.lookup(name));
  if (!value) {
    fail("input '" + name + "': " + llvm::toString(value.takeError()));
    return failure();
  }
  return std::move(*value);
}

/// The longest sequence input the importer takes.
static constexpr size_t kMaxSequenceLength = 4096;

/// The length of sequence input `name` from the inputs given for its tensors,
/// `NAME[0]` ... `NAME[L-1]`; fails when an index is skipped.
static FailureOr<int64_t>
sequenceLengthFromFiles(StringRef name,
                        const llvm::StringMap<std::string> &givenFiles) {
  llvm::SmallVector<bool> seen;
  for (const auto &entry : givenFiles) {
    StringRef given = entry.getKey();
    size_t index;
    if (!given.consume_front(name) || !given.consume_front("[") ||
        !given.consume_back("]") || given.getAsInteger(10, index))
      continue;
    if (index >= kMaxSequenceLength) {
      fail("input '" + entry.getKey() + "': index " + llvm::Twine(index) +
           " is beyond the longest sequence input (" +
           llvm::Twine(kMaxSequenceLength) + " tensors, as the importer)");
      return failure();
    }
    if (seen.size() <= index)
      seen.resize(index + 1, false);
    seen[index] = true;
  }
  for (auto [index, given] : llvm::enumerate(seen))
    if (!given) {
      fail("the tensors given for sequence input '" + name + "' skip '" + name +
           "[" + llvm::Twine(index) + "]'");
      return failure();
    }
  return static_cast<int64_t>(seen.size());
}

/// Binds the inputs given on the command line (or random ones) to the
/// arguments of `func`, and fixes the argument types to their shapes.
static FailureOr<SmallVector<reference::Tensor>>
bindModelInputs(func::FuncOp func, ArrayRef<std::string> files) {
  std::vector<tools::InputSpec> specs;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = nameOf(func.getArgAttrDict(i), i);
    auto type = cast<TensorType>(func.getArgumentTypes()[i]);
    FailureOr<reference::DType> dtype =
        reference::dtypeOf(type.getElementType());
    if (failed(dtype)) {
      fail("input '" + name + "' has an unsupported element type");
      return failure();
    }
    if (!type.hasRank()) {
      specs.push_back({name, *dtype, {}, /*unranked=*/true});
      continue;
    }
    specs.push_back({name, *dtype, std::vector<int64_t>(type.getShape()),
                     /*unranked=*/false,
                     func.getArgAttr(i, "graph.string") != nullptr});
  }
  auto inputs = tools::bindInputs(specs, files, seed);
  if (!inputs) {
    fail(llvm::toString(inputs.takeError()));
    return failure();
  }
  // Concrete argument shapes let graph-infer-shapes make every shape static.
  Block &body = func.getBody().front();
  for (auto [arg, tensor] : llvm::zip(body.getArguments(), *inputs))
    arg.setType(RankedTensorType::get(
        tensor.shape, cast<TensorType>(arg.getType()).getElementType()));
  func.setType(FunctionType::get(func.getContext(), body.getArgumentTypes(),
                                 func.getResultTypes()));
  return SmallVector<reference::Tensor>(inputs->begin(), inputs->end());
}

int dsc::tools::runEval() {
  MLIRContext context;
  context.loadDialect<graph::GraphDialect, func::FuncDialect>();
  llvm::StringMap<std::string> givenFiles;
  for (const std::string &arg : inputFiles) {
    auto [name, path] = StringRef(arg).split('=');
    givenFiles[name] = path.str();
  }
  // An input whose value some node needs at import (a Reshape target fed as
  // a graph input) is fixed to the given value, and the import retried: eval
  // runs the model on these inputs only, so this specializes nothing away.
  onnx::ImportOptions importOptions;
  if (llvm::Error error = tools::checkStringBytes(stringBytes))
    return fail(llvm::toString(std::move(error)));
  importOptions.stringBytes = stringBytes;
  if (llvm::Error error = tools::readBoundaryOptions(
          sequenceLengths, absentInputs, {}, importOptions))
    return fail(llvm::toString(std::move(error)));
  onnx::ImportResult imported;
  for (;;) {
    // The tensors of a sequence may differ in shape, which the model then
    // leaves open: they take the given files' shapes at import.
    for (const auto &sequence : importOptions.sequenceLengths)
      for (int64_t i = 0; i < sequence.getValue(); ++i) {
        std::string name =
            (sequence.getKey() + "[" + llvm::Twine(i) + "]").str();
        if (!givenFiles.count(name) || importOptions.inputShapes.count(name))
          continue;
        FailureOr<reference::Tensor> value = readGiven(givenFiles, name);
        if (failed(value))
          return kError;
        importOptions.inputShapes[name] = llvm::SmallVector<int64_t>(
            value->shape.begin(), value->shape.end());
      }
    imported = onnx::importModel(modelPath, context, importOptions);
    // A sequence input is as long as the tensors given for it.
    const std::string &sequence = imported.sequenceLengthNeeded;
    if (!sequence.empty() && !importOptions.sequenceLengths.count(sequence)) {
      FailureOr<int64_t> length = sequenceLengthFromFiles(sequence, givenFiles);
      if (failed(length))
        return kError;
      if (*length > 0) {
        importOptions.sequenceLengths[sequence] = *length;
        continue;
      }
    }
    // Named dimensions take the sizes of the given inputs: shapes computed
    // from them (a Reshape target from Shape) are then known at import.
    bool sized = false;
    for (const onnx::OpenDimension &open : imported.openDimensions) {
      if (open.name.empty() || importOptions.dimValues.count(open.name) ||
          !givenFiles.count(open.input))
        continue;
      FailureOr<reference::Tensor> value = readGiven(givenFiles, open.input);
      if (failed(value))
        return kError;
      if (open.axis < static_cast<int64_t>(value->shape.size())) {
        importOptions.dimValues[open.name] = value->shape[open.axis];
        sized = true;
      }
    }
    if (sized)
      continue;
    const std::string &needed = imported.inputNeededAtImport;
    if (imported.status != onnx::ImportStatus::Unsupported ||
        !givenFiles.count(needed) || importOptions.inputValues.count(needed))
      break;
    FailureOr<reference::Tensor> value = readGiven(givenFiles, needed);
    if (failed(value))
      return kError;
    importOptions.inputValues[needed] = std::move(*value);
  }
  if (imported.status != onnx::ImportStatus::Ok) {
    llvm::errs() << "dsc eval: error: " << imported.message << "\n";
    return imported.status == onnx::ImportStatus::Unsupported ? kUnsupported
                                                              : kError;
  }
  for (const std::string &name : imported.emptyOutputs)
    llvm::errs() << "dsc eval: note: output '" << name
                 << "' is an empty sequence or an optional holding no value: "
                    "no tensor is written for it\n";
  for (const auto &fixed : importOptions.inputValues)
    llvm::errs() << "dsc eval: note: input '" << fixed.getKey()
                 << "' is fixed at import (a node needs its value)\n";
  ModuleOp module = *imported.module;
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return fail("the imported module has no @main");

  std::vector<std::string> argumentFiles;
  for (const std::string &arg : inputFiles)
    if (!importOptions.inputValues.count(StringRef(arg).split('=').first))
      argumentFiles.push_back(arg);
  FailureOr<SmallVector<reference::Tensor>> inputs =
      bindModelInputs(func, argumentFiles);
  if (failed(inputs))
    return kError;

  // MLIR's diagnostics become dsc's one-line error, naming the node.
  std::string firstError;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() == DiagnosticSeverity::Error &&
        firstError.empty()) {
      if (auto name = dyn_cast<NameLoc>(diagnostic.getLocation()))
        firstError = "node '" + name.getName().str() + "': ";
      firstError += diagnostic.str();
    }
    return success();
  });
  auto failWith = [&](const llvm::Twine &fallback) {
    return fail(firstError.empty() ? fallback : llvm::Twine(firstError));
  };

  PassManager pm(&context);
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(graph::createInferShapes());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(graph::createFoldConstants());
  if (failed(pm.run(module)))
    return failWith("the graph passes failed on '" + modelPath + "'");

  FailureOr<SmallVector<reference::Tensor>> outputs =
      reference::evaluateFunction(func, *inputs);
  if (failed(outputs))
    return failWith("the reference interpreter failed on '" + modelPath + "'");

  std::vector<std::string> names;
  for (auto [index, tensor] : llvm::enumerate(*outputs)) {
    names.push_back(nameOf(func.getResultAttrDict(index), index));
    tensor.text = func.getResultAttr(index, "graph.string") != nullptr;
    tools::printSummary(llvm::outs(), names.back(), tensor);
  }
  if (!outputDir.empty())
    if (llvm::Error error = tools::writeOutputs(outputDir, names, *outputs))
      return fail(llvm::toString(std::move(error)));
  return kSuccess;
}
