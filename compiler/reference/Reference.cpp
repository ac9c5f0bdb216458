//===- Reference.cpp - CPU reference interpreter --------------------------===//
//
// Every op is computed in double and rounded once to its result type, so the
// interpreter is the numerical ground truth the GPU kernels are compared to.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Reference.h"

#include "compiler/reference/EvaluatorSupport.h"
#include "compiler/reference/FloatBits.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace dsc;
using namespace dsc::reference;

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

bool reference::isFloat(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16 ||
         dtype == DType::F64;
}

bool reference::isUnsigned(DType dtype) {
  return dtype == DType::U8 || dtype == DType::U16 || dtype == DType::U32 ||
         dtype == DType::U64;
}

int64_t reference::byteSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
  case DType::U64:
    return 8;
  case DType::F32:
  case DType::I32:
  case DType::U32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
  case DType::U16:
    return 2;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 1;
}

const char *reference::dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F64:
    return "f64";
  case DType::I64:
    return "i64";
  case DType::I32:
    return "i32";
  case DType::I16:
    return "i16";
  case DType::I8:
    return "i8";
  case DType::U64:
    return "u64";
  case DType::U32:
    return "u32";
  case DType::U16:
    return "u16";
  case DType::U8:
    return "u8";
  case DType::Bool:
    return "bool";
  }
  return "?";
}

FailureOr<DType> reference::dtypeOf(Type elementType) {
  if (elementType.isF32())
    return DType::F32;
  if (elementType.isF16())
    return DType::F16;
  if (elementType.isBF16())
    return DType::BF16;
  if (elementType.isF64())
    return DType::F64;
  if (auto integer = dyn_cast<IntegerType>(elementType)) {
    unsigned width = integer.getWidth();
    if (width == 1)
      return DType::Bool;
    if (integer.isUnsigned()) {
      switch (width) {
      case 8:
        return DType::U8;
      case 16:
        return DType::U16;
      case 32:
        return DType::U32;
      case 64:
        return DType::U64;
      default:
        return failure();
      }
    }
    switch (width) {
    case 8:
      return DType::I8;
    case 16:
      return DType::I16;
    case 32:
      return DType::I32;
    case 64:
      return DType::I64;
    default:
      return failure();
    }
  }
  return failure();
}

Type reference::mlirType(DType dtype, MLIRContext *context) {
  Builder builder(context);
  switch (dtype) {
  case DType::F32:
    return builder.getF32Type();
  case DType::F16:
    return builder.getF16Type();
  case DType::BF16:
    return builder.getBF16Type();
  case DType::F64:
    return builder.getF64Type();
  case DType::I64:
    return builder.getI64Type();
  case DType::I32:
    return builder.getI32Type();
  case DType::I16:
    return builder.getI16Type();
  case DType::I8:
    return builder.getI8Type();
  case DType::U64:
    return IntegerType::get(context, 64, IntegerType::Unsigned);
  case DType::U32:
    return IntegerType::get(context, 32, IntegerType::Unsigned);
  case DType::U16:
    return IntegerType::get(context, 16, IntegerType::Unsigned);
  case DType::U8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case DType::Bool:
    return builder.getI1Type();
  }
  return {};
}

/// Truncates toward zero and wraps modulo 2^bits, as a C cast of an in-range
/// value would; NaN and infinities become 0 (C leaves them undefined).
static double wrapInteger(double value, int bits, bool isSigned) {
  if (!std::isfinite(value))
    return 0;
  value = std::trunc(value);
  // Values beyond int64 are out of range for every integer type: saturate
  // before the conversion so it is defined, then wrap.
  constexpr double limit = 9223372036854775807.0;
  int64_t integer = value >= limit    ? std::numeric_limits<int64_t>::max()
                    : value <= -limit ? std::numeric_limits<int64_t>::min()
                                      : static_cast<int64_t>(value);
  if (bits == 64 && !isSigned) {
    // uint64 values beyond int64 are held as their double approximation.
    if (value >= 0 && value < 18446744073709551616.0)
      return value;
    return static_cast<double>(static_cast<uint64_t>(integer));
  }
  if (bits == 64)
    return static_cast<double>(integer);
  uint64_t mask = (uint64_t(1) << bits) - 1;
  uint64_t low = static_cast<uint64_t>(integer) & mask;
  if (isSigned && (low >> (bits - 1)))
    return static_cast<double>(static_cast<int64_t>(low) -
                               static_cast<int64_t>(uint64_t(1) << bits));
  return static_cast<double>(low);
}

