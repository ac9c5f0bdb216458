//===- NodeImporter.h - what an op importer sees of its node ----*- C++ -*-===//
//
// Internal to the importer: the state shared by the graph walk and the
// per-op builders in OpImporters.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_COMPILER_ONNX_NODEIMPORTER_H
#define DSC_COMPILER_ONNX_NODEIMPORTER_H

#include "compiler/onnx/Importer.h"
#include "compiler/reference/Reference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx.pb.h"

#include <functional>
#include <optional>

namespace dsc::onnx::importer {

/// A sequence value inside the graph: the importer keeps it as the static
/// list of its tensors, so that no sequence type reaches the graph dialect.
struct Sequence {
  llvm::SmallVector<mlir::Value> elements;
  /// The tensors' element type (known even when the list is empty).
  mlir::Type elementType;
};

/// A value bound to an ONNX name: a tensor or a sequence (subgraph inputs
/// and outputs are either).
struct BoundValue {
  mlir::Value tensor;
  std::optional<Sequence> sequence;
  /// An optional that holds no value (neither `tensor` nor `sequence`).
  bool absent = false;
};

/// State of one import. The first error wins: later failures only unwind.
struct ImportState {
  explicit ImportState(mlir::MLIRContext &context)
      : context(context), builder(&context) {}

  mlir::LogicalResult fail(ImportStatus status, const llvm::Twine &message) {
    if (!error) {
      error = status;
      // Names come from the file and may hold any byte: control characters
      // are escaped so that the message stays one line.
      for (char c : message.str()) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          errorMessage += "\\x" + llvm::utohexstr(c & 0xff, false, 2);
        else
          errorMessage += c;
      }
    }
    return mlir::failure();
  }

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  /// The model's folder: external data is read relative to it.
  std::string baseDir;
  /// Opset version per domain ("" is ai.onnx).
  llvm::StringMap<int64_t> opsets;
  /// Every ONNX value name defined so far.
  llvm::StringMap<mlir::Value> values;
  /// Every sequence value name defined so far (SequenceImporters.cpp).
  llvm::StringMap<Sequence> sequences;
  /// Names bound to an optional that holds no value: whether an optional
  /// holds one is known at import, so these reach no op of the graph.
  llvm::StringSet<> absent;
  /// Names read by some node or returned by the graph (subgraphs included).
  llvm::StringSet<> consumed;
  /// Imports one node into the current block (set by the graph walk): the
  /// control-flow importers inline subgraphs through it.
  std::function<mlir::LogicalResult(const ::onnx::NodeProto &, int)> importNode;
  /// The last op of the block whose shapes inferShapesSoFar inferred.
  mlir::Operation *shapesInferredThrough = nullptr;
  /// Subgraph iterations inlined so far (Loop, Scan), and subgraph nodes
  /// imported so far, against bounds.
  int64_t unrolledIterations = 0;
  int64_t inlinedNodes = 0;
  std::optional<ImportStatus> error;
  std::string errorMessage;
  /// The last error diagnostic MLIR emitted (verifier, shape inference).
  std::string lastDiagnostic;
  /// Graph inputs fixed to values (ImportOptions::inputValues).
  const llvm::StringMap<reference::Tensor> *inputValues = nullptr;
  /// Named dimensions fixed to sizes (ImportOptions::dimValues) and the
  /// names that some input or output used.
  const llvm::StringMap<int64_t> *dimValues = nullptr;
  llvm::StringSet<> dimValuesUsed;
  /// Graph input dimensions left open.
  std::vector<OpenDimension> openDimensions;
  /// Sequence lengths of sequence graph inputs and the optional graph inputs
  /// the caller leaves out (ImportOptions).
  const llvm::StringMap<int64_t> *sequenceLengths = nullptr;
  const llvm::StringSet<> *absentInputs = nullptr;
  const llvm::StringMap<llvm::SmallVector<int64_t>> *inputShapes = nullptr;
  /// The sequence graph input whose length was needed but not given.
  std::string sequenceLengthNeeded;
  /// Graph outputs that give no tensor (ImportResult::emptyOutputs).
  std::vector<std::string> emptyOutputs;
  /// The graph input whose value a node needed at import, when that failed.
  std::string inputNeededAtImport;
  /// Values holding ONNX STRING tensors: u8 with one slot of UTF-8 bytes
  /// per string as the last dimension (ImportOptions::stringBytes for graph
  /// inputs, the longest string for constants).
  llvm::DenseSet<mlir::Value> strings;
  int64_t stringBytes = 64;
};

