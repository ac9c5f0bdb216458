//===- NnEmitter.cpp - convolutions and pooling ---------------------------===//
//
// graph.conv, graph.conv_transpose, graph.pool and graph.max_pool_indices,
// each alone in a data kernel: one thread per result element (grid-stride),
// looping over its window with every size a compile-time constant. Convs and
// pools with `channels_last` (N x D... x C) number result elements with the
// channel fastest, so neighbouring threads read neighbouring channels.
// Accumulation is in f32 (f64 for f64, 64-bit integers for integers).
// Simple and correct first: tensor-core implicit GEMM comes later.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "dialects/graph/NnOps.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace dsc::graph;

namespace dsc::codegen {

namespace {
constexpr int64_t kThreads = 256;
constexpr int64_t kMaxBlocks = int64_t(1) << 20;

/// Writes one kernel: the result index decomposed into coordinates, then the
/// loops over a window, the body inside them.
class WindowKernelWriter {
public:
  WindowKernelWriter(exec::KernelOp kernel, Operation *op, EmittedKernel &out)
      : kernel(kernel), op(op), emitted(out), os(source) {
    Value input = op->getOperand(0);
    inputShape.assign(shapeOf(input).begin(), shapeOf(input).end());
    resultShape.assign(shapeOf(op->getResult(0)).begin(),
                       shapeOf(op->getResult(0)).end());
    dims = windowDimsOf(op);
    channelsLast = isChannelsLast(op);
    int64_t largest = 0;
    for (Value v : op->getOperands())
      largest =
          std::max(largest, cast<ShapedType>(v.getType()).getNumElements());
    largest = std::max(
        largest, cast<ShapedType>(op->getResult(0).getType()).getNumElements());
    // Signed: window coordinates go negative in the padding.
    index = largest < (int64_t(1) << 31) ? "int" : "long long";
  }

  int64_t spatial() const { return dims.size(); }
  /// Spatial dimension `d` of the input and the result.
  int64_t inSpatial(int64_t d) const {
    return inputShape[d + (channelsLast ? 1 : 2)];
  }
  int64_t outSpatial(int64_t d) const {
    return resultShape[d + (channelsLast ? 1 : 2)];
  }
  int64_t inChannels() const {
    return channelsLast ? inputShape.back() : inputShape[1];
  }
  int64_t outChannels() const {
    return channelsLast ? resultShape.back() : resultShape[1];
  }
  /// Input elements per channel and sample.
  int64_t inSize() const {
    return product(ArrayRef(inputShape).drop_front(1)) / inChannels();
  }
  int64_t taps() const {
    int64_t count = 1;
    for (const WindowDim &d : dims)
      count *= d.kernel;
    return count;
  }
  static int64_t product(ArrayRef<int64_t> shape) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    return count;
  }

