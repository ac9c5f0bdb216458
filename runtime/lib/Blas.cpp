//===- Blas.cpp - cuBLASLt GEMMs, the library tactic ---------------------===//

#include "Blas.h"

#include "plan_generated.h"

#include <algorithm>

#include <nvrtc.h>

#include <dlfcn.h>

namespace dsc::rt {

CublasLt::~CublasLt() {
  if (handle)
    (void)cublasLtDestroy(handle);
  if (library)
    dlclose(library);
}

namespace {

/// The folder the loaded NVRTC came from: a CUDA install has cuBLASLt next
/// to it even where that folder is not on the loader's path.
std::string nvrtcFolder() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&nvrtcVersion), &info) ||
      !info.dli_fname)
    return std::string();
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

} // namespace

Status CublasLt::load(const char *libraryName) {
  library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL);
  for (const std::string &folder :
       {nvrtcFolder(), std::string("/usr/local/cuda/lib64")})
    if (!library && !folder.empty() &&
        std::string(libraryName).find('/') == std::string::npos)
      library =
          dlopen((folder + "/" + libraryName).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return Status::error(StatusCode::kUnavailable,
                         std::string("no cuBLASLt (") + libraryName +
                             " not found)");
#define DSC_RESOLVE_ENTRY(entry)                                               \
  entry = reinterpret_cast<decltype(entry)>(dlsym(library, #entry));           \
  if (!entry)                                                                  \
    return Status::error(StatusCode::kUnavailable,                             \
                         std::string(libraryName) + " lacks " #entry);
  DSC_CUBLASLT_ENTRIES(DSC_RESOLVE_ENTRY)
#undef DSC_RESOLVE_ENTRY
  if (Status status = check(cublasLtCreate(&handle), "cublasLtCreate");
      !status) {
    handle = nullptr;
    return Status::error(StatusCode::kUnavailable, status.message());
  }
  return Status::ok();
}

Status CublasLt::check(cublasStatus_t status, const std::string &what) const {
  if (status == CUBLAS_STATUS_SUCCESS)
    return Status::ok();
  const char *name = "CUBLAS_STATUS_ERROR";
  switch (status) {
  case CUBLAS_STATUS_NOT_INITIALIZED:
    name = "CUBLAS_STATUS_NOT_INITIALIZED";
    break;
  case CUBLAS_STATUS_ALLOC_FAILED:
    name = "CUBLAS_STATUS_ALLOC_FAILED";
    break;
  case CUBLAS_STATUS_INVALID_VALUE:
    name = "CUBLAS_STATUS_INVALID_VALUE";
    break;
  case CUBLAS_STATUS_ARCH_MISMATCH:
    name = "CUBLAS_STATUS_ARCH_MISMATCH";
    break;
  case CUBLAS_STATUS_EXECUTION_FAILED:
    name = "CUBLAS_STATUS_EXECUTION_FAILED";
    break;
  case CUBLAS_STATUS_NOT_SUPPORTED:
    name = "CUBLAS_STATUS_NOT_SUPPORTED";
    break;
  case CUBLAS_STATUS_INTERNAL_ERROR:
    name = "CUBLAS_STATUS_INTERNAL_ERROR";
    break;
  default:
    break;
  }
  return Status::error(status == CUBLAS_STATUS_ALLOC_FAILED
                           ? StatusCode::kOutOfMemory
                           : StatusCode::kCudaError,
                       what + ": " + name + " (" +
                           std::to_string(static_cast<int>(status)) + ")");
}

BlasGemm::~BlasGemm() {
  for (cublasLtMatrixLayout_t layout : {layoutA_, layoutB_, layoutC_, layoutD_})
    if (layout)
      (void)blas_.cublasLtMatrixLayoutDestroy(layout);
}

namespace {

/// A column-major rows x columns layout, `ld` apart, `batch` matrices
/// `stride` elements apart.
Status makeLayout(const CublasLt &blas, cudaDataType_t type, uint64_t rows,
                  uint64_t columns, int64_t ld, int32_t batch, int64_t stride,
                  cublasLtMatrixLayout_t *out) {
  if (Status status = blas.check(
          blas.cublasLtMatrixLayoutCreate(out, type, rows, columns, ld),
          "cublasLtMatrixLayoutCreate");
      !status)
    return status;
  if (batch == 1)
    return Status::ok();
  if (Status status = blas.check(
          blas.cublasLtMatrixLayoutSetAttribute(
              *out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof(batch)),
          "setting the batch count");
      !status)
    return status;
  return blas.check(blas.cublasLtMatrixLayoutSetAttribute(
                        *out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                        &stride, sizeof(stride)),
                    "setting the batch stride");
}

const char *activationName(dsc::plan::GemmActivation activation) {
  switch (activation) {
  case dsc::plan::GemmActivation::Relu:
    return "relu";
  case dsc::plan::GemmActivation::GeluTanh:
    return "gelu_tanh";
  default:
    return "";
  }
}

} // namespace

Status BlasGemm::create(const CublasLt &blas,
                        const dsc::plan::LibraryGemm &gemm, uint32_t alignment,
                        std::unique_ptr<BlasGemm> *out) {
  std::unique_ptr<BlasGemm> result(new BlasGemm(blas));
  // Validated on load: f16, bf16 or f32, the same in and out, sizes below
  // 2^31.
  switch (gemm.input_type()) {
  case dsc::plan::DType::F16:
    result->dataType_ = CUDA_R_16F;
    break;
  case dsc::plan::DType::BF16:
    result->dataType_ = CUDA_R_16BF;
    break;
  default:
    result->dataType_ = CUDA_R_32F;
    break;
  }
  bool bias = gemm.bias_arg() >= 0;
  switch (gemm.activation()) {
  case dsc::plan::GemmActivation::Relu:
    result->epilogue_ =
        bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
    break;
  case dsc::plan::GemmActivation::GeluTanh:
    result->epilogue_ =
        bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU;
    break;
  default:
    result->epilogue_ =
        bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    break;
  }
  result->argA_ = gemm.a_arg();
  result->argB_ = gemm.b_arg();
  result->argD_ = gemm.d_arg();
  result->argBias_ = gemm.bias_arg();
  result->argResidual_ = gemm.residual_arg();
  result->alignment_ = alignment;

  // Column-major D^T [n, m] = op'(B) [n, k] x op'(A) [k, m]: a row-major
  // [r, c] matrix is a column-major [c, r] one with the same ld.
  uint64_t m = gemm.m(), n = gemm.n(), k = gemm.k();
  int32_t batch = static_cast<int32_t>(gemm.batch());
  result->opA_ = gemm.transpose_b() ? CUBLAS_OP_T : CUBLAS_OP_N;
  result->opB_ = gemm.transpose_a() ? CUBLAS_OP_T : CUBLAS_OP_N;
  cudaDataType_t type = result->dataType_;
  if (Status status = makeLayout(blas, type, gemm.transpose_b() ? k : n,
                                 gemm.transpose_b() ? n : k, gemm.ldb(), batch,
                                 gemm.stride_b(), &result->layoutA_);
      !status)
    return status;
  if (Status status = makeLayout(blas, type, gemm.transpose_a() ? m : k,
                                 gemm.transpose_a() ? k : m, gemm.lda(), batch,
                                 gemm.stride_a(), &result->layoutB_);
      !status)
    return status;
  for (cublasLtMatrixLayout_t *layout : {&result->layoutC_, &result->layoutD_})
    if (Status status = makeLayout(blas, type, n, m, gemm.ldd(), batch,
                                   gemm.stride_d(), layout);
        !status)
      return status;

  result->description_ =
      std::string(dtypeName(static_cast<DType>(gemm.input_type()))) + " " +
      std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  if (batch > 1)
    result->description_ += " batch " + std::to_string(batch);
  if (bias)
    result->description_ += " +bias";
  if (gemm.residual_arg() >= 0)
    result->description_ += " +residual";
  if (*activationName(gemm.activation()))
    result->description_ +=
        std::string(" ") + activationName(gemm.activation());

  // The heuristic's candidates for this problem, workspace and alignment.
  cublasLtMatmulDesc_t descriptor = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  Status status = result->createDescriptor(&descriptor);
  if (status)
    status = blas.check(blas.cublasLtMatmulPreferenceCreate(&preference),
                        "cublasLtMatmulPreferenceCreate");
  uint64_t workspace = kBlasWorkspaceBytes;
  if (status)
    status =
        blas.check(blas.cublasLtMatmulPreferenceSetAttribute(
                       preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                       &workspace, sizeof(workspace)),
                   "setting the workspace preference");
  for (auto attribute : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    if (status)
      status =
          blas.check(blas.cublasLtMatmulPreferenceSetAttribute(
                         preference, attribute, &alignment, sizeof(alignment)),
                     "setting the alignment preference");
  if (status) {
    result->candidates_.resize(kBlasCandidates);
    int found = 0;
    status = blas.check(blas.cublasLtMatmulAlgoGetHeuristic(
                            blas.handle, descriptor, result->layoutA_,
                            result->layoutB_, result->layoutC_,
                            result->layoutD_, preference, kBlasCandidates,
                            result->candidates_.data(), &found),
                        "cublasLtMatmulAlgoGetHeuristic");
    result->candidates_.resize(status ? found : 0);
    // Only the algorithms the heuristic could configure are candidates.
    result->candidates_.erase(
        std::remove_if(result->candidates_.begin(), result->candidates_.end(),
                       [](const cublasLtMatmulHeuristicResult_t &candidate) {
                         return candidate.state != CUBLAS_STATUS_SUCCESS;
                       }),
        result->candidates_.end());
    if (status && result->candidates_.empty())
      status = Status::error(StatusCode::kCudaError,
                             "cublasLtMatmulAlgoGetHeuristic: no algorithm");
  }
  if (preference)
    (void)blas.cublasLtMatmulPreferenceDestroy(preference);
  if (descriptor)
    (void)blas.cublasLtMatmulDescDestroy(descriptor);
  if (!status)
    return Status::error(status.code(),
                         result->description_ + ": " + status.message());
  *out = std::move(result);
  return Status::ok();
}

Status BlasGemm::createDescriptor(cublasLtMatmulDesc_t *out) const {
  *out = nullptr;
  cublasLtMatmulDesc_t descriptor = nullptr;
  // CUBLAS_COMPUTE_32F: f32 accumulation, never TF32 (dsc keeps f32 results
  // within 1e-3 of PyTorch's).
  if (Status status =
          blas_.check(blas_.cublasLtMatmulDescCreate(
                          &descriptor, CUBLAS_COMPUTE_32F, CUDA_R_32F),
                      "cublasLtMatmulDescCreate");
      !status)
    return status;
  if (Status status = setDescriptor(descriptor); !status) {
    (void)blas_.cublasLtMatmulDescDestroy(descriptor);
    return status;
  }
  *out = descriptor;
  return Status::ok();
}

Status BlasGemm::setDescriptor(cublasLtMatmulDesc_t descriptor) const {
  auto set = [&](cublasLtMatmulDescAttributes_t attribute, const void *value,
                 size_t size) {
    return blas_.check(blas_.cublasLtMatmulDescSetAttribute(
                           descriptor, attribute, value, size),
                       "cublasLtMatmulDescSetAttribute");
  };
  if (Status status = set(CUBLASLT_MATMUL_DESC_TRANSA, &opA_, sizeof(opA_));
      !status)
    return status;
  if (Status status = set(CUBLASLT_MATMUL_DESC_TRANSB, &opB_, sizeof(opB_));
      !status)
    return status;
  if (Status status =
          set(CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue_, sizeof(epilogue_));
      !status)
    return status;
  if (argBias_ >= 0)
    return set(CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &dataType_,
               sizeof(dataType_));
  return Status::ok();
}

bool BlasGemm::isAligned(const CUdeviceptr *args) const {
  CUdeviceptr bits = args[argA_] | args[argB_] | args[argD_];
  if (argResidual_ >= 0)
    bits |= args[argResidual_];
  // cuBLASLt reads the bias by element.
  if (argBias_ >= 0 && args[argBias_] % (dataType_ == CUDA_R_32F ? 4 : 2) != 0)
    return false;
  return bits % alignment_ == 0;
}

Status BlasGemm::enqueue(cublasLtMatmulDesc_t descriptor, int algorithm,
                         const CUdeviceptr *args, CUdeviceptr workspace,
                         CUstream stream) const {
  const float alpha = 1.0f, beta = argResidual_ >= 0 ? 1.0f : 0.0f;
  if (argBias_ >= 0) {
    const void *bias = reinterpret_cast<const void *>(args[argBias_]);
    if (cublasStatus_t status = blas_.cublasLtMatmulDescSetAttribute(
            descriptor, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias));
        status != CUBLAS_STATUS_SUCCESS)
      return blas_.check(status, "setting the bias pointer");
  }
  auto pointer = [&](uint32_t arg) {
    return reinterpret_cast<void *>(args[arg]);
  };
  // With beta = 0, C is not read: D stands in for it.
  void *c = pointer(argResidual_ >= 0 ? uint32_t(argResidual_) : argD_);
  cublasStatus_t status = blas_.cublasLtMatmul(
      blas_.handle, descriptor, &alpha, pointer(argB_), layoutA_,
      pointer(argA_), layoutB_, &beta, c, layoutC_, pointer(argD_), layoutD_,
      &candidates_[algorithm].algo, reinterpret_cast<void *>(workspace),
      kBlasWorkspaceBytes, stream);
  // The message is built only on failure: run() allocates nothing.
  if (status != CUBLAS_STATUS_SUCCESS)
    return blas_.check(status, "cublasLtMatmul (" + description_ + ")");
  return Status::ok();
}

} // namespace dsc::rt
