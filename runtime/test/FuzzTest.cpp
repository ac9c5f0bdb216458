//===- FuzzTest.cpp - Truncated, flipped and random plans never crash ----===//
//
// Each input must give either an error status or a plan whose every range
// is in bounds. Run under -DDSC_RUNTIME_SANITIZE=ON to catch reads outside
// the buffer.
//
//===----------------------------------------------------------------------===//

#include "PlanBuilder.h"

#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <random>

using namespace dsc::rt;
using namespace dsc::rt::test;

namespace {

/// Walks everything the executor would touch and checks its bounds, as an
/// accepted plan promises.
void expectFullyValid(const PlanFile &file) {
  const dsc::plan::Plan *plan = file.raw();
  ASSERT_NE(plan, nullptr);
  uint64_t blob = file.weightsBlobSize();
  for (const WeightInfo &weight : file.weights())
    EXPECT_LE(weight.offset + weight.size, blob);
  auto checkRef = [&](const dsc::plan::BufferRef &ref) {
    uint64_t end = ref.offset() + ref.size();
    EXPECT_GE(end, ref.offset());
    switch (ref.space()) {
    case dsc::plan::Space::Arena:
      EXPECT_LE(end, file.arenaSize());
      break;
    case dsc::plan::Space::Weights:
      EXPECT_LE(end, blob);
      break;
    case dsc::plan::Space::Input:
      ASSERT_LT(ref.index(), file.inputs().size());
      EXPECT_LE(end, file.inputs()[ref.index()].byteSize);
      break;
    case dsc::plan::Space::Output:
      ASSERT_LT(ref.index(), file.outputs().size());
      EXPECT_LE(end, file.outputs()[ref.index()].byteSize);
      break;
    default:
      ADD_FAILURE() << "invalid space accepted";
    }
  };
  for (size_t s = 0; s < file.numSteps(); ++s) {
    const dsc::plan::StepEntry *entry = plan->steps()->Get(s);
    if (const auto *launch = entry->step_as_Launch()) {
      ASSERT_LT(launch->kernel(), file.numKernels());
      ASSERT_EQ(launch->grid()->size(), 3u);
      ASSERT_EQ(launch->block()->size(), 3u);
      if (launch->args())
        for (const dsc::plan::BufferRef *ref : *launch->args())
          checkRef(*ref);
      const dsc::plan::Kernel *kernel = plan->kernels()->Get(launch->kernel());
      EXPECT_FALSE(kernel->entry()->str().empty());
      if (const auto *variants = kernel->variants()) {
        EXPECT_LE(variants->size(), PlanFile::kMaxVariants);
        EXPECT_TRUE(variants->size() == 0 || !kernel->per_sample());
        for (const dsc::plan::KernelVariant *variant : *variants) {
          EXPECT_FALSE(variant->entry()->str().empty());
          ASSERT_EQ(variant->grid()->size(), 3u);
          ASSERT_EQ(variant->block()->size(), 3u);
          uint64_t threads = 1;
          for (int d = 0; d < 3; ++d) {
            EXPECT_GE(variant->grid()->Get(d), 1u);
            threads *= variant->block()->Get(d);
          }
          EXPECT_GE(threads, 1u);
          EXPECT_LE(threads, 1024u);
          EXPECT_LE(variant->shared_memory(), 227u * 1024);
        }
      }
      if (const dsc::plan::LibraryGemm *gemm = kernel->library_gemm()) {
        size_t numArgs = launch->args() ? launch->args()->size() : 0;
        EXPECT_LT(gemm->a_arg(), numArgs);
        EXPECT_LT(gemm->b_arg(), numArgs);
        EXPECT_LT(gemm->d_arg(), numArgs);
        EXPECT_LT(gemm->bias_arg(), int64_t(numArgs));
        EXPECT_LT(gemm->residual_arg(), int64_t(numArgs));
        EXPECT_GE(gemm->m(), 1);
        EXPECT_GE(gemm->ldd(), gemm->n());
        if (gemm->d_arg() < numArgs)
          EXPECT_GE(launch->args()->Get(gemm->d_arg())->size(),
                    uint64_t(gemm->m() * gemm->n()) *
                        dtypeSize(static_cast<DType>(gemm->output_type())));
      }
    } else if (const auto *copy = entry->step_as_Copy()) {
      checkRef(*copy->source());
      checkRef(*copy->target());
    } else {
      ADD_FAILURE() << "step without kind accepted";
    }
  }
  (void)file.execIr();
  (void)file.producer();
}

/// Flips 1..maxFlips random bytes of `base` 20000 times (a fixed seed);
/// every mutant the loader accepts must be fully valid. Returns how many
/// it accepted.
int fuzzAccepted(const std::vector<uint8_t> &base, unsigned seed,
                 int maxFlips) {
  std::mt19937 random(seed);
  int accepted = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<uint8_t> bytes = base;
    int flips = 1 + random() % maxFlips;
    for (int f = 0; f < flips; ++f)
      bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
    PlanFile file;
    if (PlanFile::fromBytes(std::move(bytes), &file).isOk()) {
      ++accepted;
      expectFullyValid(file);
    }
  }
  return accepted;
}

} // namespace

