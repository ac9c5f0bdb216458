//===- RowReductionEmitter.cpp - row_reduction family ---------------------===//
//
// softmax, log_softmax, layer_norm and reduce_mean, each followed by an
// optional elementwise epilogue. The input splits into rows: the reduced
// dimensions (softmax: its axis; layer_norm: axis..rank-1; reduce_mean: its
// axes) form one row, the kept dimensions enumerate the rows.
//
// When the innermost dimension is reduced, rows are contiguous runs and a
// group of threads (a warp for rows up to 1024 elements, a block otherwise)
// walks each row with coalesced accesses, reducing through warp shuffles and
// shared memory; short enough rows stay in registers between passes (f16
// and bf16 rows of whole 16-byte vectors per lane move 8 elements per load
// and store, when the tensors are aligned). When
// the innermost dimension is kept (softmax over a middle axis, a mean over
// the batch), consecutive rows are adjacent in memory, so one thread takes
// one row and a warp's accesses to element j of 32 rows are coalesced.
// Accumulation is in f32 (f64 for f64 tensors); softmax subtracts the row
// maximum; layer_norm takes the variance around the mean (two passes).
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"
#include "codegen/cuda/ScalarExprEmitter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

namespace {

/// Rows cached in registers up to this many elements per thread.
constexpr int64_t kMaxCachedItems = 32;
constexpr int64_t kColumnBlock = 256;

enum class Reduction { Softmax, LogSoftmax, LayerNorm, Mean };

class RowReductionEmitter {
public:
  RowReductionEmitter(exec::KernelOp kernel) : kernel(kernel) {}
  FailureOr<EmittedKernel> emit();

private:
  void emitRowKernel(llvm::raw_ostream &os);
  /// The row statistics of `reduction` over the values `forEach` visits
  /// (the text it is given runs with `x` bound to each).
  void emitRowStatistics(llvm::raw_ostream &os,
                         llvm::function_ref<void(llvm::StringRef)> forEach);
  void emitVectorRows(llvm::raw_ostream &os);
  void emitColumnKernel(llvm::raw_ostream &os);
  /// log_softmax's log of the row sum, once the sum is known.
  void emitLogSum(llvm::raw_ostream &os) {
    if (reduction == Reduction::LogSoftmax)
      os << "  const " << acc
         << " rowLogSum = " << (acc == "double" ? "log" : "logf")
         << "(rowSum);\n";
  }
  std::string load(StringRef offset);
  /// The per-element transformation once the row statistics are known.
  std::string finish(StringRef x, StringRef j);

  exec::KernelOp kernel;
  Operation *anchor = nullptr;
  Reduction reduction;
  BlockArgument input;
  SmallVector<int64_t> shape;
  SmallVector<int64_t> reducedDims, keptDims;
  int64_t rows = 1, rowSize = 1;
  std::string acc = "float";
  int64_t rowThreads = 32;
  /// Rows of whole 16-byte vectors of 2-byte elements per lane (a warp a
  /// row), contiguous in input and result: one 16-byte load and store per
  /// 8 elements (when both tensors are 16-byte aligned at run time).
  bool vectorRows = false;
  /// In the vector rows, layer_norm parameters read as the row's elements
  /// are: the storage expression of element e of the lane's vector.
  llvm::DenseMap<Value, std::string> vectorParams;
};

} // namespace

std::string RowReductionEmitter::load(StringRef offset) {
  return loadAsCompute(
      elementTypeOf(input),
      llvm::formatv("arg{0}[{1}]", input.getArgNumber(), offset).str());
}

/// A layer_norm parameter's shape against the normalized dimensions:
/// leading 1s beyond their rank dropped.
static ArrayRef<int64_t> normalizedParamShape(Value param,
                                              ArrayRef<int64_t> normalized) {
  ArrayRef<int64_t> shape = shapeOf(param);
  while (shape.size() > normalized.size() && shape.front() == 1)
    shape = shape.drop_front();
  return shape;
}

