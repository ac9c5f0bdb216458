//===- DataEmitter.cpp - data family --------------------------------------===//
//
// One op per kernel: graph.transpose, the reshapes (reshape, squeeze,
// unsqueeze) that are a plain copy of a dense buffer, the indexing ops
// (concat, slice, gather, gather_elements, scatter_elements, expand, tile,
// pad, trilu, shape, size), through ReductionEmitter.cpp, the reductions
// that no other family anchors (graph.reduce with its elementwise epilogue),
// and through TensorEmitter.cpp resize, gather_nd, scatter_nd and topk, the
// one op of two results (the kernel yields its values, indices or both).
// Elements move as raw storage, never converted.
//
// The indexing ops run one thread per output element (a grid-stride loop)
// that computes the element's coordinates and reads the input it maps to:
// reads and writes are coalesced wherever the op keeps the innermost
// dimension. Index arithmetic is 32-bit unless a tensor of the kernel has
// 2^31 elements or more. Indices read from tensors may be negative (counted
// from the end, as ONNX allows); one still out of range reads 0 (gather) or
// is skipped (scatter), and sets the kernel's fault word, so that the run
// fails with an error as the CPU reference does (ONNX leaves such indices
// undefined; dsc refuses them rather than return made-up values).
//
// A transpose that moves the innermost dimension goes through a 32x32 tile
// of shared memory (padded by one element so that the column reads hit 32
// banks): reads are coalesced along the input's innermost dimension and
// writes along the output's. One that keeps it gathers each output element
// directly, which is coalesced on both sides; so does one whose moved
// dimensions include one of fewer than 8 elements (NCHW images with 3
// channels to NHWC), where a tile would leave most threads idle.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/EmitterSupport.h"

