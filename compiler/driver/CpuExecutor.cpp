//===- CpuExecutor.cpp - runs a plan on the host --------------------------===//

#include "compiler/driver/CpuExecutor.h"

#include "compiler/driver/Pipeline.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"

#include <cstring>

using namespace mlir;
using namespace dsc;

namespace {
struct HostMemory {
  std::vector<uint8_t> arena;
  std::vector<std::vector<uint8_t>> inputs, outputs;
  const uint8_t *weights = nullptr;
  uint64_t weightsSize = 0;

  /// The host address of a buffer, checked against the region it lies in.
  FailureOr<uint8_t *> address(Value buffer) {
    auto type = cast<exec::BufferType>(buffer.getType());
    uint64_t size = type.getSizeInBytes();
    Value root = buffer;
    while (auto view = root.getDefiningOp<exec::ViewOp>())
      root = view.getSource();
    Operation *def = root.getDefiningOp();
    auto within = [&](uint8_t *base, uint64_t capacity,
                      uint64_t offset) -> FailureOr<uint8_t *> {
      if (offset > capacity || size > capacity - offset) {
        def->emitOpError("buffer lies outside its memory region");
        return failure();
      }
      return base + offset;
    };
    if (auto input = dyn_cast_or_null<exec::InputOp>(def)) {
      if (static_cast<size_t>(input.getIndex()) >= inputs.size())
        return input.emitOpError("input index out of range"), failure();
      auto &bytes = inputs[input.getIndex()];
      return within(bytes.data(), bytes.size(), 0);
    }
    if (auto output = dyn_cast_or_null<exec::OutputOp>(def)) {
      if (static_cast<size_t>(output.getIndex()) >= outputs.size())
        return output.emitOpError("output index out of range"), failure();
      auto &bytes = outputs[output.getIndex()];
      return within(bytes.data(), bytes.size(), 0);
    }
    if (auto weight = dyn_cast_or_null<exec::WeightOp>(def)) {
      if (!weight.getOffset())
        return weight.emitOpError("has no offset in the weights blob"),
               failure();
      return within(const_cast<uint8_t *>(weights), weightsSize,
                    *weight.getOffset());
    }
    if (auto alloc = dyn_cast_or_null<exec::AllocOp>(def)) {
      if (!alloc.getOffset())
        return alloc.emitOpError("has no arena offset"), failure();
      return within(arena.data(), arena.size(), *alloc.getOffset());
    }
    emitError(buffer.getLoc(), "value is not a buffer the plan places");
    return failure();
  }
};
} // namespace

static LogicalResult runProgram(exec::ProgramOp program, ModuleOp module,
                                HostMemory &memory);

/// The number of samples `inputs` hold: 1 for a plan without a symbolic
/// dimension; else what every input with a sample axis agrees on, in range.
static FailureOr<int64_t> countSamples(const rt::PlanFile &plan,
                                       ArrayRef<reference::Tensor> inputs,
                                       Location loc) {
  const auto &dim = plan.symbolicDim();
  if (!dim)
    return 1;
  std::optional<int64_t> samples;
  for (auto [info, input] : llvm::zip(plan.inputs(), inputs)) {
    if (info.sampleAxis < 0)
      continue;
    int64_t count = info.samplesIn(input.shape);
    if (count < 0)
      return emitError(loc, "input '")
                 << info.name << "' has shape "
                 << graph::formatShape(input.shape)
                 << ", not one sample's shape "
                 << graph::formatShape(info.shape) << " times a number of "
                 << dim->name << " along axis " << info.sampleAxis,
             failure();
    if (samples && *samples != count)
      return emitError(loc, "input '")
                 << info.name << "' holds " << count << " samples of '"
                 << dim->name << "' but an earlier input holds " << *samples,
             failure();
    samples = count;
  }
  if (!samples)
    return emitError(loc, "no input has the sample axis of '")
               << dim->name << "'",
           failure();
  if (*samples < dim->min || *samples > dim->max)
    return emitError(loc, "symbolic dimension '")
               << dim->name << "' = " << *samples
               << " is outside the plan's range " << dim->min << ".."
               << dim->max,
           failure();
  return *samples;
}

