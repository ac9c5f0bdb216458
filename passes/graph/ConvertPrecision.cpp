//===- ConvertPrecision.cpp - graph-convert-precision ---------------------===//

#include "passes/graph/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace dsc::graph {
#define GEN_PASS_DEF_CONVERTPRECISION
#include "passes/graph/Passes.h.inc"
} // namespace dsc::graph

using namespace mlir;
using namespace dsc::graph;

/// Converts an f32 constant to `target` (round to nearest even), keeping
/// large values as resource blobs.
static FailureOr<ElementsAttr> convertConstant(ElementsAttr value,
                                               FloatType target) {
  auto type = cast<ShapedType>(value.getType());
  auto newType = type.clone(target);
  const llvm::fltSemantics &semantics = target.getFloatSemantics();
  // Finite values beyond the target's range saturate to its largest value:
  // masks written as finfo(float32).min must stay finite, or 0 * mask
  // (a kept position) would be NaN.
  auto convert = [&](APFloat f) {
    bool losesInfo;
    bool finite = f.isFinite();
    f.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
    if (finite && f.isInfinity())
      return APFloat::getLargest(semantics, f.isNegative());
    return f;
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return ElementsAttr(DenseElementsAttr::get(
          newType, convert(dense.getSplatValue<APFloat>())));
    SmallVector<APFloat> values;
    for (APFloat f : dense.getValues<APFloat>())
      values.push_back(convert(f));
    return ElementsAttr(DenseElementsAttr::get(newType, values));
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource || !resource.getRawHandle().getBlob())
    return failure();
  ArrayRef<char> raw = resource.getRawHandle().getBlob()->getData();
  int64_t count = type.getNumElements();
  if (static_cast<int64_t>(raw.size()) != count * 4)
    return failure();
  std::vector<uint16_t> bits(count);
  for (int64_t i = 0; i < count; ++i) {
    float f;
    std::memcpy(&f, raw.data() + 4 * i, 4);
    bits[i] = static_cast<uint16_t>(
        convert(APFloat(f)).bitcastToAPInt().getZExtValue());
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(bits.data()), count * 2),
      alignof(uint64_t));
  std::string name = (resource.getRawHandle().getKey() + "_" +
                      (target.isF16() ? "f16" : "bf16"))
                         .str();
  return ElementsAttr(
      DenseResourceElementsAttr::get(newType, name, std::move(blob)));
}

namespace {
struct ConvertPrecisionPass
    : dsc::graph::impl::ConvertPrecisionBase<ConvertPrecisionPass> {
  using ConvertPrecisionBase::ConvertPrecisionBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    FloatType target;
    if (precision == "fp16")
      target = Float16Type::get(context);
    else if (precision == "bf16")
      target = BFloat16Type::get(context);
    else if (precision == "fp32")
      return;
    else {
      func.emitError("unknown precision '")
          << precision << "' (expected fp32, fp16 or bf16)";
      return signalPassFailure();
    }

    auto converted = [&](Type type) -> Type {
      auto tensor = dyn_cast<TensorType>(type);
      if (tensor && tensor.getElementType().isF32())
        return tensor.clone(target);
      return type;
    };

    // Constants first: their attribute must change with their type.
    WalkResult walk = func.walk([&](ConstantOp constant) {
      if (!constant.getType().getElementType().isF32())
        return WalkResult::advance();
      auto value = convertConstant(constant.getValue(), target);
      if (failed(value)) {
        constant.emitOpError("cannot convert this constant to ") << target;
        return WalkResult::interrupt();
      }
      constant.setValueAttr(*value);
      constant.getResult().setType(cast<RankedTensorType>(value->getType()));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    func.walk([&](Operation *op) {
      if (isa<ConstantOp>(op) || op == func.getOperation())
        return;
      for (Value result : op->getResults())
        result.setType(converted(result.getType()));
      for (Region &region : op->getRegions())
        for (BlockArgument arg : region.getArguments())
          arg.setType(converted(arg.getType()));
    });

    // The signature keeps its types: cast at the edges.
    OpBuilder builder(context);
    Block &entry = func.getBody().front();
    builder.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      Type inner = converted(arg.getType());
      if (inner == arg.getType())
        continue;
      auto cast = builder.create<CastOp>(arg.getLoc(), inner, arg);
      arg.replaceAllUsesExcept(cast, cast);
    }
    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    builder.setInsertionPoint(returnOp);
    for (auto [operand, type] :
         llvm::zip(returnOp->getOpOperands(), func.getResultTypes())) {
      if (operand.get().getType() == type)
        continue;
      operand.set(
          builder.create<CastOp>(returnOp.getLoc(), type, operand.get()));
    }
  }
};
} // namespace
