//===- CpuExecutor.h - runs a plan on the host ------------------*- C++ -*-===//

#ifndef DSC_COMPILER_DRIVER_CPUEXECUTOR_H
#define DSC_COMPILER_DRIVER_CPUEXECUTOR_H

#include "compiler/reference/Reference.h"
#include "dsc/runtime.h"

#include "mlir/IR/MLIRContext.h"

namespace dsc::driver {

/// Runs the plan's exec program on the host: every launch evaluates its
/// kernel's body with the reference interpreter, reading and writing the
/// same arena offsets, weights and caller buffers the GPU would. A wrong
/// memory plan therefore gives wrong answers here too.
mlir::FailureOr<llvm::SmallVector<reference::Tensor>>
runPlanOnCpu(const rt::PlanFile &plan, llvm::ArrayRef<reference::Tensor> inputs,
             mlir::MLIRContext &context);

} // namespace dsc::driver

#endif // DSC_COMPILER_DRIVER_CPUEXECUTOR_H