/// The MLIR element type of an ONNX TensorProto data type; nullptr when dsc
/// does not support it.
mlir::Type elementTypeOf(int32_t onnxType, mlir::MLIRContext &context);
/// The ONNX name of a TensorProto data type, for messages.
std::string onnxTypeName(int32_t onnxType);

/// Converts an initializer or attribute tensor (inline or external data).
/// `what` names it in messages. A STRING tensor is refused unless
/// `allowStrings` (its slots are the longest string's length).
mlir::FailureOr<mlir::ElementsAttr>
importTensor(const ::onnx::TensorProto &tensor, llvm::StringRef what,
             ImportState &state, bool allowStrings = false);

/// The u8 slots of `strings` (row-major, of `shape`) as a constant's value,
/// each slot the longest string's length; refuses sizes too large to hold.
mlir::FailureOr<mlir::ElementsAttr>
stringConstant(llvm::ArrayRef<int64_t> shape,
               llvm::ArrayRef<std::string> strings, llvm::StringRef what,
               ImportState &state);

/// Refines the result types of the ops built so far, in order, as
/// graph-infer-shapes would. Used where ONNX semantics depend on a rank
/// (legacy opsets) and to check the output shapes a model declares.
mlir::LogicalResult inferShapesSoFar(ImportState &state);

/// What an op importer sees of its node: inputs, attributes, outputs, and
/// error reporting that names the node.
class NodeImporter {
public:
  NodeImporter(const ::onnx::NodeProto &node, int index, int64_t opset,
               ImportState &state, mlir::Location loc)
      : node(node), index(index), opsetVersion(opset), state(state), loc(loc) {}

  int64_t opset() const { return opsetVersion; }
  mlir::OpBuilder &builder() { return state.builder; }
  mlir::Location location() const { return loc; }
  mlir::MLIRContext *context() { return &state.context; }
  const ::onnx::NodeProto &proto() const { return node; }
  /// `node 'name' (op_type 'X', domain 'ai.onnx', opset N)`.
  std::string describe() const;

  /// Number of inputs as written (absent optional inputs included).
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned i) const {
    return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
  }
  /// The value of input `i`; null when absent.
  mlir::Value input(unsigned i) const;
  /// Fails (Invalid) unless inputs [0, count) are present.
  mlir::LogicalResult requireInputs(unsigned count);

  /// Whether input `i` names a sequence value.
  bool isSequenceInput(unsigned i) const {
    return hasInput(i) && state.sequences.count(node.input(i));
  }
  /// The sequence of input `i`; fails (Invalid) when it is not one.
  mlir::FailureOr<Sequence> sequenceInput(unsigned i);
  void setSequenceOutput(unsigned i, Sequence sequence);

  /// Whether input `i` names an optional that holds no value.
  bool isAbsentInput(unsigned i) const {
    return hasInput(i) && state.absent.contains(node.input(i));
  }
  /// Binds output `i` to an optional that holds no value.
  void setAbsentOutput(unsigned i) {
    if (static_cast<int>(i) < node.output_size() && !node.output(i).empty())
      state.absent.insert(node.output(i));
  }

  /// Whether input `i` holds a STRING tensor.
  bool isStringInput(unsigned i) const {
    return hasInput(i) && state.strings.contains(input(i));
  }
  /// Binds output `i` to `value`, a STRING tensor.
  void setStringOutput(unsigned i, mlir::Value value) {
    state.strings.insert(value);
    setOutput(i, value);
  }

  /// Whether output `i` is named and read by a node or the graph.
  bool outputUsed(unsigned i) const;
  void setOutput(unsigned i, mlir::Value value);

  const ::onnx::AttributeProto *attribute(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> intAttr(llvm::StringRef name, int64_t fallback);
  mlir::FailureOr<float> floatAttr(llvm::StringRef name, float fallback);
  mlir::FailureOr<std::string> stringAttr(llvm::StringRef name,
                                          llvm::StringRef fallback);
  /// nullopt when the attribute is absent.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  intsAttr(llvm::StringRef name);

  /// The value of input `i`, which must be known at import: an initializer,
  /// a Constant node, or ops computing from those and from static shapes
  /// (Shape -> Gather -> Concat chains of exported models); `what` names it
  /// in the Unsupported message otherwise.
  mlir::FailureOr<reference::Tensor> constantTensor(unsigned i,
                                                    llvm::StringRef what);
  /// The value of `value`, known at import as for constantTensor.
  mlir::FailureOr<reference::Tensor> constantValue(mlir::Value value,
                                                   const llvm::Twine &what);
  /// The integers of input `i` (an integer tensor of rank 0 or 1, known at
  /// import as for constantTensor).
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef what);

  /// The ranked type of `value`, inferring the shapes of the graph built so
  /// far when needed (legacy opset semantics depend on ranks). Fails
  /// (Unsupported) when the rank cannot be known at import.
  mlir::FailureOr<mlir::RankedTensorType> rankedType(mlir::Value value,
                                                     llvm::StringRef what);

  /// A rank-0 constant of `elementType`.
  mlir::Value scalarConstant(mlir::Type elementType, double value);
  /// The type of a result whose shape graph-infer-shapes will find.
  static mlir::Type unranked(mlir::Type elementType) {
    return mlir::UnrankedTensorType::get(elementType);
  }
  static mlir::Type elementTypeOf(mlir::Value value) {
    return mlir::cast<mlir::ShapedType>(value.getType()).getElementType();
  }

  mlir::LogicalResult unsupported(const llvm::Twine &reason) {
    return state.fail(ImportStatus::Unsupported, describe() + ": " + reason);
  }
  mlir::LogicalResult invalid(const llvm::Twine &reason) {
    return state.fail(ImportStatus::Invalid, describe() + ": " + reason);
  }

  ImportState &importState() { return state; }

