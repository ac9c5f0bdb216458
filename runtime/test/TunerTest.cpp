//===- TunerTest.cpp - The tactic cache and cuBLASLt loading, no GPU -----===//

#include "Tuner.h"
#include "Blas.h"
#include "PlanBuilder.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace dsc::rt;

namespace {

std::string makeTempDir() { return dsc::rt::test::makeTempDir("dsc-tactics"); }

std::string keyFor(const std::vector<uint8_t> &plan) {
  return tactics::cacheKey("NVIDIA H100 80GB HBM3", "sm_90", 13000, 130000,
                           plan);
}

void writeText(const std::string &path, const std::string &text) {
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream << text;
}

} // namespace

TEST(TacticCache, KeyNamesTheGpuTheLibrariesAndThePlan) {
  std::vector<uint8_t> plan = {1, 2, 3}, other = {1, 2, 4};
  std::string key = keyFor(plan);
  EXPECT_NE(key.find("NVIDIA H100 80GB HBM3"), std::string::npos);
  EXPECT_NE(key.find("sm_90"), std::string::npos);
  EXPECT_NE(key.find("driver 13000"), std::string::npos);
  EXPECT_NE(key.find("cublasLt 130000"), std::string::npos);
  EXPECT_NE(key, keyFor(other));
  EXPECT_NE(key,
            tactics::cacheKey("NVIDIA H200", "sm_90", 13000, 130000, plan));
  EXPECT_NE(key, tactics::cacheKey("NVIDIA H100 80GB HBM3", "sm_90", 13010,
                                   130000, plan));
  EXPECT_EQ(key.find('\n'), std::string::npos);
  EXPECT_NE(tactics::cachePath("/c", key),
            tactics::cachePath("/c", keyFor(other)));
  EXPECT_EQ(tactics::cachePath("/c", key).rfind("/c/tactics-", 0), 0u);
}

TEST(TacticCache, KeyNamesTheFormat) {
  // A file of another format version is another file, never misread.
  EXPECT_EQ(keyFor({1}).rfind("format 2 | ", 0), 0u);
}

TEST(TacticCache, RoundTrip) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  std::string key = keyFor({9, 9});
  // The directory is made as needed.
  std::string path = tactics::cachePath(dir + "/nested", key);
  using Choice = tactics::Choice;
  std::vector<Choice> choices = {{0, -1}, {2, 0}, {1, 3}, {0, -1}};
  ASSERT_TRUE(tactics::write(path, key, choices));
  std::vector<Choice> read;
  std::string problem;
  EXPECT_EQ(tactics::read(path, key, choices.size(), &read, &problem),
            tactics::ReadResult::kLoaded)
      << problem;
  EXPECT_EQ(read, choices);
  EXPECT_TRUE(problem.empty());
  // Rewriting replaces the file whole.
  std::vector<Choice> other(4, Choice{3, 0});
  ASSERT_TRUE(tactics::write(path, key, other));
  EXPECT_EQ(tactics::read(path, key, 4, &read, &problem),
            tactics::ReadResult::kLoaded);
  EXPECT_EQ(read, other);
}

TEST(TacticCache, MissingFile) {
  std::vector<tactics::Choice> read;
  std::string problem;
  EXPECT_EQ(tactics::read("/nonexistent/tactics.txt", "k", 1, &read, &problem),
            tactics::ReadResult::kMissing);
}