std::string RowReductionEmitter::finish(StringRef x, StringRef j) {
  switch (reduction) {
  case Reduction::Softmax:
    return llvm::formatv("{0}({1} - rowMax) / rowSum",
                         acc == "double" ? "exp" : "expf", x);
  case Reduction::LogSoftmax:
    return llvm::formatv("{0} - rowMax - rowLogSum", x);
  case Reduction::LayerNorm: {
    auto ln = cast<graph::LayerNormOp>(anchor);
    ArrayRef<int64_t> normalized =
        ArrayRef<int64_t>(shape).take_back(reducedDims.size());
    auto paramIndex = [&](Value param) {
      return broadcastIndexFromLinear(normalizedParamShape(param, normalized),
                                      normalized, j);
    };
    auto paramLoad = [&](Value param) {
      if (auto it = vectorParams.find(param); it != vectorParams.end())
        return loadAsCompute(elementTypeOf(param), it->second);
      return loadAsCompute(
          elementTypeOf(param),
          llvm::formatv("arg{0}[{1}]",
                        cast<BlockArgument>(param).getArgNumber(),
                        paramIndex(param))
              .str());
    };
    std::string expr = llvm::formatv("({0} - rowMean) * rowRstd * {1}", x,
                                     paramLoad(ln.getScale()));
    if (ln.getBias())
      expr += " + " + paramLoad(ln.getBias());
    return expr;
  }
  case Reduction::Mean:
    return x.str();
  }
  llvm_unreachable("unknown reduction");
}

/// Group reductions over `rowThreads` consecutive threads.
static std::string groupReduceHelpers(int64_t rowThreads, StringRef acc) {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (auto [name, combine] :
       {std::pair<StringRef, StringRef>{"sum", "a + b"},
        std::pair<StringRef, StringRef>{
            "max", acc == "double" ? "fmax(a, b)" : "fmaxf(a, b)"}}) {
    os << "static __device__ __forceinline__ " << acc << " dsc_group_" << name
       << "(" << acc << " v, " << acc << "* scratch) {\n";
    os << "  #pragma unroll\n";
    os << "  for (int offset = 16; offset > 0; offset /= 2) {\n";
    os << "    const " << acc
       << " a = v, b = __shfl_xor_sync(0xffffffffu, v, offset);\n";
    os << "    v = " << combine << ";\n  }\n";
    if (rowThreads > 32) {
      // Combine the warps' values through shared memory; the second barrier
      // lets the next reduction reuse the scratch.
      os << "  if (threadIdx.x % 32 == 0)\n    scratch[threadIdx.x / 32] = "
            "v;\n";
      os << "  __syncthreads();\n";
      os << "  v = scratch[0];\n";
      os << "  for (int w = 1; w < " << rowThreads / 32 << "; ++w) {\n";
      os << "    const " << acc << " a = v, b = scratch[w];\n";
      os << "    v = " << combine << ";\n  }\n";
      os << "  __syncthreads();\n";
    }
    os << "  return v;\n}\n";
  }
  return text;
}

