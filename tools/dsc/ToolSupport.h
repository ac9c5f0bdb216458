//===- ToolSupport.h - shared pieces of dsc subcommands ---------*- C++ -*-===//

#ifndef DSC_TOOLS_DSC_TOOLSUPPORT_H
#define DSC_TOOLS_DSC_TOOLSUPPORT_H

#include "compiler/onnx/Importer.h"
#include "compiler/reference/Reference.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/ADT/StringMap.h"
#include <string>

#include <vector>

namespace dsc::tools {

/// What a model input must be: name, dtype, shape (ShapedType::kDynamic
/// dimensions take their size from the given file, or 1 for random inputs).
struct InputSpec {
  std::string name;
  reference::DType dtype;
  std::vector<int64_t> shape;
  /// No declared rank: the given file's shape is taken (`shape` unused).
  bool unranked = false;
  /// A STRING input: U8 with a slot per string as the last dimension.
  bool text = false;
};

/// Binds `--input NAME=FILE.npy` arguments to the specs, drawing a random
/// tensor (seeded) for every input not given: floats uniform in [-1, 1),
/// integers in [0, 4] (valid as indices, sizes and counts), booleans 0/1,
/// strings of 1 to 8 ASCII letters.
/// Errors name the input at fault.
llvm::Expected<std::vector<reference::Tensor>>
bindInputs(llvm::ArrayRef<InputSpec> specs,
           llvm::ArrayRef<std::string> inputArgs, uint64_t seed);

/// Reads `NAME=FILE.npy` arguments (of option `flag`, for messages) into
/// tensors by name.
llvm::Expected<llvm::StringMap<reference::Tensor>>
readNamedTensors(llvm::ArrayRef<std::string> args, llvm::StringRef flag);

/// Reads `--sequence-length NAME=L`, `--absent NAME` and `--input-shape
/// NAME=D0,D1,...` arguments into `options` (sequence graph inputs, optional
/// inputs left out, shapes of inputs declared without one).
llvm::Error readBoundaryOptions(llvm::ArrayRef<std::string> sequenceLengths,
                                llvm::ArrayRef<std::string> absent,
                                llvm::ArrayRef<std::string> inputShapes,
                                onnx::ImportOptions &options);

/// `NAME` with every character outside [A-Za-z0-9_.-] replaced by '_'.
std::string sanitizeFileName(llvm::StringRef name);

/// Writes each tensor to DIR/<sanitized name>.npy (DIR is created); refuses
/// two outputs whose names map to the same file.
llvm::Error writeOutputs(llvm::StringRef dir, llvm::ArrayRef<std::string> names,
                         llvm::ArrayRef<reference::Tensor> tensors);

/// Checks the option `--string-bytes` (1 to onnx::kMaxStringBytes).
llvm::Error checkStringBytes(int64_t bytes);

/// One line per tensor: name, dtype, shape, the first values (strings for
/// a string tensor).
void printSummary(llvm::raw_ostream &os, llvm::StringRef name,
                  const reference::Tensor &tensor);

} // namespace dsc::tools

#endif // DSC_TOOLS_DSC_TOOLSUPPORT_H
