//===- SignalImporters.cpp - signal, sampling and n-gram ops --------------===//
//
// The ops with static output shapes that dsc had no graph op for: windows and
// MelWeightMatrix (constants: their inputs fix their shape), DFT and STFT
// (a matmul with a constant DFT matrix), GridSample and RoiAlign (coordinates
// computed elementwise, pixels fetched with gathers), TfIdfVectorizer
// (comparisons against the pool, products and sums), ReverseSequence (a
// gather) and Det (cofactor expansion). Every one is an exact composition of
// existing graph ops, so the CPU reference, plans and the GPU all run it.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeImporter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace dsc;
using namespace dsc::onnx;
using namespace dsc::onnx::importer;

namespace {
/// Builds graph ops for a decomposition: results are unranked and take the
/// element type of their first operand (shape inference refines them).
struct Ops {
  NodeImporter &node;

  static Type typeOf(Value v) { return NodeImporter::elementTypeOf(v); }
  Type i1() { return node.builder().getI1Type(); }
  Type i64() { return node.builder().getI64Type(); }

  Value c(Type type, double v) { return node.scalarConstant(type, v); }
  /// A constant of `shape` holding `values` (rounded to `type`).
  Value tensor(Type type, ArrayRef<int64_t> shape, ArrayRef<double> values,
               StringRef name) {
    reference::Tensor t;
    t.dtype = *reference::dtypeOf(type);
    t.shape.assign(shape.begin(), shape.end());
    for (double v : values)
      t.data.push_back(reference::roundTo(t.dtype, v));
    return node.builder().create<graph::ConstantOp>(
        node.location(), reference::toAttr(t, node.context(), name));
  }

