//===- TensorEmitter.cpp - resize, top-k, n-d gather/scatter --------------===//
//
// Resize with every coordinate known at compile time: the taps of each
// resized axis (input index and weight per result coordinate, from
// graph::resizeTaps, which the reference interpreter uses too) become
// constant tables, and each thread sums the product of one result element's
// taps. Weights and the sum are in double, rounded once when stored, as the
// reference does. A result coordinate tf_crop_and_resize maps outside the
// input takes the extrapolation value.
//
// TopK runs one block per row (the elements along the axis): a row that fits
// in shared memory is sorted there by a bitonic network, padded to a power of
// two; a longer one takes k rounds of a block-wide selection of the element
// that follows the previous round's in the top-k order. That order is total
// (value, NaN largest, then the lower position), so both give exactly the
// reference's stable sort. The kernel writes the values, the indices or both,
// whichever the kernel yields.
//
// GatherND reads one output element per thread; ScatterND gives each thread
// one output element, which replays in order the updates aimed at it, so
// that duplicates combine exactly as the sequential definition does (for
// 'none' the last one wins). Index tuples out of range raise the fault word.
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

//===----------------------------------------------------------------------===//
// graph.topk
//===----------------------------------------------------------------------===//

namespace {
constexpr int64_t kThreads = 256;
/// Threads of a top-k selection block: each round reads the whole row, so
/// the more threads, the shorter a round's chain of loads.
constexpr int64_t kSelectionThreads = 1024;
constexpr int64_t kMaxBlocks = int64_t(1) << 20;
/// Shared memory a top-k block sorts a row in (keys and row positions);
/// longer rows take the selection kernel.
constexpr int64_t kMaxSortBytes = 32 * 1024;
} // namespace

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

/// `dsc_before(a, ia, b, ib)`: whether element (a, ia) of a row comes before
/// (b, ib) in the top-k order: by value, NaN as the largest value as in the
/// reference, equal values by the lower position. Positions from `n` on are
/// padding, after every element. The order is total, so selection and
/// sorting agree with the reference's stable sort.
static void writeTopKOrder(llvm::raw_ostream &os, Type type, StringRef compute,
                           bool largest, int64_t n) {
  os << "static __device__ __forceinline__ bool dsc_before(" << compute
     << " a, long long ia, " << compute << " b, long long ib) {\n";
  os << llvm::formatv("  if (ia >= {0}LL || ib >= {0}LL)\n"
                      "    return ia < ib;\n",
                      n);
  if (isa<FloatType>(type))
    os << "  const bool na = a != a, nb = b != b;\n"
       << "  if (na || nb)\n"
       << "    return na && nb ? ia < ib : " << (largest ? "na" : "nb")
       << ";\n";
  os << "  if (a != b)\n    return a " << (largest ? ">" : "<") << " b;\n";
  os << "  return ia < ib;\n}\n";
}

/// `dsc_rank(v, e)`: element (v, e) of a row as one number, larger first in
/// the top-k order: an order-preserving 32-bit key of the value (NaN the
/// largest, -0 the same as +0), then the complement of the position. One
/// 64-bit comparison then stands for dsc_before, for values of 32 bits or
/// less.
static void writeTopKRank(llvm::raw_ostream &os, Type type, StringRef compute,
                          bool largest) {
  os << "static __device__ __forceinline__ unsigned long long dsc_rank("
     << compute << " v, long long e) {\n";
  if (compute == "float")
    os << "  v = v + 0.0f;\n"
       << "  const unsigned int bits = __float_as_uint(v);\n"
       << "  unsigned int key = v != v ? 0xffffffffu : (bits & 0x80000000u) ? "
          "~bits : bits | 0x80000000u;\n";
  else if (!type.isInteger(1) && !cast<IntegerType>(type).isUnsigned())
    os << "  unsigned int key = (unsigned int)(int)v ^ 0x80000000u;\n";
  else
    os << "  unsigned int key = (unsigned int)v;\n";
  if (!largest)
    os << "  key = ~key;\n";
  os << "  return ((unsigned long long)key << 32) | (0xffffffffu - (unsigned "
        "int)e);\n}\n";
}

