//===- PlanBuilder.h - Builds plan bytes for tests ---------------*- C++
//-*-===//
//
// A plain description of a plan, serialized with FlatBufferBuilder, so tests
// can start from a valid plan and break one field at a time.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_TEST_PLANBUILDER_H
#define DSC_RUNTIME_TEST_PLANBUILDER_H

#include "plan_generated.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace dsc::rt::test {

struct TestTensor {
  std::string name;
  dsc::plan::DType dtype = dsc::plan::DType::F32;
  std::vector<int64_t> shape;
  int32_t sampleAxis = -1;
  bool isString = false;
};

struct TestRef {
  dsc::plan::Space space = dsc::plan::Space::Arena;
  uint32_t index = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

inline TestRef arenaRef(uint64_t offset, uint64_t size) {
  return {dsc::plan::Space::Arena, 0, offset, size};
}
inline TestRef weightsRef(uint64_t offset, uint64_t size) {
  return {dsc::plan::Space::Weights, 0, offset, size};
}
inline TestRef inputRef(uint32_t index, uint64_t offset, uint64_t size) {
  return {dsc::plan::Space::Input, index, offset, size};
}
inline TestRef outputRef(uint32_t index, uint64_t offset, uint64_t size) {
  return {dsc::plan::Space::Output, index, offset, size};
}

struct TestWeight {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
  dsc::plan::DType dtype = dsc::plan::DType::F32;
  std::vector<int64_t> shape;
};

/// A kernel's library GEMM (plan.fbs LibraryGemm), row-major.
struct TestGemm {
  int64_t m = 1, n = 1, k = 1, batch = 1;
  bool transposeA = false, transposeB = false;
  int64_t lda = 1, ldb = 1, ldd = 1;
  int64_t strideA = 0, strideB = 0, strideD = 0;
  dsc::plan::DType inputType = dsc::plan::DType::F32;
  dsc::plan::DType outputType = dsc::plan::DType::F32;
  uint32_t aArg = 0, bArg = 1, dArg = 2;
  int32_t biasArg = -1, residualArg = -1;
  dsc::plan::GemmActivation activation = dsc::plan::GemmActivation::None;
};

/// An im2col tensor map a variant takes (plan.fbs TensorMap).
struct TestTensorMap {
  uint32_t arg = 0;
  uint32_t elementBytes = 2;
  std::vector<uint64_t> dims, strides;
  std::vector<int32_t> lowerCorner, upperCorner;
  std::vector<uint32_t> elementStrides;
  uint32_t channelsPerPixel = 64, pixelsPerColumn = 128;
};

/// A kernel's generated variant (plan.fbs KernelVariant).
struct TestVariant {
  std::string entry;
  std::optional<std::vector<uint32_t>> grid = std::vector<uint32_t>{1, 1, 1};
  std::optional<std::vector<uint32_t>> block = std::vector<uint32_t>{1, 1, 1};
  uint32_t sharedMemory = 0;
  uint64_t scratchBytes = 0;
  std::string description;
  std::vector<TestTensorMap> tensorMaps;
};

struct TestKernel {
  std::string name;
  std::string entry;
  std::string source;
  std::string arch;
  std::vector<uint8_t> cubin;
  bool perSample = false;
  uint8_t perSampleAxis = 2;
  std::optional<TestGemm> gemm;
  uint64_t scratchBytes = 0;
  std::string description;
  std::vector<TestVariant> variants;
  bool awaitsPreviousGrid = false;
};

struct TestLaunch {
  uint32_t kernel = 0;
  std::optional<std::vector<uint32_t>> grid = std::vector<uint32_t>{1, 1, 1};
  std::optional<std::vector<uint32_t>> block = std::vector<uint32_t>{1, 1, 1};
  uint32_t sharedMemory = 0;
  std::vector<TestRef> args;
};

struct TestCopy {
  TestRef source, target;
};

/// A step with no payload (union type NONE).
struct TestEmptyStep {};

using TestStep = std::variant<TestLaunch, TestCopy, TestEmptyStep>;

struct TestPlan {
  uint32_t formatVersion = 1;
  std::string producer = "dsc test";
  std::vector<TestTensor> inputs, outputs;
  uint64_t arenaSize = 0, arenaLowerBound = 0;
  std::vector<TestWeight> weights;
  std::vector<uint8_t> blob;
  std::vector<TestKernel> kernels;
  std::vector<TestStep> steps;
  std::string execIr;
  /// A symbolic dimension: name, min, max.
  std::optional<std::tuple<std::string, int64_t, int64_t>> symbolicDim;