/// The int64 a double stands for: +-2^63 (what INT64_MAX/MIN become as
/// double) saturate instead of overflowing the conversion; NaN is 0.
static int64_t toInt64(double value) {
  constexpr double limit = 9223372036854775807.0;
  if (std::isnan(value))
    return 0;
  if (value >= limit)
    return std::numeric_limits<int64_t>::max();
  if (value <= -limit)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

double reference::roundTo(DType dtype, double value) {
  switch (dtype) {
  case DType::F64:
    return value;
  case DType::F32:
    return static_cast<double>(static_cast<float>(value));
  case DType::F16:
    return roundToFloatFormat(value, kHalfFormat);
  case DType::BF16:
    return roundToFloatFormat(value, kBFloat16Format);
  case DType::I64:
    return wrapInteger(value, 64, true);
  case DType::I32:
    return wrapInteger(value, 32, true);
  case DType::I16:
    return wrapInteger(value, 16, true);
  case DType::I8:
    return wrapInteger(value, 8, true);
  case DType::U64:
    return wrapInteger(value, 64, false);
  case DType::U32:
    return wrapInteger(value, 32, false);
  case DType::U16:
    return wrapInteger(value, 16, false);
  case DType::U8:
    return wrapInteger(value, 8, false);
  case DType::Bool:
    return value != 0 ? 1.0 : 0.0;
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

Tensor dsc::reference::stringTensor(llvm::ArrayRef<int64_t> shape,
                                    llvm::ArrayRef<std::string> strings,
                                    int64_t slotBytes) {
  if (slotBytes == 0) {
    slotBytes = 1;
    for (const std::string &s : strings)
      slotBytes = std::max<int64_t>(slotBytes, s.size());
  }
  Tensor tensor;
  tensor.dtype = DType::U8;
  tensor.text = true;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.shape.push_back(slotBytes);
  tensor.data.assign(strings.size() * slotBytes, 0.0);
  for (auto [i, s] : llvm::enumerate(strings))
    for (auto [j, c] : llvm::enumerate(s))
      tensor.data[i * slotBytes + j] = static_cast<unsigned char>(c);
  return tensor;
}

std::vector<std::string> dsc::reference::stringsOf(const Tensor &tensor) {
  std::vector<std::string> strings;
  int64_t slot = tensor.shape.empty() ? 1 : tensor.shape.back();
  if (slot <= 0)
    return strings;
  for (size_t start = 0; start + slot <= tensor.data.size(); start += slot) {
    std::string s;
    for (int64_t j = 0; j < slot && tensor.data[start + j] != 0; ++j)
      s += static_cast<char>(static_cast<uint8_t>(tensor.data[start + j]));
    strings.push_back(std::move(s));
  }
  return strings;
}

template <typename T> static T loadAs(const char *bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

template <typename T> static void storeAs(char *bytes, T value) {
  std::memcpy(bytes, &value, sizeof(T));
}

Tensor Tensor::fromBytes(DType dtype, ArrayRef<int64_t> shape,
                         const void *bytes) {
  Tensor tensor;
  tensor.dtype = dtype;
  tensor.shape.assign(shape.begin(), shape.end());
  int64_t count = tensor.numElements();
  tensor.data.resize(count);
  const char *in = static_cast<const char *>(bytes);
  int64_t width = byteSize(dtype);
  for (int64_t i = 0; i < count; ++i) {
    const char *p = in + i * width;
    double &v = tensor.data[i];
    switch (dtype) {
    case DType::F32:
      v = loadAs<float>(p);
      break;
    case DType::F16:
      v = halfBitsToDouble(loadAs<uint16_t>(p));
      break;
    case DType::BF16:
      v = bfloat16BitsToDouble(loadAs<uint16_t>(p));
      break;
    case DType::F64:
      v = loadAs<double>(p);
      break;
    case DType::I64:
      v = static_cast<double>(loadAs<int64_t>(p));
      break;
    case DType::I32:
      v = loadAs<int32_t>(p);
      break;
    case DType::I16:
      v = loadAs<int16_t>(p);
      break;
    case DType::I8:
      v = loadAs<int8_t>(p);
      break;
    case DType::U64:
      v = static_cast<double>(loadAs<uint64_t>(p));
      break;
    case DType::U32:
      v = loadAs<uint32_t>(p);
      break;
    case DType::U16:
      v = loadAs<uint16_t>(p);
      break;
    case DType::U8:
      v = loadAs<uint8_t>(p);
      break;
    case DType::Bool:
      v = loadAs<uint8_t>(p) != 0;
      break;
    }
  }
  return tensor;
}

void Tensor::toBytes(void *bytes) const {
  char *out = static_cast<char *>(bytes);
  int64_t width = byteSize(dtype);
  for (size_t i = 0; i < data.size(); ++i) {
    char *p = out + i * width;
    double v = roundTo(dtype, data[i]);
    switch (dtype) {
    case DType::F32:
      storeAs<float>(p, static_cast<float>(v));
      break;
    case DType::F16:
      storeAs<uint16_t>(p, doubleToHalfBits(v));
      break;
    case DType::BF16:
      storeAs<uint16_t>(p, doubleToBFloat16Bits(v));
      break;
    case DType::F64:
      storeAs<double>(p, v);
      break;
    case DType::I64:
      storeAs<int64_t>(p, toInt64(v));
      break;
    case DType::I32:
      storeAs<int32_t>(p, static_cast<int32_t>(v));
      break;
    case DType::I16:
      storeAs<int16_t>(p, static_cast<int16_t>(v));
      break;
    case DType::I8:
      storeAs<int8_t>(p, static_cast<int8_t>(v));
      break;
    case DType::U64:
      storeAs<uint64_t>(p, v >= 18446744073709551615.0
                               ? std::numeric_limits<uint64_t>::max()
                               : static_cast<uint64_t>(v));
      break;
    case DType::U32:
      storeAs<uint32_t>(p, static_cast<uint32_t>(v));
      break;
    case DType::U16:
      storeAs<uint16_t>(p, static_cast<uint16_t>(v));
      break;
    case DType::U8:
      storeAs<uint8_t>(p, static_cast<uint8_t>(v));
      break;
    case DType::Bool:
      storeAs<uint8_t>(p, v != 0);
      break;
    }
  }
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

FailureOr<Tensor> reference::fromAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  FailureOr<DType> dtype = dtypeOf(type.getElementType());
  if (failed(dtype) || !type.hasStaticShape())
    return failure();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> bytes = blob->getData();
    int64_t expected = type.getNumElements() * byteSize(*dtype);
    if (static_cast<int64_t>(bytes.size()) != expected)
      return failure();
    return Tensor::fromBytes(*dtype, type.getShape(), bytes.data());
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return failure();
  Tensor tensor;
  tensor.dtype = *dtype;
  tensor.shape.assign(type.getShape().begin(), type.getShape().end());
  tensor.data.reserve(type.getNumElements());
  if (isa<FloatType>(type.getElementType())) {
    for (APFloat value : dense.getValues<APFloat>()) {
      bool losesInfo;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      tensor.data.push_back(value.convertToDouble());
    }
  } else {
    bool isUnsigned = type.getElementType().isUnsignedInteger() ||
                      type.getElementType().isInteger(1);
    for (APInt value : dense.getValues<APInt>())
      tensor.data.push_back(isUnsigned
                                ? static_cast<double>(value.getZExtValue())
                                : static_cast<double>(value.getSExtValue()));
  }
  return tensor;
}

/// Tensors up to this many elements become `dense` attributes: readable in
/// the IR and cheap to unique. Larger ones are blobs.
static constexpr int64_t kMaxDenseElements = 16;

static ElementsAttr denseAttr(const Tensor &tensor, RankedTensorType type) {
  Type elementType = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> values;
    for (double v : tensor.data) {
      APFloat value(roundTo(tensor.dtype, v));
      bool losesInfo;
      value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      values.push_back(value);
    }
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (double v : tensor.data)
    // Two's complement bits; APInt keeps the low `width` of them.
    values.push_back(APInt(
        width, tensor.dtype == DType::U64 && v >= 9223372036854775808.0
                   ? static_cast<uint64_t>(roundTo(tensor.dtype, v))
                   : static_cast<uint64_t>(toInt64(roundTo(tensor.dtype, v)))));
  return DenseElementsAttr::get(type, values);
}

ElementsAttr reference::attrFromBytes(DType dtype, RankedTensorType type,
                                      ArrayRef<char> bytes, StringRef name) {
  if (type.getNumElements() <= kMaxDenseElements || dtype == DType::Bool)
    return denseAttr(Tensor::fromBytes(dtype, type.getShape(), bytes.data()),
                     type);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, alignof(uint64_t), /*dataIsMutable=*/false);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

ElementsAttr reference::toAttr(const Tensor &tensor, MLIRContext *context,
                               StringRef name) {
  auto type =
      RankedTensorType::get(tensor.shape, mlirType(tensor.dtype, context));
  if (tensor.numElements() <= kMaxDenseElements || tensor.dtype == DType::Bool)
    return denseAttr(tensor, type);
  std::vector<char> bytes(tensor.sizeInBytes());
  tensor.toBytes(bytes.data());
  return attrFromBytes(tensor.dtype, type, bytes, name);
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Op evaluation
//===----------------------------------------------------------------------===//

/// Evaluates `op` when it belongs to an op family kept in its own file
/// (declared in EvaluatorSupport.h); std::nullopt otherwise.
static FamilyResults evaluateFamilyOp(Operation *op,
                                      ArrayRef<Tensor> operands) {
  if (FamilyResults results = evaluateNnOp(op, operands))
    return results;
  if (FamilyResults results = evaluateTensorOp(op, operands))
    return results;
  if (FamilyResults results = evaluateAttentionOp(op, operands))
    return results;
  if (FamilyResults results = evaluateMoeOp(op, operands))
    return results;
  return std::nullopt;
}

namespace {
/// Evaluates one op; every method emits an error on the op when it fails.
class OpEvaluator {
public:
  OpEvaluator(Operation *op, ArrayRef<Tensor> operands)
      : op(op), operands(operands) {}

  FailureOr<SmallVector<Tensor>> run();

private:
  /// Fails with an error unless `results` match the op's results in number
  /// and declared shapes.
  FailureOr<SmallVector<Tensor>>
  checkDeclaredShapes(SmallVector<Tensor> results);
  FailureOr<DType> resultDType(unsigned index = 0) {
    Type type = getElementTypeOrSelf(op->getResult(index).getType());
    FailureOr<DType> dtype = dtypeOf(type);
    if (failed(dtype))
      op->emitOpError("cannot be evaluated: unsupported element type ") << type;
    return dtype;
  }

  FailureOr<Tensor> unary(llvm::function_ref<double(double)> fn);
  FailureOr<Tensor> binary(llvm::function_ref<double(double, double)> fn);
  FailureOr<Tensor> matmul();
  /// Softmax and LogSoftmax along `axisAttr`: `value(x - max, sum of
  /// exp(x - max))` for each element of each line.
  FailureOr<Tensor>
  softmaxLike(int64_t axisAttr,
              llvm::function_ref<double(double, double)> value);
  FailureOr<Tensor> layerNorm(graph::LayerNormOp layerNormOp);
  FailureOr<Tensor> reduceMean(graph::ReduceMeanOp reduceOp);
  FailureOr<Tensor> transpose(graph::TransposeOp transposeOp);
  FailureOr<Tensor> withShape(ArrayRef<int64_t> shape);
  FailureOr<Tensor> reshape(graph::ReshapeOp reshapeOp);
  FailureOr<Tensor> squeeze(graph::SqueezeOp squeezeOp);
  FailureOr<Tensor> unsqueeze(graph::UnsqueezeOp unsqueezeOp);
  FailureOr<Tensor> select();
  FailureOr<Tensor> bitwise(graph::BitwiseKind kind);
  FailureOr<Tensor> hardmax(int64_t axisAttr);
  FailureOr<Tensor> reduce(graph::ReduceOp reduceOp);
  FailureOr<Tensor> argReduce(graph::ArgReduceOp argOp);
  FailureOr<Tensor> cumsum(graph::CumSumOp cumsumOp);
  FailureOr<Tensor> concat(graph::ConcatOp concatOp);
  FailureOr<Tensor> slice(graph::SliceOp sliceOp);
  FailureOr<Tensor> gather(graph::GatherOp gatherOp);
  FailureOr<Tensor> gatherElements(graph::GatherElementsOp gatherOp);
  FailureOr<Tensor> scatterElements(graph::ScatterElementsOp scatterOp);
  FailureOr<Tensor> expand(graph::ExpandOp expandOp);
  FailureOr<Tensor> tile(graph::TileOp tileOp);
  FailureOr<Tensor> pad(graph::PadOp padOp);
  FailureOr<Tensor> trilu(graph::TriluOp triluOp);
  FailureOr<Tensor> shapeOf(graph::ShapeOp shapeOp);
  /// Normalizes index `index` against a dimension of `size`; emits an error
  /// (naming `what`) when it is out of [-size, size).
  FailureOr<int64_t> checkedIndex(double index, int64_t size, StringRef what);
  /// Fails with an error unless a result of `shape` fits in memory.
  LogicalResult checkSize(ArrayRef<int64_t> shape);

  Operation *op;
  ArrayRef<Tensor> operands;
};
} // namespace

static double gelu(double x, graph::GeluApproximation approximation) {
  if (approximation == graph::GeluApproximation::Tanh) {
    const double k = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
  }
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

static double mathFunction(graph::MathFn fn, double x) {
  using graph::MathFn;
  switch (fn) {
  case MathFn::Floor:
    return std::floor(x);
  case MathFn::Ceil:
    return std::ceil(x);
  case MathFn::Round:
    // The default rounding mode rounds half to even, as ONNX Round does.
    return std::nearbyint(x);
  case MathFn::Sign:
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  case MathFn::Sin:
    return std::sin(x);
  case MathFn::Cos:
    return std::cos(x);
  case MathFn::Tan:
    return std::tan(x);
  case MathFn::Asin:
    return std::asin(x);
  case MathFn::Acos:
    return std::acos(x);
  case MathFn::Atan:
    return std::atan(x);
  case MathFn::Sinh:
    return std::sinh(x);
  case MathFn::Cosh:
    return std::cosh(x);
  case MathFn::Asinh:
    return std::asinh(x);
  case MathFn::Acosh:
    return std::acosh(x);
  case MathFn::Atanh:
    return std::atanh(x);
  }
  return x;
}

FailureOr<SmallVector<Tensor>> OpEvaluator::run() {
  using namespace graph;
  if (operands.size() != op->getNumOperands()) {
    op->emitOpError("cannot be evaluated: got ")
        << operands.size() << " operands, expected " << op->getNumOperands();
    return failure();
  }
  auto tooLarge = [&](ArrayRef<int64_t> shape) {
    if (fitsInMemory(shape))
      return false;
    op->emitOpError("cannot be evaluated: a result of shape ")
        << formatShape(shape) << " is too large for the reference interpreter";
    return true;
  };
  for (Value result : op->getResults())
    if (auto type = dyn_cast<RankedTensorType>(result.getType()))
      if (type.hasStaticShape() && tooLarge(type.getShape()))
        return failure();
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    FailureOr<Tensor> value = fromAttr(constant.getValue());
    if (failed(value)) {
      op->emitOpError("cannot be evaluated: unreadable constant value");
      return failure();
    }
    return SmallVector<Tensor>{std::move(*value)};
  }
  if (auto fusion = dyn_cast<FusionOp>(op))
    return evaluateBlock(fusion.getBody().front(), operands);
  // Op families evaluated in their own files (see EvaluatorSupport.h); each
  // returns std::nullopt for ops not its own.
  if (FamilyResults results = evaluateFamilyOp(op, operands)) {
    if (failed(*results))
      return failure();
    return checkDeclaredShapes(std::move(**results));
  }

  auto relu = [](double x) { return x > 0 ? x : 0.0; };
  auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  auto identity = [](double x) { return x; };
  FailureOr<Tensor> result =
      llvm::TypeSwitch<Operation *, FailureOr<Tensor>>(op)
          .Case<AddOp>([&](auto) { return binary(std::plus<double>()); })
          .Case<SubOp>([&](auto) { return binary(std::minus<double>()); })
          .Case<MulOp>([&](auto) { return binary(std::multiplies<double>()); })
          .Case<DivOp>([&](auto) { return binary(std::divides<double>()); })
          .Case<PowOp>([&](auto) {
            return binary([](double a, double b) { return std::pow(a, b); });
          })
          .Case<MaxOp>([&](auto) {
            return binary([](double a, double b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
            });
          })
          .Case<MinOp>([&](auto) {
            return binary([](double a, double b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
            });
          })
          .Case<ReluOp>([&](auto) { return unary(relu); })
          .Case<TanhOp>([&](auto) {
            return unary([](double x) { return std::tanh(x); });
          })
          .Case<SigmoidOp>([&](auto) { return unary(sigmoid); })
          .Case<ErfOp>(
              [&](auto) { return unary([](double x) { return std::erf(x); }); })
          .Case<SqrtOp>([&](auto) {
            return unary([](double x) { return std::sqrt(x); });
          })
          .Case<ExpOp>(
              [&](auto) { return unary([](double x) { return std::exp(x); }); })
          .Case<LogOp>(
              [&](auto) { return unary([](double x) { return std::log(x); }); })
          .Case<NegOp>([&](auto) { return unary([](double x) { return -x; }); })
          .Case<AbsOp>([&](auto) {
            return unary([](double x) { return std::fabs(x); });
          })
          .Case<ReciprocalOp>(
              [&](auto) { return unary([](double x) { return 1.0 / x; }); })
          .Case<GeluOp>([&](GeluOp geluOp) {
            GeluApproximation approximation = geluOp.getApproximate();
            return unary([=](double x) { return gelu(x, approximation); });
          })
          .Case<CastOp>([&](auto) { return unary(identity); })
          .Case<MathOp>([&](MathOp mathOp) {
            MathFn fn = mathOp.getFn();
            return unary([=](double x) { return mathFunction(fn, x); });
          })
          .Case<ModOp>([&](ModOp modOp) {
            bool fmod = modOp.getFmod();
            return binary([=](double a, double b) {
              if (fmod)
                return std::fmod(a, b);
              // Integers: the sign of the divisor, as Python's %.
              if (b == 0)
                return 0.0;
              double r = std::fmod(a, b);
              if (r != 0 && ((r < 0) != (b < 0)))
                r += b;
              return r;
            });
          })
          .Case<CompareOp>([&](CompareOp compareOp) {
            ComparePredicate predicate = compareOp.getPredicate();
            return binary([=](double a, double b) -> double {
              switch (predicate) {
              case ComparePredicate::Eq:
                return a == b;
              case ComparePredicate::Ne:
                return a != b;
              case ComparePredicate::Lt:
                return a < b;
              case ComparePredicate::Le:
                return a <= b;
              case ComparePredicate::Gt:
                return a > b;
              case ComparePredicate::Ge:
                return a >= b;
              }
              return 0;
            });
          })
          .Case<BitwiseOp>([&](BitwiseOp b) { return bitwise(b.getKind()); })
          .Case<NotOp>([&](auto) -> FailureOr<Tensor> {
            FailureOr<DType> dtype = resultDType();
            if (failed(dtype))
              return failure();
            if (*dtype == DType::Bool)
              return unary([](double x) { return x != 0 ? 0.0 : 1.0; });
            return unary(
                [](double x) { return static_cast<double>(~toInt64(x)); });
          })
          .Case<SelectOp>([&](auto) { return select(); })
          .Case<LogSoftmaxOp>([&](LogSoftmaxOp l) {
            return softmaxLike(l.getAxis(), [](double shifted, double sum) {
              return shifted - std::log(sum);
            });
          })
          .Case<HardmaxOp>([&](HardmaxOp h) { return hardmax(h.getAxis()); })
          .Case<ReduceOp>([&](ReduceOp r) { return reduce(r); })
          .Case<ArgReduceOp>([&](ArgReduceOp a) { return argReduce(a); })
          .Case<CumSumOp>([&](CumSumOp c) { return cumsum(c); })
          .Case<ConcatOp>([&](ConcatOp c) { return concat(c); })
          .Case<SliceOp>([&](SliceOp s) { return slice(s); })
          .Case<GatherOp>([&](GatherOp g) { return gather(g); })
          .Case<GatherElementsOp>(
              [&](GatherElementsOp g) { return gatherElements(g); })
          .Case<ScatterElementsOp>(
              [&](ScatterElementsOp s) { return scatterElements(s); })
          .Case<ExpandOp>([&](ExpandOp e) { return expand(e); })
          .Case<TileOp>([&](TileOp t) { return tile(t); })
          .Case<PadOp>([&](PadOp p) { return pad(p); })
          .Case<TriluOp>([&](TriluOp t) { return trilu(t); })
          .Case<ShapeOp>([&](ShapeOp s) { return shapeOf(s); })
          .Case<SizeOp>([&](auto) -> FailureOr<Tensor> {
            Tensor result;
            result.dtype = DType::I64;
            result.data = {static_cast<double>(operands[0].numElements())};
            return result;
          })
          .Case<MatMulOp>([&](auto) { return matmul(); })
          .Case<SoftmaxOp>([&](SoftmaxOp s) {
            return softmaxLike(s.getAxis(), [](double shifted, double sum) {
              return std::exp(shifted) / sum;
            });
          })
          .Case<LayerNormOp>([&](LayerNormOp l) { return layerNorm(l); })
          .Case<ReduceMeanOp>([&](ReduceMeanOp r) { return reduceMean(r); })
          .Case<TransposeOp>([&](TransposeOp t) { return transpose(t); })
          .Case<ReshapeOp>([&](ReshapeOp r) { return reshape(r); })
          .Case<SqueezeOp>([&](SqueezeOp s) { return squeeze(s); })
          .Case<UnsqueezeOp>([&](UnsqueezeOp u) { return unsqueeze(u); })
          .Default([&](Operation *) -> FailureOr<Tensor> {
            op->emitOpError("cannot be evaluated by the reference interpreter");
            return failure();
          });
  if (failed(result))
    return failure();
  return checkDeclaredShapes({std::move(*result)});
}

FailureOr<SmallVector<Tensor>>
OpEvaluator::checkDeclaredShapes(SmallVector<Tensor> results) {
  if (results.size() != op->getNumResults()) {
    op->emitOpError("cannot be evaluated: computed ")
        << results.size() << " results, the op has " << op->getNumResults();
    return failure();
  }
  // A declared result shape must agree with what was computed: a mismatch
  // means the IR is inconsistent, not that the interpreter may guess.
  for (auto [value, result] : llvm::zip(op->getResults(), results)) {
    auto declared = dyn_cast<RankedTensorType>(value.getType());
    if (!declared)
      continue;
    bool agrees =
        declared.getRank() == static_cast<int64_t>(result.shape.size());
    for (int64_t i = 0; agrees && i < declared.getRank(); ++i)
      agrees =
          declared.isDynamicDim(i) || declared.getDimSize(i) == result.shape[i];
    if (!agrees) {
      op->emitOpError("computed result shape ")
          << graph::formatShape(result.shape)
          << " does not match the declared type " << declared;
      return failure();
    }
  }
  return results;
}

FailureOr<Tensor> OpEvaluator::unary(llvm::function_ref<double(double)> fn) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  Tensor result;
  result.dtype = *dtype;
  result.shape = input.shape;
  result.data.reserve(input.data.size());
  for (double x : input.data)
    result.data.push_back(roundTo(*dtype, fn(x)));
  return result;
}

FailureOr<Tensor>
OpEvaluator::binary(llvm::function_ref<double(double, double)> fn) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &lhs = operands[0], &rhs = operands[1];
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.shape, rhs.shape, shape)) {
    op->emitOpError("cannot be evaluated: operand shapes ")
        << graph::formatShape(lhs.shape) << " and "
        << graph::formatShape(rhs.shape) << " do not broadcast";
    return failure();
  }
  bool isInteger = !isFloat(*dtype);
  if (!fitsInMemory(shape)) {
    op->emitOpError("cannot be evaluated: a result of shape ")
        << graph::formatShape(shape)
        << " is too large for the reference interpreter";
    return failure();
  }
  bool isDivision = isa<graph::DivOp>(op);
  Tensor result;
  result.dtype = *dtype;
  result.shape.assign(shape.begin(), shape.end());
  result.data.resize(product(shape));
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(lhs.shape, shape), broadcastStrides(rhs.shape, shape)};
  forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> offsets) {
    double a = lhs.data[offsets[0]], b = rhs.data[offsets[1]];
    // Integer division truncates toward zero (as C and ONNX Runtime do);
    // division by zero is undefined there and yields 0 here.
    if (isDivision && isInteger)
      result.data[i] = b == 0 ? 0 : roundTo(*dtype, std::trunc(a / b));
    else
      result.data[i] = roundTo(*dtype, fn(a, b));
  });
  return result;
}

