//===- PlanFileTest.cpp - Plan parsing and every semantic check ----------===//

#include "PlanBuilder.h"

#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

using namespace dsc::rt;
using namespace dsc::rt::test;
using PlanDType = dsc::plan::DType;

namespace {

/// Expects `plan` to be rejected as invalid with a message containing
/// every one of `fragments`.
void expectRejected(const TestPlan &plan,
                    std::initializer_list<const char *> fragments) {
  PlanFile file;
  Status status = PlanFile::fromBytes(plan.build(), &file);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kInvalidPlan) << status.toString();
  for (const char *fragment : fragments)
    EXPECT_NE(status.message().find(fragment), std::string::npos)
        << "message '" << status.message() << "' lacks '" << fragment << "'";
  EXPECT_EQ(file.raw(), nullptr);
}

TestLaunch &launchAt(TestPlan &plan, size_t step) {
  return std::get<TestLaunch>(plan.steps[step]);
}

} // namespace

TEST(PlanFile, ValidPlanParses) {
  PlanFile file;
  Status status = PlanFile::fromBytes(vectorAddPlan().build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  ASSERT_NE(file.raw(), nullptr);
  ASSERT_EQ(file.inputs().size(), 2u);
  EXPECT_EQ(file.inputs()[0].name, "a");
  EXPECT_EQ(file.inputs()[1].name, "b");
  EXPECT_EQ(file.inputs()[0].dtype, dsc::rt::DType::kF32);
  EXPECT_EQ(file.inputs()[0].shape, std::vector<int64_t>{kVectorLength});
  EXPECT_EQ(file.inputs()[0].byteSize, kVectorLength * 4u);
  ASSERT_EQ(file.outputs().size(), 1u);
  EXPECT_EQ(file.outputs()[0].name, "out");
  ASSERT_EQ(file.weights().size(), 1u);
  EXPECT_EQ(file.weights()[0].name, "w");
  EXPECT_EQ(file.weights()[0].size, kVectorLength * 4u);
  EXPECT_EQ(file.weightsBlobSize(), kVectorLength * 4u);
  // The blob keeps the schema's 256-byte alignment within the buffer.
  EXPECT_EQ((file.weightsBlob() - file.bytes().data()) % 256, 0);
  EXPECT_EQ(file.numKernels(), 1u);
  EXPECT_EQ(file.numSteps(), 3u);
  EXPECT_EQ(file.arenaSize(), 2 * kVectorLength * 4u);
  EXPECT_EQ(file.arenaLowerBound(), 2 * kVectorLength * 4u);
  EXPECT_EQ(file.producer(), "dsc test");
  EXPECT_EQ(file.execIr(), "exec.program {}");
}

/// The vector-add plan as one sample of a symbolic dimension 'batch'.
TestPlan perSampleVectorAddPlan(int64_t min, int64_t max) {
  TestPlan plan = vectorAddPlan();
  plan.symbolicDim = std::make_tuple(std::string("batch"), min, max);
  for (TestTensor &tensor : plan.inputs)
    tensor.sampleAxis = 0;
  plan.outputs[0].sampleAxis = 0;
  plan.kernels[0].perSample = true;
  return plan;
}

TEST(PlanFile, SymbolicDimensionParses) {
  PlanFile file;
  Status status =
      PlanFile::fromBytes(perSampleVectorAddPlan(1, 64).build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  ASSERT_TRUE(file.symbolicDim().has_value());
  EXPECT_EQ(file.symbolicDim()->name, "batch");
  EXPECT_EQ(file.symbolicDim()->min, 1);
  EXPECT_EQ(file.symbolicDim()->max, 64);
  EXPECT_EQ(file.inputs()[0].sampleAxis, 0);
  EXPECT_EQ(file.inputs()[0].bytesFor(3), 3 * kVectorLength * 4u);
  EXPECT_EQ(file.inputs()[0].shapeFor(3),
            std::vector<int64_t>{3 * kVectorLength});
  EXPECT_FALSE(PlanFile().symbolicDim().has_value());
}

TEST(PlanFile, RejectsBadSymbolicDimensions) {
  auto rejects = [](const TestPlan &plan, const std::string &words) {
    PlanFile file;
    Status status = PlanFile::fromBytes(plan.build(), &file);
    EXPECT_FALSE(status.isOk());
    EXPECT_NE(status.message().find(words), std::string::npos)
        << status.message();
  };
  rejects(perSampleVectorAddPlan(4, 2), "range 4..2");
  rejects(perSampleVectorAddPlan(0, 2), "range 0..2");
  // The grid's z extent times the samples must fit 65535.
  TestPlan wide = perSampleVectorAddPlan(1, 70000);
  rejects(wide, "range 1..70000");
  TestPlan tall = perSampleVectorAddPlan(1, 1000);
  std::get<TestLaunch>(tall.steps[0]).grid = std::vector<uint32_t>{1, 1, 100};
  rejects(tall, "exceeds the limit of 65535");
  TestPlan rows = perSampleVectorAddPlan(1, 1000);
  rows.kernels[0].perSampleAxis = 1;
  std::get<TestLaunch>(rows.steps[0]).grid = std::vector<uint32_t>{1, 100, 1};
  rejects(rows, "grid y 100 times 1000 samples");
  TestPlan sideways = perSampleVectorAddPlan(1, 4);
  sideways.kernels[0].perSampleAxis = 0;
  rejects(sideways, "per_sample_axis 0 is neither 1 (y) nor 2 (z)");
  // A sample axis needs a symbolic dimension, and must be an axis.
  TestPlan stray = vectorAddPlan();
  stray.inputs[0].sampleAxis = 0;
  rejects(stray, "has a sample axis but the plan has no symbolic dimension");
  TestPlan outside = perSampleVectorAddPlan(1, 4);
  outside.outputs[0].sampleAxis = 1;
  rejects(outside, "sample_axis 1 is not an axis");
}

TEST(PlanFile, RejectsStringTensorsThatAreNotByteSlots) {
  // A string tensor is u8 with its slot dimension last.
  TestPlan floats = vectorAddPlan();
  floats.inputs[0].isString = true;
  expectRejected(floats, {"input 0", "a string tensor must be u8"});
  TestPlan scalar = vectorAddPlan();
  scalar.outputs[0].isString = true;
  scalar.outputs[0].dtype = PlanDType::U8;
  scalar.outputs[0].shape = {};
  expectRejected(scalar, {"output 0", "slot dimension last"});
}

TEST(PlanFile, EmptyPlanParses) {
  TestPlan plan;
  PlanFile file;
  Status status = PlanFile::fromBytes(plan.build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(file.numSteps(), 0u);
  EXPECT_EQ(file.weightsBlobSize(), 0u);
}

TEST(PlanFile, ZeroSizedTensorsAreAllowed) {
  TestPlan plan;
  plan.inputs = {{"empty", PlanDType::F16, {0, 7}}};
  PlanFile file;
  Status status = PlanFile::fromBytes(plan.build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(file.inputs()[0].byteSize, 0u);
}

TEST(PlanFile, ScalarTensorsAreAllowed) {
  // Rank-0 shapes are empty vectors, which FlatBuffers places unaligned; names
  // of several lengths move them around.
  TestPlan plan;
  plan.inputs = {{"a", PlanDType::I64, {}},
                 {"bb", PlanDType::F32, {}},
                 {"ccc", PlanDType::F16, {}}};
  plan.outputs = {{"dddd", PlanDType::I64, {}}, {"eeeee", PlanDType::F64, {}}};
  PlanFile file;
  Status status = PlanFile::fromBytes(plan.build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(file.inputs()[0].byteSize, 8u);
  EXPECT_EQ(file.inputs()[2].byteSize, 2u);
  EXPECT_TRUE(file.outputs()[1].shape.empty());
}

TEST(PlanFile, RejectsTooSmall) {
  PlanFile file;
  Status status = PlanFile::fromBytes({1, 2, 3}, &file);
  EXPECT_EQ(status.code(), StatusCode::kInvalidPlan);
  EXPECT_NE(status.message().find("too small"), std::string::npos);
}

TEST(PlanFile, RejectsWrongIdentifier) {
  std::vector<uint8_t> bytes = vectorAddPlan().build();
  bytes[4] = 'X';
  PlanFile file;
  Status status = PlanFile::fromBytes(bytes, &file);
  EXPECT_EQ(status.code(), StatusCode::kInvalidPlan);
  EXPECT_NE(status.message().find("DSCP"), std::string::npos);
}

TEST(PlanFile, RejectsFormatVersion) {
  TestPlan plan = vectorAddPlan();
  plan.formatVersion = 2;
  expectRejected(plan, {"format_version 2"});
}

TEST(PlanFile, RejectsKernelIndex) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 1).kernel = 5;
  expectRejected(plan, {"step 1 (launch)", "kernel index 5", "1 kernels"});
}

TEST(PlanFile, RejectsGridAndBlockShapes) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 0).grid = std::vector<uint32_t>{4, 1};
  expectRejected(plan, {"step 0 (launch)", "grid", "exactly 3", "has 2"});
  plan = vectorAddPlan();
  launchAt(plan, 0).grid.reset();
  expectRejected(plan, {"step 0 (launch)", "grid", "has 0"});
  plan = vectorAddPlan();
  launchAt(plan, 1).block = std::vector<uint32_t>{256, 0, 1};
  expectRejected(plan, {"step 1 (launch)", "block[1] is 0"});
  plan = vectorAddPlan();
  launchAt(plan, 1).block = std::vector<uint32_t>{1, 1, 1, 1};
  expectRejected(plan, {"step 1 (launch)", "block", "has 4"});
}

TEST(PlanFile, RejectsArenaRange) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 1).args[2] = arenaRef(plan.arenaSize - 4, 8);
  expectRejected(plan, {"step 1 (launch) arg 2", "arena range", "arena_size"});
}