  template <typename OpTy> Value bin(Value x, Value y) {
    return build<OpTy>(node, typeOf(x), x, y);
  }
  Value add(Value x, Value y) { return bin<graph::AddOp>(x, y); }
  Value sub(Value x, Value y) { return bin<graph::SubOp>(x, y); }
  Value mul(Value x, Value y) { return bin<graph::MulOp>(x, y); }
  Value div(Value x, Value y) { return bin<graph::DivOp>(x, y); }
  Value max(Value x, Value y) { return bin<graph::MaxOp>(x, y); }
  Value min(Value x, Value y) { return bin<graph::MinOp>(x, y); }
  Value add(Value x, double y) { return add(x, c(typeOf(x), y)); }
  Value mul(Value x, double y) { return mul(x, c(typeOf(x), y)); }
  Value clamp(Value x, double lo, double hi) {
    return min(max(x, c(typeOf(x), lo)), c(typeOf(x), hi));
  }
  Value math(graph::MathFn fn, Value x) {
    return build<graph::MathOp>(node, typeOf(x), fn, x);
  }
  Value floor(Value x) { return math(graph::MathFn::Floor, x); }
  Value cmp(graph::ComparePredicate p, Value x, Value y) {
    return build<graph::CompareOp>(node, i1(), p, x, y);
  }
  Value cmp(graph::ComparePredicate p, Value x, double y) {
    return cmp(p, x, c(typeOf(x), y));
  }
  Value both(Value x, Value y) {
    return build<graph::BitwiseOp>(node, i1(), graph::BitwiseKind::And, x, y);
  }
  Value either(Value x, Value y) {
    return build<graph::BitwiseOp>(node, i1(), graph::BitwiseKind::Or, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return build<graph::SelectOp>(node, typeOf(x), cond, x, y);
  }
  Value cast(Value x, Type to) {
    return typeOf(x) == to ? x : build<graph::CastOp>(node, to, x);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    return build<graph::ReshapeOp>(node, typeOf(x), x, shape, true);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    for (auto [i, p] : llvm::enumerate(perm))
      if (static_cast<int64_t>(i) != p)
        return build<graph::TransposeOp>(node, typeOf(x), x, perm);
    return x;
  }
  Value slice(Value x, int64_t axis, int64_t start, int64_t end) {
    return build<graph::SliceOp>(node, typeOf(x), x, ArrayRef<int64_t>{start},
                                 ArrayRef<int64_t>{end},
                                 ArrayRef<int64_t>{axis}, ArrayRef<int64_t>{1});
  }
  Value reduce(graph::ReduceKind kind, Value x, ArrayRef<int64_t> axes,
               bool keepdims) {
    return build<graph::ReduceOp>(node, typeOf(x), kind, x, axes, keepdims);
  }
  Value matmul(Value x, Value y) { return bin<graph::MatMulOp>(x, y); }
  Value concat(ArrayRef<Value> values, int64_t axis) {
    return build<graph::ConcatOp>(node, typeOf(values.front()), values, axis);
  }
};

/// The static shape of `value`; fails (Unsupported) when it is not known.
FailureOr<SmallVector<int64_t>> staticShape(NodeImporter &node, Value value,
                                            StringRef what) {
  FailureOr<RankedTensorType> type = node.rankedType(value, what);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return node.unsupported("the shape of " + what + " must be static");
  return SmallVector<int64_t>(type->getShape());
}

/// The static shape of input 0, a floating-point tensor, once inputs
/// [0, required) are known to be present.
FailureOr<SmallVector<int64_t>> floatInputShape(NodeImporter &node,
                                                unsigned required) {
  if (failed(node.requireInputs(required)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  return staticShape(node, node.input(0), "the input");
}

/// The type coordinates are computed in: f32 for 16-bit floats, whose
/// precision would misplace samples on inputs a few hundred pixels wide.
Type coordinateType(NodeImporter &node, Type type) {
  return type.getIntOrFloatBitWidth() < 32 ? node.builder().getF32Type() : type;
}

int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

/// The one integer of input `i` (a scalar or a 1-element tensor).
FailureOr<int64_t> constantScalar(NodeImporter &node, unsigned i,
                                  StringRef what) {
  FailureOr<SmallVector<int64_t>> values = node.constantInts(i, what);
  if (failed(values))
    return failure();
  if (values->size() != 1)
    return node.invalid("input " + Twine(i) + " (" + what +
                        ") must hold one value");
  return values->front();
}

/// The element type attribute `output_datatype` (ONNX TensorProto type,
/// float by default) of the window ops and MelWeightMatrix.
FailureOr<Type> outputDatatype(NodeImporter &node) {
  FailureOr<int64_t> dtype = node.intAttr("output_datatype", 1);
  if (failed(dtype))
    return failure();
  Type type = elementTypeOf(static_cast<int32_t>(*dtype), *node.context());
  if (!type || type.isInteger(1))
    return node.unsupported("output_datatype " + onnxTypeName(*dtype) +
                            " is not supported");
  return type;
}
} // namespace

//===----------------------------------------------------------------------===//
// Windows and MelWeightMatrix
//===----------------------------------------------------------------------===//

/// The generalized cosine window a0 - a1 cos(2 pi n / N') + a2 cos(4 pi n /
/// N'), N' = size when periodic, size - 1 otherwise. The size fixes the
/// output shape, so it is known at import and the window is a constant.
static LogicalResult importCosineWindow(NodeImporter &node, double a0,
                                        double a1, double a2) {
  if (failed(node.requireInputs(1)))
    return failure();
  FailureOr<int64_t> size = constantScalar(node, 0, "size");
  FailureOr<int64_t> periodic = node.intAttr("periodic", 1);
  FailureOr<Type> type = outputDatatype(node);
  if (failed(size) || failed(periodic) || failed(type))
    return failure();
  if (*size < 0)
    return node.invalid("size " + Twine(*size) + " is negative");
  if (*size > (1 << 24))
    return node.unsupported("a window of " + Twine(*size) +
                            " elements is too large");
  double period = *periodic ? *size : *size - 1;
  SmallVector<double> values;
  for (int64_t n = 0; n < *size; ++n) {
    double angle = 2 * M_PI * n / period;
    values.push_back(a0 - a1 * std::cos(angle) + a2 * std::cos(2 * angle));
  }
  node.setOutput(0, Ops{node}.tensor(*type, {*size}, values, "window"));
  return success();
}

static LogicalResult importHannWindow(NodeImporter &node) {
  return importCosineWindow(node, 0.5, 0.5, 0);
}
static LogicalResult importHammingWindow(NodeImporter &node) {
  return importCosineWindow(node, 25.0 / 46, 21.0 / 46, 0);
}
static LogicalResult importBlackmanWindow(NodeImporter &node) {
  return importCosineWindow(node, 0.42, 0.5, 0.08);
}

/// Triangular filters on the mel scale, [dft_length / 2 + 1, num_mel_bins];
/// bin edges as ONNX's reference computes them (integer frequency bins).
static LogicalResult importMelWeightMatrix(NodeImporter &node) {
  if (failed(node.requireInputs(5)))
    return failure();
  FailureOr<int64_t> numMelBins = constantScalar(node, 0, "num_mel_bins");
  FailureOr<int64_t> dftLength = constantScalar(node, 1, "dft_length");
  FailureOr<int64_t> sampleRate = constantScalar(node, 2, "sample_rate");
  FailureOr<Type> type = outputDatatype(node);
  if (failed(numMelBins) || failed(dftLength) || failed(sampleRate) ||
      failed(type))
    return failure();
  double edges[2];
  for (unsigned i = 0; i < 2; ++i) {
    FailureOr<reference::Tensor> edge =
        node.constantTensor(3 + i, i ? "upper_edge_hertz" : "lower_edge_hertz");
    if (failed(edge))
      return failure();
    if (edge->data.size() != 1)
      return node.invalid("input " + Twine(3 + i) + " must hold one value");
    edges[i] = edge->data[0];
  }
  if (*numMelBins < 1 || *dftLength < 1 || *sampleRate < 1)
    return node.invalid("num_mel_bins, dft_length and sample_rate must be "
                        "positive");
  if (*dftLength > (1 << 24) || *numMelBins > (1 << 24) ||
      (*dftLength / 2 + 1) * *numMelBins > (1 << 24))
    return node.unsupported("the matrix is too large");
  int64_t bins = *dftLength / 2 + 1;
  auto toMel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
  double lowMel = toMel(edges[0]), highMel = toMel(edges[1]);
  double step = (highMel - lowMel) / (*numMelBins + 2);
  SmallVector<int64_t> points;
  for (int64_t i = 0; i < *numMelBins + 2; ++i) {
    double hz = 700 * (std::pow(10.0, (i * step + lowMel) / 2595) - 1);
    double bin = std::floor((*dftLength + 1) * hz / *sampleRate);
    // Checked before the conversion: NaN or a huge value has no int64.
    if (!(bin >= 0 && bin < bins))
      return node.invalid("the edge frequencies fall outside [0, "
                          "sample_rate / 2]");
    points.push_back(static_cast<int64_t>(bin));
  }
  SmallVector<double> values(bins * *numMelBins, 0.0);
  for (int64_t i = 0; i < *numMelBins; ++i) {
    int64_t low = points[i], center = points[i + 1], high = points[i + 2];
    if (center == low)
      values[center * *numMelBins + i] = 1;
    for (int64_t j = low; center > low && j <= center; ++j)
      values[j * *numMelBins + i] = double(j - low) / double(center - low);
    for (int64_t j = center; j < high; ++j)
      values[j * *numMelBins + i] = double(high - j) / double(high - center);
  }
  node.setOutput(
      0, Ops{node}.tensor(*type, {bins, *numMelBins}, values, "mel_weights"));
  return success();
}

//===----------------------------------------------------------------------===//
// DFT and STFT
//===----------------------------------------------------------------------===//

/// The DFT of the rows of `rows` [R, n * c] (n samples of c = 1 (real) or 2
/// (complex) components), padded or cut to `length`: [R, 2 * bins] holding
/// (re, im) of the first `bins` frequencies. One matmul with a constant
/// matrix; angles are reduced modulo the length before cos/sin in double.
static Value dftRows(Ops &m, Value rows, int64_t n, int64_t c, int64_t length,
                     int64_t bins, bool inverse) {
  SmallVector<double> matrix(n * c * 2 * bins, 0.0);
  double sign = inverse ? 1 : -1, scale = inverse ? 1.0 / length : 1;
  for (int64_t j = 0; j < std::min(n, length); ++j)
    for (int64_t k = 0; k < bins; ++k) {
      double angle = sign * 2 * M_PI * ((j * k) % length) / length;
      double re = std::cos(angle) * scale, im = std::sin(angle) * scale;
      double *row = &matrix[j * c * 2 * bins];
      row[2 * k] = re; // real input part
      row[2 * k + 1] = im;
      if (c == 2) {
        row[2 * bins + 2 * k] = -im; // imaginary input part
        row[2 * bins + 2 * k + 1] = re;
      }
    }
  Value dft =
      m.tensor(Ops::typeOf(rows), {n * c, 2 * bins}, matrix, "dft_matrix");
  return m.matmul(rows, dft);
}

static LogicalResult importDFT(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = floatInputShape(node, 1);
  if (failed(shape))
    return failure();
  Value x = node.input(0);
  FailureOr<int64_t> inverse = node.intAttr("inverse", 0);
  FailureOr<int64_t> onesided = node.intAttr("onesided", 0);
  if (failed(shape) || failed(inverse) || failed(onesided))
    return failure();
  int64_t rank = shape->size();
  if (rank < 2 || (shape->back() != 1 && shape->back() != 2))
    return node.invalid("the input must have rank >= 2 and a last dimension "
                        "of 1 (real) or 2 (complex)");
  int64_t axis;
  if (node.opset() < 20) {
    FailureOr<int64_t> attr = node.intAttr("axis", 1);
    if (failed(attr))
      return failure();
    axis = *attr;
  } else if (node.hasInput(2)) {
    FailureOr<int64_t> value = constantScalar(node, 2, "axis");
    if (failed(value))
      return failure();
    axis = *value;
  } else {
    axis = -2;
  }
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank - 2)
    return node.invalid("axis must lie in [-rank, -2] or [0, rank - 2]");
  int64_t n = (*shape)[axis], c = shape->back(), length = n;
  if (node.hasInput(1)) {
    FailureOr<int64_t> value = constantScalar(node, 1, "dft_length");
    if (failed(value))
      return failure();
    length = *value;
  }
  if (length < 1)
    return node.invalid("dft_length must be positive");
  int64_t bins = *onesided ? length / 2 + 1 : length;
  if (length > (1 << 24) || n > (1 << 24) || n * c * 2 * bins > (1 << 26))
    return node.unsupported("a DFT matrix of " + Twine(n * c) + "x" +
                            Twine(2 * bins) + " is too large");
  // Move the transformed axis next to the components and flatten the rest.
  SmallVector<int64_t> perm, batch;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis) {
      perm.push_back(d);
      batch.push_back((*shape)[d]);
    }
  perm.push_back(axis);
  perm.push_back(rank - 1);
  Ops m{node};
  Value rows = m.reshape(m.transpose(x, perm), {product(batch), n * c});
  Value y = dftRows(m, rows, n, c, length, bins, *inverse);
  SmallVector<int64_t> outShape(batch);
  outShape.append({bins, 2});
  SmallVector<int64_t> inversePerm(rank);
  for (int64_t i = 0; i < rank; ++i)
    inversePerm[perm[i]] = i;
  node.setOutput(0, m.transpose(m.reshape(y, outShape), inversePerm));
  return success();
}

/// Frames gathered with constant indices, weighted by the window, then the
/// DFT of each frame.
static LogicalResult importSTFT(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = floatInputShape(node, 2);
  if (failed(shape))
    return failure();
  Value signal = node.input(0), window = node.input(2);
  FailureOr<int64_t> step = constantScalar(node, 1, "frame_step");
  FailureOr<int64_t> onesided = node.intAttr("onesided", 1);
  if (failed(step) || failed(onesided))
    return failure();
  if (shape->size() != 3 || (shape->back() != 1 && shape->back() != 2))
    return node.invalid("the signal must be [batch, length, 1 or 2]");
  int64_t batch = (*shape)[0], length = (*shape)[1], c = (*shape)[2];
  int64_t frameLength = length;
  if (window) {
    FailureOr<SmallVector<int64_t>> windowShape =
        staticShape(node, window, "the window");
    if (failed(windowShape))
      return failure();
    if (windowShape->size() != 1)
      return node.invalid("the window must be 1-D");
    if (Ops::typeOf(window) != Ops::typeOf(signal))
      return node.invalid("the window must have the signal's element type");
    frameLength = windowShape->front();
  }
  if (node.hasInput(3)) {
    FailureOr<int64_t> value = constantScalar(node, 3, "frame_length");
    if (failed(value))
      return failure();
    if (window && *value != frameLength)
      return node.invalid("frame_length " + Twine(*value) +
                          " differs from the window's length " +
                          Twine(frameLength));
    frameLength = *value;
  }
  if (*step < 1)
    return node.invalid("frame_step must be positive");
  if (frameLength < 1 || frameLength > length)
    return node.invalid("the frame length must lie in [1, signal length]");
  int64_t frames = 1 + (length - frameLength) / *step;
  int64_t bins = *onesided ? frameLength / 2 + 1 : frameLength;
  if (frameLength > (1 << 24) || frames * frameLength > (1 << 26) ||
      frameLength * c * 2 * bins > (1 << 26))
    return node.unsupported("frames of " + Twine(frameLength) +
                            " samples are too long for a DFT matrix");
  Ops m{node};
  SmallVector<double> starts;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t j = 0; j < frameLength; ++j)
      starts.push_back(f * *step + j);
  Value indices = m.tensor(m.i64(), {frames, frameLength}, starts, "frames");
  Value framed = build<graph::GatherOp>(node, Ops::typeOf(signal), signal,
                                        indices, /*axis=*/1);
  if (window)
    framed = m.mul(framed, m.reshape(window, {frameLength, 1}));
  Value rows = m.reshape(framed, {batch * frames, frameLength * c});
  Value y = dftRows(m, rows, frameLength, c, frameLength, bins, false);
  node.setOutput(0, m.reshape(y, {batch, frames, bins, 2}));
  return success();
}

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

