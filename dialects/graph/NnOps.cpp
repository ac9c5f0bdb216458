//===- NnOps.cpp - convolutions and pooling -------------------------------===//
//
// Verifiers and shape inference of graph.conv, graph.conv_transpose,
// graph.pool and graph.max_pool_indices, and the window geometry they share
// with the evaluator and the emitters (NnOps.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/NnOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace dsc::graph;

//===----------------------------------------------------------------------===//
// Window geometry
//===----------------------------------------------------------------------===//

SmallVector<WindowDim> dsc::graph::windowDims(ArrayRef<int64_t> kernel,
                                              ArrayRef<int64_t> strides,
                                              ArrayRef<int64_t> dilations,
                                              ArrayRef<int64_t> pads) {
  size_t spatial = kernel.size();
  SmallVector<WindowDim> dims;
  for (size_t i = 0; i < spatial; ++i)
    dims.push_back(
        {kernel[i], strides[i], dilations[i], pads[i], pads[spatial + i]});
  return dims;
}

/// Sizes beyond int64 saturate: shapes come from model files, and the
/// evaluators refuse results that large anyway.
static int64_t saturate(__int128 value) {
  constexpr __int128 max = std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(value > max ? max : value < -max ? -max : value);
}

int64_t dsc::graph::windowCount(int64_t size, const WindowDim &dim,
                                bool ceilMode) {
  __int128 extent = static_cast<__int128>(dim.kernel - 1) * dim.dilation + 1;
  __int128 span =
      static_cast<__int128>(size) + dim.padBegin + dim.padEnd - extent;
  if (span < 0)
    return 0;
  __int128 count = (ceilMode ? span + dim.stride - 1 : span) / dim.stride + 1;
  // A last window that would start in the trailing padding is dropped.
  if (ceilMode &&
      (count - 1) * dim.stride >= static_cast<__int128>(size) + dim.padBegin)
    --count;
  return saturate(count);
}

int64_t dsc::graph::transposedSize(int64_t size, const WindowDim &dim,
                                   int64_t outputPadding) {
  __int128 extent = static_cast<__int128>(dim.kernel - 1) * dim.dilation + 1;
  return saturate(static_cast<__int128>(dim.stride) * (size - 1) +
                  outputPadding + extent - dim.padBegin - dim.padEnd);
}

bool dsc::graph::isChannelsLast(Operation *op) {
  return op->hasAttr("channels_last");
}

bool dsc::graph::isImplicitGemmConv(Operation *op) {
  auto conv = dyn_cast<ConvOp>(op);
  if (!conv || !conv.getChannelsLast() || conv.getGroup() != 1)
    return false;
  for (Value value : op->getOperands())
    if (!cast<ShapedType>(value.getType()).hasStaticShape())
      return false;
  auto type = dyn_cast<RankedTensorType>(conv.getType());
  if (!type || !type.hasStaticShape() || type.getRank() != 4)
    return false;
  Type element = type.getElementType();
  return element.isF16() || element.isBF16() || element.isF32();
}

int64_t dsc::graph::channelAxis(Operation *op, int64_t rank) {
  return isChannelsLast(op) ? rank - 1 : 1;
}

