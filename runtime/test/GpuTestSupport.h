//===- GpuTestSupport.h - shared set-up of the GPU tests --------*- C++ -*-===//
//
// GPU tests skip, with the reason, where there is no CUDA driver or device.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_TEST_GPUTESTSUPPORT_H
#define DSC_RUNTIME_TEST_GPUTESTSUPPORT_H

#include "TempDir.h"
#include "dsc/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace dsc::rt::test {

/// A fresh directory for a runtime's kernel cache (removed at exit).
inline std::string makeTempDir() { return makeTempDir("dsc-gpu-cache"); }

} // namespace dsc::rt::test

/// Creates a runtime with its own kernel cache in `cacheDir`, or skips.
#define CREATE_RUNTIME_OR_SKIP(runtime, cacheDir)                              \
  std::unique_ptr<Runtime> runtime;                                            \
  {                                                                            \
    RuntimeOptions options;                                                    \
    options.cacheDir = cacheDir;                                               \
    Status status = Runtime::create(options, &runtime);                        \
    if (!status && status.code() == StatusCode::kUnavailable)                  \
      GTEST_SKIP() << "no GPU: " << status.toString();                         \
    ASSERT_TRUE(status.isOk()) << status.toString();                           \
  }

#endif // DSC_RUNTIME_TEST_GPUTESTSUPPORT_H
