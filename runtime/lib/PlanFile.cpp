//===- PlanFile.cpp - Plan parsing and validation, no CUDA ---------------===//
//
// A plan is untrusted input: after the flatbuffers Verifier (structure), every
// index and byte range is checked against what it refers to, with overflow-safe
// arithmetic, so that the executor can trust the plan without checks of its
// own.
//
//===----------------------------------------------------------------------===//

#include "dsc/runtime.h"

#include "plan_generated.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#if FLATBUFFERS_MAX_ALIGNMENT < 256
#error "plan.fbs force-aligns weights_blob to 256: link dsc_plan_schema"
#endif

namespace dsc::rt {

static_assert(static_cast<int>(DType::kF32) ==
                      static_cast<int>(dsc::plan::DType::F32) &&
                  static_cast<int>(DType::kBool) ==
                      static_cast<int>(dsc::plan::DType::Bool) &&
                  static_cast<int>(DType::kU64) ==
                      static_cast<int>(dsc::plan::DType::U64) &&
                  dsc::plan::DType::MAX == dsc::plan::DType::U64,
              "dsc::rt::DType must mirror the plan schema's DType");

namespace {

/// Scratch beyond this is a corrupt plan, not a real kernel's need.
constexpr uint64_t kMaxScratchBytes = uint64_t(1) << 32;

Status invalid(std::string message) {
  return Status::error(StatusCode::kInvalidPlan, std::move(message));
}

bool isValidDType(dsc::plan::DType dtype) {
  auto value = static_cast<int>(dtype);
  return value >= static_cast<int>(dsc::plan::DType::MIN) &&
         value <= static_cast<int>(dsc::plan::DType::MAX);
}

/// `offset + size <= limit`, without overflow.
bool rangeFits(uint64_t offset, uint64_t size, uint64_t limit) {
  uint64_t end;
  return !__builtin_add_overflow(offset, size, &end) && end <= limit;
}

std::string rangeText(uint64_t offset, uint64_t size) {
  return "[offset " + std::to_string(offset) + ", size " +
         std::to_string(size) + "]";
}

std::string quoted(const flatbuffers::String *name) {
  return name ? "'" + name->str() + "'" : "''";
}

/// The Verifier aligns vectors only to their 4-byte length: vectors of 8-byte
/// elements (shapes, BufferRefs) need this check too, or reading them is
/// undefined behaviour.
/// An empty vector has no elements to read, and FlatBuffers does not pad it:
/// a rank-0 shape may sit anywhere.
template <typename T> bool isAligned(const flatbuffers::Vector<T> *vector) {
  return !vector || vector->size() == 0 ||
         reinterpret_cast<uintptr_t>(vector->data()) % 8 == 0;
}

/// Checks dtype and shape, and computes the byte size.
Status readTensor(const std::string &what, dsc::plan::DType dtype,
                  const flatbuffers::Vector<int64_t> *shape, DType *outDType,
                  std::vector<int64_t> *outShape, uint64_t *byteSize) {
  if (!isValidDType(dtype))
    return invalid(what + ": invalid dtype " +
                   std::to_string(static_cast<int>(dtype)));
  *outDType = static_cast<DType>(dtype);
  if (!isAligned(shape))
    return invalid(what + ": misaligned shape vector");
  uint64_t bytes = dtypeSize(*outDType);
  outShape->clear();
  if (shape) {
    for (flatbuffers::uoffset_t axis = 0; axis < shape->size(); ++axis) {
      int64_t dim = shape->Get(axis);
      if (dim < 0)
        return invalid(what + ": negative dimension " + std::to_string(dim) +
                       " at axis " + std::to_string(axis));
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes))
        return invalid(what + ": byte size overflows 64 bits");
      outShape->push_back(dim);
    }
  }
  *byteSize = bytes;
  return Status::ok();
}