FailureOr<EmittedKernel> emitTopKKernel(exec::KernelOp kernel,
                                        graph::TopKOp topk,
                                        ArrayRef<std::string> outputs,
                                        EmittedKernel emitted) {
  Value input = topk.getInput();
  ArrayRef<int64_t> inShape = shapeOf(input);
  int64_t axis = *graph::normalizeAxis(topk.getAxis(), inShape.size());
  int64_t n = inShape[axis], k = topk.getK();
  if (k > n)
    return kernel.emitOpError("top-k of ")
           << k << " exceeds the dimension of size " << n;
  int64_t inner = product(inShape.drop_front(axis + 1));
  int64_t rows = product(inShape.take_front(axis)) * inner;
  Type type = elementTypeOf(input);
  ElementInfo info = *getElementInfo(type);
  int64_t keyBytes = info.compute == "float" ? 4 : info.bytes;
  int64_t padded = llvm::PowerOf2Ceil(std::max<int64_t>(n, 1));
  bool sorts = padded * (keyBytes + 4) <= kMaxSortBytes;
  // Selection compares packed ranks where the key and position fit.
  bool packs = !sorts && keyBytes <= 4 && n < (int64_t(1) << 32) - 1;
  int64_t threads =
      sorts ? std::clamp<int64_t>(padded / 2, 32, kThreads) : kSelectionThreads;
  const std::string &values = outputs[0], &indices = outputs[1];
  std::string in = argName(input), compute = info.compute;
  std::string load = loadAsCompute(type, in + "[base + (index_t)e * INNER]");

  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  os << "typedef " << kernelIndexType(kernel) << " index_t;\n";
  os << "// top-k: one block per row, "
     << (sorts ? "a bitonic sort of the row in shared memory"
               : "k rounds of block-wide selection of the next element")
     << (packs ? ", as packed ranks" : "") << "\n";
  if (packs)
    writeTopKRank(os, type, compute, topk.getLargest());
  else
    writeTopKOrder(os, type, compute, topk.getLargest(), n);
  os << kernelSignature(kernel, emitted.entry, threads) << " {\n";
  // The row's element e is at base + e * INNER, its j-th result at
  // outBase + j * INNER; writes `j`'s result from row position `slot`.
  auto writeResult = [&](StringRef indent, StringRef j, StringRef slot) {
    os << indent << "const index_t at = outBase + (index_t)" << j
       << " * INNER;\n";
    if (!values.empty())
      os << indent << values << "[at] = " << in << "[base + (index_t)" << slot
         << " * INNER];\n";
    if (!indices.empty())
      os << indent << indices << "[at] = (long long)" << slot << ";\n";
  };
  if (rows != 0 && k != 0) {
    os << llvm::formatv("  constexpr index_t N = {0}, K = {1}, INNER = {2}, "
                        "ROWS = {3};\n",
                        n, k, inner, rows);
    if (sorts) {
      os << llvm::formatv("  constexpr int P = {0};\n", padded);
      os << "  __shared__ " << compute << " keys[P];\n";
      os << "  __shared__ int slots[P];\n";
    } else if (packs) {
      // One rank per warp, then the block's.
      os << "  __shared__ unsigned long long bestRanks[" << threads / 32 + 1
         << "];\n";
      os << "  const int tid = threadIdx.x;\n";
    } else {
      os << "  __shared__ " << compute << " bestKeys[" << threads << "];\n";
      os << "  __shared__ long long bestSlots[" << threads << "];\n";
      os << "  const int tid = threadIdx.x;\n";
    }
    os << "  for (index_t row = blockIdx.x; row < ROWS; row += gridDim.x) {\n";
    os << "    const index_t base = (row / INNER) * (N * INNER) + row % "
          "INNER;\n";
    os << "    const index_t outBase = (row / INNER) * (K * INNER) + row % "
          "INNER;\n";
    if (sorts) {
      // Padding sorts last (dsc_before), whatever its key.
      os << "    for (int e = threadIdx.x; e < P; e += blockDim.x) {\n";
      os << "      keys[e] = (index_t)e < N ? " << load << " : (" << compute
         << ")0;\n";
      os << "      slots[e] = e;\n    }\n";
      os << "    for (int size = 2; size <= P; size <<= 1)\n";
      os << "      for (int stride = size >> 1; stride > 0; stride >>= 1) {\n";
      os << "        __syncthreads();\n";
      os << "        for (int t = threadIdx.x; t < P / 2; t += blockDim.x) "
            "{\n";
      os << "          const int i = 2 * t - (t & (stride - 1)), j = i + "
            "stride;\n";
      os << "          const " << compute << " ki = keys[i], kj = keys[j];\n";
      os << "          const int si = slots[i], sj = slots[j];\n";
      os << "          if ((i & size) == 0 ? dsc_before(kj, sj, ki, si)\n"
         << "                              : dsc_before(ki, si, kj, sj)) {\n";
      os << "            keys[i] = kj;\n            keys[j] = ki;\n";
      os << "            slots[i] = sj;\n            slots[j] = si;\n";
      os << "          }\n        }\n      }\n";
      os << "    __syncthreads();\n";
      os << "    for (int j = threadIdx.x; (index_t)j < K; j += blockDim.x) "
            "{\n";
      writeResult("      ", "j", "slots[j]");
      os << "    }\n";
      os << "    __syncthreads();\n";
    } else if (packs) {
      // Round j picks the largest rank below round j-1's (valid ranks are
      // not 0: the position's complement is not).
      os << "    unsigned long long prev = 0;\n";
      os << "    for (index_t j = 0; j < K; ++j) {\n";
      os << "      unsigned long long best = 0;\n";
      // Unrolled, so that several loads are in flight: a round is a chain
      // of N / 1024 of them per thread.
      os << "      #pragma unroll 8\n";
      os << "      for (index_t e = tid; e < N; e += " << threads << ") {\n";
      os << "        const unsigned long long r = dsc_rank(" << load
         << ", (long long)e);\n";
      os << "        if ((j == 0 || r < prev) && r > best)\n";
      os << "          best = r;\n      }\n";
      // Maximum of a warp by shuffles, of the block by the first warp.
      auto warpMax = [&](StringRef indent) {
        os << indent << "for (int offset = 16; offset > 0; offset >>= 1) {\n";
        os << indent
           << "  const unsigned long long other = __shfl_xor_sync(0xffffffffu, "
              "best, offset);\n";
        os << indent << "  best = other > best ? other : best;\n";
        os << indent << "}\n";
      };
      warpMax("      ");
      os << "      if ((tid & 31) == 0)\n        bestRanks[tid >> 5] = best;\n";
      os << "      __syncthreads();\n";
      os << "      if (tid < 32) {\n";
      os << "        best = tid < " << threads / 32
         << " ? bestRanks[tid] : 0;\n";
      warpMax("        ");
      os << "        if (tid == 0)\n          bestRanks[" << threads / 32
         << "] = best;\n";
      os << "      }\n";
      os << "      __syncthreads();\n";
      os << "      prev = bestRanks[" << threads / 32 << "];\n";
      os << "      if (tid == 0) {\n";
      os << "        const long long slot = (long long)(0xffffffffu - "
            "(unsigned int)prev);\n";
      writeResult("        ", "j", "slot");
      os << "      }\n";
      // No barrier here: the next round overwrites the warps' ranks after
      // the first warp read them (before the last barrier) and the block's
      // rank after its own first barrier, which every thread passes only
      // once it has read `prev`.
      os << "    }\n";
    } else {
      // Round j picks the first element, in top-k order, after round j-1's.
      os << "    " << compute << " prevKey = (" << compute << ")0;\n";
      os << "    long long prevSlot = -1;\n";
      os << "    for (index_t j = 0; j < K; ++j) {\n";
      os << "      " << compute << " key = (" << compute << ")0;\n";
      os << "      long long slot = -1;\n";
      os << "      for (index_t e = tid; e < N; e += " << threads << ") {\n";
      os << "        const " << compute << " v = " << load << ";\n";
      os << "        if (prevSlot >= 0 && !dsc_before(prevKey, prevSlot, v, "
            "(long long)e))\n          continue;\n";
      os << "        if (slot < 0 || dsc_before(v, (long long)e, key, slot)) "
            "{\n";
      os << "          key = v;\n          slot = (long long)e;\n        }\n";
      os << "      }\n";
      os << "      bestKeys[tid] = key;\n      bestSlots[tid] = slot;\n";
      os << "      for (int half = " << threads / 2
         << "; half > 0; half >>= 1) {\n";
      os << "        __syncthreads();\n";
      os << "        if (tid < half) {\n";
      os << "          const long long other = bestSlots[tid + half];\n";
      os << "          if (other >= 0 && (bestSlots[tid] < 0 || "
            "dsc_before(bestKeys[tid + half], other, bestKeys[tid], "
            "bestSlots[tid]))) {\n";
      os << "            bestKeys[tid] = bestKeys[tid + half];\n";
      os << "            bestSlots[tid] = other;\n          }\n        }\n";
      os << "      }\n";
      os << "      __syncthreads();\n";
      os << "      prevKey = bestKeys[0];\n      prevSlot = bestSlots[0];\n";
      os << "      if (tid == 0) {\n";
      writeResult("        ", "j", "prevSlot");
      os << "      }\n";
      os << "      __syncthreads();\n";
      os << "    }\n";
    }
    os << "  }\n";
  }
  os << "}\n";
  emitted.grid = {
      static_cast<int32_t>(std::clamp<int64_t>(rows, 1, kMaxBlocks)), 1, 1};
  emitted.block = {static_cast<int32_t>(threads), 1, 1};
  emitted.source = std::move(source);
  return emitted;
}