FailureOr<Tensor> OpEvaluator::matmul() {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &lhs = operands[0], &rhs = operands[1];
  if (lhs.shape.empty() || rhs.shape.empty()) {
    op->emitOpError("cannot be evaluated: operands must have rank at least 1");
    return failure();
  }
  SmallVector<int64_t> a(lhs.shape.begin(), lhs.shape.end());
  SmallVector<int64_t> b(rhs.shape.begin(), rhs.shape.end());
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  if (b[b.size() - 2] != k) {
    op->emitOpError("cannot be evaluated: contracting dimensions differ: ")
        << graph::formatShape(lhs.shape) << " and "
        << graph::formatShape(rhs.shape);
    return failure();
  }
  ArrayRef<int64_t> aBatch = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef<int64_t>(b).drop_back(2);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(aBatch, bBatch, batch)) {
    op->emitOpError("cannot be evaluated: batch dimensions do not broadcast");
    return failure();
  }
  // Strides in units of whole matrices.
  SmallVector<SmallVector<int64_t>> strides = {broadcastStrides(aBatch, batch),
                                               broadcastStrides(bBatch, batch)};
  Tensor result;
  result.dtype = *dtype;
  result.shape.assign(batch.begin(), batch.end());
  result.shape.push_back(m);
  result.shape.push_back(n);
  if (!fitsInMemory(result.shape)) {
    op->emitOpError("cannot be evaluated: a result of shape ")
        << graph::formatShape(result.shape)
        << " is too large for the reference interpreter";
    return failure();
  }
  result.shape.assign(batch.begin(), batch.end());
  if (!lhsVector)
    result.shape.push_back(m);
  if (!rhsVector)
    result.shape.push_back(n);
  result.data.resize(product(batch) * m * n);
  forEachIndex(batch, strides,
               [&](int64_t batchIndex, ArrayRef<int64_t> offsets) {
                 const double *x = lhs.data.data() + offsets[0] * m * k;
                 const double *y = rhs.data.data() + offsets[1] * k * n;
                 double *z = result.data.data() + batchIndex * m * n;
                 for (int64_t i = 0; i < m; ++i)
                   for (int64_t j = 0; j < n; ++j) {
                     double sum = 0;
                     for (int64_t l = 0; l < k; ++l)
                       sum += x[i * k + l] * y[l * n + j];
                     z[i * n + j] = roundTo(*dtype, sum);
                   }
               });
  return result;
}

