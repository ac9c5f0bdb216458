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

/// Sets the type of result `index` to `shape`, keeping its element type. A
/// result that was declared (from the model's value_info) must agree; emits
/// an error otherwise. For the shape inference of every op family.
mlir::LogicalResult refineResult(mlir::Operation *op,
                                 llvm::ArrayRef<int64_t> shape,
                                 unsigned index = 0);

/// Formats a shape as `2x3x?` for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Resolves ONNX Reshape's target (0 copies, -1 infers) against an input shape.
/// Returns failure with a reason in `error`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolveReshape(llvm::ArrayRef<int64_t> inputShape,
               llvm::ArrayRef<int64_t> target, bool allowZero,
               std::string &error);

/// [start, end) of the dimensions graph.shape returns for a rank-`rank`
/// input (ONNX Shape-15: negative from the end, clamped, empty when reversed).
std::pair<int64_t, int64_t> shapeRange(int64_t rank, int64_t start,
                                       std::optional<int64_t> end);

/// One dimension of a resolved slice: element i of the result reads input
/// element start + i * step; `count` is the result size (dynamic when the
/// input dimension is).
struct SliceDim {
  int64_t start;
  int64_t step;
  int64_t count;
};

/// Resolves graph.slice bounds against `shape` (ONNX's clamping rules); axes
/// must be valid for the rank and steps non-zero.
llvm::SmallVector<SliceDim> resolveSlice(llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<int64_t> starts,
                                         llvm::ArrayRef<int64_t> ends,
                                         llvm::ArrayRef<int64_t> axes,
                                         llvm::ArrayRef<int64_t> steps);

/// One input element read by a resized element along one axis.
struct ResizeTap {
  int64_t index;
  double weight;
};
/// The taps of one result coordinate of graph.resize along one axis; none,
/// and `extrapolate`, where tf_crop_and_resize maps it outside the input.
struct ResizeTaps {
  llvm::SmallVector<ResizeTap, 4> taps;
  bool extrapolate = false;
};
/// The taps of every result coordinate along `axis`, whose input size is
/// `inSize`: the interpolation that the reference and the kernels compute.
llvm::SmallVector<ResizeTaps> resizeTaps(ResizeOp op, int64_t axis,
                                         int64_t inSize);

} // namespace dsc::graph

#endif // DSC_DIALECTS_GRAPH_GRAPHOPS_H
