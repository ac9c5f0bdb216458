//===- ExecOps.cpp - exec dialect ops -------------------------------------===//

#include "dialects/exec/ExecOps.h"
#include "dialects/exec/GemmTiles.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/NnOps.h"

#include "mlir/Interfaces/FunctionImplementation.h"

using namespace mlir;
using namespace dsc::exec;

int64_t dsc::exec::getElementByteSize(Type type) {
  if (type.isInteger(1))
    return 1;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

//===----------------------------------------------------------------------===//
// BufferType
//===----------------------------------------------------------------------===//

LogicalResult BufferType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Type elementType) {
  for (int64_t d : shape)
    if (d < 0)
      return emitError() << "buffer dimensions must be static and non-negative";
  if (!elementType.isIntOrFloat())
    return emitError()
           << "buffer element type must be an integer or float, not "
           << elementType;
  return success();
}

int64_t BufferType::getNumElements() const {
  return ShapedType::getNumElements(getShape());
}

int64_t BufferType::getSizeInBytes() const {
  return getNumElements() * getElementByteSize(getElementType());
}

RankedTensorType BufferType::getTensorType() const {
  return RankedTensorType::get(getShape(), getElementType());
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

ParseResult KernelOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildFuncType =
      [](Builder &builder, ArrayRef<Type> argTypes, ArrayRef<Type> results,
         function_interface_impl::VariadicFlag,
         std::string &) { return builder.getFunctionType(argTypes, results); };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildFuncType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void KernelOp::print(OpAsmPrinter &printer) {
  function_interface_impl::printFunctionOp(
      printer, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

LogicalResult KernelOp::verify() {
  static constexpr llvm::StringLiteral families[] = {"elementwise", "gemm",
                                                     "row_reduction", "data"};
  if (!llvm::is_contained(families, getFamily()))
    return emitOpError("unknown kernel family '") << getFamily() << "'";
  Block &block = getBody().front();
  if (block.getArgumentTypes() != getArgumentTypes())
    return emitOpError("body arguments do not match the function type");
  auto yield = cast<YieldOp>(block.getTerminator());
  if (TypeRange(yield.getValues().getTypes()) != TypeRange(getResultTypes()))
    return emitOpError("body yields types that do not match the function type");
  for (Type type : getFunctionType().getInputs())
    if (!isa<RankedTensorType>(type) ||
        !cast<RankedTensorType>(type).hasStaticShape())
      return emitOpError(
                 "kernel arguments must be statically shaped tensors, not ")
             << type;
  return success();
}

//===----------------------------------------------------------------------===//
// ProgramOp
//===----------------------------------------------------------------------===//

LogicalResult ProgramOp::verifyRegions() {
  if (getSymbolicDim().has_value() != getSymbolicRange().has_value())
    return emitOpError(
        "needs both symbolic_dim and symbolic_range, or neither");
  if (auto range = getSymbolicRange())
    if (range->size() != 2 || (*range)[0] < 1 || (*range)[1] < (*range)[0])
      return emitOpError("symbolic_range must be [min, max] with 1 <= min <= "
                         "max");
  for (Operation &op : getBody().front()) {
    std::optional<int64_t> axis;
    bool isString = false;
    if (auto input = dyn_cast<InputOp>(op)) {
      axis = input.getSampleAxis();
      isString = input.getString();
    } else if (auto output = dyn_cast<OutputOp>(op)) {
      axis = output.getSampleAxis();
      isString = output.getString();
    }
    if (isString) {
      auto type = cast<BufferType>(op.getResult(0).getType());
      if (type.getRank() < 1 || !type.getElementType().isInteger(8))
        return op.emitOpError("holds strings but its buffer ")
               << type << " is no 8-bit tensor with a slot dimension";
    }
    if (!axis)
      continue;
    if (!getSymbolicDim())
      return op.emitOpError(
          "has a sample_axis but the program has no symbolic_dim");
    auto type = cast<BufferType>(op.getResult(0).getType());
    if (*axis < 0 || *axis >= type.getRank())
      return op.emitOpError("sample_axis ")
             << *axis << " is not an axis of " << type;
  }
  std::optional<int64_t> arena = getArenaSize();
  for (auto alloc : getBody().front().getOps<AllocOp>()) {
    std::optional<int64_t> offset = alloc.getOffset();
    if (!offset)
      continue;
    if (!arena)
      return alloc.emitOpError(
          "has an arena offset but the program has no arena_size");
    int64_t end = *offset + cast<BufferType>(alloc.getType()).getSizeInBytes();
    if (*offset < 0 || end > *arena)
      return alloc.emitOpError("bytes [")
             << *offset << ", " << end << ") lie outside the arena of "
             << *arena << " bytes";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  auto type = cast<BufferType>(getType());
  if (!getValue() && !getOffset())
    return emitOpError("needs a value or an offset into the weights blob");
  if (auto value = getValue()) {
    auto valueType = cast<ShapedType>(value->getType());
    if (valueType.getShape() != type.getShape() ||
        valueType.getElementType() != type.getElementType())
      return emitOpError("value type ")
             << valueType << " does not match the buffer " << type;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ViewOp
//===----------------------------------------------------------------------===//

LogicalResult ViewOp::verify() {
  auto from = cast<BufferType>(getSource().getType());
  auto to = cast<BufferType>(getType());
  if (from.getSizeInBytes() != to.getSizeInBytes())
    return emitOpError("view of ") << from.getSizeInBytes() << " bytes as "
                                   << to.getSizeInBytes() << " bytes";
  return success();
}

//===----------------------------------------------------------------------===//
// LaunchOp
//===----------------------------------------------------------------------===//

LogicalResult LaunchOp::verify() {
  for (auto attr : {getGridAttr(), getBlockAttr()})
    if (attr &&
        (attr.size() != 3 ||
         llvm::any_of(attr.asArrayRef(), [](int32_t v) { return v <= 0; })))
      return emitOpError("grid and block need three positive sizes");
  return success();
}

LogicalResult LaunchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto kernel =
      symbolTable.lookupNearestSymbolFrom<KernelOp>(*this, getKernelAttr());
  if (!kernel)
    return emitOpError("kernel '") << getKernel() << "' is not defined";
  auto check = [&](ValueRange buffers, ArrayRef<Type> types,
                   StringRef what) -> LogicalResult {
    if (buffers.size() != types.size())
      return emitOpError("kernel '")
             << getKernel() << "' takes " << types.size() << " " << what
             << " but the launch passes " << buffers.size();
    for (auto [i, pair] : llvm::enumerate(llvm::zip(buffers, types))) {
      auto buffer = cast<BufferType>(std::get<0>(pair).getType());
      if (buffer.getTensorType() != std::get<1>(pair))
        return emitOpError()
               << what << " #" << i << " is " << buffer << " but kernel '"
               << getKernel() << "' expects " << std::get<1>(pair);
    }
    return success();
  };
  if (failed(check(getIns(), kernel.getArgumentTypes(), "inputs")))
    return failure();
  return check(getOuts(), kernel.getResultTypes(), "outputs");
}

//===----------------------------------------------------------------------===//
// CopyOp
//===----------------------------------------------------------------------===//

LogicalResult CopyOp::verify() {
  auto from = cast<BufferType>(getSource().getType());
  auto to = cast<BufferType>(getTarget().getType());
  if (from.getSizeInBytes() != to.getSizeInBytes())
    return emitOpError("copies ")
           << from.getSizeInBytes() << " bytes into " << to.getSizeInBytes();
  return success();
}

//===----------------------------------------------------------------------===//
// TacticsOp
//===----------------------------------------------------------------------===//

LogicalResult TacticsOp::verify() {
  ArrayAttr candidates = getCandidates();
  if (candidates.empty())
    return emitOpError("needs at least one candidate");
  SmallVector<GemmTile> tiles;
  for (auto [i, attr] : llvm::enumerate(candidates)) {
    std::string problem;
    std::optional<GemmTile> tile =
        GemmTile::fromAttr(cast<DictionaryAttr>(attr), &problem);
    // A patch tile is a convolution's (checked with its kernel below).
    if (tile && problem.empty())
      problem = tile->patch ? checkConvTile(*tile) : checkGemmTile(*tile);
    if (!problem.empty())
      return emitOpError("candidate #") << i << " " << problem;
    if (llvm::is_contained(tiles, *tile))
      return emitOpError("candidate #") << i << " repeats " << tile->str();
    tiles.push_back(*tile);
  }
  return success();
}

LogicalResult TacticsOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto kernel =
      symbolTable.lookupNearestSymbolFrom<KernelOp>(*this, getKernelAttr());
  if (!kernel)
    return emitOpError("kernel '") << getKernel() << "' is not defined";
  // A gemm, or an implicit-GEMM convolution (its kernel's first op).
  auto ops = kernel.getBody().front().without_terminator();
  bool conv = kernel.getFamily() == "data" && !ops.empty() &&
              graph::isImplicitGemmConv(&*ops.begin());
  if (kernel.getFamily() != "gemm" && !conv)
    return emitOpError("kernel '")
           << getKernel() << "' is of family '" << kernel.getFamily()
           << "', not gemm or an implicit-gemm convolution";
  for (auto [i, attr] : llvm::enumerate(getCandidates())) {
    std::string problem;
    std::optional<GemmTile> tile =
        GemmTile::fromAttr(cast<DictionaryAttr>(attr), &problem);
    if (tile && conv && !(problem = checkConvTile(*tile)).empty())
      return emitOpError("candidate #") << i << " " << problem;
    if (tile && !conv && tile->patch)
      return emitOpError("candidate #")
             << i << " is a patch tile, which only a convolution takes";
  }
  for (Operation &op : *(*this)->getBlock()) {
    if (&op == getOperation())
      break;
    auto other = dyn_cast<TacticsOp>(op);
    if (other && other.getKernel() == getKernel())
      return emitOpError("kernel '") << getKernel() << "' already has tactics";
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/exec/ExecOps.cpp.inc"
