//===- VariantGpuTest.cpp - Generated variants: forced, tuned, cached ----===//
//
// A plan whose kernel has three entries (plan.fbs Kernel.variants) that
// compute the same thing with other launch configurations, one of them
// through scratch. Skipped, with the reason, where there is no GPU.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"
#include "PlanBuilder.h"

#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

using namespace dsc::rt;
using namespace dsc::rt::test;

namespace {

/// `add` one element a thread; `add_t1` a grid-stride loop of 2 x 128
/// threads; `add_t2` the same adding the scratch's words, which must be
/// there and zero.
std::string variantSource() {
  return vectorAddSource() + R"(
extern "C" __global__ void add_t1(const float *x, const float *y, float *out) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < N;
       i += gridDim.x * blockDim.x)
    out[i] = x[i] + y[i];
}
extern "C" __global__ void add_t2(const float *x, const float *y, float *out,
                                  unsigned char *scratch) {
  extern __shared__ float staged[];
  const unsigned *zeros = reinterpret_cast<const unsigned *>(scratch);
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < N;
       i += gridDim.x * blockDim.x) {
    staged[threadIdx.x] = x[i] + y[i];
    out[i] = staged[threadIdx.x] + (float)zeros[i];
  }
}
)";
}

TestPlan variantPlan() {
  TestPlan plan = vectorAddPlan();
  TestKernel &kernel = plan.kernels[0];
  kernel.source = variantSource();
  kernel.description = "one element a thread";
  TestVariant strided;
  strided.entry = "add_t1";
  strided.grid = std::vector<uint32_t>{2, 1, 1};
  strided.block = std::vector<uint32_t>{128, 1, 1};
  strided.description = "grid-stride";
  TestVariant scratch = strided;
  scratch.entry = "add_t2";
  scratch.sharedMemory = 128 * sizeof(float);
  scratch.scratchBytes = kVectorLength * sizeof(unsigned);
  scratch.description = "through scratch";
  kernel.variants = {strided, scratch};
  return plan;
}

struct VectorData {
  std::vector<float> a, b, out;
  VectorData() : a(kVectorLength), b(kVectorLength), out(kVectorLength, -1) {
    for (int i = 0; i < kVectorLength; ++i) {
      a[i] = 0.5f * i;
      b[i] = 1000.0f - i;
    }
  }
};

/// Loads the variant plan with `options`, runs it and checks out = a + w + b.
void loadAndRun(Runtime &runtime, const PlanOptions &options,
                std::unique_ptr<Plan> *plan) {
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(variantPlan().build(), &file).isOk());
  Status status = Plan::load(runtime, std::move(file), plan, options);
  ASSERT_TRUE(status.isOk()) << status.toString();
  std::unique_ptr<Context> context;
  status = Context::create(**plan, &context);
  ASSERT_TRUE(status.isOk()) << status.toString();
  // Through the CUDA graph, twice (capture, replay), and launch by launch.
  for (bool graphs : {true, true, false}) {
    context->setUseCudaGraphs(graphs);
    VectorData data;
    status = context->runHost({data.a.data(), data.b.data()}, {data.out.data()},
                              nullptr);
    ASSERT_TRUE(status.isOk()) << status.toString();
    for (int i = 0; i < kVectorLength; ++i)
      ASSERT_EQ(data.out[i], data.a[i] + float(i) + data.b[i]) << "at " << i;
  }
}

} // namespace

TEST(VariantGpu, EveryVariantRunsWhenForced) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  for (int v = 0; v < 3; ++v) {
    SCOPED_TRACE("variant " + std::to_string(v));
    PlanOptions options;
    options.variant = v;
    std::unique_ptr<Plan> plan;
    loadAndRun(*runtime, options, &plan);
    ASSERT_NE(plan, nullptr);
    EXPECT_EQ(plan->variant(0), v);
    EXPECT_EQ(plan->tacticSource(), "variant " + std::to_string(v));
    ASSERT_EQ(plan->tuneReport().size(), 1u);
    EXPECT_EQ(plan->tuneReport()[0].variants.size(), 3u);
    EXPECT_EQ(plan->tuneReport()[0].variants[2].description, "through scratch");
  }
  // A variant the kernel does not have: its own entry.
  PlanOptions options;
  options.variant = 7;
  std::unique_ptr<Plan> plan;
  loadAndRun(*runtime, options, &plan);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->variant(0), 0);
}