Status readSignature(
    const char *kind,
    const flatbuffers::Vector<flatbuffers::Offset<dsc::plan::TensorSig>> *sigs,
    std::vector<TensorInfo> *out) {
  out->clear();
  if (!sigs)
    return Status::ok();
  for (flatbuffers::uoffset_t i = 0; i < sigs->size(); ++i) {
    const dsc::plan::TensorSig *sig = sigs->Get(i);
    TensorInfo info;
    info.name = sig->name()->str();
    std::string what =
        std::string(kind) + " " + std::to_string(i) + " " + quoted(sig->name());
    Status status = readTensor(what, sig->dtype(), sig->shape(), &info.dtype,
                               &info.shape, &info.byteSize);
    if (!status)
      return status;
    info.sampleAxis = sig->sample_axis();
    info.isString = sig->is_string();
    if (info.isString &&
        (info.dtype != DType::kU8 || info.shape.empty() ||
         info.sampleAxis == static_cast<int32_t>(info.shape.size()) - 1))
      return invalid(what +
                     ": a string tensor must be u8 with a slot dimension "
                     "last (and no samples along it)");
    if (info.sampleAxis < -1 ||
        info.sampleAxis >= static_cast<int32_t>(info.shape.size()))
      return invalid(what + ": sample_axis " + std::to_string(info.sampleAxis) +
                     " is not an axis of " + "its rank-" +
                     std::to_string(info.shape.size()) + " shape");
    out->push_back(std::move(info));
  }
  return Status::ok();
}

struct RefLimits {
  uint64_t arenaSize;
  uint64_t blobSize;
  const std::vector<TensorInfo> &inputs;
  const std::vector<TensorInfo> &outputs;
};

Status checkRef(const std::string &what, const dsc::plan::BufferRef &ref,
                const RefLimits &limits) {
  uint64_t offset = ref.offset(), size = ref.size();
  switch (ref.space()) {
  case dsc::plan::Space::Arena:
    if (!rangeFits(offset, size, limits.arenaSize))
      return invalid(what + ": arena range " + rangeText(offset, size) +
                     " exceeds arena_size " + std::to_string(limits.arenaSize));
    return Status::ok();
  case dsc::plan::Space::Weights:
    if (!rangeFits(offset, size, limits.blobSize))
      return invalid(what + ": weights range " + rangeText(offset, size) +
                     " exceeds the weights blob (" +
                     std::to_string(limits.blobSize) + " bytes)");
    return Status::ok();
  case dsc::plan::Space::Input:
  case dsc::plan::Space::Output: {
    bool isInput = ref.space() == dsc::plan::Space::Input;
    const char *kind = isInput ? "input" : "output";
    const std::vector<TensorInfo> &sig =
        isInput ? limits.inputs : limits.outputs;
    if (ref.index() >= sig.size())
      return invalid(what + ": " + kind + " index " +
                     std::to_string(ref.index()) + " out of range (" +
                     std::to_string(sig.size()) + " " + kind + "s)");
    const TensorInfo &tensor = sig[ref.index()];
    if (!rangeFits(offset, size, tensor.byteSize))
      return invalid(what + ": range " + rangeText(offset, size) + " exceeds " +
                     kind + " " + std::to_string(ref.index()) + " '" +
                     tensor.name + "' (" + std::to_string(tensor.byteSize) +
                     " bytes)");
    return Status::ok();
  }
  }
  return invalid(what + ": invalid space " +
                 std::to_string(static_cast<int>(ref.space())));
}

Status checkDims(const std::string &what, const char *field,
                 const flatbuffers::Vector<uint32_t> *dims) {
  if (!dims || dims->size() != 3)
    return invalid(what + ": " + field + " must have exactly 3 entries, has " +
                   std::to_string(dims ? dims->size() : 0));
  for (flatbuffers::uoffset_t i = 0; i < 3; ++i)
    if (dims->Get(i) == 0)
      return invalid(what + ": " + field + "[" + std::to_string(i) +
                     "] is 0 (must be positive)");
  return Status::ok();
}

/// The most dynamic shared memory a block may opt into on any GPU plans
/// run on (sm_90: 227 KiB); the device's own limit is checked at load.
constexpr uint32_t kMaxSharedMemory = 227 * 1024;