TEST(PlanFile, RejectsOverflowingRange) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 0).args[2] = arenaRef(UINT64_MAX - 2, 8);
  expectRejected(plan, {"step 0 (launch) arg 2", "arena range"});
}

TEST(PlanFile, RejectsWeightsRange) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 0).args[1] = weightsRef(4, plan.blob.size());
  expectRejected(plan, {"step 0 (launch) arg 1", "weights blob"});
}

TEST(PlanFile, RejectsInputIndexAndRange) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 1).args[1] = inputRef(2, 0, 4);
  expectRejected(plan, {"step 1 (launch) arg 1", "input index 2", "2 inputs"});
  plan = vectorAddPlan();
  launchAt(plan, 1).args[1] = inputRef(1, 4, kVectorLength * 4);
  expectRejected(plan, {"step 1 (launch) arg 1", "input 1 'b'"});
}

TEST(PlanFile, RejectsOutputIndexAndRange) {
  TestPlan plan = vectorAddPlan();
  std::get<TestCopy>(plan.steps[2]).target = outputRef(1, 0, kVectorLength * 4);
  expectRejected(plan, {"step 2 (copy) target", "output index 1"});
  plan = vectorAddPlan();
  std::get<TestCopy>(plan.steps[2]).target = outputRef(0, 8, kVectorLength * 4);
  expectRejected(plan, {"step 2 (copy) target", "output 0 'out'"});
}