FailureOr<Tensor>
OpEvaluator::softmaxLike(int64_t axisAttr,
                         llvm::function_ref<double(double, double)> value) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(axisAttr, input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  Tensor result = input;
  result.dtype = *dtype;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&, o = o, i = i](int64_t j) {
        return (o * size + j) * inner + i;
      };
      double maximum = -INFINITY;
      for (int64_t j = 0; j < size; ++j)
        maximum = std::max(maximum, input.data[at(j)]);
      double sum = 0;
      for (int64_t j = 0; j < size; ++j)
        sum += std::exp(input.data[at(j)] - maximum);
      for (int64_t j = 0; j < size; ++j)
        result.data[at(j)] =
            roundTo(*dtype, value(input.data[at(j)] - maximum, sum));
    }
  return result;
}

FailureOr<Tensor> OpEvaluator::layerNorm(graph::LayerNormOp layerNormOp) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(layerNormOp.getAxis(), input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  ArrayRef<int64_t> normalized =
      ArrayRef<int64_t>(input.shape).drop_front(*axis);
  int64_t outer = product(ArrayRef<int64_t>(input.shape).take_front(*axis));
  int64_t inner = product(normalized);
  // Scale and bias broadcast against the normalized dimensions.
  SmallVector<const Tensor *> params = {&operands[1]};
  if (operands.size() > 2)
    params.push_back(&operands[2]);
  SmallVector<SmallVector<int64_t>> paramIndex;
  for (const Tensor *param : params) {
    SmallVector<int64_t> shape;
    if (param->shape.size() > normalized.size() ||
        !OpTrait::util::getBroadcastedShape(normalized, param->shape, shape) ||
        ArrayRef<int64_t>(shape) != normalized) {
      op->emitOpError("cannot be evaluated: scale/bias shape ")
          << graph::formatShape(param->shape)
          << " does not broadcast to the normalized shape "
          << graph::formatShape(normalized);
      return failure();
    }
    SmallVector<int64_t> index(inner);
    SmallVector<SmallVector<int64_t>> strides = {
        broadcastStrides(param->shape, normalized)};
    forEachIndex(normalized, strides,
                 [&](int64_t i, ArrayRef<int64_t> off) { index[i] = off[0]; });
    paramIndex.push_back(std::move(index));
  }
  double epsilon = layerNormOp.getEpsilon().convertToDouble();
  Tensor result = input;
  result.dtype = *dtype;
  for (int64_t o = 0; o < outer; ++o) {
    const double *x = input.data.data() + o * inner;
    double mean = 0;
    for (int64_t i = 0; i < inner; ++i)
      mean += x[i];
    mean /= inner;
    double variance = 0;
    for (int64_t i = 0; i < inner; ++i)
      variance += (x[i] - mean) * (x[i] - mean);
    variance /= inner;
    double invStdDev = 1.0 / std::sqrt(variance + epsilon);
    for (int64_t i = 0; i < inner; ++i) {
      double y = (x[i] - mean) * invStdDev * params[0]->data[paramIndex[0][i]];
      if (params.size() > 1)
        y += params[1]->data[paramIndex[1][i]];
      result.data[o * inner + i] = roundTo(*dtype, y);
    }
  }
  return result;
}

