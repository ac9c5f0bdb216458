//===- NnEvaluator.cpp - convolutions and pooling on the host -------------===//
//
// Direct loops over every result element and its window, accumulating in
// double; the result is rounded to its element type once.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/EvaluatorSupport.h"

#include "dialects/graph/NnOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace dsc;
using namespace dsc::reference;
using namespace dsc::graph;

namespace {

/// The geometry of one windowed op over concrete operand shapes: N x C x
/// spatial input, N x M x spatial result.
struct Geometry {
  int64_t batch = 0, inChannels = 0, outChannels = 0;
  SmallVector<int64_t> inSpatial, outSpatial;
  SmallVector<WindowDim> dims;

  int64_t inSize() const { return product(inSpatial); }
  int64_t outSize() const { return product(outSpatial); }
  SmallVector<int64_t> resultShape() const {
    SmallVector<int64_t> shape = {batch, outChannels};
    shape.append(outSpatial.begin(), outSpatial.end());
    return shape;
  }
};

/// Calls `body(coords)` for every index of `shape`, row-major.
template <typename Body> void forEachCoord(ArrayRef<int64_t> shape, Body body) {
  int64_t count = product(shape);
  SmallVector<int64_t> coords(shape.size(), 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    body(ArrayRef<int64_t>(coords));
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++coords[d] < shape[d])
        break;
      coords[d] = 0;
    }
  }
}

/// The row-major offset of the input element that kernel tap `tap` of the
/// window at result position `out` reads; nullopt in the padding.
std::optional<int64_t> windowOffset(const Geometry &g, ArrayRef<int64_t> out,
                                    ArrayRef<int64_t> tap) {
  int64_t offset = 0;
  for (size_t d = 0; d < g.dims.size(); ++d) {
    const WindowDim &w = g.dims[d];
    int64_t i = out[d] * w.stride - w.padBegin + tap[d] * w.dilation;
    if (i < 0 || i >= g.inSpatial[d])
      return std::nullopt;
    offset = offset * g.inSpatial[d] + i;
  }
  return offset;
}

class NnEvaluator {
public:
  NnEvaluator(Operation *op, ArrayRef<Tensor> operands)
      : op(op), operands(operands) {}

  FailureOr<Tensor> conv(ConvOp convOp);
  FailureOr<Tensor> convTranspose(ConvTransposeOp convOp);
  FailureOr<Tensor> pool(PoolOp poolOp);
  FailureOr<Tensor> maxPoolIndices(MaxPoolIndicesOp poolOp);

private:
  /// A zero result of `shape` and the result's element type; fails with an
  /// error when it is too large.
  FailureOr<Tensor> makeResult(ArrayRef<int64_t> shape) {
    FailureOr<DType> dtype =
        dtypeOf(getElementTypeOrSelf(op->getResult(0).getType()));
    if (failed(dtype)) {
      op->emitOpError("cannot be evaluated: unsupported element type");
      return failure();
    }
    if (!fitsInMemory(shape)) {
      op->emitOpError("cannot be evaluated: a result of shape ")
          << formatShape(shape)
          << " is too large for the reference interpreter";
      return failure();
    }
    Tensor result;
    result.dtype = *dtype;
    result.shape.assign(shape.begin(), shape.end());
    result.data.assign(product(shape), 0.0);
    return result;
  }

  /// Geometry from the input operand and the op's windows; `kernel` gives
  /// the kernel sizes (a filter's spatial dimensions, or kernel_shape).
  Geometry geometry(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
    const Tensor &input = operands[0];
    Geometry g;
    g.batch = input.shape[0];
    g.inChannels = input.shape[1];
    g.inSpatial.assign(input.shape.begin() + 2, input.shape.end());
    g.dims = windowDims(kernel, strides, dilations, pads);
    return g;
  }

  /// The geometry of graph.pool or graph.max_pool_indices and its zero
  /// result.
  template <typename PoolOpTy>
  FailureOr<Tensor> poolGeometry(PoolOpTy poolOp, Geometry &g) {
    g = geometry(poolOp.getKernelShape(), poolOp.getStrides(),
                 poolOp.getDilations(), poolOp.getPads());
    g.outChannels = g.inChannels;
    for (auto [size, dim] : llvm::zip(g.inSpatial, g.dims))
      g.outSpatial.push_back(windowCount(size, dim, poolOp.getCeilMode()));
    if (failed(checkSpatial(g)))
      return failure();
    return makeResult(g.resultShape());
  }

