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

struct TestKernel {
  std::string name;
  std::string entry;
  std::string source;
  std::string arch;
  std::vector<uint8_t> cubin;
  bool perSample = false;
  uint8_t perSampleAxis = 2;
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
        out.push_back(p::CreateTensorSigDirect(b, t.name.c_str(), t.dtype,
                                               &t.shape, t.sampleAxis));
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
    for (const TestKernel &k : kernels)
      kernelOffsets.push_back(p::CreateKernelDirect(
          b, k.name.c_str(), k.entry.c_str(), k.source.c_str(),
          k.arch.empty() ? nullptr : k.arch.c_str(),
          k.cubin.empty() ? nullptr : &k.cubin, nullptr, false, k.perSample,
          k.perSampleAxis));
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

} // namespace dsc::rt::test

#endif // DSC_RUNTIME_TEST_PLANBUILDER_H
