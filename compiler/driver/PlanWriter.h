//===- PlanWriter.h - exec module to plan file ------------------*- C++ -*-===//

#ifndef DSC_COMPILER_DRIVER_PLANWRITER_H
#define DSC_COMPILER_DRIVER_PLANWRITER_H

#include "codegen/cuda/CudaEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dsc::driver {

/// What NVRTC produced for one exec.kernel.
struct KernelBinary {
  std::string entry;
  std::string source;
  std::string arch;
  std::string cubin;
  std::string ptx;
  /// The entry takes a fault word after its arguments (plan.fbs).
  bool reportsFaults = false;
  /// Runs once per sample (plan.fbs Kernel.per_sample).
  bool perSample = false;
  /// The grid extent the samples multiply (plan.fbs Kernel.per_sample_axis).
  int sampleGridAxis = 2;
  /// Zeroed device scratch the entry takes (plan.fbs Kernel.scratch_bytes).
  uint64_t scratchBytes = 0;
  /// The tactic of `entry` and the alternatives to it (plan.fbs
  /// Kernel.description, Kernel.variants).
  std::string description;
  std::vector<codegen::KernelVariant> variants;
  /// Every entry waits for the previous grid (plan.fbs
  /// Kernel.awaits_previous_grid).
  bool awaitsPreviousGrid = false;
};

/// Serializes a planned exec module (launch configurations set, arena
/// offsets assigned) into the FlatBuffers plan. Moves each weight's value
/// into the blob and leaves its offset on the exec.weight op, so the module
/// embedded as `exec_ir` is small.
mlir::FailureOr<std::vector<uint8_t>>
writePlan(mlir::ModuleOp module, const llvm::StringMap<KernelBinary> &kernels);

} // namespace dsc::driver

#endif // DSC_COMPILER_DRIVER_PLANWRITER_H
