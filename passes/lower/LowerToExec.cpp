//===- LowerToExec.cpp - graph-lower-to-exec ------------------------------===//

#include "passes/lower/Passes.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace dsc::lower {
#define GEN_PASS_DEF_LOWERTOEXEC
#include "passes/lower/Passes.h.inc"
} // namespace dsc::lower

using namespace mlir;
using namespace dsc;

static exec::BufferType bufferTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return exec::BufferType::get(type.getContext(), tensor.getShape(),
                               tensor.getElementType());
}

/// The value whose bytes `value` shares: reshapes are views.
static Value storageRoot(Value value) {
  while (auto reshape = value.getDefiningOp<graph::ReshapeOp>())
    value = reshape.getInput();
  return value;
}

static std::string nameOf(func::FuncOp func, bool result, unsigned index) {
  DictionaryAttr attrs =
      result ? func.getResultAttrDict(index) : func.getArgAttrDict(index);
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("graph.name"))
      return name.str();
  return (result ? "output_" : "input_") + std::to_string(index);
}

/// Whether `buffer` holds one sample of many: arena buffers always do (a
/// per-sample program computes everything per sample), weights never, the
/// caller's tensors when they have a sample axis.
static bool isPerSample(Value buffer) {
  while (auto view = buffer.getDefiningOp<exec::ViewOp>())
    buffer = view.getSource();
  Operation *def = buffer.getDefiningOp();
  if (auto input = dyn_cast_or_null<exec::InputOp>(def))
    return input.getSampleAxis().has_value();
  if (auto output = dyn_cast_or_null<exec::OutputOp>(def))
    return output.getSampleAxis().has_value();
  return isa_and_nonnull<exec::AllocOp>(def);
}

/// Marks the arguments and results of `kernel` that its launch binds to
/// per-sample buffers with `exec.per_sample`.
static void markPerSample(exec::KernelOp kernel, ValueRange ins,
                          ValueRange outs) {
  Builder b(kernel.getContext());
  auto attrsFor = [&](ValueRange buffers) {
    SmallVector<Attribute> dicts;
    for (Value buffer : buffers)
      dicts.push_back(isPerSample(buffer)
                          ? b.getDictionaryAttr(b.getNamedAttr(
                                "exec.per_sample", b.getUnitAttr()))
                          : b.getDictionaryAttr({}));
    return b.getArrayAttr(dicts);
  };
  kernel.setArgAttrsAttr(attrsFor(ins));
  kernel.setResAttrsAttr(attrsFor(outs));
}

