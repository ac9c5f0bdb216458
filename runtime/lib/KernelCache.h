//===- KernelCache.h - NVRTC compilation with a disk cache -------*- C++
//-*-===//
//
// Cubins compiled from CUDA C++ source, cached in memory and on disk under a
// key made of the source, the target arch, the NVRTC options and the NVRTC
// version. A cache file stores the whole key and is used only if it matches,
// so a hash collision or a torn file costs a compilation, never a wrong
// kernel. Thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_KERNELCACHE_H
#define DSC_RUNTIME_KERNELCACHE_H

#include "dsc/runtime.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace dsc::rt {

using Cubin = std::shared_ptr<const std::vector<char>>;

class KernelCache {
public:
  /// `dir` empty: $DSC_CACHE_DIR, else $HOME/.cache/dsc/kernels.
  KernelCache(std::string dir, bool diskEnabled,
              std::vector<std::string> extraOptions = {});

  /// The cubin of `source` for `arch` (e.g. "sm_90"), compiled by NVRTC on a
  /// miss. `name` only labels errors.
  Status getCubin(const std::string &name, const std::string &source,
                  const std::string &arch, Cubin *out);

  /// Compiles without any cache.
  Status compile(const std::string &name, const std::string &source,
                 const std::string &arch, std::vector<char> *cubin) const;

  const std::string &dir() const { return dir_; }
  bool diskEnabled() const { return diskEnabled_; }
  /// The cache file for (source, arch) under dir().
  std::string pathFor(const std::string &source, const std::string &arch) const;
  KernelCacheStats stats() const;
  void noteCubinLoaded();

  static std::string defaultDir();

private:
  std::vector<std::string> options(const std::string &arch) const;
  std::string keyMaterial(const std::string &source,
                          const std::string &arch) const;
  bool readFile(const std::string &path, const std::string &key,
                std::vector<char> *cubin) const;
  void writeFile(const std::string &path, const std::string &key,
                 const std::vector<char> &cubin) const;

  std::string dir_;
  bool diskEnabled_;
  std::vector<std::string> extraOptions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Cubin> memory_;
  KernelCacheStats stats_;
};

/// 32 hex digits naming `size` bytes: two 64-bit FNV-1a hashes with
/// different bases (file names of caches, not a cryptographic digest).
std::string contentDigest(const void *data, size_t size);

} // namespace dsc::rt

#endif // DSC_RUNTIME_KERNELCACHE_H