/// A tensor map's own fields within what cuTensorMapEncodeIm2col takes;
/// its tensor's extent, the product of the outermost size and stride.
Status checkTensorMap(const std::string &what, const dsc::plan::TensorMap &map,
                      uint64_t *extent) {
  const auto *dims = map.dims();
  size_t rank = dims ? dims->size() : 0;
  if (rank < 3 || rank > 5)
    return invalid(what + ": rank " + std::to_string(rank) +
                   " (an im2col map has 3 to 5 dimensions)");
  auto size = [](const auto *vector) { return vector ? vector->size() : 0u; };
  if (size(map.strides()) != rank - 1 || size(map.element_strides()) != rank ||
      size(map.lower_corner()) != rank - 2 ||
      size(map.upper_corner()) != rank - 2)
    return invalid(what +
                   ": strides, element strides or corners do not "
                   "match rank " +
                   std::to_string(rank));
  unsigned bytes = map.element_bytes();
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
    return invalid(what + ": element_bytes " + std::to_string(bytes) +
                   " is not 1, 2, 4 or 8");
  for (flatbuffers::uoffset_t d = 0; d < rank; ++d) {
    if (dims->Get(d) == 0 || dims->Get(d) > (uint64_t(1) << 32))
      return invalid(what + ": size " + std::to_string(dims->Get(d)) +
                     " of dimension " + std::to_string(d) +
                     " is not within 1..2^32");
    uint32_t step = map.element_strides()->Get(d);
    if (step < 1 || step > 8)
      return invalid(what + ": element stride " + std::to_string(step) +
                     " is not within 1..8");
  }
  // Each stride holds at least the dimensions inside it, so that the
  // extent below bounds every element the map can reach.
  uint64_t inner = dims->Get(0) * bytes;
  for (flatbuffers::uoffset_t d = 0; d + 1 < rank; ++d) {
    uint64_t stride = map.strides()->Get(d);
    if (stride % 16 || stride >= (uint64_t(1) << 40) || stride < inner)
      return invalid(what + ": stride " + std::to_string(stride) +
                     " of dimension " + std::to_string(d + 1) +
                     " is not a multiple of 16 below 2^40 covering the "
                     "dimensions inside it");
    inner = stride * dims->Get(d + 1);
  }
  // Corners are 16-bit in a 3-D map, 8-bit in 4-D, 5-bit in 5-D.
  int cornerBits = rank == 3 ? 16 : rank == 4 ? 8 : 5;
  for (flatbuffers::uoffset_t d = 0; d + 2 < rank; ++d)
    for (int corner : {map.lower_corner()->Get(d), map.upper_corner()->Get(d)})
      if (corner < -(1 << (cornerBits - 1)) ||
          corner >= (1 << (cornerBits - 1)))
        return invalid(what + ": corner " + std::to_string(corner) +
                       " is outside the " + std::to_string(cornerBits) +
                       "-bit range of a rank-" + std::to_string(rank) + " map");
  if (map.channels_per_pixel() < 1 || map.channels_per_pixel() > 256 ||
      map.pixels_per_column() < 1 || map.pixels_per_column() > 256)
    return invalid(what + ": channels_per_pixel and pixels_per_column must "
                          "be within 1..256");
  if (map.channels_per_pixel() * bytes > 128)
    return invalid(what + ": a pixel's channels exceed the 128-byte swizzle");
  *extent = inner;
  return Status::ok();
}

/// Every tensor map of a launch's variants lies within the launch argument
/// it reads.
Status checkTensorMapArgs(
    const std::string &what, const dsc::plan::Kernel &kernel,
    const flatbuffers::Vector<const dsc::plan::BufferRef *> *args) {
  const auto *variants = kernel.variants();
  if (!variants)
    return Status::ok();
  size_t numArgs = args ? args->size() : 0;
  for (flatbuffers::uoffset_t v = 0; v < variants->size(); ++v) {
    const auto *maps = variants->Get(v)->tensor_maps();
    for (flatbuffers::uoffset_t i = 0; maps && i < maps->size(); ++i) {
      const dsc::plan::TensorMap *map = maps->Get(i);
      std::string mapWhat = what + " variant " + std::to_string(v + 1) +
                            " tensor map " + std::to_string(i);
      if (map->arg() >= numArgs)
        return invalid(mapWhat + ": argument " + std::to_string(map->arg()) +
                       " out of range (" + std::to_string(numArgs) +
                       " arguments)");
      uint64_t extent = 0;
      if (Status status = checkTensorMap(mapWhat, *map, &extent); !status)
        return status;
      uint64_t size = args->Get(map->arg())->size();
      if (extent > size)
        return invalid(mapWhat + ": the tensor's " + std::to_string(extent) +
                       " bytes exceed argument " + std::to_string(map->arg()) +
                       " (" + std::to_string(size) + " bytes)");
    }
  }
  return Status::ok();
}