  /// The signature, the grid-stride loop over the result and the result
  /// coordinates: o0.. (spatial), `channel` (m or c) and n.
  /// With `vector` > 1 (channels-last only), each thread takes `vector`
  /// consecutive channels and `channel` numbers those groups.
  void begin(StringRef comment, StringRef channel, int64_t vector = 1) {
    os << getPrelude();
    os << "// " << comment << "\n";
    os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
    os << "  typedef " << index << " idx_t;\n";
    int64_t total = product(resultShape) / vector;
    os << "  const idx_t stride = (idx_t)gridDim.x * blockDim.x;\n";
    os << llvm::formatv("  for (idx_t o = (idx_t)blockIdx.x * blockDim.x + "
                        "threadIdx.x; o < (idx_t){0}; o += stride) {{\n",
                        total);
    os << "    idx_t r = o;\n";
    if (channelsLast)
      os << llvm::formatv("    const idx_t {0} = r % {1}; r /= {1};\n", channel,
                          outChannels() / vector);
    for (int64_t d = spatial() - 1; d >= 0; --d)
      os << llvm::formatv("    const idx_t o{0} = r % {1}; r /= {1};\n", d,
                          outSpatial(d));
    if (!channelsLast)
      os << llvm::formatv("    const idx_t {0} = r % {1}; r /= {1};\n", channel,
                          outChannels());
    os << "    const idx_t n = r;\n";
    int64_t blocks = (total + kThreads - 1) / kThreads;
    emitted.grid = {
        static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
    emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
  }

  /// Opens one loop per kernel dimension. Forward windows read input
  /// i = o * stride - pad + k * dilation; transposed ones the input i with
  /// i * stride + k * dilation - pad = o. The innermost loop has the input
  /// offset `x{S-1}` and the tap offset `w{S-1}` (row-major, within one
  /// channel plane).
  void openWindow(bool transposed, int indent = 6) {
    std::string pad(indent, ' ');
    for (int64_t d = 0; d < spatial(); ++d) {
      const WindowDim &w = dims[d];
      int64_t in = inSpatial(d);
      std::string p = pad + std::string(2 * d, ' ');
      os << llvm::formatv("{0}for (idx_t k{1} = 0; k{1} < {2}; ++k{1}) {{\n", p,
                          d, w.kernel);
      if (!transposed) {
        os << llvm::formatv(
            "{0}  const idx_t i{1} = o{1} * {2} - {3} + k{1} * {4};\n", p, d,
            w.stride, w.padBegin, w.dilation);
      } else {
        os << llvm::formatv(
            "{0}  const idx_t t{1} = o{1} + {2} - k{1} * {3};\n", p, d,
            w.padBegin, w.dilation);
        os << llvm::formatv("{0}  if (t{1} < 0 || t{1} % {2} != 0) continue;\n",
                            p, d, w.stride);
        os << llvm::formatv("{0}  const idx_t i{1} = t{1} / {2};\n", p, d,
                            w.stride);
      }
      os << llvm::formatv("{0}  if (i{1} < 0 || i{1} >= {2}) continue;\n", p, d,
                          in);
      if (d == 0) {
        os << llvm::formatv("{0}  const idx_t x0 = i0;\n", p);
        os << llvm::formatv("{0}  const idx_t w0 = k0;\n", p);
      } else {
        os << llvm::formatv("{0}  const idx_t x{1} = x{2} * {3} + i{1};\n", p,
                            d, d - 1, in);
        os << llvm::formatv("{0}  const idx_t w{1} = w{2} * {3} + k{1};\n", p,
                            d, d - 1, w.kernel);
      }
    }
  }

  void closeWindow(int indent = 6) {
    for (int64_t d = spatial() - 1; d >= 0; --d)
      os << std::string(indent + 2 * d, ' ') << "}\n";
  }

  /// Indentation of the innermost window body.
  std::string bodyIndent(int indent = 6) const {
    return std::string(indent + 2 * spatial(), ' ');
  }

  FailureOr<EmittedKernel> finish() {
    os << "  }\n}\n";
    emitted.source = std::move(source);
    return emitted;
  }

  exec::KernelOp kernel;
  Operation *op;
  EmittedKernel &emitted;
  std::string source;
  llvm::raw_string_ostream os;
  SmallVector<int64_t> inputShape, resultShape;
  SmallVector<WindowDim> dims;
  bool channelsLast = false;
  std::string index;
};

/// The C type accumulations use for `type`.
std::string accumulatorType(Type type) {
  if (type.isF64())
    return "double";
  if (isa<FloatType>(type))
    return "float";
  return "long long";
}

/// Math on the accumulator type (f32 or f64).
std::string mathCall(StringRef acc, StringRef fn) {
  return acc == "double" ? fn.str() : (fn + "f").str();
}

} // namespace

/// graph.conv and graph.conv_transpose: a dot product per result element
/// over the channels of its group and the window's taps.
template <typename ConvOpTy>
static FailureOr<EmittedKernel> emitConv(exec::KernelOp kernel, ConvOpTy conv,
                                         EmittedKernel emitted) {
  constexpr bool transposed = std::is_same_v<ConvOpTy, ConvTransposeOp>;
  WindowKernelWriter w(kernel, conv, emitted);
  Type type = elementTypeOf(conv.getResult());
  std::string acc = accumulatorType(type);
  ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
  int64_t group = conv.getGroup();
  int64_t inChannels = w.inChannels(), outChannels = w.outChannels();
  int64_t inPerGroup = inChannels / group, outPerGroup = outChannels / group;
  std::string x = argName(conv.getInput()), f = argName(conv.getFilter());
  llvm::raw_string_ostream &os = w.os;
  w.begin(transposed ? "transposed convolution, one thread per result element"
                     : "convolution, one thread per result element",
          "m");
  os << llvm::formatv("    const idx_t g = m / {0};\n", outPerGroup);
  os << "    " << acc << " acc = 0;\n";
  std::string last = llvm::formatv("{0}", w.spatial() - 1);
  if (w.channelsLast) {
    // Taps outside, the group's channels (contiguous) inside. Filters:
    // M x K x C/group.
    w.openWindow(false, 4);
    std::string in = w.bodyIndent(4);
    os << in
       << llvm::formatv("const idx_t xc = (n * {0} + x{1}) * {2} + g * {3};\n",
                        w.inSize(), last, inChannels, inPerGroup);
    os << in
       << llvm::formatv("const idx_t fc = (m * {0} + w{1}) * {2};\n", w.taps(),
                        last, inPerGroup);
    os << in << llvm::formatv("for (idx_t c = 0; c < {0}; ++c)\n", inPerGroup);
    os << in << "  acc += (" << acc << ")"
       << loadAsCompute(type, x + "[xc + c]") << " * (" << acc << ")"
       << loadAsCompute(type, f + "[fc + c]") << ";\n";
    w.closeWindow(4);
  } else {
    os << llvm::formatv("    for (idx_t c = 0; c < {0}; ++c) {{\n", inPerGroup);
    os << llvm::formatv(
        "      const idx_t xc = (n * {0} + g * {1} + c) * {2};\n", inChannels,
        inPerGroup, w.inSize());
    // Filters: M x C/group x K (conv), C x M/group x K (transposed).
    if (transposed)
      os << llvm::formatv(
          "      const idx_t fc = ((g * {0} + c) * {1} + m - g * {1}) * {2};\n",
          inPerGroup, filter[1], w.taps());
    else
      os << llvm::formatv("      const idx_t fc = (m * {0} + c) * {1};\n",
                          filter[1], w.taps());
    w.openWindow(transposed, 6);
    os << w.bodyIndent() << "acc += (" << acc << ")"
       << loadAsCompute(type, x + "[xc + x" + last + "]") << " * (" << acc
       << ")" << loadAsCompute(type, f + "[fc + w" + last + "]") << ";\n";
    w.closeWindow(6);
    os << "    }\n";
  }
  if (Value bias = conv.getBias())
    os << "    acc += (" << acc << ")"
       << loadAsCompute(type, argName(bias) + "[m]") << ";\n";
  os << "    out0[o] = " << storeFromCompute(type, "acc") << ";\n";
  return w.finish();
}

/// Sets `count` to the window positions inside the padded input (avg with
/// count_include_pad), even those in the padding.
static void countPaddedWindow(WindowKernelWriter &w) {
  llvm::raw_string_ostream &os = w.os;
  os << "    count = 1;\n";
  for (int64_t d = 0; d < w.spatial(); ++d) {
    const WindowDim &dim = w.dims[d];
    os << "    {\n      idx_t inside = 0;\n";
    os << llvm::formatv("      for (idx_t k = 0; k < {0}; ++k) {{\n",
                        dim.kernel);
    os << llvm::formatv("        const idx_t i = o{0} * {1} - {2} + k * {3};\n",
                        d, dim.stride, dim.padBegin, dim.dilation);
    os << llvm::formatv("        inside += i >= -{0} && i < {1};\n",
                        dim.padBegin, w.inSpatial(d) + dim.padEnd);
    os << "      }\n      count *= inside;\n    }\n";
  }
}

/// Channels per thread of a channels-last max or avg pool over 16-bit
/// values: 8 (one 16-byte load per tap) when the channels allow, else 1.
static int64_t poolVectorWidth(Operation *op) {
  auto pool = dyn_cast<PoolOp>(op);
  if (!pool || !pool.getChannelsLast() || pool.getKind() == PoolKind::Lp)
    return 1;
  Type type = elementTypeOf(pool.getInput());
  if (!type.isF16() && !type.isBF16())
    return 1;
  return shapeOf(pool.getInput()).back() % 8 == 0 ? 8 : 1;
}

/// graph.pool max/avg, channels-last, 16-bit: 8 channels per thread, each
/// tap one 16-byte load (element loads when a base is not 16-byte aligned),
/// the same comparisons and sums per channel as the scalar kernel.
static FailureOr<EmittedKernel>
emitVectorPool(exec::KernelOp kernel, PoolOp pool, EmittedKernel emitted) {
  WindowKernelWriter w(kernel, pool, emitted);
  Type type = elementTypeOf(pool.getInput());
  std::string x = argName(pool.getInput());
  bool isMax = pool.getKind() == PoolKind::Max;
  llvm::raw_string_ostream &os = w.os;
  w.begin(llvm::formatv("{0} pooling, channels-last, 8 channels per thread",
                        stringifyPoolKind(pool.getKind()))
              .str(),
          "c8", 8);
  std::string last = llvm::formatv("x{0}", w.spatial() - 1);
  os << "    const bool aligned = (unsigned long long)" << x
     << " % 16 == 0 && (unsigned long long)out0 % 16 == 0;\n";
  os << llvm::formatv("    const idx_t xc = n * {0} * {1} + c8 * 8;\n",
                      w.inSize(), w.inChannels());
  os << "    float acc[8];\n";
  os << "    for (int e = 0; e < 8; ++e)\n";
  os << "      acc[e] = " << (isMax ? "-__int_as_float(0x7f800000)" : "0.0f")
     << ";\n";
  os << "    idx_t count = 0;\n";
  w.openWindow(false, 4);
  std::string in = w.bodyIndent(4);
  os << in
     << llvm::formatv("const unsigned short* src = {0} + xc + {1} * {2};\n", x,
                      last, w.inChannels());
  os << in << "uint4 raw;\n";
  os << in << "unsigned short* v = reinterpret_cast<unsigned short*>(&raw);\n";
  os << in << "if (aligned)\n";
  os << in << "  raw = *reinterpret_cast<const uint4*>(src);\n";
  os << in << "else\n";
  os << in << "  for (int e = 0; e < 8; ++e)\n";
  os << in << "    v[e] = src[e];\n";
  os << in << "for (int e = 0; e < 8; ++e) {\n";
  os << in << "  const float f = " << loadAsCompute(type, "v[e]") << ";\n";
  // Strictly greater: ties keep the first maximum; NaN never wins.
  if (isMax)
    os << in << "  if (count == 0 || f > acc[e])\n"
       << in << "    acc[e] = f;\n";
  else
    os << in << "  acc[e] += f;\n";
  os << in << "}\n";
  os << in << "++count;\n";
  w.closeWindow(4);
  if (!isMax && pool.getCountIncludePad())
    countPaddedWindow(w);
  os << "    uint4 packed;\n";
  os << "    unsigned short* result = "
        "reinterpret_cast<unsigned short*>(&packed);\n";
  os << "    for (int e = 0; e < 8; ++e)\n";
  os << "      result[e] = "
     << storeFromCompute(type, isMax ? "acc[e]" : "acc[e] / (float)count")
     << ";\n";
  os << "    if (aligned)\n";
  os << "      reinterpret_cast<uint4*>(out0)[o] = packed;\n";
  os << "    else\n";
  os << "      for (int e = 0; e < 8; ++e)\n";
  os << "        out0[o * 8 + e] = result[e];\n";
  return w.finish();
}

/// graph.pool and graph.max_pool_indices: one window per result element.
static FailureOr<EmittedKernel> emitPool(exec::KernelOp kernel, Operation *op,
                                         EmittedKernel emitted) {
  auto pool = dyn_cast<PoolOp>(op);
  auto indices = dyn_cast<MaxPoolIndicesOp>(op);
  PoolKind kind = pool ? pool.getKind() : PoolKind::Max;
  if (poolVectorWidth(op) == 8)
    return emitVectorPool(kernel, pool, std::move(emitted));
  WindowKernelWriter w(kernel, op, emitted);
  Type type = elementTypeOf(op->getOperand(0));
  std::string acc = accumulatorType(type);
  std::string x = argName(op->getOperand(0));
  llvm::raw_string_ostream &os = w.os;
  w.begin(
      llvm::formatv("{0} pooling, one thread per result element",
                    indices ? "max (indices)" : stringifyPoolKind(kind).str())
          .str(),
      "c");
  std::string last = llvm::formatv("x{0}", w.spatial() - 1);
  std::string v;
  if (w.channelsLast) {
    // Element (n, x, c) of N x D... x C.
    os << llvm::formatv("    const idx_t xc = n * {0} * {1} + c;\n", w.inSize(),
                        w.inChannels());
    v = loadAsCompute(
        type,
        llvm::formatv("{0}[xc + {1} * {2}]", x, last, w.inChannels()).str());
  } else {
    os << llvm::formatv("    const idx_t xc = (n * {0} + c) * {1};\n",
                        w.inChannels(), w.inSize());
    v = loadAsCompute(type, x + "[xc + " + last + "]");
  }
  std::string in = w.bodyIndent(4);
  if (kind == PoolKind::Max) {
    // Empty windows (only in the padding) give -inf, or 0 for integers.
    std::string lowest = acc == "float"    ? "-__int_as_float(0x7f800000)"
                         : acc == "double" ? "-__longlong_as_double("
                                             "0x7ff0000000000000LL)"
                                           : "0";
    os << "    " << acc << " acc = " << lowest << ";\n";
    os << "    idx_t best = -1;\n";
    w.openWindow(false, 4);
    os << in << "const " << acc << " v = (" << acc << ")" << v << ";\n";
    // Strictly greater: ties keep the first maximum; NaN never wins.
    os << in << "if (best < 0 || v > acc) {\n";
    os << in << "  acc = v;\n";
    if (indices && indices.getColumnMajor()) {
      // Column-major spatial offset: the first dimension varies fastest.
      std::string column = "i" + std::to_string(w.spatial() - 1);
      for (int64_t d = w.spatial() - 2; d >= 0; --d)
        column = llvm::formatv("i{0} + {1} * ({2})", d, w.inSpatial(d), column);
      os << in << "  best = " << column << ";\n";
    } else {
      os << in << "  best = " << last << ";\n";
    }
    os << in << "}\n";
    w.closeWindow(4);
    if (indices)
      os << "    out0[o] = best < 0 ? -1LL : (long long)xc + best;\n";
    else
      os << "    out0[o] = " << storeFromCompute(type, "acc") << ";\n";
    return w.finish();
  }
  os << "    " << acc << " acc = 0;\n";
  os << "    idx_t count = 0;\n";
  int64_t p = pool.getP();
  w.openWindow(false, 4);
  os << in << "const " << acc << " v = (" << acc << ")" << v << ";\n";
  if (kind == PoolKind::Avg)
    os << in << "acc += v;\n";
  else if (p == 1)
    os << in << "acc += " << mathCall(acc, "fabs") << "(v);\n";
  else if (p == 2)
    os << in << "acc += v * v;\n";
  else
    os << in << "acc += " << mathCall(acc, "pow") << "("
       << mathCall(acc, "fabs") << "(v), (" << acc << ")" << p << ");\n";
  os << in << "++count;\n";
  w.closeWindow(4);
  if (kind == PoolKind::Lp) {
    std::string result = p == 1   ? std::string("acc")
                         : p == 2 ? mathCall(acc, "sqrt") + "(acc)"
                                  : llvm::formatv("{0}(acc, ({1})1 / ({1}){2})",
                                                  mathCall(acc, "pow"), acc, p)
                                        .str();
    os << "    out0[o] = " << storeFromCompute(type, result) << ";\n";
    return w.finish();
  }
  if (pool.getCountIncludePad())
    countPaddedWindow(w);
  os << "    out0[o] = " << storeFromCompute(type, "acc / (" + acc + ")count")
     << ";\n";
  return w.finish();
}

std::optional<FailureOr<EmittedKernel>> emitNnKernel(exec::KernelOp kernel,
                                                     const EmitOptions &) {
  Block &body = kernel.getBody().front();
  auto ops = body.without_terminator();
  // Implicit-GEMM convs (with or without an epilogue): ConvEmitter.cpp.
  if (!ops.empty() && isImplicitGemmConv(&*ops.begin()))
    return emitConvKernel(kernel, cast<ConvOp>(*ops.begin()));
  if (std::distance(ops.begin(), ops.end()) != 1)
    return std::nullopt;
  Operation &op = *ops.begin();
  if (!isa<ConvOp, ConvTransposeOp, PoolOp, MaxPoolIndicesOp>(op))
    return std::nullopt;
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1 ||
      yield.getValues().front() != op.getResult(0))
    return FailureOr<EmittedKernel>(
        kernel.emitOpError("kernel must yield the result of '")
        << op.getName() << "'");
  for (Value operand : op.getOperands())
    if (!isa<BlockArgument>(operand))
      return FailureOr<EmittedKernel>(kernel.emitOpError("operands of '")
                                      << op.getName()
                                      << "' must be kernel arguments");
  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  return llvm::TypeSwitch<Operation *, FailureOr<EmittedKernel>>(&op)
      .Case<ConvOp, ConvTransposeOp>(
          [&](auto conv) { return emitConv(kernel, conv, std::move(emitted)); })
      .Default([&](Operation *pool) {
        return emitPool(kernel, pool, std::move(emitted));
      });
}

} // namespace dsc::codegen
