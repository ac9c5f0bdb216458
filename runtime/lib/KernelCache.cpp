//===- KernelCache.cpp - NVRTC compilation with a disk cache -------------===//

#include "KernelCache.h"

#include <nvrtc.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace dsc::rt {

namespace {

constexpr char kFileMagic[8] = {'D', 'S', 'C', 'K', 'C', 'U', 'B', '1'};

/// mkdir -p; true if `dir` exists afterwards.
bool makeDirs(const std::string &dir) {
  for (size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1))
    mkdir(dir.substr(0, slash).c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  struct stat info;
  return stat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string nvrtcVersionText() {
  int major = 0, minor = 0;
  ::nvrtcVersion(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

} // namespace

KernelCache::KernelCache(std::string dir, bool diskEnabled,
                         std::vector<std::string> extraOptions)
    : dir_(dir.empty() ? defaultDir() : std::move(dir)),
      diskEnabled_(diskEnabled && !dir_.empty()),
      extraOptions_(std::move(extraOptions)) {}

std::string KernelCache::defaultDir() {
  if (const char *env = std::getenv("DSC_CACHE_DIR"); env && *env)
    return env;
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/dsc/kernels";
  return std::string();
}

std::vector<std::string> KernelCache::options(const std::string &arch) const {
  std::vector<std::string> result = {"--gpu-architecture=" + arch,
                                     "-std=c++17"};
  result.insert(result.end(), extraOptions_.begin(), extraOptions_.end());
  return result;
}

std::string KernelCache::keyMaterial(const std::string &source,
                                     const std::string &arch) const {
  std::string key = "nvrtc " + nvrtcVersionText() + "\n";
  for (const std::string &option : options(arch))
    key += option + "\n";
  key += '\0';
  key += source;
  return key;
}

std::string KernelCache::pathFor(const std::string &source,
                                 const std::string &arch) const {
  std::string key = keyMaterial(source, arch);
  return dir_ + "/" + arch + "-" + contentDigest(key.data(), key.size()) +
         ".cubin";
}

Status KernelCache::compile(const std::string &name, const std::string &source,
                            const std::string &arch,
                            std::vector<char> *cubin) const {
  nvrtcProgram program = nullptr;
  std::string fileName = name + ".cu";
  nvrtcResult result = nvrtcCreateProgram(
      &program, source.c_str(), fileName.c_str(), 0, nullptr, nullptr);
  if (result != NVRTC_SUCCESS)
    return Status::error(StatusCode::kCompileError,
                         "kernel '" + name + "': nvrtcCreateProgram: " +
                             nvrtcGetErrorString(result));
  std::vector<std::string> optionStrings = options(arch);
  std::vector<const char *> optionPointers;
  for (const std::string &option : optionStrings)
    optionPointers.push_back(option.c_str());
  result = nvrtcCompileProgram(program, static_cast<int>(optionPointers.size()),
                               optionPointers.data());
  Status status;
  if (result != NVRTC_SUCCESS) {
    size_t logSize = 0;
    std::string log;
    if (nvrtcGetProgramLogSize(program, &logSize) == NVRTC_SUCCESS &&
        logSize > 1) {
      log.resize(logSize);
      nvrtcGetProgramLog(program, log.data());
      log.resize(logSize - 1);
    }
    status = Status::error(StatusCode::kCompileError,
                           "kernel '" + name + "' for " + arch + ": " +
                               nvrtcGetErrorString(result) + "\n" + log);
  } else {
    size_t size = 0;
    result = nvrtcGetCUBINSize(program, &size);
    if (result == NVRTC_SUCCESS) {
      cubin->resize(size);
      result = nvrtcGetCUBIN(program, cubin->data());
    }
    if (result != NVRTC_SUCCESS)
      status = Status::error(StatusCode::kCompileError,
                             "kernel '" + name + "': nvrtcGetCUBIN: " +
                                 nvrtcGetErrorString(result));
  }
  nvrtcDestroyProgram(&program);
  return status;
}

bool KernelCache::readFile(const std::string &path, const std::string &key,
                           std::vector<char> *cubin) const {
  std::FILE *stream = std::fopen(path.c_str(), "rb");
  if (!stream)
    return false;
  char magic[sizeof(kFileMagic)];
  uint64_t sizes[2];
  std::string storedKey;
  bool ok = std::fread(magic, sizeof(magic), 1, stream) == 1 &&
            std::memcmp(magic, kFileMagic, sizeof(magic)) == 0 &&
            std::fread(sizes, sizeof(sizes), 1, stream) == 1 &&
            sizes[0] == key.size() && sizes[1] > 0 && sizes[1] < (1ULL << 31);
  if (ok) {
    storedKey.resize(sizes[0]);
    cubin->resize(sizes[1]);
    ok = std::fread(storedKey.data(), 1, storedKey.size(), stream) ==
             storedKey.size() &&
         storedKey == key &&
         std::fread(cubin->data(), 1, cubin->size(), stream) == cubin->size();
  }
  std::fclose(stream);
  return ok;
}

void KernelCache::writeFile(const std::string &path, const std::string &key,
                            const std::vector<char> &cubin) const {
  if (!makeDirs(dir_))
    return;
  // Write aside and rename, so readers never see a partial file.
  static std::atomic<uint64_t> counter{0};
  std::string temporary = path + ".tmp." + std::to_string(getpid()) + "." +
                          std::to_string(counter++);
  std::FILE *stream = std::fopen(temporary.c_str(), "wb");
  if (!stream)
    return;
  uint64_t sizes[2] = {key.size(), cubin.size()};
  bool ok = std::fwrite(kFileMagic, sizeof(kFileMagic), 1, stream) == 1 &&
            std::fwrite(sizes, sizeof(sizes), 1, stream) == 1 &&
            std::fwrite(key.data(), 1, key.size(), stream) == key.size() &&
            std::fwrite(cubin.data(), 1, cubin.size(), stream) == cubin.size();
  ok = std::fclose(stream) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0)
    std::remove(temporary.c_str());
}

Status KernelCache::getCubin(const std::string &name, const std::string &source,
                             const std::string &arch, Cubin *out) {
  std::string key = keyMaterial(source, arch);
  std::string path = pathFor(source, arch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = memory_.find(key); found != memory_.end()) {
      ++stats_.memoryHits;
      *out = found->second;
      return Status::ok();
    }
  }
  auto cubin = std::make_shared<std::vector<char>>();
  bool fromDisk = diskEnabled_ && readFile(path, key, cubin.get());
  if (!fromDisk) {
    if (Status status = compile(name, source, arch, cubin.get()); !status)
      return status;
    if (diskEnabled_)
      writeFile(path, key, *cubin);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++(fromDisk ? stats_.diskHits : stats_.compiled);
  auto inserted = memory_.emplace(std::move(key), std::move(cubin));
  *out = inserted.first->second;
  return Status::ok();
}

KernelCacheStats KernelCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void KernelCache::noteCubinLoaded() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.cubinsLoaded;
}

std::string contentDigest(const void *data, size_t size) {
  auto fnv1a = [&](uint64_t hash) {
    for (size_t i = 0; i < size; ++i) {
      hash ^= static_cast<const uint8_t *>(data)[i];
      hash *= 0x100000001b3ULL;
    }
    return hash;
  };
  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(fnv1a(0x84222325cbf29ce4ULL)));
  return text;
}

} // namespace dsc::rt