/// A kernel's generated variants: each a named entry with a launch
/// configuration CUDA accepts and a scratch within the limit.
Status checkVariants(const std::string &kernelWhat,
                     const dsc::plan::Kernel &kernel) {
  const auto *variants = kernel.variants();
  if (!variants || variants->size() == 0)
    return Status::ok();
  if (variants->size() > PlanFile::kMaxVariants)
    return invalid(kernelWhat + ": " + std::to_string(variants->size()) +
                   " variants exceed the limit of " +
                   std::to_string(PlanFile::kMaxVariants));
  // Per-sample launches rewrite the grid of the kernel's one entry.
  if (kernel.per_sample())
    return invalid(kernelWhat + ": a per-sample kernel cannot have variants");
  for (flatbuffers::uoffset_t v = 0; v < variants->size(); ++v) {
    const dsc::plan::KernelVariant *variant = variants->Get(v);
    std::string what = kernelWhat + " variant " + std::to_string(v + 1);
    if (variant->entry()->size() == 0)
      return invalid(what + ": empty entry name");
    if (Status status = checkDims(what, "grid", variant->grid()); !status)
      return status;
    if (Status status = checkDims(what, "block", variant->block()); !status)
      return status;
    const auto *grid = variant->grid();
    const auto *block = variant->block();
    if (grid->Get(0) > 0x7fffffffu || grid->Get(1) > 65535 ||
        grid->Get(2) > 65535)
      return invalid(what + ": grid (" + std::to_string(grid->Get(0)) + ", " +
                     std::to_string(grid->Get(1)) + ", " +
                     std::to_string(grid->Get(2)) + ") exceeds CUDA's limits");
    if (uint64_t(block->Get(0)) * block->Get(1) * block->Get(2) > 1024)
      return invalid(what + ": block of more than 1024 threads");
    if (variant->shared_memory() > kMaxSharedMemory)
      return invalid(
          what + ": shared_memory " + std::to_string(variant->shared_memory()) +
          " bytes exceeds the limit of " + std::to_string(kMaxSharedMemory));
    if (variant->scratch_bytes() > kMaxScratchBytes)
      return invalid(
          what + ": scratch of " + std::to_string(variant->scratch_bytes()) +
          " bytes exceeds the limit of " + std::to_string(kMaxScratchBytes));
  }
  return Status::ok();
}

/// cuBLASLt takes 64-bit sizes, but every dimension and stride of a library
/// GEMM stays below 2^31 so that the extents below cannot overflow.
constexpr int64_t kMaxGemmExtent = (int64_t(1) << 31) - 1;

const char *gemmTypeName(dsc::plan::DType dtype) {
  return isValidDType(dtype) ? dtypeName(static_cast<DType>(dtype)) : "?";
}

