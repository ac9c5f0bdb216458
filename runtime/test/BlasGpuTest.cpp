//===- BlasGpuTest.cpp - cuBLASLt GEMMs against the generated kernels ----===//
//
// Each GEMM plan runs once with its generated kernel and once as a cuBLASLt
// matmul; both must match a host reference. Skipped, with the reason, where
// there is no GPU or no cuBLASLt.
//
//===----------------------------------------------------------------------===//

#include "Blas.h"
#include "CudaDriver.h"
#include "GpuTestSupport.h"
#include "PlanBuilder.h"

#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

using namespace dsc::rt;
using namespace dsc::rt::test;
using dsc::plan::GemmActivation;

namespace {

#define CREATE_BLAS_RUNTIME_OR_SKIP(runtime, cacheDir)                         \
  CREATE_RUNTIME_OR_SKIP(runtime, cacheDir);                                   \
  if (!runtime->blas())                                                        \
  GTEST_SKIP() << "no cuBLASLt: " << runtime->blasStatus()

/// The test values of A and R, element `i`.
float aValue(int64_t i) { return float((i * 5) % 9 - 4) / 4.0f; }
float rValue(int64_t i) { return float((i * 3) % 7 - 3) / 2.0f; }

/// A tensor of `count` values, as f16 bits or f32.
std::vector<uint8_t> tensorBytes(const GemmCase &c, int64_t count,
                                 float (*value)(int64_t)) {
  std::vector<uint8_t> bytes(count * (c.f16 ? 2 : 4));
  for (int64_t i = 0; i < count; ++i) {
    if (c.f16) {
      uint16_t half = halfBits(value(i));
      std::memcpy(bytes.data() + i * 2, &half, 2);
    } else {
      float v = value(i);
      std::memcpy(bytes.data() + i * 4, &v, 4);
    }
  }
  return bytes;
}

/// What gemmPlan(c) computes, in double from the same (rounded) values.
std::vector<double> reference(const GemmCase &c) {
  auto round = [&](float v) { return c.f16 ? halfValue(halfBits(v)) : v; };
  std::vector<double> out(c.batch * c.m * c.n);
  for (int64_t z = 0; z < c.batch; ++z)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        double acc = 0;
        for (int64_t kk = 0; kk < c.k; ++kk)
          acc += double(round(aValue((z * c.m + i) * c.k + kk))) *
                 round(float((kk * c.n + j) * 7 % 11 - 5) / 8.0f);
        int64_t at = (z * c.m + i) * c.n + j;
        if (c.bias)
          acc += round(float(j % 5 - 2) / 4.0f);
        if (c.residual)
          acc += round(rValue(at));
        if (c.activation == GemmActivation::Relu)
          acc = std::max(acc, 0.0);
        if (c.activation == GemmActivation::GeluTanh)
          acc = 0.5 * acc *
                (1 +
                 std::tanh(0.7978845608 * (acc + 0.044715 * acc * acc * acc)));
        out[at] = acc;
      }
  return out;
}

/// Loads gemmPlan(c) with `mode`, runs it and returns D as floats.
void runGemm(Runtime &runtime, const GemmCase &c, TuneMode mode,
             std::vector<float> *out, std::unique_ptr<Plan> *loaded = nullptr) {
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(gemmPlan(c).build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  PlanOptions options;
  options.tune = mode;
  Status status = Plan::load(runtime, std::move(file), &plan, options);
  ASSERT_TRUE(status.isOk()) << status.toString();
  std::unique_ptr<Context> context;
  status = Context::create(*plan, &context);
  ASSERT_TRUE(status.isOk()) << status.toString();
  std::vector<uint8_t> a = tensorBytes(c, c.batch * c.m * c.k, aValue);
  std::vector<uint8_t> r = tensorBytes(c, c.batch * c.m * c.n, rValue);
  std::vector<uint8_t> d(c.batch * c.m * c.n * (c.f16 ? 2 : 4));
  std::vector<const void *> inputs = {a.data()};
  if (c.residual)
    inputs.push_back(r.data());
  status = context->runHost(inputs, {d.data()}, nullptr);
  ASSERT_TRUE(status.isOk()) << status.toString();
  out->resize(c.batch * c.m * c.n);
  for (size_t i = 0; i < out->size(); ++i) {
    if (c.f16) {
      uint16_t half;
      std::memcpy(&half, d.data() + i * 2, 2);
      (*out)[i] = halfValue(half);
    } else {
      std::memcpy(&(*out)[i], d.data() + i * 4, 4);
    }
  }
  if (loaded)
    *loaded = std::move(plan);
}

void expectClose(const GemmCase &c, const std::vector<float> &got,
                 const std::vector<double> &want, const char *what) {
  // f16 output: its rounding (2^-11 relative) and the accumulation order.
  double tolerance = c.f16 ? 4e-3 : 1e-5;
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tolerance * (1 + std::abs(want[i])))
        << what << " at " << i;
}