  std::vector<uint8_t> build() const {
    namespace fb = flatbuffers;
    namespace p = dsc::plan;
    fb::FlatBufferBuilder b;
    auto ref = [](const TestRef &r) {
      return p::BufferRef(r.space, r.index, r.offset, r.size);
    };
    auto sigs = [&](const std::vector<TestTensor> &tensors) {
      std::vector<fb::Offset<p::TensorSig>> out;
      for (const TestTensor &t : tensors)
        out.push_back(p::CreateTensorSigDirect(
            b, t.name.c_str(), t.dtype, &t.shape, t.sampleAxis, t.isString));
      return b.CreateVector(out);
    };
    auto inputsOffset = sigs(inputs);
    auto outputsOffset = sigs(outputs);
    std::vector<fb::Offset<p::Weight>> weightOffsets;
    for (const TestWeight &w : weights)
      weightOffsets.push_back(p::CreateWeightDirect(b, w.name.c_str(), w.offset,
                                                    w.size, w.dtype, &w.shape));
    auto weightsOffset = b.CreateVector(weightOffsets);
    b.ForceVectorAlignment(blob.size(), 1, 256);
    auto blobOffset = b.CreateVector(blob);
    std::vector<fb::Offset<p::Kernel>> kernelOffsets;
    for (const TestKernel &k : kernels) {
      fb::Offset<p::LibraryGemm> gemmOffset;
      if (const TestGemm *g = k.gemm ? &*k.gemm : nullptr)
        gemmOffset = p::CreateLibraryGemm(
            b, g->m, g->n, g->k, g->batch, g->transposeA, g->transposeB, g->lda,
            g->ldb, g->ldd, g->strideA, g->strideB, g->strideD, g->inputType,
            g->outputType, g->aArg, g->bArg, g->dArg, g->biasArg,
            g->residualArg, g->activation);
      std::vector<fb::Offset<p::KernelVariant>> variantOffsets;
      for (const TestVariant &v : k.variants) {
        std::vector<fb::Offset<p::TensorMap>> maps;
        for (const TestTensorMap &m : v.tensorMaps)
          maps.push_back(p::CreateTensorMapDirect(
              b, m.arg, m.elementBytes, &m.dims, &m.strides, &m.lowerCorner,
              &m.upperCorner, &m.elementStrides, m.channelsPerPixel,
              m.pixelsPerColumn));
        variantOffsets.push_back(p::CreateKernelVariantDirect(
            b, v.entry.c_str(), v.grid ? &*v.grid : nullptr,
            v.block ? &*v.block : nullptr, v.sharedMemory, v.scratchBytes,
            v.description.c_str(), maps.empty() ? nullptr : &maps));
      }
      kernelOffsets.push_back(p::CreateKernelDirect(
          b, k.name.c_str(), k.entry.c_str(), k.source.c_str(),
          k.arch.empty() ? nullptr : k.arch.c_str(),
          k.cubin.empty() ? nullptr : &k.cubin, nullptr, false, k.perSample,
          k.perSampleAxis, k.scratchBytes, gemmOffset,
          k.description.empty() ? nullptr : k.description.c_str(),
          variantOffsets.empty() ? nullptr : &variantOffsets,
          k.awaitsPreviousGrid));
    }
    auto kernelsOffset = b.CreateVector(kernelOffsets);
    std::vector<fb::Offset<p::StepEntry>> stepOffsets;
    for (const TestStep &step : steps) {
      if (const auto *launch = std::get_if<TestLaunch>(&step)) {
        std::vector<p::BufferRef> args;
        for (const TestRef &r : launch->args)
          args.push_back(ref(r));
        auto launchOffset = p::CreateLaunchDirect(
            b, launch->kernel, launch->grid ? &*launch->grid : nullptr,
            launch->block ? &*launch->block : nullptr, launch->sharedMemory,
            &args);
        stepOffsets.push_back(
            p::CreateStepEntry(b, p::Step::Launch, launchOffset.Union()));
      } else if (const auto *copy = std::get_if<TestCopy>(&step)) {
        p::BufferRef source = ref(copy->source), target = ref(copy->target);
        auto copyOffset = p::CreateCopy(b, &source, &target);
        stepOffsets.push_back(
            p::CreateStepEntry(b, p::Step::Copy, copyOffset.Union()));
      } else {
        stepOffsets.push_back(p::CreateStepEntry(b));
      }
    }
    auto stepsOffset = b.CreateVector(stepOffsets);
    fb::Offset<p::SymbolicDim> dimOffset;
    if (symbolicDim)
      dimOffset = p::CreateSymbolicDimDirect(
          b, std::get<0>(*symbolicDim).c_str(), std::get<1>(*symbolicDim),
          std::get<2>(*symbolicDim));
    auto root = p::CreatePlan(
        b, formatVersion, b.CreateString(producer), inputsOffset, outputsOffset,
        arenaSize, arenaLowerBound, weightsOffset, blobOffset, kernelsOffset,
        stepsOffset, b.CreateString(execIr), dimOffset);
    p::FinishPlanBuffer(b, root);
    return std::vector<uint8_t>(b.GetBufferPointer(),
                                b.GetBufferPointer() + b.GetSize());
  }
};

/// Elements of the vector-add plan's tensors.
constexpr int kVectorLength = 1000;

inline std::string vectorAddSource() {
  return "#define N " + std::to_string(kVectorLength) + "\n" + R"(
extern "C" __global__ void add(const float *x, const float *y, float *out) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < N)
    out[i] = x[i] + y[i];
}
)";
}