#include "dialects/graph/GraphOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
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

  // A tile along a dimension of fewer than 8 elements would idle most of
  // its threads (an image's 3 channels to channels-last): gather instead.
  bool narrow = inInner >= 0 && inInner != outInnerInput &&
                std::min(inShape[inInner], inShape[outInnerInput]) < 8;
  if (inInner < 0 || inInner == outInnerInput || narrow) {
    // The innermost dimension stays innermost: gather per output element.
    SmallVector<int64_t> outDimsAsInput(perm.begin(), perm.end());
    os << (narrow ? "// transpose of a narrow dimension: gather\n"
                  : "// transpose keeping the innermost dimension: gather\n");
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

/// The C storage type of the elements of `value`.
static std::string storageOf(Value value) {
  return getElementInfo(elementTypeOf(value))->storage;
}

EmittedKernel
emitPerElement(exec::KernelOp kernel, EmittedKernel emitted,
               ArrayRef<int64_t> outShape, StringRef comment,
               llvm::function_ref<void(llvm::raw_ostream &)> body) {
  int64_t numElements = 1;
  for (int64_t d : outShape)
    numElements *= d;
  SmallVector<int64_t> strides = getStrides(outShape);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "// " << comment << ": one thread per output element\n";
  os << kernelSignature(kernel, emitted.entry, kThreads, emitted.reportsFaults)
     << " {\n";
  os << "  typedef " << kernelIndexType(kernel) << " index_t;\n";
  if (numElements != 0) {
    os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
    os << "  for (index_t o = (index_t)blockIdx.x * blockDim.x + threadIdx.x; "
          "o < "
       << numElements << "; o += stride) {\n";
    for (auto [d, size] : llvm::enumerate(outShape)) {
      std::string coord = "o";
      if (size == 1)
        coord = "0";
      else {
        if (strides[d] != 1)
          coord = llvm::formatv("(o / {0})", strides[d]);
        if (d != 0)
          coord = llvm::formatv("({0} % {1})", coord, size);
      }
      os << llvm::formatv("    const index_t c{0} = {1};\n    (void)c{0};\n", d,
                          coord);
    }
    body(os);
    os << "  }\n";
  }
  os << "}\n";
  setGridStrideLaunch(emitted, numElements);
  emitted.source = std::move(source);
  return emitted;
}

void setGridStrideLaunch(EmittedKernel &emitted, int64_t numElements) {
  int64_t blocks = (numElements + kThreads - 1) / kThreads;
  emitted.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
  emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
}

std::string loadIndex(Value indices, StringRef element, StringRef var,
                      int64_t size, StringRef indent) {
  return llvm::formatv("{4}long long {0} = (long long){1}[{2}];\n"
                       "{4}if ({0} < 0)\n{4}  {0} += {3}LL;\n"
                       "{4}if ({0} < 0 || {0} >= {3}LL)\n"
                       "{4}  *fault = 1u;\n",
                       var, argName(indices), element, size, indent);
}

/// The sum of `coord(d) * strides[d]` over the dimensions d != `skip` where
/// the stride is not zero, or "0".
static std::string
linearOffset(ArrayRef<int64_t> strides, int64_t skip,
             llvm::function_ref<std::string(int64_t)> coord) {
  SmallVector<std::string> terms;
  for (auto [d, stride] : llvm::enumerate(strides)) {
    if (static_cast<int64_t>(d) == skip || stride == 0)
      continue;
    terms.push_back(stride == 1
                        ? coord(d)
                        : llvm::formatv("{0} * {1}", coord(d), stride).str());
  }
  return terms.empty() ? "0" : llvm::join(terms, " + ");
}

static std::string coordName(int64_t d) { return "c" + std::to_string(d); }

static FailureOr<EmittedKernel> emitConcat(exec::KernelOp kernel,
                                           graph::ConcatOp concat,
                                           EmittedKernel emitted) {
  ArrayRef<int64_t> outShape = shapeOf(concat.getResult());
  int64_t axis = *graph::normalizeAxis(concat.getAxis(), outShape.size());
  int64_t inner = 1;
  for (int64_t d : outShape.drop_front(axis + 1))
    inner *= d;
  int64_t axisSize = outShape[axis];
  return emitPerElement(
      kernel, std::move(emitted), outShape, "concat",
      [&](llvm::raw_ostream &os) {
        os << llvm::formatv("    const index_t inner = o % {0}, a = (o / {0}) "
                            "% {1}, outer = o / {2};\n",
                            inner, axisSize, inner * axisSize);
        os << "    (void)inner;\n    (void)outer;\n";
        int64_t begin = 0;
        StringRef keyword = "if";
        for (Value input : concat.getInputs()) {
          int64_t size = shapeOf(input)[axis];
          if (size == 0)
            continue;
          os << llvm::formatv("    {0} (a < {1})\n", keyword, begin + size);
          os << llvm::formatv("      out0[o] = {0}[(outer * {1} + (a - {2})) * "
                              "{3} + inner];\n",
                              argName(input), size, begin, inner);
          keyword = "else if";
          begin += size;
        }
      });
}

static FailureOr<EmittedKernel>
emitSlice(exec::KernelOp kernel, graph::SliceOp slice, EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(slice.getInput());
  SmallVector<graph::SliceDim> dims =
      graph::resolveSlice(inShape, slice.getStarts(), slice.getEnds(),
                          slice.getAxes(), slice.getSteps());
  SmallVector<int64_t> inStrides = getStrides(inShape);
  int64_t base = 0;
  SmallVector<int64_t> strides;
  for (auto [d, dim] : llvm::enumerate(dims)) {
    base += dim.count == 0 ? 0 : dim.start * inStrides[d];
    strides.push_back(dim.step * inStrides[d]);
  }
  // Negative steps make terms negative; the sum is a valid offset.
  std::string offset = linearOffset(
      strides, -1, [](int64_t d) { return "(long long)" + coordName(d); });
  return emitPerElement(kernel, std::move(emitted), shapeOf(slice.getResult()),
                        "slice", [&](llvm::raw_ostream &os) {
                          os << llvm::formatv(
                              "    out0[o] = {0}[(index_t)({1}LL + {2})];\n",
                              argName(slice.getInput()), base, offset);
                        });
}

static FailureOr<EmittedKernel> emitGather(exec::KernelOp kernel,
                                           graph::GatherOp gather,
                                           EmittedKernel emitted) {
  emitted.reportsFaults = true;
  ArrayRef<int64_t> inShape = shapeOf(gather.getInput());
  int64_t axis = *graph::normalizeAxis(gather.getAxis(), inShape.size());
  int64_t inner = 1, count = 1;
  for (int64_t d : inShape.drop_front(axis + 1))
    inner *= d;
  for (int64_t d : shapeOf(gather.getIndices()))
    count *= d;
  int64_t size = inShape[axis];
  // Whole rows of 16 bytes (an embedding's, the routed rows of an MoE): one
  // thread per 16 bytes, where both pointers are 16-byte aligned.
  int64_t bytes = getElementInfo(elementTypeOf(gather.getResult()))->bytes;
  int64_t vector = 16 / bytes;
  int64_t numElements = inner * count;
  for (int64_t d : inShape.take_front(axis))
    numElements *= d;
  if (bytes <= 8 && inner % vector == 0 && numElements > 0) {
    std::string in = argName(gather.getInput());
    return emitPerElement(
        kernel, std::move(emitted), {numElements / vector},
        "gather (an element here is 16 bytes)", [&](llvm::raw_ostream &os) {
          os << llvm::formatv(
              "    const index_t e = o * {0}, inner = e % {1}, j = (e / {1}) "
              "% {2}, outer = e / {3};\n",
              vector, inner, count, inner * count);
          os << "    {\n" << loadIndex(gather.getIndices(), "j", "index", size);
          os << llvm::formatv(
              "      const bool valid = index >= 0 && index < {0}LL;\n"
              "      const index_t from = (outer * {0} + (index_t)(valid ? "
              "index : 0)) * {1} + inner;\n",
              size, inner);
          os << "      if ((((unsigned long long)" << in
             << " | (unsigned long long)out0) & 15) == 0) {\n";
          os << "        const uint4 zero = {0u, 0u, 0u, 0u};\n";
          os << "        *reinterpret_cast<uint4*>(out0 + e) = valid ? "
                "*reinterpret_cast<const uint4*>("
             << in << " + from) : zero;\n";
          os << "      } else {\n";
          os << llvm::formatv("        for (int v = 0; v < {0}; ++v)\n",
                              vector);
          os << "          out0[e + v] = valid ? " << in << "[from + v] : ("
             << storageOf(gather.getResult()) << ")0;\n";
          os << "      }\n    }\n";
        });
  }
  return emitPerElement(
      kernel, std::move(emitted), shapeOf(gather.getResult()), "gather",
      [&](llvm::raw_ostream &os) {
        os << llvm::formatv("    const index_t inner = o % {0}, j = (o / {0}) "
                            "% {1}, outer = o / {2};\n",
                            inner, count, inner * count);
        os << "    {\n" << loadIndex(gather.getIndices(), "j", "index", size);
        os << llvm::formatv(
            "      out0[o] = index >= 0 && index < {0}LL ? {1}[(outer * {0} + "
            "(index_t)index) * {2} + inner] : ({3})0;\n",
            size, argName(gather.getInput()), inner,
            storageOf(gather.getResult()));
        os << "    }\n";
      });
}

/// gather/scatter_elements address the input at the indices' coordinates
/// outside the axis: the indices must not exceed the input there.
static LogicalResult checkIndicesFit(exec::KernelOp kernel,
                                     ArrayRef<int64_t> inShape,
                                     ArrayRef<int64_t> indexShape,
                                     int64_t axis) {
  for (auto [d, size] : llvm::enumerate(indexShape))
    if (static_cast<int64_t>(d) != axis && size > inShape[d])
      return kernel.emitOpError("indices shape ")
             << graph::formatShape(indexShape) << " exceeds the input shape "
             << graph::formatShape(inShape) << " at dimension " << d;
  return success();
}

static FailureOr<EmittedKernel>
emitGatherElements(exec::KernelOp kernel, graph::GatherElementsOp gather,
                   EmittedKernel emitted) {
  emitted.reportsFaults = true;
  ArrayRef<int64_t> inShape = shapeOf(gather.getInput());
  int64_t axis = *graph::normalizeAxis(gather.getAxis(), inShape.size());
  if (failed(
          checkIndicesFit(kernel, inShape, shapeOf(gather.getIndices()), axis)))
    return failure();
  SmallVector<int64_t> inStrides = getStrides(inShape);
  std::string offset = linearOffset(inStrides, axis, coordName);
  return emitPerElement(
      kernel, std::move(emitted), shapeOf(gather.getResult()),
      "gather_elements", [&](llvm::raw_ostream &os) {
        os << "    {\n"
           << loadIndex(gather.getIndices(), "o", "index", inShape[axis]);
        os << llvm::formatv(
            "      out0[o] = index >= 0 && index < {0}LL ? {1}[{2} + "
            "(index_t)index * {3}] : ({4})0;\n",
            inShape[axis], argName(gather.getInput()), offset, inStrides[axis],
            storageOf(gather.getResult()));
        os << "    }\n";
      });
}

std::string scatterCombine(graph::ScatterReduction reduction, Type type) {
  std::string combined;
  switch (reduction) {
  case graph::ScatterReduction::None:
    return "u";
  case graph::ScatterReduction::Add:
    combined = "r + u";
    break;
  case graph::ScatterReduction::Mul:
    combined = "r * u";
    break;
  // std::max/std::min of the reference: a NaN update leaves the target.
  case graph::ScatterReduction::Max:
    return "r < u ? u : r";
  case graph::ScatterReduction::Min:
    return "u < r ? u : r";
  }
  // f16/bf16 round after each update, as the reference does.
  if (type.isF16() || type.isBF16())
    return loadAsCompute(type, storeFromCompute(type, combined));
  return combined;
}

static FailureOr<EmittedKernel>
emitScatterElements(exec::KernelOp kernel, graph::ScatterElementsOp scatter,
                    EmittedKernel emitted) {
  emitted.reportsFaults = true;
  ArrayRef<int64_t> inShape = shapeOf(scatter.getInput());
  ArrayRef<int64_t> indexShape = shapeOf(scatter.getIndices());
  int64_t rank = inShape.size();
  int64_t axis = *graph::normalizeAxis(scatter.getAxis(), rank);
  if (failed(checkIndicesFit(kernel, inShape, indexShape, axis)))
    return failure();
  SmallVector<int64_t> indexStrides = getStrides(indexShape);
  Type type = elementTypeOf(scatter.getResult());
  std::string compute = getElementInfo(type)->compute;
  // Each output element replays, in order, the updates aimed at it: the
  // result is deterministic and equals the sequential definition, duplicate
  // indices included.
  SmallVector<std::string> inRange;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && indexShape[d] != inShape[d])
      inRange.push_back(llvm::formatv("c{0} < {1}", d, indexShape[d]));
  std::string combine = scatterCombine(scatter.getReduction(), type);
  return emitPerElement(
      kernel, std::move(emitted), inShape, "scatter_elements",
      [&](llvm::raw_ostream &os) {
        std::string input = argName(scatter.getInput());
        os << llvm::formatv("    {0} r = {1};\n", compute,
                            loadAsCompute(type, input + "[o]"));
        if (indexShape[axis] != 0 &&
            llvm::none_of(indexShape, [](int64_t d) { return d == 0; })) {
          if (!inRange.empty())
            os << "    if (" << llvm::join(inRange, " && ") << ")\n";
          os << llvm::formatv("    for (index_t j = 0; j < {0}; ++j) {{\n",
                              indexShape[axis]);
          os << llvm::formatv("      const index_t at = {0} + j * {1};\n",
                              linearOffset(indexStrides, axis, coordName),
                              indexStrides[axis]);
          os << loadIndex(scatter.getIndices(), "at", "index", inShape[axis]);
          os << llvm::formatv("      if (index == (long long)c{0}) {{\n", axis);
          os << llvm::formatv(
              "        const {0} u = {1};\n", compute,
              loadAsCompute(type, argName(scatter.getUpdates()) + "[at]"));
          os << "        r = " << combine << ";\n";
          os << "      }\n    }\n";
        }
        os << "    out0[o] = " << storeFromCompute(type, "r") << ";\n";
      });
}

