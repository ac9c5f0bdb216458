//===- Importer.cpp - ONNX model to graph dialect -------------------------===//
//
// Walks the ONNX graph once in its (topological) node order: graph inputs
// become function arguments, initializers graph.constant ops, and each node is
// handed to the importer of its op_type (OpImporters.cpp). Every failure is
// reported once, as one line, with a status; nothing here may crash on a
// malformed file.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/Importer.h"
#include "compiler/onnx/NodeImporter.h"

#include "compiler/reference/Npy.h"
#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

/// The newest opset of the default domain whose semantics the op importers
/// know. Opsets 18-22 changed only the type lists of the supported ops.
static constexpr int64_t kMaxOpset = 22;
/// Tensors a sequence graph input may hold, at most.
static constexpr int64_t kMaxSequenceInputLength = 4096;

//===----------------------------------------------------------------------===//
// Element types and tensors
//===----------------------------------------------------------------------===//

Type importer::elementTypeOf(int32_t onnxType, MLIRContext &context) {
  Builder builder(&context);
  switch (onnxType) {
  case ::onnx::TensorProto::FLOAT:
    return builder.getF32Type();
  case ::onnx::TensorProto::FLOAT16:
    return builder.getF16Type();
  case ::onnx::TensorProto::BFLOAT16:
    return builder.getBF16Type();
  case ::onnx::TensorProto::DOUBLE:
    return builder.getF64Type();
  case ::onnx::TensorProto::INT64:
    return builder.getI64Type();
  case ::onnx::TensorProto::INT32:
    return builder.getI32Type();
  case ::onnx::TensorProto::INT16:
    return builder.getI16Type();
  case ::onnx::TensorProto::INT8:
    return builder.getI8Type();
  // Unsigned types stay unsigned (ui8, ...) so that casts, comparisons and
  // divisions keep their meaning.
  case ::onnx::TensorProto::UINT8:
    return IntegerType::get(&context, 8, IntegerType::Unsigned);
  case ::onnx::TensorProto::UINT16:
    return IntegerType::get(&context, 16, IntegerType::Unsigned);
  case ::onnx::TensorProto::UINT32:
    return IntegerType::get(&context, 32, IntegerType::Unsigned);
  case ::onnx::TensorProto::UINT64:
    return IntegerType::get(&context, 64, IntegerType::Unsigned);
  case ::onnx::TensorProto::BOOL:
    return builder.getI1Type();
  default:
    return nullptr;
  }
}

std::string importer::onnxTypeName(int32_t onnxType) {
  if (::onnx::TensorProto::DataType_IsValid(onnxType))
    return ::onnx::TensorProto::DataType_Name(
        static_cast<::onnx::TensorProto::DataType>(onnxType));
  return "data type " + std::to_string(onnxType);
}

/// Reads the bytes of an initializer stored outside the model
/// (data_location = EXTERNAL), relative to the model's folder.
static LogicalResult readExternalData(const ::onnx::TensorProto &tensor,
                                      StringRef what, uint64_t expectedBytes,
                                      ImportState &state,
                                      std::vector<char> &bytes) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    auto parseNumber = [&](uint64_t &out) {
      return !StringRef(entry.value()).getAsInteger(10, out);
    };
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset") {
      if (!parseNumber(offset))
        return state.fail(ImportStatus::Invalid,
                          what + ": invalid external data offset '" +
                              entry.value() + "'");
    } else if (entry.key() == "length") {
      uint64_t value;
      if (!parseNumber(value))
        return state.fail(ImportStatus::Invalid,
                          what + ": invalid external data length '" +
                              entry.value() + "'");
      length = value;
    }
  }
  if (location.empty())
    return state.fail(ImportStatus::Invalid,
                      what + ": external data has no location");
  // The location is relative to the model's folder and may not leave it.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location),
                                    llvm::sys::path::end(location)),
                   [](StringRef part) { return part == ".."; }))
    return state.fail(ImportStatus::Invalid,
                      what + ": external data location '" + location +
                          "' is not a path inside the model's folder");
  SmallString<256> path(state.baseDir);
  llvm::sys::path::append(path, location);
  uint64_t fileSize;
  if (std::error_code error = llvm::sys::fs::file_size(path, fileSize))
    return state.fail(ImportStatus::Invalid,
                      what + ": cannot read external data file '" + path +
                          "': " + error.message());
  uint64_t size = length.value_or(expectedBytes);
  if (size != expectedBytes)
    return state.fail(ImportStatus::Invalid,
                      what + ": external data length " + Twine(size) +
                          " does not match the " + Twine(expectedBytes) +
                          " bytes of its shape and type");
  if (offset > fileSize || fileSize - offset < size)
    return state.fail(ImportStatus::Invalid,
                      what + ": external data file '" + path + "' holds " +
                          Twine(fileSize) + " bytes, too few for " +
                          Twine(size) + " bytes at offset " + Twine(offset));
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, size, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return state.fail(ImportStatus::Invalid,
                      what + ": cannot read external data file '" + path +
                          "': " + buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  bytes.assign(data.begin(), data.end());
  return success();
}

