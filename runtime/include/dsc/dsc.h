/*===- dsc.h - dsc runtime C API -----------------------------------*- C -*-===
 *
 * The C face of dsc/runtime.h. Every fallible function returns a dsc_status:
 * NULL means success; otherwise an error the caller frees with
 * dsc_status_destroy. Nothing throws across this API and nothing aborts on
 * bad input. Thread safety follows the C++ API: runtime and plan are
 * thread-safe, a context is used by one thread at a time.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DSC_C_API_H
#define DSC_C_API_H

#include <cuda.h>
#include <stddef.h>
#include <stdint.h>

/* Exported from libdsc.so; the static library needs no decoration. */
#if defined(DSC_BUILDING_SHARED)
#define DSC_API __attribute__((visibility("default")))
#else
#define DSC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Values equal dsc::rt::StatusCode. */
typedef enum dsc_status_code {
  DSC_OK = 0,
  DSC_INVALID_ARGUMENT = 1,
  DSC_INVALID_PLAN = 2,
  DSC_NOT_FOUND = 3,
  DSC_IO_ERROR = 4,
  DSC_UNAVAILABLE = 5,
  DSC_CUDA_ERROR = 6,
  DSC_COMPILE_ERROR = 7,
  DSC_OUT_OF_MEMORY = 8,
  DSC_INTERNAL = 9
} dsc_status_code;

/* Values equal the plan schema's DType. */
typedef enum dsc_dtype {
  DSC_F32 = 0,
  DSC_F16 = 1,
  DSC_BF16 = 2,
  DSC_F64 = 3,
  DSC_I64 = 4,
  DSC_I32 = 5,
  DSC_I8 = 6,
  DSC_U8 = 7,
  DSC_BOOL = 8,
  DSC_I16 = 9,
  DSC_U16 = 10,
  DSC_U32 = 11,
  DSC_U64 = 12
} dsc_dtype;

/* How a plan's GEMMs pick between their generated kernel and cuBLASLt;
 * values equal dsc::rt::TuneMode. Tuned choices are cached per plan and GPU
 * in the cache directory. */
typedef enum dsc_tune_mode {
  /* The cached choice, else the generated kernels; what dsc_plan_load_* do.
   * The environment variable DSC_TUNE overrides it: "1" is
   * DSC_TUNE_IF_UNCACHED, "library" DSC_TUNE_LIBRARY_ONLY, "generated"
   * DSC_TUNE_GENERATED_ONLY. */
  DSC_TUNE_CACHED = 0,
  /* The cached choice, else time both on load and cache the result. */
  DSC_TUNE_IF_UNCACHED = 1,
  /* Time both on load whatever is cached, and cache the result. */
  DSC_TUNE_ALWAYS = 2,
  DSC_TUNE_GENERATED_ONLY = 3,
  /* cuBLASLt wherever the plan allows it and it is present. */
  DSC_TUNE_LIBRARY_ONLY = 4
} dsc_tune_mode;

typedef struct dsc_status_t *dsc_status;
typedef struct dsc_runtime_t dsc_runtime;
typedef struct dsc_plan_t dsc_plan;
typedef struct dsc_context_t dsc_context;

/* DSC_OK for NULL. */
DSC_API dsc_status_code dsc_status_get_code(dsc_status status);
/* "" for NULL; valid until dsc_status_destroy. */
DSC_API const char *dsc_status_get_message(dsc_status status);
DSC_API void dsc_status_destroy(dsc_status status);

/* Verifies and checks plan bytes without CUDA (what a load checks first). */
DSC_API dsc_status dsc_plan_validate(const void *data, size_t size);

/* cache_dir may be NULL ($DSC_CACHE_DIR, else ~/.cache/dsc/kernels). */
DSC_API dsc_status dsc_runtime_create(int device, const char *cache_dir,
                                      dsc_runtime **out);
DSC_API void dsc_runtime_destroy(dsc_runtime *runtime);

DSC_API dsc_status dsc_plan_load_file(dsc_runtime *runtime, const char *path,
                                      dsc_plan **out);
DSC_API dsc_status dsc_plan_load_bytes(dsc_runtime *runtime, const void *data,
                                       size_t size, dsc_plan **out);
