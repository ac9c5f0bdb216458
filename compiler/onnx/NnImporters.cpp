//===- NnImporters.cpp - convolutions, pooling, normalizations ------------===//
//
// Conv, ConvTranspose, ConvInteger and the pools become graph.conv,
// graph.conv_transpose and graph.pool with auto_pad and output_shape
// resolved into explicit pads. Global pools and the normalizations
// (BatchNormalization, InstanceNormalization, GroupNormalization,
// MeanVarianceNormalization, LRN, LayerNormalization's statistics) are
// decomposed into reductions and elementwise ops, exactly as ONNX defines
// them, so that every backend runs them at once.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/Support/MathExtras.h"

#include <numeric>

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

namespace {

/// Builds the ops of a decomposition in one element type.
struct NnBuilder {
  NodeImporter &node;
  Type type;

  Value c(double v) { return node.scalarConstant(type, v); }
  template <typename OpTy, typename... Args> Value op(Args &&...args) {
    return build<OpTy>(node, type, std::forward<Args>(args)...);
  }
  Value add(Value x, Value y) { return op<graph::AddOp>(x, y); }
  Value sub(Value x, Value y) { return op<graph::SubOp>(x, y); }
  Value mul(Value x, Value y) { return op<graph::MulOp>(x, y); }
  Value div(Value x, Value y) { return op<graph::DivOp>(x, y); }
  Value mean(Value x, ArrayRef<int64_t> axes) {
    return op<graph::ReduceMeanOp>(x, axes, true);
  }
  Value unsqueeze(Value x, ArrayRef<int64_t> axes) {
    return op<graph::UnsqueezeOp>(x, axes);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    return op<graph::ReshapeOp>(x, shape, false);
  }
  Value cast(Value x, Type to) {
    return to == node.elementTypeOf(x) ? x : build<graph::CastOp>(node, to, x);
  }

  /// A per-channel parameter of shape [C] made to broadcast against an
  /// N x C x D1 x ... tensor of `rank`: [C, 1, ..., 1].
  Value perChannel(Value param, int64_t rank) {
    if (rank <= 2)
      return param;
    SmallVector<int64_t> axes;
    for (int64_t i = 1; i < rank - 1; ++i)
      axes.push_back(i);
    return unsqueeze(param, axes);
  }

  /// The statistics of `x` over `axes` (kept as size 1): the mean, the
  /// centred input, the population variance and 1 / sqrt(var + epsilon).
  struct Moments {
    Value mean, centred, var, invStdDev;
  };
  Moments moments(Value x, ArrayRef<int64_t> axes, double epsilon) {
    Value m = mean(x, axes);
    Value centred = sub(x, m);
    Value var = mean(mul(centred, centred), axes);
    Value invStdDev =
        op<graph::ReciprocalOp>(op<graph::SqrtOp>(add(var, c(epsilon))));
    return {m, centred, var, invStdDev};
  }
};

/// [from, rank).
SmallVector<int64_t> axesFrom(int64_t from, int64_t rank) {
  SmallVector<int64_t> axes(rank - from);
  std::iota(axes.begin(), axes.end(), from);
  return axes;
}

} // namespace

//===----------------------------------------------------------------------===//
// Window attributes
//===----------------------------------------------------------------------===//

namespace {
/// Strides, dilations and explicit pads of a convolution or pool.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};
} // namespace

/// An ints attribute with one value per spatial dimension, `fallback`
/// everywhere when absent.
static FailureOr<SmallVector<int64_t>>
spatialInts(NodeImporter &node, StringRef name, int64_t spatial,
            int64_t fallback, int64_t count = 0) {
  count = count ? count : spatial;
  FailureOr<std::optional<SmallVector<int64_t>>> attr = node.intsAttr(name);
  if (failed(attr))
    return failure();
  if (!*attr)
    return SmallVector<int64_t>(count, fallback);
  if (static_cast<int64_t>((*attr)->size()) != count)
    return node.invalid("attribute '" + name + "' has " +
                        Twine((*attr)->size()) + " values, expected " +
                        Twine(count));
  return **attr;
}

/// Whether `values` are below 2^31 in magnitude (dynamic sizes pass).
static bool fitsWindowArithmetic(ArrayRef<int64_t> values) {
  constexpr int64_t limit = int64_t(1) << 31;
  return llvm::all_of(values, [](int64_t v) {
    return ShapedType::isDynamic(v) || (v < limit && v > -limit);
  });
}

/// Splits a total padding between begin and end: the odd element goes to
/// the end with SAME_UPPER, to the beginning otherwise. Halves round down
/// (ONNX's floor division), which matters for the negative totals of a
/// ConvTranspose output_shape larger than the default.
static void splitPadding(int64_t total, bool upper, int64_t &begin,
                         int64_t &end) {
  int64_t half = llvm::divideFloorSigned(total, 2);
  begin = upper ? half : total - half;
  end = total - begin;
}

