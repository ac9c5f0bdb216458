//===- ElementwiseEmitter.cpp - elementwise family ------------------------===//
//
// One thread computes V consecutive elements of the result (V * bytes up to
// 16, V dividing the innermost dimension), so that every operand is either
// read with one vector access or broadcast along those V elements. A uniform
// run-time check of the pointers' alignment picks the vector loop or a
// scalar one with the same arithmetic.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"
#include "codegen/cuda/ScalarExprEmitter.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

namespace {

constexpr int64_t kThreads = 256;
/// Enough blocks to fill an H100 many times over; beyond this the
/// grid-stride loop takes over.
constexpr int64_t kMaxBlocks = int64_t(1) << 20;

/// The unsigned integer type moving `bytes` bytes at once.
StringRef vectorTypeFor(int64_t bytes) {
  switch (bytes) {
  case 16:
    return "uint4";
  case 8:
    return "uint2";
  case 4:
    return "unsigned int";
  case 2:
    return "unsigned short";
  default:
    return "";
  }
}

class ElementwiseEmitter {
public:
  ElementwiseEmitter(exec::KernelOp kernel) : kernel(kernel) {}

  FailureOr<EmittedKernel> emit();

private:
  /// Emits the loop body for elements [i, i + width) into `os`.
  LogicalResult emitElements(llvm::raw_ostream &os, int64_t width,
                             bool vectorized);

  exec::KernelOp kernel;
  SmallVector<int64_t> resultShape;
  /// The result dimension that V consecutive elements run along: the
  /// innermost one that is not 1.
  int64_t innerDim = -1;
  llvm::SetVector<BlockArgument> usedArgs;
};

} // namespace

/// Whether an operand of `shape` keeps (does not broadcast) result dimension
/// `dim`.
static bool keepsDim(ArrayRef<int64_t> shape, ArrayRef<int64_t> resultShape,
                     int64_t dim) {
  int64_t od = dim - static_cast<int64_t>(resultShape.size() - shape.size());
  return od >= 0 && shape[od] != 1;
}

LogicalResult ElementwiseEmitter::emitElements(llvm::raw_ostream &os,
                                               int64_t width, bool vectorized) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  std::string indent = "      ";

  // Vector loads of the operands that run along the innermost dimension.
  if (vectorized) {
    for (BlockArgument arg : usedArgs) {
      if (!keepsDim(shapeOf(arg), resultShape, innerDim))
        continue;
      auto info = *getElementInfo(elementTypeOf(arg));
      os << llvm::formatv("    __align__(16) {0} a{1}[{2}];\n", info.storage,
                          arg.getArgNumber(), width);
      os << llvm::formatv(
          "    *reinterpret_cast<{0}*>(a{1}) = *reinterpret_cast<const "
          "{0}*>(arg{1} + ({2}));\n",
          vectorTypeFor(info.bytes * width), arg.getArgNumber(),
          broadcastIndexFromLinear(shapeOf(arg), resultShape, "i"));
    }
    for (auto [r, value] : llvm::enumerate(yield.getValues())) {
      auto info = *getElementInfo(elementTypeOf(value));
      os << llvm::formatv("    __align__(16) {0} r{1}[{2}];\n", info.storage, r,
                          width);
    }
  }

  os << "    #pragma unroll\n";
  os << llvm::formatv("    for (int j = 0; j < {0}; ++j) {{\n", width);
  os << "      const index_t e = i + j;\n";
  if (!vectorized)
    os << "      (void)e;\n";
  ScalarExprEmitter scalar(
      kernel, "an elementwise body", os, indent,
      [&](Value value) -> FailureOr<std::string> {
        auto arg = dyn_cast<BlockArgument>(value);
        if (!arg)
          return kernel.emitOpError("unsupported op '")
                 << value.getDefiningOp()->getName()
                 << "' in an elementwise body";
        Type type = elementTypeOf(arg);
        auto info = *getElementInfo(type);
        std::string storage;
        if (vectorized && keepsDim(shapeOf(arg), resultShape, innerDim))
          storage = llvm::formatv("a{0}[j]", arg.getArgNumber());
        else if (vectorized)
          // Broadcast along the V elements: one read at the first.
          storage = llvm::formatv(
              "arg{0}[{1}]", arg.getArgNumber(),
              broadcastIndexFromLinear(shapeOf(arg), resultShape, "i"));
        else
          storage = llvm::formatv(
              "arg{0}[{1}]", arg.getArgNumber(),
              broadcastIndexFromLinear(shapeOf(arg), resultShape, "e"));
        std::string name = llvm::formatv("x{0}", arg.getArgNumber());
        os << indent << "const " << info.compute << " " << name << " = "
           << loadAsCompute(type, storage) << ";\n";
        return name;
      });
  for (auto [r, value] : llvm::enumerate(yield.getValues())) {
    FailureOr<std::string> expr = scalar.emit(value);
    if (failed(expr))
      return failure();
    std::string stored = storeFromCompute(elementTypeOf(value), *expr);
    if (vectorized)
      os << indent << llvm::formatv("r{0}[j] = {1};\n", r, stored);
    else
      os << indent << llvm::formatv("out{0}[e] = {1};\n", r, stored);
  }
  os << "    }\n";

  if (vectorized) {
    for (auto [r, value] : llvm::enumerate(yield.getValues())) {
      auto info = *getElementInfo(elementTypeOf(value));
      os << llvm::formatv("    *reinterpret_cast<{0}*>(out{1} + i) = "
                          "*reinterpret_cast<const {0}*>(r{1});\n",
                          vectorTypeFor(info.bytes * width), r);
    }
  }
  return success();
}

