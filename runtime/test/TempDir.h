//===- TempDir.h - scratch directories of the runtime tests -----*- C++ -*-===//
//
// Kernel and tactic caches of the tests live in fresh directories under
// /tmp; they are removed when the test program exits, so repeated runs
// leave nothing behind.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_TEST_TEMPDIR_H
#define DSC_RUNTIME_TEST_TEMPDIR_H

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace dsc::rt::test {

namespace detail {
/// The directories made so far; the destructor removes them at exit.
struct TempDirRegistry {
  std::vector<std::string> paths;
  ~TempDirRegistry() {
    for (const std::string &path : paths) {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  }
};
inline TempDirRegistry &tempDirRegistry() {
  static TempDirRegistry registry;
  return registry;
}
} // namespace detail

/// A fresh directory /tmp/`prefix`-XXXXXX, removed with its contents when
/// the program exits; empty if it cannot be made.
inline std::string makeTempDir(const std::string &prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  if (!mkdtemp(path.data()))
    return {};
  detail::tempDirRegistry().paths.emplace_back(path.data());
  return path.data();
}

} // namespace dsc::rt::test

#endif // DSC_RUNTIME_TEST_TEMPDIR_H