/// Reads kernel_shape (checked against `kernel` when that is known),
/// strides, dilations, pads and auto_pad. SAME pads make the result size
/// ceil(input / stride); they need the static spatial sizes of `input`.
/// ConvTranspose resolves auto_pad itself (`transposed`).
static FailureOr<Window> readWindow(NodeImporter &node, RankedTensorType input,
                                    std::optional<ArrayRef<int64_t>> kernel,
                                    bool transposed = false) {
  int64_t spatial = input.getRank() - 2;
  if (spatial < 1)
    return node.invalid("input of rank " + Twine(input.getRank()) +
                        " has no spatial dimension");
  Window window;
  FailureOr<std::optional<SmallVector<int64_t>>> kernelShape =
      node.intsAttr("kernel_shape");
  if (failed(kernelShape))
    return failure();
  if (*kernelShape) {
    window.kernel = **kernelShape;
    if (static_cast<int64_t>(window.kernel.size()) != spatial)
      return node.invalid("kernel_shape has " + Twine(window.kernel.size()) +
                          " values for " + Twine(spatial) +
                          " spatial dimensions");
    if (kernel)
      for (auto [k, w] : llvm::zip(window.kernel, *kernel))
        if (!ShapedType::isDynamic(w) && k != w)
          return node.invalid("kernel_shape " +
                              graph::formatShape(window.kernel) +
                              " differs from the weights' spatial shape " +
                              graph::formatShape(*kernel));
  } else if (kernel) {
    window.kernel.assign(kernel->begin(), kernel->end());
  } else {
    return node.invalid("attribute 'kernel_shape' is required");
  }
  FailureOr<SmallVector<int64_t>> strides =
      spatialInts(node, "strides", spatial, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      spatialInts(node, "dilations", spatial, 1);
  FailureOr<SmallVector<int64_t>> pads =
      spatialInts(node, "pads", spatial, 0, 2 * spatial);
  FailureOr<std::string> autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (failed(strides) || failed(dilations) || failed(pads) || failed(autoPad))
    return failure();
  window.strides = *strides;
  window.dilations = *dilations;
  window.pads = *pads;
  for (int64_t i = 0; i < spatial; ++i)
    if (window.strides[i] < 1 || window.dilations[i] < 1 ||
        ShapedType::isDynamic(window.kernel[i]) || window.kernel[i] < 1)
      return node.invalid("kernel sizes, strides and dilations must be "
                          "positive");
  // The pad arithmetic below stays far from overflow.
  for (ArrayRef<int64_t> values :
       {ArrayRef<int64_t>(window.kernel), ArrayRef<int64_t>(window.strides),
        ArrayRef<int64_t>(window.dilations), ArrayRef<int64_t>(window.pads),
        input.getShape().drop_front(2)})
    if (!fitsWindowArithmetic(values))
      return node.unsupported("kernel, strides, dilations, pads and spatial "
                              "sizes must be below 2^31");
  if (*autoPad == "NOTSET" || (transposed && *autoPad != "VALID"))
    return window;
  if (*autoPad == "VALID") {
    std::fill(window.pads.begin(), window.pads.end(), 0);
    return window;
  }
  if (*autoPad != "SAME_UPPER" && *autoPad != "SAME_LOWER")
    return node.invalid("unknown auto_pad '" + *autoPad + "'");
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t size = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(size))
      return node.unsupported("auto_pad " + *autoPad +
                              " needs static spatial sizes");
    int64_t stride = window.strides[i];
    int64_t extent = (window.kernel[i] - 1) * window.dilations[i] + 1;
    int64_t out = (size + stride - 1) / stride;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - size);
    splitPadding(total, *autoPad == "SAME_UPPER", window.pads[i],
                 window.pads[spatial + i]);
  }
  return window;
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// The ranked types of inputs X and W and W's spatial sizes.
static LogicalResult convOperands(NodeImporter &node, unsigned x, unsigned w,
                                  RankedTensorType &input,
                                  RankedTensorType &filter) {
  FailureOr<RankedTensorType> inputType = node.rankedType(node.input(x), "X");
  if (failed(inputType))
    return failure();
  FailureOr<RankedTensorType> filterType = node.rankedType(node.input(w), "W");
  if (failed(filterType))
    return failure();
  input = *inputType;
  filter = *filterType;
  if (filter.getRank() != input.getRank())
    return node.invalid("W of rank " + Twine(filter.getRank()) +
                        " does not match X of rank " + Twine(input.getRank()));
  return success();
}

/// Builds graph.conv of `x` and `w` (already in one element type).
static FailureOr<Value> buildConv(NodeImporter &node, Value x, Value w,
                                  Value bias, RankedTensorType input,
                                  RankedTensorType filter) {
  FailureOr<Window> window =
      readWindow(node, input, filter.getShape().drop_front(2));
  FailureOr<int64_t> group = node.intAttr("group", 1);
  if (failed(window) || failed(group))
    return failure();
  if (*group < 1)
    return FailureOr<Value>(node.invalid("group must be positive"));
  return build<graph::ConvOp>(node, node.elementTypeOf(x), x, w, bias,
                              window->strides, window->dilations, window->pads,
                              *group);
}