  /// Fails with an error naming the dimension where no window fits.
  LogicalResult checkSpatial(const Geometry &g) {
    for (auto [d, size] : llvm::enumerate(g.outSpatial))
      if (size < 1) {
        op->emitOpError("cannot be evaluated: no window fits spatial "
                        "dimension ")
            << d;
        return failure();
      }
    return success();
  }

  Operation *op;
  ArrayRef<Tensor> operands;
};

} // namespace

FailureOr<Tensor> NnEvaluator::conv(ConvOp convOp) {
  const Tensor &input = operands[0], &filter = operands[1];
  ArrayRef<int64_t> kernel = ArrayRef<int64_t>(filter.shape).drop_front(2);
  Geometry g = geometry(kernel, convOp.getStrides(), convOp.getDilations(),
                        convOp.getPads());
  g.outChannels = filter.shape[0];
  for (auto [size, dim] : llvm::zip(g.inSpatial, g.dims))
    g.outSpatial.push_back(windowCount(size, dim));
  if (failed(checkSpatial(g)))
    return failure();
  FailureOr<Tensor> result = makeResult(g.resultShape());
  if (failed(result))
    return failure();
  int64_t group = convOp.getGroup();
  int64_t perGroupIn = filter.shape[1], perGroupOut = g.outChannels / group;
  int64_t taps = product(kernel);
  int64_t outIndex = 0;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t m = 0; m < g.outChannels; ++m) {
      int64_t firstChannel = (m / perGroupOut) * perGroupIn;
      double bias = operands.size() > 2 ? operands[2].data[m] : 0.0;
      forEachCoord(g.outSpatial, [&](ArrayRef<int64_t> out) {
        double acc = bias;
        int64_t tapIndex = 0;
        forEachCoord(kernel, [&](ArrayRef<int64_t> tap) {
          if (std::optional<int64_t> offset = windowOffset(g, out, tap))
            for (int64_t c = 0; c < perGroupIn; ++c)
              acc += input.data[((n * g.inChannels + firstChannel + c) *
                                 g.inSize()) +
                                *offset] *
                     filter.data[(m * perGroupIn + c) * taps + tapIndex];
          ++tapIndex;
        });
        result->data[outIndex++] = roundTo(result->dtype, acc);
      });
    }
  return result;
}

FailureOr<Tensor> NnEvaluator::convTranspose(ConvTransposeOp convOp) {
  const Tensor &input = operands[0], &filter = operands[1];
  ArrayRef<int64_t> kernel = ArrayRef<int64_t>(filter.shape).drop_front(2);
  Geometry g = geometry(kernel, convOp.getStrides(), convOp.getDilations(),
                        convOp.getPads());
  int64_t group = convOp.getGroup();
  int64_t perGroupOut = filter.shape[1], perGroupIn = g.inChannels / group;
  g.outChannels = perGroupOut * group;
  for (auto [size, dim, extra] :
       llvm::zip(g.inSpatial, g.dims, convOp.getOutputPadding()))
    g.outSpatial.push_back(transposedSize(size, dim, extra));
  if (failed(checkSpatial(g)))
    return failure();
  FailureOr<Tensor> result = makeResult(g.resultShape());
  if (failed(result))
    return failure();
  std::vector<double> acc(result->data.size(), 0.0);
  int64_t taps = product(kernel), outSize = g.outSize();
  // Each input element scatters into the result positions its taps reach.
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t c = 0; c < g.inChannels; ++c) {
      int64_t firstOut = (c / perGroupIn) * perGroupOut;
      int64_t inIndex = (n * g.inChannels + c) * g.inSize();
      forEachCoord(g.inSpatial, [&](ArrayRef<int64_t> in) {
        double x = input.data[inIndex++];
        int64_t tapIndex = 0;
        forEachCoord(kernel, [&](ArrayRef<int64_t> tap) {
          int64_t offset = 0;
          bool inside = true;
          for (size_t d = 0; d < g.dims.size() && inside; ++d) {
            const WindowDim &w = g.dims[d];
            int64_t o = in[d] * w.stride + tap[d] * w.dilation - w.padBegin;
            inside = o >= 0 && o < g.outSpatial[d];
            offset = offset * g.outSpatial[d] + o;
          }
          if (inside)
            for (int64_t m = 0; m < perGroupOut; ++m)
              acc[(n * g.outChannels + firstOut + m) * outSize + offset] +=
                  x * filter.data[(c * perGroupOut + m) * taps + tapIndex];
          ++tapIndex;
        });
      });
    }
  for (int64_t i = 0, e = acc.size(); i < e; ++i) {
    double bias = operands.size() > 2
                      ? operands[2].data[(i / outSize) % g.outChannels]
                      : 0.0;
    result->data[i] = roundTo(result->dtype, acc[i] + bias);
  }
  return result;
}

