//===- ConstantBytes.cpp - a constant's bytes as the plan stores them -----===//

#include "passes/graph/ConstantBytes.h"

#include "compiler/reference/Reference.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<std::vector<char>> dsc::graph::constantBytes(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return std::vector<char>(blob->getData().begin(), blob->getData().end());
  FailureOr<reference::Tensor> tensor = reference::fromAttr(attr);
  if (failed(tensor))
    return std::nullopt;
  std::vector<char> bytes(tensor->sizeInBytes());
  tensor->toBytes(bytes.data());
  return bytes;
}