void RowReductionEmitter::emitRowKernel(llvm::raw_ostream &os) {
  int64_t items = (rowSize + rowThreads - 1) / rowThreads;
  bool cached = reduction != Reduction::Mean && items <= kMaxCachedItems;
  std::string zero = acc == "double" ? "0.0" : "0.0f";
  std::string rowOffset = subspaceOffset(keptDims, shape, "row");
  std::string elemOffset = subspaceOffset(reducedDims, shape, "j");
  int64_t rowsPerBlock = rowThreads == 32 ? 8 : 1;

  os << llvm::formatv("  constexpr int ROW_THREADS = {0}, ITEMS = {1};\n",
                      rowThreads, items);
  os << llvm::formatv("  constexpr index_t ROWS = {0}, R = {1};\n", rows,
                      rowSize);
  os << "  __shared__ " << acc << " scratch[32];\n";
  os << "  (void)scratch;\n";
  os << llvm::formatv("  const index_t row = (index_t)blockIdx.x * {0} + "
                      "threadIdx.x / ROW_THREADS;\n",
                      rowsPerBlock);
  os << "  const int lane = threadIdx.x % ROW_THREADS;\n";
  // Whole warps leave together: the shuffles see no missing lane.
  os << "  if (row >= ROWS)\n    return;\n";
  os << "  const index_t base = " << rowOffset << ";\n";
  if (vectorRows)
    emitVectorRows(os);
  auto elem = [&](StringRef var) {
    return llvm::formatv("base + {0}", subspaceOffset(reducedDims, shape, var))
        .str();
  };
  (void)elemOffset;
  // `body(x, j)` runs for each in-row element j of this thread.
  auto forEach = [&](StringRef text, bool fromCache) {
    os << "  #pragma unroll\n";
    os << "  for (int it = 0; it < ITEMS; ++it) {\n";
    os << "    const index_t j = lane + (index_t)it * ROW_THREADS;\n";
    os << "    if (j < R) {\n";
    if (fromCache)
      os << "      const " << acc << " x = cache[it];\n";
    else
      os << "      const " << acc << " x = " << load(elem("j")) << ";\n";
    os << text;
    os << "    }\n  }\n";
  };
  if (cached) {
    os << "  " << acc << " cache[ITEMS];\n";
    forEach("      cache[it] = x;\n", false);
  }
  if (reduction != Reduction::Mean)
    emitRowStatistics(os, [&](StringRef text) { forEach(text, cached); });
  switch (reduction) {
  case Reduction::Softmax:
  case Reduction::LogSoftmax:
  case Reduction::LayerNorm:
    break;
  case Reduction::Mean:
    os << "  " << acc << " rowSum = " << zero << ";\n";
    forEach("      rowSum += x;\n", false);
    os << "  rowSum = dsc_group_sum(rowSum, scratch);\n";
    os << "  if (lane == 0)\n";
    os << "    dsc_epilogue("
       << "$ARGS$"
       << ", row, rowSum / (" << acc << ")R);\n";
    return;
  }
  forEach(llvm::formatv("      dsc_epilogue($ARGS$, {0}, {1});\n", elem("j"),
                        finish("x", "j"))
              .str(),
          cached);
}

void RowReductionEmitter::emitRowStatistics(
    llvm::raw_ostream &os, llvm::function_ref<void(StringRef)> forEach) {
  std::string negInf = acc == "double"
                           ? "__longlong_as_double(0xfff0000000000000LL)"
                           : "__int_as_float(0xff800000)";
  std::string zero = acc == "double" ? "0.0" : "0.0f";
  switch (reduction) {
  case Reduction::Softmax:
  case Reduction::LogSoftmax:
    os << "  " << acc << " rowMax = " << negInf << ";\n";
    forEach(acc == "double" ? "      rowMax = fmax(rowMax, x);\n"
                            : "      rowMax = fmaxf(rowMax, x);\n");
    os << "  rowMax = dsc_group_max(rowMax, scratch);\n";
    os << "  " << acc << " rowSum = " << zero << ";\n";
    forEach(llvm::formatv("      rowSum += {0}(x - rowMax);\n",
                          acc == "double" ? "exp" : "expf")
                .str());
    os << "  rowSum = dsc_group_sum(rowSum, scratch);\n";
    emitLogSum(os);
    return;
  case Reduction::LayerNorm: {
    auto ln = cast<graph::LayerNormOp>(anchor);
    os << "  " << acc << " rowMean = " << zero << ";\n";
    forEach("      rowMean += x;\n");
    os << "  rowMean = dsc_group_sum(rowMean, scratch) / (" << acc << ")R;\n";
    os << "  " << acc << " rowVar = " << zero << ";\n";
    forEach("      rowVar += (x - rowMean) * (x - rowMean);\n");
    os << "  rowVar = dsc_group_sum(rowVar, scratch) / (" << acc << ")R;\n";
    os << "  const " << acc << " rowRstd = (" << acc << ")1 / "
       << (acc == "double" ? "sqrt" : "sqrtf") << "(rowVar + "
       << floatLiteral(acc == "double"
                           ? Builder(kernel.getContext()).getF64Type()
                           : Builder(kernel.getContext()).getF32Type(),
                       ln.getEpsilon())
       << ");\n";
    return;
  }
  case Reduction::Mean:
    break;
  }
  llvm_unreachable("the mean has no row statistics");
}

