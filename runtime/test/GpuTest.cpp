//===- GpuTest.cpp - Loading and running plans on a GPU ------------------===//
//
// Skipped, with the reason, where there is no CUDA driver or device.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GpuTestSupport.h"
#include "KernelCache.h"
#include "PlanBuilder.h"

#include "dsc/dsc.h"
#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace dsc::rt;
using namespace dsc::rt::test;

namespace {

struct VectorData {
  std::vector<float> a, b, out;
  VectorData() : a(kVectorLength), b(kVectorLength), out(kVectorLength, -1) {
    for (int i = 0; i < kVectorLength; ++i) {
      a[i] = 0.5f * i;
      b[i] = 1000.0f - i;
    }
  }
  /// out = a + w + b with w[i] = i.
  void expectCorrect() const {
    for (int i = 0; i < kVectorLength; ++i)
      ASSERT_EQ(out[i], a[i] + static_cast<float>(i) + b[i]) << "at " << i;
  }
};

void loadAndRunOnHost(Runtime &runtime, const TestPlan &testPlan) {
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(testPlan.build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  Status status = Plan::load(runtime, std::move(file), &plan);
  ASSERT_TRUE(status.isOk()) << status.toString();
  std::unique_ptr<Context> context;
  status = Context::create(*plan, &context);
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(context->workspaceSize(), testPlan.arenaSize);
  VectorData data;
  float ms = -1;
  status = context->runHost({data.a.data(), data.b.data()}, {data.out.data()},
                            nullptr, &ms);
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_GE(ms, 0.0f);
  data.expectCorrect();
}

} // namespace

TEST(Gpu, JitFromSourceThenFromDiskCache) {
  std::string cacheDir = makeTempDir();
  {
    CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
    std::printf("device %s (%s)\n", runtime->deviceName().c_str(),
                runtime->arch().c_str());
    loadAndRunOnHost(*runtime, vectorAddPlan());
    EXPECT_EQ(runtime->kernelCacheStats().compiled, 1u);
    EXPECT_EQ(runtime->kernelCacheStats().diskHits, 0u);
  }
  {
    CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
    loadAndRunOnHost(*runtime, vectorAddPlan());
    EXPECT_EQ(runtime->kernelCacheStats().compiled, 0u);
    EXPECT_EQ(runtime->kernelCacheStats().diskHits, 1u);
  }
}

TEST(Gpu, PlanCubinForThisArchIsUsed) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  TestPlan plan = vectorAddPlan();
  std::vector<char> cubin;
  Status status = runtime->kernelCache().compile("add", plan.kernels[0].source,
                                                 runtime->arch(), &cubin);
  ASSERT_TRUE(status.isOk()) << status.toString();
  plan.kernels[0].cubin.assign(cubin.begin(), cubin.end());
  plan.kernels[0].arch = runtime->arch();
  plan.kernels[0].source.clear();
  loadAndRunOnHost(*runtime, plan);
  EXPECT_EQ(runtime->kernelCacheStats().cubinsLoaded, 1u);
  EXPECT_EQ(runtime->kernelCacheStats().compiled, 0u);
}

TEST(Gpu, CubinForAnotherArchFallsBackToSource) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  TestPlan plan = vectorAddPlan();
  plan.kernels[0].cubin = {0xde, 0xad, 0xbe, 0xef};
  plan.kernels[0].arch = "sm_1";
  loadAndRunOnHost(*runtime, plan);
  EXPECT_EQ(runtime->kernelCacheStats().cubinsLoaded, 0u);
  EXPECT_EQ(runtime->kernelCacheStats().compiled, 1u);
}

TEST(Gpu, LoadErrors) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  auto expectLoadFails = [&](const TestPlan &testPlan, StatusCode code,
                             const char *fragment) {
    PlanFile file;
    ASSERT_TRUE(PlanFile::fromBytes(testPlan.build(), &file).isOk());
    std::unique_ptr<Plan> plan;
    Status status = Plan::load(*runtime, std::move(file), &plan);
    EXPECT_EQ(status.code(), code) << status.toString();
    EXPECT_NE(status.message().find(fragment), std::string::npos)
        << status.message();
    EXPECT_EQ(plan, nullptr);
  };
  TestPlan plan = vectorAddPlan();
  plan.kernels[0].entry = "missing";
  expectLoadFails(plan, StatusCode::kCudaError, "entry 'missing'");
  plan = vectorAddPlan();
  plan.kernels[0].source = "this is not CUDA";
  expectLoadFails(plan, StatusCode::kCompileError, "kernel 'add'");
  plan = vectorAddPlan();
  std::get<TestLaunch>(plan.steps[0]).sharedMemory = 100u << 20;
  expectLoadFails(plan, StatusCode::kInvalidPlan, "step 0 (launch)");
}

