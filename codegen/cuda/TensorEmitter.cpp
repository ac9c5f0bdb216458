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
/// The most table entries one kernel embeds (its source stays small).
constexpr int64_t kMaxTableEntries = int64_t(1) << 16;
} // namespace

/// Writes `values` as the initializer of a C array named `name`.
template <typename T>
static void writeTable(llvm::raw_ostream &os, StringRef type, StringRef name,
                       ArrayRef<T> values) {
  os << "    static const " << type << " " << name << "[" << values.size()
     << "] = {";
  for (auto [i, v] : llvm::enumerate(values))
    os << (i ? ", " : "") << v;
  os << "};\n";
}

FailureOr<EmittedKernel> emitResizeKernel(exec::KernelOp kernel,
                                          graph::ResizeOp resize) {
  auto input = cast<BlockArgument>(resize.getInput());
  ArrayRef<int64_t> inShape = shapeOf(input);
  ArrayRef<int64_t> outShape = shapeOf(resize.getResult());
  Type type = elementTypeOf(input);
  FailureOr<ElementInfo> info = getElementInfo(type);
  if (failed(info))
    return failure();
  bool nearest = resize.getMode() == graph::ResizeMode::Nearest;
  int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides = getStrides(inShape);

  // Per resized axis: the tables of taps. Axes the reference leaves alone
  // read their own coordinate (no taps).
  std::string tables;
  llvm::raw_string_ostream tableOs(tables);
  SmallVector<int64_t> tapCount(rank, 0);
  SmallVector<bool> extrapolates(rank, false);
  int64_t entries = 0;
  for (int64_t a = 0; a < rank; ++a) {
    if (inShape[a] == outShape[a] && resize.getScales()[a] == 1.0 &&
        resize.getCoordinates() != graph::ResizeCoordinates::TfCropAndResize)
      continue;
    SmallVector<graph::ResizeTaps> taps =
        graph::resizeTaps(resize, a, inShape[a]);
    for (const graph::ResizeTaps &t : taps) {
      tapCount[a] = std::max<int64_t>(tapCount[a], nearest ? 1 : t.taps.size());
      extrapolates[a] = extrapolates[a] || t.extrapolate;
    }
    SmallVector<int64_t> offsets;
    SmallVector<std::string> weights;
    SmallVector<int> outside;
    for (const graph::ResizeTaps &t : taps) {
      for (int64_t i = 0; i < tapCount[a]; ++i) {
        bool present = i < static_cast<int64_t>(t.taps.size());
        offsets.push_back(present ? t.taps[i].index * inStrides[a] : 0);
        weights.push_back(
            llvm::formatv("{0:e17}", present ? t.taps[i].weight : 0.0).str());
      }
      outside.push_back(t.extrapolate);
    }
    entries += offsets.size() * (nearest ? 1 : 2) + outside.size();
    if (entries > kMaxTableEntries)
      return kernel.emitOpError("resize to ")
             << graph::formatShape(outShape)
             << " needs more coordinate tables than one kernel embeds";
    writeTable<int64_t>(tableOs, "long long",
                        llvm::formatv("offsets{0}", a).str(), offsets);
    if (!nearest)
      writeTable<std::string>(tableOs, "double",
                              llvm::formatv("weights{0}", a).str(), weights);
    if (extrapolates[a])
      writeTable<int>(tableOs, "unsigned char",
                      llvm::formatv("outside{0}", a).str(), outside);
  }

  EmittedKernel emitted;
  emitted.name = kernel.getSymName().str();
  emitted.entry = entryName(kernel);
  return emitPerElement(
      kernel, std::move(emitted), outShape, "resize", [&](raw_ostream &os) {
        os << tables;
        SmallVector<std::string> outsideTests;
        for (int64_t a = 0; a < rank; ++a)
          if (extrapolates[a])
            outsideTests.push_back(llvm::formatv("outside{0}[c{0}]", a).str());
        if (!outsideTests.empty()) {
          double value = resize.getExtrapolationValue().convertToDouble();
          os << "    if (" << llvm::join(outsideTests, " || ") << ") {\n"
             << "      out0[o] = "
             << storeFromCompute(
                    type,
                    llvm::formatv("({0}){1:e17}", info->compute, value).str())
             << ";\n      continue;\n    }\n";
        }
        // Nested loops over the taps of the resized axes.
        std::string indent = "    ";
        SmallVector<std::string> offsetTerms, weightTerms;
        if (!nearest)
          os << indent << "double sum = 0.0;\n";
        for (int64_t a = 0; a < rank; ++a) {
          if (tapCount[a] == 0) {
            if (inShape[a] != 1)
              offsetTerms.push_back(
                  llvm::formatv("(long long)c{0} * {1}", a, inStrides[a])
                      .str());
            continue;
          }
          os << llvm::formatv("{0}for (int t{1} = 0; t{1} < {2}; ++t{1}) {{\n",
                              indent, a, tapCount[a]);
          indent += "  ";
          offsetTerms.push_back(
              llvm::formatv("offsets{0}[c{0} * {1} + t{0}]", a, tapCount[a])
                  .str());
          if (!nearest)
            weightTerms.push_back(
                llvm::formatv("weights{0}[c{0} * {1} + t{0}]", a, tapCount[a])
                    .str());
        }
        std::string element =
            llvm::formatv("arg{0}[{1}]", input.getArgNumber(),
                          offsetTerms.empty() ? std::string("0")
                                              : llvm::join(offsetTerms, " + "))
                .str();
        if (nearest)
          os << indent << "out0[o] = " << element << ";\n";
        else
          os << indent << "sum += " << llvm::join(weightTerms, " * ")
             << " * (double)" << loadAsCompute(type, element) << ";\n";
        for (int64_t a = 0; a < rank; ++a)
          if (tapCount[a] != 0) {
            indent.resize(indent.size() - 2);
            os << indent << "}\n";
          }
        if (!nearest)
          os << "    out0[o] = "
             << storeFromCompute(type,
                                 llvm::formatv("({0})sum", info->compute).str())
             << ";\n";
      });
}

} // namespace dsc::codegen