private:
  const ::onnx::NodeProto &node;
  int index;
  int64_t opsetVersion;
  ImportState &state;
  mlir::Location loc;
};

/// One importer per op_type of the default domain. `sinceVersion` is the
/// first opset that defines the op.
struct OpImporter {
  int64_t sinceVersion;
  mlir::LogicalResult (*build)(NodeImporter &node);
  /// Whether the op reads sequence inputs (the others reject them).
  bool takesSequences = false;
  /// Whether the op reads optionals that hold no value (the others reject
  /// them).
  bool takesAbsent = false;
  /// Whether the op reads STRING tensors (the others reject them: their
  /// slot dimension is no dimension of the ONNX tensor).
  bool takesStrings = false;
};

/// The spelling of an element type, for messages.
std::string typeName(mlir::Type type);

/// Builds `OpTy` with an unranked result of `elementType`.
template <typename OpTy, typename... Args>
mlir::Value build(NodeImporter &node, mlir::Type elementType, Args &&...args) {
  return node.builder().create<OpTy>(
      node.location(), node.unranked(elementType), std::forward<Args>(args)...);
}

/// Fails (Unsupported) unless `value` has a floating-point element type:
/// activations are defined on floats only.
mlir::LogicalResult requireFloat(NodeImporter &node, mlir::Value value);

/// A splat constant of `shape`.
mlir::Value splatConstant(NodeImporter &node, llvm::ArrayRef<int64_t> shape,
                          mlir::Type elementType, double value);

/// The importers of the op families kept in their own files: NN ops
/// (NnImporters.cpp), RNN/GRU/LSTM (RecurrentImporters.cpp), tensor/index/
/// loss/quantization ops (TensorImporters.cpp).
llvm::StringMap<OpImporter> nnOpImporters();
llvm::StringMap<OpImporter> recurrentOpImporters();
llvm::StringMap<OpImporter> tensorOpImporters();
/// Signal, sampling and n-gram ops (SignalImporters.cpp).
llvm::StringMap<OpImporter> signalOpImporters();
/// Sequence ops (SequenceImporters.cpp), static control flow and Gradient
/// (ControlFlowImporters.cpp).
llvm::StringMap<OpImporter> sequenceOpImporters();
llvm::StringMap<OpImporter> controlFlowOpImporters();
/// Ops on STRING tensors (StringImporters.cpp).
llvm::StringMap<OpImporter> stringOpImporters();

/// Imports `graph` (a subgraph of the node being imported) inline into the
/// current block: its inputs are bound to `inputs`, outer-scope names stay
/// visible, and the names it defines are forgotten afterwards. Its outputs
/// are returned in order. `what` names it in messages.
mlir::FailureOr<llvm::SmallVector<BoundValue>>
importSubgraph(NodeImporter &node, const ::onnx::GraphProto &graph,
               llvm::ArrayRef<BoundValue> inputs, const llvm::Twine &what);

/// The op importers by op_type (`domain:op_type` outside the default
/// domain); nullptr for an op dsc does not import.
const OpImporter *lookupOpImporter(llvm::StringRef opType);

} // namespace dsc::onnx::importer

#endif // DSC_COMPILER_ONNX_NODEIMPORTER_H