FailureOr<Tensor> OpEvaluator::reduceMean(graph::ReduceMeanOp reduceOp) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  int64_t rank = input.shape.size();
  llvm::SmallSet<int64_t, 4> reduced;
  for (int64_t axis : reduceOp.getAxes()) {
    auto normalized = graph::normalizeAxis(axis, rank);
    if (!normalized) {
      op->emitOpError("cannot be evaluated: axis ")
          << axis << " out of range for rank " << rank;
      return failure();
    }
    reduced.insert(*normalized);
  }
  bool all = reduceOp.getAxes().empty();
  // The reduced shape with kept dimensions; input elements map onto it with
  // stride 0 along reduced dimensions.
  SmallVector<int64_t> keptShape;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    bool isReduced = all || reduced.contains(i);
    keptShape.push_back(isReduced ? 1 : input.shape[i]);
    if (isReduced)
      count *= input.shape[i];
  }
  std::vector<double> sums(product(keptShape), 0.0);
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(keptShape, input.shape)};
  forEachIndex(input.shape, strides, [&](int64_t i, ArrayRef<int64_t> off) {
    sums[off[0]] += input.data[i];
  });
  Tensor result;
  result.dtype = *dtype;
  for (int64_t i = 0; i < rank; ++i)
    if (!(all || reduced.contains(i)))
      result.shape.push_back(input.shape[i]);
    else if (reduceOp.getKeepdims())
      result.shape.push_back(1);
  for (double sum : sums)
    result.data.push_back(roundTo(*dtype, count ? sum / count : NAN));
  return result;
}

FailureOr<Tensor> OpEvaluator::transpose(graph::TransposeOp transposeOp) {
  const Tensor &input = operands[0];
  ArrayRef<int64_t> perm = transposeOp.getPerm();
  if (perm.size() != input.shape.size()) {
    op->emitOpError("cannot be evaluated: perm does not match the input rank");
    return failure();
  }
  SmallVector<int64_t> inStrides(input.shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(input.shape.size()) - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * input.shape[i + 1];
  SmallVector<int64_t> shape, strides;
  for (int64_t p : perm) {
    shape.push_back(input.shape[p]);
    strides.push_back(inStrides[p]);
  }
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(shape.begin(), shape.end());
  result.data.resize(input.data.size());
  SmallVector<SmallVector<int64_t>> allStrides = {strides};
  forEachIndex(shape, allStrides, [&](int64_t i, ArrayRef<int64_t> off) {
    result.data[i] = input.data[off[0]];
  });
  return result;
}

FailureOr<Tensor> OpEvaluator::withShape(ArrayRef<int64_t> shape) {
  Tensor result = operands[0];
  if (product(shape) != result.numElements()) {
    op->emitOpError("cannot be evaluated: ")
        << graph::formatShape(shape) << " does not hold "
        << result.numElements() << " elements";
    return failure();
  }
  result.shape.assign(shape.begin(), shape.end());
  return result;
}

FailureOr<Tensor> OpEvaluator::reshape(graph::ReshapeOp reshapeOp) {
  std::string error;
  auto shape = graph::resolveReshape(operands[0].shape, reshapeOp.getShape(),
                                     reshapeOp.getAllowZero(), error);
  if (failed(shape)) {
    op->emitOpError("cannot be evaluated: ") << error;
    return failure();
  }
  return withShape(*shape);
}

FailureOr<Tensor> OpEvaluator::squeeze(graph::SqueezeOp squeezeOp) {
  ArrayRef<int64_t> in = operands[0].shape;
  int64_t rank = in.size();
  llvm::SmallSet<int64_t, 4> axes;
  for (int64_t axis : squeezeOp.getAxes()) {
    auto normalized = graph::normalizeAxis(axis, rank);
    if (!normalized || in[*normalized] != 1) {
      op->emitOpError("cannot be evaluated: cannot squeeze axis ") << axis;
      return failure();
    }
    axes.insert(*normalized);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (squeezeOp.getAxes().empty() ? in[i] != 1 : !axes.contains(i))
      shape.push_back(in[i]);
  return withShape(shape);
}

FailureOr<Tensor> OpEvaluator::unsqueeze(graph::UnsqueezeOp unsqueezeOp) {
  ArrayRef<int64_t> in = operands[0].shape;
  int64_t rank = in.size() + unsqueezeOp.getAxes().size();
  llvm::SmallSet<int64_t, 4> axes;
  for (int64_t axis : unsqueezeOp.getAxes()) {
    auto normalized = graph::normalizeAxis(axis, rank);
    if (!normalized || !axes.insert(*normalized).second) {
      op->emitOpError("cannot be evaluated: invalid axis ") << axis;
      return failure();
    }
  }
  SmallVector<int64_t> shape;
  auto next = in.begin();
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(axes.contains(i) ? 1 : *next++);
  return withShape(shape);
}

LogicalResult OpEvaluator::checkSize(ArrayRef<int64_t> shape) {
  if (fitsInMemory(shape))
    return success();
  op->emitOpError("cannot be evaluated: a result of shape ")
      << graph::formatShape(shape)
      << " is too large for the reference interpreter";
  return failure();
}

FailureOr<int64_t> OpEvaluator::checkedIndex(double index, int64_t size,
                                             StringRef what) {
  int64_t i = toInt64(index);
  if (i < -size || i >= size) {
    op->emitOpError("cannot be evaluated: ")
        << what << " " << i << " is out of range for a dimension of size "
        << size;
    return failure();
  }
  return i < 0 ? i + size : i;
}

FailureOr<Tensor> OpEvaluator::select() {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  SmallVector<int64_t> shape;
  SmallVector<int64_t> next;
  for (const Tensor &operand : operands) {
    if (!OpTrait::util::getBroadcastedShape(shape, operand.shape, next)) {
      op->emitOpError("cannot be evaluated: operand shapes do not broadcast");
      return failure();
    }
    shape = next;
  }
  if (failed(checkSize(shape)))
    return failure();
  Tensor result;
  result.dtype = *dtype;
  result.shape.assign(shape.begin(), shape.end());
  result.data.resize(product(shape));
  SmallVector<SmallVector<int64_t>> strides;
  for (const Tensor &operand : operands)
    strides.push_back(broadcastStrides(operand.shape, shape));
  forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> off) {
    result.data[i] = operands[0].data[off[0]] != 0 ? operands[1].data[off[1]]
                                                   : operands[2].data[off[2]];
  });
  return result;
}