namespace {
/// One tap along one spatial axis: the pixel index (i64), its weight, and
/// whether it lies inside the input (null: always, the padding clamps it).
struct Tap {
  Value index, weight, inside;
};
} // namespace

/// Reflects `x` into [lo, hi] as ONNX's reference (PyTorch) does: by the
/// nearer border, repeatedly; identity inside.
static Value reflect(Ops &m, Value x, double lo, double hi) {
  using P = graph::ComparePredicate;
  double range = hi - lo;
  if (range <= 0)
    return m.clamp(x, lo, lo);
  Type t = Ops::typeOf(x);
  Value below = m.cmp(P::Lt, x, lo), above = m.cmp(P::Gt, x, hi);
  Value dx = m.select(below, m.sub(m.c(t, lo), x), m.add(x, -hi));
  Value folds = m.floor(m.mul(dx, 1 / range));
  Value rest = m.sub(dx, m.mul(folds, range));
  Value half = m.mul(folds, 0.5);
  Value odd = m.cmp(P::Ne, m.floor(half), half);
  Value fromLo = m.add(rest, lo), fromHi = m.sub(m.c(t, hi), rest);
  Value outside = m.select(below, m.select(odd, fromHi, fromLo),
                           m.select(odd, fromLo, fromHi));
  return m.select(m.either(below, above), outside, x);
}