namespace {
struct LowerToExecPass : dsc::lower::impl::LowerToExecBase<LowerToExecPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    if (funcs.size() != 1) {
      module.emitError("expected one function to lower, found ")
          << funcs.size();
      return signalPassFailure();
    }
    if (failed(lower(funcs.front())))
      return signalPassFailure();
    funcs.front().erase();
  }

  LogicalResult lower(func::FuncOp func) {
    MLIRContext *context = &getContext();
    ModuleOp module = getOperation();
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    auto program = moduleBuilder.create<exec::ProgramOp>(
        func.getLoc(), func.getSymName(), IntegerAttr(), IntegerAttr(),
        func->getAttrOfType<StringAttr>("graph.symbolic_dim"),
        func->getAttrOfType<DenseI64ArrayAttr>("graph.symbolic_range"));
    bool perSample = program.getSymbolicDim().has_value();
    auto boundaryAttrs = [&](bool result, unsigned index) {
      DictionaryAttr attrs =
          result ? func.getResultAttrDict(index) : func.getArgAttrDict(index);
      return attrs ? attrs : DictionaryAttr::get(context);
    };
    auto sampleAxis = [&](bool result, unsigned index) {
      return boundaryAttrs(result, index)
          .getAs<IntegerAttr>("graph.sample_axis");
    };
    auto stringAttr = [&](bool result, unsigned index) {
      return boundaryAttrs(result, index).getAs<UnitAttr>("graph.string");
    };
    Block *programBlock = new Block();
    program.getBody().push_back(programBlock);
    OpBuilder builder = OpBuilder::atBlockBegin(programBlock);
    Location loc = func.getLoc();

    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    SmallVector<Value> outputs;
    DenseMap<Value, unsigned> outputOfRoot;
    for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
      outputs.push_back(builder.create<exec::OutputOp>(
          loc, bufferTypeOf(value.getType()),
          builder.getStringAttr(nameOf(func, true, i)),
          builder.getI64IntegerAttr(i), sampleAxis(true, i),
          stringAttr(true, i)));
      Value root = storageRoot(value);
      if (root.getDefiningOp<graph::FusionOp>() && !outputOfRoot.count(root))
        outputOfRoot[root] = i;
    }

    // Every value must fit in memory that one pointer can address.
    auto tooLarge = [&](Value value, StringRef what) {
      auto type = cast<RankedTensorType>(value.getType());
      int64_t bytes = exec::getElementByteSize(type.getElementType());
      for (int64_t d : type.getShape())
        if (__builtin_mul_overflow(bytes, d, &bytes)) {
          emitError(value.getLoc())
              << what << " of shape " << graph::formatShape(type.getShape())
              << " is too large: its size in bytes "
                 "overflows 64 bits";
          return true;
        }
      return false;
    };
    for (BlockArgument arg : func.getArguments())
      if (tooLarge(arg,
                   "input '" + nameOf(func, false, arg.getArgNumber()) + "'"))
        return failure();
    WalkResult walk = func.walk([&](Operation *op) {
      for (Value result : op->getResults())
        if (isa<RankedTensorType>(result.getType()) &&
            tooLarge(result, "a result"))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    DenseMap<Value, Value> bufferOf;
    for (BlockArgument arg : func.getArguments())
      bufferOf[arg] = builder.create<exec::InputOp>(
          loc, bufferTypeOf(arg.getType()),
          builder.getStringAttr(nameOf(func, false, arg.getArgNumber())),
          builder.getI64IntegerAttr(arg.getArgNumber()),
          sampleAxis(false, arg.getArgNumber()),
          stringAttr(false, arg.getArgNumber()));

    // A view with `type` of `buffer`, or the buffer itself when it matches.
    auto viewAs = [&](Value buffer, Type type, Location at) -> Value {
      exec::BufferType target = bufferTypeOf(type);
      if (buffer.getType() == target)
        return buffer;
      return builder.create<exec::ViewOp>(at, target, buffer);
    };

    unsigned constants = 0, kernels = 0;
    for (Operation &op : func.getBody().front().without_terminator()) {
      if (auto constant = dyn_cast<graph::ConstantOp>(op)) {
        std::string name = "const_" + std::to_string(constants++);
        if (auto resource =
                dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
          name = resource.getRawHandle().getKey().str();
        bufferOf[constant] = builder.create<exec::WeightOp>(
            constant.getLoc(), bufferTypeOf(constant.getType()),
            builder.getStringAttr(name), constant.getValue(), IntegerAttr());
        continue;
      }
      if (auto reshape = dyn_cast<graph::ReshapeOp>(op)) {
        bufferOf[reshape] = viewAs(bufferOf.lookup(reshape.getInput()),
                                   reshape.getType(), reshape.getLoc());
        continue;
      }
      auto fusion = dyn_cast<graph::FusionOp>(op);
      if (!fusion)
        return op.emitOpError("is not inside a graph.fusion; run graph-fuse "
                              "before lowering");

      // The kernel: the fusion's body under a symbol.
      std::string base =
          fusion.getAnchor() == "none"
              ? graph::stringifyFusionKind(fusion.getKind()).str()
              : fusion.getAnchor().str();
      std::string name = base + "_" + std::to_string(kernels++);
      OpBuilder kernelBuilder(program);
      auto kernel = kernelBuilder.create<exec::KernelOp>(
          fusion.getLoc(), name,
          FunctionType::get(context, fusion.getInputs().getTypes(),
                            fusion.getResultTypes()),
          graph::stringifyFusionKind(fusion.getKind()), ArrayAttr(),
          ArrayAttr());
      kernel.getBody().takeBody(fusion.getBody());
      Block &body = kernel.getBody().front();
      auto yield = cast<graph::YieldOp>(body.getTerminator());
      OpBuilder(yield).create<exec::YieldOp>(yield.getLoc(), yield.getValues());
      yield.erase();

      SmallVector<Value> ins, outs;
      for (Value input : fusion.getInputs())
        ins.push_back(bufferOf.lookup(input));
      for (Value result : fusion.getResults()) {
        auto it = outputOfRoot.find(result);
        Value buffer =
            it != outputOfRoot.end()
                ? viewAs(outputs[it->second], result.getType(), fusion.getLoc())
                : builder.create<exec::AllocOp>(fusion.getLoc(),
                                                bufferTypeOf(result.getType()),
                                                IntegerAttr());
        bufferOf[result] = buffer;
        outs.push_back(buffer);
      }
      if (perSample)
        markPerSample(kernel, ins, outs);
      builder.create<exec::LaunchOp>(fusion.getLoc(), name, ins, outs,
                                     DenseI32ArrayAttr(), DenseI32ArrayAttr(),
                                     IntegerAttr());
    }

    for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
      auto it = outputOfRoot.find(storageRoot(value));
      if (it != outputOfRoot.end() && it->second == i)
        continue; // computed in place
      Value source = bufferOf.lookup(value);
      builder.create<exec::CopyOp>(
          returnOp.getLoc(), source,
          viewAs(outputs[i], value.getType(), returnOp.getLoc()));
    }
    return success();
  }
};
} // namespace