/// Copies the typed repeated field of a tensor into little-endian bytes of
/// `width` bytes per element.
template <typename Field, typename Convert>
static void packField(const Field &field, int64_t width,
                      std::vector<char> &bytes, Convert convert) {
  bytes.resize(field.size() * width);
  for (int i = 0; i < field.size(); ++i) {
    auto value = convert(field.Get(i));
    std::memcpy(bytes.data() + i * width, &value, width);
  }
}

/// A STRING tensor's `string_data` as a u8 tensor of slots (the longest
/// string's length).
static FailureOr<ElementsAttr> importStrings(const ::onnx::TensorProto &tensor,
                                             StringRef what,
                                             ImportState &state) {
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim != 0 && count > (int64_t(1) << 30) / dim))
      return state.fail(ImportStatus::Invalid, what + " has an invalid shape");
    count *= dim;
    shape.push_back(dim);
  }
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL ||
      tensor.has_raw_data())
    return state.fail(ImportStatus::Invalid,
                      what + " is a STRING tensor whose strings are not in "
                             "string_data");
  if (tensor.string_data_size() != count)
    return state.fail(ImportStatus::Invalid,
                      what + " has " + Twine(tensor.string_data_size()) +
                          " strings but its shape holds " + Twine(count));
  std::vector<std::string> strings(tensor.string_data().begin(),
                                   tensor.string_data().end());
  return importer::stringConstant(shape, strings, what, state);
}

FailureOr<ElementsAttr> importer::stringConstant(ArrayRef<int64_t> shape,
                                                 ArrayRef<std::string> strings,
                                                 StringRef what,
                                                 ImportState &state) {
  // Every string takes the longest one's slot.
  int64_t longest = 1;
  for (const std::string &s : strings)
    longest = std::max<int64_t>(longest, s.size());
  int64_t count = strings.size();
  if (longest > kMaxStringBytes || count > (int64_t(1) << 28) / longest)
    return state.fail(ImportStatus::Unsupported,
                      what + " is too large: " + Twine(count) +
                          " strings in slots of " + Twine(longest) + " bytes");
  return reference::toAttr(reference::stringTensor(shape, strings),
                           &state.context, "strings");
}

FailureOr<ElementsAttr>
importer::importTensor(const ::onnx::TensorProto &tensor, StringRef what,
                       ImportState &state, bool allowStrings) {
  if (tensor.data_type() == ::onnx::TensorProto::STRING) {
    if (!allowStrings)
      return state.fail(ImportStatus::Unsupported,
                        what + " is a STRING tensor, which is only supported "
                               "as a graph input, initializer or Constant");
    return importStrings(tensor, what, state);
  }
  Type elementType = elementTypeOf(tensor.data_type(), state.context);
  if (!elementType)
    return state.fail(ImportStatus::Unsupported,
                      what + " has element type " +
                          onnxTypeName(tensor.data_type()) +
                          ", which dsc does not support");
  reference::DType dtype = *reference::dtypeOf(elementType);
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return state.fail(ImportStatus::Invalid,
                        what + " has negative dimension " + Twine(dim));
    if (dim != 0 && count > (int64_t(1) << 40) / dim)
      return state.fail(ImportStatus::Invalid, what + " is too large");
    count *= dim;
    shape.push_back(dim);
  }
  if (tensor.has_segment())
    return state.fail(ImportStatus::Unsupported,
                      what + " is segmented, which dsc does not support");
  int64_t width = reference::byteSize(dtype);
  uint64_t expectedBytes = static_cast<uint64_t>(count) * width;
  std::vector<char> bytes;
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL) {
    if (failed(readExternalData(tensor, what, expectedBytes, state, bytes)))
      return failure();
  } else if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != expectedBytes)
      return state.fail(ImportStatus::Invalid,
                        what + " has " + Twine(raw.size()) +
                            " bytes of raw data but its shape and type need " +
                            Twine(expectedBytes));
    bytes.assign(raw.begin(), raw.end());
  } else {
    int64_t available = 0;
    switch (tensor.data_type()) {
    case ::onnx::TensorProto::FLOAT:
      available = tensor.float_data_size();
      packField(tensor.float_data(), width, bytes, [](float v) { return v; });
      break;
    case ::onnx::TensorProto::DOUBLE:
      available = tensor.double_data_size();
      packField(tensor.double_data(), width, bytes, [](double v) { return v; });
      break;
    case ::onnx::TensorProto::INT64:
      available = tensor.int64_data_size();
      packField(tensor.int64_data(), width, bytes, [](int64_t v) { return v; });
      break;
    case ::onnx::TensorProto::INT32:
      available = tensor.int32_data_size();
      packField(tensor.int32_data(), width, bytes, [](int32_t v) { return v; });
      break;
    case ::onnx::TensorProto::INT8:
    case ::onnx::TensorProto::UINT8:
    case ::onnx::TensorProto::BOOL:
      available = tensor.int32_data_size();
      packField(tensor.int32_data(), width, bytes,
                [](int32_t v) { return static_cast<uint8_t>(v); });
      break;
    case ::onnx::TensorProto::INT16:
    case ::onnx::TensorProto::UINT16:
      available = tensor.int32_data_size();
      packField(tensor.int32_data(), width, bytes,
                [](int32_t v) { return static_cast<uint16_t>(v); });
      break;
    case ::onnx::TensorProto::UINT32:
      available = tensor.uint64_data_size();
      packField(tensor.uint64_data(), width, bytes,
                [](uint64_t v) { return static_cast<uint32_t>(v); });
      break;
    case ::onnx::TensorProto::UINT64:
      available = tensor.uint64_data_size();
      packField(tensor.uint64_data(), width, bytes,
                [](uint64_t v) { return v; });
      break;
    case ::onnx::TensorProto::FLOAT16:
    case ::onnx::TensorProto::BFLOAT16:
      // The 16-bit patterns are stored in int32_data.
      available = tensor.int32_data_size();
      packField(tensor.int32_data(), width, bytes,
                [](int32_t v) { return static_cast<uint16_t>(v); });
      break;
    }
    if (available != count)
      return state.fail(ImportStatus::Invalid,
                        what + " has " + Twine(available) +
                            " values but its shape holds " + Twine(count));
  }
  auto type = RankedTensorType::get(shape, elementType);
  std::string blobName = tensor.name().empty() ? "constant" : tensor.name();
  return reference::attrFromBytes(dtype, type, bytes, blobName);
}