/// The window of `kind` at result position `out`: max (the first maximum's
/// input offset in `argmax`), the average or the Lp norm.
static double poolWindow(const Geometry &g, PoolKind kind,
                         ArrayRef<int64_t> out, ArrayRef<int64_t> kernel,
                         const double *plane, bool countIncludePad, int64_t p,
                         int64_t *argmax) {
  double acc =
      kind == PoolKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
  int64_t count = 0, best = -1;
  forEachCoord(kernel, [&](ArrayRef<int64_t> tap) {
    std::optional<int64_t> offset = windowOffset(g, out, tap);
    if (!offset)
      return;
    double x = plane[*offset];
    ++count;
    if (kind == PoolKind::Max) {
      // Strictly greater: ties keep the first maximum (NaN never wins, as
      // with the kernel's comparisons).
      if (best < 0 || x > acc) {
        best = *offset;
        acc = x;
      }
    } else if (kind == PoolKind::Avg) {
      acc += x;
    } else {
      acc += std::pow(std::fabs(x), static_cast<double>(p));
    }
  });
  if (argmax)
    *argmax = best;
  if (kind == PoolKind::Lp)
    return std::pow(acc, 1.0 / static_cast<double>(p));
  if (kind != PoolKind::Avg)
    return acc;
  if (countIncludePad) {
    // Positions inside the padded input count, those beyond it (ceil_mode)
    // do not.
    count = 1;
    for (size_t d = 0; d < g.dims.size(); ++d) {
      const WindowDim &w = g.dims[d];
      int64_t inside = 0;
      for (int64_t k = 0; k < w.kernel; ++k) {
        int64_t i = out[d] * w.stride - w.padBegin + k * w.dilation;
        inside += i >= -w.padBegin && i < g.inSpatial[d] + w.padEnd;
      }
      count *= inside;
    }
  }
  return count ? acc / count : std::numeric_limits<double>::quiet_NaN();
}

FailureOr<Tensor> NnEvaluator::pool(PoolOp poolOp) {
  ArrayRef<int64_t> kernel = poolOp.getKernelShape();
  Geometry g;
  FailureOr<Tensor> result = poolGeometry(poolOp, g);
  if (failed(result))
    return failure();
  bool isFloat = isa<FloatType>(getElementTypeOrSelf(poolOp.getType()));
  int64_t outIndex = 0;
  for (int64_t plane = 0; plane < g.batch * g.inChannels; ++plane) {
    const double *in = operands[0].data.data() + plane * g.inSize();
    forEachCoord(g.outSpatial, [&](ArrayRef<int64_t> out) {
      double value =
          poolWindow(g, poolOp.getKind(), out, kernel, in,
                     poolOp.getCountIncludePad(), poolOp.getP(), nullptr);
      // A window wholly in the padding has no maximum; integers get 0.
      if (!isFloat && !std::isfinite(value))
        value = 0;
      result->data[outIndex++] = roundTo(result->dtype, value);
    });
  }
  return result;
}