std::string caseName(const GemmCase &c) {
  std::string name = c.f16 ? "f16" : "f32";
  if (c.batch > 1)
    name += " batch " + std::to_string(c.batch);
  if (c.bias)
    name += " +bias";
  if (c.residual)
    name += " +residual";
  if (c.activation == GemmActivation::Relu)
    name += " relu";
  if (c.activation == GemmActivation::GeluTanh)
    name += " gelu_tanh";
  return name;
}

std::vector<GemmCase> everyEpilogue() {
  std::vector<GemmCase> cases;
  for (bool f16 : {false, true}) {
    auto add = [&](bool bias, bool residual, GemmActivation activation,
                   int64_t batch = 1) {
      GemmCase c;
      c.f16 = f16;
      c.bias = bias;
      c.residual = residual;
      c.activation = activation;
      c.batch = batch;
      cases.push_back(c);
    };
    add(false, false, GemmActivation::None);
    add(true, false, GemmActivation::None);
    add(false, false, GemmActivation::Relu);
    add(true, false, GemmActivation::Relu);
    add(true, false, GemmActivation::GeluTanh);
    add(false, true, GemmActivation::None);
    add(true, true, GemmActivation::None);
    // cuBLASLt adds C before the activation: ResNet's relu(conv + bias + x).
    add(true, true, GemmActivation::Relu);
    add(false, true, GemmActivation::GeluTanh);
    add(true, false, GemmActivation::Relu, /*batch=*/3);
  }
  return cases;
}

} // namespace

TEST(BlasGpu, LibraryMatchesGeneratedForEveryEpilogue) {
  std::string cacheDir = makeTempDir();
  CREATE_BLAS_RUNTIME_OR_SKIP(runtime, cacheDir);
  for (const GemmCase &c : everyEpilogue()) {
    SCOPED_TRACE(caseName(c));
    std::vector<double> want = reference(c);
    std::vector<float> generated, library;
    std::unique_ptr<Plan> plan;
    runGemm(*runtime, c, TuneMode::kGeneratedOnly, &generated, &plan);
    ASSERT_NE(plan, nullptr);
    EXPECT_EQ(plan->tactic(0), -1);
    EXPECT_FALSE(plan->usesLibrary());
    expectClose(c, generated, want, "generated");
    runGemm(*runtime, c, TuneMode::kLibraryOnly, &library, &plan);
    ASSERT_NE(plan, nullptr);
    EXPECT_EQ(plan->tactic(0), 0) << plan->tuneReport()[0].unavailable;
    ASSERT_NE(plan->gemm(0), nullptr);
    EXPECT_GE(plan->gemm(0)->candidates().size(), 1u);
    // The context's memory holds cuBLASLt's workspace after the arena.
    EXPECT_EQ(plan->workspaceSize(), kBlasWorkspaceBytes);
    expectClose(c, library, want, "cuBLASLt");
  }
}

TEST(BlasGpu, TuneThenReloadUsesTheCache) {
  std::string cacheDir = makeTempDir();
  CREATE_BLAS_RUNTIME_OR_SKIP(runtime, cacheDir);
  GemmCase c;
  c.f16 = true;
  c.bias = true;
  c.activation = GemmActivation::GeluTanh;
  c.m = 512;
  c.n = 768;
  c.k = 256;
  std::vector<double> want = reference(c);
  std::vector<float> out;
  std::unique_ptr<Plan> tuned;
  runGemm(*runtime, c, TuneMode::kRetune, &out, &tuned);
  ASSERT_NE(tuned, nullptr);
  expectClose(c, out, want, "tuned");
  EXPECT_EQ(tuned->tacticSource(), "tuned");
  ASSERT_EQ(tuned->tuneReport().size(), 1u);
  const TuneEntry &entry = tuned->tuneReport()[0];
  std::printf("tuned %s: generated %.4f ms, cuBLASLt %.4f ms, choice %d\n",
              entry.shape.c_str(), entry.generatedMs, entry.libraryMs,
              entry.algorithm);
  EXPECT_GT(entry.generatedMs, 0.0f);
  EXPECT_GT(entry.libraryMs, 0.0f);
  EXPECT_EQ(entry.algorithm, tuned->tactic(0));
  EXPECT_EQ(entry.algorithm >= 0, entry.libraryMs < entry.generatedMs);
  std::string path = tuned->tacticCachePath();
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(path.rfind(cacheDir, 0), 0u) << path;
  std::ifstream written(path);
  ASSERT_TRUE(written.good()) << path;

  // A new runtime, as in a new process: the cache decides, nothing is timed.
  std::unique_ptr<Runtime> second;
  RuntimeOptions options;
  options.cacheDir = cacheDir;
  ASSERT_TRUE(Runtime::create(options, &second).isOk());
  std::unique_ptr<Plan> cached;
  runGemm(*second, c, TuneMode::kCached, &out, &cached);
  ASSERT_NE(cached, nullptr);
  expectClose(c, out, want, "cached");
  EXPECT_EQ(cached->tacticSource(), "cache");
  EXPECT_EQ(cached->tactic(0), tuned->tactic(0));
  EXPECT_LT(cached->tuneReport()[0].generatedMs, 0.0f);

  // A corrupt cache is ignored (with a warning): the default tactics.
  {
    std::ofstream corrupt(path, std::ios::trunc);
    corrupt << "dsc-tactics 1\ngarbage\n";
  }
  std::unique_ptr<Plan> fallback;
  runGemm(*second, c, TuneMode::kCached, &out, &fallback);
  ASSERT_NE(fallback, nullptr);
  expectClose(c, out, want, "after a corrupt cache");
  EXPECT_EQ(fallback->tacticSource(), "default");
  EXPECT_EQ(fallback->tactic(0), -1);

  // DSC_TUNE=1 retunes where the cache does not answer, and rewrites it.
  setenv("DSC_TUNE", "1", 1);
  std::unique_ptr<Plan> retuned;
  runGemm(*second, c, TuneMode::kCached, &out, &retuned);
  unsetenv("DSC_TUNE");
  ASSERT_NE(retuned, nullptr);
  EXPECT_EQ(retuned->tacticSource(), "tuned");
  std::unique_ptr<Plan> again;
  runGemm(*second, c, TuneMode::kCached, &out, &again);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->tacticSource(), "cache");
}

