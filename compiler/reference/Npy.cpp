//===- Npy.cpp - numpy .npy files -----------------------------------------===//

#include "compiler/reference/Npy.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
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

/// numpy's fixed-width string dtypes: bytes ('|S<n>', taken as UTF-8) and
/// unicode ('<U<n>', UTF-32). Sets `charBytes` and `chars`.
static bool parseStringDescr(StringRef descr, int64_t &charBytes,
                             int64_t &chars) {
  if (descr.consume_front("|S") || descr.consume_front("S"))
    charBytes = 1;
  else if (descr.consume_front("<U") || descr.consume_front("=U") ||
           descr.consume_front("U"))
    charBytes = 4;
  else
    return false;
  return !descr.getAsInteger(10, chars) && chars >= 0;
}

/// The strings of a numpy string array's data as a string tensor (slots of
/// the longest string's UTF-8 length).
static llvm::Expected<Tensor> parseStrings(StringRef data, int64_t count,
                                           int64_t charBytes, int64_t chars,
                                           llvm::ArrayRef<int64_t> shape,
                                           StringRef name) {
  uint64_t itemBytes = static_cast<uint64_t>(charBytes) * chars;
  if (data.size() < itemBytes * count)
    return npyError(name, "truncated data: " + llvm::Twine(count) +
                              " strings of " + llvm::Twine(itemBytes) +
                              " bytes need more than the file holds");
  // A string tensor holds every string in a slot of the longest one's
  // UTF-8 length (up to 4 bytes per character).
  if (chars != 0 &&
      static_cast<uint64_t>(count) > (uint64_t(1) << 28) / (chars * 4))
    return npyError(name, llvm::Twine(count) + " strings of up to " +
                              llvm::Twine(chars) +
                              " characters are too many to hold");
  std::vector<std::string> strings;
  for (int64_t i = 0; i < count; ++i) {
    StringRef item = data.substr(i * itemBytes, itemBytes);
    std::string utf8;
    if (charBytes == 1) {
      utf8 = item.take_until([](char c) { return c == 0; }).str();
      const auto *begin = reinterpret_cast<const llvm::UTF8 *>(utf8.data());
      if (!llvm::isLegalUTF8String(&begin, begin + utf8.size()))
        return npyError(name,
                        "string " + llvm::Twine(i) + " is not valid UTF-8");
    } else {
      llvm::SmallVector<llvm::UTF32> codePoints;
      for (int64_t j = 0; j < chars; ++j) {
        llvm::UTF32 c = 0;
        for (int k = 3; k >= 0; --k)
          c = (c << 8) | static_cast<unsigned char>(item[j * 4 + k]);
        if (c == 0)
          break;
        codePoints.push_back(c);
      }
      if (!llvm::convertUTF32ToUTF8String(codePoints, utf8))
        return npyError(name, "string " + llvm::Twine(i) +
                                  " holds an invalid code point");
    }
    strings.push_back(std::move(utf8));
  }
  return stringTensor(shape, strings);
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
  int64_t charBytes = 0, chars = 0;
  bool strings = parseStringDescr(descr, charBytes, chars);
  std::optional<DType> dtype = strings ? DType::U8 : parseDescr(descr);
  if (!dtype)
    return npyError(name, "unsupported dtype '" + descr +
                              "' (expected <f4 <f2 <f8 <i8 <i4 |i1 |u1 |b1, or "
                              "strings: |S<n> <U<n>)");

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
  if (strings)
    return parseStrings(data, count, charBytes, chars, tensor.shape, name);
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

/// A string tensor's strings as numpy unicode items ('<U<n>', UTF-32) of
/// the longest string's length; `chars` is set to it.
static std::string encodeStrings(const Tensor &tensor, int64_t &chars) {
  std::vector<std::vector<llvm::UTF32>> items;
  chars = 1;
  for (const std::string &s : stringsOf(tensor)) {
    std::vector<llvm::UTF32> codePoints;
    const auto *source = reinterpret_cast<const llvm::UTF8 *>(s.data());
    const auto *end = source + s.size();
    while (source < end) {
      llvm::UTF32 c;
      // Bytes that are not UTF-8 become U+FFFD rather than failing a write.
      if (llvm::convertUTF8Sequence(&source, end, &c,
                                    llvm::lenientConversion) !=
          llvm::conversionOK) {
        c = 0xFFFD;
        ++source;
      }
      codePoints.push_back(c);
    }
    chars = std::max<int64_t>(chars, codePoints.size());
    items.push_back(std::move(codePoints));
  }
  std::string data;
  for (const auto &codePoints : items)
    for (int64_t j = 0; j < chars; ++j) {
      llvm::UTF32 c =
          j < static_cast<int64_t>(codePoints.size()) ? codePoints[j] : 0;
      for (int k = 0; k < 4; ++k)
        data += static_cast<char>((c >> (8 * k)) & 0xff);
    }
  return data;
}

std::string dsc::reference::encodeNpy(const Tensor &tensor) {
  Tensor stored = tensor;
  if (stored.dtype == DType::BF16)
    stored.dtype = DType::F32;
  int64_t chars = 0;
  std::string stringData;
  if (stored.text && !stored.shape.empty()) {
    stringData = encodeStrings(stored, chars);
    stored.shape.pop_back();
  }
  std::string header = "{'descr': '";
  header += stored.text ? "<U" + std::to_string(chars)
                        : std::string(descrOf(stored.dtype));
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
  if (stored.text)
    return bytes + stringData;
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

llvm::Error dsc::reference::fitStringSlots(Tensor &tensor, int64_t slotBytes,
                                           StringRef name) {
  std::vector<std::string> strings = stringsOf(tensor);
  for (auto [i, s] : llvm::enumerate(strings))
    if (static_cast<int64_t>(s.size()) > slotBytes)
      return npyError(
          name, "string " + llvm::Twine(i) + " takes " + llvm::Twine(s.size()) +
                    " bytes, more than the " + llvm::Twine(slotBytes) +
                    "-byte string slots of the model "
                    "(compile with a larger --string-bytes)");
  std::vector<int64_t> shape(tensor.shape.begin(), tensor.shape.end() - 1);
  tensor = stringTensor(shape, strings, slotBytes);
  return llvm::Error::success();
}

llvm::Error dsc::reference::checkCompatible(Tensor &tensor, DType dtype,
                                            llvm::ArrayRef<int64_t> shape,
                                            StringRef name) {
  if (tensor.text) {
    if (dtype != DType::U8 || shape.empty())
      return npyError(name, llvm::Twine("holds strings but ") +
                                dtypeName(dtype) + " is expected");
    if (!mlir::ShapedType::isDynamic(shape.back()))
      if (llvm::Error error = fitStringSlots(tensor, shape.back(), name))
        return error;
  }
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
