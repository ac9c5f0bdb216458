"""The roofline floor of a model: the time a perfect run could not beat.

floor_ms = max(FLOPs / matrix rate, minimum bytes / copy rate), with
- FLOPs counted from the ONNX graph: 2*M*N*K per MatMul (broadcast batch
  dimensions included) and Gemm, 2 * output elements * (C_in / group) * kernel
  area per Conv, 4*B*H*S*S_kv*D per Attention (Q*K^T and P*V); elementwise and
  reductions are left out (they ride on the bytes);
- minimum bytes: every initializer (weight) read once plus the graph's inputs
  and outputs, floats counted at the timed precision (2 bytes for fp16);
- the rates measured on the same GPU in the same run: an fp16 matmul of a large
  square (TFLOP/s) and a device-to-device copy (GB/s, read + write).

Counting needs only onnx (no torch): `bench/test_roofline.py` checks it here.
"""
import statistics

import onnx
from onnx import TensorProto

# Bytes per element of the ONNX data types the models carry.
ITEMSIZE = {
    TensorProto.FLOAT: 4, TensorProto.FLOAT16: 2, TensorProto.BFLOAT16: 2,
    TensorProto.DOUBLE: 8, TensorProto.INT64: 8, TensorProto.INT32: 4,
    TensorProto.INT16: 2, TensorProto.INT8: 1, TensorProto.UINT8: 1,
    TensorProto.BOOL: 1,
}
FLOATS = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.DOUBLE}


def _prod(values):
    n = 1
    for v in values:
        n *= v
    return n


def _shapes(model):
    """Static shapes of every value the graph names (after ONNX shape inference)."""
    try:
        model = onnx.shape_inference.infer_shapes(model)
    except Exception:  # keep the shapes the exporter wrote
        pass
    g = model.graph
    shapes = {i.name: list(i.dims) for i in g.initializer}
    for v in list(g.input) + list(g.output) + list(g.value_info):
        dims = v.type.tensor_type.shape.dim
        if v.type.tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in dims):
            shapes[v.name] = [d.dim_value for d in dims]
    return shapes


def count_flops(model):
    """FLOPs of one run of `model` (an onnx.ModelProto). Raises ValueError
    naming the node when a counted op's shapes are unknown."""
    shapes = _shapes(model)

    def shape(node, i):
        name = node.input[i] if i < len(node.input) else ""
        if name not in shapes:
            raise ValueError(f"{node.op_type} node '{node.name}': no static shape for '{name}'")
        return shapes[name]

    flops = 0
    for node in model.graph.node:
        if node.domain not in ("", "ai.onnx"):
            continue
        if node.op_type == "MatMul":
            a, b = shape(node, 0), shape(node, 1)
            k = a[-1]
            out = shapes.get(node.output[0])
            if out is None:
                raise ValueError(f"MatMul node '{node.name}': no static output shape")
            flops += 2 * _prod(out) * k
        elif node.op_type == "Gemm":
            a, b = shape(node, 0), shape(node, 1)
            trans_a = next((x.i for x in node.attribute if x.name == "transA"), 0)
            trans_b = next((x.i for x in node.attribute if x.name == "transB"), 0)
            m, k = (a[1], a[0]) if trans_a else (a[0], a[1])
            n = b[0] if trans_b else b[1]
            flops += 2 * m * n * k
        elif node.op_type == "Conv":
            w = shape(node, 1)
            out = shapes.get(node.output[0])
            if out is None:
                raise ValueError(f"Conv node '{node.name}': no static output shape")
            flops += 2 * _prod(out) * _prod(w[1:])  # w: [C_out, C_in/group, k...]
        elif node.op_type == "Attention":
            q, k = shape(node, 0), shape(node, 1)
            if len(q) != 4 or len(k) != 4:
                raise ValueError(f"Attention node '{node.name}': 4-D Q and K expected")
            b, h, s, d = q
            flops += 4 * b * h * s * k[2] * d
    return flops


def min_bytes(model, float_bytes=2):
    """Weights read once plus the graph's inputs and outputs; floats at
    `float_bytes` per element (the timed precision)."""
    g = model.graph
    shapes = _shapes(model)

    def size(elem_type, dims):
        item = float_bytes if elem_type in FLOATS else ITEMSIZE.get(elem_type, 4)
        return item * _prod(dims)

    total = sum(size(i.data_type, i.dims) for i in g.initializer)
    names = {i.name for i in g.initializer}
    for v in list(g.input) + list(g.output):
        if v.name in names:
            continue
        if v.name not in shapes:
            raise ValueError(f"graph input or output '{v.name}' has no static shape")
        total += size(v.type.tensor_type.elem_type, shapes[v.name])
    return total


def floor_ms(flops, nbytes, matrix_tflops, copy_gbps):
    """max(compute time at the matrix rate, traffic at the copy rate), ms."""
    return max(flops / (matrix_tflops * 1e12), nbytes / (copy_gbps * 1e9)) * 1e3


def median_ms(torch, fn, reps, warm=3):
    """Median of `reps` calls of `fn` after `warm` more, in ms, each timed
    with CUDA events on the current stream (bench.py times with it too)."""
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


def measure_rates(torch, n=8192, copy_bytes=1 << 30, reps=10):
    """(matrix TFLOP/s, copy GB/s) on the current GPU: an fp16 n^3 matmul and
    a device-to-device copy of `copy_bytes` (read + write counted), median of
    `reps` runs after warm-up, timed with CUDA events."""
    x = torch.randn(n, n, device="cuda", dtype=torch.float16)
    y = torch.randn(n, n, device="cuda", dtype=torch.float16)
    out = torch.empty(n, n, device="cuda", dtype=torch.float16)
    matrix_tflops = 2 * n ** 3 / (median_ms(torch, lambda: torch.matmul(x, y, out=out), reps) * 1e-3) / 1e12
    del x, y, out
    src = torch.empty(copy_bytes, device="cuda", dtype=torch.uint8)
    dst = torch.empty_like(src)
    copy_gbps = 2 * copy_bytes / (median_ms(torch, lambda: dst.copy_(src), reps) * 1e-3) / 1e9
    del src, dst
    torch.cuda.empty_cache()
    return matrix_tflops, copy_gbps
