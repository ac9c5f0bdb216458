//===- PlanWriter.cpp - exec module to plan file --------------------------===//

#include "compiler/driver/PlanWriter.h"

#include "dialects/exec/ExecOps.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

#include "plan_generated.h"

using namespace mlir;
using namespace dsc;
using namespace dsc::driver;

static constexpr int64_t kWeightAlignment = 256;

static FailureOr<plan::DType> planDType(Type type) {
  if (type.isF32())
    return plan::DType::F32;
  if (type.isF16())
    return plan::DType::F16;
  if (type.isBF16())
    return plan::DType::BF16;
  if (type.isF64())
    return plan::DType::F64;
  if (type.isUnsignedInteger(8))
    return plan::DType::U8;
  if (type.isUnsignedInteger(16))
    return plan::DType::U16;
  if (type.isUnsignedInteger(32))
    return plan::DType::U32;
  if (type.isUnsignedInteger(64))
    return plan::DType::U64;
  if (type.isInteger(64))
    return plan::DType::I64;
  if (type.isInteger(32))
    return plan::DType::I32;
  if (type.isInteger(16))
    return plan::DType::I16;
  if (type.isInteger(8))
    return plan::DType::I8;
  if (type.isInteger(1))
    return plan::DType::Bool;
  return failure();
}