TEST(BlasGpu, LibraryStepsRunWithCallerPointersAndWorkspace) {
  std::string cacheDir = makeTempDir();
  CREATE_BLAS_RUNTIME_OR_SKIP(runtime, cacheDir);
  const CudaDriver &cu = runtime->driver();
  ScopedContext scope(cu, runtime->context());
  ASSERT_TRUE(scope.status().isOk());
  GemmCase c;
  c.f16 = true;
  c.bias = true;
  c.residual = true;
  std::vector<double> want = reference(c);
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(gemmPlan(c).build(), &file).isOk());
  std::unique_ptr<Plan> plan;
  PlanOptions options;
  options.tune = TuneMode::kLibraryOnly;
  Status status = Plan::load(*runtime, std::move(file), &plan, options);
  ASSERT_TRUE(status.isOk()) << status.toString();
  ASSERT_TRUE(plan->usesLibrary());

  std::vector<uint8_t> a = tensorBytes(c, c.m * c.k, aValue);
  std::vector<uint8_t> r = tensorBytes(c, c.m * c.n, rValue);
  std::vector<uint16_t> d(c.m * c.n);
  size_t dBytes = d.size() * 2;
  // 256 spare bytes: A also runs from a pointer only 2-byte aligned.
  CUdeviceptr aDevice = 0, rDevice = 0, dDevice = 0, workspace = 0;
  ASSERT_EQ(cu.cuMemAlloc(&aDevice, a.size() + 256), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&rDevice, r.size()), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&dDevice, dBytes), CUDA_SUCCESS);
  ASSERT_EQ(cu.cuMemAlloc(&workspace, plan->workspaceSize()), CUDA_SUCCESS);
  std::unique_ptr<Context> context;
  status = Context::create(*plan, &context, workspace);
  ASSERT_TRUE(status.isOk()) << status.toString();
  ASSERT_EQ(cu.cuMemcpyHtoD(rDevice, r.data(), r.size()), CUDA_SUCCESS);
  for (CUdeviceptr aPointer : {aDevice, aDevice + 2}) {
    SCOPED_TRACE(aPointer == aDevice ? "aligned A" : "A 2 bytes off");
    ASSERT_EQ(cu.cuMemcpyHtoD(aPointer, a.data(), a.size()), CUDA_SUCCESS);
    ASSERT_EQ(cu.cuMemsetD32Async(dDevice, 0, dBytes / 4, nullptr),
              CUDA_SUCCESS);
    CUdeviceptr inputs[] = {aPointer, rDevice}, outputs[] = {dDevice};
    status = context->run(inputs, outputs, nullptr);
    ASSERT_TRUE(status.isOk()) << status.toString();
    ASSERT_EQ(cu.cuMemcpyDtoH(d.data(), dDevice, dBytes), CUDA_SUCCESS);
    std::vector<float> got(d.size());
    for (size_t i = 0; i < d.size(); ++i)
      got[i] = halfValue(d[i]);
    expectClose(c, got, want, "caller pointers");
  }
  context.reset();
  for (CUdeviceptr pointer : {aDevice, rDevice, dDevice, workspace})
    cu.cuMemFree(pointer);
}