//===----------------------------------------------------------------------===//
// graph.gather_nd and graph.scatter_nd
//===----------------------------------------------------------------------===//

/// Statements that add to `offset` (long long) the offset that the index
/// tuple at `tuple` of `indices` selects in the row-major space of `dims`,
/// each index counted in units of `strides`; a tuple out of range raises the
/// fault word and clears `inside`.
static void writeTupleOffset(llvm::raw_ostream &os, Value indices,
                             StringRef tuple, ArrayRef<int64_t> dims,
                             ArrayRef<int64_t> strides, StringRef indent) {
  std::string nested = (indent + "  ").str();
  for (auto [j, dim] : llvm::enumerate(dims)) {
    os << indent << "{\n"
       << loadIndex(
              indices,
              llvm::formatv("{0} * {1} + {2}", tuple, dims.size(), j).str(),
              "index", dim, nested);
    os << nested << "if (index < 0 || index >= " << dim << "LL)\n"
       << nested << "  inside = false;\n"
       << nested << "else\n"
       << nested << "  offset += index * " << strides[j] << "LL;\n"
       << indent << "}\n";
  }
}

FailureOr<EmittedKernel> emitGatherNDKernel(exec::KernelOp kernel,
                                            graph::GatherNDOp gather,
                                            EmittedKernel emitted) {
  emitted.reportsFaults = true;
  ArrayRef<int64_t> inShape = shapeOf(gather.getInput());
  ArrayRef<int64_t> indexShape = shapeOf(gather.getIndices());
  int64_t batch = gather.getBatchDims();
  int64_t depth = indexShape.back();
  int64_t rank = inShape.size();
  int64_t slice = product(inShape.drop_front(batch + depth));
  int64_t tuples = product(indexShape.drop_back());
  if (batch + depth > rank ||
      product(shapeOf(gather.getResult())) != tuples * slice)
    return kernel.emitOpError("gather_nd of ")
           << gather.getInput().getType() << " at "
           << gather.getIndices().getType() << " cannot yield "
           << gather.getResult().getType();
  int64_t perBatch = product(indexShape.drop_front(batch).drop_back());
  SmallVector<int64_t> inStrides = getStrides(inShape);
  ArrayRef<int64_t> tupleDims = inShape.slice(batch, depth);
  ArrayRef<int64_t> tupleStrides = ArrayRef(inStrides).slice(batch, depth);
  int64_t batchStride = batch == 0 ? 0 : inStrides[batch - 1];
  return emitPerElement(
      kernel, std::move(emitted), shapeOf(gather.getResult()), "gather_nd",
      [&](llvm::raw_ostream &os) {
        // Output element o is element s of the slice of tuple t.
        os << llvm::formatv("    const index_t t = o / {0}, s = o % {0};\n",
                            slice);
        os << "    long long offset = 0;\n    bool inside = true;\n";
        if (batch != 0)
          os << llvm::formatv("    offset += (long long)(t / {0}) * {1}LL;\n",
                              perBatch, batchStride);
        writeTupleOffset(os, gather.getIndices(), "t", tupleDims, tupleStrides,
                         "    ");
        os << llvm::formatv(
            "    out0[o] = inside ? {0}[(index_t)offset + s] : ({1})0;\n",
            argName(gather.getInput()),
            getElementInfo(elementTypeOf(gather.getResult()))->storage);
      });
}

