//===- TensorEmitter.cpp - graph.resize -----------------------------------===//
//
// Resize with every coordinate known at compile time: the taps of each
// resized axis (input index and weight per result coordinate, from
// graph::resizeTaps, which the reference interpreter uses too) become
// constant tables, and each thread sums the product of one result element's
// taps. Weights and the sum are in double, rounded once when stored, as the
// reference does. A result coordinate tf_crop_and_resize maps outside the
// input takes the extrapolation value.
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
/// The most table entries one kernel embeds (its source stays small).
constexpr int64_t kMaxTableEntries = int64_t(1) << 16;
} // namespace

/// Writes `values` as the initializer of a C array named `name`.
template <typename T>
static void writeTable(llvm::raw_ostream &os, StringRef type, StringRef name,
                       ArrayRef<T> values) {
  os << "  static const " << type << " " << name << "[" << values.size()
     << "] = {";
  for (auto [i, v] : llvm::enumerate(values))
    os << (i ? ", " : "") << v;
  os << "};\n";
}

FailureOr<EmittedKernel> emitResizeKernel(exec::KernelOp kernel,
                                          graph::ResizeOp resize) {
  auto input = dyn_cast<BlockArgument>(resize.getInput());
  if (!input)
    return kernel.emitOpError(
        "resize kernel operand must be a kernel argument");
  ArrayRef<int64_t> inShape = shapeOf(input);
  ArrayRef<int64_t> outShape = shapeOf(resize.getResult());
  Type type = elementTypeOf(input);
  FailureOr<ElementInfo> info = getElementInfo(type);
  if (failed(info))
    return failure();
  bool nearest = resize.getMode() == graph::ResizeMode::Nearest;
  int64_t rank = inShape.size();
  int64_t numElements = 1;
  for (int64_t d : outShape)
    numElements *= d;
  SmallVector<int64_t> inStrides = getStrides(inShape);

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << kernelSignature(kernel, emitted.entry, kThreads) << " {\n";
  os << "  typedef " << indexTypeFor(numElements) << " index_t;\n";
  // Per axis: the table of taps, or the coordinate itself where the axis
  // is not resized.
  SmallVector<int64_t> tapCount(rank, 0);
  SmallVector<bool> extrapolates(rank, false);
  int64_t entries = 0;
  for (int64_t a = 0; a < rank; ++a) {
    // Axes the reference leaves alone read their own coordinate.
    if (inShape[a] == outShape[a] && resize.getScales()[a] == 1.0 &&
        resize.getCoordinates() != graph::ResizeCoordinates::TfCropAndResize)
      continue;
    SmallVector<graph::ResizeTaps> taps =
        graph::resizeTaps(resize, a, inShape[a]);
    for (const graph::ResizeTaps &t : taps) {
      tapCount[a] = std::max<int64_t>(tapCount[a], nearest ? 1 : t.taps.size());
      extrapolates[a] = extrapolates[a] || t.extrapolate;
    }
    SmallVector<int64_t> indices;
    SmallVector<std::string> weights;
    SmallVector<int> outside;
    for (const graph::ResizeTaps &t : taps) {
      for (int64_t i = 0; i < tapCount[a]; ++i) {
        bool present = i < static_cast<int64_t>(t.taps.size());
        indices.push_back(present ? t.taps[i].index * inStrides[a] : 0);
        weights.push_back(
            llvm::formatv("{0:e17}", present ? t.taps[i].weight : 0.0).str());
      }
      outside.push_back(t.extrapolate);
    }
    entries += indices.size() * (nearest ? 1 : 2) + outside.size();
    if (entries > kMaxTableEntries)
      return kernel.emitOpError("resize to ")
             << graph::formatShape(outShape)
             << " needs more coordinate tables than one kernel embeds";
    writeTable<int64_t>(os, "long long", llvm::formatv("offsets{0}", a).str(),
                        indices);
    if (!nearest)
      writeTable<std::string>(os, "double",
                              llvm::formatv("weights{0}", a).str(), weights);
    if (extrapolates[a])
      writeTable<int>(os, "unsigned char", llvm::formatv("outside{0}", a).str(),
                      outside);
  }
  os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
  os << "  for (index_t v = (index_t)blockIdx.x * blockDim.x + threadIdx.x; "
     << "v < " << numElements << "; v += stride) {\n";
  os << "    index_t rest = v;\n";
  for (int64_t a = rank - 1; a >= 0; --a) {
    os << llvm::formatv("    const index_t c{0} = rest % {1};\n", a,
                        outShape[a]);
    if (a > 0)
      os << llvm::formatv("    rest /= {0};\n", outShape[a]);
  }
  SmallVector<std::string> outsideTests;
  for (int64_t a = 0; a < rank; ++a)
    if (extrapolates[a])
      outsideTests.push_back(llvm::formatv("outside{0}[c{0}]", a).str());
  if (!outsideTests.empty()) {
    os << "    if (" << llvm::join(outsideTests, " || ") << ") {\n";
    os << "      out0[v] = "
       << storeFromCompute(
              type,
              llvm::formatv("({0}){1:e17}", info->compute,
                            resize.getExtrapolationValue().convertToDouble())
                  .str())
       << ";\n      continue;\n    }\n";
  }
  // Nested loops over the taps of the resized axes; the others read their
  // own coordinate.
  std::string indent = "    ";
  SmallVector<std::string> offsetTerms, weightTerms;
  if (!nearest)
    os << indent << "double sum = 0.0;\n";
  for (int64_t a = 0; a < rank; ++a) {
    if (tapCount[a] == 0) {
      if (inShape[a] != 1)
        offsetTerms.push_back(
            llvm::formatv("(long long)c{0} * {1}", a, inStrides[a]).str());
      continue;
    }
    os << llvm::formatv("{0}for (int t{1} = 0; t{1} < {2}; ++t{1}) {{\n",
                        indent, a, tapCount[a]);
    indent += "  ";
    offsetTerms.push_back(
        llvm::formatv("offsets{0}[c{0} * {1} + t{0}]", a, tapCount[a]).str());
    if (!nearest)
      weightTerms.push_back(
          llvm::formatv("weights{0}[c{0} * {1} + t{0}]", a, tapCount[a]).str());
  }
  std::string offset =
      offsetTerms.empty() ? std::string("0") : llvm::join(offsetTerms, " + ");
  if (nearest) {
    os << indent << "out0[v] = arg" << input.getArgNumber() << "[" << offset
       << "];\n";
  } else {
    os << indent << "sum += " << llvm::join(weightTerms, " * ") << " * (double)"
       << loadAsCompute(
              type,
              llvm::formatv("arg{0}[{1}]", input.getArgNumber(), offset).str())
       << ";\n";
  }
  for (int64_t a = 0; a < rank; ++a)
    if (tapCount[a] != 0) {
      indent.resize(indent.size() - 2);
      os << indent << "}\n";
    }
  if (!nearest)
    os << "    out0[v] = "
       << storeFromCompute(type, llvm::formatv("({0})sum", info->compute).str())
       << ";\n";
  os << "  }\n}\n";
  int64_t blocks = (numElements + kThreads - 1) / kThreads;
  emitted.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(blocks, 1, kMaxBlocks)), 1, 1};
  emitted.block = {static_cast<int32_t>(kThreads), 1, 1};
  emitted.source = std::move(source);
  return emitted;
}

} // namespace dsc::codegen