FailureOr<Tensor> NnEvaluator::maxPoolIndices(MaxPoolIndicesOp poolOp) {
  ArrayRef<int64_t> kernel = poolOp.getKernelShape();
  Geometry g;
  FailureOr<Tensor> result = poolGeometry(poolOp, g);
  if (failed(result))
    return failure();
  SmallVector<int64_t> strides(g.inSpatial.size(), 1);
  // Column-major: the first spatial dimension varies fastest.
  if (poolOp.getColumnMajor())
    for (size_t d = 1; d < strides.size(); ++d)
      strides[d] = strides[d - 1] * g.inSpatial[d - 1];
  int64_t outIndex = 0;
  for (int64_t plane = 0; plane < g.batch * g.inChannels; ++plane) {
    const double *in = operands[0].data.data() + plane * g.inSize();
    forEachCoord(g.outSpatial, [&](ArrayRef<int64_t> out) {
      int64_t best = -1;
      poolWindow(g, PoolKind::Max, out, kernel, in, false, 2, &best);
      int64_t index = best;
      if (poolOp.getColumnMajor() && best >= 0) {
        index = 0;
        for (int64_t d = static_cast<int64_t>(strides.size()) - 1; d >= 0;
             --d) {
          index += (best % g.inSpatial[d]) * strides[d];
          best /= g.inSpatial[d];
        }
      }
      result->data[outIndex++] =
          index < 0 ? -1.0 : static_cast<double>(plane * g.inSize() + index);
    });
  }
  return result;
}

/// `tensor` with its dimensions permuted: result dimension i is dimension
/// perm[i].
static Tensor permuted(const Tensor &tensor, ArrayRef<int64_t> perm) {
  Tensor result;
  result.dtype = tensor.dtype;
  for (int64_t d : perm)
    result.shape.push_back(tensor.shape[d]);
  SmallVector<int64_t> strides(tensor.shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(strides.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * tensor.shape[d + 1];
  result.data.reserve(tensor.data.size());
  forEachCoord(result.shape, [&](ArrayRef<int64_t> coords) {
    int64_t offset = 0;
    for (auto [i, c] : llvm::enumerate(coords))
      offset += c * strides[perm[i]];
    result.data.push_back(tensor.data[offset]);
  });
  return result;
}

/// graph.conv and graph.pool with `channels_last`: evaluated channels-first
/// on permuted operands (filters too), so both layouts give the same values.
static FamilyResults evaluateChannelsLast(Operation *op,
                                          ArrayRef<Tensor> operands) {
  SmallVector<Tensor> first;
  for (auto [i, operand] : llvm::enumerate(operands))
    first.push_back(
        i < 2 && operand.shape.size() > 2
            ? permuted(operand, toChannelsFirst(operand.shape.size()))
            : operand);
  // The evaluator reads only the windows' attributes from the op.
  FamilyResults results = evaluateNnOp(op, first, /*channelsLast=*/false);
  if (results && succeeded(*results))
    for (Tensor &result : **results)
      result = permuted(result, toChannelsLast(result.shape.size()));
  return results;
}

FamilyResults reference::evaluateNnOp(Operation *op, ArrayRef<Tensor> operands,
                                      bool channelsLast) {
  if (channelsLast && isa<ConvOp, PoolOp>(op) && isChannelsLast(op))
    return evaluateChannelsLast(op, operands);
  NnEvaluator evaluator(op, operands);
  auto wrap = [](FailureOr<Tensor> tensor) -> FamilyResults {
    if (failed(tensor))
      return FailureOr<SmallVector<Tensor>>(failure());
    return FailureOr<SmallVector<Tensor>>(
        SmallVector<Tensor>{std::move(*tensor)});
  };
  return llvm::TypeSwitch<Operation *, FamilyResults>(op)
      .Case<ConvOp>([&](auto conv) { return wrap(evaluator.conv(conv)); })
      .Case<ConvTransposeOp>(
          [&](auto conv) { return wrap(evaluator.convTranspose(conv)); })
      .Case<PoolOp>([&](auto pool) { return wrap(evaluator.pool(pool)); })
      .Case<MaxPoolIndicesOp>(
          [&](auto pool) { return wrap(evaluator.maxPoolIndices(pool)); })
      .Default([](Operation *) -> FamilyResults { return std::nullopt; });
}