static LogicalResult importConv(NodeImporter &node) {
  if (failed(node.requireInputs(2)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  RankedTensorType input, filter;
  if (failed(convOperands(node, 0, 1, input, filter)))
    return failure();
  FailureOr<Value> conv = buildConv(node, node.input(0), node.input(1),
                                    node.input(2), input, filter);
  if (failed(conv))
    return failure();
  node.setOutput(0, *conv);
  return success();
}

static LogicalResult importConvTranspose(NodeImporter &node) {
  if (failed(node.requireInputs(2)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  RankedTensorType input, filter;
  if (failed(convOperands(node, 0, 1, input, filter)))
    return failure();
  FailureOr<Window> window =
      readWindow(node, input, filter.getShape().drop_front(2),
                 /*transposed=*/true);
  FailureOr<int64_t> group = node.intAttr("group", 1);
  if (failed(window) || failed(group))
    return failure();
  if (*group < 1)
    return node.invalid("group must be positive");
  int64_t spatial = input.getRank() - 2;
  FailureOr<SmallVector<int64_t>> outputPadding =
      spatialInts(node, "output_padding", spatial, 0);
  FailureOr<std::optional<SmallVector<int64_t>>> outputShape =
      node.intsAttr("output_shape");
  FailureOr<std::string> autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (failed(outputPadding) || failed(outputShape) || failed(autoPad))
    return failure();
  if (!fitsWindowArithmetic(*outputPadding) ||
      (*outputShape && !fitsWindowArithmetic(**outputShape)))
    return node.unsupported("output_padding and output_shape must be below "
                            "2^31");
  // output_shape (spatial sizes, or the whole shape) or SAME auto_pad fix the
  // result size; the pads follow from it.
  std::optional<SmallVector<int64_t>> target;
  if (*outputShape) {
    SmallVector<int64_t> shape = **outputShape;
    if (static_cast<int64_t>(shape.size()) == spatial + 2)
      shape.erase(shape.begin(), shape.begin() + 2);
    if (static_cast<int64_t>(shape.size()) != spatial)
      return node.invalid("output_shape has " + Twine(shape.size()) +
                          " values for " + Twine(spatial) +
                          " spatial dimensions");
    target = shape;
  } else if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
    target.emplace();
    for (int64_t i = 0; i < spatial; ++i)
      target->push_back(input.getDimSize(i + 2) * window->strides[i]);
  }
  if (target) {
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = input.getDimSize(i + 2);
      if (ShapedType::isDynamic(size))
        return node.unsupported("output_shape and auto_pad need static "
                                "spatial sizes");
      int64_t extent = (window->kernel[i] - 1) * window->dilations[i] + 1;
      int64_t total = window->strides[i] * (size - 1) + (*outputPadding)[i] +
                      extent - (*target)[i];
      splitPadding(total, *autoPad == "SAME_UPPER", window->pads[i],
                   window->pads[spatial + i]);
    }
  }
  node.setOutput(0,
                 build<graph::ConvTransposeOp>(
                     node, node.elementTypeOf(node.input(0)), node.input(0),
                     node.input(1), node.input(2), window->strides,
                     window->dilations, window->pads, *outputPadding, *group));
  return success();
}

/// The i32 convolution of (x - x_zero_point) and (w - w_zero_point), x, w
/// and the zero points being inputs `x`, `w`, `xZero` and `wZero` (8-bit
/// integers; w_zero_point may hold one value per output channel), plus the
/// optional i32 input `bias`. ConvInteger and QLinearConv.
static FailureOr<Value> integerConv(NodeImporter &node, unsigned x,
                                    unsigned xZero, unsigned w, unsigned wZero,
                                    std::optional<unsigned> bias) {
  RankedTensorType input, filter;
  if (failed(convOperands(node, x, w, input, filter)))
    return failure();
  for (unsigned i : {x, xZero, w, wZero}) {
    Value value = node.input(i);
    if (value && !node.elementTypeOf(value).isInteger(8))
      return FailureOr<Value>(
          node.unsupported("input " + Twine(i) + " of type " +
                           typeName(node.elementTypeOf(value)) +
                           " is not supported (int8 and uint8 only)"));
  }
  NnBuilder b{node, node.builder().getI32Type()};
  auto centred = [&](unsigned value, unsigned zeroPoint,
                     bool perChannel) -> FailureOr<Value> {
    Value v = b.cast(node.input(value), b.type);
    Value zp = node.input(zeroPoint);
    if (!zp)
      return v;
    FailureOr<RankedTensorType> zpType = node.rankedType(zp, "zero point");
    if (failed(zpType))
      return failure();
    if (zpType->getRank() > 1 ||
        (zpType->getRank() == 1 && zpType->getDimSize(0) != 1 && !perChannel))
      return FailureOr<Value>(node.unsupported(
          "input " + Twine(zeroPoint) + " (zero point) must be a scalar" +
          (perChannel ? " or hold one value per output channel" : "")));
    zp = b.cast(zp, b.type);
    if (zpType->getRank() == 1)
      zp = b.unsqueeze(zp, axesFrom(1, input.getRank()));
    return b.sub(v, zp);
  };
  FailureOr<Value> xs = centred(x, xZero, false);
  if (failed(xs))
    return failure();
  FailureOr<Value> ws = centred(w, wZero, true);
  if (failed(ws))
    return failure();
  Value biasValue = bias ? node.input(*bias) : nullptr;
  if (biasValue && !node.elementTypeOf(biasValue).isInteger(32))
    return FailureOr<Value>(
        node.invalid("input " + Twine(*bias) + " (B) must be int32"));
  return buildConv(node, *xs, *ws, biasValue, input, filter);
}

static LogicalResult importConvInteger(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<Value> conv = integerConv(node, 0, 2, 1, 3, std::nullopt);
  if (failed(conv))
    return failure();
  node.setOutput(0, *conv);
  return success();
}

/// QLinearConv: the integer convolution (plus B) scaled by x_scale * w_scale
/// / y_scale (w_scale per output channel or not), rounded half to even,
/// shifted by y_zero_point and saturated to its 8-bit type.
static LogicalResult importQLinearConv(NodeImporter &node) {
  if (failed(node.requireInputs(8)))
    return failure();
  FailureOr<Value> conv = integerConv(node, 0, 2, 3, 5, 8);
  if (failed(conv))
    return failure();
  Value yZero = node.input(7);
  Type outType = node.elementTypeOf(yZero);
  if (!outType.isInteger(8))
    return node.unsupported("y_zero_point of type " + typeName(outType) +
                            " is not supported (int8 and uint8 only)");
  for (unsigned i : {1u, 4u, 6u})
    if (!node.elementTypeOf(node.input(i)).isF32())
      return node.invalid("input " + Twine(i) + " (a scale) must be float");
  FailureOr<RankedTensorType> wScale =
      node.rankedType(node.input(4), "w_scale");
  FailureOr<RankedTensorType> x = node.rankedType(node.input(0), "x");
  if (failed(wScale) || failed(x))
    return failure();
  NnBuilder f{node, node.builder().getF32Type()};
  Value scale = node.input(4);
  if (wScale->getRank() == 1)
    scale = f.perChannel(scale, x->getRank());
  scale = f.div(f.mul(node.input(1), scale), node.input(6));
  Value y = f.add(f.mul(f.cast(*conv, f.type), scale), f.cast(yZero, f.type));
  // Saturating first commutes with rounding to integers. Within the 8-bit
  // range, adding and subtracting 1.5 * 2^23 rounds an f32 half to even (its
  // ulp there is 1): elementwise ops that every backend has.
  bool isUnsigned = outType.isUnsignedInteger();
  y = f.op<graph::MaxOp>(y, f.c(isUnsigned ? 0 : -128));
  y = f.op<graph::MinOp>(y, f.c(isUnsigned ? 255 : 127));
  Value magic = f.c(12582912.0);
  y = f.sub(f.add(y, magic), magic);
  node.setOutput(0, f.cast(y, outType));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The p of LpPool and GlobalLpPool: a float in opset 1, an int from 2.
static FailureOr<double> readP(NodeImporter &node) {
  double p = 2;
  if (node.opset() < 2) {
    FailureOr<float> value = node.floatAttr("p", 2.0f);
    if (failed(value))
      return failure();
    p = *value;
  } else {
    FailureOr<int64_t> value = node.intAttr("p", 2);
    if (failed(value))
      return failure();
    p = static_cast<double>(*value);
  }
  if (p <= 0)
    return node.invalid("p must be positive");
  return p;
}

/// MaxPool, AveragePool and LpPool. Attributes that an opset does not define
/// take their defaults there.
template <graph::PoolKind kind>
static LogicalResult importPool(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  Type type = node.elementTypeOf(x);
  if (kind != graph::PoolKind::Max || !type.isInteger(8))
    if (failed(requireFloat(node, x)))
      return failure();
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(input))
    return failure();
  FailureOr<Window> window = readWindow(node, *input, std::nullopt);
  FailureOr<int64_t> ceilMode = node.intAttr("ceil_mode", 0);
  FailureOr<int64_t> countIncludePad = node.intAttr("count_include_pad", 0);
  FailureOr<int64_t> storageOrder = node.intAttr("storage_order", 0);
  if (failed(window) || failed(ceilMode) || failed(countIncludePad) ||
      failed(storageOrder))
    return failure();
  int64_t p = 2;
  if (kind == graph::PoolKind::Lp) {
    FailureOr<double> value = readP(node);
    if (failed(value))
      return failure();
    if (*value != std::floor(*value))
      return node.unsupported("p = " + std::to_string(*value) +
                              " is not an integer");
    p = static_cast<int64_t>(*value);
  }
  OpBuilder &builder = node.builder();
  node.setOutput(
      0, build<graph::PoolOp>(node, type,
                              graph::PoolKindAttr::get(node.context(), kind), x,
                              builder.getDenseI64ArrayAttr(window->kernel),
                              builder.getDenseI64ArrayAttr(window->strides),
                              builder.getDenseI64ArrayAttr(window->dilations),
                              builder.getDenseI64ArrayAttr(window->pads),
                              builder.getBoolAttr(*ceilMode != 0),
                              builder.getBoolAttr(*countIncludePad != 0),
                              builder.getI64IntegerAttr(p)));
  if (kind == graph::PoolKind::Max && node.outputUsed(1))
    node.setOutput(1, build<graph::MaxPoolIndicesOp>(
                          node, builder.getI64Type(), x, window->kernel,
                          window->strides, window->dilations, window->pads,
                          *ceilMode != 0, *storageOrder != 0));
  return success();
}

/// A graph.pool whose window is the whole spatial extent of `input` (for
/// max, or lp with an integer p), otherwise a reduction over it.
static Value globalPool(NodeImporter &node, NnBuilder &b, Value x,
                        RankedTensorType input, graph::PoolKind kind,
                        double p) {
  SmallVector<int64_t> axes = axesFrom(2, input.getRank());
  ArrayRef<int64_t> window = input.getShape().drop_front(2);
  if (llvm::any_of(window, ShapedType::isDynamic) || p != std::floor(p)) {
    if (kind == graph::PoolKind::Max)
      return b.op<graph::ReduceOp>(graph::ReduceKind::Max, x, axes, true);
    Value powered = b.op<graph::PowOp>(b.op<graph::AbsOp>(x), b.c(p));
    // A static window sums as count * mean: graph.reduce_mean has a kernel.
    int64_t count = 1;
    for (int64_t d : window)
      count *= d;
    Value sum =
        llvm::any_of(window, ShapedType::isDynamic)
            ? b.op<graph::ReduceOp>(graph::ReduceKind::Sum, powered, axes, true)
            : b.mul(b.mean(powered, axes), b.c(static_cast<double>(count)));
    return b.op<graph::PowOp>(sum, b.c(1.0 / p));
  }
  OpBuilder &builder = node.builder();
  SmallVector<int64_t> ones(window.size(), 1), zeros(2 * window.size(), 0);
  return b.op<graph::PoolOp>(
      graph::PoolKindAttr::get(node.context(), kind), x,
      builder.getDenseI64ArrayAttr(window), builder.getDenseI64ArrayAttr(ones),
      builder.getDenseI64ArrayAttr(ones), builder.getDenseI64ArrayAttr(zeros),
      builder.getBoolAttr(false), builder.getBoolAttr(false),
      builder.getI64IntegerAttr(static_cast<int64_t>(p)));
}

/// GlobalAveragePool (graph.reduce_mean, a row reduction), GlobalMaxPool and
/// GlobalLpPool (see globalPool).
template <graph::PoolKind kind>
static LogicalResult importGlobalPool(NodeImporter &node) {
  if (failed(node.requireInputs(1)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  Value x = node.input(0);
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(input))
    return failure();
  if (input->getRank() < 3)
    return node.invalid("input of rank " + Twine(input->getRank()) +
                        " has no spatial dimension");
  NnBuilder b{node, input->getElementType()};
  if (kind == graph::PoolKind::Avg) {
    node.setOutput(0, b.mean(x, axesFrom(2, input->getRank())));
    return success();
  }
  FailureOr<double> p = kind == graph::PoolKind::Lp ? readP(node) : 2.0;
  if (failed(p))
    return failure();
  node.setOutput(0, globalPool(node, b, x, *input, kind, *p));
  return success();
}

/// MaxUnpool: zeros of the result shape with X written at the flat indices I
/// (MaxPool's Indices output): a scatter over the flattened tensors. The
/// result shape is output_shape (known at import) or (in - 1) * stride +
/// kernel - pads.
static LogicalResult importMaxUnpool(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  Value x = node.input(0), indices = node.input(1);
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(input))
    return failure();
  if (!input->hasStaticShape())
    return node.unsupported("X needs a static shape");
  if (!node.elementTypeOf(indices).isInteger(64))
    return node.invalid("I must be int64");
  FailureOr<Window> window = readWindow(node, *input, std::nullopt);
  if (failed(window))
    return failure();
  // I holds flat indices into the shape MaxPool's input had (the shape the
  // attributes give); a larger output_shape pads that result at the end of
  // each spatial dimension, as ONNX Runtime and the ONNX tests do.
  SmallVector<int64_t> shape(input->getShape().take_front(2));
  int64_t spatial = input->getRank() - 2;
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back((input->getDimSize(i + 2) - 1) * window->strides[i] +
                    window->kernel[i] - window->pads[i] -
                    window->pads[spatial + i]);
  SmallVector<int64_t> outputShape = shape;
  if (node.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> given =
        node.constantInts(2, "output_shape");
    if (failed(given))
      return failure();
    outputShape = *given;
  }
  if (static_cast<int64_t>(outputShape.size()) != input->getRank() ||
      !fitsWindowArithmetic(outputShape) ||
      llvm::any_of(shape, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(llvm::zip(shape, outputShape), [](auto dims) {
        return std::get<1>(dims) < std::get<0>(dims);
      }))
    return node.invalid("output shape " + graph::formatShape(outputShape) +
                        " is not a valid shape of rank " +
                        Twine(input->getRank()) + " holding " +
                        graph::formatShape(shape));
  NnBuilder b{node, input->getElementType()};
  Value zeros = b.reshape(splatConstant(node, shape, b.type, 0), {-1});
  Value flatIndices = build<graph::ReshapeOp>(
      node, node.elementTypeOf(indices), indices, ArrayRef<int64_t>{-1}, false);
  Value scattered =
      b.op<graph::ScatterElementsOp>(zeros, flatIndices, b.reshape(x, {-1}),
                                     int64_t(0), graph::ScatterReduction::None);
  Value result = b.reshape(scattered, shape);
  if (outputShape != shape) {
    SmallVector<int64_t> pads(2 * shape.size(), 0);
    for (size_t d = 0; d < shape.size(); ++d)
      pads[shape.size() + d] = outputShape[d] - shape[d];
    result = b.op<graph::PadOp>(result, node.scalarConstant(b.type, 0), pads,
                                graph::PadMode::Constant);
  }
  node.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// BatchNormalization. Inference: (x - mean) / sqrt(var + epsilon) * scale +
/// B with the given statistics. training_mode (opset 14 on) normalizes with
/// the batch's mean and population variance and returns the running
/// statistics mean * momentum + batch statistic * (1 - momentum). Before
/// opset 14 the training outputs are not supported. spatial = 0 (opsets
/// 1-8) gives parameters of shape C x D1 x ...: they broadcast as they are.
static LogicalResult importBatchNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(5)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  FailureOr<float> epsilon = node.floatAttr("epsilon", 1e-5f);
  FailureOr<float> momentum = node.floatAttr("momentum", 0.9f);
  FailureOr<int64_t> training = node.intAttr("training_mode", 0);
  if (failed(epsilon) || failed(momentum) || failed(training))
    return failure();
  if (node.opset() < 14)
    for (unsigned i = 1; i < 5; ++i)
      if (node.outputUsed(i))
        return node.unsupported("training outputs (mean, var, saved_mean, "
                                "saved_var) before opset 14");
  Value x = node.input(0);
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  if (rank < 2)
    return node.invalid("X of rank " + Twine(rank) + " has no channels");
  NnBuilder b{node, input->getElementType()};
  // Parameters: [C] becomes [C, 1, ...]; higher ranks (spatial = 0) stay.
  auto param = [&](unsigned i) -> FailureOr<Value> {
    FailureOr<RankedTensorType> type = node.rankedType(node.input(i), "input");
    if (failed(type))
      return failure();
    Value value = b.cast(node.input(i), b.type);
    return type->getRank() == 1 ? b.perChannel(value, rank) : value;
  };
  FailureOr<Value> scale = param(1), bias = param(2), mean = param(3),
                   var = param(4);
  if (failed(scale) || failed(bias) || failed(mean) || failed(var))
    return failure();
  if (*training == 0) {
    Value invStdDev = b.op<graph::ReciprocalOp>(
        b.op<graph::SqrtOp>(b.add(*var, b.c(*epsilon))));
    Value y = b.mul(b.mul(b.sub(x, *mean), invStdDev), *scale);
    node.setOutput(0, b.add(y, *bias));
    return success();
  }
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  NnBuilder::Moments m = b.moments(x, axes, *epsilon);
  node.setOutput(0, b.add(b.mul(b.mul(m.centred, m.invStdDev), *scale), *bias));
  // The running statistics have the shape of the given ones: [C].
  auto running = [&](unsigned i, Value batch) {
    Type type = node.elementTypeOf(node.input(i));
    NnBuilder r{node, type};
    Value stat = r.cast(r.op<graph::SqueezeOp>(batch, axes), type);
    return r.add(r.mul(node.input(i), r.c(*momentum)),
                 r.mul(stat, r.c(1.0 - *momentum)));
  };
  if (node.outputUsed(1))
    node.setOutput(1, running(3, m.mean));
  if (node.outputUsed(2))
    node.setOutput(2, running(4, m.var));
  return success();
}

/// The type statistics are computed in: attribute stash_type (a TensorProto
/// data type, `fallback` when absent).
static FailureOr<Type> stashType(NodeImporter &node, int64_t fallback) {
  FailureOr<int64_t> stash = node.intAttr("stash_type", fallback);
  if (failed(stash))
    return failure();
  Type type =
      importer::elementTypeOf(static_cast<int32_t>(*stash), *node.context());
  if (!type || !isa<FloatType>(type))
    return node.unsupported("stash_type " + Twine(*stash) +
                            " is not a supported floating-point type");
  return type;
}

/// InstanceNormalization: per sample and channel over the spatial
/// dimensions, then scale and B per channel.
static LogicalResult importInstanceNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(3)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  FailureOr<float> epsilon = node.floatAttr("epsilon", 1e-5f);
  Value x = node.input(0);
  FailureOr<RankedTensorType> input = node.rankedType(x, "input");
  if (failed(epsilon) || failed(input))
    return failure();
  int64_t rank = input->getRank();
  if (rank < 3)
    return node.invalid("input of rank " + Twine(rank) +
                        " has no spatial dimension");
  NnBuilder b{node, input->getElementType()};
  NnBuilder::Moments m = b.moments(x, axesFrom(2, rank), *epsilon);
  Value y =
      b.mul(b.mul(m.centred, m.invStdDev), b.perChannel(node.input(1), rank));
  node.setOutput(0, b.add(y, b.perChannel(node.input(2), rank)));
  return success();
}

/// GroupNormalization: the channels split into num_groups groups, each
/// normalized over its channels and the spatial dimensions. Opset 18 scales
/// and shifts per group, opset 21 per channel (and computes the statistics
/// in stash_type).
static LogicalResult importGroupNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(3)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  FailureOr<float> epsilon = node.floatAttr("epsilon", 1e-5f);
  FailureOr<int64_t> groups = node.intAttr("num_groups", 0);
  Value x = node.input(0);
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(epsilon) || failed(groups) || failed(input))
    return failure();
  bool perChannel = node.opset() >= 21;
  Type type = input->getElementType();
  FailureOr<Type> stash = perChannel ? stashType(node, 1) : type;
  if (failed(stash))
    return failure();
  int64_t rank = input->getRank();
  int64_t channels = rank >= 2 ? input->getDimSize(1) : 0;
  if (*groups < 1)
    return node.invalid("attribute 'num_groups' must be positive");
  if (rank < 2 || ShapedType::isDynamic(channels))
    return node.unsupported("X needs a static channel dimension");
  if (channels % *groups != 0)
    return node.invalid(Twine(channels) + " channels do not split into " +
                        Twine(*groups) + " groups");
  // The shape to come back to: N copied from the grouped view, one dynamic
  // dimension at most.
  SmallVector<int64_t> restore = {0};
  int dynamic = 0;
  for (int64_t d : input->getShape().drop_front(1)) {
    restore.push_back(ShapedType::isDynamic(d) ? -1 : d);
    dynamic += ShapedType::isDynamic(d);
  }
  if (dynamic > 1)
    return node.unsupported("X may have one dynamic spatial dimension at most");
  NnBuilder s{node, *stash};
  Value grouped = s.reshape(s.cast(x, *stash), {0, *groups, -1});
  NnBuilder::Moments m = s.moments(grouped, {2}, *epsilon);
  Value normalized = s.mul(m.centred, m.invStdDev);
  NnBuilder b{node, type};
  if (perChannel) {
    Value y = b.cast(s.reshape(normalized, restore), type);
    y = b.mul(y, b.perChannel(node.input(1), rank));
    node.setOutput(0, b.add(y, b.perChannel(node.input(2), rank)));
    return success();
  }
  Value y = b.mul(normalized, b.perChannel(node.input(1), 3));
  y = b.add(y, b.perChannel(node.input(2), 3));
  node.setOutput(0, b.reshape(y, restore));
  return success();
}