static FailureOr<EmittedKernel> emitExpand(exec::KernelOp kernel,
                                           graph::ExpandOp expand,
                                           EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(expand.getInput());
  ArrayRef<int64_t> outShape = shapeOf(expand.getResult());
  if (!broadcastsTo(inShape, outShape))
    return kernel.emitOpError("expand input ")
           << expand.getInput().getType() << " does not broadcast to "
           << expand.getResult().getType();
  return emitPerElement(kernel, std::move(emitted), outShape, "expand",
                        [&](llvm::raw_ostream &os) {
                          os << "    out0[o] = " << argName(expand.getInput())
                             << "["
                             << broadcastIndexFromLinear(inShape, outShape, "o")
                             << "];\n";
                        });
}

static FailureOr<EmittedKernel>
emitTile(exec::KernelOp kernel, graph::TileOp tile, EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(tile.getInput());
  ArrayRef<int64_t> outShape = shapeOf(tile.getResult());
  SmallVector<int64_t> inStrides = getStrides(inShape);
  for (auto [d, size] : llvm::enumerate(inShape))
    if (size == 1)
      inStrides[d] = 0;
  std::string offset = linearOffset(inStrides, -1, [&](int64_t d) {
    if (inShape[d] == outShape[d])
      return coordName(d);
    return llvm::formatv("({0} % {1})", coordName(d), inShape[d]).str();
  });
  return emitPerElement(kernel, std::move(emitted), outShape, "tile",
                        [&](llvm::raw_ostream &os) {
                          os << "    out0[o] = " << argName(tile.getInput())
                             << "[" << offset << "];\n";
                        });
}