/// out = a + w + b for f32[kVectorLength] a, b and weight w (w[i] = i):
/// two launches through the arena, then a copy to the output. Uses every
/// space and both step kinds.
inline TestPlan vectorAddPlan() {
  const uint64_t bytes = kVectorLength * sizeof(float);
  TestPlan plan;
  plan.inputs = {{"a", dsc::plan::DType::F32, {kVectorLength}},
                 {"b", dsc::plan::DType::F32, {kVectorLength}}};
  plan.outputs = {{"out", dsc::plan::DType::F32, {kVectorLength}}};
  plan.arenaSize = 2 * bytes;
  plan.arenaLowerBound = 2 * bytes;
  plan.blob.resize(bytes);
  for (int i = 0; i < kVectorLength; ++i) {
    float value = static_cast<float>(i);
    std::memcpy(plan.blob.data() + i * sizeof(float), &value, sizeof(float));
  }
  plan.weights = {{"w", 0, bytes, dsc::plan::DType::F32, {kVectorLength}}};
  plan.kernels = {{"add", "add", vectorAddSource(), "", {}}};
  const uint32_t blocks = (kVectorLength + 255) / 256;
  TestLaunch first;
  first.grid = std::vector<uint32_t>{blocks, 1, 1};
  first.block = std::vector<uint32_t>{256, 1, 1};
  first.args = {inputRef(0, 0, bytes), weightsRef(0, bytes),
                arenaRef(0, bytes)};
  TestLaunch second = first;
  second.args = {arenaRef(0, bytes), inputRef(1, 0, bytes),
                 arenaRef(bytes, bytes)};
  plan.steps = {first, second,
                TestCopy{arenaRef(bytes, bytes), outputRef(0, 0, bytes)}};
  plan.execIr = "exec.program {}";
  return plan;
}

/// What a GEMM test plan computes: D = act(A x B + bias + R), row-major,
/// `batch` products of A [m, k] (per batch) and B [k, n] (shared).
struct GemmCase {
  int64_t m = 37, n = 72, k = 40, batch = 1;
  bool f16 = false;
  bool bias = false, residual = false;
  dsc::plan::GemmActivation activation = dsc::plan::GemmActivation::None;
};