FailureOr<SmallVector<reference::Tensor>>
dsc::driver::runPlanOnCpu(const rt::PlanFile &plan,
                          ArrayRef<reference::Tensor> inputs,
                          MLIRContext &context) {
  registerDialects(context);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(plan.execIr(), ParserConfig(&context));
  if (!module) {
    emitError(UnknownLoc::get(&context),
              "the plan's exec program does not parse");
    return failure();
  }
  auto programs = llvm::to_vector(module->getOps<exec::ProgramOp>());
  if (programs.size() != 1) {
    emitError(module->getLoc(), "the plan holds no single exec.program");
    return failure();
  }

  // Refuse, naming the launch, rather than fail to allocate: the reference
  // holds each element as a double while it evaluates a kernel.
  constexpr uint64_t kMaxHostBytes = uint64_t(8) << 30;
  for (Operation &op : programs.front().getBody().front()) {
    auto launch = dyn_cast<exec::LaunchOp>(op);
    if (!launch)
      continue;
    for (Value out : launch.getOuts()) {
      auto type = cast<exec::BufferType>(out.getType());
      uint64_t bytes = uint64_t(type.getNumElements()) * sizeof(double);
      if (bytes > kMaxHostBytes)
        return launch.emitOpError("writes a result of shape ")
                   << graph::formatShape(type.getShape())
                   << ", which is too large for the CPU reference (over "
                   << (kMaxHostBytes >> 30) << " GiB)",
               failure();
    }
  }
  uint64_t hostBytes = plan.arenaSize();
  for (const rt::TensorInfo &output : plan.outputs())
    hostBytes += output.byteSize;
  if (hostBytes > kMaxHostBytes) {
    emitError(programs.front().getLoc(), "the plan needs ")
        << hostBytes
        << " bytes of host memory, too large for the CPU reference";
    return failure();
  }

  HostMemory memory;
  memory.arena.assign(plan.arenaSize(), 0);
  memory.weights = plan.weightsBlob();
  memory.weightsSize = plan.weightsBlobSize();
  if (inputs.size() != plan.inputs().size()) {
    emitError(module->getLoc(), "the plan takes ")
        << plan.inputs().size() << " inputs, got " << inputs.size();
    return failure();
  }
  FailureOr<int64_t> samples = countSamples(plan, inputs, module->getLoc());
  if (failed(samples))
    return failure();

  // The program is one sample's: it runs once per sample, on that sample's
  // slice of each input with a sample axis (sample-major: a contiguous run of
  // bytes), and fills that sample's slice of each such output.
  std::vector<std::vector<uint8_t>> inputBytes, outputBytes;
  for (const reference::Tensor &input : inputs) {
    inputBytes.emplace_back(input.sizeInBytes());
    input.toBytes(inputBytes.back().data());
  }
  for (const rt::TensorInfo &output : plan.outputs())
    outputBytes.emplace_back(output.bytesFor(*samples));
  for (int64_t b = 0; b < *samples; ++b) {
    memory.inputs.clear();
    for (auto [info, bytes] : llvm::zip(plan.inputs(), inputBytes)) {
      uint64_t size = info.sampleAxis < 0 ? bytes.size() : info.byteSize;
      uint64_t start = info.sampleAxis < 0 ? 0 : size * b;
      memory.inputs.emplace_back(bytes.begin() + start,
                                 bytes.begin() + start + size);
    }
    memory.outputs.clear();
    for (const rt::TensorInfo &output : plan.outputs())
      memory.outputs.emplace_back(output.byteSize);
    if (failed(runProgram(programs.front(), *module, memory)))
      return failure();
    for (auto [info, sample, all] :
         llvm::zip(plan.outputs(), memory.outputs, outputBytes))
      if (info.sampleAxis >= 0 || b == 0)
        std::copy(sample.begin(), sample.end(),
                  all.begin() + (info.sampleAxis < 0 ? 0 : sample.size() * b));
  }

  SmallVector<reference::Tensor> outputs;
  for (auto [info, bytes] : llvm::zip(plan.outputs(), outputBytes)) {
    reference::DType dtype = static_cast<reference::DType>(info.dtype);
    outputs.push_back(reference::Tensor::fromBytes(
        dtype, info.shapeFor(*samples), bytes.data()));
  }
  return outputs;
}

/// Runs the launches and copies of `program` on `memory`.
static LogicalResult runProgram(exec::ProgramOp program, ModuleOp module,
                                HostMemory &memory) {
  SymbolTable symbols(module);
  for (Operation &op : program.getBody().front()) {
    if (auto launch = dyn_cast<exec::LaunchOp>(op)) {
      auto kernel = symbols.lookup<exec::KernelOp>(launch.getKernel());
      if (!kernel)
        return launch.emitOpError("kernel not found"), failure();
      SmallVector<reference::Tensor> args;
      for (Value in : launch.getIns()) {
        auto address = memory.address(in);
        auto type = cast<exec::BufferType>(in.getType());
        auto dtype = reference::dtypeOf(type.getElementType());
        if (failed(address) || failed(dtype))
          return failure();
        args.push_back(
            reference::Tensor::fromBytes(*dtype, type.getShape(), *address));
      }
      auto results = reference::evaluateBlock(kernel.getBody().front(), args);
      if (failed(results))
        return failure();
      for (auto [out, result] : llvm::zip(launch.getOuts(), *results)) {
        auto address = memory.address(out);
        if (failed(address))
          return failure();
        if (result.sizeInBytes() !=
            cast<exec::BufferType>(out.getType()).getSizeInBytes())
          return launch.emitOpError("kernel result does not fit its buffer"),
                 failure();
        result.toBytes(*address);
      }
    } else if (auto copy = dyn_cast<exec::CopyOp>(op)) {
      auto source = memory.address(copy.getSource());
      auto target = memory.address(copy.getTarget());
      if (failed(source) || failed(target))
        return failure();
      std::memmove(
          *target, *source,
          cast<exec::BufferType>(copy.getSource().getType()).getSizeInBytes());
    }
  }
  return success();
}
