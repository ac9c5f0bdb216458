//===- Importer.h - ONNX model to graph dialect -----------------*- C++ -*-===//

#ifndef DSC_COMPILER_ONNX_IMPORTER_H
#define DSC_COMPILER_ONNX_IMPORTER_H

#include "compiler/reference/Reference.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace dsc::onnx {

enum class ImportStatus {
  Ok,
  /// The model is valid but uses an op, attribute value or dtype dsc does not
  /// support (the driver exits with code 2).
  Unsupported,
  /// The file is not a valid model (malformed protobuf, missing external data,
  /// inconsistent graph).
  Invalid,
};

/// The largest string slot: of a STRING input (`--string-bytes`) and of a
/// constant (its longest string).
constexpr int64_t kMaxStringBytes = 65536;

struct ImportOptions {
  /// Graph inputs fixed to a value: each becomes a constant instead of an
  /// argument, which specializes the model to it. This is how a model whose
  /// shapes depend on an input's value (a Reshape target, Slice bounds, Range
  /// limits fed as graph inputs) compiles to a static plan.
  llvm::StringMap<reference::Tensor> inputValues;
  /// Named dimensions (ONNX `dim_param`) fixed to a size: every input and
  /// output dimension of that name takes it (`--dim NAME=N`).
  llvm::StringMap<int64_t> dimValues;
  /// The length of each sequence graph input (`--sequence-length S=L`): the
  /// input becomes L tensor arguments named `S[0]` ... `S[L-1]`.
  llvm::StringMap<int64_t> sequenceLengths;
  /// Optional graph inputs the caller does not give (`--absent NAME`): they
  /// hold no value, which is known at import.
  llvm::StringSet<> absentInputs;
  /// Shapes of graph inputs whose declared shape is unknown or has
  /// dimensions without a size (`--input-shape NAME=2,3`); the tensors of a
  /// sequence input are named `S[i]`. The given shape must agree with the
  /// declared one.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// The slot of a STRING graph input: each string is held as up to this
  /// many UTF-8 bytes, NUL-padded, along an extra last dimension of u8
  /// (`--string-bytes`).
  int64_t stringBytes = 64;
};

/// A dimension of a graph input that the model leaves open.
struct OpenDimension {
  std::string input;
  int64_t axis = 0;
  /// The ONNX `dim_param`; empty when the dimension has no name.
  std::string name;
};

struct ImportResult {
  ImportStatus status = ImportStatus::Invalid;
  /// One line naming what is wrong and where (node name, op_type, domain,
  /// opset) when status is not Ok.
  std::string message;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// When status is Unsupported because a node needs the value of a graph
  /// input at import: that input's name (import again with it in
  /// ImportOptions::inputValues).
  std::string inputNeededAtImport;
  /// When status is Unsupported because a sequence graph input has no length
  /// in ImportOptions::sequenceLengths: that input's name.
  std::string sequenceLengthNeeded;
  /// Graph outputs that give no tensor: empty sequences and optionals that
  /// hold no value (legal; the caller is told).
  std::vector<std::string> emptyOutputs;
  /// Graph input dimensions left open (neither a size in the model nor one
  /// in ImportOptions::dimValues): such inputs have dynamic types.
  std::vector<OpenDimension> openDimensions;
};

/// Imports `path` into a module holding `func.func @main`. Arguments and
/// results carry their ONNX names as `graph.name` attributes; results whose
/// shapes the model does not state are unranked until graph-infer-shapes.
/// (Where the model states an output shape, the importer infers the shapes
/// that lead to it and checks the statement: an inconsistent model is
/// Invalid.) Large initializers become `dense_resource` blobs. External data is
/// read relative to the model's folder.
ImportResult importModel(llvm::StringRef path, mlir::MLIRContext &context,
                         const ImportOptions &options = {});

/// The same, for a model already in memory; external data is read relative to
/// `baseDir`.
ImportResult importModelFromBytes(llvm::StringRef bytes,
                                  llvm::StringRef baseDir,
                                  mlir::MLIRContext &context,
                                  const ImportOptions &options = {});

} // namespace dsc::onnx

#endif // DSC_COMPILER_ONNX_IMPORTER_H
