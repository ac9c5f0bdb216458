//===- KernelCacheTest.cpp - NVRTC compilation and the disk cache --------===//
//
// NVRTC needs no GPU, so these run everywhere.
//
//===----------------------------------------------------------------------===//

#include "KernelCache.h"
#include "PlanBuilder.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

using namespace dsc::rt;
using namespace dsc::rt::test;

namespace {

/// A cache folder that does not exist yet, in a fresh directory.
std::string makeTempDir() {
  std::string dir = dsc::rt::test::makeTempDir("dsc-kernel-cache");
  return dir.empty() ? dir : dir + "/kernels";
}

bool exists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

bool isElf(const std::vector<char> &cubin) {
  return cubin.size() > 4 && cubin[0] == 0x7f && cubin[1] == 'E' &&
         cubin[2] == 'L' && cubin[3] == 'F';
}

} // namespace

TEST(KernelCache, CompilesAndCachesOnDisk) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  std::string source = vectorAddSource();
  {
    KernelCache cache(dir, /*diskEnabled=*/true);
    Cubin cubin;
    Status status = cache.getCubin("add", source, "sm_90", &cubin);
    ASSERT_TRUE(status.isOk()) << status.toString();
    EXPECT_TRUE(isElf(*cubin));
    EXPECT_EQ(cache.stats().compiled, 1u);
    EXPECT_TRUE(exists(cache.pathFor(source, "sm_90")));

    Cubin again;
    ASSERT_TRUE(cache.getCubin("add", source, "sm_90", &again).isOk());
    EXPECT_EQ(again, cubin);
    EXPECT_EQ(cache.stats().memoryHits, 1u);
  }
  {
    // A new process (a new cache object) reads the cubin from disk.
    KernelCache cache(dir, true);
    Cubin cubin;
    ASSERT_TRUE(cache.getCubin("add", source, "sm_90", &cubin).isOk());
    EXPECT_TRUE(isElf(*cubin));
    EXPECT_EQ(cache.stats().diskHits, 1u);
    EXPECT_EQ(cache.stats().compiled, 0u);
    // Another arch is another key.
    EXPECT_NE(cache.pathFor(source, "sm_80"), cache.pathFor(source, "sm_90"));
  }
}

TEST(KernelCache, CorruptCacheFileIsRecompiled) {
  std::string dir = makeTempDir();
  std::string source = vectorAddSource();
  KernelCache writer(dir, true);
  Cubin cubin;
  ASSERT_TRUE(writer.getCubin("add", source, "sm_90", &cubin).isOk());
  std::string path = writer.pathFor(source, "sm_90");
  ASSERT_EQ(truncate(path.c_str(), 20), 0);

  KernelCache reader(dir, true);
  Cubin fresh;
  ASSERT_TRUE(reader.getCubin("add", source, "sm_90", &fresh).isOk());
  EXPECT_EQ(reader.stats().compiled, 1u);
  EXPECT_EQ(reader.stats().diskHits, 0u);
  EXPECT_EQ(*fresh, *cubin);
}

TEST(KernelCache, DiskDisabledWritesNothing) {
  std::string dir = makeTempDir();
  KernelCache cache(dir, /*diskEnabled=*/false);
  Cubin cubin;
  ASSERT_TRUE(cache.getCubin("add", vectorAddSource(), "sm_90", &cubin).isOk());
  EXPECT_FALSE(exists(dir));
}

TEST(KernelCache, CompileErrorCarriesTheLog) {
  KernelCache cache(makeTempDir(), true);
  Cubin cubin;
  Status status = cache.getCubin(
      "broken", "extern \"C\" __global__ void f() { undeclared(); }", "sm_90",
      &cubin);
  EXPECT_EQ(status.code(), StatusCode::kCompileError);
  EXPECT_NE(status.message().find("kernel 'broken'"), std::string::npos);
  EXPECT_NE(status.message().find("undeclared"), std::string::npos);
}

TEST(KernelCache, DefaultDirFollowsEnvironment) {
  const char *saved = std::getenv("DSC_CACHE_DIR");
  std::string savedValue = saved ? saved : "";
  setenv("DSC_CACHE_DIR", "/tmp/dsc-env-cache", 1);
  EXPECT_EQ(KernelCache::defaultDir(), "/tmp/dsc-env-cache");
  unsetenv("DSC_CACHE_DIR");
  if (const char *home = std::getenv("HOME"))
    EXPECT_EQ(KernelCache::defaultDir(),
              std::string(home) + "/.cache/dsc/kernels");
  if (saved)
    setenv("DSC_CACHE_DIR", savedValue.c_str(), 1);
}