TEST(Gpu, LargeSharedMemoryIsOptedInto) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  if (runtime->maxSharedMemoryOptin() <= 64 * 1024)
    GTEST_SKIP() << "device allows no more than 64 KiB of shared memory";
  TestPlan plan = vectorAddPlan();
  std::get<TestLaunch>(plan.steps[0]).sharedMemory = 64 * 1024;
  loadAndRunOnHost(*runtime, plan);
}

TEST(Gpu, RunWithDevicePointersAndCallerWorkspace) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  const CudaDriver &cu = runtime->driver();
  ScopedContext scope(cu, runtime->context());
  ASSERT_TRUE(scope.status().isOk());

  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(vectorAddPlan().build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  ASSERT_TRUE(Plan::load(*runtime, std::move(file), &plan).isOk());
  const size_t bytes = kVectorLength * sizeof(float);
  CUdeviceptr a = 0, b = 0, out = 0, workspace = 0;
  ASSERT_EQ(cu.cuMemAlloc(&a, bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&b, bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&out, bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&workspace, plan->workspaceSize()), CUDA_SUCCESS);

  std::unique_ptr<Context> context;
  Status status = Context::create(*plan, &context, workspace);
  ASSERT_TRUE(status.isOk()) << status.toString();
  VectorData data;
  ASSERT_EQ(cu.cuMemcpyHtoD(a, data.a.data(), bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemcpyHtoD(b, data.b.data(), bytes), CUDA_SUCCESS);
  CUdeviceptr inputs[] = {a, b}, outputs[] = {out};
  // Twice: the second run re-patches the same pointers.
  for (int repeat = 0; repeat < 2; ++repeat) {
    status = context->run(inputs, outputs, nullptr);
    ASSERT_TRUE(status.isOk()) << status.toString();
  }
  ASSERT_EQ(cu.cuMemcpyDtoH(data.out.data(), out, bytes), CUDA_SUCCESS);
  data.expectCorrect();

  CUdeviceptr nullInputs[] = {a, 0};
  status = context->run(nullInputs, outputs, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("input 1 'b'"), std::string::npos);
  EXPECT_EQ(context->run(nullptr, outputs, nullptr).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      context->runHost({data.a.data()}, {data.out.data()}, nullptr).code(),
      StatusCode::kInvalidArgument);
  std::unique_ptr<Context> misaligned;
  EXPECT_EQ(Context::create(*plan, &misaligned, workspace + 4).code(),
            StatusCode::kInvalidArgument);

  context.reset();
  for (CUdeviceptr pointer : {a, b, out, workspace})
    cu.cuMemFree(pointer);
}

/// The graph captured at the first run is replayed, and updated when the
/// caller's pointers change; without graphs each kernel is launched.
TEST(Gpu, CudaGraphReplaysAndFollowsNewPointers) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  const CudaDriver &cu = runtime->driver();
  ScopedContext scope(cu, runtime->context());
  ASSERT_TRUE(scope.status().isOk());
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(vectorAddPlan().build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  ASSERT_TRUE(Plan::load(*runtime, std::move(file), &plan).isOk());
  const size_t bytes = kVectorLength * sizeof(float);
  CUdeviceptr a = 0, b = 0, out[2] = {0, 0};
  ASSERT_EQ(cu.cuMemAlloc(&a, bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&b, bytes), CUDA_SUCCESS);
  for (CUdeviceptr &buffer : out)
    ASSERT_EQ(cu.cuMemAlloc(&buffer, bytes), CUDA_SUCCESS);
  VectorData data;
  ASSERT_EQ(cu.cuMemcpyHtoD(a, data.a.data(), bytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemcpyHtoD(b, data.b.data(), bytes), CUDA_SUCCESS);

  for (bool graphs : {true, false}) {
    std::unique_ptr<Context> context;
    ASSERT_TRUE(Context::create(*plan, &context).isOk());
    context->setUseCudaGraphs(graphs);
    EXPECT_EQ(context->launchesPerRun(), 2u); // two kernels and a copy
    // Output 0, twice (capture, replay), then output 1 (update), then 0.
    for (int target : {0, 0, 1, 0}) {
      ASSERT_EQ(cu.cuMemsetD32Async(out[target], 0, kVectorLength, nullptr),
                CUDA_SUCCESS);
      CUdeviceptr inputs[] = {a, b}, outputs[] = {out[target]};
      Status status = context->run(inputs, outputs, nullptr);
      ASSERT_TRUE(status.isOk()) << status.toString();
      ASSERT_EQ(cu.cuStreamSynchronize(nullptr), CUDA_SUCCESS);
      std::fill(data.out.begin(), data.out.end(), -1.0f);
      ASSERT_EQ(cu.cuMemcpyDtoH(data.out.data(), out[target], bytes),
                CUDA_SUCCESS);
      data.expectCorrect();
    }
  }
  for (CUdeviceptr pointer : {a, b, out[0], out[1]})
    cu.cuMemFree(pointer);
}

/// 16 kernels that await the previous grid, launched back to back (with
/// programmatic stream serialization where the GPU has it, and without):
/// each reads a scattered permutation of what every block of the one before
/// wrote into one ping-pong buffer and overwrites the other, which the one
/// before read, so a grid that ran ahead of its predecessor would read or
/// clobber stale values.
TEST(Gpu, ProgrammaticLaunchesKeepStreamOrder) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  constexpr uint32_t kLength = 1 << 20, kSteps = 16;
  const uint64_t bytes = kLength * sizeof(float);
  TestPlan testPlan;
  testPlan.inputs = {{"a", dsc::plan::DType::F32, {kLength}}};
  testPlan.outputs = {{"out", dsc::plan::DType::F32, {kLength}}};
  testPlan.arenaSize = testPlan.arenaLowerBound = 2 * bytes;
  TestKernel kernel{"step", "step",
                    "#define N " + std::to_string(kLength) + "u\n" + R"(
extern "C" __global__ void step(const float *in, float *out) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;\n" ::: "memory");
  asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
#endif
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < N)
    out[i] = in[(i * 7919u + 13u) % N] + 1.0f;
}
)"};
  kernel.awaitsPreviousGrid = true;
  testPlan.kernels = {kernel};
  for (uint32_t s = 0; s < kSteps; ++s) {
    TestLaunch launch;
    launch.grid = std::vector<uint32_t>{kLength / 256, 1, 1};
    launch.block = std::vector<uint32_t>{256, 1, 1};
    launch.args = {s == 0 ? inputRef(0, 0, bytes)
                          : arenaRef((s + 1) % 2 * bytes, bytes),
                   arenaRef(s % 2 * bytes, bytes)};
    testPlan.steps.push_back(launch);
  }
  testPlan.steps.push_back(TestCopy{arenaRef((kSteps - 1) % 2 * bytes, bytes),
                                    outputRef(0, 0, bytes)});
  testPlan.execIr = "exec.program {}";
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(testPlan.build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  Status status = Plan::load(*runtime, std::move(file), &plan);
  ASSERT_TRUE(status.isOk()) << status.toString();

  // Hopper's driver has cuLaunchKernelEx (CUDA 12 and later).
  if (runtime->arch() == "sm_90")
    EXPECT_TRUE(runtime->programmaticLaunches());
  std::vector<float> a(kLength), expected(kLength), out(kLength);
  for (uint32_t i = 0; i < kLength; ++i)
    a[i] = float(i % 1000);
  for (uint32_t i = 0; i < kLength; ++i) {
    uint32_t j = i;
    for (uint32_t s = 0; s < kSteps; ++s)
      j = uint32_t((uint64_t(j) * 7919u + 13u) % kLength);
    expected[i] = a[j] + float(kSteps);
  }
  for (bool programmatic : {true, false})
    for (bool graphs : {true, false}) {
      SCOPED_TRACE(std::string(programmatic ? "programmatic" : "plain") +
                   (graphs ? ", graph" : ", launches"));
      std::unique_ptr<Context> context;
      ASSERT_TRUE(Context::create(*plan, &context).isOk());
      context->setUseCudaGraphs(graphs);
      context->setUseProgrammaticLaunches(programmatic);
      EXPECT_EQ(context->usesProgrammaticLaunches(),
                programmatic && runtime->programmaticLaunches());
      for (int repeat = 0; repeat < 3; ++repeat) {
        std::fill(out.begin(), out.end(), -1.0f);
        status = context->runHost({a.data()}, {out.data()}, nullptr);
        ASSERT_TRUE(status.isOk()) << status.toString();
        for (uint32_t i = 0; i < kLength; ++i)
          ASSERT_EQ(out[i], expected[i]) << "at " << i;
      }
    }
}

