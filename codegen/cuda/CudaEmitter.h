//===- CudaEmitter.h - exec.kernel to CUDA C++ ------------------*- C++ -*-===//

#ifndef DSC_CODEGEN_CUDA_CUDAEMITTER_H
#define DSC_CODEGEN_CUDA_CUDAEMITTER_H

#include "dialects/exec/ExecOps.h"

#include <array>
#include <string>
#include <vector>

namespace dsc::codegen {

struct EmitOptions {
  /// Target architecture, e.g. "sm_90": selects tensor-core paths.
  std::string arch = "sm_90";
  /// Forces the tensor-core GEMM tile of every GEMM kernel (tuning
  /// experiments): BM, BN, BK, warps along M, warps along N, stages, and
  /// optionally the split-K slices; empty lets the emitter choose.
  std::vector<int64_t> gemmTile;
};

/// A TMA tensor map an entry takes by value after its other parameters
/// (plan.fbs TensorMap): the runtime encodes it over launch argument `arg`
/// in im2col mode, 128-byte swizzled, zeros out of bounds. Sizes and
/// corners innermost first; strides in bytes, of dimensions 1 and up.
struct TensorMapSpec {
  unsigned arg = 0;
  unsigned elementBytes = 2;
  std::vector<uint64_t> dims, strides;
  std::vector<int32_t> lowerCorner, upperCorner;
  std::vector<uint32_t> elementStrides;
  uint32_t channelsPerPixel = 0, pixelsPerColumn = 0;
};

/// Another entry of a kernel's source computing the same thing with other
/// tactics (exec.tactics): the runtime may time it and launch it instead.
struct KernelVariant {
  std::string entry;
  std::array<int32_t, 3> grid = {1, 1, 1};
  std::array<int32_t, 3> block = {1, 1, 1};
  int32_t sharedMemory = 0;
  uint64_t scratchBytes = 0;
  /// The tactic, e.g. "128x128x64 w2x4 s3".
  std::string description;
  /// Tensor maps the entry takes after its pointers, in order.
  std::vector<TensorMapSpec> tensorMaps;
};

/// The CUDA C++ for one exec.kernel and how to launch it.
struct EmittedKernel {
  std::string name;   // the exec.kernel symbol
  std::string entry;  // extern "C" __global__ function in `source`
  std::string source; // self-contained: includes no header
  std::array<int32_t, 3> grid = {1, 1, 1};
  std::array<int32_t, 3> block = {1, 1, 1};
  int32_t sharedMemory = 0;
  /// The entry takes one more pointer after the results: an unsigned 32-bit
  /// fault word it sets to 1 when an index input is out of range (the
  /// runtime then fails the run rather than return undefined values).
  bool reportsFaults = false;
  /// Bytes of device scratch the entry takes as a pointer after the results
  /// (before the fault word): zero when the plan starts, and the kernel
  /// leaves the counters it keeps there zero again (split-K GEMMs).
  uint64_t scratchBytes = 0;
  /// Launched once per sample (exec.per_sample buffers): the runtime
  /// multiplies grid[2] by the number of samples.
  bool perSample = false;
  /// Which grid extent the samples multiply: 2 (z, one sample per z slice,
  /// pointers offset per sample) or 1 (y: the samples are folded into the
  /// rows of one GEMM, GemmEmitter).
  int sampleGridAxis = 2;
  /// Some entry uses the target's architecture-specific features (sm_90a's
  /// wgmma): NVRTC compiles for `arch` + "a", the source guards them.
  bool archSpecific = false;
  /// Every entry starts with dsc_await_previous_grid (emitKernel adds it):
  /// the runtime may launch it with programmatic stream serialization.
  bool awaitsPreviousGrid = false;
  /// The tactic of `entry`, when the kernel has alternatives (else empty).
  std::string description;
  /// Alternatives to `entry` in the same source (exec.tactics candidates
  /// after the first); none for per-sample kernels.
  std::vector<KernelVariant> variants;
};

/// Whether `kernel` binds a per-sample buffer (`exec.per_sample`).
bool runsPerSample(exec::KernelOp kernel);

/// Emits `kernel` by its family (elementwise, gemm, row_reduction, data).
/// The entry takes one pointer per kernel argument then one per result, in
/// order, each pointing at a dense row-major buffer of the declared type.
/// Emits an error on the kernel and fails for a body it cannot generate.
mlir::FailureOr<EmittedKernel> emitKernel(exec::KernelOp kernel,
                                          const EmitOptions &options);

} // namespace dsc::codegen

#endif // DSC_CODEGEN_CUDA_CUDAEMITTER_H
