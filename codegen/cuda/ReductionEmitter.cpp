//===- ReductionEmitter.cpp - reductions of the data family ---------------===//
//
// graph.reduce over any set of axes, and the ops that scan one axis in order:
// arg_reduce, hardmax, cumsum. Each is one op per kernel.
//
// graph.reduce splits the input into rows like the row-reduction family: the
// kept dimensions enumerate the rows, the reduced ones form a row. When the
// innermost dimension is kept, adjacent rows are adjacent in memory and one
// thread reduces one row (a warp's reads are coalesced). Otherwise a group of
// threads walks each row with strided reads and combines through warp
// shuffles (and shared memory for a whole block): a warp per row, or the
// block for a few long rows. Accumulation is in f32 for f16/bf16/f32, f64 for
// f64, and exact (wrapping, in the type or int) for integers; max and min
// propagate NaN as the reference does. An empty row gives the identity.
//
// arg_reduce, hardmax and cumsum depend on the order along their axis (ties
// go to the first or last index; a prefix sum), so one thread takes one line
// along the axis and walks it in order: the same result as the sequential
// definition, NaN and ties included. Consecutive threads take consecutive
// lines, which are adjacent in memory unless the axis is the innermost one.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace dsc::codegen {

namespace {
constexpr int64_t kThreads = 256;
constexpr int64_t kMaxBlocks = int64_t(1) << 20;
} // namespace

/// The type graph.reduce and cumsum accumulate elements of `type` in: the
/// compute type, widened to 32 bits for small integers and booleans (which
/// warp shuffles do not move).
static std::string accumulatorType(Type type) {
  ElementInfo info = *getElementInfo(type);
  if (info.isFloat)
    return info.compute;
  if (info.bytes < 4)
    return type.isUnsignedInteger() ? "unsigned int" : "int";
  return info.compute;
}

/// The identity of `kind` for accumulator values of element type `type`.
static std::string reduceIdentity(graph::ReduceKind kind, Type type) {
  bool isDouble = type.isF64();
  switch (kind) {
  case graph::ReduceKind::Sum:
    return "0";
  case graph::ReduceKind::Prod:
    return "1";
  case graph::ReduceKind::Max:
  case graph::ReduceKind::Min:
    break;
  }
  bool isMax = kind == graph::ReduceKind::Max;
  if (getElementInfo(type)->isFloat) {
    if (isDouble)
      return isMax ? "__longlong_as_double(0xfff0000000000000LL)"
                   : "__longlong_as_double(0x7ff0000000000000LL)";
    return isMax ? "__int_as_float(0xff800000)" : "__int_as_float(0x7f800000)";
  }
  // Integers have no infinities: the identity is the type's extreme.
  if (type.isInteger(1))
    return isMax ? "0" : "1";
  unsigned bits = type.getIntOrFloatBitWidth();
  if (type.isUnsignedInteger())
    return isMax ? "0" : llvm::formatv("{0}ULL", llvm::maxUIntN(bits)).str();
  if (isMax)
    return bits == 64 ? "(-9223372036854775807LL - 1)"
                      : llvm::formatv("({0}LL)", llvm::minIntN(bits)).str();
  return llvm::formatv("{0}LL", llvm::maxIntN(bits)).str();
}

/// `a` combined with `b` by `kind`, for accumulators of element type `type`.
static std::string reduceCombine(graph::ReduceKind kind, Type type) {
  bool isFloat = getElementInfo(type)->isFloat;
  std::string suffix = type.isF64() ? "" : "f";
  switch (kind) {
  case graph::ReduceKind::Sum:
    return "a + b";
  case graph::ReduceKind::Prod:
    return "a * b";
  case graph::ReduceKind::Max:
    if (isFloat)
      return "(a != a || b != b) ? a + b : fmax" + suffix + "(a, b)";
    return "a > b ? a : b";
  case graph::ReduceKind::Min:
    if (isFloat)
      return "(a != a || b != b) ? a + b : fmin" + suffix + "(a, b)";
    return "a < b ? a : b";
  }
  llvm_unreachable("unknown reduce kind");
}