TEST(Gpu, CApiEndToEnd) {
  std::string cacheDir = makeTempDir();
  dsc_runtime *runtime = nullptr;
  if (dsc_status status = dsc_runtime_create(0, cacheDir.c_str(), &runtime)) {
    std::string message = dsc_status_get_message(status);
    dsc_status_destroy(status);
    GTEST_SKIP() << "no GPU: " << message;
  }
  std::vector<uint8_t> bytes = vectorAddPlan().build();
  dsc_plan *plan = nullptr;
  dsc_status status =
      dsc_plan_load_bytes(runtime, bytes.data(), bytes.size(), &plan);
  ASSERT_EQ(status, nullptr) << dsc_status_get_message(status);
  ASSERT_EQ(dsc_plan_num_inputs(plan), 2u);
  ASSERT_EQ(dsc_plan_num_outputs(plan), 1u);
  const char *name = nullptr;
  dsc_dtype dtype = DSC_BOOL;
  const int64_t *shape = nullptr;
  size_t rank = 0;
  uint64_t byteSize = 0;
  ASSERT_EQ(
      dsc_plan_input_info(plan, 1, &name, &dtype, &shape, &rank, &byteSize),
      nullptr);
  EXPECT_STREQ(name, "b");
  EXPECT_EQ(dtype, DSC_F32);
  ASSERT_EQ(rank, 1u);
  EXPECT_EQ(shape[0], kVectorLength);
  EXPECT_EQ(byteSize, kVectorLength * sizeof(float));
  dsc_status bad = dsc_plan_output_info(plan, 1, nullptr, nullptr, nullptr,
                                        nullptr, nullptr);
  EXPECT_EQ(dsc_status_get_code(bad), DSC_INVALID_ARGUMENT);
  dsc_status_destroy(bad);

  dsc_context *context = nullptr;
  status = dsc_context_create(plan, 0, &context);
  ASSERT_EQ(status, nullptr) << dsc_status_get_message(status);
  VectorData data;
  const void *inputs[] = {data.a.data(), data.b.data()};
  void *outputs[] = {data.out.data()};
  status = dsc_context_run_host(context, inputs, outputs, nullptr, nullptr);
  ASSERT_EQ(status, nullptr) << dsc_status_get_message(status);
  data.expectCorrect();
  dsc_context_destroy(context);
  dsc_plan_destroy(plan);
  dsc_runtime_destroy(runtime);
}