FailureOr<EmittedKernel> ElementwiseEmitter::emit() {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().empty())
    return kernel.emitOpError("elementwise kernel yields nothing");

  resultShape = llvm::to_vector(shapeOf(yield.getValues().front()));
  for (Value value : yield.getValues())
    if (shapeOf(value) != ArrayRef<int64_t>(resultShape))
      return kernel.emitOpError(
                 "elementwise kernel yields values of different shapes: ")
             << value.getType() << " and "
             << yield.getValues().front().getType();

  for (Operation &op : body.without_terminator()) {
    if (!ScalarExprEmitter::isScalarizable(&op))
      return kernel.emitOpError("unsupported op '")
             << op.getName() << "' in an elementwise body";
    for (Value result : op.getResults())
      if (!broadcastsTo(shapeOf(result), resultShape))
        return kernel.emitOpError("'")
               << op.getName() << "' result " << result.getType()
               << " does not broadcast to the kernel result shape";
  }
  for (BlockArgument arg : body.getArguments()) {
    if (arg.use_empty())
      continue;
    if (!broadcastsTo(shapeOf(arg), resultShape))
      return kernel.emitOpError("argument #")
             << arg.getArgNumber() << " of type " << arg.getType()
             << " does not broadcast to the kernel result shape";
    usedArgs.insert(arg);
  }

  int64_t numElements = 1;
  for (int64_t d : resultShape)
    numElements *= d;
  for (int64_t d = static_cast<int64_t>(resultShape.size()) - 1; d >= 0; --d)
    if (resultShape[d] != 1) {
      innerDim = d;
      break;
    }

  // Vector width: 16 bytes of the widest element, at most 8 elements, and a
  // divisor of the innermost dimension so that no vector straddles rows.
  int64_t widest = 1;
  for (BlockArgument arg : usedArgs)
    widest = std::max(widest, getElementInfo(elementTypeOf(arg))->bytes);
  for (Value value : yield.getValues())
    widest = std::max(widest, getElementInfo(elementTypeOf(value))->bytes);
  int64_t width = std::min<int64_t>(16 / widest, 8);
  int64_t innerSize = innerDim >= 0 ? resultShape[innerDim] : 1;
  while (width > 1 && innerSize % width != 0)
    width /= 2;
  // Vector accesses need every vector to move 2, 4, 8 or 16 bytes.
  auto vectorizable = [&](Type type) {
    return !vectorTypeFor(getElementInfo(type)->bytes * width).empty();
  };
  for (BlockArgument arg : usedArgs)
    if (keepsDim(shapeOf(arg), resultShape, innerDim) &&
        !vectorizable(elementTypeOf(arg)))
      width = 1;
  for (Value value : yield.getValues())
    if (!vectorizable(elementTypeOf(value)))
      width = 1;

  std::string source;
  llvm::raw_string_ostream os(source);
  EmittedKernel result;
  result.name = kernel.getSymName().str();
  result.entry = entryName(kernel);
  os << getPrelude() << "\n";
  os << kernelSignature(kernel, result.entry, kThreads) << " {\n";
  os << "  typedef " << indexTypeFor(numElements) << " index_t;\n";
  os << llvm::formatv("  const index_t numVectors = {0};\n",
                      numElements / width);
  os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
  os << "  index_t v = (index_t)blockIdx.x * blockDim.x + threadIdx.x;\n";
  if (width > 1) {
    // Buffers from the arena may sit at any element offset: check once.
    SmallVector<std::string> misalignments;
    for (BlockArgument arg : usedArgs)
      if (keepsDim(shapeOf(arg), resultShape, innerDim))
        misalignments.push_back(llvm::formatv(
            "((unsigned long long)arg{0} % {1})", arg.getArgNumber(),
            getElementInfo(elementTypeOf(arg))->bytes * width));
    for (auto [r, value] : llvm::enumerate(yield.getValues()))
      misalignments.push_back(
          llvm::formatv("((unsigned long long)out{0} % {1})", r,
                        getElementInfo(elementTypeOf(value))->bytes * width));
    os << llvm::formatv("  const bool aligned = ({0}) == 0;\n",
                        llvm::join(misalignments, " | "));
    os << "  if (aligned) {\n";
    os << "  for (; v < numVectors; v += stride) {\n";
    os << llvm::formatv("    const index_t i = v * {0};\n", width);
    if (failed(emitElements(os, width, /*vectorized=*/true)))
      return failure();
    os << "  }\n";
    os << "  return;\n";
    os << "  }\n";
  }
  os << "  for (; v < numVectors; v += stride) {\n";
  os << llvm::formatv("    const index_t i = v * {0};\n", width);
  if (failed(emitElements(os, width, /*vectorized=*/false)))
    return failure();
  os << "  }\n";
  os << "}\n";

  int64_t blocks = (numElements / width + kThreads - 1) / kThreads;
  result.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
  result.block = {static_cast<int32_t>(kThreads), 1, 1};
  result.sharedMemory = 0;
  result.source = std::move(source);
  return result;
}

FailureOr<EmittedKernel> emitElementwiseKernel(exec::KernelOp kernel,
                                               const EmitOptions &) {
  return ElementwiseEmitter(kernel).emit();
}

} // namespace dsc::codegen