static FailureOr<EmittedKernel> emitReduce(exec::KernelOp kernel,
                                           graph::ReduceOp reduce,
                                           EmittedKernel emitted) {
  auto input = cast<BlockArgument>(reduce.getInput());
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  Type type = elementTypeOf(input);
  SmallVector<bool> reduced(rank, reduce.getAxes().empty());
  for (int64_t axis : reduce.getAxes())
    reduced[*graph::normalizeAxis(axis, rank)] = true;
  SmallVector<int64_t> keptDims, reducedDims;
  int64_t rows = 1, rowSize = 1;
  for (int64_t d = 0; d < rank; ++d) {
    (reduced[d] ? reducedDims : keptDims).push_back(d);
    (reduced[d] ? rowSize : rows) *= shape[d];
  }
  bool innerKept = false;
  for (int64_t d = rank - 1; d >= 0; --d)
    if (shape[d] != 1) {
      innerKept = !reduced[d];
      break;
    }
  // Threads per row: one when rows are adjacent or short, a warp, or the
  // whole block for a few long rows.
  int64_t group = (innerKept && rows > 1) || rowSize < 32 ? 1
                  : rowSize <= 4096 || rows >= 1024       ? 32
                                                          : kThreads;
  int64_t rowsPerBlock = kThreads / group;
  std::string acc = accumulatorType(type);
  graph::ReduceKind kind = reduce.getKind();

  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << kernelIndexType(kernel) << " index_t;\n";
  os << "static __device__ __forceinline__ " << acc << " dsc_combine(" << acc
     << " a, " << acc << " b) {\n  return " << reduceCombine(kind, type)
     << ";\n}\n";
  os << "// reduce " << graph::stringifyReduceKind(kind) << ": " << rows
     << " rows of " << rowSize << ", " << group << " threads per row\n";
  os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
  os << llvm::formatv("  constexpr index_t ROWS = {0}, R = {1};\n", rows,
                      rowSize);
  os << llvm::formatv("  const index_t row = (index_t)blockIdx.x * {0} + "
                      "threadIdx.x / {1};\n",
                      rowsPerBlock, group);
  os << llvm::formatv("  const unsigned lane = threadIdx.x % {0};\n", group);
  // Leaving is uniform per group: whole warps, and a block-wide group has
  // one row per block and a block per row.
  os << "  if (row >= ROWS)\n    return;\n";
  os << "  const index_t base = " << subspaceOffset(keptDims, shape, "row")
     << ";\n";
  os << "  (void)base;\n";
  os << "  " << acc << " v = " << reduceIdentity(kind, type) << ";\n";
  os << llvm::formatv("  for (index_t j = lane; j < R; j += {0})\n", group);
  os << "    v = dsc_combine(v, (" << acc << ")"
     << loadAsCompute(type,
                      llvm::formatv("arg{0}[base + {1}]", input.getArgNumber(),
                                    subspaceOffset(reducedDims, shape, "j"))
                          .str())
     << ");\n";
  if (group >= 32) {
    os << "  #pragma unroll\n";
    os << "  for (int offset = 16; offset > 0; offset /= 2)\n";
    os << "    v = dsc_combine(v, __shfl_xor_sync(0xffffffffu, v, offset));\n";
  }
  if (group > 32) {
    os << "  __shared__ " << acc << " scratch[" << group / 32 << "];\n";
    os << "  if (lane % 32 == 0)\n    scratch[lane / 32] = v;\n";
    os << "  __syncthreads();\n";
    os << "  if (lane != 0)\n    return;\n";
    os << llvm::formatv("  for (int w = 1; w < {0}; ++w)\n", group / 32);
    os << "    v = dsc_combine(v, scratch[w]);\n";
  }
  os << "  if (lane == 0)\n";
  os << "    out0[row] = "
     << storeFromCompute(type, type.isInteger(1)
                                   ? "v != 0"
                                   : "(" + getElementInfo(type)->compute + ")v")
     << ";\n";
  os << "}\n";
  int64_t blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
  if (blocks > 0x7fffffff)
    return kernel.emitOpError("too many rows (") << rows << ") for one launch";
  emitted.grid = {static_cast<int32_t>(std::max<int64_t>(blocks, 1)), 1, 1};
  emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
  emitted.source = std::move(source);
  return emitted;
}

/// One thread per line along `axis` of `shape`: declares `at(j)`, the offset
/// of element j of the line, after the preamble; `body` walks the line.
static FailureOr<EmittedKernel>
emitLineKernel(exec::KernelOp kernel, EmittedKernel emitted,
               ArrayRef<int64_t> shape, int64_t axis, StringRef comment,
               llvm::function_ref<void(llvm::raw_ostream &)> body) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  int64_t size = shape[axis];
  int64_t lines = outer * inner;
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << kernelIndexType(kernel) << " index_t;\n";
  os << "// " << comment << ": " << lines << " lines of " << size
     << ", one thread per line\n";
  os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
  os << llvm::formatv("  constexpr index_t LINES = {0}, N = {1}, INNER = "
                      "{2};\n",
                      lines, size, std::max<int64_t>(inner, 1));
  os << "  const index_t line = (index_t)blockIdx.x * blockDim.x + "
        "threadIdx.x;\n";
  os << "  if (line >= LINES)\n    return;\n";
  os << "  const index_t first = (line / INNER) * N * INNER + line % INNER;\n";
  os << "  #define at(j) (first + (index_t)(j) * INNER)\n";
  body(os);
  os << "  #undef at\n";
  os << "}\n";
  int64_t blocks = (lines + kThreads - 1) / kThreads;
  emitted.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
  if (blocks > kMaxBlocks)
    return kernel.emitOpError("too many lines (")
           << lines << ") for one launch";
  emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
  emitted.source = std::move(source);
  return emitted;
}