SmallVector<int64_t> dsc::graph::toChannelsLast(int64_t rank) {
  SmallVector<int64_t> perm = {0};
  for (int64_t d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return perm;
}

SmallVector<int64_t> dsc::graph::toChannelsFirst(int64_t rank) {
  SmallVector<int64_t> perm = {0, rank - 1};
  for (int64_t d = 1; d + 1 < rank; ++d)
    perm.push_back(d);
  return perm;
}

/// The spatial dimensions of a shape, N x C x D... or N x D... x C (also a
/// filter's kernel sizes, M x C x K... or M x K... x C).
static ArrayRef<int64_t> spatialOf(ArrayRef<int64_t> shape, bool channelsLast) {
  return channelsLast ? shape.drop_front(1).drop_back(1) : shape.drop_front(2);
}

SmallVector<WindowDim> dsc::graph::windowDimsOf(Operation *op) {
  bool last = isChannelsLast(op);
  auto kernelOf = [&](Value filter) {
    return SmallVector<int64_t>(
        spatialOf(cast<RankedTensorType>(filter.getType()).getShape(), last));
  };
  return llvm::TypeSwitch<Operation *, SmallVector<WindowDim>>(op)
      .Case<ConvOp, ConvTransposeOp>([&](auto conv) {
        return windowDims(kernelOf(conv.getFilter()), conv.getStrides(),
                          conv.getDilations(), conv.getPads());
      })
      .Case<PoolOp, MaxPoolIndicesOp>([](auto pool) {
        return windowDims(pool.getKernelShape(), pool.getStrides(),
                          pool.getDilations(), pool.getPads());
      })
      .Default([](Operation *) { return SmallVector<WindowDim>(); });
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

static RankedTensorType rankedOrNull(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

static int64_t dimOr(RankedTensorType type, int64_t index) {
  return type ? type.getDimSize(index) : ShapedType::kDynamic;
}

static bool knownAndDiffer(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// The attributes of `spatial` sliding windows, and the input's rank.
static LogicalResult verifyWindows(Operation *op, Value input, size_t spatial,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations,
                                   ArrayRef<int64_t> pads,
                                   bool negativePads = false) {
  if (spatial == 0)
    return op->emitOpError("needs at least one spatial dimension");
  if (auto type = rankedOrNull(input);
      type && type.getRank() != static_cast<int64_t>(spatial) + 2)
    return op->emitOpError("input of rank ")
           << type.getRank() << " does not match " << spatial
           << " spatial dimensions (N x C x spatial expected)";
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return op->emitOpError("expects ")
           << spatial << " strides and dilations and " << 2 * spatial
           << " pads, got " << strides.size() << ", " << dilations.size()
           << " and " << pads.size();
  // Window arithmetic stays far from overflow with 32-bit attributes.
  constexpr int64_t limit = int64_t(1) << 31;
  auto outOfRange = [&](int64_t v) { return v > limit || v < -limit; };
  if (llvm::any_of(strides, outOfRange) ||
      llvm::any_of(dilations, outOfRange) || llvm::any_of(pads, outOfRange))
    return op->emitOpError("strides, dilations and pads must be below 2^31 "
                           "in magnitude");
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return op->emitOpError("strides must be positive");
  if (llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError("dilations must be positive");
  if (!negativePads && llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must not be negative");
  return success();
}

/// What graph.conv and graph.conv_transpose have in common: one element
/// type, a filter of the input's rank, a bias of rank 1, a positive group.
template <typename ConvOpTy>
static LogicalResult verifyConvCommon(ConvOpTy op) {
  Type elementType = getElementTypeOrSelf(op.getInput().getType());
  for (Value value : {op.getFilter(), op.getBias(), op.getResult()})
    if (value && getElementTypeOrSelf(value.getType()) != elementType)
      return op.emitOpError("input, filter, bias and result must have one "
                            "element type");
  if (op.getGroup() < 1)
    return op.emitOpError("group must be positive, not ") << op.getGroup();
  auto filter = rankedOrNull(op.getFilter());
  size_t spatial = op.getStrides().size();
  if (filter && filter.getRank() != static_cast<int64_t>(spatial) + 2)
    return op.emitOpError("filter of rank ")
           << filter.getRank() << " does not match " << spatial
           << " spatial dimensions";
  if (filter && llvm::any_of(spatialOf(filter.getShape(), isChannelsLast(op)),
                             [](int64_t k) { return k == 0; }))
    return op.emitOpError("filter has an empty spatial dimension");
  auto bias = rankedOrNull(op.getBias());
  if (bias && bias.getRank() != 1)
    return op.emitOpError("bias must have rank 1, not ") << bias.getRank();
  return verifyWindows(op, op.getInput(), spatial, op.getStrides(),
                       op.getDilations(), op.getPads(),
                       std::is_same_v<ConvOpTy, ConvTransposeOp>);
}

/// Channels: `inputChannels` must equal `filterChannels` * group (conv) or
/// itself be a multiple of group (conv_transpose); the bias has one element
/// per result channel.
template <typename ConvOpTy>
static LogicalResult verifyChannels(ConvOpTy op, int64_t groupsOf,
                                    int64_t perGroup, int64_t resultChannels) {
  int64_t group = op.getGroup();
  auto input = rankedOrNull(op.getInput());
  int64_t inputChannels =
      input ? input.getDimSize(channelAxis(op, input.getRank()))
            : ShapedType::kDynamic;
  if (!ShapedType::isDynamic(perGroup) &&
      knownAndDiffer(inputChannels, perGroup * group))
    return op.emitOpError("input has ")
           << inputChannels << " channels, the filter expects " << perGroup
           << " per group x " << group << " groups";
  if (!ShapedType::isDynamic(groupsOf) && groupsOf % group != 0)
    return op.emitOpError("filter dimension of size ")
           << groupsOf << " is not a multiple of group " << group;
  if (knownAndDiffer(dimOr(rankedOrNull(op.getBias()), 0), resultChannels))
    return op.emitOpError("bias has ")
           << dimOr(rankedOrNull(op.getBias()), 0) << " elements for "
           << resultChannels << " result channels";
  return success();
}

LogicalResult ConvOp::verify() {
  if (failed(verifyConvCommon(*this)))
    return failure();
  auto filter = rankedOrNull(getFilter());
  int64_t outChannels = dimOr(filter, 0);
  int64_t perGroup =
      filter ? filter.getDimSize(getChannelsLast() ? filter.getRank() - 1 : 1)
             : ShapedType::kDynamic;
  return verifyChannels(*this, outChannels, perGroup, outChannels);
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(verifyConvCommon(*this)))
    return failure();
  if (getOutputPadding().size() != getStrides().size())
    return emitOpError("expects ")
           << getStrides().size() << " output_padding values, got "
           << getOutputPadding().size();
  if (llvm::any_of(getOutputPadding(), [](int64_t p) { return p < 0; }))
    return emitOpError("output_padding must not be negative");
  auto filter = rankedOrNull(getFilter());
  int64_t inChannels = dimOr(filter, 0);
  int64_t perGroup = dimOr(filter, 1);
  int64_t outChannels = ShapedType::isDynamic(perGroup) ? ShapedType::kDynamic
                                                        : perGroup * getGroup();
  if (knownAndDiffer(dimOr(rankedOrNull(getInput()), 1), inChannels))
    return emitOpError("input has ")
           << dimOr(rankedOrNull(getInput()), 1)
           << " channels, the filter expects " << inChannels;
  return verifyChannels(*this, inChannels, ShapedType::kDynamic, outChannels);
}

/// Attributes of a pooling window: one positive kernel size per spatial
/// dimension.
template <typename PoolOpTy>
static LogicalResult verifyPoolWindows(PoolOpTy op) {
  if (llvm::any_of(op.getKernelShape(),
                   [](int64_t k) { return k < 1 || k > (int64_t(1) << 31); }))
    return op.emitOpError("kernel_shape must be positive and below 2^31");
  return verifyWindows(op, op.getInput(), op.getKernelShape().size(),
                       op.getStrides(), op.getDilations(), op.getPads());
}

LogicalResult PoolOp::verify() {
  if (getKind() != PoolKind::Max &&
      !isa<FloatType>(getElementTypeOrSelf(getInput().getType())))
    return emitOpError(stringifyPoolKind(getKind()))
           << " pooling needs a floating-point element type";
  if (getKind() == PoolKind::Lp && getP() < 1)
    return emitOpError("p must be positive, not ") << getP();
  return verifyPoolWindows(*this);
}

LogicalResult MaxPoolIndicesOp::verify() {
  if (!getElementTypeOrSelf(getResult().getType()).isInteger(64))
    return emitOpError("result must hold i64 indices");
  return verifyPoolWindows(*this);
}

//===----------------------------------------------------------------------===//
// Shape inference
//===----------------------------------------------------------------------===//

/// N x `channels` x one size per window dimension (`size` of the input
/// dimension and its windows), dynamic where the input is.
template <typename SizeFn>
static LogicalResult refineSpatial(Operation *op, RankedTensorType input,
                                   int64_t channels, ArrayRef<WindowDim> dims,
                                   SizeFn size) {
  bool last = isChannelsLast(op);
  SmallVector<int64_t> shape = {input.getDimSize(0)};
  if (!last)
    shape.push_back(channels);
  for (auto [i, dim] : llvm::enumerate(dims)) {
    int64_t in = input.getDimSize(i + (last ? 1 : 2));
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(dim.kernel)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = size(in, dim, i);
    if (out < 1)
      return op->emitOpError("window of extent ")
             << dim.extent() << " does not fit spatial dimension " << i
             << " of size " << in << " with pads " << dim.padBegin << " and "
             << dim.padEnd;
    shape.push_back(out);
  }
  if (last)
    shape.push_back(channels);
  return refineResult(op, shape);
}

LogicalResult ConvOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  auto filter = rankedOrNull(getFilter());
  if (!input || !filter)
    return success();
  return refineSpatial(*this, input, filter.getDimSize(0), windowDimsOf(*this),
                       [](int64_t in, const WindowDim &dim, size_t) {
                         return windowCount(in, dim);
                       });
}

LogicalResult ConvTransposeOp::inferShapes() {
  auto input = rankedOrNull(getInput());
  auto filter = rankedOrNull(getFilter());
  if (!input || !filter)
    return success();
  int64_t perGroup = filter.getDimSize(1);
  int64_t channels = ShapedType::isDynamic(perGroup) ? ShapedType::kDynamic
                                                     : perGroup * getGroup();
  ArrayRef<int64_t> outputPadding = getOutputPadding();
  return refineSpatial(*this, input, channels, windowDimsOf(*this),
                       [&](int64_t in, const WindowDim &dim, size_t i) {
                         return transposedSize(in, dim, outputPadding[i]);
                       });
}

template <typename PoolOpTy> static LogicalResult inferPoolShapes(PoolOpTy op) {
  auto input = rankedOrNull(op.getInput());
  if (!input)
    return success();
  bool ceilMode = op.getCeilMode();
  return refineSpatial(
      op, input, input.getDimSize(channelAxis(op, input.getRank())),
      windowDimsOf(op), [&](int64_t in, const WindowDim &dim, size_t) {
        return windowCount(in, dim, ceilMode);
      });
}

LogicalResult PoolOp::inferShapes() { return inferPoolShapes(*this); }

LogicalResult MaxPoolIndicesOp::inferShapes() { return inferPoolShapes(*this); }