/// graph.pad of `source`, a kernel argument whose dimension d of the pad's
/// input lies at stride `sourceStrides[d]`: the pad's own input, or the
/// input of a transpose the pad follows (graph-pad-channels' zero channels
/// after the NCHW-to-NHWC transpose, one kernel).
static FailureOr<EmittedKernel> emitPadOf(exec::KernelOp kernel,
                                          graph::PadOp pad, Value source,
                                          ArrayRef<int64_t> sourceStrides,
                                          EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(pad.getInput());
  ArrayRef<int64_t> outShape = shapeOf(pad.getResult());
  ArrayRef<int64_t> pads = pad.getPads();
  int64_t rank = inShape.size();
  graph::PadMode mode = pad.getMode();
  std::string sourceName = argName(source);

  // Zeros appended to a short last dimension (4 channels of a pixel): one
  // thread writes each row of it as one 4-, 8- or 16-byte vector.
  Type elementType = elementTypeOf(pad.getResult());
  int64_t rowBytes =
      rank > 0 && elementType.isIntOrFloat()
          ? outShape.back() * elementType.getIntOrFloatBitWidth() / 8
          : 0;
  bool endOfLastOnly = rank > 0 && mode == graph::PadMode::Constant &&
                       llvm::all_of(llvm::seq<int64_t>(0, 2 * rank - 1),
                                    [&](int64_t i) { return pads[i] == 0; }) &&
                       pads[2 * rank - 1] > 0;
  StringRef vector = rowBytes == 4    ? "unsigned"
                     : rowBytes == 8  ? "uint2"
                     : rowBytes == 16 ? "uint4"
                                      : "";
  if (endOfLastOnly && !vector.empty() &&
      elementType.getIntOrFloatBitWidth() >= 8) {
    int64_t width = outShape.back(), kept = inShape.back();
    std::string storage = storageOf(pad.getResult());
    return emitPerElement(
        kernel, std::move(emitted), outShape.drop_back(),
        llvm::formatv("pad of the last dimension to {0}, {1}-byte rows", width,
                      rowBytes)
            .str(),
        [&](llvm::raw_ostream &os) {
          os << "    index_t offset = 0;\n";
          for (int64_t d = 0; d + 1 < rank; ++d)
            if (sourceStrides[d] != 0 && inShape[d] != 1)
              os << llvm::formatv("    offset += c{0} * {1};\n", d,
                                  sourceStrides[d]);
          os << llvm::formatv("    union {{ {0} v; {1} e[{2}]; } row;\n",
                              vector, storage, width);
          for (int64_t e = 0; e < width; ++e) {
            if (e < kept)
              os << llvm::formatv("    row.e[{0}] = {1}[offset + {2}];\n", e,
                                  sourceName, e * sourceStrides[rank - 1]);
            else
              os << llvm::formatv("    row.e[{0}] = {1}[0];\n", e,
                                  argName(pad.getValue()));
          }
          os << llvm::formatv("    reinterpret_cast<{0}*>(out0)[o] = row.v;\n",
                              vector);
        });
  }

  return emitPerElement(
      kernel, std::move(emitted), outShape, "pad", [&](llvm::raw_ostream &os) {
        os << "    long long offset = 0;\n";
        if (mode == graph::PadMode::Constant)
          os << "    bool inside = true;\n";
        for (int64_t d = 0; d < rank; ++d) {
          int64_t n = inShape[d];
          os << llvm::formatv("    {{\n      long long j = (long long)c{0} - "
                              "({1}LL);\n",
                              d, pads[d]);
          switch (mode) {
          case graph::PadMode::Constant:
            os << llvm::formatv(
                "      if (j < 0 || j >= {0}LL)\n        inside = false;\n", n);
            break;
          case graph::PadMode::Edge:
            os << llvm::formatv(
                "      j = j < 0 ? 0 : j >= {0}LL ? {0}LL - 1 : j;\n", n);
            break;
          case graph::PadMode::Reflect:
            // Reflection without repeating the edge, periodic in 2(n-1).
            if (n <= 1) {
              os << "      j = 0;\n";
              break;
            }
            os << llvm::formatv("      j = ((j % {0}LL) + {0}LL) % {0}LL;\n"
                                "      if (j >= {1}LL)\n"
                                "        j = {0}LL - j;\n",
                                2 * (n - 1), n);
            break;
          case graph::PadMode::Wrap:
            os << llvm::formatv("      j = ((j % {0}LL) + {0}LL) % {0}LL;\n",
                                std::max<int64_t>(n, 1));
            break;
          }
          if (sourceStrides[d] != 0)
            os << llvm::formatv("      offset += j * {0}LL;\n",
                                sourceStrides[d]);
          os << "    }\n";
        }
        std::string read = llvm::formatv("{0}[(index_t)offset]", sourceName);
        if (mode == graph::PadMode::Constant)
          os << llvm::formatv("    out0[o] = inside ? {0} : {1}[0];\n", read,
                              argName(pad.getValue()));
        else
          os << "    out0[o] = " << read << ";\n";
      });
}

