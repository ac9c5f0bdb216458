//===- ConstantBytes.h - a constant's bytes as the plan stores them -*- C++
//-*-===//

#ifndef DSC_PASSES_GRAPH_CONSTANTBYTES_H
#define DSC_PASSES_GRAPH_CONSTANTBYTES_H

#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace dsc::graph {

/// The bytes of `value`'s graph.constant, row-major as the plan stores them;
/// none when `value` is not a constant or its data cannot be read.
std::optional<std::vector<char>> constantBytes(mlir::Value value);

} // namespace dsc::graph

#endif // DSC_PASSES_GRAPH_CONSTANTBYTES_H