TEST(VariantGpu, UntunedRunsVariantZero) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  std::unique_ptr<Plan> plan;
  loadAndRun(*runtime, PlanOptions(), &plan);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->variant(0), 0);
  EXPECT_EQ(plan->tacticSource(), "default");
}

TEST(VariantGpu, TuneTimesEveryVariantThenTheCacheDecides) {
  std::string cacheDir = makeTempDir();
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);
  PlanOptions retune;
  retune.tune = TuneMode::kRetune;
  std::unique_ptr<Plan> tuned;
  loadAndRun(*runtime, retune, &tuned);
  ASSERT_NE(tuned, nullptr);
  EXPECT_EQ(tuned->tacticSource(), "tuned");
  ASSERT_EQ(tuned->tuneReport().size(), 1u);
  const TuneEntry &entry = tuned->tuneReport()[0];
  ASSERT_EQ(entry.variants.size(), 3u);
  for (const TuneEntry::Variant &variant : entry.variants) {
    std::printf("variant %s: %.4f ms\n", variant.description.c_str(),
                variant.ms);
    EXPECT_TRUE(variant.usable);
    EXPECT_GT(variant.ms, 0.0f);
    EXPECT_GE(variant.ms, entry.variants[entry.variant].ms);
  }
  EXPECT_EQ(entry.generatedMs, entry.variants[entry.variant].ms);
  EXPECT_EQ(entry.variant, tuned->variant(0));
  EXPECT_EQ(entry.algorithm, -1);
  std::string path = tuned->tacticCachePath();
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(path.rfind(cacheDir, 0), 0u) << path;
  ASSERT_TRUE(std::ifstream(path).good()) << path;

  // A new runtime, as in a new process: the cache decides, nothing is timed.
  std::unique_ptr<Runtime> second;
  RuntimeOptions options;
  options.cacheDir = cacheDir;
  ASSERT_TRUE(Runtime::create(options, &second).isOk());
  std::unique_ptr<Plan> cached;
  loadAndRun(*second, PlanOptions(), &cached);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->tacticSource(), "cache");
  EXPECT_EQ(cached->variant(0), tuned->variant(0));
  EXPECT_LT(cached->tuneReport()[0].generatedMs, 0.0f);

  // The file's choice is what loads: another variant written in its place.
  std::string text;
  {
    std::ifstream stream(path);
    text.assign(std::istreambuf_iterator<char>(stream), {});
  }
  std::string line = "\n0 " + std::to_string(tuned->variant(0)) + " -1\n";
  size_t at = text.find(line);
  ASSERT_NE(at, std::string::npos) << text;
  int other = (tuned->variant(0) + 1) % 3;
  auto rewrite = [&](int variant) {
    std::string changed = text;
    changed.replace(at, line.size(),
                    "\n0 " + std::to_string(variant) + " -1\n");
    std::ofstream(path, std::ios::trunc) << changed;
  };
  rewrite(other);
  std::unique_ptr<Plan> edited;
  loadAndRun(*second, PlanOptions(), &edited);
  ASSERT_NE(edited, nullptr);
  EXPECT_EQ(edited->tacticSource(), "cache");
  EXPECT_EQ(edited->variant(0), other);
  // A variant the kernel does not have: the file is ignored (a warning).
  rewrite(5);
  std::unique_ptr<Plan> ignored;
  loadAndRun(*second, PlanOptions(), &ignored);
  ASSERT_NE(ignored, nullptr);
  EXPECT_EQ(ignored->tacticSource(), "default");
  EXPECT_EQ(ignored->variant(0), 0);

  // DSC_TUNE=variant:2 overrides the cache.
  setenv("DSC_TUNE", "variant:2", 1);
  std::unique_ptr<Plan> forced;
  loadAndRun(*second, PlanOptions(), &forced);
  unsetenv("DSC_TUNE");
  ASSERT_NE(forced, nullptr);
  EXPECT_EQ(forced->variant(0), 2);
  EXPECT_EQ(forced->tacticSource(), "variant 2");
}
