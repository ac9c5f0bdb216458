//===- ToolSupport.cpp - shared pieces of dsc subcommands -----------------===//

#include "tools/dsc/ToolSupport.h"

#include "compiler/reference/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <random>

using namespace dsc;
using namespace dsc::tools;

llvm::Expected<std::vector<reference::Tensor>>
dsc::tools::bindInputs(llvm::ArrayRef<InputSpec> specs,
                       llvm::ArrayRef<std::string> inputArgs, uint64_t seed) {
  llvm::StringMap<std::string> files;
  for (const std::string &arg : inputArgs) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (path.empty())
      return llvm::createStringError("--input '" + arg +
                                     "' is not of the form NAME=FILE.npy");
    if (llvm::none_of(specs, [&](const InputSpec &s) { return s.name == name; }))
      return llvm::createStringError("--input names '" + name.str() +
                                     "', which is not an input of the model");
    files[name] = path.str();
  }
  std::mt19937_64 rng(seed);
  std::vector<reference::Tensor> tensors;
  for (const InputSpec &spec : specs) {
    auto it = files.find(spec.name);
    if (it != files.end()) {
      auto tensor = reference::readNpy(it->second);
      if (!tensor)
        return tensor.takeError();
      if (auto error = reference::checkCompatible(*tensor, spec.dtype,
                                                  spec.shape, spec.name))
        return std::move(error);
      tensors.push_back(std::move(*tensor));
      continue;
    }
    reference::Tensor tensor;
    tensor.dtype = spec.dtype;
    tensor.shape = spec.shape;
    tensor.data.resize(tensor.numElements());
    std::uniform_real_distribution<double> real(-1.0, 1.0);
    std::uniform_int_distribution<int64_t> integer(0, 99);
    for (double &v : tensor.data) {
      switch (spec.dtype) {
      case reference::DType::F32:
      case reference::DType::F16:
      case reference::DType::BF16:
      case reference::DType::F64:
        v = reference::roundTo(spec.dtype, real(rng));
        break;
      case reference::DType::Bool:
        v = integer(rng) % 2;
        break;
      default:
        v = reference::roundTo(spec.dtype, integer(rng));
      }
    }
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

std::string dsc::tools::sanitizeFileName(llvm::StringRef name) {
  std::string result;
  for (char c : name)
    result += (llvm::isAlnum(c) || c == '_' || c == '.' || c == '-') ? c : '_';
  return result;
}

llvm::Error dsc::tools::writeOutputs(llvm::StringRef dir,
                                     llvm::ArrayRef<std::string> names,
                                     llvm::ArrayRef<reference::Tensor> tensors) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create '" + dir.str() +
                                   "': " + ec.message());
  for (auto [name, tensor] : llvm::zip(names, tensors)) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, sanitizeFileName(name) + ".npy");
    if (auto error = reference::writeNpy(path, tensor))
      return error;
  }
  return llvm::Error::success();
}

void dsc::tools::printSummary(llvm::raw_ostream &os, llvm::StringRef name,
                              const reference::Tensor &tensor) {
  os << "  " << name << ": " << reference::dtypeName(tensor.dtype) << "[";
  llvm::interleave(tensor.shape, os, "x");
  os << "] = [";
  size_t shown = std::min<size_t>(tensor.data.size(), 6);
  for (size_t i = 0; i < shown; ++i)
    os << (i ? ", " : "") << llvm::formatv("{0:g}", tensor.data[i]);
  if (shown < tensor.data.size())
    os << ", ...";
  os << "]\n";
}