FailureOr<EmittedKernel> emitScatterNDKernel(exec::KernelOp kernel,
                                             graph::ScatterNDOp scatter,
                                             EmittedKernel emitted) {
  emitted.reportsFaults = true;
  ArrayRef<int64_t> inShape = shapeOf(scatter.getInput());
  ArrayRef<int64_t> indexShape = shapeOf(scatter.getIndices());
  int64_t depth = indexShape.back();
  int64_t rank = inShape.size();
  if (depth > rank)
    return kernel.emitOpError("index tuples of length ")
           << depth << " do not fit an input of rank " << rank;
  int64_t slice = product(inShape.drop_front(depth));
  int64_t tuples = product(indexShape.drop_back());
  int64_t numElements = product(inShape);
  if (product(shapeOf(scatter.getUpdates())) != tuples * slice)
    return kernel.emitOpError("scatter_nd updates ")
           << scatter.getUpdates().getType() << " do not hold " << tuples
           << " slices of " << slice << " elements";
  // A tuple's target is the slot (slice) it addresses, in the row-major
  // space of the first `depth` dimensions.
  SmallVector<int64_t> slotStrides = getStrides(inShape.take_front(depth));
  Type type = elementTypeOf(scatter.getResult());
  std::string compute = getElementInfo(type)->compute;
  std::string in = argName(scatter.getInput());
  std::string updates = argName(scatter.getUpdates());

  std::string source;
  llvm::raw_string_ostream os(source);
  os << getPrelude();
  // Each output element replays, in order, the updates aimed at it: the
  // result is the sequential one, duplicates included, and exact. Blocks
  // stage the targets of kThreads tuples at a time in shared memory.
  os << "// scatter_nd: one thread per output element replays the updates "
        "aimed at it, in order\n";
  os << kernelSignature(kernel, emitted.entry, kThreads, true) << " {\n";
  os << "  typedef " << kernelIndexType(kernel) << " index_t;\n";
  if (numElements != 0) {
    if (tuples != 0)
      os << "  __shared__ long long targets[" << kThreads << "];\n";
    os << "  const index_t stride = (index_t)gridDim.x * blockDim.x;\n";
    // Whole blocks iterate together: the barriers below see every thread.
    os << "  for (index_t first = (index_t)blockIdx.x * blockDim.x; first < "
       << numElements << "; first += stride) {\n";
    os << "    const index_t o = first + threadIdx.x;\n";
    os << "    const bool active = o < " << numElements << ";\n";
    os << llvm::formatv("    const long long slot = (long long)(o / {0});\n"
                        "    const index_t s = o % {0};\n    (void)s;\n",
                        slice);
    os << "    " << compute << " r = active ? "
       << loadAsCompute(type, in + "[o]") << " : (" << compute << ")0;\n";
    if (tuples != 0) {
      // The slots of the block's elements: a chunk of tuples that aims at
      // none of them is skipped by the whole block.
      os << llvm::formatv(
          "    const long long lo = (long long)(first / {0}), hi = (long "
          "long)((first + blockDim.x - 1 < {1} ? first + blockDim.x - 1 : "
          "{1} - 1) / {0});\n",
          slice, numElements);
      os << "    for (index_t t0 = 0; t0 < " << tuples << "; t0 += " << kThreads
         << ") {\n";
      os << "      __syncthreads();\n";
      os << "      const index_t t = t0 + threadIdx.x;\n";
      os << "      bool near = false;\n";
      os << "      if (t < " << tuples << ") {\n";
      os << "        long long offset = 0;\n        bool inside = true;\n";
      writeTupleOffset(os, scatter.getIndices(), "t", inShape.take_front(depth),
                       slotStrides, "        ");
      os << "        targets[threadIdx.x] = inside ? offset : -1;\n";
      os << "        near = inside && offset >= lo && offset <= hi;\n";
      os << "      }\n";
      os << "      if (__syncthreads_or(near) && active) {\n";
      os << "        const int count = " << tuples << " - t0 < " << kThreads
         << " ? (int)(" << tuples << " - t0) : " << kThreads << ";\n";
      os << "        for (int c = 0; c < count; ++c)\n";
      os << "          if (targets[c] == slot) {\n";
      os << "            const " << compute << " u = "
         << loadAsCompute(
                type,
                llvm::formatv("{0}[(t0 + c) * {1} + s]", updates, slice).str())
         << ";\n";
      os << "            r = " << scatterCombine(scatter.getReduction(), type)
         << ";\n";
      os << "          }\n      }\n    }\n";
    }
    os << "    if (active)\n      out0[o] = " << storeFromCompute(type, "r")
       << ";\n";
    os << "  }\n";
  }
  os << "}\n";
  setGridStrideLaunch(emitted, numElements);
  emitted.source = std::move(source);
  return emitted;
}

} // namespace dsc::codegen