//===----------------------------------------------------------------------===//
// The graph walk
//===----------------------------------------------------------------------===//

namespace {
/// The type of a graph input or output: a tensor, a sequence of tensors, or
/// an optional of either.
struct BoundaryType {
  /// The tensor type (of the elements, for a sequence).
  Type tensor;
  const ::onnx::TypeProto::Tensor *proto = nullptr;
  bool sequence = false;
  bool optional = false;
};

class GraphImporter {
public:
  GraphImporter(const ::onnx::ModelProto &model, ImportState &state,
                Location loc)
      : model(model), graph(model.graph()), state(state), fileLoc(loc) {}

  FailureOr<OwningOpRef<ModuleOp>> run();

private:
  FailureOr<BoundaryType> importValueType(const ::onnx::ValueInfoProto &info,
                                          StringRef what);
  FailureOr<Type> importTensorType(const ::onnx::TypeProto::Tensor &tensorType,
                                   const std::string &name, bool namedDims);
  /// Checks that `value`, returned as graph output `name`, agrees with the
  /// declared tensor type (the element type of a declared sequence).
  LogicalResult checkDeclaredOutput(Value value, const std::string &name,
                                    Type declared, bool &inferred);
  LogicalResult importNode(const ::onnx::NodeProto &node, int index);
  LogicalResult defineValue(const std::string &name, Value value,
                            StringRef what);
  /// Checks a value given for graph input `name` against its declared type.
  LogicalResult checkFixedValue(const std::string &name, Type declared,
                                const reference::Tensor &value);

  const ::onnx::ModelProto &model;
  const ::onnx::GraphProto &graph;
  ImportState &state;
  Location fileLoc;
};
} // namespace

/// Records the names read by the nodes of `graph` and of its subgraphs
/// (which read outer-scope names too), and the names it returns.
static void collectConsumed(const ::onnx::GraphProto &graph,
                            ImportState &state) {
  for (const auto &node : graph.node()) {
    for (const auto &input : node.input())
      state.consumed.insert(input);
    for (const auto &attr : node.attribute()) {
      if (attr.has_g())
        collectConsumed(attr.g(), state);
      for (const auto &subgraph : attr.graphs())
        collectConsumed(subgraph, state);
    }
  }
  for (const auto &output : graph.output())
    state.consumed.insert(output.name());
}

FailureOr<BoundaryType>
GraphImporter::importValueType(const ::onnx::ValueInfoProto &info,
                               StringRef what) {
  std::string name = (what + " '" + info.name() + "'").str();
  if (!info.has_type())
    return state.fail(ImportStatus::Invalid, name + " has no type");
  BoundaryType result;
  const ::onnx::TypeProto *type = &info.type();
  if (type->value_case() == ::onnx::TypeProto::kOptionalType) {
    result.optional = true;
    type = &type->optional_type().elem_type();
  }
  if (type->value_case() == ::onnx::TypeProto::kSequenceType) {
    result.sequence = true;
    type = &type->sequence_type().elem_type();
  }
  if (type->value_case() != ::onnx::TypeProto::kTensorType)
    return state.fail(ImportStatus::Unsupported,
                      name + " is not a tensor, a sequence of tensors or an "
                             "optional of either (map and sparse values are "
                             "not supported)");
  result.proto = &type->tensor_type();
  // The tensors of a sequence may differ in shape: a dim_param names no size
  // common to them.
  FailureOr<Type> tensor =
      importTensorType(*result.proto, name, /*namedDims=*/!result.sequence);
  if (failed(tensor))
    return failure();
  result.tensor = *tensor;
  return result;
}

