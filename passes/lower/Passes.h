//===- Passes.h - lowering to the exec dialect ------------------*- C++ -*-===//

#ifndef DSC_PASSES_LOWER_PASSES_H
#define DSC_PASSES_LOWER_PASSES_H

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace dsc::lower {

#define GEN_PASS_DECL
#include "passes/lower/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/lower/Passes.h.inc"

} // namespace dsc::lower

#endif // DSC_PASSES_LOWER_PASSES_H
