//===- Blas.h - cuBLASLt GEMMs, the library tactic ---------------*- C++
//-*-===//
//
// A kernel whose plan entry carries a LibraryGemm may run as one cuBLASLt
// matmul instead. libcublasLt.so.13 is dlopen'ed like the driver: where it is
// absent the runtime runs the generated kernels only. The plan's GEMMs are
// row-major; cuBLASLt's are column-major, so each runs as the transposed
// product D^T = op(B)^T op(A)^T, which reads the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef DSC_RUNTIME_BLAS_H
#define DSC_RUNTIME_BLAS_H

#include "dsc/runtime.h"

#include <cublasLt.h>

#include <memory>
#include <string>
#include <vector>

namespace dsc::plan {
struct LibraryGemm;
} // namespace dsc::plan

namespace dsc::rt {

#define DSC_CUBLASLT_ENTRIES(X)                                                \
  X(cublasLtCreate)                                                            \
  X(cublasLtDestroy)                                                           \
  X(cublasLtGetVersion)                                                        \
  X(cublasLtMatmulDescCreate)                                                  \
  X(cublasLtMatmulDescDestroy)                                                 \
  X(cublasLtMatmulDescSetAttribute)                                            \
  X(cublasLtMatrixLayoutCreate)                                                \
  X(cublasLtMatrixLayoutDestroy)                                               \
  X(cublasLtMatrixLayoutSetAttribute)                                          \
  X(cublasLtMatmulPreferenceCreate)                                            \
  X(cublasLtMatmulPreferenceDestroy)                                           \
  X(cublasLtMatmulPreferenceSetAttribute)                                      \
  X(cublasLtMatmulAlgoGetHeuristic)                                            \
  X(cublasLtMatmul)

/// The cuBLASLt entry points and one handle (thread-safe: cuBLASLt handles
/// hold no per-call state).
struct CublasLt {
#define DSC_DECLARE_ENTRY(name) decltype(&::name) name = nullptr;
  DSC_CUBLASLT_ENTRIES(DSC_DECLARE_ENTRY)
#undef DSC_DECLARE_ENTRY

  void *library = nullptr;
  cublasLtHandle_t handle = nullptr;

  CublasLt() = default;
  CublasLt(const CublasLt &) = delete;
  CublasLt &operator=(const CublasLt &) = delete;
  ~CublasLt();

  /// dlopen's the library, resolves every entry and creates the handle (the
  /// device's context must be current); kUnavailable when it is absent.
  Status load(const char *libraryName = "libcublasLt.so.13");
  /// E.g. 130000 (cublasLtGetVersion).
  size_t version() const { return cublasLtGetVersion(); }

  /// Ok, or kCudaError "<what>: CUBLAS_STATUS_X (n)".
  Status check(cublasStatus_t status, const std::string &what) const;
};

/// Bytes of the workspace each Context gives cuBLASLt (what NVIDIA suggests
/// for Hopper); part of Plan::workspaceSize when a GEMM runs in cuBLASLt.
constexpr uint64_t kBlasWorkspaceBytes = 32ull << 20;
/// Heuristic algorithms the tuner times per GEMM.
constexpr int kBlasCandidates = 4;

/// One plan kernel's LibraryGemm as cuBLASLt layouts, a descriptor for the
/// heuristic and the heuristic's candidate algorithms. Immutable once made:
/// shared by the plan's contexts.
class BlasGemm {
public:
  ~BlasGemm();
  BlasGemm(const BlasGemm &) = delete;
  BlasGemm &operator=(const BlasGemm &) = delete;

  /// `alignment`: the fewest bytes any launch aligns A, B, C (the residual)
  /// and D to, a power of two; algorithms that need more are not offered.
  static Status create(const CublasLt &blas, const dsc::plan::LibraryGemm &gemm,
                       uint32_t alignment, std::unique_ptr<BlasGemm> *out);

  /// The heuristic's algorithms, fastest estimate first (at least one).
  const std::vector<cublasLtMatmulHeuristicResult_t> &candidates() const {
    return candidates_;
  }
  /// E.g. "f16 512x3072x768 +bias gelu_tanh".
  const std::string &description() const { return description_; }
  uint32_t alignment() const { return alignment_; }
  /// Whether the launch argument pointers `args` meet alignment().
  bool isAligned(const CUdeviceptr *args) const;

  /// A matmul descriptor for one context (the bias pointer is set at each
  /// enqueue); the caller destroys it.
  Status createDescriptor(cublasLtMatmulDesc_t *out) const;
  /// Enqueues D = act(op(A) op(B) + bias + C) on `stream` with the launch
  /// arguments `args` and candidate `algorithm`: no allocation, no
  /// synchronization, capturable. `workspace` holds kBlasWorkspaceBytes.
  Status enqueue(cublasLtMatmulDesc_t descriptor, int algorithm,
                 const CUdeviceptr *args, CUdeviceptr workspace,
                 CUstream stream) const;

private:
  explicit BlasGemm(const CublasLt &blas) : blas_(blas) {}
  Status setDescriptor(cublasLtMatmulDesc_t descriptor) const;

  const CublasLt &blas_;
  cudaDataType_t dataType_ = CUDA_R_32F;
  cublasOperation_t opA_ = CUBLAS_OP_N, opB_ = CUBLAS_OP_N;
  cublasLtEpilogue_t epilogue_ = CUBLASLT_EPILOGUE_DEFAULT;
  /// cuBLASLt's operands: A' = the plan's B, B' = the plan's A.
  cublasLtMatrixLayout_t layoutA_ = nullptr, layoutB_ = nullptr,
                         layoutC_ = nullptr, layoutD_ = nullptr;
  uint32_t argA_ = 0, argB_ = 0, argD_ = 0;
  int32_t argBias_ = -1, argResidual_ = -1;
  uint32_t alignment_ = 16;
  std::vector<cublasLtMatmulHeuristicResult_t> candidates_;
  std::string description_;
};

} // namespace dsc::rt

#endif // DSC_RUNTIME_BLAS_H