/// f32 to IEEE half bits, rounding to nearest even (normal range only, as
/// the test values are).
inline uint16_t halfBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000;
  int32_t exponent = int32_t((bits >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = bits & 0x7fffff;
  if (exponent <= 0)
    return static_cast<uint16_t>(sign);
  uint32_t half = sign | (uint32_t(exponent) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return static_cast<uint16_t>(half);
}

inline float halfValue(uint16_t half) {
  uint32_t sign = uint32_t(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff;
  uint32_t bits = exponent == 0
                      ? sign
                      : sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

/// A naive kernel computing `c` (one thread per element, f32 accumulation):
/// arguments A, B, [bias], [R], D as gemmPlan lays them out.
inline std::string gemmSource(const GemmCase &c) {
  std::string type = c.f16 ? "unsigned short" : "float";
  std::string source = "#define M " + std::to_string(c.m) + "\n#define N " +
                       std::to_string(c.n) + "\n#define K " +
                       std::to_string(c.k) + "\n#define BATCH " +
                       std::to_string(c.batch) + "\ntypedef " + type + " T;\n";
  source += c.f16 ? R"(
__device__ float load(T h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
__device__ T store(float f) { T h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
)"
                  : R"(
__device__ float load(T x) { return x; }
__device__ T store(float x) { return x; }
)";
  source += "extern \"C\" __global__ void gemm(const T *a, const T *b";
  if (c.bias)
    source += ", const T *bias";
  if (c.residual)
    source += ", const T *r";
  source += R"(, T *d) {
  long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= (long)BATCH * M * N)
    return;
  long z = i / (M * N), row = i / N % M, col = i % N;
  float acc = 0.0f;
  for (int kk = 0; kk < K; ++kk)
    acc += load(a[(z * M + row) * K + kk]) * load(b[kk * N + col]);
)";
  if (c.bias)
    source += "  acc += load(bias[col]);\n";
  if (c.residual)
    source += "  acc += load(r[i]);\n";
  if (c.activation == dsc::plan::GemmActivation::Relu)
    source += "  acc = fmaxf(acc, 0.0f);\n";
  if (c.activation == dsc::plan::GemmActivation::GeluTanh)
    source += "  acc = 0.5f * acc * (1.0f + tanhf(0.7978845608f * (acc + "
              "0.044715f * acc * acc * acc)));\n";
  source += "  d[i] = store(acc);\n}\n";
  return source;
}

/// Inputs "a" [batch, m, k] (and "r" [batch, m, n] with a residual), output
/// "d" [batch, m, n]; B [k, n] and the bias [n] are weights. One launch of
/// the naive kernel, which carries the equivalent library GEMM.
inline TestPlan gemmPlan(const GemmCase &c) {
  using dsc::plan::DType;
  DType dtype = c.f16 ? DType::F16 : DType::F32;
  uint64_t element = c.f16 ? 2 : 4;
  uint64_t aBytes = c.batch * c.m * c.k * element, bBytes = c.k * c.n * element,
           biasBytes = c.n * element, dBytes = c.batch * c.m * c.n * element;
  TestPlan plan;
  plan.inputs = {{"a", dtype, {c.batch, c.m, c.k}}};
  if (c.residual)
    plan.inputs.push_back({"r", dtype, {c.batch, c.m, c.n}});
  plan.outputs = {{"d", dtype, {c.batch, c.m, c.n}}};
  uint64_t biasOffset = (bBytes + 255) / 256 * 256;
  plan.blob.assign(biasOffset + biasBytes, 0);
  auto put = [&](uint64_t offset, size_t i, float value) {
    if (c.f16) {
      uint16_t half = halfBits(value);
      std::memcpy(plan.blob.data() + offset + i * 2, &half, 2);
    } else {
      std::memcpy(plan.blob.data() + offset + i * 4, &value, 4);
    }
  };
  for (int64_t i = 0; i < c.k * c.n; ++i)
    put(0, i, float((i * 7) % 11 - 5) / 8.0f);
  for (int64_t i = 0; i < c.n; ++i)
    put(biasOffset, i, float(i % 5 - 2) / 4.0f);
  plan.weights = {{"b", 0, bBytes, dtype, {c.k, c.n}},
                  {"bias", biasOffset, biasBytes, dtype, {c.n}}};
  TestGemm gemm;
  gemm.m = c.m;
  gemm.n = c.n;
  gemm.k = c.k;
  gemm.batch = c.batch;
  gemm.lda = c.k;
  gemm.ldb = c.n;
  gemm.ldd = c.n;
  gemm.strideA = c.m * c.k;
  gemm.strideD = c.m * c.n;
  gemm.inputType = gemm.outputType = dtype;
  gemm.activation = c.activation;
  TestLaunch launch;
  uint64_t elements = c.batch * c.m * c.n;
  launch.grid = std::vector<uint32_t>{uint32_t((elements + 127) / 128), 1, 1};
  launch.block = std::vector<uint32_t>{128, 1, 1};
  launch.args = {inputRef(0, 0, aBytes), weightsRef(0, bBytes)};
  if (c.bias) {
    gemm.biasArg = int32_t(launch.args.size());
    launch.args.push_back(weightsRef(biasOffset, biasBytes));
  }
  if (c.residual) {
    gemm.residualArg = int32_t(launch.args.size());
    launch.args.push_back(inputRef(1, 0, dBytes));
  }
  gemm.dArg = uint32_t(launch.args.size());
  launch.args.push_back(outputRef(0, 0, dBytes));
  plan.kernels = {{"gemm", "gemm", gemmSource(c), "", {}}};
  plan.kernels[0].gemm = gemm;
  plan.steps = {launch};
  plan.execIr = "exec.program {}";
  return plan;
}

} // namespace dsc::rt::test

#endif // DSC_RUNTIME_TEST_PLANBUILDER_H