FailureOr<Tensor> OpEvaluator::bitwise(graph::BitwiseKind kind) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  int bits = byteSize(*dtype) * 8;
  if (*dtype == DType::Bool)
    bits = 1;
  uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  return binary([=](double a, double b) -> double {
    uint64_t x = static_cast<uint64_t>(toInt64(a));
    uint64_t y = static_cast<uint64_t>(toInt64(b));
    uint64_t r = 0;
    switch (kind) {
    case graph::BitwiseKind::And:
      r = x & y;
      break;
    case graph::BitwiseKind::Or:
      r = x | y;
      break;
    case graph::BitwiseKind::Xor:
      r = x ^ y;
      break;
    case graph::BitwiseKind::ShiftLeft:
      r = y >= static_cast<uint64_t>(bits) ? 0 : (x << y) & mask;
      break;
    case graph::BitwiseKind::ShiftRight:
      // Logical: the bits of the element type, shifted in with zeros.
      r = y >= static_cast<uint64_t>(bits) ? 0 : (x & mask) >> y;
      break;
    }
    // roundTo wraps the low bits back into the element type.
    return static_cast<double>(static_cast<int64_t>(r & mask));
  });
}

FailureOr<Tensor> OpEvaluator::hardmax(int64_t axisAttr) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(axisAttr, input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  Tensor result = input;
  result.dtype = *dtype;
  std::fill(result.data.begin(), result.data.end(), 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&, o = o, i = i](int64_t j) {
        return (o * size + j) * inner + i;
      };
      int64_t best = 0;
      for (int64_t j = 1; j < size; ++j)
        if (input.data[at(j)] > input.data[at(best)])
          best = j;
      if (size > 0)
        result.data[at(best)] = 1;
    }
  return result;
}

/// The reduced dimensions of `shape` (all of them when `axes` is empty), or
/// failure when an axis is out of range.
static FailureOr<SmallVector<bool>> reducedDims(ArrayRef<int64_t> shape,
                                                ArrayRef<int64_t> axes) {
  int64_t rank = shape.size();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    auto normalized = graph::normalizeAxis(axis, rank);
    if (!normalized)
      return failure();
    reduced[*normalized] = true;
  }
  return reduced;
}

FailureOr<Tensor> OpEvaluator::reduce(graph::ReduceOp reduceOp) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  FailureOr<SmallVector<bool>> reduced =
      reducedDims(input.shape, reduceOp.getAxes());
  if (failed(reduced)) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  int64_t rank = input.shape.size();
  SmallVector<int64_t> keptShape;
  for (int64_t i = 0; i < rank; ++i)
    keptShape.push_back((*reduced)[i] ? 1 : input.shape[i]);
  graph::ReduceKind kind = reduceOp.getKind();
  double init = kind == graph::ReduceKind::Sum    ? 0.0
                : kind == graph::ReduceKind::Prod ? 1.0
                : kind == graph::ReduceKind::Max  ? -INFINITY
                                                  : INFINITY;
  // Integers have no infinities: their identity is the type's extreme.
  if (!isFloat(*dtype) && std::isinf(init)) {
    int bits = byteSize(*dtype) * 8;
    bool isSigned = !isUnsigned(*dtype);
    double low = isSigned ? -std::ldexp(1.0, bits - 1) : 0.0;
    double high =
        isSigned ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
    init = init < 0 ? low : high;
  }
  std::vector<double> acc(product(keptShape), init);
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(keptShape, input.shape)};
  forEachIndex(input.shape, strides, [&](int64_t i, ArrayRef<int64_t> off) {
    double &a = acc[off[0]];
    double x = input.data[i];
    switch (kind) {
    case graph::ReduceKind::Sum:
      a += x;
      break;
    case graph::ReduceKind::Prod:
      a *= x;
      break;
    case graph::ReduceKind::Max:
      a = std::isnan(a) || std::isnan(x) ? NAN : std::max(a, x);
      break;
    case graph::ReduceKind::Min:
      a = std::isnan(a) || std::isnan(x) ? NAN : std::min(a, x);
      break;
    }
  });
  Tensor result;
  result.dtype = *dtype;
  for (int64_t i = 0; i < rank; ++i)
    if (!(*reduced)[i])
      result.shape.push_back(input.shape[i]);
    else if (reduceOp.getKeepdims())
      result.shape.push_back(1);
  for (double a : acc)
    result.data.push_back(roundTo(*dtype, a));
  return result;
}

FailureOr<Tensor> OpEvaluator::argReduce(graph::ArgReduceOp argOp) {
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(argOp.getAxis(), input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  if (size == 0) {
    op->emitOpError("cannot be evaluated: the reduced dimension is empty");
    return failure();
  }
  bool isMax = argOp.getKind() == graph::ReduceKind::Max;
  bool last = argOp.getSelectLastIndex();
  Tensor result;
  result.dtype = DType::I64;
  for (int64_t d = 0; d < static_cast<int64_t>(input.shape.size()); ++d)
    if (d != *axis)
      result.shape.push_back(input.shape[d]);
    else if (argOp.getKeepdims())
      result.shape.push_back(1);
  result.data.resize(outer * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&, o = o, i = i](int64_t j) {
        return input.data[(o * size + j) * inner + i];
      };
      int64_t best = 0;
      for (int64_t j = 1; j < size; ++j) {
        double x = at(j), b = at(best);
        bool better =
            isMax ? (x > b || (last && x == b)) : (x < b || (last && x == b));
        if (better)
          best = j;
      }
      result.data[o * inner + i] = static_cast<double>(best);
    }
  return result;
}

FailureOr<Tensor> OpEvaluator::cumsum(graph::CumSumOp cumsumOp) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(cumsumOp.getAxis(), input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  Tensor result = input;
  result.dtype = *dtype;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t step = 0; step < size; ++step) {
        int64_t j = cumsumOp.getReverse() ? size - 1 - step : step;
        int64_t at = (o * size + j) * inner + i;
        double x = input.data[at];
        if (cumsumOp.getExclusive()) {
          result.data[at] = roundTo(*dtype, sum);
          sum += x;
        } else {
          sum += x;
          result.data[at] = roundTo(*dtype, sum);
        }
      }
    }
  return result;
}

