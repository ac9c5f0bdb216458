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

/// Selections (TopK, ArgMax/ArgMin) compare values: rounded to fp16, near
/// ties flip and the choice changes entirely (an MoE router picks another
/// expert for the token). Their input stays f32: the chain of ops back to and
/// including the nearest matmul (the router), whose operands stay f32 where
/// they are function arguments or constants. Small: a router is one skinny
/// GEMM and a softmax.
static llvm::SmallPtrSet<Operation *, 16> selectionSlice(func::FuncOp func) {
  llvm::SmallPtrSet<Operation *, 16> slice;
  SmallVector<std::pair<Operation *, bool>> worklist; // op, beyond a matmul
  func.walk([&](Operation *op) {
    if (isa<TopKOp, ArgReduceOp>(op) &&
        cast<ShapedType>(op->getOperand(0).getType()).getElementType().isF32())
      worklist.push_back({op, false});
  });
  constexpr size_t kMaxSliceOps = 32;
  while (!worklist.empty() && slice.size() < kMaxSliceOps) {
    auto [op, beyondMatmul] = worklist.pop_back_val();
    if (op->getNumRegions() > 0 || !slice.insert(op).second)
      continue;
    bool matmul = isa<MatMulOp>(op);
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (!producer)
        continue;
      bool f32 = llvm::any_of(producer->getResultTypes(), [](Type type) {
        auto shaped = dyn_cast<ShapedType>(type);
        return shaped && shaped.getElementType().isF32();
      });
      if (!f32)
        continue;
      if (isa<ConstantOp>(producer))
        slice.insert(producer);
      else if (!beyondMatmul && !matmul)
        worklist.push_back({producer, false});
    }
  }
  return slice;
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
    if (ioPrecision != "model" && ioPrecision != "compute") {
      func.emitError("unknown io-precision '")
          << ioPrecision << "' (expected model or compute)";
      return signalPassFailure();
    }
    bool convertSignature = ioPrecision == "compute";

    auto converted = [&](Type type) -> Type {
      auto tensor = dyn_cast<TensorType>(type);
      if (tensor && tensor.getElementType().isF32())
        return tensor.clone(target);
      return type;
    };

    llvm::SmallPtrSet<Operation *, 16> keepF32 = selectionSlice(func);
    // A constant stays f32 only if every user does.
    for (Operation *op : llvm::to_vector(keepF32))
      if (isa<ConstantOp>(op) &&
          llvm::any_of(op->getUsers(), [&](Operation *user) {
            return !keepF32.contains(user);
          }))
        keepF32.erase(op);

    // Constants first: their attribute must change with their type.
    WalkResult walk = func.walk([&](ConstantOp constant) {
      if (!constant.getType().getElementType().isF32() ||
          keepF32.contains(constant))
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
      if (isa<ConstantOp>(op) || op == func.getOperation() ||
          keepF32.contains(op))
        return;
      for (Value result : op->getResults())
        result.setType(converted(result.getType()));
      for (Region &region : op->getRegions())
        for (BlockArgument arg : region.getArguments())
          arg.setType(converted(arg.getType()));
    });

    // The signature keeps its types (a cast at the edges), or takes the
    // target's.
    OpBuilder builder(context);
    Block &entry = func.getBody().front();
    builder.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      Type inner = converted(arg.getType());
      if (inner == arg.getType())
        continue;
      if (convertSignature) {
        arg.setType(inner);
        continue;
      }
      auto cast = builder.create<CastOp>(arg.getLoc(), inner, arg);
      arg.replaceAllUsesExcept(cast, cast);
    }
    if (convertSignature)
      func.setFunctionType(FunctionType::get(
          context, entry.getArgumentTypes(),
          llvm::map_to_vector(func.getResultTypes(), converted)));
    // Where the f32 slice meets the rest: a kept op reads f32 (the argument
    // itself rather than its cast), the rest reads `target`.
    Type f32 = Float32Type::get(context);
    func.walk([&](Operation *op) {
      if (isa<ConstantOp>(op) || op == func.getOperation())
        return;
      bool kept = keepF32.contains(op);
      for (OpOperand &operand : op->getOpOperands()) {
        auto tensor = dyn_cast<RankedTensorType>(operand.get().getType());
        if (!tensor)
          continue;
        Type element = tensor.getElementType();
        if (kept && element == target) {
          auto entryCast = operand.get().getDefiningOp<CastOp>();
          if (entryCast && isa<BlockArgument>(entryCast.getInput()) &&
              cast<ShapedType>(entryCast.getInput().getType())
                  .getElementType()
                  .isF32()) {
            operand.set(entryCast.getInput());
            continue;
          }
          builder.setInsertionPoint(op);
          operand.set(builder.create<CastOp>(op->getLoc(), tensor.clone(f32),
                                             operand.get()));
        } else if (!kept && element.isF32() && !isa<func::ReturnOp>(op) &&
                   !isa<BlockArgument>(operand.get()) &&
                   keepF32.contains(operand.get().getDefiningOp())) {
          builder.setInsertionPoint(op);
          operand.set(builder.create<CastOp>(op->getLoc(), tensor.clone(target),
                                             operand.get()));
        }
      }
    });

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