TEST(PlanFile, RejectsInvalidSpace) {
  TestPlan plan = vectorAddPlan();
  launchAt(plan, 0).args[0].space = static_cast<dsc::plan::Space>(9);
  expectRejected(plan, {"step 0 (launch) arg 0", "invalid space 9"});
}

TEST(PlanFile, RejectsCopySizeMismatch) {
  TestPlan plan = vectorAddPlan();
  std::get<TestCopy>(plan.steps[2]).source = arenaRef(0, 8);
  expectRejected(plan, {"step 2 (copy)", "differs"});
}

TEST(PlanFile, RejectsEmptyStep) {
  TestPlan plan = vectorAddPlan();
  plan.steps.push_back(TestEmptyStep{});
  expectRejected(plan, {"step 3", "empty or unknown step"});
}

TEST(PlanFile, RejectsWeightTableEntry) {
  TestPlan plan = vectorAddPlan();
  plan.weights.push_back(
      {"bias", plan.blob.size() - 2, 4, PlanDType::F32, {1}});
  expectRejected(plan, {"weight 1 'bias'", "weights blob"});
  plan = vectorAddPlan();
  plan.weights[0].shape = {-3};
  expectRejected(plan, {"weight 0 'w'", "negative dimension -3"});
}

TEST(PlanFile, RejectsSignatureDTypeAndShape) {
  TestPlan plan = vectorAddPlan();
  plan.inputs[1].dtype = static_cast<PlanDType>(42);
  expectRejected(plan, {"input 1 'b'", "invalid dtype 42"});
  plan = vectorAddPlan();
  plan.outputs[0].shape = {10, -1};
  expectRejected(plan, {"output 0 'out'", "negative dimension -1 at axis 1"});
  plan = vectorAddPlan();
  plan.inputs[0].shape = {INT64_MAX, INT64_MAX};
  expectRejected(plan, {"input 0 'a'", "overflows"});
}

