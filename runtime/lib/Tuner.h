//===- Tuner.h - Kernel tactics: timing and the per-GPU cache ---*- C++ -*-===//
//
// A GEMM may run as any of its generated variants (tiles, split-K: plan.fbs
// Kernel.variants) or, when its plan entry has a library description, as a
// cuBLASLt matmul. The tuner times every variant and the heuristic's top
// cuBLASLt algorithms on the plan's real shapes (CUDA events, the median of
// a few runs) and keeps the fastest. The choices are cached in a small text
// file keyed by the device, its compute capability, the driver and cuBLASLt
// versions and the plan's bytes, written aside and renamed so readers never
// see a partial file; a file that does not parse or does not match is
// ignored with a warning.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_TUNER_H
#define DSC_RUNTIME_TUNER_H

#include "dsc/runtime.h"

#include <string>
#include <vector>

namespace dsc::rt {

namespace tactics {

/// What identifies a plan on a GPU; one line, no newline.
std::string cacheKey(const std::string &deviceName, const std::string &arch,
                     int driverVersion, size_t blasVersion,
                     const std::vector<uint8_t> &planBytes);
/// The cache file for `key` in `dir`.
std::string cachePath(const std::string &dir, const std::string &key);

/// One kernel's tactic: the generated variant (0: its own entry) that runs
/// where cuBLASLt does not, and the cuBLASLt candidate (-1: none).
struct Choice {
  int variant = 0;
  int algorithm = -1;
  bool operator==(const Choice &other) const {
    return variant == other.variant && algorithm == other.algorithm;
  }
};

/// Writes one choice per kernel; false if the file could not be written.
bool write(const std::string &path, const std::string &key,
           const std::vector<Choice> &choices);

enum class ReadResult { kMissing, kLoaded, kInvalid };
/// Reads the choices of a plan of `numKernels` kernels: kInvalid with the
/// reason in `problem` when the file does not parse, is of another format
/// version, for another key or another number of kernels, or holds a
/// variant outside 0..PlanFile::kMaxVariants or an algorithm outside
/// -1..kBlasCandidates - 1.
ReadResult read(const std::string &path, const std::string &key,
                size_t numKernels, std::vector<Choice> *choices,
                std::string *problem);

} // namespace tactics

/// Times a loaded plan's GEMMs (Plan and Context internals).
class Tuner {
public:
  /// Fills `plan.tactics_`, `plan.variants_` and `plan.tuneReport_` from
  /// timings.
  static Status tune(Plan &plan);
};

} // namespace dsc::rt

#endif // DSC_RUNTIME_TUNER_H