TEST(TacticCache, CorruptOrForeignFilesAreRejectedWithAReason) {
  std::string dir = makeTempDir();
  std::string key = keyFor({5});
  std::string path = dir + "/tactics.txt";
  auto expectInvalid = [&](const std::string &text, size_t numKernels,
                           const char *reason) {
    writeText(path, text);
    std::vector<tactics::Choice> read = {{4, 2}};
    std::string problem;
    EXPECT_EQ(tactics::read(path, key, numKernels, &read, &problem),
              tactics::ReadResult::kInvalid)
        << text;
    EXPECT_NE(problem.find(reason), std::string::npos)
        << "'" << problem << "' lacks '" << reason << "'";
    EXPECT_NE(problem.find(path), std::string::npos);
    EXPECT_TRUE(read.empty());
  };
  std::string head = "dsc-tactics 2\n" + key + "\nkernels 2\n";
  std::string good = head + "0 0 -1\n1 3 2\nend\n";
  {
    // The good text itself loads.
    writeText(path, good);
    std::vector<tactics::Choice> read;
    std::string problem;
    ASSERT_EQ(tactics::read(path, key, 2, &read, &problem),
              tactics::ReadResult::kLoaded)
        << problem;
    EXPECT_EQ(read, (std::vector<tactics::Choice>{{0, -1}, {3, 2}}));
  }
  expectInvalid("", 2, "not a dsc tactic file");
  expectInvalid("\x7f"
                "ELF\x01\x02",
                2, "not a dsc tactic file");
  // Version 1 had no variants: one choice per line.
  expectInvalid("dsc-tactics 1\n" + key + "\nkernels 2\n0 -1\n1 2\nend\n", 2,
                "'dsc-tactics 1' is another version");
  expectInvalid(
      "dsc-tactics 2\nsome other key\nkernels 2\n0 0 -1\n1 0 2\nend\n", 2,
      "another plan or GPU");
  expectInvalid(good, 3, "expected 'kernels 3'");
  expectInvalid(head + "0 0 -1\n", 2, "truncated at kernel 1");
  expectInvalid(head + "0 0 -1\n1 0 2\n", 2, "no end line");
  expectInvalid(head + "0 0 -1\n1 0 9\nend\n", 2, "bad entry for kernel 1");
  expectInvalid(head + "0 0 -7\n1 0 0\nend\n", 2, "bad entry for kernel 0");
  expectInvalid(head + "0 -1 -1\n1 0 0\nend\n", 2, "bad entry for kernel 0");
  expectInvalid(head + "0 17 -1\n1 0 0\nend\n", 2, "bad entry for kernel 0");
  expectInvalid(head + "0 0\n1 0 0\nend\n", 2, "bad entry for kernel 0");
  expectInvalid(head + "1 0 0\n0 0 0\nend\n", 2, "bad entry for kernel 0");
  expectInvalid(head + "0 0 0 extra\n1 0 0\nend\n", 2,
                "bad entry for kernel 0");
  expectInvalid("dsc-tactics 2\n" + key + "\nkernels x\n", 2,
                "expected 'kernels 2'");
}

TEST(TacticCache, UnwritableDirectoryFailsQuietly) {
  EXPECT_FALSE(
      tactics::write("/proc/dsc-no/tactics.txt", "k", {tactics::Choice()}));
}

TEST(CublasLt, MissingLibraryIsUnavailable) {
  CublasLt blas;
  Status status = blas.load("libcublasLt-does-not-exist.so.13");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("no cuBLASLt"), std::string::npos)
      << status.message();
}

/// Where the toolkit's cuBLASLt is installed, every entry resolves: any
/// failure is the handle's (no GPU here), never a missing symbol.
TEST(CublasLt, EveryEntryResolves) {
  CublasLt blas;
  Status status = blas.load();
  if (!status && status.message().find("no cuBLASLt") != std::string::npos)
    GTEST_SKIP() << status.message();
  EXPECT_EQ(status.message().find("lacks"), std::string::npos)
      << status.message();
  EXPECT_NE(blas.cublasLtMatmul, nullptr);
  EXPECT_NE(blas.cublasLtMatmulAlgoGetHeuristic, nullptr);
  EXPECT_GE(blas.version(), 130000u);
  std::printf("cuBLASLt %zu: %s\n", blas.version(),
              status ? "handle created" : status.message().c_str());
}

/// The GPU tests' f16 reference rests on these conversions.
TEST(PlanBuilder, HalfConversion) {
  using dsc::rt::test::halfBits;
  using dsc::rt::test::halfValue;
  EXPECT_EQ(halfBits(1.0f), 0x3c00);
  EXPECT_EQ(halfBits(-2.5f), 0xc100);
  EXPECT_EQ(halfBits(0.0f), 0x0000);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: to even, 1.
  EXPECT_EQ(halfBits(1.0f + 1.0f / 2048), 0x3c00);
  EXPECT_EQ(halfBits(1.0f + 3.0f / 2048), 0x3c02);
  EXPECT_EQ(halfValue(0x3c00), 1.0f);
  EXPECT_EQ(halfValue(0xc100), -2.5f);
  for (float value : {0.375f, -7.125f, 0.044677734375f, 1000.0f})
    EXPECT_EQ(halfValue(halfBits(value)), value);
}
