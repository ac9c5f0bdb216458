"""ctypes binding of dsc's C API (runtime/include/dsc/dsc.h, libdsc.so) for PyTorch users.

A plan runs on PyTorch's CUDA tensors in place: inputs and outputs are the tensors' device
pointers, the plan is enqueued on PyTorch's current stream, so CUDA events time both alike.

    rt = Runtime("libdsc.so")
    plan = rt.load("model.plan")
    outputs = plan.run([x])            # torch tensors on the GPU, in the plan's dtypes
"""
import ctypes
import os

import torch

_DTYPES = {0: torch.float32, 1: torch.float16, 2: torch.bfloat16, 3: torch.float64,
           4: torch.int64, 5: torch.int32, 6: torch.int8, 7: torch.uint8, 8: torch.bool,
           9: torch.int16, 10: torch.uint16, 11: torch.uint32, 12: torch.uint64}

_p = ctypes.c_void_p


class DscError(RuntimeError):
    pass


class Runtime:
    def __init__(self, library, cache_dir=None, device=0):
        lib = ctypes.CDLL(library)
        self.lib = lib
        lib.dsc_status_get_message.restype = ctypes.c_char_p
        lib.dsc_status_get_message.argtypes = [_p]
        lib.dsc_status_destroy.argtypes = [_p]
        for name in ("dsc_runtime_create", "dsc_plan_load_file", "dsc_plan_load_file_tuned", "dsc_plan_input_info",
                     "dsc_plan_output_info", "dsc_context_create", "dsc_context_run",
                     "dsc_context_check_faults", "dsc_context_set_dimension"):
            getattr(lib, name).restype = _p
        lib.dsc_runtime_create.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_p)]
        lib.dsc_runtime_destroy.argtypes = [_p]
        lib.dsc_plan_load_file.argtypes = [_p, ctypes.c_char_p, ctypes.POINTER(_p)]
        lib.dsc_plan_load_file_tuned.argtypes = [_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_p)]
        lib.dsc_plan_num_library_gemms.argtypes = [_p]
        lib.dsc_plan_num_library_gemms.restype = ctypes.c_size_t
        lib.dsc_plan_destroy.argtypes = [_p]
        lib.dsc_plan_num_inputs.argtypes = lib.dsc_plan_num_outputs.argtypes = [_p]
        lib.dsc_plan_num_inputs.restype = lib.dsc_plan_num_outputs.restype = ctypes.c_size_t
        info_args = [_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int),
                     ctypes.POINTER(ctypes.POINTER(ctypes.c_int64)), ctypes.POINTER(ctypes.c_size_t),
                     ctypes.POINTER(ctypes.c_uint64)]
        lib.dsc_plan_input_info.argtypes = lib.dsc_plan_output_info.argtypes = info_args
        lib.dsc_plan_workspace_size.argtypes = [_p]
        lib.dsc_plan_workspace_size.restype = ctypes.c_uint64
        lib.dsc_context_create.argtypes = [_p, ctypes.c_uint64, ctypes.POINTER(_p)]
        lib.dsc_context_destroy.argtypes = [_p]
        lib.dsc_context_run.argtypes = [_p, ctypes.POINTER(ctypes.c_uint64),
                                        ctypes.POINTER(ctypes.c_uint64), _p]
        lib.dsc_context_check_faults.argtypes = [_p]
        lib.dsc_context_set_cuda_graphs.argtypes = [_p, ctypes.c_int]
        lib.dsc_context_launches_per_run.argtypes = [_p]
        lib.dsc_context_launches_per_run.restype = ctypes.c_size_t
        torch.cuda.init()  # the runtime shares PyTorch's primary context
        handle = _p()
        self._check(lib.dsc_runtime_create(device, cache_dir.encode() if cache_dir else None,
                                           ctypes.byref(handle)))
        self.handle = handle

    def _check(self, status):
        if status:
            message = self.lib.dsc_status_get_message(status).decode()
            self.lib.dsc_status_destroy(status)
            raise DscError(message)

    # dsc_tune_mode
    CACHED, TUNE_IF_UNCACHED, TUNE_ALWAYS, GENERATED_ONLY, LIBRARY_ONLY = range(5)

    def load(self, path, tune=TUNE_IF_UNCACHED):
        """Loads a plan; by default its GEMM tactics are timed on first load and cached."""
        return Plan(self, path, tune)

    def __del__(self):
        if getattr(self, "handle", None):
            self.lib.dsc_runtime_destroy(self.handle)


