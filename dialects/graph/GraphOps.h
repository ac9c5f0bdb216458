//===- GraphOps.h - graph dialect ops ---------------------------*- C++ -*-===//

#ifndef DSC_DIALECTS_GRAPH_GRAPHOPS_H
#define DSC_DIALECTS_GRAPH_GRAPHOPS_H

#include "dialects/graph/GraphDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/graph/GraphEnums.h.inc"
#include "dialects/graph/GraphInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/graph/GraphAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.h.inc"

namespace dsc::graph {

/// Normalizes a possibly negative axis against `rank`; nullopt when out of
/// range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Formats a shape as `2x3x?` for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Resolves ONNX Reshape's target (0 copies, -1 infers) against an input shape.
/// Returns failure with a reason in `error`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolveReshape(llvm::ArrayRef<int64_t> inputShape,
               llvm::ArrayRef<int64_t> target, bool allowZero,
               std::string &error);

} // namespace dsc::graph

#endif // DSC_DIALECTS_GRAPH_GRAPHOPS_H