/// MeanVarianceNormalization, as ONNX's function body: (x - E[x]) /
/// (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (default 0, 2, 3).
static LogicalResult importMeanVarianceNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(1)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> attr = node.intsAttr("axes");
  if (failed(attr))
    return failure();
  SmallVector<int64_t> axes = *attr ? **attr : SmallVector<int64_t>{0, 2, 3};
  Value x = node.input(0);
  NnBuilder b{node, node.elementTypeOf(x)};
  Value mean = b.mean(x, axes);
  Value variance = b.sub(b.mean(b.mul(x, x), axes), b.mul(mean, mean));
  Value deviation = b.add(b.op<graph::SqrtOp>(variance), b.c(1e-9));
  node.setOutput(0, b.div(b.sub(x, mean), deviation));
  return success();
}

/// LRN: x / (bias + alpha / size * square_sum)^beta, square_sum summing x^2
/// over channels c - floor((size - 1) / 2) ... c + ceil((size - 1) / 2).
/// alpha / size * square_sum is alpha times the average, padding included,
/// of a `size` x 1 window over the squares viewed as N x 1 x C x rest: one
/// graph.pool.
static LogicalResult importLRN(NodeImporter &node) {
  if (failed(node.requireInputs(1)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  FailureOr<float> alpha = node.floatAttr("alpha", 1e-4f);
  FailureOr<float> beta = node.floatAttr("beta", 0.75f);
  FailureOr<float> bias = node.floatAttr("bias", 1.0f);
  FailureOr<int64_t> size = node.intAttr("size", 0);
  Value x = node.input(0);
  FailureOr<RankedTensorType> input = node.rankedType(x, "X");
  if (failed(alpha) || failed(beta) || failed(bias) || failed(size) ||
      failed(input))
    return failure();
  if (*size < 1)
    return node.invalid("attribute 'size' must be positive");
  int64_t rank = input->getRank();
  if (rank < 2 || !input->hasStaticShape())
    return node.unsupported("X needs a static shape with channels");
  SmallVector<int64_t> shape(input->getShape());
  int64_t channels = shape[1];
  int64_t rest = 1;
  for (int64_t d : ArrayRef<int64_t>(shape).drop_front(2))
    rest *= d;
  NnBuilder b{node, input->getElementType()};
  Value squares = b.reshape(b.mul(x, x), {shape[0], 1, channels, rest});
  int64_t before = (*size - 1) / 2, after = *size - 1 - before;
  OpBuilder &builder = node.builder();
  Value average = b.op<graph::PoolOp>(
      graph::PoolKindAttr::get(node.context(), graph::PoolKind::Avg), squares,
      builder.getDenseI64ArrayAttr({*size, 1}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({before, 0, after, 0}),
      builder.getBoolAttr(false), builder.getBoolAttr(true),
      builder.getI64IntegerAttr(2));
  Value base = b.add(b.c(*bias), b.mul(b.c(*alpha), b.reshape(average, shape)));
  node.setOutput(0, b.div(x, b.op<graph::PowOp>(base, b.c(*beta))));
  return success();
}

/// LayerNormalization: Y is graph.layer_norm; the Mean and InvStdDev
/// outputs, when used, are computed in stash_type from reductions.
static LogicalResult importLayerNormalization(NodeImporter &node) {
  if (failed(node.requireInputs(2)))
    return failure();
  FailureOr<int64_t> axis = node.intAttr("axis", -1);
  FailureOr<float> epsilon = node.floatAttr("epsilon", 1e-5f);
  if (failed(axis) || failed(epsilon))
    return failure();
  if (*epsilon < 0)
    return node.invalid("epsilon must not be negative");
  Value input = node.input(0);
  OpBuilder &builder = node.builder();
  auto layerNorm = builder.create<graph::LayerNormOp>(
      node.location(), node.unranked(node.elementTypeOf(input)), input,
      node.input(1), node.input(2), builder.getI64IntegerAttr(*axis),
      builder.getF32FloatAttr(*epsilon));
  node.setOutput(0, layerNorm);
  if (!node.outputUsed(1) && !node.outputUsed(2))
    return success();
  if (failed(requireFloat(node, input)))
    return failure();
  FailureOr<Type> stash = stashType(node, 1);
  FailureOr<RankedTensorType> type = node.rankedType(input, "X");
  if (failed(stash) || failed(type))
    return failure();
  std::optional<int64_t> start = graph::normalizeAxis(*axis, type->getRank());
  if (!start)
    return node.invalid("axis " + Twine(*axis) + " is out of range for rank " +
                        Twine(type->getRank()));
  NnBuilder s{node, *stash};
  NnBuilder::Moments m = s.moments(s.cast(input, *stash),
                                   axesFrom(*start, type->getRank()), *epsilon);
  node.setOutput(1, m.mean);
  node.setOutput(2, m.invStdDev);
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

llvm::StringMap<OpImporter> importer::nnOpImporters() {
  return {
      {"Conv", {1, importConv}},
      {"ConvTranspose", {1, importConvTranspose}},
      {"ConvInteger", {10, importConvInteger}},
      {"QLinearConv", {10, importQLinearConv}},
      {"MaxPool", {1, importPool<graph::PoolKind::Max>}},
      {"AveragePool", {1, importPool<graph::PoolKind::Avg>}},
      {"LpPool", {1, importPool<graph::PoolKind::Lp>}},
      {"MaxUnpool", {9, importMaxUnpool}},
      {"GlobalMaxPool", {1, importGlobalPool<graph::PoolKind::Max>}},
      {"GlobalAveragePool", {1, importGlobalPool<graph::PoolKind::Avg>}},
      {"GlobalLpPool", {1, importGlobalPool<graph::PoolKind::Lp>}},
      {"BatchNormalization", {1, importBatchNormalization}},
      {"InstanceNormalization", {1, importInstanceNormalization}},
      {"GroupNormalization", {18, importGroupNormalization}},
      {"MeanVarianceNormalization", {9, importMeanVarianceNormalization}},
      {"LRN", {1, importLRN}},
      {"LayerNormalization", {17, importLayerNormalization}},
  };
}