/// The bytes of a constant as a buffer holds them (booleans one byte each,
/// splats expanded).
static FailureOr<std::vector<char>> bufferBytes(ElementsAttr value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return failure();
  if (dense.getElementType().isInteger(1)) {
    std::vector<char> bytes;
    for (bool b : dense.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return std::vector<char>(raw.begin(), raw.end());
  std::vector<char> bytes;
  bytes.reserve(raw.size() * dense.getNumElements());
  for (int64_t i = 0; i < dense.getNumElements(); ++i)
    bytes.insert(bytes.end(), raw.begin(), raw.end());
  return bytes;
}

namespace {
struct Writer {
  flatbuffers::FlatBufferBuilder fbb{1 << 20};

  /// Where a buffer's bytes are: walks views back to the defining op.
  FailureOr<plan::BufferRef> resolve(Value buffer) {
    uint64_t size = cast<exec::BufferType>(buffer.getType()).getSizeInBytes();
    Value root = buffer;
    while (auto view = root.getDefiningOp<exec::ViewOp>())
      root = view.getSource();
    Operation *def = root.getDefiningOp();
    if (auto input = dyn_cast_or_null<exec::InputOp>(def))
      return plan::BufferRef(plan::Space::Input, input.getIndex(), 0, size);
    if (auto output = dyn_cast_or_null<exec::OutputOp>(def))
      return plan::BufferRef(plan::Space::Output, output.getIndex(), 0, size);
    if (auto weight = dyn_cast_or_null<exec::WeightOp>(def)) {
      if (weight.getOffset())
        return plan::BufferRef(plan::Space::Weights, 0, *weight.getOffset(),
                               size);
    } else if (auto alloc = dyn_cast_or_null<exec::AllocOp>(def)) {
      if (alloc.getOffset())
        return plan::BufferRef(plan::Space::Arena, 0, *alloc.getOffset(), size);
      alloc.emitOpError("has no arena offset; run exec-plan-memory first");
      return failure();
    }
    if (def)
      def->emitOpError("does not define a buffer the plan can place");
    return failure();
  }

  /// The kernel's `exec.library_gemm` (exec-select-library-gemm) as a plan
  /// LibraryGemm; a null offset without one.
  FailureOr<flatbuffers::Offset<plan::LibraryGemm>>
  libraryGemm(exec::KernelOp kernel) {
    auto gemm = kernel->getAttrOfType<DictionaryAttr>("exec.library_gemm");
    if (!gemm)
      return flatbuffers::Offset<plan::LibraryGemm>();
    bool malformed = false;
    auto integer = [&](StringRef name) -> int64_t {
      auto value = gemm.getAs<IntegerAttr>(name);
      malformed |= !value;
      return value ? value.getInt() : 0;
    };
    auto type = gemm.getAs<TypeAttr>("type");
    auto activationName = gemm.getAs<StringAttr>("activation");
    FailureOr<plan::DType> dtype =
        type ? planDType(type.getValue()) : FailureOr<plan::DType>(failure());
    std::optional<plan::GemmActivation> activation;
    if (activationName)
      activation = llvm::StringSwitch<std::optional<plan::GemmActivation>>(
                       activationName.getValue())
                       .Case("none", plan::GemmActivation::None)
                       .Case("relu", plan::GemmActivation::Relu)
                       .Case("gelu_tanh", plan::GemmActivation::GeluTanh)
                       .Default(std::nullopt);
    auto result = plan::CreateLibraryGemm(
        fbb, integer("m"), integer("n"), integer("k"), integer("batch"),
        /*transpose_a=*/false, /*transpose_b=*/false, integer("lda"),
        integer("ldb"), integer("ldd"), integer("stride_a"),
        integer("stride_b"), integer("stride_d"),
        succeeded(dtype) ? *dtype : plan::DType::F32,
        succeeded(dtype) ? *dtype : plan::DType::F32,
        static_cast<uint32_t>(integer("a")),
        static_cast<uint32_t>(integer("b")),
        static_cast<uint32_t>(integer("d")),
        static_cast<int32_t>(integer("bias")),
        static_cast<int32_t>(integer("residual")),
        activation.value_or(plan::GemmActivation::None));
    if (malformed || failed(dtype) || !activation) {
      kernel.emitOpError("has a malformed exec.library_gemm: ") << gemm;
      return failure();
    }
    return result;
  }

  FailureOr<flatbuffers::Offset<plan::TensorSig>> signature(Operation *op,
                                                            StringRef name) {
    auto type = cast<exec::BufferType>(op->getResult(0).getType());
    auto dtype = planDType(type.getElementType());
    if (failed(dtype)) {
      op->emitOpError("has element type ")
          << type.getElementType() << ", which plans cannot hold";
      return failure();
    }
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    auto sampleAxis = op->getAttrOfType<IntegerAttr>("sample_axis");
    return plan::CreateTensorSigDirect(fbb, name.str().c_str(), *dtype, &shape,
                                       sampleAxis ? sampleAxis.getInt() : -1,
                                       op->hasAttr("string"));
  }

  FailureOr<std::vector<uint8_t>>
  write(ModuleOp module, const llvm::StringMap<KernelBinary> &binaries) {
    auto programs = llvm::to_vector(module.getOps<exec::ProgramOp>());
    if (programs.size() != 1) {
      module.emitError("expected one exec.program, found ") << programs.size();
      return failure();
    }
    exec::ProgramOp program = programs.front();
    Block &block = program.getBody().front();

    // Weights: into the blob, 256-byte aligned, leaving offsets behind.
    std::vector<uint8_t> blob;
    std::vector<flatbuffers::Offset<plan::Weight>> weights;
    for (auto weight : block.getOps<exec::WeightOp>()) {
      if (!weight.getValue()) {
        weight.emitOpError("has no value to write");
        return failure();
      }
      auto bytes = bufferBytes(*weight.getValue());
      auto type = cast<exec::BufferType>(weight.getType());
      if (failed(bytes) ||
          static_cast<int64_t>(bytes->size()) != type.getSizeInBytes()) {
        weight.emitOpError("value cannot be laid out as ") << type;
        return failure();
      }
      uint64_t offset = llvm::alignTo(blob.size(), kWeightAlignment);
      blob.resize(offset, 0);
      blob.insert(blob.end(), bytes->begin(), bytes->end());
      auto dtype = planDType(type.getElementType());
      if (failed(dtype)) {
        weight.emitOpError("has an element type plans cannot hold");
        return failure();
      }
      std::vector<int64_t> shape(type.getShape().begin(),
                                 type.getShape().end());
      weights.push_back(
          plan::CreateWeightDirect(fbb, weight.getName().str().c_str(), offset,
                                   bytes->size(), *dtype, &shape));
      weight.setOffsetAttr(
          IntegerAttr::get(IntegerType::get(module.getContext(), 64), offset));
      weight.removeValueAttr();
    }

    std::vector<flatbuffers::Offset<plan::TensorSig>> inputs, outputs;
    std::map<int64_t, Operation *> inputOps, outputOps;
    for (auto input : block.getOps<exec::InputOp>())
      inputOps[input.getIndex()] = input;
    for (auto output : block.getOps<exec::OutputOp>())
      outputOps[output.getIndex()] = output;
    for (auto [ops, sigs] : {std::make_pair(&inputOps, &inputs),
                             std::make_pair(&outputOps, &outputs)}) {
      int64_t expected = 0;
      for (auto [index, op] : *ops) {
        if (index != expected++) {
          op->emitOpError("index ")
              << index << " leaves a gap in the signature";
          return failure();
        }
        auto name = isa<exec::InputOp>(op) ? cast<exec::InputOp>(op).getName()
                                           : cast<exec::OutputOp>(op).getName();
        auto sig = signature(op, name);
        if (failed(sig))
          return failure();
        sigs->push_back(*sig);
      }
    }

    // Kernels, in the order their symbols appear.
    llvm::StringMap<uint32_t> kernelIndex;
    std::vector<flatbuffers::Offset<plan::Kernel>> kernels;
    for (auto kernel : module.getOps<exec::KernelOp>()) {
      auto it = binaries.find(kernel.getSymName());
      if (it == binaries.end()) {
        kernel.emitOpError("has no compiled code");
        return failure();
      }
      const KernelBinary &binary = it->second;
      auto gemm = libraryGemm(kernel);
      if (failed(gemm))
        return failure();
      std::vector<uint8_t> cubin(binary.cubin.begin(), binary.cubin.end());
      std::vector<flatbuffers::Offset<plan::KernelVariant>> variants;
      for (const codegen::KernelVariant &variant : binary.variants) {
        std::vector<uint32_t> grid(variant.grid.begin(), variant.grid.end());
        std::vector<uint32_t> blockDims(variant.block.begin(),
                                        variant.block.end());
        std::vector<flatbuffers::Offset<plan::TensorMap>> maps;
        for (const codegen::TensorMapSpec &map : variant.tensorMaps)
          maps.push_back(plan::CreateTensorMapDirect(
              fbb, map.arg, map.elementBytes, &map.dims, &map.strides,
              &map.lowerCorner, &map.upperCorner, &map.elementStrides,
              map.channelsPerPixel, map.pixelsPerColumn));
        variants.push_back(plan::CreateKernelVariantDirect(
            fbb, variant.entry.c_str(), &grid, &blockDims,
            static_cast<uint32_t>(variant.sharedMemory), variant.scratchBytes,
            variant.description.c_str(), maps.empty() ? nullptr : &maps));
      }
      kernelIndex[kernel.getSymName()] = kernels.size();
      kernels.push_back(plan::CreateKernelDirect(
          fbb, kernel.getSymName().str().c_str(), binary.entry.c_str(),
          binary.source.c_str(), binary.arch.c_str(), &cubin,
          binary.ptx.c_str(), binary.reportsFaults, binary.perSample,
          static_cast<uint8_t>(binary.sampleGridAxis), binary.scratchBytes,
          *gemm,
          binary.description.empty() ? nullptr : binary.description.c_str(),
          variants.empty() ? nullptr : &variants, binary.awaitsPreviousGrid));
    }

    std::vector<flatbuffers::Offset<plan::StepEntry>> steps;
    for (Operation &op : block) {
      if (auto launch = dyn_cast<exec::LaunchOp>(op)) {
        if (!launch.getGrid() || !launch.getBlock()) {
          launch.emitOpError("has no launch configuration; run codegen first");
          return failure();
        }
        std::vector<plan::BufferRef> args;
        SmallVector<Value> buffers(launch.getIns());
        buffers.append(launch.getOuts().begin(), launch.getOuts().end());
        for (Value buffer : buffers) {
          auto ref = resolve(buffer);
          if (failed(ref))
            return failure();
          args.push_back(*ref);
        }
        std::vector<uint32_t> grid(launch.getGrid()->begin(),
                                   launch.getGrid()->end());
        std::vector<uint32_t> blockDims(launch.getBlock()->begin(),
                                        launch.getBlock()->end());
        auto step = plan::CreateLaunchDirect(
            fbb, kernelIndex.lookup(launch.getKernel()), &grid, &blockDims,
            launch.getSharedMemory().value_or(0), &args);
        steps.push_back(
            plan::CreateStepEntry(fbb, plan::Step::Launch, step.Union()));
      } else if (auto copy = dyn_cast<exec::CopyOp>(op)) {
        auto source = resolve(copy.getSource());
        auto target = resolve(copy.getTarget());
        if (failed(source) || failed(target))
          return failure();
        auto step = plan::CreateCopy(fbb, &*source, &*target);
        steps.push_back(
            plan::CreateStepEntry(fbb, plan::Step::Copy, step.Union()));
      }
    }

    std::string execIr;
    llvm::raw_string_ostream os(execIr);
    // With locations: errors on the CPU path name the ONNX nodes.
    module.print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                       /*prettyForm=*/false));
    os.flush();

    fbb.ForceVectorAlignment(blob.size(), sizeof(uint8_t), kWeightAlignment);
    auto blobOffset = fbb.CreateVector(blob);
    flatbuffers::Offset<plan::SymbolicDim> symbolicDim;
    if (auto dim = program.getSymbolicDim()) {
      ArrayRef<int64_t> range = *program.getSymbolicRange();
      symbolicDim = plan::CreateSymbolicDimDirect(fbb, dim->str().c_str(),
                                                  range[0], range[1]);
    }
    auto root = plan::CreatePlan(
        fbb, /*format_version=*/1, fbb.CreateString("dsc 0.1"),
        fbb.CreateVector(inputs), fbb.CreateVector(outputs),
        program.getArenaSize().value_or(0),
        program.getArenaLowerBound().value_or(0), fbb.CreateVector(weights),
        blobOffset, fbb.CreateVector(kernels), fbb.CreateVector(steps),
        fbb.CreateString(execIr), symbolicDim);
    plan::FinishPlanBuffer(fbb, root);
    return std::vector<uint8_t>(fbb.GetBufferPointer(),
                                fbb.GetBufferPointer() + fbb.GetSize());
  }
};
} // namespace

FailureOr<std::vector<uint8_t>>
dsc::driver::writePlan(ModuleOp module,
                       const llvm::StringMap<KernelBinary> &kernels) {
  Writer writer;
  return writer.write(module, kernels);
}