FailureOr<Tensor> OpEvaluator::concat(graph::ConcatOp concatOp) {
  const Tensor &first = operands[0];
  int64_t rank = first.shape.size();
  auto axis = graph::normalizeAxis(concatOp.getAxis(), rank);
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  SmallVector<int64_t> shape(first.shape.begin(), first.shape.end());
  shape[*axis] = 0;
  for (const Tensor &operand : operands) {
    bool agrees = static_cast<int64_t>(operand.shape.size()) == rank;
    for (int64_t d = 0; agrees && d < rank; ++d)
      agrees = d == *axis || operand.shape[d] == first.shape[d];
    if (!agrees) {
      op->emitOpError("cannot be evaluated: input shape ")
          << graph::formatShape(operand.shape) << " does not match "
          << graph::formatShape(first.shape) << " outside axis " << *axis;
      return failure();
    }
    shape[*axis] += operand.shape[*axis];
  }
  Tensor result;
  result.dtype = first.dtype;
  result.shape.assign(shape.begin(), shape.end());
  int64_t outer = product(ArrayRef<int64_t>(shape).take_front(*axis));
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor &operand : operands) {
      int64_t chunk =
          product(ArrayRef<int64_t>(operand.shape).drop_front(*axis));
      auto begin = operand.data.begin() + o * chunk;
      result.data.insert(result.data.end(), begin, begin + chunk);
    }
  return result;
}

FailureOr<Tensor> OpEvaluator::slice(graph::SliceOp sliceOp) {
  const Tensor &input = operands[0];
  int64_t rank = input.shape.size();
  for (int64_t axis : sliceOp.getAxes())
    if (!graph::normalizeAxis(axis, rank)) {
      op->emitOpError("cannot be evaluated: axis out of range");
      return failure();
    }
  SmallVector<graph::SliceDim> dims =
      graph::resolveSlice(input.shape, sliceOp.getStarts(), sliceOp.getEnds(),
                          sliceOp.getAxes(), sliceOp.getSteps());
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * input.shape[i + 1];
  Tensor result;
  result.dtype = input.dtype;
  int64_t base = 0;
  SmallVector<int64_t> strides;
  for (int64_t d = 0; d < rank; ++d) {
    result.shape.push_back(dims[d].count);
    base += dims[d].start * inStrides[d];
    strides.push_back(dims[d].step * inStrides[d]);
  }
  result.data.resize(result.numElements());
  SmallVector<SmallVector<int64_t>> allStrides = {strides};
  forEachIndex(result.shape, allStrides, [&](int64_t i, ArrayRef<int64_t> off) {
    result.data[i] = input.data[base + off[0]];
  });
  return result;
}

FailureOr<Tensor> OpEvaluator::gather(graph::GatherOp gatherOp) {
  const Tensor &input = operands[0], &indices = operands[1];
  auto axis = graph::normalizeAxis(gatherOp.getAxis(), input.shape.size());
  if (!axis) {
    op->emitOpError("cannot be evaluated: axis out of range");
    return failure();
  }
  auto [outer, size, inner] = splitAround(input.shape, *axis);
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(input.shape.begin(), input.shape.begin() + *axis);
  llvm::append_range(result.shape, indices.shape);
  result.shape.insert(result.shape.end(), input.shape.begin() + *axis + 1,
                      input.shape.end());
  if (failed(checkSize(result.shape)))
    return failure();
  SmallVector<int64_t> positions;
  for (double index : indices.data) {
    FailureOr<int64_t> position = checkedIndex(index, size, "index");
    if (failed(position))
      return failure();
    positions.push_back(*position);
  }
  result.data.reserve(result.numElements());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t position : positions) {
      auto begin = input.data.begin() + (o * size + position) * inner;
      result.data.insert(result.data.end(), begin, begin + inner);
    }
  return result;
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `body(linear, offsetIntoInput, axisCoordinate)` for every element of
/// an indices tensor of `indexShape`, where offsetIntoInput addresses the same
/// coordinates in an input of `inShape` with the axis coordinate zeroed.
/// Fails when the indices exceed the input outside the axis.
static LogicalResult
forEachElementIndex(Operation *op, ArrayRef<int64_t> inShape,
                    ArrayRef<int64_t> indexShape, int64_t axis,
                    llvm::function_ref<void(int64_t, int64_t)> body) {
  for (size_t d = 0; d < inShape.size(); ++d)
    if (static_cast<int64_t>(d) != axis && indexShape[d] > inShape[d]) {
      op->emitOpError("cannot be evaluated: indices shape ")
          << graph::formatShape(indexShape) << " exceeds the input shape "
          << graph::formatShape(inShape) << " at dimension " << d;
      return failure();
    }
  SmallVector<int64_t> strides = rowMajorStrides(inShape);
  strides[axis] = 0;
  SmallVector<SmallVector<int64_t>> all = {strides};
  forEachIndex(indexShape, all,
               [&](int64_t i, ArrayRef<int64_t> off) { body(i, off[0]); });
  return success();
}

FailureOr<Tensor> OpEvaluator::gatherElements(graph::GatherElementsOp g) {
  const Tensor &input = operands[0], &indices = operands[1];
  int64_t rank = input.shape.size();
  auto axis = graph::normalizeAxis(g.getAxis(), rank);
  if (!axis || static_cast<int64_t>(indices.shape.size()) != rank) {
    op->emitOpError("cannot be evaluated: invalid axis or indices rank");
    return failure();
  }
  int64_t size = input.shape[*axis];
  int64_t axisStride = rowMajorStrides(input.shape)[*axis];
  Tensor result;
  result.dtype = input.dtype;
  result.shape = indices.shape;
  result.data.resize(indices.data.size());
  bool ok = true;
  if (failed(forEachElementIndex(op, input.shape, indices.shape, *axis,
                                 [&](int64_t i, int64_t base) {
                                   if (!ok)
                                     return;
                                   FailureOr<int64_t> p = checkedIndex(
                                       indices.data[i], size, "index");
                                   if (failed(p)) {
                                     ok = false;
                                     return;
                                   }
                                   result.data[i] =
                                       input.data[base + *p * axisStride];
                                 })) ||
      !ok)
    return failure();
  return result;
}

FailureOr<Tensor> OpEvaluator::scatterElements(graph::ScatterElementsOp s) {
  const Tensor &input = operands[0], &indices = operands[1],
               &updates = operands[2];
  int64_t rank = input.shape.size();
  auto axis = graph::normalizeAxis(s.getAxis(), rank);
  if (!axis || static_cast<int64_t>(indices.shape.size()) != rank ||
      indices.shape != updates.shape) {
    op->emitOpError("cannot be evaluated: invalid axis, indices rank or "
                    "updates shape");
    return failure();
  }
  int64_t size = input.shape[*axis];
  int64_t axisStride = rowMajorStrides(input.shape)[*axis];
  Tensor result = input;
  graph::ScatterReduction reduction = s.getReduction();
  bool ok = true;
  if (failed(forEachElementIndex(
          op, input.shape, indices.shape, *axis,
          [&](int64_t i, int64_t base) {
            if (!ok)
              return;
            FailureOr<int64_t> p = checkedIndex(indices.data[i], size, "index");
            if (failed(p)) {
              ok = false;
              return;
            }
            double &target = result.data[base + *p * axisStride];
            target = combineScattered(reduction, result.dtype, target,
                                      updates.data[i]);
          })) ||
      !ok)
    return failure();
  return result;
}

FailureOr<Tensor> OpEvaluator::expand(graph::ExpandOp expandOp) {
  const Tensor &input = operands[0];
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(input.shape, expandOp.getShape(),
                                          shape)) {
    op->emitOpError("cannot be evaluated: input shape ")
        << graph::formatShape(input.shape) << " does not broadcast to "
        << graph::formatShape(expandOp.getShape());
    return failure();
  }
  if (failed(checkSize(shape)))
    return failure();
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(shape.begin(), shape.end());
  result.data.resize(product(shape));
  SmallVector<SmallVector<int64_t>> strides = {
      broadcastStrides(input.shape, shape)};
  forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> off) {
    result.data[i] = input.data[off[0]];
  });
  return result;
}