void RowReductionEmitter::emitVectorRows(llvm::raw_ostream &out) {
  std::string in = "arg" + std::to_string(input.getArgNumber());
  // Parameters of the row's shape load as vectors too: per element, a
  // lane's 8 scalar loads would each touch 16 sectors.
  SmallVector<std::pair<std::string, Value>> params;
  if (auto ln = dyn_cast<graph::LayerNormOp>(anchor)) {
    ArrayRef<int64_t> normalized =
        ArrayRef<int64_t>(shape).take_back(reducedDims.size());
    for (Value param : {ln.getScale(), ln.getBias()}) {
      if (!param || getElementInfo(elementTypeOf(param))->bytes != 2)
        continue;
      if (normalizedParamShape(param, normalized) == normalized)
        params.push_back(
            {"arg" + std::to_string(cast<BlockArgument>(param).getArgNumber()),
             param});
    }
  }
  out << "  if (((unsigned long long)" << in;
  for (auto &[name, param] : params)
    out << " | (unsigned long long)" << name;
  out << " | (unsigned long long)out0) % 16 == 0) {\n";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "  constexpr int VECTORS = R / 256; // 16 bytes a lane each\n";
  os << "  " << acc << " cache[VECTORS * 8];\n";
  os << "  #pragma unroll\n";
  os << "  for (int it = 0; it < VECTORS; ++it) {\n";
  os << "    const uint4 raw = *reinterpret_cast<const uint4*>(" << in
     << " + base + ((index_t)lane + (index_t)it * 32) * 8);\n";
  os << "    const unsigned short* h = reinterpret_cast<const unsigned "
        "short*>(&raw);\n";
  os << "    #pragma unroll\n";
  os << "    for (int e = 0; e < 8; ++e)\n";
  os << "      cache[it * 8 + e] = "
     << loadAsCompute(elementTypeOf(input), "h[e]") << ";\n";
  os << "  }\n";
  emitRowStatistics(os, [&](StringRef text) {
    os << "  #pragma unroll\n";
    os << "  for (int i = 0; i < VECTORS * 8; ++i) {\n";
    os << "    {\n      const " << acc << " x = cache[i];\n";
    os << text << "    }\n  }\n";
  });
  os << "  #pragma unroll\n";
  os << "  for (int it = 0; it < VECTORS; ++it) {\n";
  os << "    const index_t j0 = ((index_t)lane + (index_t)it * 32) * 8;\n";
  for (auto [index, entry] : llvm::enumerate(params)) {
    std::string vector = "p" + std::to_string(index);
    os << "    const uint4 " << vector << " = *reinterpret_cast<const uint4*>("
       << entry.first << " + j0);\n";
    vectorParams[entry.second] =
        "reinterpret_cast<const unsigned short*>(&" + vector + ")[e]";
  }
  os << "    uint4 packed;\n";
  os << "    unsigned short* h = reinterpret_cast<unsigned short*>(&packed);\n";
  os << "    #pragma unroll\n";
  os << "    for (int e = 0; e < 8; ++e) {\n";
  os << "      const index_t j = j0 + e;\n";
  os << "      const " << acc << " x = cache[it * 8 + e];\n";
  os << "      h[e] = dsc_epilogue_value($ARGS$, base + j, " << finish("x", "j")
     << ");\n";
  os << "    }\n";
  vectorParams.clear();
  os << "    *reinterpret_cast<uint4*>(out0 + base + j0) = packed;\n";
  os << "  }\n";
  os << "  return;\n";
  // Indented under the alignment check.
  for (StringRef line : llvm::split(StringRef(text).rtrim('\n'), '\n'))
    out << "  " << line << "\n";
  out << "  }\n";
}