/// The Verifier checks every byte the plan refers to, so a truncation is
/// rejected unless it cuts only the builder's trailing alignment padding
/// (zeros no field refers to), which leaves the same plan.
TEST(PlanFuzz, EveryTruncationIsRejected) {
  std::vector<uint8_t> bytes = vectorAddPlan().build();
  size_t acceptedPadding = 0;
  for (size_t length = 0; length < bytes.size(); ++length) {
    PlanFile file;
    Status status = PlanFile::fromBytes(
        std::vector<uint8_t>(bytes.begin(), bytes.begin() + length), &file);
    if (status.isOk()) {
      for (size_t cut = length; cut < bytes.size(); ++cut)
        ASSERT_EQ(bytes[cut], 0)
            << "truncation to " << length << " of " << bytes.size()
            << " bytes cut content but was accepted";
      expectFullyValid(file);
      ++acceptedPadding;
      continue;
    }
    EXPECT_EQ(status.code(), StatusCode::kInvalidPlan);
  }
  // Padding is shorter than the largest alignment (256, the blob's).
  EXPECT_LT(acceptedPadding, 256u);
}

TEST(PlanFuzz, RandomByteFlipsNeverCrash) {
  std::vector<uint8_t> valid = vectorAddPlan().build();
  // Keep the weights small so that flips land in the structure.
  TestPlan small = vectorAddPlan();
  small.blob.resize(64);
  small.weights[0].size = 64;
  small.kernels[0].source = "k";
  std::get<TestLaunch>(small.steps[0]).args[1] = weightsRef(0, 64);
  std::vector<uint8_t> base = small.build();
  int accepted = fuzzAccepted(base, /*seed=*/1234, /*maxFlips=*/8);
  // Flips in padding or names keep the plan valid: both outcomes occur.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 20000);
  PlanFile file;
  ASSERT_TRUE(PlanFile::fromBytes(valid, &file).isOk());
  expectFullyValid(file);
}

/// The same over a plan whose kernel carries a library GEMM, so that flips
/// reach its fields.
TEST(PlanFuzz, LibraryGemmByteFlipsNeverCrash) {
  GemmCase gemm;
  gemm.m = 3;
  gemm.n = 4;
  gemm.k = 5;
  gemm.bias = true;
  gemm.residual = true;
  TestPlan small = gemmPlan(gemm);
  small.kernels[0].source = "k";
  std::vector<uint8_t> base = small.build();
  std::mt19937 random(4321);
  int accepted = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<uint8_t> bytes = base;
    int flips = 1 + random() % 4;
    for (int f = 0; f < flips; ++f)
      bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
    PlanFile file;
    if (PlanFile::fromBytes(std::move(bytes), &file).isOk()) {
      ++accepted;
      expectFullyValid(file);
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 20000);
}

/// The same over a plan whose kernel has generated variants, so that flips
/// reach their entries and launch configurations.
TEST(PlanFuzz, VariantByteFlipsNeverCrash) {
  TestPlan small = vectorAddPlan();
  small.kernels[0].source = "k";
  small.kernels[0].description = "d";
  TestVariant variant;
  variant.entry = "k_t1";
  variant.grid = std::vector<uint32_t>{2, 3, 4};
  variant.block = std::vector<uint32_t>{128, 2, 1};
  variant.sharedMemory = 70000;
  variant.scratchBytes = 4096;
  variant.description = "v";
  small.kernels[0].variants = {variant, variant};
  std::vector<uint8_t> base = small.build();
  int accepted = fuzzAccepted(base, /*seed=*/8765, /*maxFlips=*/4);
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 20000);
}

TEST(PlanFuzz, RandomGarbageNeverCrashes) {
  std::mt19937 random(99);
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::vector<uint8_t> bytes(random() % 512);
    for (uint8_t &byte : bytes)
      byte = static_cast<uint8_t>(random());
    // Half the time, get past the identifier check.
    if (bytes.size() >= 8 && iteration % 2 == 0)
      std::memcpy(bytes.data() + 4, "DSCP", 4);
    PlanFile file;
    if (PlanFile::fromBytes(std::move(bytes), &file).isOk())
      expectFullyValid(file);
  }
}