static FailureOr<EmittedKernel> emitPad(exec::KernelOp kernel, graph::PadOp pad,
                                        EmittedKernel emitted) {
  return emitPadOf(kernel, pad, pad.getInput(),
                   getStrides(shapeOf(pad.getInput())), std::move(emitted));
}

/// A transpose whose result only a constant pad reads (graph-fuse groups
/// them): the pad reads the transpose's input through permuted strides.
static FailureOr<EmittedKernel>
emitPaddedTranspose(exec::KernelOp kernel, graph::TransposeOp transpose,
                    graph::PadOp pad, EmittedKernel emitted) {
  auto input = dyn_cast<BlockArgument>(transpose.getInput());
  if (!input || !isa<BlockArgument>(pad.getValue()))
    return kernel.emitOpError(
        "a padded transpose must read kernel arguments only");
  if (pad.getMode() != graph::PadMode::Constant)
    return kernel.emitOpError("a transpose takes constant pads only");
  SmallVector<int64_t> inputStrides = getStrides(shapeOf(input));
  SmallVector<int64_t> strides;
  for (int64_t d : transpose.getPerm())
    strides.push_back(inputStrides[d]);
  return emitPadOf(kernel, pad, input, strides, std::move(emitted));
}

static FailureOr<EmittedKernel>
emitTrilu(exec::KernelOp kernel, graph::TriluOp trilu, EmittedKernel emitted) {
  ArrayRef<int64_t> shape = shapeOf(trilu.getInput());
  int64_t rank = shape.size();
  if (rank < 2)
    return kernel.emitOpError("trilu input must have rank at least 2");
  return emitPerElement(
      kernel, std::move(emitted), shape, "trilu", [&](llvm::raw_ostream &os) {
        os << llvm::formatv("    const bool keep = (long long)c{0} - (long "
                            "long)c{1} {2} ({3}LL);\n",
                            rank - 1, rank - 2, trilu.getUpper() ? ">=" : "<=",
                            static_cast<int64_t>(trilu.getK()));
        os << llvm::formatv("    out0[o] = keep ? {0}[o] : ({1})0;\n",
                            argName(trilu.getInput()),
                            storageOf(trilu.getResult()));
      });
}