/// The fields of a library GEMM on their own: sizes, types, leading
/// dimensions and the epilogue.
Status checkLibraryGemm(const std::string &what,
                        const dsc::plan::LibraryGemm &gemm) {
  std::string prefix = what + ": library gemm: ";
  for (auto [name, value] : {std::pair<const char *, int64_t>{"m", gemm.m()},
                             {"n", gemm.n()},
                             {"k", gemm.k()},
                             {"batch", gemm.batch()}})
    if (value < 1 || value > kMaxGemmExtent)
      return invalid(prefix + name + " " + std::to_string(value) +
                     " is not within 1..2^31-1");
  for (auto [name, value] :
       {std::pair<const char *, int64_t>{"lda", gemm.lda()},
        {"ldb", gemm.ldb()},
        {"ldd", gemm.ldd()},
        {"stride_a", gemm.stride_a()},
        {"stride_b", gemm.stride_b()},
        {"stride_d", gemm.stride_d()}})
    if (value < 0 || value > kMaxGemmExtent)
      return invalid(prefix + name + " " + std::to_string(value) +
                     " is not within 0..2^31-1");
  // Stored rows are op(A)'s columns unless transposed.
  int64_t aColumns = gemm.transpose_a() ? gemm.m() : gemm.k();
  int64_t bColumns = gemm.transpose_b() ? gemm.k() : gemm.n();
  if (gemm.lda() < aColumns)
    return invalid(prefix + "lda " + std::to_string(gemm.lda()) +
                   " is less than A's row length " + std::to_string(aColumns));
  if (gemm.ldb() < bColumns)
    return invalid(prefix + "ldb " + std::to_string(gemm.ldb()) +
                   " is less than B's row length " + std::to_string(bColumns));
  if (gemm.ldd() < gemm.n())
    return invalid(prefix + "ldd " + std::to_string(gemm.ldd()) +
                   " is less than n " + std::to_string(gemm.n()));
  if (gemm.batch() > 1 && gemm.stride_d() < gemm.ldd() * gemm.m())
    return invalid(prefix + "stride_d " + std::to_string(gemm.stride_d()) +
                   " makes the batches of D overlap");
  using dsc::plan::DType;
  DType input = gemm.input_type(), output = gemm.output_type();
  if ((input != DType::F16 && input != DType::BF16 && input != DType::F32) ||
      output != input)
    return invalid(prefix + "unsupported types " + gemmTypeName(input) +
                   " -> " + gemmTypeName(output) +
                   " (f16, bf16 or f32, the same in and out)");
  auto activation = gemm.activation();
  if (activation != dsc::plan::GemmActivation::None &&
      activation != dsc::plan::GemmActivation::Relu &&
      activation != dsc::plan::GemmActivation::GeluTanh)
    return invalid(prefix + "invalid activation " +
                   std::to_string(static_cast<int>(activation)));
  if (gemm.bias_arg() < -1 || gemm.residual_arg() < -1)
    return invalid(prefix + "bias_arg and residual_arg must be -1 or an "
                            "argument number");
  return Status::ok();
}

/// The bytes a matrix operand spans: `batch` matrices `stride` elements
/// apart, each `rows` rows `ld` elements apart of `columns` elements.
uint64_t operandBytes(int64_t batch, int64_t stride, int64_t rows,
                      int64_t columns, int64_t ld, size_t elementSize) {
  // Each factor is below 2^31 (checkLibraryGemm): no overflow in 128 bits,
  // and the sum fits 64 bits for the sizes a plan can hold.
  __int128 elements =
      __int128(batch - 1) * stride + __int128(rows - 1) * ld + columns;
  __int128 bytes = elements * __int128(elementSize);
  return bytes > __int128(UINT64_MAX) ? UINT64_MAX : uint64_t(bytes);
}

/// A library GEMM against one launch of its kernel: each operand is one of
/// the launch's arguments and holds every element the matmul touches.
Status checkLibraryGemmArgs(
    const std::string &what, const dsc::plan::LibraryGemm &gemm,
    const flatbuffers::Vector<const dsc::plan::BufferRef *> *args) {
  size_t numArgs = args ? args->size() : 0;
  size_t elementSize = dtypeSize(static_cast<DType>(gemm.input_type()));
  int64_t m = gemm.m(), n = gemm.n(), k = gemm.k(), batch = gemm.batch();
  struct Operand {
    const char *name;
    int64_t arg;
    uint64_t bytes;
  };
  std::vector<Operand> operands = {
      {"a_arg", gemm.a_arg(),
       operandBytes(batch, gemm.stride_a(), gemm.transpose_a() ? k : m,
                    gemm.transpose_a() ? m : k, gemm.lda(), elementSize)},
      {"b_arg", gemm.b_arg(),
       operandBytes(batch, gemm.stride_b(), gemm.transpose_b() ? n : k,
                    gemm.transpose_b() ? k : n, gemm.ldb(), elementSize)},
      {"d_arg", gemm.d_arg(),
       operandBytes(batch, gemm.stride_d(), m, n, gemm.ldd(), elementSize)}};
  if (gemm.bias_arg() >= 0)
    operands.push_back(
        {"bias_arg", gemm.bias_arg(), uint64_t(n) * elementSize});
  if (gemm.residual_arg() >= 0)
    operands.push_back(
        {"residual_arg", gemm.residual_arg(), operands[2].bytes});
  for (const Operand &operand : operands) {
    if (operand.arg >= int64_t(numArgs))
      return invalid(what + ": library gemm: " + operand.name + " " +
                     std::to_string(operand.arg) + " out of range (" +
                     std::to_string(numArgs) + " arguments)");
    uint64_t size = args->Get(operand.arg)->size();
    if (size < operand.bytes)
      return invalid(what + ": library gemm: " + operand.name + " " +
                     std::to_string(operand.arg) + " holds " +
                     std::to_string(size) + " bytes, the matmul reads " +
                     std::to_string(operand.bytes));
  }
  return Status::ok();
}

