//===- ToolSupport.cpp - shared pieces of dsc subcommands -----------------===//

#include "tools/dsc/ToolSupport.h"

#include "compiler/reference/Npy.h"
#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <random>

using namespace dsc;
using namespace dsc::tools;

static constexpr int64_t kMaxRandomElements = int64_t(1) << 28;
/// Bytes of each string a summary line shows.
static constexpr size_t kSummaryStringBytes = 40;

static llvm::Error inputError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static reference::Tensor randomTensor(reference::DType dtype,
                                      llvm::ArrayRef<int64_t> shape,
                                      std::mt19937_64 &generator) {
  reference::Tensor tensor;
  tensor.dtype = dtype;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data.resize(tensor.numElements());
  std::uniform_real_distribution<double> real(-1.0, 1.0);
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

llvm::Expected<std::vector<reference::Tensor>>
dsc::tools::bindInputs(llvm::ArrayRef<InputSpec> specs,
                       llvm::ArrayRef<std::string> inputArgs, uint64_t seed) {
  llvm::StringMap<std::string> files;
  for (const std::string &arg : inputArgs) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (name.empty() || path.empty())
      return inputError("--input expects NAME=FILE.npy, got '" + arg + "'");
    if (llvm::none_of(specs, [&, name = name](const InputSpec &spec) {
          return spec.name == name;
        })) {
      std::string known;
      for (const InputSpec &spec : specs)
        known += (known.empty() ? "'" : ", '") + spec.name + "'";
      return inputError(
          "the model has no input '" + name +
          "'; its inputs are: " + (known.empty() ? "none" : known));
    }
    if (!files.try_emplace(name, path.str()).second)
      return inputError("input '" + name + "' is given twice");
  }

  std::mt19937_64 generator(seed);
  std::vector<reference::Tensor> tensors;
  for (const InputSpec &spec : specs) {
    auto it = files.find(spec.name);
    if (it != files.end()) {
      llvm::Expected<reference::Tensor> tensor = reference::readNpy(it->second);
      if (!tensor)
        return inputError("input '" + spec.name +
                          "': " + llvm::toString(tensor.takeError()));
      if (llvm::Error error = reference::checkCompatible(
              *tensor, spec.dtype, spec.unranked ? tensor->shape : spec.shape,
              it->second))
        return inputError("input '" + spec.name +
                          "': " + llvm::toString(std::move(error)));
      tensors.push_back(std::move(*tensor));
      continue;
    }
    if (spec.unranked)
      return inputError("input '" + spec.name +
                        "' has no declared shape: give it with --input");
    std::vector<int64_t> shape = spec.shape;
    int64_t count = 1;
    bool tooLarge = false;
    for (int64_t &d : shape) {
      if (mlir::ShapedType::isDynamic(d)) {
        d = 1;
        llvm::errs() << "dsc: note: input '" << spec.name
                     << "' has a dynamic dimension; using 1\n";
      }
      tooLarge |= __builtin_mul_overflow(count, d, &count) ||
                  count > kMaxRandomElements;
    }
    if (tooLarge)
      return inputError("input '" + spec.name + "' of shape " +
                        graph::formatShape(shape) +
                        " is too large for a random input");
    if (spec.text && !shape.empty()) {
      std::uniform_int_distribution<int> length(
          1, static_cast<int>(std::min<int64_t>(8, shape.back())));
      std::uniform_int_distribution<int> letter('a', 'z');
      std::vector<std::string> strings(count /
                                       std::max<int64_t>(1, shape.back()));
      for (std::string &s : strings)
        for (int n = length(generator); n > 0; --n)
          s += static_cast<char>(letter(generator));
      tensors.push_back(reference::stringTensor(
          llvm::ArrayRef<int64_t>(shape).drop_back(), strings, shape.back()));
      continue;
    }
    tensors.push_back(randomTensor(spec.dtype, shape, generator));
  }
  return tensors;
}

llvm::Expected<llvm::StringMap<reference::Tensor>>
dsc::tools::readNamedTensors(llvm::ArrayRef<std::string> args,
                             llvm::StringRef flag) {
  llvm::StringMap<reference::Tensor> tensors;
  for (const std::string &arg : args) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (name.empty() || path.empty())
      return inputError("--" + flag + " expects NAME=FILE.npy, got '" + arg +
                        "'");
    llvm::Expected<reference::Tensor> tensor = reference::readNpy(path);
    if (!tensor)
      return inputError("--" + flag + " " + name + ": " +
                        llvm::toString(tensor.takeError()));
    if (!tensors.try_emplace(name, std::move(*tensor)).second)
      return inputError("--" + flag + " " + name + " is given twice");
  }
  return tensors;
}

