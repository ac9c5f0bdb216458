//===- Npy.cpp - numpy .npy files -----------------------------------------===//

#include "compiler/reference/Npy.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace dsc::reference;
using llvm::StringRef;

static llvm::Error npyError(StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

/// The dtype of a numpy descr string such as '<f4'.
static std::optional<DType> parseDescr(StringRef descr) {
  if (descr.size() != 3)
    return std::nullopt;
  char order = descr[0];
  StringRef kind = descr.drop_front();
  bool singleByte = kind == "i1" || kind == "u1" || kind == "b1";
  if (order != '<' && !(singleByte && (order == '|' || order == '=')))
    return std::nullopt;
  return llvm::StringSwitch<std::optional<DType>>(kind)
      .Case("f4", DType::F32)
      .Case("f2", DType::F16)
      .Case("f8", DType::F64)
      .Case("i8", DType::I64)
      .Case("i4", DType::I32)
      .Case("i2", DType::I16)
      .Case("i1", DType::I8)
      .Case("u8", DType::U64)
      .Case("u4", DType::U32)
      .Case("u2", DType::U16)
      .Case("u1", DType::U8)
      .Case("b1", DType::Bool)
      .Default(std::nullopt);
}

static const char *descrOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::BF16:
    return "<f4";
  case DType::F16:
    return "<f2";
  case DType::F64:
    return "<f8";
  case DType::I64:
    return "<i8";
  case DType::I32:
    return "<i4";
  case DType::I16:
    return "<i2";
  case DType::I8:
    return "|i1";
  case DType::U64:
    return "<u8";
  case DType::U32:
    return "<u4";
  case DType::U16:
    return "<u2";
  case DType::U8:
    return "|u1";
  case DType::Bool:
    return "|b1";
  }
  return "<f4";
}

/// The text after `'key':` in the header dictionary, or "" when absent.
static StringRef headerValue(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return {};
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return {};
  return rest.ltrim();
}

llvm::Expected<Tensor> dsc::reference::parseNpy(StringRef bytes,
                                                StringRef name) {
  static constexpr StringRef magic("\x93NUMPY", 6);
  if (!bytes.starts_with(magic))
    return npyError(name, "not a .npy file (bad magic)");
  if (bytes.size() < 10)
    return npyError(name, "truncated .npy header");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated .npy header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          (headerLength << 8) | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return npyError(name,
                    "unsupported .npy format version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return npyError(name, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLength);

  StringRef descrText = headerValue(header, "descr");
  if (!descrText.consume_front("'"))
    return npyError(name, "header has no 'descr'");
  StringRef descr = descrText.take_until([](char c) { return c == '\''; });
  if (descr.starts_with(">"))
    return npyError(name, "big-endian data ('" + descr +
                              "') is not supported; save it little-endian");
  std::optional<DType> dtype = parseDescr(descr);
  if (!dtype)
    return npyError(name, "unsupported dtype '" + descr +
                              "' (expected <f4 <f2 <f8 <i8 <i4 |i1 |u1 |b1)");

  StringRef fortran = headerValue(header, "fortran_order");
  if (fortran.starts_with("True"))
    return npyError(name, "Fortran-order arrays are not supported; save a "
                          "C-contiguous array");
  if (!fortran.starts_with("False"))
    return npyError(name, "header has no valid 'fortran_order'");

  StringRef shapeText = headerValue(header, "shape");
  if (!shapeText.consume_front("("))
    return npyError(name, "header has no valid 'shape'");
  shapeText = shapeText.take_until([](char c) { return c == ')'; });
  Tensor tensor;
  tensor.dtype = *dtype;
  llvm::SmallVector<StringRef> dims;
  shapeText.split(dims, ',', -1, /*KeepEmpty=*/false);
  int64_t count = 1;
  for (StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t size;
    if (dim.getAsInteger(10, size) || size < 0)
      return npyError(name, "invalid dimension '" + dim + "' in the shape");
    if (size != 0 && count > (int64_t(1) << 40) / size)
      return npyError(name, "shape is too large");
    count *= size;
    tensor.shape.push_back(size);
  }
  StringRef data = bytes.drop_front(headerStart + headerLength);
  uint64_t expected = static_cast<uint64_t>(count) * byteSize(*dtype);
  if (data.size() < expected)
    return npyError(
        name, "truncated data: shape " + dsc::graph::formatShape(tensor.shape) +
                  " needs " + llvm::Twine(expected) +
                  " bytes but the file holds " + llvm::Twine(data.size()));
  return Tensor::fromBytes(*dtype, tensor.shape, data.data());
}

llvm::Expected<Tensor> dsc::reference::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string dsc::reference::encodeNpy(const Tensor &tensor) {
  Tensor stored = tensor;
  if (stored.dtype == DType::BF16)
    stored.dtype = DType::F32;
  std::string header = "{'descr': '";
  header += descrOf(stored.dtype);
  header += "', 'fortran_order': False, 'shape': (";
  for (int64_t d : stored.shape)
    header += std::to_string(d) + (stored.shape.size() == 1 ? ",)" : ", ");
  if (stored.shape.size() != 1) {
    if (!stored.shape.empty())
      header.resize(header.size() - 2);
    header += ")";
  }
  header += ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  size_t dataStart = bytes.size();
  bytes.resize(dataStart + stored.sizeInBytes());
  stored.toBytes(bytes.data() + dataStart);
  return bytes;
}

llvm::Error dsc::reference::writeNpy(StringRef path, const Tensor &tensor) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error)
    return npyError(path, "cannot write: " + error.message());
  os << encodeNpy(tensor);
  os.close();
  if (os.has_error())
    return npyError(path, "cannot write: " + os.error().message());
  return llvm::Error::success();
}

llvm::Error dsc::reference::checkCompatible(Tensor &tensor, DType dtype,
                                            llvm::ArrayRef<int64_t> shape,
                                            StringRef name) {
  if (tensor.dtype != dtype) {
    if (!(dtype == DType::BF16 && tensor.dtype == DType::F32))
      return npyError(name, llvm::Twine("dtype is ") + dtypeName(tensor.dtype) +
                                " but " + dtypeName(dtype) + " is expected");
    tensor.dtype = DType::BF16;
    for (double &v : tensor.data)
      v = roundTo(DType::BF16, v);
  }
  bool agrees = shape.size() == tensor.shape.size();
  for (size_t i = 0; agrees && i < shape.size(); ++i)
    agrees =
        mlir::ShapedType::isDynamic(shape[i]) || shape[i] == tensor.shape[i];
  if (!agrees)
    return npyError(name, "shape is " + dsc::graph::formatShape(tensor.shape) +
                              " but " + dsc::graph::formatShape(shape) +
                              " is expected");
  return llvm::Error::success();
}