class Plan:
    """A loaded plan with one context (its arena) for running it."""

    def __init__(self, runtime, path, tune):
        self.rt, lib = runtime, runtime.lib
        handle = _p()
        runtime._check(lib.dsc_plan_load_file_tuned(runtime.handle, os.fsencode(path), tune,
                                                    ctypes.byref(handle)))
        self.library_gemms = lib.dsc_plan_num_library_gemms(handle)
        self.handle = handle
        self.inputs = [self._info(lib.dsc_plan_input_info, i) for i in range(lib.dsc_plan_num_inputs(handle))]
        self.outputs = [self._info(lib.dsc_plan_output_info, i) for i in range(lib.dsc_plan_num_outputs(handle))]
        self.arena_bytes = lib.dsc_plan_workspace_size(handle)
        context = _p()
        runtime._check(lib.dsc_context_create(handle, 0, ctypes.byref(context)))
        self.context = context
        self.launches = lib.dsc_context_launches_per_run(context)
        self._out = [torch.empty(shape, dtype=dtype, device="cuda") for _, dtype, shape in self.outputs]

    def _info(self, fn, index):
        name, dtype = ctypes.c_char_p(), ctypes.c_int()
        shape, rank, size = ctypes.POINTER(ctypes.c_int64)(), ctypes.c_size_t(), ctypes.c_uint64()
        self.rt._check(fn(self.handle, index, ctypes.byref(name), ctypes.byref(dtype), ctypes.byref(shape),
                          ctypes.byref(rank), ctypes.byref(size)))
        return name.value.decode(), _DTYPES[dtype.value], [shape[i] for i in range(rank.value)]

    def set_cuda_graphs(self, enabled):
        self.rt.lib.dsc_context_set_cuda_graphs(self.context, int(enabled))

    def run(self, inputs, check_faults=False):
        """Enqueues the plan on the current stream; returns its output tensors (reused between
        runs: clone to keep them)."""
        if len(inputs) != len(self.inputs):
            raise DscError(f"expected {len(self.inputs)} inputs, got {len(inputs)}")
        ins = []
        for tensor, (name, dtype, shape) in zip(inputs, self.inputs):
            if tensor.dtype != dtype or list(tensor.shape) != shape or not tensor.is_cuda:
                raise DscError(f"input '{name}': expected {dtype} {shape} on the GPU, got "
                               f"{tensor.dtype} {list(tensor.shape)} on {tensor.device}")
            ins.append(tensor.contiguous())
        key = tuple(t.data_ptr() for t in ins)
        if key != getattr(self, "_key", None):  # built once per set of input buffers
            self._key, self._keep = key, ins
            self._in_ptrs = (ctypes.c_uint64 * max(1, len(ins)))(*key)
            self._out_ptrs = (ctypes.c_uint64 * max(1, len(self._out)))(*[t.data_ptr() for t in self._out])
        in_ptrs, out_ptrs = self._in_ptrs, self._out_ptrs
        stream = torch.cuda.current_stream().cuda_stream
        self.rt._check(self.rt.lib.dsc_context_run(self.context, in_ptrs, out_ptrs, _p(stream)))
        if check_faults:
            torch.cuda.current_stream().synchronize()
            self.rt._check(self.rt.lib.dsc_context_check_faults(self.context))
        return self._out

    def __del__(self):
        lib = self.rt.lib
        if getattr(self, "context", None):
            lib.dsc_context_destroy(self.context)
        if getattr(self, "handle", None):
            lib.dsc_plan_destroy(self.handle)