/// The cubic convolution weights (Keys, a = -0.75) of the taps at -1, 0, 1,
/// 2 from floor(x), for t = x - floor(x).
static SmallVector<Value> cubicWeights(Ops &m, Value t) {
  const double a = -0.75;
  Type type = Ops::typeOf(t);
  auto far = [&](Value s) { // |s| in [1, 2]
    return m.add(m.mul(m.add(m.mul(m.add(m.mul(s, a), -5 * a), s), 8 * a), s),
                 -4 * a);
  };
  auto near = [&](Value s) { // |s| in [0, 1]
    return m.add(m.mul(m.mul(m.add(m.mul(s, a + 2), -(a + 3)), s), s), 1);
  };
  Value one = m.c(type, 1), two = m.c(type, 2);
  return {far(m.add(t, 1)), near(t), near(m.sub(one, t)), far(m.sub(two, t))};
}

static LogicalResult importGridSample(NodeImporter &node) {
  using P = graph::ComparePredicate;
  if (failed(node.requireInputs(2)) ||
      failed(requireFloat(node, node.input(0))) ||
      failed(requireFloat(node, node.input(1))))
    return failure();
  bool legacy = node.opset() < 20;
  FailureOr<std::string> mode =
      node.stringAttr("mode", legacy ? "bilinear" : "linear");
  FailureOr<std::string> padding = node.stringAttr("padding_mode", "zeros");
  FailureOr<int64_t> alignCorners = node.intAttr("align_corners", 0);
  if (failed(mode) || failed(padding) || failed(alignCorners))
    return failure();
  enum { Nearest, Linear, Cubic } kind;
  if (*mode == "nearest")
    kind = Nearest;
  else if (*mode == (legacy ? "bilinear" : "linear"))
    kind = Linear;
  else if (*mode == (legacy ? "bicubic" : "cubic"))
    kind = Cubic;
  else
    return node.invalid("attribute 'mode' is '" + *mode + "'");
  if (*padding != "zeros" && *padding != "border" && *padding != "reflection")
    return node.invalid("attribute 'padding_mode' is '" + *padding + "'");
  Value x = node.input(0), grid = node.input(1);
  FailureOr<SmallVector<int64_t>> xShape = staticShape(node, x, "the input");
  FailureOr<SmallVector<int64_t>> gridShape =
      staticShape(node, grid, "the grid");
  if (failed(xShape) || failed(gridShape))
    return failure();
  int64_t dims = static_cast<int64_t>(xShape->size()) - 2;
  if (dims < 1 || (legacy && dims != 2))
    return node.invalid(legacy ? "the input must be 4-D"
                               : "the input must have rank >= 3");
  if (static_cast<int64_t>(gridShape->size()) != dims + 2 ||
      (*gridShape)[0] != (*xShape)[0] || gridShape->back() != dims)
    return node.invalid("the grid must be [N, out..., " + Twine(dims) +
                        "] with the input's N");
  if (kind == Cubic && dims != 2)
    return node.unsupported("cubic mode on " + Twine(dims) +
                            " spatial dimensions (only 2)");
  int64_t batch = (*xShape)[0], channels = (*xShape)[1];
  ArrayRef<int64_t> sizes = ArrayRef<int64_t>(*xShape).drop_front(2);
  ArrayRef<int64_t> outSizes =
      ArrayRef<int64_t>(*gridShape).drop_front().drop_back();
  int64_t points = product(outSizes);
  if (product(sizes) == 0 && batch * channels * points != 0)
    return node.invalid("the input has no pixel to sample");
  Ops m{node};
  Type t = coordinateType(node, Ops::typeOf(grid)), xType = Ops::typeOf(x);
  grid = m.cast(grid, t);
  // taps[s]: the taps along spatial axis s, each [N, 1, points].
  SmallVector<SmallVector<Tap>> taps(dims);
  for (int64_t s = 0; s < dims; ++s) {
    // The grid lists coordinates innermost axis first (x, y, z).
    double d = sizes[s];
    Value g = m.reshape(m.slice(grid, dims + 1, dims - 1 - s, dims - s),
                        {batch, 1, points});
    double lo = *alignCorners ? 0 : -0.5, hi = *alignCorners ? d - 1 : d - 0.5;
    Value pos = *alignCorners ? m.mul(m.add(g, 1), (d - 1) / 2)
                              : m.mul(m.add(m.mul(m.add(g, 1), d), -1), 0.5);
    if (kind == Nearest) {
      if (dims == 3) // std::round (half away from zero), as PyTorch's 3-D.
        pos = m.mul(m.math(graph::MathFn::Sign, pos),
                    m.floor(m.add(build<graph::AbsOp>(node, t, pos), 0.5)));
      else // nearbyint: half to even.
        pos = m.math(graph::MathFn::Round, pos);
    }
    if (*padding == "border")
      pos = m.select(m.either(m.cmp(P::Lt, pos, lo), m.cmp(P::Gt, pos, hi)),
                     m.clamp(pos, 0, d - 1), pos);
    else if (*padding == "reflection")
      pos = reflect(m, pos, lo, hi);
    SmallVector<std::pair<Value, Value>> raw; // (position, weight)
    if (kind == Nearest) {
      raw.push_back({pos, m.c(t, 1)});
    } else {
      Value base = m.floor(pos), frac = m.sub(pos, base);
      if (kind == Linear) {
        raw.push_back({base, m.sub(m.c(t, 1), frac)});
        raw.push_back({m.add(base, 1), frac});
      } else {
        SmallVector<Value> w = cubicWeights(m, frac);
        for (int64_t k = 0; k < 4; ++k)
          raw.push_back({m.add(base, double(k - 1)), w[k]});
      }
    }
    for (auto [at, weight] : raw) {
      Tap tap{nullptr, weight, nullptr};
      if (*padding == "zeros")
        tap.inside = m.both(m.cmp(P::Ge, at, 0.0), m.cmp(P::Le, at, d - 1));
      else if (*padding == "reflection")
        at = m.floor(reflect(m, at, lo, hi));
      // Clamped even where the padding decided: gathers stay in bounds.
      tap.index = m.cast(m.clamp(at, 0, d - 1), m.i64());
      taps[s].push_back(tap);
    }
  }
  Value flat = m.reshape(x, {batch, channels, product(sizes)});
  SmallVector<int64_t> strides(dims, 1);
  for (int64_t s = dims - 2; s >= 0; --s)
    strides[s] = strides[s + 1] * sizes[s + 1];
  SmallVector<int64_t> choice(dims, 0);
  Value sum;
  while (true) {
    Value index, weight, inside;
    for (int64_t s = 0; s < dims; ++s) {
      const Tap &tap = taps[s][choice[s]];
      Value term = strides[s] == 1 ? tap.index
                                   : m.mul(tap.index, m.c(m.i64(), strides[s]));
      index = index ? m.add(index, term) : term;
      weight = weight ? m.mul(weight, tap.weight) : tap.weight;
      if (tap.inside)
        inside = inside ? m.both(inside, tap.inside) : tap.inside;
    }
    Value indices = build<graph::ExpandOp>(
        node, m.i64(), index, ArrayRef<int64_t>{batch, channels, points});
    Value value =
        build<graph::GatherElementsOp>(node, xType, flat, indices, /*axis=*/2);
    if (inside)
      value = m.select(inside, value, m.c(xType, 0));
    Value term = m.mul(value, m.cast(weight, xType));
    sum = sum ? m.add(sum, term) : term;
    // The next combination of taps, last axis fastest.
    int64_t s = dims - 1;
    while (s >= 0 && ++choice[s] == static_cast<int64_t>(taps[s].size()))
      choice[s--] = 0;
    if (s < 0)
      break;
  }
  SmallVector<int64_t> outShape{batch, channels};
  outShape.append(outSizes.begin(), outSizes.end());
  node.setOutput(0, m.reshape(sum, outShape));
  return success();
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

namespace {
/// The bilinear taps of one axis for every sample of every roi, [R, S]:
/// the low and high pixel and their weights (0 for samples outside).
struct RoiAxis {
  Value low, high, lowWeight, highWeight;
};
} // namespace

/// Sample positions start + bin * (p + (i + 0.5) / grid) for output cell p
/// and grid point i, and their taps as ONNX's reference computes them.
static RoiAxis roiAxis(Ops &m, Value start, Value size, int64_t pooled,
                       int64_t grid, int64_t extent) {
  using P = graph::ComparePredicate;
  Type t = Ops::typeOf(start);
  SmallVector<double> offsets;
  for (int64_t p = 0; p < pooled; ++p)
    for (int64_t i = 0; i < grid; ++i)
      offsets.push_back(p + (i + 0.5) / grid);
  Value bin = m.mul(size, 1.0 / pooled);
  Value pos = m.add(start, m.mul(bin, m.tensor(t, {1, pooled * grid}, offsets,
                                               "roi_offsets")));
  Value inside = m.both(m.cmp(P::Ge, pos, -1.0),
                        m.cmp(P::Le, pos, static_cast<double>(extent)));
  Value at = m.max(pos, m.c(t, 0));
  Value low = m.floor(at);
  Value last = m.c(t, extent - 1);
  Value atEnd = m.cmp(P::Ge, low, last);
  low = m.select(atEnd, last, low);
  Value high = m.select(atEnd, last, m.add(low, 1));
  at = m.select(atEnd, last, at);
  Value frac = m.sub(at, low);
  Value zero = m.c(t, 0);
  RoiAxis axis;
  axis.low = m.cast(low, m.i64());
  axis.high = m.cast(high, m.i64());
  axis.lowWeight = m.select(inside, m.sub(m.c(t, 1), frac), zero);
  axis.highWeight = m.select(inside, frac, zero);
  return axis;
}

static LogicalResult importRoiAlign(NodeImporter &node) {
  if (failed(node.requireInputs(3)) ||
      failed(requireFloat(node, node.input(0))))
    return failure();
  Value x = node.input(0), rois = node.input(1), batchIndices = node.input(2);
  FailureOr<std::string> mode = node.stringAttr("mode", "avg");
  FailureOr<std::string> transform =
      node.stringAttr("coordinate_transformation_mode",
                      node.opset() < 16 ? "output_half_pixel" : "half_pixel");
  FailureOr<int64_t> outH = node.intAttr("output_height", 1);
  FailureOr<int64_t> outW = node.intAttr("output_width", 1);
  FailureOr<int64_t> samplingRatio = node.intAttr("sampling_ratio", 0);
  FailureOr<float> scale = node.floatAttr("spatial_scale", 1.0f);
  if (failed(mode) || failed(transform) || failed(outH) || failed(outW) ||
      failed(samplingRatio) || failed(scale))
    return failure();
  if (*mode != "avg" && *mode != "max")
    return node.invalid("attribute 'mode' is '" + *mode + "'");
  if (*transform != "half_pixel" && *transform != "output_half_pixel")
    return node.invalid("attribute 'coordinate_transformation_mode' is '" +
                        *transform + "'");
  if (*outH < 1 || *outW < 1 || *samplingRatio < 0)
    return node.invalid("output_height and output_width must be positive, "
                        "sampling_ratio not negative");
  if (*samplingRatio == 0)
    return node.unsupported("sampling_ratio 0 (a grid sized by the rois' "
                            "values) is not supported");
  if (Ops::typeOf(rois) != Ops::typeOf(x))
    return node.invalid("the rois must have the input's element type");
  Type indexType = Ops::typeOf(batchIndices);
  if (!indexType.isInteger(64) && !indexType.isInteger(32))
    return node.invalid("batch_indices must be int64 or int32");
  FailureOr<SmallVector<int64_t>> xShape = staticShape(node, x, "the input");
  FailureOr<SmallVector<int64_t>> roiShape =
      staticShape(node, rois, "the rois");
  FailureOr<SmallVector<int64_t>> indexShape =
      staticShape(node, batchIndices, "batch_indices");
  if (failed(xShape) || failed(roiShape) || failed(indexShape))
    return failure();
  if (xShape->size() != 4 || roiShape->size() != 2 || (*roiShape)[1] != 4 ||
      *indexShape != SmallVector<int64_t>{(*roiShape)[0]})
    return node.invalid("expected X [N, C, H, W], rois [R, 4] and "
                        "batch_indices [R]");
  int64_t n = (*xShape)[0], channels = (*xShape)[1], height = (*xShape)[2],
          width = (*xShape)[3], count = (*roiShape)[0];
  int64_t grid = *samplingRatio;
  bool halfPixel = *transform == "half_pixel";
  Ops m{node};
  Type xType = Ops::typeOf(x), t = coordinateType(node, xType);
  rois = m.cast(rois, t);
  auto corner = [&](int64_t k) { // [R, 1] coordinate k of each roi, scaled
    Value v = m.mul(m.slice(rois, 1, k, k + 1), static_cast<double>(*scale));
    return halfPixel ? m.add(v, -0.5) : v;
  };
  Value x1 = corner(0), y1 = corner(1), x2 = corner(2), y2 = corner(3);
  Value roiW = m.sub(x2, x1), roiH = m.sub(y2, y1);
  if (!halfPixel) { // Malformed rois become 1x1.
    roiW = m.max(roiW, m.c(t, 1));
    roiH = m.max(roiH, m.c(t, 1));
  }
  RoiAxis ys = roiAxis(m, y1, roiH, *outH, grid, height);
  RoiAxis xs = roiAxis(m, x1, roiW, *outW, grid, width);
  int64_t sy = *outH * grid, sx = *outW * grid;
  // Element (roi, c, y, x) of the flattened input; the batch index goes
  // through a gather from [0, N) so that one out of range is an error.
  SmallVector<double> iota(n);
  std::iota(iota.begin(), iota.end(), 0.0);
  Value b = build<graph::GatherOp>(node, m.i64(),
                                   m.tensor(m.i64(), {n}, iota, "batches"),
                                   m.cast(batchIndices, m.i64()), /*axis=*/0);
  SmallVector<double> channelBase(channels);
  for (int64_t ch = 0; ch < channels; ++ch)
    channelBase[ch] = static_cast<double>(ch * height * width);
  Value base =
      m.add(m.mul(m.reshape(b, {count, 1, 1, 1}),
                  m.c(m.i64(), static_cast<double>(channels * height * width))),
            m.tensor(m.i64(), {1, channels, 1, 1}, channelBase, "channels"));
  Value flat = m.reshape(x, {n * channels * height * width});
  Value sum;
  for (int ky = 0; ky < 2; ++ky)
    for (int kx = 0; kx < 2; ++kx) {
      Value yi = m.reshape(ky ? ys.high : ys.low, {count, 1, sy, 1});
      Value xi = m.reshape(kx ? xs.high : xs.low, {count, 1, 1, sx});
      Value wy =
          m.reshape(ky ? ys.highWeight : ys.lowWeight, {count, 1, sy, 1});
      Value wx =
          m.reshape(kx ? xs.highWeight : xs.lowWeight, {count, 1, 1, sx});
      Value index =
          m.add(base, m.add(m.mul(yi, m.c(m.i64(), double(width))), xi));
      Value value =
          build<graph::GatherOp>(node, xType, flat, index, /*axis=*/0);
      Value term = m.mul(value, m.cast(m.mul(wy, wx), xType));
      sum = !sum ? term : *mode == "avg" ? m.add(sum, term) : m.max(sum, term);
    }
  Value cells = m.reshape(sum, {count, channels, *outH, grid, *outW, grid});
  Value y;
  if (*mode == "avg")
    y = m.mul(m.reduce(graph::ReduceKind::Sum, cells, {3, 5}, false),
              1.0 / (grid * grid));
  else
    y = m.reduce(graph::ReduceKind::Max, cells, {3, 5}, false);
  node.setOutput(0, y);
  return success();
}

//===----------------------------------------------------------------------===//
// TfIdfVectorizer
//===----------------------------------------------------------------------===//

/// Counts each n-gram of the pool in every row: for n-grams of length n and
/// skip distance d (1 .. max_skip_count + 1; unigrams once), the product of
/// the matches of item j at position i + j * d, summed over i. The counts
/// then go to their output columns through a gather.
static LogicalResult importTfIdfVectorizer(NodeImporter &node) {
  if (failed(node.requireInputs(1)))
    return failure();
  Value x = node.input(0);
  Type itemType = Ops::typeOf(x);
  if (!itemType.isInteger(32) && !itemType.isInteger(64))
    return node.unsupported("input type " + typeName(itemType) +
                            " is not supported (int32 and int64 only)");
  if (node.attribute("pool_strings"))
    return node.unsupported("pool_strings is not supported");
  FailureOr<int64_t> minLength = node.intAttr("min_gram_length", -1);
  FailureOr<int64_t> maxLength = node.intAttr("max_gram_length", -1);
  FailureOr<int64_t> maxSkip = node.intAttr("max_skip_count", -1);
  FailureOr<std::string> mode = node.stringAttr("mode", "");
  auto counts = node.intsAttr("ngram_counts");
  auto indexes = node.intsAttr("ngram_indexes");
  auto pool = node.intsAttr("pool_int64s");
  if (failed(minLength) || failed(maxLength) || failed(maxSkip) ||
      failed(mode) || failed(counts) || failed(indexes) || failed(pool))
    return failure();
  if (!*counts || !*indexes || !*pool)
    return node.invalid("attributes 'ngram_counts', 'ngram_indexes' and "
                        "'pool_int64s' are required");
  if (*minLength < 1 || *maxLength < *minLength || *maxSkip < 0)
    return node.invalid("expected 1 <= min_gram_length <= max_gram_length "
                        "and max_skip_count >= 0");
  if (*mode != "TF" && *mode != "IDF" && *mode != "TFIDF")
    return node.invalid("attribute 'mode' is '" + *mode + "'");
  FailureOr<SmallVector<int64_t>> shape = staticShape(node, x, "the input");
  if (failed(shape))
    return failure();
  if (shape->empty() || shape->size() > 2)
    return node.invalid("the input must be [C] or [B, C]");
  int64_t rows = shape->size() == 2 ? (*shape)[0] : 1, length = shape->back();
  ArrayRef<int64_t> items = **pool, starts = **counts, outIndex = **indexes;
  int64_t outSize = 0;
  // The output has max(ngram_indexes) + 1 columns: a corrupt index would
  // ask for gigabytes.
  constexpr int64_t kMaxColumns = int64_t(1) << 24;
  for (int64_t i : outIndex) {
    if (i < 0)
      return node.invalid("ngram_indexes holds a negative index");
    if (i >= kMaxColumns)
      return node.invalid("ngram_indexes holds " + std::to_string(i) +
                          ", beyond the " + std::to_string(kMaxColumns) +
                          " output columns dsc supports");
    outSize = std::max(outSize, i + 1);
  }
  // The pool's n-grams by length (n = 1, 2, ...), and the output column of
  // each one counted.
  Ops m{node};
  SmallVector<Value> grams;
  SmallVector<double> columnOf(outSize, -1);
  int64_t gramId = 0, counted = 0;
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t n = k + 1, begin = starts[k];
    int64_t end = k + 1 < starts.size() ? starts[k + 1] : items.size();
    if (begin < 0 || end < begin || end > static_cast<int64_t>(items.size()) ||
        (end - begin) % n)
      return node.invalid("ngram_counts does not split pool_int64s into "
                          "n-grams");
    int64_t numGrams = (end - begin) / n;
    if (gramId + numGrams > static_cast<int64_t>(outIndex.size()))
      return node.invalid("ngram_indexes has fewer entries than the pool "
                          "has n-grams");
    if (n < *minLength || n > *maxLength || numGrams == 0) {
      gramId += numGrams;
      continue;
    }
    for (int64_t g = 0; g < numGrams; ++g, ++gramId) {
      if (columnOf[outIndex[gramId]] >= 0)
        return node.unsupported("two n-grams share output column " +
                                Twine(outIndex[gramId]));
      columnOf[outIndex[gramId]] = counted + g;
    }
    counted += numGrams;
    // matches[j]: [rows, length, numGrams], whether item i equals item j of
    // each n-gram.
    Value row = m.reshape(x, {rows, length, 1});
    SmallVector<Value> matches;
    for (int64_t j = 0; j < n; ++j) {
      SmallVector<double> column;
      for (int64_t g = 0; g < numGrams; ++g)
        column.push_back(items[begin + g * n + j]);
      Value item = m.tensor(itemType, {numGrams}, column, "pool");
      matches.push_back(m.cast(m.cmp(graph::ComparePredicate::Eq, row, item),
                               node.builder().getF32Type()));
    }
    Value total;
    for (int64_t d = 1; d <= (n == 1 ? 1 : *maxSkip + 1); ++d) {
      int64_t span = length - (n - 1) * d;
      if (span <= 0)
        break;
      Value hits;
      for (int64_t j = 0; j < n; ++j) {
        Value part = m.slice(matches[j], 1, j * d, j * d + span);
        hits = hits ? m.mul(hits, part) : part;
      }
      Value found = m.reduce(graph::ReduceKind::Sum, hits, {1}, false);
      total = total ? m.add(total, found) : found;
    }
    grams.push_back(total ? total
                          : splatConstant(node, {rows, numGrams},
                                          node.builder().getF32Type(), 0));
  }
  Type f32 = node.builder().getF32Type();
  // Columns with no n-gram counted read the extra zero column.
  grams.push_back(splatConstant(node, {rows, 1}, f32, 0));
  for (double &c : columnOf)
    if (c < 0)
      c = counted;
  Value all = grams.size() == 1 ? grams[0] : m.concat(grams, 1);
  Value freq = build<graph::GatherOp>(
      node, f32, all, m.tensor(m.i64(), {outSize}, columnOf, "columns"), 1);
  std::vector<double> weights;
  if (const ::onnx::AttributeProto *attr = node.attribute("weights"))
    weights.assign(attr->floats().begin(), attr->floats().end());
  if (!weights.empty() && static_cast<int64_t>(weights.size()) < outSize)
    return node.invalid("weights has fewer entries than the output columns");
  weights.resize(outSize, 1.0);
  Value y = freq;
  if (*mode == "IDF")
    y = m.select(m.cmp(graph::ComparePredicate::Gt, freq, 0.0),
                 m.tensor(f32, {outSize}, weights, "weights"), m.c(f32, 0));
  else if (*mode == "TFIDF" && node.attribute("weights"))
    y = m.mul(freq, m.tensor(f32, {outSize}, weights, "weights"));
  if (shape->size() == 1)
    y = m.reshape(y, {outSize});
  node.setOutput(0, y);
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseSequence and Det
//===----------------------------------------------------------------------===//

/// Element (t, b) reads (len[b] - 1 - t, b) for t < len[b], itself otherwise:
/// a gather_elements along the time axis.
static LogicalResult importReverseSequence(NodeImporter &node) {
  using P = graph::ComparePredicate;
  if (failed(node.requireInputs(2)))
    return failure();
  Value x = node.input(0), lens = node.input(1);
  FailureOr<int64_t> batchAxis = node.intAttr("batch_axis", 1);
  FailureOr<int64_t> timeAxis = node.intAttr("time_axis", 0);
  FailureOr<SmallVector<int64_t>> shape = staticShape(node, x, "the input");
  if (failed(batchAxis) || failed(timeAxis) || failed(shape))
    return failure();
  if (!Ops::typeOf(lens).isInteger(64))
    return node.invalid("sequence_lens must be int64");
  int64_t rank = shape->size();
  if (rank < 2 || *batchAxis == *timeAxis || *batchAxis < 0 || *batchAxis > 1 ||
      *timeAxis < 0 || *timeAxis > 1)
    return node.invalid("batch_axis and time_axis must be 0 and 1 in some "
                        "order, on an input of rank >= 2");
  int64_t steps = (*shape)[*timeAxis], batch = (*shape)[*batchAxis];
  FailureOr<SmallVector<int64_t>> lensShape =
      staticShape(node, lens, "sequence_lens");
  if (failed(lensShape))
    return failure();
  if (*lensShape != SmallVector<int64_t>{batch})
    return node.invalid("sequence_lens must be [" + Twine(batch) +
                        "], one length per batch entry");
  Ops m{node};
  SmallVector<int64_t> timeShape(rank, 1), batchShape(rank, 1);
  timeShape[*timeAxis] = steps;
  batchShape[*batchAxis] = batch;
  SmallVector<double> iota(steps);
  std::iota(iota.begin(), iota.end(), 0.0);
  Value t = m.tensor(m.i64(), timeShape, iota, "steps");
  Value len = m.reshape(lens, batchShape);
  Value reversed = m.sub(m.add(len, -1), t);
  Value index = m.select(m.cmp(P::Lt, t, len), reversed, t);
  index =
      build<graph::ExpandOp>(node, m.i64(), index, ArrayRef<int64_t>(*shape));
  node.setOutput(0, build<graph::GatherElementsOp>(node, Ops::typeOf(x), x,
                                                   index, *timeAxis));
  return success();
}

/// Cofactor expansion along the rows, the minors of each set of columns
/// computed once: 2^M partial determinants; matrices up to 6x6.
static LogicalResult importDet(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = floatInputShape(node, 1);
  if (failed(shape))
    return failure();
  Value x = node.input(0);
  int64_t rank = shape->size();
  if (rank < 2 || (*shape)[rank - 1] != (*shape)[rank - 2])
    return node.invalid("the input must be [..., M, M]");
  int64_t size = shape->back();
  if (size > 6)
    return node.unsupported("determinants of " + Twine(size) + "x" +
                            Twine(size) + " matrices (at most 6x6)");
  Ops m{node};
  Type t = Ops::typeOf(x);
  SmallVector<int64_t> batch(shape->begin(), shape->end() - 2);
  if (size == 0) {
    node.setOutput(0, splatConstant(node, batch, t, 1));
    return success();
  }
  SmallVector<SmallVector<Value>> entries(size);
  for (int64_t i = 0; i < size; ++i) {
    Value row = m.slice(x, rank - 2, i, i + 1);
    for (int64_t j = 0; j < size; ++j)
      entries[i].push_back(m.reshape(m.slice(row, rank - 1, j, j + 1), batch));
  }
  auto entry = [&](int64_t i, int64_t j) { return entries[i][j]; };
  // minor[mask]: the determinant of the last popcount(mask) rows restricted
  // to the columns in mask.
  llvm::DenseMap<unsigned, Value> minor;
  for (unsigned mask = 1; mask < (1u << size); ++mask) {
    int64_t row = size - llvm::popcount(mask);
    Value det;
    int sign = 1;
    for (int64_t j = 0; j < size; ++j) {
      if (!(mask & (1u << j)))
        continue;
      unsigned rest = mask & ~(1u << j);
      Value term = rest ? m.mul(entry(row, j), minor[rest]) : entry(row, j);
      det = !det ? term : sign > 0 ? m.add(det, term) : m.sub(det, term);
      sign = -sign;
    }
    minor[mask] = det;
  }
  node.setOutput(0, minor[(1u << size) - 1]);
  return success();
}

llvm::StringMap<OpImporter> importer::signalOpImporters() {
  return {
      {"HannWindow", {17, importHannWindow}},
      {"HammingWindow", {17, importHammingWindow}},
      {"BlackmanWindow", {17, importBlackmanWindow}},
      {"MelWeightMatrix", {17, importMelWeightMatrix}},
      {"DFT", {17, importDFT}},
      {"STFT", {17, importSTFT}},
      {"GridSample", {16, importGridSample}},
      {"RoiAlign", {10, importRoiAlign}},
      {"TfIdfVectorizer", {9, importTfIdfVectorizer}},
      {"ReverseSequence", {10, importReverseSequence}},
      {"Det", {11, importDet}},
  };
}