TEST(PlanFile, RejectsKernelWithoutCode) {
  TestPlan plan = vectorAddPlan();
  plan.kernels[0].source.clear();
  expectRejected(plan, {"kernel 0 'add'", "neither cubin nor source"});
  plan = vectorAddPlan();
  plan.kernels[0].cubin = {1, 2, 3};
  expectRejected(plan, {"kernel 0 'add'", "no arch"});
  plan = vectorAddPlan();
  plan.kernels[0].entry.clear();
  expectRejected(plan, {"kernel 0 'add'", "empty entry"});
}

TEST(PlanFile, CubinWithoutSourceIsValid) {
  TestPlan plan = vectorAddPlan();
  plan.kernels[0].source.clear();
  plan.kernels[0].cubin = {1, 2, 3};
  plan.kernels[0].arch = "sm_90";
  PlanFile file;
  Status status = PlanFile::fromBytes(plan.build(), &file);
  EXPECT_TRUE(status.isOk()) << status.toString();
}

/// The vector-add plan whose kernel has two more variants: another block
/// size, and one taking scratch.
TestPlan variantPlan() {
  TestPlan plan = vectorAddPlan();
  TestKernel &kernel = plan.kernels[0];
  kernel.description = "one element a thread";
  TestVariant wide;
  wide.entry = "add_t1";
  wide.grid = std::vector<uint32_t>{2, 1, 1};
  wide.block = std::vector<uint32_t>{128, 1, 1};
  wide.description = "128 threads";
  TestVariant scratch = wide;
  scratch.entry = "add_t2";
  scratch.sharedMemory = 100 * 1024;
  scratch.scratchBytes = 4096;
  scratch.description = "with scratch";
  kernel.variants = {wide, scratch};
  return plan;
}