void RowReductionEmitter::emitColumnKernel(llvm::raw_ostream &os) {
  std::string negInf = acc == "double"
                           ? "__longlong_as_double(0xfff0000000000000LL)"
                           : "__int_as_float(0xff800000)";
  std::string zero = acc == "double" ? "0.0" : "0.0f";
  os << llvm::formatv("  constexpr index_t ROWS = {0}, R = {1};\n", rows,
                      rowSize);
  os << "  const index_t row = (index_t)blockIdx.x * blockDim.x + "
        "threadIdx.x;\n";
  os << "  if (row >= ROWS)\n    return;\n";
  os << "  const index_t base = " << subspaceOffset(keptDims, shape, "row")
     << ";\n";
  std::string elem = "base + " + subspaceOffset(reducedDims, shape, "j");
  auto forEach = [&](StringRef text) {
    os << "  for (index_t j = 0; j < R; ++j) {\n";
    os << "    const " << acc << " x = " << load(elem) << ";\n";
    os << text << "  }\n";
  };
  switch (reduction) {
  case Reduction::Softmax:
  case Reduction::LogSoftmax:
    os << "  " << acc << " rowMax = " << negInf << ";\n";
    forEach(acc == "double" ? "    rowMax = fmax(rowMax, x);\n"
                            : "    rowMax = fmaxf(rowMax, x);\n");
    os << "  " << acc << " rowSum = " << zero << ";\n";
    forEach(llvm::formatv("    rowSum += {0}(x - rowMax);\n",
                          acc == "double" ? "exp" : "expf")
                .str());
    emitLogSum(os);
    forEach(llvm::formatv("    dsc_epilogue($ARGS$, {0}, {1});\n", elem,
                          finish("x", "j"))
                .str());
    return;
  case Reduction::Mean:
    os << "  " << acc << " rowSum = " << zero << ";\n";
    forEach("    rowSum += x;\n");
    os << "  dsc_epilogue($ARGS$, row, rowSum / (" << acc << ")R);\n";
    return;
  case Reduction::LayerNorm:
    llvm_unreachable("layer_norm always reduces the innermost dimension");
  }
}