Status checkSemantics(const dsc::plan::Plan &plan,
                      const std::vector<TensorInfo> &inputs,
                      const std::vector<TensorInfo> &outputs,
                      std::vector<WeightInfo> *weights) {
  if (plan.format_version() != PlanFile::kFormatVersion)
    return invalid("unsupported plan format_version " +
                   std::to_string(plan.format_version()) +
                   " (this runtime reads " +
                   std::to_string(PlanFile::kFormatVersion) + ")");

  uint64_t blobSize = plan.weights_blob() ? plan.weights_blob()->size() : 0;
  weights->clear();
  if (const auto *table = plan.weights()) {
    for (flatbuffers::uoffset_t i = 0; i < table->size(); ++i) {
      const dsc::plan::Weight *weight = table->Get(i);
      std::string what =
          "weight " + std::to_string(i) + " " + quoted(weight->name());
      WeightInfo info;
      info.name = weight->name()->str();
      info.offset = weight->offset();
      info.size = weight->size();
      uint64_t logicalBytes;
      Status status = readTensor(what, weight->dtype(), weight->shape(),
                                 &info.dtype, &info.shape, &logicalBytes);
      if (!status)
        return status;
      if (!rangeFits(info.offset, info.size, blobSize))
        return invalid(what + ": range " + rangeText(info.offset, info.size) +
                       " exceeds the weights blob (" +
                       std::to_string(blobSize) + " bytes)");
      weights->push_back(std::move(info));
    }
  }

  size_t numKernels = plan.kernels() ? plan.kernels()->size() : 0;
  for (size_t k = 0; k < numKernels; ++k) {
    const dsc::plan::Kernel *kernel = plan.kernels()->Get(k);
    std::string what =
        "kernel " + std::to_string(k) + " " + quoted(kernel->name());
    if (kernel->entry()->size() == 0)
      return invalid(what + ": empty entry name");
    bool hasCubin = kernel->cubin() && kernel->cubin()->size() > 0;
    if (!hasCubin && kernel->source()->size() == 0)
      return invalid(what + ": has neither cubin nor source");
    if (hasCubin && (!kernel->arch() || kernel->arch()->size() == 0))
      return invalid(what + ": has a cubin but no arch");
    if (Status status = checkVariants(what, *kernel); !status)
      return status;
    if (const dsc::plan::LibraryGemm *gemm = kernel->library_gemm()) {
      if (Status status = checkLibraryGemm(what, *gemm); !status)
        return status;
      // Library steps take their pointers as they are: no per-sample
      // offsets or grids.
      if (plan.symbolic_dim())
        return invalid(what + ": library gemm in a plan with a symbolic "
                              "dimension");
    }
  }

  // A symbolic dimension: sizes up to `max` samples must stay addressable,
  // and per-sample launches must fit the grid's z limit.
  int64_t maxSamples = 1;
  if (const dsc::plan::SymbolicDim *dim = plan.symbolic_dim()) {
    if (dim->min() < 1 || dim->max() < dim->min() || dim->max() > 65535)
      return invalid("symbolic dimension '" + dim->name()->str() + "': range " +
                     std::to_string(dim->min()) + ".." +
                     std::to_string(dim->max()) +
                     " is not within 1..65535 in order");
    maxSamples = dim->max();
    uint64_t bytes;
    if (__builtin_mul_overflow(plan.arena_size(), uint64_t(maxSamples), &bytes))
      return invalid("the arena for " + std::to_string(maxSamples) +
                     " samples overflows 64 bits");
    for (const auto *sig : {&inputs, &outputs})
      for (const TensorInfo &tensor : *sig)
        if (__builtin_mul_overflow(tensor.byteSize, uint64_t(maxSamples),
                                   &bytes))
          return invalid("'" + tensor.name + "' for " +
                         std::to_string(maxSamples) +
                         " samples overflows 64 bits");
  } else {
    for (const auto *sig : {&inputs, &outputs})
      for (const TensorInfo &tensor : *sig)
        if (tensor.sampleAxis >= 0)
          return invalid("'" + tensor.name +
                         "' has a sample axis but the plan has no symbolic "
                         "dimension");
  }

  RefLimits limits{plan.arena_size(), blobSize, inputs, outputs};
  const auto *steps = plan.steps();
  size_t numSteps = steps ? steps->size() : 0;
  for (size_t s = 0; s < numSteps; ++s) {
    const dsc::plan::StepEntry *entry = steps->Get(s);
    std::string what = "step " + std::to_string(s);
    switch (entry->step_type()) {
    case dsc::plan::Step::Launch: {
      const dsc::plan::Launch *launch = entry->step_as_Launch();
      what += " (launch)";
      // The Verifier accepts a union type whose value is missing.
      if (!launch)
        return invalid(what + ": missing launch");
      if (launch->kernel() >= numKernels)
        return invalid(what + ": kernel index " +
                       std::to_string(launch->kernel()) + " out of range (" +
                       std::to_string(numKernels) + " kernels)");
      if (Status status = checkDims(what, "grid", launch->grid()); !status)
        return status;
      const dsc::plan::Kernel *kernel = plan.kernels()->Get(launch->kernel());
      unsigned axis = kernel->per_sample_axis();
      if (kernel->per_sample() && axis != 1 && axis != 2)
        return invalid(what + ": per_sample_axis " + std::to_string(axis) +
                       " is neither 1 (y) nor 2 (z)");
      if (kernel->per_sample() &&
          uint64_t(launch->grid()->Get(axis)) * uint64_t(maxSamples) > 65535)
        return invalid(what + ": grid " + (axis == 1 ? "y " : "z ") +
                       std::to_string(launch->grid()->Get(axis)) + " times " +
                       std::to_string(maxSamples) +
                       " samples exceeds the limit of 65535");
      if (Status status = checkDims(what, "block", launch->block()); !status)
        return status;
      // The scratch is allocated once, for one launch at a time.
      if (kernel->scratch_bytes() > kMaxScratchBytes)
        return invalid(
            what + ": scratch of " + std::to_string(kernel->scratch_bytes()) +
            " bytes exceeds the limit of " + std::to_string(kMaxScratchBytes));
      if (kernel->scratch_bytes() && kernel->per_sample())
        return invalid(what + ": a per-sample kernel cannot take scratch");
      if (!isAligned(launch->args()))
        return invalid(what + ": misaligned args vector");
      if (const auto *args = launch->args()) {
        for (flatbuffers::uoffset_t a = 0; a < args->size(); ++a) {
          Status status = checkRef(what + " arg " + std::to_string(a),
                                   *args->Get(a), limits);
          if (!status)
            return status;
        }
      }
      if (const dsc::plan::LibraryGemm *gemm = kernel->library_gemm())
        if (Status status = checkLibraryGemmArgs(what, *gemm, launch->args());
            !status)
          return status;
      if (Status status = checkTensorMapArgs(what, *kernel, launch->args());
          !status)
        return status;
      break;
    }
    case dsc::plan::Step::Copy: {
      const dsc::plan::Copy *copy = entry->step_as_Copy();
      what += " (copy)";
      if (!copy || !copy->source() || !copy->target())
        return invalid(what + ": missing source or target");
      if (Status status = checkRef(what + " source", *copy->source(), limits);
          !status)
        return status;
      if (Status status = checkRef(what + " target", *copy->target(), limits);
          !status)
        return status;
      if (copy->source()->size() != copy->target()->size())
        return invalid(what + ": source size " +
                       std::to_string(copy->source()->size()) +
                       " differs from target size " +
                       std::to_string(copy->target()->size()));
      break;
    }
    default:
      return invalid(what + ": empty or unknown step type " +
                     std::to_string(static_cast<int>(entry->step_type())));
    }
  }
  return Status::ok();
}

} // namespace

