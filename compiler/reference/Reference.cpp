//===- Reference.cpp - CPU reference interpreter --------------------------===//
//
// Every op is computed in double and rounded once to its result type, so the
// interpreter is the numerical ground truth the GPU kernels are compared to.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Reference.h"
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

int64_t reference::byteSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
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
  case DType::I8:
    return "i8";
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
      if (width == 8)
        return DType::U8;
      return failure();
    }
    switch (width) {
    case 8:
      return DType::I8;
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
  case DType::I8:
    return builder.getI8Type();
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
  if (bits == 64)
    return static_cast<double>(integer);
  uint64_t mask = (uint64_t(1) << bits) - 1;
  uint64_t low = static_cast<uint64_t>(integer) & mask;
  if (isSigned && (low >> (bits - 1)))
    return static_cast<double>(static_cast<int64_t>(low) -
                               static_cast<int64_t>(uint64_t(1) << bits));
  return static_cast<double>(low);
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
  case DType::I8:
    return wrapInteger(value, 8, true);
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
    case DType::I8:
      v = loadAs<int8_t>(p);
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
      storeAs<int64_t>(p, static_cast<int64_t>(v));
      break;
    case DType::I32:
      storeAs<int32_t>(p, static_cast<int32_t>(v));
      break;
    case DType::I8:
      storeAs<int8_t>(p, static_cast<int8_t>(v));
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
    values.push_back(APInt(width, static_cast<uint64_t>(static_cast<int64_t>(
                                      roundTo(tensor.dtype, v)))));
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

/// The most elements one result may have: beyond it the interpreter refuses
/// rather than exhausting memory (it holds 8 bytes per element).
static constexpr int64_t kMaxResultElements = int64_t(1) << 31;

/// Whether a tensor of `shape` is small enough to compute, without
/// overflowing on absurd shapes.
static bool fitsInMemory(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(count, d, &count) ||
        count > kMaxResultElements)
      return false;
  return true;
}

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

/// Strides of `inShape` when read as `outShape` under numpy broadcasting:
/// broadcast dimensions get stride 0.
static SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> inShape,
                                             ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> strides(outShape.size(), 0);
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(inShape.size()) - 1,
               o = static_cast<int64_t>(outShape.size()) - 1;
       i >= 0; --i, --o) {
    strides[o] = inShape[i] == 1 ? 0 : stride;
    stride *= inShape[i];
  }
  return strides;
}

/// Calls `body(outIndex, offsets)` for every element of `outShape`, where
/// offsets[k] is the element of input k read under `strides[k]`. Offsets are
/// updated incrementally, like an odometer.
template <typename Body>
static void forEachIndex(ArrayRef<int64_t> outShape,
                         ArrayRef<SmallVector<int64_t>> strides, Body body) {
  int64_t count = product(outShape);
  size_t rank = outShape.size();
  SmallVector<int64_t> counter(rank, 0);
  SmallVector<int64_t> offsets(strides.size(), 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    body(linear, ArrayRef<int64_t>(offsets));
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      ++counter[d];
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] += strides[k][d];
      if (counter[d] < outShape[d])
        break;
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] -= strides[k][d] * counter[d];
      counter[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// Op evaluation
//===----------------------------------------------------------------------===//

namespace {
/// Evaluates one op; every method emits an error on the op when it fails.
class OpEvaluator {
public:
  OpEvaluator(Operation *op, ArrayRef<Tensor> operands)
      : op(op), operands(operands) {}

  FailureOr<SmallVector<Tensor>> run();

private:
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
  FailureOr<Tensor> softmax(graph::SoftmaxOp softmaxOp);
  FailureOr<Tensor> layerNorm(graph::LayerNormOp layerNormOp);
  FailureOr<Tensor> reduceMean(graph::ReduceMeanOp reduceOp);
  FailureOr<Tensor> transpose(graph::TransposeOp transposeOp);
  FailureOr<Tensor> withShape(ArrayRef<int64_t> shape);
  FailureOr<Tensor> reshape(graph::ReshapeOp reshapeOp);
  FailureOr<Tensor> squeeze(graph::SqueezeOp squeezeOp);
  FailureOr<Tensor> unsqueeze(graph::UnsqueezeOp unsqueezeOp);

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
          .Case<MatMulOp>([&](auto) { return matmul(); })
          .Case<SoftmaxOp>([&](SoftmaxOp s) { return softmax(s); })
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
  // A declared result shape must agree with what was computed: a mismatch
  // means the IR is inconsistent, not that the interpreter may guess.
  auto declared = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (declared) {
    bool agrees =
        declared.getRank() == static_cast<int64_t>(result->shape.size());
    for (int64_t i = 0; agrees && i < declared.getRank(); ++i)
      agrees = declared.isDynamicDim(i) ||
               declared.getDimSize(i) == result->shape[i];
    if (!agrees) {
      op->emitOpError("computed result shape ")
          << graph::formatShape(result->shape)
          << " does not match the declared type " << declared;
      return failure();
    }
  }
  return SmallVector<Tensor>{std::move(*result)};
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
  bool isInteger = *dtype != DType::F32 && *dtype != DType::F16 &&
                   *dtype != DType::BF16 && *dtype != DType::F64;
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

/// Splits `shape` around `axis` into (outer, size of axis, inner).
static std::tuple<int64_t, int64_t, int64_t>
splitAround(ArrayRef<int64_t> shape, int64_t axis) {
  return {product(shape.take_front(axis)), shape[axis],
          product(shape.drop_front(axis + 1))};
}

FailureOr<Tensor> OpEvaluator::softmax(graph::SoftmaxOp softmaxOp) {
  FailureOr<DType> dtype = resultDType();
  if (failed(dtype))
    return failure();
  const Tensor &input = operands[0];
  auto axis = graph::normalizeAxis(softmaxOp.getAxis(), input.shape.size());
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
            roundTo(*dtype, std::exp(input.data[at(j)] - maximum) / sum);
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