TEST(PlanFile, VariantsParse) {
  PlanFile file;
  Status status = PlanFile::fromBytes(variantPlan().build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  const dsc::plan::Kernel *kernel = file.raw()->kernels()->Get(0);
  ASSERT_NE(kernel->variants(), nullptr);
  ASSERT_EQ(kernel->variants()->size(), 2u);
  EXPECT_EQ(kernel->description()->str(), "one element a thread");
  EXPECT_EQ(kernel->variants()->Get(0)->entry()->str(), "add_t1");
  EXPECT_EQ(kernel->variants()->Get(0)->block()->Get(0), 128u);
  EXPECT_EQ(kernel->variants()->Get(1)->scratch_bytes(), 4096u);
  EXPECT_EQ(kernel->variants()->Get(1)->description()->str(), "with scratch");
}

TEST(PlanFile, RejectsBadVariants) {
  TestPlan plan = variantPlan();
  plan.kernels[0].variants[1].entry.clear();
  expectRejected(plan, {"kernel 0 'add' variant 2", "empty entry"});
  plan = variantPlan();
  plan.kernels[0].variants[0].grid = std::vector<uint32_t>{1, 1};
  expectRejected(plan,
                 {"kernel 0 'add' variant 1", "grid must have exactly 3"});
  plan = variantPlan();
  plan.kernels[0].variants[0].block.reset();
  expectRejected(plan, {"variant 1", "block must have exactly 3"});
  plan = variantPlan();
  plan.kernels[0].variants[0].block = std::vector<uint32_t>{64, 0, 1};
  expectRejected(plan, {"variant 1", "block[1] is 0"});
  plan = variantPlan();
  plan.kernels[0].variants[0].block = std::vector<uint32_t>{64, 32, 1};
  expectRejected(plan, {"variant 1", "more than 1024 threads"});
  plan = variantPlan();
  plan.kernels[0].variants[0].grid = std::vector<uint32_t>{1, 70000, 1};
  expectRejected(plan, {"variant 1", "exceeds CUDA's limits"});
  plan = variantPlan();
  plan.kernels[0].variants[1].sharedMemory = 300 * 1024;
  expectRejected(plan, {"variant 2", "shared_memory 307200"});
  plan = variantPlan();
  plan.kernels[0].variants[1].scratchBytes = uint64_t(1) << 40;
  expectRejected(plan, {"variant 2", "scratch of"});
  plan = variantPlan();
  plan.kernels[0].variants.resize(PlanFile::kMaxVariants + 1,
                                  plan.kernels[0].variants[0]);
  expectRejected(plan,
                 {"kernel 0 'add'", "17 variants exceed the limit of 16"});
  // Per-sample launches scale the grid of the kernel's one entry.
  plan = perSampleVectorAddPlan(1, 4);
  plan.kernels[0].variants = variantPlan().kernels[0].variants;
  expectRejected(plan,
                 {"kernel 0 'add'", "per-sample kernel cannot have variants"});
}

/// The variant plan whose first variant takes an im2col map of its second
/// argument (4000 bytes): one image of 3 x 5 pixels of 64 halves.
TestPlan tensorMapPlan() {
  TestPlan plan = variantPlan();
  TestTensorMap map;
  map.arg = 1;
  map.dims = {64, 5, 3, 1};
  map.strides = {128, 640, 1920};
  map.lowerCorner = {-1, -1};
  map.upperCorner = {-1, -1};
  map.elementStrides = {1, 1, 1, 1};
  plan.kernels[0].variants[0].tensorMaps = {map};
  return plan;
}

TEST(PlanFile, TensorMapsParse) {
  PlanFile file;
  Status status = PlanFile::fromBytes(tensorMapPlan().build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  const auto *maps =
      file.raw()->kernels()->Get(0)->variants()->Get(0)->tensor_maps();
  ASSERT_NE(maps, nullptr);
  ASSERT_EQ(maps->size(), 1u);
  EXPECT_EQ(maps->Get(0)->arg(), 1u);
  EXPECT_EQ(maps->Get(0)->dims()->Get(0), 64u);
  EXPECT_EQ(maps->Get(0)->upper_corner()->Get(1), -1);
  EXPECT_EQ(maps->Get(0)->pixels_per_column(), 128u);
}

TEST(PlanFile, RejectsBadTensorMaps) {
  auto rejected = [](auto edit, std::initializer_list<const char *> fragments) {
    TestPlan plan = tensorMapPlan();
    edit(plan.kernels[0].variants[0].tensorMaps[0]);
    expectRejected(plan, {"variant 1 tensor map 0"});
    expectRejected(plan, fragments);
  };
  rejected([](TestTensorMap &m) { m.arg = 3; },
           {"argument 3 out of range (3 arguments)"});
  rejected([](TestTensorMap &m) { m.dims = {64, 5}; }, {"rank 2"});
  rejected([](TestTensorMap &m) { m.strides.pop_back(); },
           {"do not match rank 4"});
  rejected([](TestTensorMap &m) { m.elementBytes = 3; }, {"element_bytes 3"});
  rejected([](TestTensorMap &m) { m.dims[2] = 0; }, {"size 0 of dimension 2"});
  rejected([](TestTensorMap &m) { m.elementStrides[1] = 9; },
           {"element stride 9"});
  rejected([](TestTensorMap &m) { m.strides[0] = 120; },
           {"stride 120 of dimension 1"});
  // A stride that does not cover the dimensions inside it would let the
  // extent understate what the map reaches.
  rejected(
      [](TestTensorMap &m) {
        m.strides = {128, 320, 1920};
      },
      {"stride 320 of dimension 2"});
  rejected([](TestTensorMap &m) { m.lowerCorner[0] = -200; },
           {"corner -200", "8-bit range of a rank-4 map"});
  rejected([](TestTensorMap &m) { m.channelsPerPixel = 300; },
           {"within 1..256"});
  rejected([](TestTensorMap &m) { m.channelsPerPixel = 128; },
           {"exceed the 128-byte swizzle"});
  rejected([](TestTensorMap &m) { m.dims[3] = 3; },
           {"5760 bytes exceed argument 1 (4000 bytes)"});
}

TEST(PlanFile, LibraryGemmParses) {
  GemmCase gemm;
  gemm.f16 = true;
  gemm.bias = true;
  gemm.batch = 2;
  gemm.activation = dsc::plan::GemmActivation::GeluTanh;
  PlanFile file;
  Status status = PlanFile::fromBytes(gemmPlan(gemm).build(), &file);
  ASSERT_TRUE(status.isOk()) << status.toString();
  const dsc::plan::LibraryGemm *library =
      file.raw()->kernels()->Get(0)->library_gemm();
  ASSERT_NE(library, nullptr);
  EXPECT_EQ(library->m(), gemm.m);
  EXPECT_EQ(library->n(), gemm.n);
  EXPECT_EQ(library->k(), gemm.k);
  EXPECT_EQ(library->batch(), 2);
  EXPECT_EQ(library->stride_b(), 0);
  EXPECT_EQ(library->input_type(), PlanDType::F16);
  EXPECT_EQ(library->bias_arg(), 2);
  EXPECT_EQ(library->residual_arg(), -1);
  EXPECT_EQ(library->d_arg(), 3u);
  EXPECT_EQ(library->activation(), dsc::plan::GemmActivation::GeluTanh);

  GemmCase residual;
  residual.residual = true;
  residual.bias = true;
  ASSERT_TRUE(PlanFile::fromBytes(gemmPlan(residual).build(), &file).isOk());
  EXPECT_EQ(file.raw()->kernels()->Get(0)->library_gemm()->residual_arg(), 3);

  // A residual with an activation: act(A B + C + bias).
  residual.activation = dsc::plan::GemmActivation::Relu;
  ASSERT_TRUE(PlanFile::fromBytes(gemmPlan(residual).build(), &file).isOk());
  EXPECT_EQ(file.raw()->kernels()->Get(0)->library_gemm()->activation(),
            dsc::plan::GemmActivation::Relu);
}

TEST(PlanFile, RejectsLibraryGemmFields) {
  GemmCase base;
  base.bias = true;
  auto with = [&](auto edit) {
    TestPlan plan = gemmPlan(base);
    edit(*plan.kernels[0].gemm, plan);
    return plan;
  };
  expectRejected(with([](TestGemm &g, TestPlan &) { g.m = 0; }),
                 {"kernel 0 'gemm'", "library gemm", "m 0"});
  expectRejected(with([](TestGemm &g, TestPlan &) { g.k = int64_t(1) << 40; }),
                 {"k 1099511627776", "2^31-1"});
  expectRejected(with([](TestGemm &g, TestPlan &) { g.lda = g.k - 1; }),
                 {"lda 39", "A's row length 40"});
  expectRejected(with([](TestGemm &g, TestPlan &) { g.ldb = -1; }), {"ldb -1"});
  expectRejected(with([](TestGemm &g, TestPlan &) {
                   g.batch = 2;
                   g.strideD = 1;
                 }),
                 {"stride_d 1", "overlap"});
  expectRejected(
      with([](TestGemm &g, TestPlan &) { g.outputType = PlanDType::F16; }),
      {"unsupported types f32 -> f16"});
  expectRejected(with([](TestGemm &g, TestPlan &) {
                   g.inputType = g.outputType = PlanDType::I8;
                 }),
                 {"unsupported types i8 -> i8"});
  expectRejected(with([](TestGemm &g, TestPlan &) {
                   g.activation = static_cast<dsc::plan::GemmActivation>(7);
                 }),
                 {"invalid activation 7"});
  expectRejected(with([](TestGemm &g, TestPlan &) { g.biasArg = -2; }),
                 {"bias_arg and residual_arg must be -1"});
  expectRejected(with([](TestGemm &g, TestPlan &) { g.dArg = 4; }),
                 {"step 0 (launch)", "d_arg 4 out of range (4 arguments)"});
  // A batch of two reads twice the A the launch passes.
  expectRejected(with([](TestGemm &g, TestPlan &) { g.batch = 2; }),
                 {"a_arg 0 holds 5920 bytes, the matmul reads 11840"});
  // n beyond the stored rows of B.
  expectRejected(with([](TestGemm &g, TestPlan &) {
                   g.biasArg = 0;
                   g.n = 80;
                 }),
                 {"ldb 72 is less than B's row length 80"});
  expectRejected(with([](TestGemm &g, TestPlan &plan) {
                   std::get<TestLaunch>(plan.steps[0]).args[2].size = 8;
                 }),
                 {"bias_arg 2 holds 8 bytes, the matmul reads 288"});
  expectRejected(with([](TestGemm &, TestPlan &plan) {
                   plan.symbolicDim = std::make_tuple("n", 1, 4);
                 }),
                 {"library gemm in a plan with a symbolic dimension"});
}

TEST(PlanFile, MissingFile) {
  PlanFile file;
  Status status = PlanFile::fromFile("/nonexistent/dir/model.plan", &file);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("/nonexistent/dir/model.plan"),
            std::string::npos);
  status = PlanFile::fromFile("/", &file);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("not a regular file"), std::string::npos);
}