/// graph.shape and graph.size that folding left (it folds every static
/// shape, so only a kernel built by hand gets here): the values are known.
static FailureOr<EmittedKernel>
emitShapeValues(exec::KernelOp kernel, Operation *op, EmittedKernel emitted) {
  ArrayRef<int64_t> inShape = shapeOf(op->getOperand(0));
  SmallVector<std::string> values;
  if (auto shape = dyn_cast<graph::ShapeOp>(op)) {
    auto [start, end] =
        graph::shapeRange(inShape.size(), shape.getStart(), shape.getEnd());
    for (int64_t d = start; d < end; ++d)
      values.push_back(std::to_string(inShape[d]) + "LL");
  } else {
    int64_t count = 1;
    for (int64_t d : inShape)
      count *= d;
    values.push_back(std::to_string(count) + "LL");
  }
  std::string storage = storageOf(op->getResult(0));
  return emitPerElement(
      kernel, std::move(emitted), shapeOf(op->getResult(0)),
      op->getName().stripDialect(), [&](llvm::raw_ostream &os) {
        // A chain of selects, not an array in local memory.
        if (values.empty())
          return;
        std::string value = values.back();
        for (int64_t i = values.size() - 2; i >= 0; --i)
          value = llvm::formatv("o == {0} ? {1} : {2}", i, values[i], value);
        os << "    out0[o] = (" << storage << ")(" << value << ");\n";
      });
}

