//===- Eval.cpp - dsc eval ------------------------------------------------===//
//
// Imports a model, runs the graph passes that make it concrete (shapes,
// canonical forms, folded constants) and evaluates it with the CPU reference
// interpreter. This is the numerical ground truth the compiled plans are
// tested against.
//
//===----------------------------------------------------------------------===//

#include "tools/dsc/Commands.h"

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
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Seed of the random inputs"),
                              cl::sub(tools::evalCommand));

/// Random inputs larger than this are refused rather than exhausting memory
/// on a model that declares huge shapes.
static constexpr int64_t kMaxRandomElements = int64_t(1) << 28;

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

/// Output file names keep [A-Za-z0-9_.-] and replace everything else by '_'.
static std::string fileNameOf(StringRef name) {
  std::string fileName;
  for (char c : name)
    fileName += llvm::isAlnum(c) || c == '_' || c == '.' || c == '-' ? c : '_';
  return fileName + ".npy";
}

static reference::Tensor randomTensor(reference::DType dtype,
                                      ArrayRef<int64_t> shape,
                                      std::mt19937_64 &generator) {
  reference::Tensor tensor;
  tensor.dtype = dtype;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data.resize(tensor.numElements());
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  // Small non-negative integers are valid for every integer use (indices,
  // shapes, counts) a model is likely to make of them.
  std::uniform_int_distribution<int> integer(0, 4);
  for (double &v : tensor.data) {
    switch (dtype) {
    case reference::DType::F32:
    case reference::DType::F16:
    case reference::DType::BF16:
    case reference::DType::F64:
      v = reference::roundTo(dtype, real(generator));
      break;
    case reference::DType::Bool:
      v = integer(generator) % 2;
      break;
    default:
      v = integer(generator);
      break;
    }
  }
  return tensor;
}

static void printSummary(StringRef name, const reference::Tensor &tensor) {
  llvm::outs() << name << ": " << graph::formatShape(tensor.shape) << " "
               << reference::dtypeName(tensor.dtype) << " [";
  size_t shown = std::min<size_t>(tensor.data.size(), 6);
  for (size_t i = 0; i < shown; ++i)
    llvm::outs() << (i ? ", " : "") << llvm::format("%.6g", tensor.data[i]);
  if (shown < tensor.data.size())
    llvm::outs() << ", ...";
  llvm::outs() << "]\n";
}

/// Binds the inputs given on the command line (or random ones) to the
/// arguments of `func`, and fixes the argument types to their shapes.
static FailureOr<SmallVector<reference::Tensor>> bindInputs(func::FuncOp func) {
  llvm::StringMap<std::string> files;
  for (const std::string &entry : inputFiles) {
    auto [name, file] = StringRef(entry).split('=');
    if (name.empty() || file.empty()) {
      fail("--input expects NAME=FILE.npy, got '" + entry + "'");
      return failure();
    }
    if (!files.try_emplace(name, file.str()).second) {
      fail("input '" + name + "' is given twice");
      return failure();
    }
  }
  llvm::StringSet<> argumentNames;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    argumentNames.insert(nameOf(func.getArgAttrDict(i), i));
  for (const auto &file : files)
    if (!argumentNames.contains(file.getKey())) {
      std::string known;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        known += (i ? ", '" : "'") + nameOf(func.getArgAttrDict(i), i) + "'";
      fail("the model has no input '" + file.getKey() +
           "'; its inputs are: " + (known.empty() ? "none" : known));
      return failure();
    }

  std::mt19937_64 generator(seed);
  SmallVector<reference::Tensor> inputs;
  Block &body = func.getBody().front();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = nameOf(func.getArgAttrDict(i), i);
    auto type = cast<TensorType>(func.getArgumentTypes()[i]);
    FailureOr<reference::DType> dtype =
        reference::dtypeOf(type.getElementType());
    if (failed(dtype)) {
      fail("input '" + name + "' has an unsupported element type");
      return failure();
    }
    reference::Tensor tensor;
    if (!files.empty()) {
      auto it = files.find(name);
      if (it == files.end()) {
        fail("missing input '" + name + "': give --input " + name +
             "=FILE.npy (all inputs or none)");
        return failure();
      }
      llvm::Expected<reference::Tensor> loaded = reference::readNpy(it->second);
      if (!loaded) {
        fail("input '" + name + "': " + llvm::toString(loaded.takeError()));
        return failure();
      }
      tensor = std::move(*loaded);
      SmallVector<int64_t> expected;
      if (type.hasRank())
        expected.assign(type.getShape().begin(), type.getShape().end());
      else
        expected.assign(tensor.shape.begin(), tensor.shape.end());
      if (llvm::Error error = reference::checkCompatible(
              tensor, *dtype, expected, it->second)) {
        fail("input '" + name + "': " + llvm::toString(std::move(error)));
        return failure();
      }
    } else {
      if (!type.hasRank()) {
        fail("input '" + name +
             "' has no declared shape; give it with --input");
        return failure();
      }
      SmallVector<int64_t> shape(type.getShape());
      for (int64_t &d : shape)
        if (ShapedType::isDynamic(d)) {
          d = 1;
          llvm::errs() << "dsc eval: note: input '" << name
                       << "' has a dynamic dimension; using 1\n";
        }
      int64_t count = 1;
      bool tooLarge = false;
      for (int64_t d : shape)
        tooLarge |= __builtin_mul_overflow(count, d, &count) ||
                    count > kMaxRandomElements;
      if (tooLarge) {
        fail("input '" + name + "' of shape " + graph::formatShape(shape) +
             " is too large for a random input");
        return failure();
      }
      tensor = randomTensor(*dtype, shape, generator);
    }
    // Concrete argument shapes let graph-infer-shapes make every shape static.
    body.getArgument(i).setType(
        RankedTensorType::get(tensor.shape, type.getElementType()));
    inputs.push_back(std::move(tensor));
  }
  func.setType(FunctionType::get(func.getContext(), body.getArgumentTypes(),
                                 func.getResultTypes()));
  return inputs;
}

int dsc::tools::runEval() {
  MLIRContext context;
  context.loadDialect<graph::GraphDialect, func::FuncDialect>();
  onnx::ImportResult imported = onnx::importModel(modelPath, context);
  if (imported.status != onnx::ImportStatus::Ok) {
    llvm::errs() << "dsc eval: error: " << imported.message << "\n";
    return imported.status == onnx::ImportStatus::Unsupported ? kUnsupported
                                                              : kError;
  }
  ModuleOp module = *imported.module;
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return fail("the imported module has no @main");

  FailureOr<SmallVector<reference::Tensor>> inputs = bindInputs(func);
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

  if (!outputDir.empty())
    if (std::error_code error = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create '" + outputDir + "': " + error.message());
  llvm::StringMap<std::string> writtenBy;
  for (auto [index, tensor] : llvm::enumerate(*outputs)) {
    std::string name = nameOf(func.getResultAttrDict(index), index);
    printSummary(name, tensor);
    if (outputDir.empty())
      continue;
    std::string fileName = fileNameOf(name);
    auto [it, inserted] = writtenBy.try_emplace(fileName, name);
    if (!inserted && it->second != name)
      return fail("outputs '" + it->second + "' and '" + name +
                  "' would both be written to " + fileName);
    SmallString<256> path(outputDir);
    llvm::sys::path::append(path, fileName);
    if (llvm::Error error = reference::writeNpy(path, tensor))
      return fail(llvm::toString(std::move(error)));
  }
  return kSuccess;
}