/// The vector-add plan for any number of samples up to 4: each launch runs
/// per sample (blockIdx.z), arena buffers and the caller's tensors hold one
/// sample after another, and the weight is shared.
TEST(Gpu, SymbolicDimensionRunsEverySize) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  TestPlan testPlan = vectorAddPlan();
  testPlan.symbolicDim = std::make_tuple(std::string("batch"), 2, 4);
  for (TestTensor &tensor : testPlan.inputs)
    tensor.sampleAxis = 0;
  testPlan.outputs[0].sampleAxis = 0;
  testPlan.kernels[0].perSample = true;
  // The first launch adds the shared weight (read at offset 0); the second
  // adds two per-sample buffers.
  testPlan.kernels[0].source =
      "#define N " + std::to_string(kVectorLength) + "\n" + R"(
extern "C" __global__ void add(const float *x, const float *w, float *out) {
  unsigned s = blockIdx.z;
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < N)
    out[s * N + i] = x[s * N + i] + w[i];
}
)";
  testPlan.kernels.push_back(
      {"add2",
       "add2",
       "#define N " + std::to_string(kVectorLength) + "\n" + R"(
extern "C" __global__ void add2(const float *x, const float *y, float *out) {
  unsigned s = blockIdx.z;
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < N)
    out[s * N + i] = x[s * N + i] + y[s * N + i];
}
)",
       "",
       {},
       true});
  std::get<TestLaunch>(testPlan.steps[1]).kernel = 1;

  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(testPlan.build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  ASSERT_TRUE(Plan::load(*runtime, std::move(file), &plan).isOk());
  std::unique_ptr<Context> context;
  ASSERT_TRUE(Context::create(*plan, &context).isOk());
  EXPECT_EQ(context->workspaceSize(), 4 * testPlan.arenaSize);

  std::vector<float> a(4 * kVectorLength), b(4 * kVectorLength),
      out(4 * kVectorLength, -1);
  for (int i = 0; i < 4 * kVectorLength; ++i) {
    a[i] = 0.25f * i;
    b[i] = 7.0f - i;
  }
  // Unset, out of range, misnamed: errors, not runs.
  Status unset = context->runHost({a.data(), b.data()}, {out.data()}, nullptr);
  EXPECT_EQ(unset.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.message().find("setDimension"), std::string::npos);
  Status tooMany = context->setDimension("batch", 5);
  EXPECT_NE(tooMany.message().find("outside the plan's range 2..4"),
            std::string::npos)
      << tooMany.message();
  EXPECT_FALSE(context->setDimension("batch", 1).isOk());
  EXPECT_FALSE(context->setDimension("seq", 3).isOk());

  for (int samples : {3, 2, 4}) {
    ASSERT_TRUE(context->setDimension("batch", samples).isOk());
    std::fill(out.begin(), out.end(), -1.0f);
    Status status =
        context->runHost({a.data(), b.data()}, {out.data()}, nullptr);
    ASSERT_TRUE(status.isOk()) << status.toString();
    for (int s = 0; s < 4; ++s)
      for (int i = 0; i < kVectorLength; ++i) {
        int at = s * kVectorLength + i;
        float expected =
            s < samples ? a[at] + static_cast<float>(i) + b[at] : -1.0f;
        ASSERT_EQ(out[at], expected) << samples << " samples, at " << at;
      }
  }
}