FailureOr<EmittedKernel> emitDataKernel(exec::KernelOp kernel,
                                        const EmitOptions &) {
  Block &body = kernel.getBody().front();
  auto yield = cast<exec::YieldOp>(body.getTerminator());
  auto ops = body.without_terminator();
  if (ops.empty())
    return kernel.emitOpError("data kernel body has no op");
  Operation &op = *ops.begin();
  // A transpose and the constant pad of its result (graph-pad-channels).
  if (auto transpose = dyn_cast<graph::TransposeOp>(op);
      transpose && std::distance(ops.begin(), ops.end()) == 2) {
    auto pad = dyn_cast<graph::PadOp>(*std::next(ops.begin()));
    if (!pad || pad.getInput() != transpose.getResult() ||
        yield.getValues().size() != 1 ||
        yield.getValues().front() != pad.getResult())
      return kernel.emitOpError(
          "a data kernel of two ops must be a transpose and the pad of its "
          "result, which it yields");
    if (elementTypeOf(transpose.getInput()) != elementTypeOf(pad.getResult()))
      return kernel.emitOpError("data kernel changes the element type");
    EmittedKernel emitted;
    emitted.name = kernel.getSymName().str();
    emitted.entry = entryName(kernel);
    return emitPaddedTranspose(kernel, transpose, pad, std::move(emitted));
  }
  // graph.reduce takes an elementwise epilogue (ReductionEmitter.cpp); the
  // other data ops stand alone.
  bool takesEpilogue = isa<graph::ReduceOp>(op);
  if (!takesEpilogue && std::distance(ops.begin(), ops.end()) != 1)
    return kernel.emitOpError("data kernel body must be one op");
  for (Value operand : op.getOperands())
    if (!isa<BlockArgument>(operand))
      return kernel.emitOpError("operands of '")
             << op.getName() << "' in a data kernel must be kernel arguments";

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  // An op of several results yields those that are used, each once, in any
  // order: result r is written through outputs[r], if yielded.
  if (isa<graph::TopKOp, graph::MoeRouteOp>(op)) {
    SmallVector<std::string> outputs(op.getNumResults());
    for (auto [i, value] : llvm::enumerate(yield.getValues())) {
      auto result = dyn_cast<OpResult>(value);
      if (!result || result.getOwner() != &op ||
          !outputs[result.getResultNumber()].empty())
        return kernel.emitOpError("data kernel must yield results of '")
               << op.getName() << "', each once";
      outputs[result.getResultNumber()] = "out" + std::to_string(i);
    }
    if (auto route = dyn_cast<graph::MoeRouteOp>(op))
      return emitMoeRouteKernel(kernel, route, outputs, std::move(emitted));
    return emitTopKKernel(kernel, cast<graph::TopKOp>(op), outputs,
                          std::move(emitted));
  }
  if (yield.getValues().size() != 1)
    return kernel.emitOpError("data kernel must yield one value, not ")
           << yield.getValues().size();
  if (op.getNumResults() != 1 ||
      (!takesEpilogue && yield.getValues().front() != op.getResult(0)))
    return kernel.emitOpError("data kernel must yield the result of '")
           << op.getName() << "'";
  auto sameType = [&]() -> LogicalResult {
    if (elementTypeOf(op.getOperand(0)) == elementTypeOf(op.getResult(0)))
      return success();
    return kernel.emitOpError("data kernel changes the element type");
  };
  return llvm::TypeSwitch<Operation *, FailureOr<EmittedKernel>>(&op)
      .Case([&](graph::TransposeOp transpose) -> FailureOr<EmittedKernel> {
        if (failed(sameType()))
          return failure();
        return emitTranspose(kernel, transpose,
                             cast<BlockArgument>(transpose.getInput()),
                             std::move(emitted));
      })
      .Case<graph::ReshapeOp, graph::SqueezeOp, graph::UnsqueezeOp>(
          [&](Operation *reshape) -> FailureOr<EmittedKernel> {
            if (failed(sameType()))
              return failure();
            return emitCopy(kernel, cast<BlockArgument>(reshape->getOperand(0)),
                            reshape->getResult(0), std::move(emitted));
          })
      .Case<graph::ReduceOp, graph::ArgReduceOp, graph::HardmaxOp,
            graph::CumSumOp>([&](Operation *reduction) {
        return emitReductionKernel(kernel, reduction, std::move(emitted));
      })
      .Case([&](graph::ConcatOp o) {
        return emitConcat(kernel, o, std::move(emitted));
      })
      .Case([&](graph::SliceOp o) {
        return emitSlice(kernel, o, std::move(emitted));
      })
      .Case([&](graph::GatherOp o) {
        return emitGather(kernel, o, std::move(emitted));
      })
      .Case([&](graph::GatherElementsOp o) {
        return emitGatherElements(kernel, o, std::move(emitted));
      })
      .Case([&](graph::ScatterElementsOp o) {
        return emitScatterElements(kernel, o, std::move(emitted));
      })
      .Case([&](graph::ExpandOp o) {
        return emitExpand(kernel, o, std::move(emitted));
      })
      .Case([&](graph::TileOp o) {
        return emitTile(kernel, o, std::move(emitted));
      })
      .Case([&](graph::PadOp o) {
        return emitPad(kernel, o, std::move(emitted));
      })
      .Case([&](graph::TriluOp o) {
        return emitTrilu(kernel, o, std::move(emitted));
      })
      .Case<graph::ShapeOp, graph::SizeOp>([&](Operation *o) {
        return emitShapeValues(kernel, o, std::move(emitted));
      })
      .Case([&](graph::ResizeOp o) { return emitResizeKernel(kernel, o); })
      .Case([&](graph::GatherNDOp o) {
        return emitGatherNDKernel(kernel, o, std::move(emitted));
      })
      .Case([&](graph::ScatterNDOp o) {
        return emitScatterNDKernel(kernel, o, std::move(emitted));
      })
      .Default([&](Operation *other) -> FailureOr<EmittedKernel> {
        return kernel.emitOpError("unsupported op '")
               << other->getName() << "' in a data kernel";
      });
}

} // namespace dsc::codegen
