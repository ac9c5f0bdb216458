//===- ExecOps.h - exec dialect ops -----------------------------*- C++ -*-===//

#ifndef DSC_DIALECTS_EXEC_EXECOPS_H
#define DSC_DIALECTS_EXEC_EXECOPS_H

#include "dialects/exec/ExecDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/exec/ExecTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/exec/ExecOps.h.inc"

namespace dsc::exec {
/// Bytes one element of `type` takes in a buffer (i1 takes one byte).
int64_t getElementByteSize(mlir::Type type);
} // namespace dsc::exec

#endif // DSC_DIALECTS_EXEC_EXECOPS_H