Status PlanFile::fromBytes(std::vector<uint8_t> bytes, PlanFile *out) {
  if (!out)
    return Status::error(StatusCode::kInvalidArgument, "null PlanFile output");
  *out = PlanFile();
  if (bytes.size() < 8)
    return invalid("plan is too small (" + std::to_string(bytes.size()) +
                   " bytes) to be a dsc plan");
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return invalid("plan is too large (" + std::to_string(bytes.size()) +
                   " bytes; flatbuffers are limited to 2 GiB)");
  if (!dsc::plan::PlanBufferHasIdentifier(bytes.data()))
    return invalid("not a dsc plan: file identifier is not \"DSCP\"");
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!dsc::plan::VerifyPlanBuffer(verifier))
    return invalid("plan failed flatbuffers verification (corrupt or "
                   "truncated)");

  const dsc::plan::Plan *plan = dsc::plan::GetPlan(bytes.data());
  PlanFile file;
  if (Status status = readSignature("input", plan->inputs(), &file.inputs_);
      !status)
    return status;
  if (Status status = readSignature("output", plan->outputs(), &file.outputs_);
      !status)
    return status;
  if (Status status =
          checkSemantics(*plan, file.inputs_, file.outputs_, &file.weights_);
      !status)
    return status;
  if (const dsc::plan::SymbolicDim *dim = plan->symbolic_dim())
    file.symbolicDim_ =
        SymbolicDimInfo{dim->name()->str(), dim->min(), dim->max()};
  file.bytes_ = std::move(bytes);
  *out = std::move(file);
  return Status::ok();
}