/// Statements that find `best`, the index of the first (or, with `last`, the
/// last) maximum (or minimum) of the line, as the sequential scan does: an
/// element replaces the best only when strictly better (or equal, for the
/// last), so a NaN is never taken unless it comes first.
static std::string emitArgScan(BlockArgument input, bool isMax, bool last) {
  Type type = elementTypeOf(input);
  std::string compute = getElementInfo(type)->compute;
  auto load = [&](StringRef j) {
    return loadAsCompute(
        type, llvm::formatv("arg{0}[at({1})]", input.getArgNumber(), j).str());
  };
  std::string better = isMax ? "x > bestValue" : "x < bestValue";
  if (last)
    better += " || x == bestValue";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "  index_t best = 0;\n";
  os << "  " << compute << " bestValue = " << load("0") << ";\n";
  os << "  for (index_t j = 1; j < N; ++j) {\n";
  os << "    const " << compute << " x = " << load("j") << ";\n";
  os << "    if (" << better << ") {\n";
  os << "      best = j;\n      bestValue = x;\n    }\n  }\n";
  return text;
}

FailureOr<EmittedKernel> emitReductionKernel(exec::KernelOp kernel,
                                             Operation *op,
                                             EmittedKernel emitted) {
  if (auto reduce = dyn_cast<graph::ReduceOp>(op))
    return emitReduce(kernel, reduce, std::move(emitted));

  auto input = cast<BlockArgument>(op->getOperand(0));
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  int64_t axisAttr = 0;
  if (auto arg = dyn_cast<graph::ArgReduceOp>(op))
    axisAttr = arg.getAxis();
  else if (auto hardmax = dyn_cast<graph::HardmaxOp>(op))
    axisAttr = hardmax.getAxis();
  else
    axisAttr = cast<graph::CumSumOp>(op).getAxis();
  // A rank-0 input is one line of one element.
  SmallVector<int64_t> lineShape(shape);
  if (rank == 0)
    lineShape.push_back(1);
  std::optional<int64_t> axis =
      graph::normalizeAxis(axisAttr, rank == 0 ? 1 : rank);
  if (!axis)
    return kernel.emitOpError("axis ")
           << axisAttr << " out of range for rank " << rank;
  Type type = elementTypeOf(input);
  Type resultType = elementTypeOf(op->getResult(0));
  StringRef name = op->getName().stripDialect();

  if (auto arg = dyn_cast<graph::ArgReduceOp>(op)) {
    if (lineShape[*axis] == 0)
      return kernel.emitOpError("arg_reduce over an empty dimension");
    bool isMax = arg.getKind() == graph::ReduceKind::Max;
    std::string scan = emitArgScan(input, isMax, arg.getSelectLastIndex());
    return emitLineKernel(kernel, std::move(emitted), lineShape, *axis, name,
                          [&](llvm::raw_ostream &os) {
                            os << scan;
                            os << "  out0[line] = "
                               << storeFromCompute(resultType, "best") << ";\n";
                          });
  }
  if (isa<graph::HardmaxOp>(op)) {
    std::string scan = emitArgScan(input, /*isMax=*/true, /*last=*/false);
    std::string one = storeFromCompute(resultType, "1"),
                zero = storeFromCompute(resultType, "0");
    return emitLineKernel(kernel, std::move(emitted), lineShape, *axis, name,
                          [&](llvm::raw_ostream &os) {
                            if (lineShape[*axis] == 0)
                              return;
                            os << scan;
                            os << "  for (index_t j = 0; j < N; ++j)\n";
                            os << "    out0[at(j)] = j == best ? " << one
                               << " : " << zero << ";\n";
                          });
  }
  auto cumsum = cast<graph::CumSumOp>(op);
  std::string acc = accumulatorType(type);
  return emitLineKernel(
      kernel, std::move(emitted), lineShape, *axis, name,
      [&](llvm::raw_ostream &os) {
        os << "  " << acc << " sum = 0;\n";
        os << "  for (index_t step = 0; step < N; ++step) {\n";
        os << "    const index_t j = "
           << (cumsum.getReverse() ? "N - 1 - step" : "step") << ";\n";
        os << "    const " << acc << " x = (" << acc << ")"
           << loadAsCompute(
                  type,
                  llvm::formatv("arg{0}[at(j)]", input.getArgNumber()).str())
           << ";\n";
        std::string store =
            "    out0[at(j)] = " +
            storeFromCompute(type,
                             "(" + getElementInfo(type)->compute + ")sum") +
            ";\n";
        if (cumsum.getExclusive())
          os << store << "    sum += x;\n";
        else
          os << "    sum += x;\n" << store;
        os << "  }\n";
      });
}

} // namespace dsc::codegen