TEST(PlanFile, FileRoundTripAndTruncatedFile) {
  std::vector<uint8_t> bytes = vectorAddPlan().build();
  char path[] = "/tmp/dsc-plan-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()),
            static_cast<ssize_t>(bytes.size()));
  close(fd);
  PlanFile file;
  Status status = PlanFile::fromFile(path, &file);
  EXPECT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(file.bytes(), bytes);

  ASSERT_EQ(truncate(path, static_cast<off_t>(bytes.size() / 2)), 0);
  status = PlanFile::fromFile(path, &file);
  EXPECT_EQ(status.code(), StatusCode::kInvalidPlan);
  EXPECT_NE(status.message().find(path), std::string::npos);
  EXPECT_NE(status.message().find("truncated"), std::string::npos);
  std::remove(path);
}

TEST(PlanFile, NullOutput) {
  EXPECT_EQ(PlanFile::fromBytes({}, nullptr).code(),
            StatusCode::kInvalidArgument);
}

TEST(Status, Strings) {
  EXPECT_EQ(Status::ok().toString(), "ok");
  EXPECT_EQ(Status::error(StatusCode::kInvalidPlan, "step 1").toString(),
            "invalid plan: step 1");
  EXPECT_EQ(dtypeSize(dsc::rt::DType::kBF16), 2u);
  EXPECT_STREQ(dtypeName(dsc::rt::DType::kI64), "i64");
  EXPECT_EQ(dtypeSize(static_cast<dsc::rt::DType>(100)), 0u);
}