FailureOr<Type>
GraphImporter::importTensorType(const ::onnx::TypeProto::Tensor &tensorType,
                                const std::string &name, bool namedDims) {
  bool isString = tensorType.elem_type() == ::onnx::TensorProto::STRING;
  Type elementType =
      isString ? reference::mlirType(reference::DType::U8, &state.context)
               : elementTypeOf(tensorType.elem_type(), state.context);
  if (!elementType)
    return state.fail(ImportStatus::Unsupported,
                      name + " has element type " +
                          onnxTypeName(tensorType.elem_type()) +
                          ", which dsc does not support");
  if (!tensorType.has_shape())
    return Type(UnrankedTensorType::get(elementType));
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim()) {
    if (namedDims && dim.has_dim_param() && state.dimValues &&
        state.dimValues->count(dim.dim_param())) {
      state.dimValuesUsed.insert(dim.dim_param());
      shape.push_back(state.dimValues->lookup(dim.dim_param()));
    } else if (dim.has_dim_value()) {
      if (dim.dim_value() < 0)
        return state.fail(ImportStatus::Invalid,
                          name + " has negative dimension " +
                              Twine(dim.dim_value()));
      shape.push_back(dim.dim_value());
    } else {
      shape.push_back(ShapedType::kDynamic);
    }
  }
  // A string is a slot of UTF-8 bytes along an extra last dimension.
  if (isString)
    shape.push_back(state.stringBytes);
  return Type(RankedTensorType::get(shape, elementType));
}

LogicalResult GraphImporter::checkFixedValue(const std::string &name,
                                             Type declared,
                                             const reference::Tensor &value) {
  auto type = cast<ShapedType>(declared);
  std::string what = "the value given for graph input '" + name + "'";
  FailureOr<reference::DType> dtype = reference::dtypeOf(type.getElementType());
  if (failed(dtype) || *dtype != value.dtype)
    return state.fail(
        ImportStatus::Invalid,
        what + " has element type " + reference::dtypeName(value.dtype) +
            " but the input is declared " + typeName(type.getElementType()));
  bool agrees = !type.hasRank() ||
                type.getRank() == static_cast<int64_t>(value.shape.size());
  for (int64_t i = 0; agrees && type.hasRank() && i < type.getRank(); ++i)
    agrees = type.isDynamicDim(i) || type.getDimSize(i) == value.shape[i];
  if (!agrees)
    return state.fail(ImportStatus::Invalid,
                      what + " has shape " + graph::formatShape(value.shape) +
                          ", which does not match the declared type " +
                          typeName(type));
  return success();
}

LogicalResult GraphImporter::defineValue(const std::string &name, Value value,
                                         StringRef what) {
  if (name.empty())
    return state.fail(ImportStatus::Invalid, what + " has an empty name");
  if (!state.values.try_emplace(name, value).second)
    return state.fail(ImportStatus::Invalid,
                      what + " '" + name + "' is defined more than once");
  return success();
}

LogicalResult GraphImporter::checkDeclaredOutput(Value value,
                                                 const std::string &name,
                                                 Type declared,
                                                 bool &inferred) {
  auto declaredType = cast<TensorType>(declared);
  if (cast<TensorType>(value.getType()).getElementType() !=
      declaredType.getElementType())
    return state.fail(ImportStatus::Invalid,
                      "graph output '" + name +
                          "' is declared with another element type than "
                          "the one computed for it");
  if (!declaredType.hasRank())
    return success();
  if (!inferred && !cast<TensorType>(value.getType()).hasRank()) {
    if (failed(inferShapesSoFar(state)))
      return state.fail(ImportStatus::Invalid,
                        "shape inference failed: " + state.lastDiagnostic);
    inferred = true;
  }
  auto current = cast<TensorType>(value.getType());
  if (current.hasRank() && failed(verifyCompatibleShape(current, declaredType)))
    return state.fail(ImportStatus::Invalid,
                      "graph output '" + name + "' is declared with shape " +
                          graph::formatShape(declaredType.getShape()) +
                          " but has shape " +
                          graph::formatShape(current.getShape()));
  return success();
}