std::string dsc::tools::sanitizeFileName(llvm::StringRef name) {
  std::string result;
  for (char c : name)
    result += (llvm::isAlnum(c) || c == '_' || c == '.' || c == '-') ? c : '_';
  return result;
}

llvm::Error
dsc::tools::writeOutputs(llvm::StringRef dir, llvm::ArrayRef<std::string> names,
                         llvm::ArrayRef<reference::Tensor> tensors) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return inputError("cannot create '" + dir + "': " + ec.message());
  llvm::StringMap<std::string> writtenBy;
  for (auto [name, tensor] : llvm::zip(names, tensors)) {
    std::string fileName = sanitizeFileName(name) + ".npy";
    auto [it, inserted] = writtenBy.try_emplace(fileName, name);
    if (!inserted)
      return inputError("outputs '" + it->second + "' and '" + name +
                        "' would both be written to " + fileName);
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, fileName);
    if (auto error = reference::writeNpy(path, tensor))
      return error;
  }
  return llvm::Error::success();
}

llvm::Error dsc::tools::checkStringBytes(int64_t bytes) {
  if (bytes < 1 || bytes > onnx::kMaxStringBytes)
    return inputError("--string-bytes must be in [1, " +
                      llvm::Twine(onnx::kMaxStringBytes) + "], got " +
                      llvm::Twine(bytes));
  return llvm::Error::success();
}

void dsc::tools::printSummary(llvm::raw_ostream &os, llvm::StringRef name,
                              const reference::Tensor &tensor) {
  if (tensor.text && !tensor.shape.empty()) {
    llvm::ArrayRef<int64_t> shape(tensor.shape);
    os << "  " << name << ": string[" << graph::formatShape(shape.drop_back())
       << "] = [";
    std::vector<std::string> strings = reference::stringsOf(tensor);
    size_t shown = std::min<size_t>(strings.size(), 6);
    for (size_t i = 0; i < shown; ++i) {
      // UTF-8 as it is; control characters, quotes and backslashes escaped.
      os << (i ? ", " : "") << '"';
      llvm::StringRef text(strings[i]);
      for (char c : text.take_front(kSummaryStringBytes)) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' ||
            c == '\\')
          os << "\\x" << llvm::format_hex_no_prefix(c & 0xff, 2);
        else
          os << c;
      }
      os << (text.size() > kSummaryStringBytes ? "...\"" : "\"");
    }
    if (shown < strings.size())
      os << ", ...";
    os << "]\n";
    return;
  }
  os << "  " << name << ": " << reference::dtypeName(tensor.dtype) << "["
     << graph::formatShape(tensor.shape) << "] = [";
  size_t shown = std::min<size_t>(tensor.data.size(), 6);
  for (size_t i = 0; i < shown; ++i)
    os << (i ? ", " : "") << llvm::formatv("{0:g}", tensor.data[i]);
  if (shown < tensor.data.size())
    os << ", ...";
  os << "]\n";
}

llvm::Error
dsc::tools::readBoundaryOptions(llvm::ArrayRef<std::string> sequenceLengths,
                                llvm::ArrayRef<std::string> absent,
                                llvm::ArrayRef<std::string> inputShapes,
                                onnx::ImportOptions &options) {
  for (const std::string &arg : sequenceLengths) {
    auto [name, value] = llvm::StringRef(arg).split('=');
    int64_t length;
    if (name.empty() || value.getAsInteger(10, length) || length < 0)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "--sequence-length expects NAME=L with L >= 0, got '" + arg + "'");
    if (!options.sequenceLengths.try_emplace(name, length).second)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--sequence-length " + name +
                                         " is given twice");
  }
  for (const std::string &name : absent)
    options.absentInputs.insert(name);
  for (const std::string &arg : inputShapes) {
    auto [name, dims] = llvm::StringRef(arg).split('=');
    llvm::SmallVector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    if (!dims.empty())
      dims.split(parts, ',');
    bool bad = name.empty() || !llvm::StringRef(arg).contains('=');
    for (llvm::StringRef part : parts) {
      int64_t dim;
      bad |= part.trim().getAsInteger(10, dim) || dim < 0;
      shape.push_back(bad ? 0 : dim);
    }
    if (bad)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "--input-shape expects NAME=D0,D1,... (NAME= for a scalar), got '" +
              arg + "'");
    if (!options.inputShapes.try_emplace(name, std::move(shape)).second)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--input-shape " + name +
                                         " is given twice");
  }
  return llvm::Error::success();
}