FailureOr<EmittedKernel> RowReductionEmitter::emit() {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return kernel.emitOpError("row_reduction kernel must yield one value, not ")
           << yield.getValues().size();
  for (Operation &op : body.without_terminator()) {
    if (isa<graph::SoftmaxOp, graph::LogSoftmaxOp, graph::LayerNormOp,
            graph::ReduceMeanOp>(op)) {
      if (anchor)
        return kernel.emitOpError(
            "row_reduction kernel has more than one reduction");
      anchor = &op;
      continue;
    }
    if (!ScalarExprEmitter::isScalarizable(&op))
      return kernel.emitOpError("unsupported op '")
             << op.getName() << "' in a row_reduction kernel";
  }
  if (!anchor)
    return kernel.emitOpError("row_reduction kernel has no softmax, "
                              "log_softmax, layer_norm or reduce_mean");
  input = dyn_cast<BlockArgument>(anchor->getOperand(0));
  for (Value operand : anchor->getOperands())
    if (!isa<BlockArgument>(operand))
      return kernel.emitOpError("operands of '")
             << anchor->getName() << "' must be kernel arguments (no prologue)";
  shape = llvm::to_vector(shapeOf(input));
  int64_t rank = shape.size();
  Type inputType = elementTypeOf(input);
  if (!getElementInfo(inputType)->isFloat)
    return kernel.emitOpError("unsupported '")
           << anchor->getName() << "' on " << inputType;
  acc = inputType.isF64() ? "double" : "float";

  SmallVector<bool> reduced(rank, false);
  if (auto softmax = dyn_cast<graph::SoftmaxOp>(anchor)) {
    reduction = Reduction::Softmax;
    reduced[*graph::normalizeAxis(softmax.getAxis(), rank)] = true;
  } else if (auto logSoftmax = dyn_cast<graph::LogSoftmaxOp>(anchor)) {
    reduction = Reduction::LogSoftmax;
    reduced[*graph::normalizeAxis(logSoftmax.getAxis(), rank)] = true;
  } else if (auto ln = dyn_cast<graph::LayerNormOp>(anchor)) {
    reduction = Reduction::LayerNorm;
    for (int64_t d = *graph::normalizeAxis(ln.getAxis(), rank); d < rank; ++d)
      reduced[d] = true;
    ArrayRef<int64_t> normalized = ArrayRef<int64_t>(shape).drop_front(
        *graph::normalizeAxis(ln.getAxis(), rank));
    for (Value param : {ln.getScale(), ln.getBias()}) {
      if (!param)
        continue;
      if (!broadcastsTo(normalizedParamShape(param, normalized), normalized))
        return kernel.emitOpError("layer_norm parameter of type ")
               << param.getType() << " does not broadcast to the normalized "
               << "dimensions " << graph::formatShape(normalized);
    }
  } else {
    auto mean = cast<graph::ReduceMeanOp>(anchor);
    reduction = Reduction::Mean;
    if (mean.getAxes().empty())
      reduced.assign(rank, true);
    for (int64_t axis : mean.getAxes())
      reduced[*graph::normalizeAxis(axis, rank)] = true;
  }
  for (int64_t d = 0; d < rank; ++d) {
    (reduced[d] ? reducedDims : keptDims).push_back(d);
    (reduced[d] ? rowSize : rows) *= shape[d];
  }
  Value result = yield.getValues().front();
  if (shapeOf(result) != shapeOf(anchor->getResult(0)))
    return kernel.emitOpError("row_reduction epilogue changes the shape from ")
           << anchor->getResult(0).getType() << " to " << result.getType();

  // Row mode when the innermost dimension is reduced (or everything is one
  // row); column mode when consecutive rows are adjacent in memory.
  bool rowMode = rank == 0 || reduced[rank - 1] || rows == 1;
  // Skip trailing size-1 kept dimensions when deciding.
  for (int64_t d = rank - 1; d >= 0 && !rowMode; --d) {
    if (shape[d] != 1) {
      rowMode = reduced[d];
      break;
    }
  }
  if (reduction == Reduction::LayerNorm)
    rowMode = true;

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << kernelIndexType(kernel) << " index_t;\n";
  if (rowMode) {
    rowThreads = rowSize <= 1024 ? 32 : rowSize <= 16384 ? 256 : 1024;
    // The reduced dimensions trail (rows are contiguous runs), 8 elements
    // of 2 bytes to a lane's vector, 32 lanes' vectors a whole number of
    // times per row.
    bool trailing =
        !reducedDims.empty() && reducedDims.back() == rank - 1 &&
        reducedDims.front() == rank - static_cast<int64_t>(reducedDims.size());
    vectorRows = reduction != Reduction::Mean && rowThreads == 32 && trailing &&
                 rowSize % 256 == 0 && getElementInfo(inputType)->bytes == 2 &&
                 getElementInfo(elementTypeOf(result))->bytes == 2;
  }
  if (failed(emitEpilogueFunction(kernel, anchor->getResult(0), acc,
                                  "a row_reduction epilogue", os,
                                  /*withValue=*/vectorRows)))
    return failure();

  std::string args = kernelArgumentNames(kernel);

  std::string kernelBody;
  llvm::raw_string_ostream bodyOs(kernelBody);
  int64_t threads, blocks;
  if (rowMode) {
    threads = rowThreads == 32 ? 256 : rowThreads;
    int64_t rowsPerBlock = rowThreads == 32 ? 8 : 1;
    blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
    os << groupReduceHelpers(rowThreads, acc);
    emitRowKernel(bodyOs);
  } else {
    threads = kColumnBlock;
    blocks = (rows + threads - 1) / threads;
    emitColumnKernel(bodyOs);
  }
  // Substitute the argument list of the epilogue calls.
  std::string bodyText = kernelBody;
  for (size_t at = bodyText.find("$ARGS$"); at != std::string::npos;
       at = bodyText.find("$ARGS$", at + args.size()))
    bodyText.replace(at, 6, args);

  os << "// " << (rowMode ? "row mode" : "column mode") << ": " << rows
     << " rows of " << rowSize << "\n";
  os << kernelSignature(kernel, emitted.entry, threads) << " {\n"
     << bodyText << "}\n";
  if (blocks > 0x7fffffff)
    return kernel.emitOpError("too many rows (") << rows << ") for one launch";
  emitted.grid = {static_cast<int32_t>(std::max<int64_t>(blocks, 1)), 1, 1};
  emitted.block = {static_cast<int32_t>(threads), 1, 1};
  emitted.sharedMemory = 0;
  emitted.source = std::move(source);
  return emitted;
}

FailureOr<EmittedKernel> emitRowReductionKernel(exec::KernelOp kernel,
                                                const EmitOptions &) {
  return RowReductionEmitter(kernel).emit();
}

} // namespace dsc::codegen