FailureOr<Tensor> OpEvaluator::tile(graph::TileOp tileOp) {
  const Tensor &input = operands[0];
  ArrayRef<int64_t> repeats = tileOp.getRepeats();
  if (repeats.size() != input.shape.size()) {
    op->emitOpError("cannot be evaluated: repeats do not match the rank");
    return failure();
  }
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(input.shape, repeats))
    shape.push_back(d * r);
  if (failed(checkSize(shape)))
    return failure();
  SmallVector<int64_t> inStrides = rowMajorStrides(input.shape);
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(shape.begin(), shape.end());
  result.data.resize(product(shape));
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < product(shape); ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      offset += (index[d] % input.shape[d]) * inStrides[d];
    result.data[i] = input.data[offset];
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

FailureOr<Tensor> OpEvaluator::pad(graph::PadOp padOp) {
  const Tensor &input = operands[0];
  int64_t rank = input.shape.size();
  ArrayRef<int64_t> pads = padOp.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank ||
      operands[1].data.size() != 1) {
    op->emitOpError("cannot be evaluated: pads or value do not match");
    return failure();
  }
  graph::PadMode mode = padOp.getMode();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input.shape[d] + pads[d] + pads[rank + d];
    if (size < 0 ||
        (mode != graph::PadMode::Constant && input.shape[d] == 0 && size > 0)) {
      op->emitOpError("cannot be evaluated: cannot pad dimension ")
          << d << " of size " << input.shape[d];
      return failure();
    }
    shape.push_back(size);
  }
  if (failed(checkSize(shape)))
    return failure();
  SmallVector<int64_t> inStrides = rowMajorStrides(input.shape);
  double value = operands[1].data[0];
  Tensor result;
  result.dtype = input.dtype;
  result.shape.assign(shape.begin(), shape.end());
  int64_t count = product(shape);
  result.data.resize(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    bool outside = false;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t n = input.shape[d];
      int64_t j = index[d] - pads[d];
      if (j < 0 || j >= n) {
        switch (mode) {
        case graph::PadMode::Constant:
          outside = true;
          break;
        case graph::PadMode::Edge:
          j = j < 0 ? 0 : n - 1;
          break;
        case graph::PadMode::Reflect: {
          // Reflection without repeating the edge, periodic in 2(n-1).
          int64_t period = 2 * (n - 1);
          if (period == 0) {
            j = 0;
            break;
          }
          j = ((j % period) + period) % period;
          if (j >= n)
            j = period - j;
          break;
        }
        case graph::PadMode::Wrap:
          j = ((j % n) + n) % n;
          break;
        }
      }
      offset += j * inStrides[d];
    }
    result.data[i] = outside ? value : input.data[offset];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

FailureOr<Tensor> OpEvaluator::trilu(graph::TriluOp triluOp) {
  const Tensor &input = operands[0];
  int64_t rank = input.shape.size();
  if (rank < 2) {
    op->emitOpError("cannot be evaluated: input must have rank at least 2");
    return failure();
  }
  int64_t rows = input.shape[rank - 2], cols = input.shape[rank - 1];
  int64_t k = triluOp.getK();
  bool upper = triluOp.getUpper();
  Tensor result = input;
  for (int64_t i = 0; i < static_cast<int64_t>(result.data.size()); ++i) {
    int64_t col = i % cols, row = (i / cols) % std::max<int64_t>(rows, 1);
    bool keep = upper ? col - row >= k : col - row <= k;
    if (!keep)
      result.data[i] = 0;
  }
  return result;
}

FailureOr<Tensor> OpEvaluator::shapeOf(graph::ShapeOp shapeOp) {
  const Tensor &input = operands[0];
  auto [start, end] = graph::shapeRange(input.shape.size(), shapeOp.getStart(),
                                        shapeOp.getEnd());
  Tensor result;
  result.dtype = DType::I64;
  result.shape = {end - start};
  for (int64_t i = start; i < end; ++i)
    result.data.push_back(static_cast<double>(input.shape[i]));
  return result;
}

FailureOr<SmallVector<Tensor>>
reference::evaluateOp(Operation *op, ArrayRef<Tensor> operands) {
  return OpEvaluator(op, operands).run();
}

FailureOr<SmallVector<Tensor>>
reference::evaluateBlock(Block &block, ArrayRef<Tensor> arguments) {
  if (arguments.size() != block.getNumArguments()) {
    emitError(block.getParent()->getLoc())
        << "block takes " << block.getNumArguments() << " arguments, got "
        << arguments.size();
    return failure();
  }
  llvm::DenseMap<Value, Tensor> values;
  for (auto [argument, tensor] : llvm::zip(block.getArguments(), arguments))
    values[argument] = tensor;
  // A value's tensor is moved into its last user instead of copied, so that
  // weights are not duplicated once per use.
  llvm::DenseMap<Value, unsigned> remainingUses;
  for (Operation &op : block)
    for (Value operand : op.getOperands())
      ++remainingUses[operand];
  auto lookupOperands = [&](Operation &op) -> FailureOr<SmallVector<Tensor>> {
    SmallVector<Tensor> operands;
    for (Value operand : op.getOperands()) {
      auto it = values.find(operand);
      if (it == values.end()) {
        op.emitOpError("cannot be evaluated: operand defined outside the "
                       "evaluated block");
        return failure();
      }
      if (--remainingUses[operand] == 0) {
        operands.push_back(std::move(it->second));
        values.erase(it);
      } else {
        operands.push_back(it->second);
      }
    }
    return operands;
  };
  for (Operation &op : block) {
    FailureOr<SmallVector<Tensor>> operands = lookupOperands(op);
    if (failed(operands))
      return failure();
    // Terminators of every dialect (func.return, graph.yield, exec.yield)
    // hand back their operands.
    if (op.hasTrait<OpTrait::IsTerminator>())
      return std::move(*operands);
    FailureOr<SmallVector<Tensor>> results = evaluateOp(&op, *operands);
    if (failed(results))
      return failure();
    for (auto [result, tensor] : llvm::zip(op.getResults(), *results))
      values[result] = std::move(tensor);
  }
  emitError(block.getParent()->getLoc()) << "block has no terminator";
  return failure();
}

FailureOr<SmallVector<Tensor>>
reference::evaluateFunction(func::FuncOp func, ArrayRef<Tensor> inputs) {
  if (func.isExternal()) {
    func.emitOpError("has no body to evaluate");
    return failure();
  }
  if (inputs.size() != func.getNumArguments()) {
    func.emitOpError("takes ")
        << func.getNumArguments() << " inputs, got " << inputs.size();
    return failure();
  }
  for (auto [index, type, input] :
       llvm::enumerate(func.getArgumentTypes(), inputs)) {
    auto tensorType = dyn_cast<TensorType>(type);
    if (!tensorType) {
      func.emitOpError("argument ") << index << " is not a tensor";
      return failure();
    }
    FailureOr<DType> dtype = dtypeOf(tensorType.getElementType());
    if (failed(dtype) || *dtype != input.dtype) {
      func.emitOpError("input ")
          << index << " has dtype " << dtypeName(input.dtype)
          << " but the argument type is " << type;
      return failure();
    }
    if (!tensorType.hasRank())
      continue;
    bool agrees =
        tensorType.getRank() == static_cast<int64_t>(input.shape.size());
    for (int64_t i = 0; agrees && i < tensorType.getRank(); ++i)
      agrees = tensorType.isDynamicDim(i) ||
               tensorType.getDimSize(i) == input.shape[i];
    if (!agrees) {
      func.emitOpError("input ")
          << index << " has shape " << graph::formatShape(input.shape)
          << " but the argument type is " << type;
      return failure();
    }
  }
  return evaluateBlock(func.getBody().front(), inputs);
}