/* dsc_plan_load_file with a tune mode, one of dsc_tune_mode
 * (dsc_plan_load_file uses DSC_TUNE_CACHED). */
DSC_API dsc_status dsc_plan_load_file_tuned(dsc_runtime *runtime,
                                            const char *path, int tune,
                                            dsc_plan **out);
/* How many of the plan's GEMM kernels run as cuBLASLt matmuls. */
DSC_API size_t dsc_plan_num_library_gemms(const dsc_plan *plan);
/* Destroy a plan's contexts first. */
DSC_API void dsc_plan_destroy(dsc_plan *plan);

/* Signature. */
DSC_API size_t dsc_plan_num_inputs(const dsc_plan *plan);
DSC_API size_t dsc_plan_num_outputs(const dsc_plan *plan);
/* Describes input or output `index`. `name` (valid while the plan lives) and
 * `shape` (valid likewise; `rank` entries) may be NULL when not wanted. */
DSC_API dsc_status dsc_plan_input_info(const dsc_plan *plan, size_t index,
                                       const char **name, dsc_dtype *dtype,
                                       const int64_t **shape, size_t *rank,
                                       uint64_t *byte_size);
DSC_API dsc_status dsc_plan_output_info(const dsc_plan *plan, size_t index,
                                        const char **name, dsc_dtype *dtype,
                                        const int64_t **shape, size_t *rank,
                                        uint64_t *byte_size);
DSC_API uint64_t dsc_plan_workspace_size(const dsc_plan *plan);
/* A plan compiled for any size of one dimension (dsc compile --dim
 * NAME=MIN..MAX): returns 1 and its name (valid while the plan lives) and
 * range, or 0 for a plan without one. Inputs and outputs with a sample axis
 * (dsc_plan_sample_axis, -1 for none) then hold N samples: their info gives
 * one sample's shape and byte size. */
DSC_API int dsc_plan_symbolic_dim(const dsc_plan *plan, const char **name,
                                  int64_t *min, int64_t *max);
DSC_API int32_t dsc_plan_sample_axis(const dsc_plan *plan, int output,
                                     size_t index);
/* 1 when input (output = 0) or output (output = 1) `index` is an ONNX STRING
 * tensor, else 0. Its dtype is u8 and its last dimension a slot per string:
 * the string's UTF-8 bytes, then NUL bytes to the slot's end (dsc compile
 * --string-bytes sets the slot of string inputs). */
DSC_API int dsc_plan_is_string(const dsc_plan *plan, int output, size_t index);

/* workspace: 0, or caller-owned device memory of at least
 * dsc_plan_workspace_size bytes, 256-byte aligned. */
DSC_API dsc_status dsc_context_create(dsc_plan *plan, CUdeviceptr workspace,
                                      dsc_context **out);
DSC_API void dsc_context_destroy(dsc_context *context);
/* After dsc_context_run and a synchronization of its stream: an error naming
 * the kernel if one found invalid input values (an index out of range), which
 * leaves the outputs undefined. dsc_context_run_host checks this itself. */
DSC_API dsc_status dsc_context_check_faults(dsc_context *context);

/* The number of samples the next runs take, for a plan with a symbolic
 * dimension; an error status outside its range. */
DSC_API dsc_status dsc_context_set_dimension(dsc_context *context,
                                             const char *name, int64_t size);

/* Runs replay a CUDA graph captured at the first run (and updated when the
 * pointers or samples change) unless disabled here or by DSC_CUDA_GRAPHS=0;
 * without, each kernel is launched on its own. NULL context: no effect. */
DSC_API void dsc_context_set_cuda_graphs(dsc_context *context, int enabled);
/* The kernel launches one run makes (0 for a NULL context). */
DSC_API size_t dsc_context_launches_per_run(const dsc_context *context);

/* Stream-ordered: enqueues the plan on `stream`, no synchronization. */
DSC_API dsc_status dsc_context_run(dsc_context *context,
                                   const CUdeviceptr *inputs,
                                   const CUdeviceptr *outputs, CUstream stream);
/* Host buffers in and out; synchronizes `stream`. gpu_ms may be NULL. */
DSC_API dsc_status dsc_context_run_host(dsc_context *context,
                                        const void *const *host_inputs,
                                        void *const *host_outputs,
                                        CUstream stream, float *gpu_ms);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DSC_C_API_H */