FailureOr<OwningOpRef<ModuleOp>> GraphImporter::run() {
  MLIRContext *context = &state.context;
  for (const auto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    state.opsets[domain] = opset.version();
  }
  // Models older than IR version 3 have no opset_import: they are opset 1.
  if (!state.opsets.count("") && model.ir_version() < 3)
    state.opsets[""] = 1;

  collectConsumed(graph, state);
  state.importNode = [this](const ::onnx::NodeProto &node, int index) {
    return importNode(node, index);
  };

  if (graph.sparse_initializer_size() > 0)
    return state.fail(ImportStatus::Unsupported,
                      "sparse initializer '" +
                          graph.sparse_initializer(0).values().name() +
                          "' is not supported");
  llvm::StringSet<> initializerNames;
  for (const auto &initializer : graph.initializer())
    initializerNames.insert(initializer.name());

  // Graph inputs that are also initializers are constants, not arguments.
  // A sequence input of length L becomes L arguments `S[0]` ... `S[L-1]`; an
  // optional input holds its value, or is left out by the caller (absent).
  SmallVector<Type> argumentTypes;
  SmallVector<std::string> argumentNames;
  SmallVector<bool> argumentIsString;
  llvm::StringMap<reference::Tensor> fixedStrings;
  SmallVector<std::string> fixedInputs;
  struct SequenceInput {
    std::string name;
    size_t firstArgument;
    int64_t length;
    Type elementType;
  };
  SmallVector<SequenceInput> sequenceInputs;
  llvm::StringSet<> shapedInputs;
  auto addArgument = [&](const std::string &name, Type type,
                         const ::onnx::TypeProto::Tensor &proto,
                         bool namedDims) -> LogicalResult {
    if (state.inputShapes && state.inputShapes->count(name)) {
      ArrayRef<int64_t> shape = state.inputShapes->lookup(name);
      auto declared = cast<TensorType>(type);
      if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }) ||
          (declared.hasRank() &&
           failed(verifyCompatibleShape(shape, declared.getShape()))))
        return state.fail(ImportStatus::Invalid,
                          "the shape " + graph::formatShape(shape) +
                              " given for graph input '" + name +
                              "' does not agree with its declared type " +
                              typeName(type));
      type = RankedTensorType::get(shape, declared.getElementType());
      shapedInputs.insert(name);
    }
    argumentTypes.push_back(type);
    argumentNames.push_back(name);
    argumentIsString.push_back(proto.elem_type() ==
                               ::onnx::TensorProto::STRING);
    if (auto ranked = dyn_cast<RankedTensorType>(type))
      for (auto [axis, dim] : llvm::enumerate(proto.shape().dim()))
        if (ranked.isDynamicDim(axis))
          state.openDimensions.push_back(
              {name, static_cast<int64_t>(axis),
               namedDims && dim.has_dim_param() ? dim.dim_param() : ""});
    return success();
  };
  for (const auto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    FailureOr<BoundaryType> type = importValueType(input, "graph input");
    if (failed(type))
      return failure();
    if (state.absentInputs && state.absentInputs->contains(input.name())) {
      if (!type->optional)
        return state.fail(ImportStatus::Invalid,
                          "graph input '" + input.name() +
                              "' is left out (absent) but is not optional");
      state.absent.insert(input.name());
      continue;
    }
    bool isString = type->proto->elem_type() == ::onnx::TensorProto::STRING;
    // The slot dimension goes after the declared ones.
    if (isString && !isa<RankedTensorType>(type->tensor))
      return state.fail(ImportStatus::Unsupported,
                        "graph input '" + input.name() +
                            "' is a STRING tensor without a declared shape, "
                            "which dsc does not support");
    if (type->sequence) {
      if (isString)
        return state.fail(ImportStatus::Unsupported,
                          "graph input '" + input.name() +
                              "' is a sequence of STRING tensors, which dsc "
                              "does not support");
      auto length = state.sequenceLengths
                        ? state.sequenceLengths->find(input.name())
                        : llvm::StringMap<int64_t>::const_iterator();
      if (!state.sequenceLengths || length == state.sequenceLengths->end()) {
        state.sequenceLengthNeeded = input.name();
        return state.fail(ImportStatus::Unsupported,
                          "graph input '" + input.name() +
                              "' is a sequence: give its length with "
                              "--sequence-length " +
                              input.name() +
                              "=L (its tensors are then the "
                              "inputs '" +
                              input.name() + "[0]' ... '" + input.name() +
                              "[L-1]')");
      }
      if (length->second < 0 || length->second > kMaxSequenceInputLength)
        return state.fail(ImportStatus::Invalid,
                          "sequence length " + Twine(length->second) +
                              " of graph input '" + input.name() +
                              "' is not in [0, " +
                              Twine(kMaxSequenceInputLength) + "]");
      sequenceInputs.push_back(
          {input.name(), argumentTypes.size(), length->second,
           cast<TensorType>(type->tensor).getElementType()});
      for (int64_t i = 0; i < length->second; ++i)
        if (failed(addArgument(input.name() + "[" + std::to_string(i) + "]",
                               type->tensor, *type->proto,
                               /*namedDims=*/false)))
          return failure();
      continue;
    }
    if (state.inputValues && state.inputValues->count(input.name())) {
      reference::Tensor value = state.inputValues->lookup(input.name());
      if (value.text != isString)
        return state.fail(ImportStatus::Invalid,
                          "the value given for graph input '" + input.name() +
                              "' " +
                              (value.text ? "holds strings but the input is "
                                            "not a STRING tensor"
                                          : "holds no strings but the input "
                                            "is a STRING tensor"));
      if (isString) {
        if (llvm::Error error = reference::fitStringSlots(
                value, state.stringBytes,
                "the value given for graph input '" + input.name() + "'"))
          return state.fail(ImportStatus::Invalid,
                            llvm::toString(std::move(error)));
      }
      if (failed(checkFixedValue(input.name(), type->tensor, value)))
        return failure();
      if (isString)
        fixedStrings[input.name()] = std::move(value);
      fixedInputs.push_back(input.name());
      continue;
    }
    if (failed(addArgument(input.name(), type->tensor, *type->proto,
                           /*namedDims=*/true)))
      return failure();
  }
  // Options naming no input are mistakes the caller wants to hear about.
  if (state.sequenceLengths)
    for (const auto &entry : *state.sequenceLengths)
      if (!state.absent.contains(entry.getKey()) &&
          llvm::none_of(sequenceInputs, [&](const SequenceInput &input) {
            return input.name == entry.getKey();
          }))
        return state.fail(ImportStatus::Invalid,
                          "a sequence length is given for '" +
                              entry.getKey().str() +
                              "', which is not a sequence graph input of the "
                              "model");
  if (state.inputShapes)
    for (const auto &entry : *state.inputShapes)
      if (!shapedInputs.contains(entry.getKey()))
        return state.fail(ImportStatus::Invalid,
                          "a shape is given for '" + entry.getKey().str() +
                              "', which is not a graph input of the model");
  if (state.absentInputs)
    for (const auto &entry : *state.absentInputs)
      if (!state.absent.contains(entry.getKey()))
        return state.fail(ImportStatus::Invalid,
                          "'" + entry.getKey().str() +
                              "' is given as absent but is not a graph input "
                              "of the model");
  if (state.dimValues)
    for (const auto &entry : *state.dimValues)
      if (!state.dimValuesUsed.contains(entry.getKey())) {
        std::string known;
        llvm::StringSet<> seen;
        for (const OpenDimension &open : state.openDimensions)
          if (!open.name.empty() && seen.insert(open.name).second)
            known += (known.empty() ? "'" : ", '") + open.name + "'";
        return state.fail(ImportStatus::Invalid,
                          "no graph input has a dimension named '" +
                              entry.getKey().str() +
                              "'; the named dimensions left open are: " +
                              (known.empty() ? "none" : known));
      }
  if (state.inputValues)
    for (const auto &entry : *state.inputValues)
      if (!llvm::is_contained(fixedInputs, entry.getKey()))
        return state.fail(ImportStatus::Invalid,
                          "a value is given for '" + entry.getKey().str() +
                              "', which is not a graph input of the model");

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder &builder = state.builder;
  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(
      fileLoc, "main", builder.getFunctionType(argumentTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  auto inSequence = [&](size_t index) {
    return llvm::any_of(sequenceInputs, [&](const SequenceInput &input) {
      return index >= input.firstArgument &&
             index < input.firstArgument + input.length;
    });
  };
  for (auto [index, name] : llvm::enumerate(argumentNames)) {
    func.setArgAttr(index, "graph.name", builder.getStringAttr(name));
    if (argumentIsString[index]) {
      func.setArgAttr(index, "graph.string", builder.getUnitAttr());
      state.strings.insert(body->getArgument(index));
    }
    if (!inSequence(index) &&
        failed(defineValue(name, body->getArgument(index), "graph input")))
      return failure();
  }
  for (const SequenceInput &input : sequenceInputs) {
    Sequence sequence{{}, input.elementType};
    for (int64_t i = 0; i < input.length; ++i)
      sequence.elements.push_back(body->getArgument(input.firstArgument + i));
    if (state.values.count(input.name) ||
        !state.sequences.try_emplace(input.name, std::move(sequence)).second)
      return state.fail(ImportStatus::Invalid, "graph input '" + input.name +
                                                   "' is defined more than "
                                                   "once");
  }

  for (const std::string &name : fixedInputs) {
    Location loc = NameLoc::get(builder.getStringAttr(name), fileLoc);
    auto fixedString = fixedStrings.find(name);
    bool isString = fixedString != fixedStrings.end();
    auto constant = builder.create<graph::ConstantOp>(
        loc, reference::toAttr(isString ? fixedString->second
                                        : state.inputValues->lookup(name),
                               context, "input"));
    if (isString)
      state.strings.insert(constant);
    if (failed(defineValue(name, constant, "graph input")))
      return failure();
  }

  for (const auto &initializer : graph.initializer()) {
    std::string what = "initializer '" + initializer.name() + "'";
    FailureOr<ElementsAttr> value =
        importTensor(initializer, what, state, /*allowStrings=*/true);
    if (failed(value))
      return failure();
    Location loc =
        NameLoc::get(builder.getStringAttr(initializer.name()), fileLoc);
    auto constant = builder.create<graph::ConstantOp>(loc, *value);
    if (initializer.data_type() == ::onnx::TensorProto::STRING)
      state.strings.insert(constant);
    if (failed(defineValue(initializer.name(), constant, "initializer")))
      return failure();
  }

  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return failure();

  // Declared output shapes are checked against the inferred ones; a result
  // whose shape cannot be inferred yet (unknown input shapes) stays
  // unranked for graph-infer-shapes. A sequence output gives one result per
  // tensor, `S[0]` ...; an empty one, like an optional holding no value,
  // gives none (ImportResult::emptyOutputs).
  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  llvm::DenseSet<size_t> stringResults;
  bool inferred = false;
  for (const auto &output : graph.output()) {
    const std::string &name = output.name();
    FailureOr<BoundaryType> declared = BoundaryType();
    if (output.has_type()) {
      declared = importValueType(output, "graph output");
      if (failed(declared))
        return failure();
    }
    if (state.absent.contains(name)) {
      if (output.has_type() && !declared->optional)
        return state.fail(ImportStatus::Invalid,
                          "graph output '" + name +
                              "' is an optional holding no value but is not "
                              "declared optional");
      state.emptyOutputs.push_back(name);
      continue;
    }
    auto sequence = state.sequences.find(name);
    if (sequence != state.sequences.end()) {
      if (output.has_type() && !declared->sequence)
        return state.fail(ImportStatus::Invalid,
                          "graph output '" + name +
                              "' is a sequence but is declared a tensor");
      if (sequence->second.elements.empty())
        state.emptyOutputs.push_back(name);
      for (auto [i, element] : llvm::enumerate(sequence->second.elements)) {
        std::string elementName = name + "[" + std::to_string(i) + "]";
        if (output.has_type() &&
            failed(checkDeclaredOutput(element, elementName, declared->tensor,
                                       inferred)))
          return failure();
        results.push_back(element);
        resultNames.push_back(elementName);
      }
      continue;
    }
    auto it = state.values.find(name);
    if (it == state.values.end())
      return state.fail(ImportStatus::Invalid,
                        "graph output '" + name +
                            "' is not produced by any node, initializer or "
                            "graph input");
    if (output.has_type() && declared->sequence)
      return state.fail(ImportStatus::Invalid,
                        "graph output '" + name +
                            "' is a tensor but is declared a sequence");
    bool isString = state.strings.contains(it->second);
    Type declaredTensor = declared->tensor;
    if (output.has_type()) {
      bool declaredString =
          declared->proto->elem_type() == ::onnx::TensorProto::STRING;
      if (declaredString != isString)
        return state.fail(ImportStatus::Invalid,
                          "graph output '" + name + "' is declared " +
                              (declaredString ? "a STRING tensor but is not one"
                                              : "with another element type "
                                                "than STRING, which it is"));
      // The slot of a computed string tensor is its own (a constant's is
      // its longest string's length).
      if (isString && isa<RankedTensorType>(declaredTensor)) {
        auto ranked = cast<RankedTensorType>(declaredTensor);
        SmallVector<int64_t> shape(ranked.getShape());
        shape.back() = ShapedType::kDynamic;
        declaredTensor = ranked.clone(shape);
      }
    }
    if (output.has_type() &&
        failed(checkDeclaredOutput(it->second, name, declaredTensor, inferred)))
      return failure();
    if (isString)
      stringResults.insert(results.size());
    results.push_back(it->second);
    resultNames.push_back(name);
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  func.setType(
      builder.getFunctionType(argumentTypes, ValueRange(results).getTypes()));
  for (auto [index, name] : llvm::enumerate(resultNames)) {
    func.setResultAttr(index, "graph.name", builder.getStringAttr(name));
    if (stringResults.contains(index))
      func.setResultAttr(index, "graph.string", builder.getUnitAttr());
  }

  if (failed(verify(*module)))
    return state.fail(ImportStatus::Invalid,
                      "the imported graph is inconsistent: " +
                          state.lastDiagnostic);
  return module;
}

LogicalResult GraphImporter::importNode(const ::onnx::NodeProto &node,
                                        int index) {
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  auto opsetIt = state.opsets.find(domain);
  int64_t opset = opsetIt == state.opsets.end() ? 0 : opsetIt->second;
  std::string locName = node.name().empty()
                            ? node.op_type() + "#" + std::to_string(index)
                            : node.name();
  Location loc = NameLoc::get(state.builder.getStringAttr(locName), fileLoc);
  NodeImporter importer(node, index, opset, state, loc);

  auto defined = [&](const std::string &name) {
    return state.values.count(name) || state.sequences.count(name) ||
           state.absent.contains(name);
  };
  for (const auto &input : node.input())
    if (!input.empty() && !defined(input))
      return importer.invalid("input '" + input +
                              "' is not defined by an earlier node, an "
                              "initializer or a graph input");
  for (const auto &output : node.output())
    if (!output.empty() && defined(output))
      return importer.invalid("output '" + output +
                              "' is already defined elsewhere in the graph");

  const OpImporter *opImporter = lookupOpImporter(
      domain.empty() ? node.op_type() : domain + ":" + node.op_type());
  if (!domain.empty() && !opImporter)
    return importer.unsupported("ops of domain '" + domain +
                                "' are not supported");
  if (opsetIt == state.opsets.end())
    return importer.invalid("the model imports no opset of domain " +
                            Twine(domain.empty() ? "ai.onnx" : domain));
  if (domain.empty() && opset > kMaxOpset)
    return importer.unsupported("opset " + Twine(opset) +
                                " is newer than the newest supported (" +
                                Twine(kMaxOpset) + ")");
  if (!opImporter)
    return importer.unsupported("unsupported op");
  for (auto [i, input] : llvm::enumerate(node.input())) {
    if (!opImporter->takesSequences && state.sequences.count(input))
      return importer.unsupported("input " + Twine(i) + " ('" + input +
                                  "') is a sequence, which this op does "
                                  "not take");
    if (!opImporter->takesAbsent && state.absent.contains(input))
      return importer.invalid("input " + Twine(i) + " ('" + input +
                              "') is an optional holding no value, which "
                              "this op does not take");
    if (!opImporter->takesStrings && state.values.count(input) &&
        state.strings.contains(state.values.lookup(input)))
      return importer.unsupported(
          "input " + Twine(i) + " ('" + input +
          "') is a STRING tensor, which this op does not take (dsc runs "
          "STRING tensors through StringNormalizer and Identity)");
  }
  if (opset < opImporter->sinceVersion)
    return importer.invalid("op_type '" + node.op_type() +
                            "' does not exist before opset " +
                            Twine(opImporter->sinceVersion));

  Block *block = state.builder.getInsertionBlock();
  Operation *last = block->empty() ? nullptr : &block->back();
  if (failed(opImporter->build(importer)))
    return failure();
  // Verify what the node became now, so that an inconsistency (mismatched
  // element types, a bad axis) is reported against this node.
  for (Operation &op : llvm::make_range(last ? std::next(Block::iterator(last))
                                             : block->begin(),
                                        block->end()))
    if (failed(verify(&op)))
      return importer.invalid(state.lastDiagnostic);

  for (auto [i, output] : llvm::enumerate(node.output()))
    if (!output.empty() && !defined(output) && importer.outputUsed(i))
      return importer.unsupported("output " + Twine(i) + " ('" + output +
                                  "') is not supported");
  return success();
}

LogicalResult importer::inferShapesSoFar(ImportState &state) {
  // Ops are only appended, and an op's shapes depend on earlier ops only:
  // each op is inferred once (unrolled loops ask once per iteration).
  Block *block = state.builder.getInsertionBlock();
  Operation *last = state.shapesInferredThrough;
  Block::iterator begin = last && last->getBlock() == block
                              ? std::next(Block::iterator(last))
                              : block->begin();
  for (Operation &op : llvm::make_range(begin, block->end())) {
    // Operands may have gained ranks since the op was built: its verifier
    // checks them (axes in range, ...) before inference relies on them.
    if (auto inferable = dyn_cast<graph::ShapeInferenceOpInterface>(&op))
      if (failed(mlir::verify(&op, /*verifyRecursively=*/false)) ||
          failed(inferable.inferShapes()))
        return failure();
    state.shapesInferredThrough = &op;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static ImportResult importParsed(llvm::StringRef bytes, StringRef baseDir,
                                 StringRef modelName, MLIRContext &context,
                                 const ImportOptions &options) {
  ImportResult result;
  context.loadDialect<graph::GraphDialect, func::FuncDialect>();
  ImportState state(context);
  state.inputValues = &options.inputValues;
  state.stringBytes = options.stringBytes;
  state.dimValues = &options.dimValues;
  state.sequenceLengths = &options.sequenceLengths;
  state.absentInputs = &options.absentInputs;
  state.inputShapes = &options.inputShapes;
  state.baseDir = baseDir.empty() ? "." : baseDir.str();
  // MLIR's diagnostics (verifier, shape inference) become part of the one
  // line the importer reports; nothing is printed here.
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
      state.lastDiagnostic = diagnostic.str();
    return success();
  });

  ::onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    result.message = "model '" + modelName.str() +
                     "' is larger than 2 GB; store its weights as external "
                     "data";
    return result;
  }
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    result.message =
        "model '" + modelName.str() + "' is not a valid ONNX protobuf";
    return result;
  }
  if (!model.has_graph()) {
    result.message = "model '" + modelName.str() + "' has no graph";
    return result;
  }
  Location loc = FileLineColLoc::get(&context, modelName, 0, 0);
  FailureOr<OwningOpRef<ModuleOp>> module =
      GraphImporter(model, state, loc).run();
  if (failed(module)) {
    result.status = state.error.value_or(ImportStatus::Invalid);
    result.message =
        state.errorMessage.empty() ? state.lastDiagnostic : state.errorMessage;
    result.inputNeededAtImport = state.inputNeededAtImport;
    result.sequenceLengthNeeded = state.sequenceLengthNeeded;
    result.openDimensions = std::move(state.openDimensions);
    return result;
  }
  result.status = ImportStatus::Ok;
  result.openDimensions = std::move(state.openDimensions);
  result.emptyOutputs = std::move(state.emptyOutputs);
  result.module = std::move(*module);
  return result;
}

ImportResult dsc::onnx::importModelFromBytes(llvm::StringRef bytes,
                                             llvm::StringRef baseDir,
                                             MLIRContext &context,
                                             const ImportOptions &options) {
  return importParsed(bytes, baseDir, "<memory>", context, options);
}

ImportResult dsc::onnx::importModel(llvm::StringRef path, MLIRContext &context,
                                    const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    ImportResult result;
    result.message = "cannot read model '" + path.str() +
                     "': " + buffer.getError().message();
    return result;
  }
  return importParsed((*buffer)->getBuffer(),
                      llvm::sys::path::parent_path(path), path, context,
                      options);
}
