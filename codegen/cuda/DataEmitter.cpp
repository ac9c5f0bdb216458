//===- DataEmitter.cpp - data family --------------------------------------===//
//
// graph.transpose, and the reshapes (reshape, squeeze, unsqueeze) that are a
// plain copy of a dense buffer. Elements move as raw storage, never
// converted.
//
// A transpose that moves the innermost dimension goes through a 32x32 tile
// of shared memory (padded by one element so that the column reads hit 32
// banks): reads are coalesced along the input's innermost dimension and
// writes along the output's. One that keeps it gathers each output element
// directly, which is coalesced on both sides.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace dsc::codegen {

namespace {
constexpr int64_t kThreads = 256;
constexpr int64_t kMaxBlocks = int64_t(1) << 20;
constexpr int64_t kMaxGridYZ = 65535;
constexpr int64_t kTile = 32;
constexpr int64_t kTileRows = 8;
} // namespace

/// Offset in the input of the element whose coordinates along input
/// dimensions `dims` come from decomposing `var` row-major over them; each
/// input dimension d contributes with `strides[d]`.
static std::string decompose(ArrayRef<int64_t> dims, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> strides, StringRef var) {
  SmallVector<std::string> terms;
  int64_t inner = 1;
  for (int64_t i = static_cast<int64_t>(dims.size()) - 1; i >= 0; --i) {
    int64_t d = dims[i];
    if (shape[d] == 1)
      continue;
    std::string coord = var.str();
    if (inner != 1)
      coord = llvm::formatv("({0} / {1})", coord, inner);
    bool outermost = true;
    for (int64_t o = 0; o < i; ++o)
      if (shape[dims[o]] != 1)
        outermost = false;
    if (!outermost)
      coord = llvm::formatv("({0} % {1})", coord, shape[d]);
    if (strides[d] != 1)
      coord = llvm::formatv("{0} * {1}", coord, strides[d]);
    terms.push_back(coord);
    inner *= shape[d];
  }
  if (terms.empty())
    return "0";
  std::reverse(terms.begin(), terms.end());
  return llvm::join(terms, " + ");
}

static FailureOr<EmittedKernel> emitCopy(exec::KernelOp kernel,
                                         BlockArgument input, Value result,
                                         EmittedKernel emitted) {
  int64_t numElements = cast<ShapedType>(input.getType()).getNumElements();
  int64_t bytes = getElementInfo(elementTypeOf(input))->bytes;
  // 16-byte moves when the size allows; the pointers are checked at run time.
  int64_t width = 16 / bytes;
  while (width > 1 && numElements % width != 0)
    width /= 2;
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
  os << "  typedef " << indexTypeFor(numElements) << " index_t;\n";
  os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
  os << "  index_t v = (index_t)blockIdx.x * blockDim.x + threadIdx.x;\n";
  std::string in = llvm::formatv("arg{0}", input.getArgNumber());
  if (width > 1) {
    StringRef vectorType = width * bytes == 16  ? "uint4"
                           : width * bytes == 8 ? "uint2"
                           : width * bytes == 4 ? "unsigned int"
                                                : "unsigned short";
    os << llvm::formatv("  if ((((unsigned long long){0} | (unsigned long "
                        "long)out0) % {1}) == 0) {{\n",
                        in, width * bytes);
    os << llvm::formatv("    const {0}* __restrict__ src = reinterpret_cast<"
                        "const {0}*>({1});\n",
                        vectorType, in);
    os << llvm::formatv(
        "    {0}* __restrict__ dst = reinterpret_cast<{0}*>(out0);\n",
        vectorType);
    os << llvm::formatv("    for (; v < {0}; v += stride)\n",
                        numElements / width);
    os << "      dst[v] = src[v];\n";
    os << "    return;\n  }\n";
  }
  os << llvm::formatv("  for (; v < {0}; v += stride)\n", numElements);
  os << "    out0[v] = " << in << "[v];\n";
  os << "}\n";
  int64_t blocks = (numElements / width + kThreads - 1) / kThreads;
  emitted.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
  emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
  emitted.source = std::move(source);
  (void)result;
  return emitted;
}