Status PlanFile::fromFile(const std::string &path, PlanFile *out) {
  if (!out)
    return Status::error(StatusCode::kInvalidArgument, "null PlanFile output");
  *out = PlanFile();
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    int error = errno;
    return Status::error(error == ENOENT ? StatusCode::kNotFound
                                         : StatusCode::kIoError,
                         "plan file '" + path + "': " + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode))
    return Status::error(StatusCode::kIoError,
                         "plan file '" + path + "' is not a regular file");
  std::FILE *stream = std::fopen(path.c_str(), "rb");
  if (!stream)
    return Status::error(StatusCode::kIoError,
                         "plan file '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<size_t>(info.st_size));
  size_t read =
      bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), stream);
  bool failed = std::ferror(stream);
  std::fclose(stream);
  if (failed || read != bytes.size())
    return Status::error(StatusCode::kIoError,
                         "plan file '" + path + "': read " +
                             std::to_string(read) + " of " +
                             std::to_string(bytes.size()) + " bytes");
  Status status = fromBytes(std::move(bytes), out);
  if (!status)
    return Status::error(status.code(),
                         "plan file '" + path + "': " + status.message());
  return Status::ok();
}

const dsc::plan::Plan *PlanFile::raw() const {
  return bytes_.empty() ? nullptr : dsc::plan::GetPlan(bytes_.data());
}

const uint8_t *PlanFile::weightsBlob() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->weights_blob() ? plan->weights_blob()->data() : nullptr;
}

uint64_t PlanFile::weightsBlobSize() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->weights_blob() ? plan->weights_blob()->size() : 0;
}

size_t PlanFile::numKernels() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->kernels() ? plan->kernels()->size() : 0;
}

size_t PlanFile::numSteps() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->steps() ? plan->steps()->size() : 0;
}

uint64_t PlanFile::arenaSize() const {
  const dsc::plan::Plan *plan = raw();
  return plan ? plan->arena_size() : 0;
}

uint64_t PlanFile::arenaLowerBound() const {
  const dsc::plan::Plan *plan = raw();
  return plan ? plan->arena_lower_bound() : 0;
}

std::string PlanFile::producer() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->producer() ? plan->producer()->str() : std::string();
}

std::string PlanFile::execIr() const {
  const dsc::plan::Plan *plan = raw();
  return plan && plan->exec_ir() ? plan->exec_ir()->str() : std::string();
}

} // namespace dsc::rt