static FailureOr<EmittedKernel> emitTranspose(exec::KernelOp kernel,
                                              graph::TransposeOp transpose,
                                              BlockArgument input,
                                              EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(input);
  ArrayRef<int64_t> outShape = shapeOf(transpose.getResult());
  ArrayRef<int64_t> perm = transpose.getPerm();
  int64_t rank = inShape.size();
  int64_t numElements = cast<ShapedType>(input.getType()).getNumElements();
  SmallVector<int64_t> inStrides = getStrides(inShape);
  SmallVector<int64_t> outStrides = getStrides(outShape);
  // Where each input dimension lands in the output.
  SmallVector<int64_t> outPosition(rank);
  for (int64_t i = 0; i < rank; ++i)
    outPosition[perm[i]] = i;
  // Output strides indexed by input dimension.
  SmallVector<int64_t> outStridesByInput(rank);
  for (int64_t d = 0; d < rank; ++d)
    outStridesByInput[d] = outStrides[outPosition[d]];

  std::string in = llvm::formatv("arg{0}", input.getArgNumber());
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << indexTypeFor(numElements) << " index_t;\n";

  // Dimensions of size 1 never matter; find the innermost real ones.
  int64_t inInner = -1, outInnerInput = -1;
  for (int64_t d = rank - 1; d >= 0 && inInner < 0; --d)
    if (inShape[d] != 1)
      inInner = d;
  for (int64_t i = rank - 1; i >= 0 && outInnerInput < 0; --i)
    if (outShape[i] != 1)
      outInnerInput = perm[i];

  if (inInner < 0 || inInner == outInnerInput) {
    // The innermost dimension stays innermost: gather per output element.
    SmallVector<int64_t> outDimsAsInput(perm.begin(), perm.end());
    os << "// transpose keeping the innermost dimension: gather\n";
    os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
    os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
    os << "  for (index_t o = (index_t)blockIdx.x * blockDim.x + threadIdx.x; "
          "o < "
       << numElements << "; o += stride)\n";
    // Decompose o over output dims (= input dims in perm order) and read
    // with the input strides.
    os << "    out0[o] = " << in << "["
       << decompose(outDimsAsInput, inShape, inStrides, "o") << "];\n";
    os << "}\n";
    int64_t blocks = (numElements + kThreads - 1) / kThreads;
    emitted.grid = {
        static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
    emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
    emitted.source = std::move(source);
    return emitted;
  }

  // Tiled: a runs along input dimension `inInner` (contiguous in the input),
  // b along input dimension `outInnerInput` (contiguous in the output).
  int64_t aDim = inInner, bDim = outInnerInput;
  SmallVector<int64_t> restDims;
  int64_t rest = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (d != aDim && d != bDim) {
      restDims.push_back(d);
      rest *= inShape[d];
    }
  auto storage = getElementInfo(elementTypeOf(input))->storage;
  os << "// tiled transpose through shared memory: " << kTile << "x" << kTile
     << " tiles, " << rest << " of them per tile position\n";
  os << kernelSignature(kernel, emitted.entry, kTile * kTileRows) << " {\n";
  os << "  __shared__ " << storage << " tile[" << kTile << "][" << kTile + 1
     << "];\n";
  os << llvm::formatv("  constexpr index_t SA = {0}, SB = {1}, REST = {2};\n",
                      inShape[aDim], inShape[bDim], rest);
  os << llvm::formatv("  const index_t a0 = (index_t)blockIdx.x * {0}, b0 = "
                      "(index_t)blockIdx.y "
                      "* {0};\n",
                      kTile);
  os << "  for (index_t r = blockIdx.z; r < REST; r += gridDim.z) {\n";
  os << "    const index_t inBase = "
     << decompose(restDims, inShape, inStrides, "r") << ";\n";
  os << "    const index_t outBase = "
     << decompose(restDims, inShape, outStridesByInput, "r") << ";\n";
  os << llvm::formatv("    for (int i = threadIdx.y; i < {0}; i += {1}) {{\n",
                      kTile, kTileRows);
  os << "      const index_t a = a0 + threadIdx.x, b = b0 + i;\n";
  os << "      if (a < SA && b < SB)\n";
  os << llvm::formatv("        tile[i][threadIdx.x] = {0}[inBase + b * {1} + "
                      "a];\n",
                      in, inStrides[bDim]);
  os << "    }\n";
  os << "    __syncthreads();\n";
  os << llvm::formatv("    for (int i = threadIdx.y; i < {0}; i += {1}) {{\n",
                      kTile, kTileRows);
  os << "      const index_t a = a0 + i, b = b0 + threadIdx.x;\n";
  os << "      if (a < SA && b < SB)\n";
  os << llvm::formatv(
      "        out0[outBase + a * {0} + b] = tile[threadIdx.x][i];\n",
      outStridesByInput[aDim]);
  os << "    }\n";
  os << "    __syncthreads();\n";
  os << "  }\n";
  os << "}\n";
  emitted.grid = {
      static_cast<int32_t>((inShape[aDim] + kTile - 1) / kTile),
      static_cast<int32_t>((inShape[bDim] + kTile - 1) / kTile),
      static_cast<int32_t>(std::clamp<int64_t>(rest, 1, kMaxGridYZ))};
  if ((inShape[bDim] + kTile - 1) / kTile > kMaxGridYZ)
    return kernel.emitOpError("transpose dimension of size ")
           << inShape[bDim] << " is too large for one launch";
  emitted.block = {static_cast<int32_t>(kTile), static_cast<int32_t>(kTileRows),
                   1};
  emitted.source = std::move(source);
  return emitted;
}

FailureOr<EmittedKernel> emitDataKernel(exec::KernelOp kernel,
                                        const EmitOptions &) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return kernel.emitOpError("data kernel must yield one value, not ")
           << yield.getValues().size();
  auto ops = body.without_terminator();
  if (std::distance(ops.begin(), ops.end()) != 1)
    return kernel.emitOpError(
        "data kernel body must be one transpose or reshape");
  Operation &op = *ops.begin();
  if (auto resize = dyn_cast<graph::ResizeOp>(op))
    return emitResizeKernel(kernel, resize);
  if (!isa<graph::TransposeOp, graph::ReshapeOp, graph::SqueezeOp,
           graph::UnsqueezeOp>(op))
    return kernel.emitOpError("unsupported op '")
           << op.getName() << "' in a data kernel";
  auto input = dyn_cast<BlockArgument>(op.getOperand(0));
  if (!input)
    return kernel.emitOpError("data kernel operand must be a kernel argument");
  if (yield.getValues().front() != op.getResult(0))
    return kernel.emitOpError("data kernel must yield the result of '")
           << op.getName() << "'";
  if (elementTypeOf(input) != elementTypeOf(op.getResult(0)))
    return kernel.emitOpError("data kernel changes the element type");

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  if (auto transpose = dyn_cast<graph::TransposeOp>(op))
    return emitTranspose(kernel, transpose, input, std::move(emitted));
  return emitCopy(kernel, input, op.getResult(0), std::move(emitted));
}

} // namespace dsc::codegen
