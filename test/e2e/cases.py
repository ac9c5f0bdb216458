"""The end-to-end model set: ONNX models built with onnx.helper, their inputs,
and their expected outputs computed independently with numpy in float64 (then
cast to the output dtype). Nothing here knows how dsc produces outputs; see
run_e2e.py for that.

Each builder returns Case objects. A case either expects outputs (compared
with per-dtype tolerances) or expects a failure (exit code and substrings of
the error message).
"""
import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NP_TO_ONNX = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float16): TensorProto.FLOAT16,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32,
    np.dtype(np.int16): TensorProto.INT16,
    np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.uint64): TensorProto.UINT64,
    np.dtype(np.uint32): TensorProto.UINT32,
    np.dtype(np.uint16): TensorProto.UINT16,
    np.dtype(np.uint8): TensorProto.UINT8,
    np.dtype(np.bool_): TensorProto.BOOL,
}


@dataclass
class Case:
    name: str
    model: Optional[onnx.ModelProto]
    inputs: Dict[str, np.ndarray] = field(default_factory=dict)
    expected: Dict[str, np.ndarray] = field(default_factory=dict)
    # Failure cases: the exit code and substrings the error must contain.
    expect_rc: int = 0
    expect_error: List[str] = field(default_factory=list)
    # Tolerance overrides (rtol, atol) for float outputs.
    tolerance: Optional[tuple] = None
    # Writes the model into a folder and returns its path (external data,
    # malformed bytes); default: onnx.save to model.onnx.
    save: Optional[Callable[[str], str]] = None
    # Outputs stored as bf16 come back as float32 (.npy has no bf16).
    bf16_outputs: List[str] = field(default_factory=list)
    # (exit code, error substrings) that compiling a plan must give instead,
    # where plans lack a feature `dsc eval` has (symbolic dimensions).
    plan_expect: Optional[tuple] = None
    # Inputs a plan is specialized to (`dsc compile --input-value`): passed at
    # compile time, not to `dsc run`.
    fixed_inputs: List[str] = field(default_factory=list)
    # `dsc compile --dim` values (plans only: `dsc eval` takes any size).
    dims: List[str] = field(default_factory=list)
    # More (inputs, expected) pairs the same compiled plan must run.
    more_runs: List[tuple] = field(default_factory=list)
    # Arguments for `dsc compile` only (plans) and for `dsc eval` only
    # (--sequence-length, --absent, --input-shape).
    compile_args: List[str] = field(default_factory=list)
    eval_args: List[str] = field(default_factory=list)
    # Outputs that must not be written (an empty sequence, an optional
    # holding no value).
    unwritten: List[str] = field(default_factory=list)


RNG = np.random.default_rng(1234)


def rand(*shape, dtype=np.float32, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def f64(x):
    return np.asarray(x, dtype=np.float64)


def vi(name, dtype, shape):
    """A value_info; shape None leaves it unranked. dtype: a numpy dtype or
    a TensorProto data type (for bf16, which numpy lacks)."""
    elem = dtype if isinstance(dtype, int) else NP_TO_ONNX[np.dtype(dtype)]
    return helper.make_tensor_value_info(name, elem, shape)


def make_model(nodes, inputs, outputs, initializers=None, opset=13,
               extra_opsets=None):
    """inputs: {name: array} (shapes and dtypes taken from the arrays);
    outputs: [(name, dtype, shape-or-None)]; initializers: {name: array}."""
    graph = helper.make_graph(
        nodes, "g",
        [vi(n, a.dtype, list(a.shape)) for n, a in inputs.items()],
        [vi(n, d, s) for n, d, s in outputs],
        [numpy_helper.from_array(np.asarray(a), n)
         for n, a in (initializers or {}).items()])
    opsets = [helper.make_opsetid("", opset)] + (extra_opsets or [])
    return helper.make_model(graph, opset_imports=opsets)


def single(op, name, opset, inputs, expected, attrs=None, initializers=None,
           input_order=None, declare_shape=False, tolerance=None, **kw):
    """A one-node model: `inputs` are graph inputs, `initializers` constants,
    `input_order` the node's inputs (default: inputs then initializers)."""
    order = input_order or list(inputs) + list(initializers or {})
    node = helper.make_node(op, order, list(expected), name="node0",
                            **(attrs or {}))
    bf16 = kw.get("bf16_outputs", [])
    outs = [(n, TensorProto.BFLOAT16 if n in bf16 else e.dtype,
             list(e.shape) if declare_shape else None)
            for n, e in expected.items()]
    return Case(name, make_model([node], inputs, outs, initializers, opset),
                inputs, expected, tolerance=tolerance, **kw)


# --------------------------------------------------------------------------
# numpy references (float64)
# --------------------------------------------------------------------------

erf = np.vectorize(math.erf)


def gelu(x, approximate="none"):
    x = f64(x)
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def softmax(x, axis):
    x = f64(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_2d(x, axis):
    """Softmax before opset 13: coerced to 2-D at axis."""
    x = f64(x)
    axis = axis % x.ndim if x.ndim else 0
    rows = int(np.prod(x.shape[:axis]))
    return softmax(x.reshape(rows, -1), 1).reshape(x.shape)


def layer_norm(x, scale, bias, axis, eps):
    x = f64(x)
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps) * f64(scale)
    return y + f64(bias) if bias is not None else y


def to_bf16(x):
    """Rounds float32 to bfloat16 (nearest even), returned as float32."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out)


# --------------------------------------------------------------------------
# Elementwise
# --------------------------------------------------------------------------

def unary_cases():
    cases = []
    table = {
        "Relu": ([1, 6, 13, 14], lambda x: np.maximum(x, 0), (-1, 1)),
        "Tanh": ([1, 6, 13], np.tanh, (-2, 2)),
        "Sigmoid": ([1, 6, 13], lambda x: 1 / (1 + np.exp(-x)), (-3, 3)),
        "Erf": ([9, 13], erf, (-2, 2)),
        "Sqrt": ([1, 6, 13], np.sqrt, (0.01, 4)),
    }
    for op, (opsets, fn, (lo, hi)) in table.items():
        for opset in opsets:
            x = rand(3, 4, low=lo, high=hi)
            cases.append(single(op, f"{op.lower()}-opset{opset}", opset,
                                {"x": x}, {"y": fn(f64(x)).astype(np.float32)}))
    x = rand(2, 5, dtype=np.float16, low=-2, high=2)
    cases.append(single("Tanh", "tanh-f16", 13, {"x": x},
                        {"y": np.tanh(f64(x)).astype(np.float16)}))
    return cases


def binary_cases():
    cases = []
    ops = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
           "Div": np.divide}
    shapes = [((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 4), (3, 4)),
              ((), (2, 2))]
    for op, fn in ops.items():
        for opset in [7, 13, 14]:
            for i, (sa, sb) in enumerate(shapes):
                a, b = rand(*sa), rand(*sb, low=0.5, high=2)
                cases.append(single(op, f"{op.lower()}-opset{opset}-bcast{i}",
                                    opset, {"a": a, "b": b},
                                    {"y": fn(f64(a), f64(b)).astype(np.float32)}))
        # Legacy broadcasting: B aligned at `axis`, or trailing without it.
        for opset in [1, 6]:
            a, b = rand(2, 3, 4), rand(3, low=0.5, high=2)
            cases.append(single(
                op, f"{op.lower()}-opset{opset}-broadcast-axis1", opset,
                {"a": a, "b": b},
                {"y": fn(f64(a), f64(b)[:, None]).astype(np.float32)},
                attrs={"broadcast": 1, "axis": 1}))
            b4 = rand(4, low=0.5, high=2)
            cases.append(single(
                op, f"{op.lower()}-opset{opset}-broadcast-trailing", opset,
                {"a": a, "b": b4},
                {"y": fn(f64(a), f64(b4)).astype(np.float32)},
                attrs={"broadcast": 1}))
            b2 = rand(2, 3, 4, low=0.5, high=2)
            cases.append(single(
                op, f"{op.lower()}-opset{opset}-same-shape", opset,
                {"a": a, "b": b2},
                {"y": fn(f64(a), f64(b2)).astype(np.float32)}))
    # Integer arithmetic (non-negative, so truncating division is unambiguous).
    a = RNG.integers(0, 100, size=(3, 4)).astype(np.int64)
    b = RNG.integers(1, 9, size=(4,)).astype(np.int64)
    cases.append(single("Div", "div-i64", 13, {"a": a, "b": b}, {"y": a // b}))
    cases.append(single("Add", "add-i32", 14, {"a": a.astype(np.int32),
                                               "b": b.astype(np.int32)},
                        {"y": (a + b).astype(np.int32)}))
    a16, b16 = rand(4, 4, dtype=np.float16), rand(4, dtype=np.float16)
    cases.append(single("Mul", "mul-f16", 14, {"a": a16, "b": b16},
                        {"y": (f64(a16) * f64(b16)).astype(np.float16)}))
    ad, bd = rand(3, 2, dtype=np.float64), rand(2, dtype=np.float64)
    cases.append(single("Sub", "sub-f64", 14, {"a": ad, "b": bd},
                        {"y": ad - bd}))
    # Every integer width, signed and unsigned: values near each type's
    # limits wrap as C's unsigned arithmetic does; Max compares unsigned.
    for dtype in [np.int16, np.uint16, np.uint32, np.uint64]:
        info = np.iinfo(dtype)
        # The reference holds values as double: 64-bit ones up to 2^53.
        top = 2**52 if dtype == np.uint64 else info.max
        a = np.array([top, 7, 3, info.min], dtype=dtype)
        b = np.array([1, 5, 9, 2], dtype=dtype)
        name = np.dtype(dtype).name
        cases.append(single("Add", f"add-{name}", 14, {"a": a, "b": b},
                            {"y": (a + b).astype(dtype)}))
        cases.append(single("Max", f"max-{name}", 13, {"a": a, "b": b},
                            {"y": np.maximum(a, b)}))
        cases.append(single("Cast", f"cast-{name}-to-float", 13, {"a": b},
                            {"y": b.astype(np.float32)},
                            attrs={"to": TensorProto.FLOAT}))
    return cases


def pow_cases():
    cases = []
    for opset in [7, 12, 13, 15]:
        a, b = rand(2, 3, low=0.5, high=2), rand(3, low=-2, high=2)
        cases.append(single("Pow", f"pow-opset{opset}", opset, {"a": a, "b": b},
                            {"y": np.power(f64(a), f64(b)).astype(np.float32)}))
    for opset in [12, 15]:
        # Since opset 12 the exponent may have its own type.
        a = rand(2, 3, low=-2, high=2)
        e = np.array(3, dtype=np.int64)
        cases.append(single("Pow", f"pow-opset{opset}-int-exponent", opset,
                            {"a": a}, {"y": (f64(a) ** 3).astype(np.float32)},
                            initializers={"e": e}))
    # An integer base with a float exponent is raised in float, then
    # truncated to the base's type.
    base = RNG.integers(1, 20, size=(2, 3)).astype(np.int64)
    exponent = np.array([0.5, 1.5, 2.0], np.float32)
    cases.append(single("Pow", "pow-opset15-int-base-float-exponent", 15,
                        {"a": base, "b": exponent},
                        {"y": np.power(f64(base), f64(exponent)).astype(np.int64)}))
    a = rand(2, 3, 4, low=0.5, high=2)
    cases.append(single("Pow", "pow-opset1-broadcast-axis", 1,
                        {"a": a, "b": np.array([2.0, 0.5, 3.0], np.float32)},
                        {"y": np.power(f64(a), np.array([2.0, 0.5, 3.0])[:, None]).astype(np.float32)},
                        attrs={"broadcast": 1, "axis": 1}))
    return cases


def gelu_cases():
    cases = []
    for approx in ["none", "tanh"]:
        x = rand(3, 7, low=-3, high=3)
        attrs = {"approximate": approx} if approx != "none" else {}
        cases.append(single("Gelu", f"gelu-opset20-{approx}", 20, {"x": x},
                            {"y": gelu(x, approx).astype(np.float32)},
                            attrs=attrs))
    x = rand(4, 8, dtype=np.float16, low=-3, high=3)
    cases.append(single("Gelu", "gelu-opset20-tanh-f16", 20, {"x": x},
                        {"y": gelu(x, "tanh").astype(np.float16)},
                        attrs={"approximate": "tanh"}))
    return cases


def cast_cases():
    cases = []
    x = rand(3, 4, low=-5, high=5)
    h = rand(3, 4, dtype=np.float16, low=-5, high=5)
    i = RNG.integers(-50, 50, size=(3, 4)).astype(np.int64)
    table = [
        ("f32-f16", x, TensorProto.FLOAT16, x.astype(np.float16)),
        ("f16-f32", h, TensorProto.FLOAT, h.astype(np.float32)),
        ("f32-i64", x, TensorProto.INT64, x.astype(np.int64)),
        ("i64-f32", i, TensorProto.FLOAT, i.astype(np.float32)),
        ("f16-i64", h, TensorProto.INT64, h.astype(np.int64)),
        ("i64-f16", i, TensorProto.FLOAT16, i.astype(np.float16)),
        ("f32-i32", x, TensorProto.INT32, x.astype(np.int32)),
        ("f32-bool", np.where(x > 0, x, 0).astype(np.float32),
         TensorProto.BOOL, np.where(x > 0, x, 0) != 0),
        ("bool-f32", x > 0, TensorProto.FLOAT, (x > 0).astype(np.float32)),
        ("i64-u8", np.abs(i), TensorProto.UINT8, np.abs(i).astype(np.uint8)),
        ("f32-f64", x, TensorProto.DOUBLE, x.astype(np.float64)),
    ]
    for opset in [6, 9, 13, 19]:
        for name, value, to, expected in table:
            cases.append(single("Cast", f"cast-opset{opset}-{name}", opset,
                                {"x": value}, {"y": expected},
                                attrs={"to": to}))
    # Opset 1 spelled the target type as a string.
    cases.append(single("Cast", "cast-opset1-string-to", 1, {"x": x},
                        {"y": x.astype(np.float16)}, attrs={"to": "FLOAT16"}))
    # bf16 results come back as f32 (.npy has no bf16); ties round to even.
    special = np.array([1.0, 1.00390625, 1.01171875, -3.14159, 65504.0,
                        1e-40, 3.4e38, 0.0], np.float32)
    cases.append(single("Cast", "cast-f32-bf16", 13, {"x": special},
                        {"y": to_bf16(special)}, attrs={"to": TensorProto.BFLOAT16},
                        bf16_outputs=["y"], tolerance=(0, 0)))
    # f16 rounding edge cases: ties, subnormals, overflow.
    edge = np.array([1.0 + 2**-11, 1.0 + 3 * 2**-11, 2**-24, 2**-25, 3 * 2**-26,
                     65519.0, 65520.0, -1e-8, 6.1e-5], np.float32)
    with np.errstate(over="ignore"):
        edge_f16 = edge.astype(np.float16)
    cases.append(single("Cast", "cast-f32-f16-rounding", 13, {"x": edge},
                        {"y": edge_f16},
                        attrs={"to": TensorProto.FLOAT16}, tolerance=(0, 0)))
    # Exhaustive: every f16 bit pattern (subnormals, infinities, NaNs) to f32,
    # and every midpoint between neighbouring f16 values (ties to even) plus
    # the values just around it back to f16.
    every_f16 = np.arange(0, 1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    cases.append(single("Cast", "cast-f16-f32-exhaustive", 13, {"x": every_f16},
                        {"y": every_f16.astype(np.float32)},
                        attrs={"to": TensorProto.FLOAT}, tolerance=(0, 0)))
    finite = np.sort(every_f16[np.isfinite(every_f16)].astype(np.float64))
    finite = np.unique(finite)
    mid = (finite[:-1] + finite[1:]) / 2
    probes = np.concatenate([mid, np.nextafter(mid.astype(np.float32), np.float32(np.inf)),
                             np.nextafter(mid.astype(np.float32), np.float32(-np.inf)),
                             [65519.996, 65520.0, 1e6, -1e6]]).astype(np.float32)
    with np.errstate(over="ignore"):
        probes_f16 = probes.astype(np.float16)
    cases.append(single("Cast", "cast-f32-f16-midpoints", 13, {"x": probes},
                        {"y": probes_f16}, attrs={"to": TensorProto.FLOAT16},
                        tolerance=(0, 0)))
    # bf16: every bf16 value survives f32 -> bf16 exactly; midpoints round to
    # even.
    every_bf16 = (np.arange(0, 1 << 16, dtype=np.uint32) << 16).view(np.float32)
    bf_finite = np.unique(every_bf16[np.isfinite(every_bf16)].astype(np.float64))
    bf_mid = ((bf_finite[:-1] + bf_finite[1:]) / 2).astype(np.float32)
    bf_probes = np.concatenate([every_bf16, bf_mid,
                                np.nextafter(bf_mid, np.float32(np.inf))])
    cases.append(single("Cast", "cast-f32-bf16-exhaustive", 13, {"x": bf_probes},
                        {"y": to_bf16(bf_probes)},
                        attrs={"to": TensorProto.BFLOAT16}, bf16_outputs=["y"],
                        tolerance=(0, 0)))
    return cases


# --------------------------------------------------------------------------
# Contractions and normalizations
# --------------------------------------------------------------------------

def matmul_cases():
    cases = []
    shapes = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
              ((2, 1, 3, 4), (5, 4, 6)), ((2, 3, 4), (4, 2)), ((4,), (2, 4, 3))]
    for opset in [1, 9, 13]:
        for k, (sa, sb) in enumerate(shapes):
            a, b = rand(*sa), rand(*sb)
            cases.append(single("MatMul", f"matmul-opset{opset}-{k}", opset,
                                {"a": a, "b": b},
                                {"y": np.matmul(f64(a), f64(b)).astype(np.float32)}))
    a, b = rand(8, 16, dtype=np.float16), rand(16, 4, dtype=np.float16)
    cases.append(single("MatMul", "matmul-f16", 13, {"a": a, "b": b},
                        {"y": (f64(a) @ f64(b)).astype(np.float16)}))
    return cases


def gemm_cases():
    cases = []
    m, k, n = 3, 5, 4
    c_shapes = {"none": None, "n": (n,), "1n": (1, n), "m1": (m, 1),
                "mn": (m, n), "scalar": ()}
    for ta in [0, 1]:
        for tb in [0, 1]:
            for alpha, beta in [(1.0, 1.0), (0.5, 2.0)]:
                for cname, cshape in c_shapes.items():
                    a = rand(k, m) if ta else rand(m, k)
                    b = rand(n, k) if tb else rand(k, n)
                    y = f64(a.T if ta else a) @ f64(b.T if tb else b) * alpha
                    inputs = {"a": a, "b": b}
                    if cshape is not None:
                        c = rand(*cshape)
                        inputs["c"] = c
                        y = y + beta * f64(c)
                    attrs = {"transA": ta, "transB": tb, "alpha": alpha,
                             "beta": beta}
                    cases.append(single(
                        "Gemm", f"gemm-ta{ta}-tb{tb}-a{alpha}-b{beta}-c{cname}",
                        13, inputs, {"y": y.astype(np.float32)}, attrs=attrs))
    # Older opsets: C required before 11, `broadcast` attribute before 7.
    for opset, attrs in [(1, {"broadcast": 1}), (6, {"broadcast": 1}),
                         (7, {}), (9, {}), (11, {})]:
        a, b, c = rand(m, k), rand(n, k), rand(n)
        y = f64(a) @ f64(b).T * 0.25 + 3.0 * f64(c)
        cases.append(single("Gemm", f"gemm-opset{opset}", opset,
                            {"a": a, "b": b, "c": c}, {"y": y.astype(np.float32)},
                            attrs=dict(attrs, transB=1, alpha=0.25, beta=3.0)))
    a, c = rand(m, k), rand(m, n)
    cases.append(single("Gemm", "gemm-opset6-no-broadcast", 6,
                        {"a": a, "c": c},
                        {"y": (f64(a) @ np.ones((k, n)) + f64(c)).astype(np.float32)},
                        initializers={"b": np.ones((k, n), np.float32)},
                        input_order=["a", "b", "c"]))
    # Declared output shapes are checked against the inferred ones.
    a, b, c = rand(m, k), rand(k, n), rand(1, n)
    cases.append(single("Gemm", "gemm-declared-output-shape", 13,
                        {"a": a, "b": b, "c": c},
                        {"y": (f64(a) @ f64(b) + f64(c)).astype(np.float32)},
                        declare_shape=True))
    node = helper.make_node("Gemm", ["a", "b"], ["y"], name="lying_gemm")
    model = make_model([node], {"a": a, "b": b}, [("y", np.float32, [n, m])])
    cases.append(Case("gemm-wrong-declared-shape", model, {"a": a, "b": b},
                      expect_rc=1, expect_error=["'y'", "4x3", "3x4"]))
    # The Linear layer: constant transposed weight, folded at compile time.
    x, w, bias = rand(6, 32), rand(24, 32), rand(24)
    cases.append(single("Gemm", "gemm-constant-weight-transB", 13, {"x": x},
                        {"y": (f64(x) @ f64(w).T + f64(bias)).astype(np.float32)},
                        attrs={"transB": 1}, initializers={"w": w, "bias": bias}))
    return cases


def softmax_cases():
    cases = []
    x = rand(2, 3, 4, low=-3, high=3)
    for opset in [1, 11]:
        for axis in [None, 0, 1, 2, -1, -2]:
            attrs = {} if axis is None else {"axis": axis}
            cases.append(single(
                "Softmax", f"softmax-opset{opset}-axis{axis}", opset, {"x": x},
                {"y": softmax_2d(x, 1 if axis is None else axis).astype(np.float32)},
                attrs=attrs))
    for axis in [None, 0, 1, -2]:
        attrs = {} if axis is None else {"axis": axis}
        cases.append(single(
            "Softmax", f"softmax-opset13-axis{axis}", 13, {"x": x},
            {"y": softmax(x, -1 if axis is None else axis).astype(np.float32)},
            attrs=attrs))
    h = rand(4, 6, dtype=np.float16, low=-4, high=4)
    cases.append(single("Softmax", "softmax-f16", 13, {"x": h},
                        {"y": softmax(h, -1).astype(np.float16)}))
    return cases


def layernorm_cases():
    cases = []
    x = rand(2, 3, 8, low=-2, high=2)
    scale, bias = rand(8, low=0.5, high=1.5), rand(8)
    cases.append(single("LayerNormalization", "layernorm-bias", 17, {"x": x},
                        {"y": layer_norm(x, scale, bias, -1, 1e-5).astype(np.float32)},
                        initializers={"scale": scale, "bias": bias}))
    cases.append(single("LayerNormalization", "layernorm-no-bias", 17, {"x": x},
                        {"y": layer_norm(x, scale, None, -1, 1e-5).astype(np.float32)},
                        initializers={"scale": scale}))
    s2, b2 = rand(3, 8, low=0.5, high=1.5), rand(3, 8)
    cases.append(single("LayerNormalization", "layernorm-axis1-eps", 17,
                        {"x": x},
                        {"y": layer_norm(x, s2, b2, 1, 1e-2).astype(np.float32)},
                        attrs={"axis": 1, "epsilon": 1e-2},
                        initializers={"scale": s2, "bias": b2}))
    cases.append(single("LayerNormalization", "layernorm-scale-as-input", 17,
                        {"x": x, "scale": scale, "bias": bias},
                        {"y": layer_norm(x, scale, bias, -1, 1e-5).astype(np.float32)}))
    h = rand(4, 16, dtype=np.float16, low=-2, high=2)
    hs, hb = rand(16, dtype=np.float16), rand(16, dtype=np.float16)
    cases.append(single("LayerNormalization", "layernorm-f16", 17, {"x": h},
                        {"y": layer_norm(h, hs, hb, -1, 1e-5).astype(np.float16)},
                        initializers={"scale": hs, "bias": hb}))
    return cases


def reduce_mean_cases():
    cases = []
    x = rand(2, 3, 4)
    for opset in [1, 11, 13]:
        for axes in [None, [1], [0, 2], [-1]]:
            for keep in [0, 1]:
                attrs = {"keepdims": keep}
                if axes is not None:
                    attrs["axes"] = axes
                ax = None if axes is None else tuple(axes)
                y = f64(x).mean(axis=ax, keepdims=bool(keep))
                cases.append(single(
                    "ReduceMean", f"reducemean-opset{opset}-axes{axes}-keep{keep}",
                    opset, {"x": x}, {"y": np.asarray(y, np.float32)},
                    attrs=attrs))
    for axes in [[1], [0, -1], None, []]:
        for keep in [0, 1]:
            for noop in [0, 1]:
                inits = {} if axes is None else {"axes": np.array(axes, np.int64)}
                order = ["x"] + ([] if axes is None else ["axes"])
                attrs = {"keepdims": keep, "noop_with_empty_axes": noop}
                if not axes and noop:
                    y = f64(x)
                else:
                    y = f64(x).mean(axis=tuple(axes) if axes else None,
                                    keepdims=bool(keep))
                cases.append(single(
                    "ReduceMean",
                    f"reducemean-opset18-axes{axes}-keep{keep}-noop{noop}", 18,
                    {"x": x}, {"y": np.asarray(y, np.float32)}, attrs=attrs,
                    initializers=inits, input_order=order))
    return cases


# --------------------------------------------------------------------------
# Data movement
# --------------------------------------------------------------------------

def reshape_cases():
    cases = []
    x = rand(2, 3, 4)
    targets = [[0, -1], [-1], [4, 0, 2], [2, 12], [-1, 2, 2], [1, 24, 1]]
    for opset in [5, 13, 14]:
        for t in targets:
            shape = [x.shape[i] if d == 0 else d for i, d in enumerate(t)]
            cases.append(single("Reshape", f"reshape-opset{opset}-{t}", opset,
                                {"x": x}, {"y": x.reshape(shape)},
                                initializers={"shape": np.array(t, np.int64)}))
    cases.append(single("Reshape", "reshape-opset1-attr", 1, {"x": x},
                        {"y": x.reshape(6, 4)}, attrs={"shape": [6, -1]}))
    # allowzero: a 0 in the shape is a real zero-size dimension.
    empty = np.zeros((0, 2, 2), np.float32)
    cases.append(single("Reshape", "reshape-opset14-allowzero", 14,
                        {"x": empty}, {"y": empty.reshape(0, 4)},
                        attrs={"allowzero": 1},
                        initializers={"shape": np.array([0, 4], np.int64)}))
    cases.append(single("Reshape", "reshape-opset14-allowzero-no-zeros", 14,
                        {"x": x}, {"y": x.reshape(4, 6)},
                        attrs={"allowzero": 1},
                        initializers={"shape": np.array([4, 6], np.int64)}))
    z = rand(3, 2, 2)
    cases.append(single("Reshape", "reshape-opset14-zero-copies", 14,
                        {"x": z}, {"y": z.reshape(3, 4)},
                        initializers={"shape": np.array([0, 4], np.int64)}))
    return cases


def transpose_cases():
    cases = []
    x = rand(2, 3, 4)
    for opset in [1, 13]:
        cases.append(single("Transpose", f"transpose-opset{opset}-default",
                            opset, {"x": x}, {"y": x.transpose()}))
        for perm in [[0, 2, 1], [2, 0, 1], [1, 0, 2]]:
            cases.append(single("Transpose", f"transpose-opset{opset}-{perm}",
                                opset, {"x": x}, {"y": x.transpose(perm)},
                                attrs={"perm": perm}))
    return cases


def squeeze_cases():
    cases = []
    x = rand(1, 3, 1, 4)
    for opset in [1, 11]:
        cases.append(single("Squeeze", f"squeeze-opset{opset}-axes", opset,
                            {"x": x}, {"y": x.reshape(3, 1, 4)},
                            attrs={"axes": [0]}))
        cases.append(single("Squeeze", f"squeeze-opset{opset}-all", opset,
                            {"x": x}, {"y": x.reshape(3, 4)}))
        u = rand(3, 4)
        cases.append(single("Unsqueeze", f"unsqueeze-opset{opset}", opset,
                            {"x": u}, {"y": u.reshape(1, 3, 4, 1)},
                            attrs={"axes": [0, 3]}))
    cases.append(single("Squeeze", "squeeze-opset11-negative", 11, {"x": x},
                        {"y": x.reshape(1, 3, 4)}, attrs={"axes": [-2]}))
    cases.append(single("Unsqueeze", "unsqueeze-opset11-negative", 11,
                        {"x": x[0, :, 0]}, {"y": x[0, :, 0].reshape(3, 4, 1)},
                        attrs={"axes": [-1]}))
    for opset in [13, 21]:
        cases.append(single("Squeeze", f"squeeze-opset{opset}-input", opset,
                            {"x": x}, {"y": x.reshape(1, 3, 4)},
                            initializers={"axes": np.array([2], np.int64)}))
        cases.append(single("Squeeze", f"squeeze-opset{opset}-no-axes", opset,
                            {"x": x}, {"y": x.reshape(3, 4)}))
        y = rand(3, 4)
        cases.append(single("Unsqueeze", f"unsqueeze-opset{opset}-input",
                            opset, {"x": y}, {"y": y.reshape(3, 1, 4, 1)},
                            initializers={"axes": np.array([1, -1], np.int64)}))
    return cases


def constant_identity_cases():
    cases = []
    x = rand(2, 3)
    c = rand(2, 3)
    for attr, value, expected in [
            ("value", numpy_helper.from_array(c), c),
            ("value_float", 2.5, np.float32(2.5)),
            ("value_floats", [1.0, 2.0, 3.0], np.array([1, 2, 3], np.float32))]:
        nodes = [helper.make_node("Constant", [], ["c"], name="const",
                                  **{attr: value}),
                 helper.make_node("Add", ["x", "c"], ["y"])]
        model = make_model(nodes, {"x": x}, [("y", np.float32, None)],
                           opset=13)
        cases.append(Case(f"constant-{attr}", model, {"x": x},
                          {"y": (f64(x) + f64(expected)).astype(np.float32)}))
    i = RNG.integers(0, 9, size=(2, 3)).astype(np.int64)
    for attr, value in [("value_int", 7), ("value_ints", [1, 2, 3])]:
        nodes = [helper.make_node("Constant", [], ["c"], **{attr: value}),
                 helper.make_node("Add", ["x", "c"], ["y"])]
        model = make_model(nodes, {"x": i}, [("y", np.int64, None)], opset=13)
        cases.append(Case(f"constant-{attr}", model, {"x": i},
                          {"y": i + np.array(value, np.int64)}))
    nodes = [helper.make_node("Identity", ["x"], ["t"]),
             helper.make_node("Relu", ["t"], ["y"]),
             helper.make_node("Identity", ["x"], ["z"])]
    model = make_model(nodes, {"x": x}, [("y", np.float32, None),
                                         ("z", np.float32, [2, 3])], opset=16)
    cases.append(Case("identity", model, {"x": x},
                      {"y": np.maximum(x, 0), "z": x}))
    # A symbolic batch dimension takes the size of the given input.
    xb, wb = rand(5, 8), rand(8, 3)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["m"]),
         helper.make_node("Softmax", ["m"], ["y"], axis=1)], "g",
        [vi("x", np.float32, ["batch", 8])], [vi("y", np.float32, ["batch", 3])],
        [numpy_helper.from_array(wb, "w")])
    cases.append(Case("dynamic-batch",
                      helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]),
                      {"x": xb}, {"y": softmax(f64(xb) @ f64(wb), 1).astype(np.float32)},
                      plan_expect=(2, ["'x'", "--dim batch=N",
                                       "--dim batch=MIN..MAX"])))
    # Output names become file names with unsafe characters replaced.
    node = helper.make_node("Relu", ["x"], ["out/y:0"])
    model = make_model([node], {"x": x}, [("out/y:0", np.float32, None)])
    cases.append(Case("output-name-sanitized", model, {"x": x},
                      {"out/y:0": np.maximum(x, 0)}))
    return cases


# --------------------------------------------------------------------------
# Composite models
# --------------------------------------------------------------------------

def linear(x, w, b):
    return f64(x) @ f64(w).T + f64(b)


def mlp_case(d=16, batch=4, opset=17):
    """The MLP of bench/peers.py (Linear -> GELU -> Linear -> LayerNorm), as
    torch exports it at opset 17: Gemm with transB and GELU as its Erf form."""
    x = rand(batch, d)
    w1, b1 = rand(4 * d, d, low=-0.3, high=0.3), rand(4 * d, low=-0.1, high=0.1)
    w2, b2 = rand(d, 4 * d, low=-0.3, high=0.3), rand(d, low=-0.1, high=0.1)
    g, b = rand(d, low=0.5, high=1.5), rand(d)
    inits = {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "ln_g": g, "ln_b": b,
             "sqrt2": np.array(math.sqrt(2), np.float32),
             "one": np.array(1, np.float32), "half": np.array(0.5, np.float32)}
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1, name="fc1"),
        helper.make_node("Div", ["h", "sqrt2"], ["h_s"]),
        helper.make_node("Erf", ["h_s"], ["h_e"]),
        helper.make_node("Add", ["h_e", "one"], ["h_1"]),
        helper.make_node("Mul", ["h", "h_1"], ["h_m"]),
        helper.make_node("Mul", ["h_m", "half"], ["h_g"]),
        helper.make_node("Gemm", ["h_g", "w2", "b2"], ["o"], transB=1, name="fc2"),
        helper.make_node("LayerNormalization", ["o", "ln_g", "ln_b"], ["y"]),
    ]
    model = make_model(nodes, {"x": x}, [("y", np.float32, [batch, d])], inits,
                       opset)
    h = gelu(linear(x, w1, b1))
    y = layer_norm(linear(h, w2, b2), g, b, -1, 1e-5)
    return Case("mlp-peers", model, {"x": x}, {"y": y.astype(np.float32)},
                tolerance=(1e-4, 1e-4))


def transformer_block(name, gelu_form="erf", dtype=np.float32, opset=17,
                      batch=2, seq=4, d=8, heads=2):
    """Attention (MatMul, Reshape, Transpose, Softmax) + residual + LayerNorm
    + MLP with GELU decomposed as torch exports it (Erf or Tanh form)."""
    dh = d // heads
    x = rand(batch, seq, d, dtype=dtype)
    p = {n: rand(d, d, low=-0.4, high=0.4, dtype=dtype)
         for n in ["wq", "wk", "wv", "wo"]}
    p["w1"] = rand(d, 2 * d, low=-0.4, high=0.4, dtype=dtype)
    p["w2"] = rand(2 * d, d, low=-0.4, high=0.4, dtype=dtype)
    p["b1"] = rand(2 * d, low=-0.1, high=0.1, dtype=dtype)
    p["g1"], p["be1"] = rand(d, low=0.5, high=1.5, dtype=dtype), rand(d, dtype=dtype)
    p["g2"], p["be2"] = rand(d, low=0.5, high=1.5, dtype=dtype), rand(d, dtype=dtype)
    scalars = {"scale": math.sqrt(dh), "half": 0.5, "one": 1.0,
               "sqrt2": math.sqrt(2), "three": 3.0, "c0": 0.044715,
               "c1": math.sqrt(2 / math.pi)}
    inits = dict(p)
    inits.update({k: np.array(v, dtype) for k, v in scalars.items()})
    inits["heads_shape"] = np.array([0, 0, heads, dh], np.int64)
    inits["merge_shape"] = np.array([0, 0, d], np.int64)
    N = helper.make_node
    nodes = []
    for proj in ["q", "k", "v"]:
        nodes += [N("MatMul", ["x", "w" + proj], [proj]),
                  N("Reshape", [proj, "heads_shape"], [proj + "_h"]),
                  N("Transpose", [proj + "_h"], [proj + "_t"], perm=[0, 2, 1, 3])]
    nodes += [
        N("Transpose", ["k_t"], ["k_tt"], perm=[0, 1, 3, 2]),
        N("MatMul", ["q_t", "k_tt"], ["scores"]),
        N("Div", ["scores", "scale"], ["scaled"]),
        N("Softmax", ["scaled"], ["probs"], axis=3 if opset < 13 else -1),
        N("MatMul", ["probs", "v_t"], ["ctx"]),
        N("Transpose", ["ctx"], ["ctx_t"], perm=[0, 2, 1, 3]),
        N("Reshape", ["ctx_t", "merge_shape"], ["ctx_m"]),
        N("MatMul", ["ctx_m", "wo"], ["attn"]),
        N("Add", ["x", "attn"], ["res1"]),
        N("LayerNormalization", ["res1", "g1", "be1"], ["ln1"], axis=-1),
        N("MatMul", ["ln1", "w1"], ["f1"]),
        N("Add", ["f1", "b1"], ["f"]),
    ]
    if gelu_form == "erf":
        nodes += [N("Div", ["f", "sqrt2"], ["g_s"]), N("Erf", ["g_s"], ["g_e"]),
                  N("Add", ["g_e", "one"], ["g_1"]), N("Mul", ["f", "g_1"], ["g_m"]),
                  N("Mul", ["g_m", "half"], ["gelu"])]
    else:
        nodes += [N("Pow", ["f", "three"], ["g_p"]), N("Mul", ["g_p", "c0"], ["g_c"]),
                  N("Add", ["f", "g_c"], ["g_i"]), N("Mul", ["g_i", "c1"], ["g_k"]),
                  N("Tanh", ["g_k"], ["g_t"]), N("Add", ["g_t", "one"], ["g_1"]),
                  N("Mul", ["f", "g_1"], ["g_m"]), N("Mul", ["g_m", "half"], ["gelu"])]
    nodes += [N("MatMul", ["gelu", "w2"], ["f2"]),
              N("Add", ["ln1", "f2"], ["res2"]),
              N("LayerNormalization", ["res2", "g2", "be2"], ["y"], axis=-1)]
    model = make_model(nodes, {"x": x}, [("y", dtype, None)], inits, opset)

    # numpy, float64 throughout.
    X = f64(x)
    P = {k: f64(v) for k, v in p.items()}

    def heads_of(t):
        return t.reshape(batch, seq, heads, dh).transpose(0, 2, 1, 3)

    q, k, v = (heads_of(X @ P["w" + n]) for n in "qkv")
    probs = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh), -1)
    ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, d)
    ln1 = layer_norm(X + ctx @ P["wo"], P["g1"], P["be1"], -1, 1e-5)
    f = ln1 @ P["w1"] + P["b1"]
    y = layer_norm(ln1 + gelu(f, "none" if gelu_form == "erf" else "tanh") @ P["w2"],
                   P["g2"], P["be2"], -1, 1e-5)
    tol = (1e-4, 1e-4) if dtype == np.float32 else (3e-2, 3e-2)
    return Case(name, model, {"x": x}, {"y": y.astype(dtype)}, tolerance=tol)


def composite_cases():
    return [
        mlp_case(),
        transformer_block("transformer-erf-gelu"),
        transformer_block("transformer-tanh-gelu", gelu_form="tanh"),
        transformer_block("transformer-f16", dtype=np.float16),
        transformer_block("transformer-f16-tanh", gelu_form="tanh",
                          dtype=np.float16),
    ]


def external_data_cases():
    import os
    x = rand(4, 64)
    w, b = rand(32, 64), rand(32)
    node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)
    model = make_model([node], {"x": x}, [("y", np.float32, None)],
                       {"w": w, "b": b}, 13)

    def save(folder, missing=False):
        path = os.path.join(folder, "model.onnx")
        copy = onnx.ModelProto()
        copy.CopyFrom(model)  # saving as external data mutates the model
        onnx.save_model(copy, path, save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.bin",
                        size_threshold=0)
        if missing:
            os.remove(os.path.join(folder, "weights.bin"))
        return path

    def truncate(folder):
        path = save(folder)
        weights = os.path.join(folder, "weights.bin")
        with open(weights, "r+b") as f:
            f.truncate(os.path.getsize(weights) - 100)
        return path

    expected = {"y": (f64(x) @ f64(w).T + f64(b)).astype(np.float32)}
    return [
        Case("external-data-short-file", onnx.ModelProto(), {"x": x},
             expect_rc=1, expect_error=["weights.bin", "too few"],
             save=truncate),
        Case("external-data", onnx.ModelProto(), {"x": x}, expected,
             save=save),
        Case("external-data-missing-file", onnx.ModelProto(), {"x": x},
             expect_rc=1, expect_error=["weights.bin"],
             save=lambda folder: save(folder, missing=True)),
    ]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

def error_cases():
    import os
    cases = []
    x = rand(2, 3)
    node = helper.make_node("LpNormalization", ["x"], ["y"], name="my_lpnorm")
    cases.append(Case("unsupported-op",
                      make_model([node], {"x": x}, [("y", np.float32, None)],
                                 opset=13),
                      {"x": x}, expect_rc=2,
                      expect_error=["my_lpnorm", "LpNormalization", "ai.onnx",
                                    "opset 13"]))
    node = helper.make_node("FancyOp", ["x"], ["y"], name="custom_node",
                            domain="com.example")
    cases.append(Case("unsupported-domain",
                      make_model([node], {"x": x}, [("y", np.float32, None)],
                                 opset=13,
                                 extra_opsets=[helper.make_opsetid("com.example", 3)]),
                      {"x": x}, expect_rc=2,
                      expect_error=["custom_node", "FancyOp", "com.example",
                                    "opset 3"]))

    def write_bytes(data):
        def save(folder):
            path = os.path.join(folder, "model.onnx")
            with open(path, "wb") as f:
                f.write(data)
            return path
        return save

    cases.append(Case("malformed-protobuf", None, {}, expect_rc=1,
                      expect_error=["not a valid ONNX"],
                      save=write_bytes(b"\x08\x07\x12\xff\xff\xff\xff\x0fgarbage")))
    valid = make_model([helper.make_node("Relu", ["x"], ["y"])], {"x": x},
                       [("y", np.float32, None)]).SerializeToString()
    cases.append(Case("truncated-protobuf", None, {}, expect_rc=1,
                      save=write_bytes(valid[: len(valid) // 2])))
    cases.append(Case("missing-model-file", None, {}, expect_rc=1,
                      expect_error=["cannot read"],
                      save=lambda folder: os.path.join(folder, "absent.onnx")))
    relu = make_model([helper.make_node("Relu", ["x"], ["y"])], {"x": x},
                      [("y", np.float32, None)])
    cases.append(Case("wrong-input-shape", relu, {"x": rand(3, 3)},
                      expect_rc=1, expect_error=["x", "shape"]))
    cases.append(Case("wrong-input-dtype", relu, {"x": x.astype(np.float64)},
                      expect_rc=1, expect_error=["x", "dtype"]))
    # Shapes too large to evaluate are refused, not allocated.
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"], name="huge_add")], "g",
        [vi("a", np.float32, [200000, 1]), vi("b", np.float32, [1, 200000])],
        [vi("y", np.float32, None)])
    cases.append(Case("result-too-large",
                      helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                      expect_rc=1, expect_error=["huge_add", "too large"],
                      # A plan holds it; running it needs 160 GB: refused
                      # by the CPU reference or by `dsc run` on a GPU host.
                      plan_expect=(1, ["too large"])))
    graph = helper.make_graph(
        [helper.make_node("Relu", ["a"], ["y"])], "g",
        [vi("a", np.float32, [2**40, 2**40])], [vi("y", np.float32, None)])
    cases.append(Case("random-input-too-large",
                      helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                      expect_rc=1, expect_error=["'a'", "too large"]))
    node = helper.make_node("Relu", ["undefined_name"], ["y"], name="dangling")
    cases.append(Case("undefined-input-name",
                      make_model([node], {"x": x}, [("y", np.float32, None)]),
                      {"x": x}, expect_rc=1,
                      expect_error=["dangling", "undefined_name"]))
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="first"),
             helper.make_node("Tanh", ["x"], ["y"], name="second")]
    cases.append(Case("duplicate-output-name",
                      make_model(nodes, {"x": x}, [("y", np.float32, None)]),
                      {"x": x}, expect_rc=1, expect_error=["second", "'y'"]))
    return cases


def fuzz_cases(count=60):
    """Random byte mutations of a valid model: any exit code 0, 1 or 2 is
    fine, a signal (crash) is not."""
    import os
    base = transformer_block("fuzz-base").model.SerializeToString()
    rng = np.random.default_rng(99)
    cases = []
    for i in range(count):
        data = bytearray(base)
        for _ in range(int(rng.integers(1, 8))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        if i % 5 == 0:
            data = data[: int(rng.integers(1, len(data)))]

        def save(folder, data=bytes(data)):
            path = os.path.join(folder, "model.onnx")
            with open(path, "wb") as f:
                f.write(data)
            return path
        cases.append(Case(f"fuzz-{i}", None, {}, expect_rc=-1, save=save))
    return cases


# --------------------------------------------------------------------------
# Op coverage (issue 3): math, activations, logic, reductions, data movement.
# Every case also compiles to CUDA and runs its plan (--mode plan).
# --------------------------------------------------------------------------


def math_cases():
    cases = []
    table = {
        "Neg": ([6, 13], np.negative, (-2, 2), None),
        "Abs": ([6, 13], np.abs, (-2, 2), None),
        "Exp": ([6, 13], np.exp, (-2, 2), None),
        "Log": ([6, 13], np.log, (0.1, 3), None),
        "Reciprocal": ([6, 13], lambda x: 1 / x, (0.5, 2), None),
        "Floor": ([6, 13], np.floor, (-3, 3), "math"),
        "Ceil": ([6, 13], np.ceil, (-3, 3), "math"),
        "Round": ([11], np.round, (-3, 3), "math"),
        "Sign": ([9, 13], np.sign, (-3, 3), "math"),
        "Sin": ([7], np.sin, (-3, 3), "math"),
        "Cos": ([7], np.cos, (-3, 3), "math"),
        "Tan": ([7], np.tan, (-1, 1), "math"),
        "Asin": ([7], np.arcsin, (-0.9, 0.9), "math"),
        "Acos": ([7], np.arccos, (-0.9, 0.9), "math"),
        "Atan": ([7], np.arctan, (-3, 3), "math"),
        "Sinh": ([9], np.sinh, (-2, 2), "math"),
        "Cosh": ([9], np.cosh, (-2, 2), "math"),
        "Asinh": ([9], np.arcsinh, (-2, 2), "math"),
        "Acosh": ([9], np.arccosh, (1.1, 3), "math"),
        "Atanh": ([9], np.arctanh, (-0.9, 0.9), "math"),
    }
    for op, (opsets, fn, (lo, hi), kernel) in table.items():
        for opset in opsets:
            x = rand(3, 4, low=lo, high=hi)
            if op == "Round":
                x[0, :3] = [0.5, 1.5, -2.5]  # halves go to even
            cases.append(single(op, f"{op.lower()}-opset{opset}", opset,
                                {"x": x}, {"y": fn(f64(x)).astype(np.float32)}))
    xi = np.array([[-3, 0, 5]], dtype=np.int32)
    cases.append(single("Sign", "sign-int32", 13, {"x": xi},
                        {"y": np.sign(xi)}))
    x = rand(2, 5)
    lo, hi = np.float32(-0.3), np.float32(0.4)
    for opset in [6, 11, 13]:
        if opset < 11:
            case = single("Clip", f"clip-opset{opset}", opset, {"x": x},
                          {"y": np.clip(f64(x), lo, hi).astype(np.float32)},
                          attrs={"min": float(lo), "max": float(hi)})
        else:
            case = single("Clip", f"clip-opset{opset}", opset, {"x": x},
                          {"y": np.clip(f64(x), lo, hi).astype(np.float32)},
                          initializers={"lo": np.array(lo), "hi": np.array(hi)})
        cases.append(case)
    # Only a maximum: the min input is left empty.
    cases.append(single("Clip", "clip-max-only", 13, {"x": x},
                        {"y": np.minimum(f64(x), hi).astype(np.float32)},
                        initializers={"hi": np.array(hi)},
                        input_order=["x", "", "hi"]))
    a, b, c = rand(2, 3), rand(3), rand(1, 3)
    for op, fn in {"Min": np.minimum, "Max": np.maximum, "Sum": np.add}.items():
        for opset in [8, 13]:
            expect = fn(fn(f64(a), f64(b)), f64(c)).astype(np.float32)
            cases.append(single(op, f"{op.lower()}-variadic-opset{opset}",
                                opset, {"a": a, "b": b, "c": c}, {"y": expect}))
    cases.append(single("Mean", "mean-variadic", 13, {"a": a, "b": b, "c": c},
                        {"y": ((f64(a) + f64(b) + f64(c)) / 3).astype(np.float32)}))
    cases.append(single("Max", "max-single", 13, {"a": a}, {"y": a}))
    ai = np.array([-7, 7, -7, 7, 5], dtype=np.int64)
    bi = np.array([3, -3, -3, 3, 0], dtype=np.int64)
    expect = np.where(bi == 0, 0, np.mod(ai, np.where(bi == 0, 1, bi)))
    cases.append(single("Mod", "mod-int", 13, {"a": ai, "b": bi}, {"y": expect}))
    af, bf = rand(2, 3, low=-5, high=5), rand(3, low=0.5, high=2)
    cases.append(single("Mod", "mod-fmod", 13, {"a": af, "b": bf},
                        {"y": np.fmod(f64(af), f64(bf)).astype(np.float32)},
                        attrs={"fmod": 1}))
    cases.append(single("Mod", "mod-float-needs-fmod", 13, {"a": af, "b": bf},
                        {"y": af}, expect_rc=1,
                        expect_error=["Mod", "fmod must be 1"]))
    return cases


def activation_cases():
    cases = []
    x = rand(3, 4, low=-3, high=3)
    x64 = f64(x)

    def elu(v, alpha):
        return np.where(v > 0, v, alpha * (np.exp(v) - 1))

    def softplus(v):
        return np.log(np.exp(v) + 1)

    hs = lambda v, a, b: np.clip(a * v + b, 0, 1)
    table = [
        ("Elu", [6], {"alpha": 0.7}, elu(x64, 0.7), None),
        ("Elu", [6], {}, elu(x64, 1.0), None),
        ("Selu", [6], {"alpha": 1.5, "gamma": 2.0},
         2.0 * elu(x64, 1.5), None),
        ("Selu", [6], {}, 1.0507009873554805 * elu(x64, 1.6732632423543772), None),
        ("Celu", [12], {"alpha": 2.0},
         np.maximum(0, x64) + np.minimum(0, 2.0 * (np.exp(x64 / 2.0) - 1)), None),
        ("LeakyRelu", [6, 16], {"alpha": 0.1}, np.where(x64 > 0, x64, 0.1 * x64), None),
        ("LeakyRelu", [6], {}, np.where(x64 > 0, x64, 0.01 * x64), None),
        ("HardSigmoid", [6], {"alpha": 0.3, "beta": 0.4}, hs(x64, 0.3, 0.4), None),
        ("HardSwish", [14], {}, x64 * hs(x64, 1 / 6, 0.5), None),
        ("Softplus", [1], {}, softplus(x64), None),
        ("Softsign", [1], {}, x64 / (1 + np.abs(x64)), None),
        ("Mish", [18], {}, x64 * np.tanh(softplus(x64)), None),
        ("ThresholdedRelu", [10], {"alpha": 0.5}, np.where(x64 > 0.5, x64, 0),
         "compare"),
        ("Shrink", [9], {"lambd": 1.0, "bias": 0.25},
         np.where(x64 < -1, x64 + 0.25, np.where(x64 > 1, x64 - 0.25, 0)),
         "compare"),
    ]
    for i, (op, opsets, attrs, expect, kernel) in enumerate(table):
        for opset in opsets:
            cases.append(single(op, f"{op.lower()}-{i}-opset{opset}", opset,
                                {"x": x}, {"y": expect.astype(np.float32)},
                                attrs=attrs))
    slope = rand(4, low=0.05, high=0.5)
    for opset in [7, 16]:
        cases.append(single("PRelu", f"prelu-opset{opset}", opset, {"x": x},
                            {"y": np.where(x64 > 0, x64, f64(slope) * x64).astype(np.float32)},
                            initializers={"slope": slope}))
    xi = np.array([1, -2], dtype=np.int32)
    cases.append(single("Elu", "elu-int-unsupported", 6, {"x": xi}, {"y": xi},
                        expect_rc=2, expect_error=["Elu", "floating-point only"]))
    return cases


def logic_cases():
    cases = []
    a, b = rand(2, 3), rand(3)
    b[1] = a[0, 1]  # an equal pair
    preds = {"Equal": ([7, 11, 13], np.equal), "Less": ([7, 13], np.less),
             "Greater": ([7, 13], np.greater),
             "LessOrEqual": ([12, 16], np.less_equal),
             "GreaterOrEqual": ([12, 16], np.greater_equal)}
    for op, (opsets, fn) in preds.items():
        for opset in opsets:
            cases.append(single(op, f"{op.lower()}-opset{opset}", opset,
                                {"a": a, "b": b}, {"y": fn(a, b)}))
    ai = np.array([[1, 5, -3]], dtype=np.int64)
    cases.append(single("Equal", "equal-int64", 13, {"a": ai, "b": ai[:, ::-1].copy()},
                        {"y": ai == ai[:, ::-1]}))
    # Legacy broadcast (opset 1-6): B aligned at axis 1 of A.
    a4, b1 = rand(2, 3, 4), rand(3)
    cases.append(single("Less", "less-legacy-broadcast", 6, {"a": a4, "b": b1},
                        {"y": a4 < b1[None, :, None]},
                        attrs={"broadcast": 1, "axis": 1}))
    p = np.array([[True, False, True, False]])
    q = np.array([[True, True, False, False]])
    for op, fn in {"And": np.logical_and, "Or": np.logical_or,
                   "Xor": np.logical_xor}.items():
        for opset in [7]:
            cases.append(single(op, f"{op.lower()}-opset{opset}", opset,
                                {"p": p, "q": q}, {"y": fn(p, q)}))
    cases.append(single("Not", "not", 1, {"p": p}, {"y": ~p}))
    u = np.array([1, 2, 128, 255], dtype=np.uint8)
    s = np.array([1, 3, 1, 7], dtype=np.uint8)
    cases.append(single("BitShift", "bitshift-left", 11, {"u": u, "s": s},
                        {"y": (u.astype(np.int64) << s) .astype(np.uint8)},
                        attrs={"direction": "LEFT"}))
    cases.append(single("BitShift", "bitshift-right", 11, {"u": u, "s": s},
                        {"y": u >> s}, attrs={"direction": "RIGHT"}))
    i1 = np.array([[12, -7, 0]], dtype=np.int32)
    i2 = np.array([10, 3, -1], dtype=np.int32)
    for op, fn in {"BitwiseAnd": np.bitwise_and, "BitwiseOr": np.bitwise_or,
                   "BitwiseXor": np.bitwise_xor}.items():
        cases.append(single(op, op.lower(), 18, {"a": i1, "b": i2},
                            {"y": fn(i1, i2)}))
    cases.append(single("BitwiseNot", "bitwisenot", 18, {"a": i1},
                        {"y": np.invert(i1)}))
    cond = np.array([[True, False, True]])
    x, y = rand(2, 3), rand(1, 3)
    for opset in [9, 16]:
        cases.append(single("Where", f"where-opset{opset}", opset,
                            {"c": cond, "x": x, "y": y},
                            {"z": np.where(cond, x, y)}))
    v = np.array([1.0, np.nan, np.inf, -np.inf, -2.0], dtype=np.float32)
    cases.append(single("IsNaN", "isnan", 13, {"x": v}, {"y": np.isnan(v)}))
    for pos, neg in [(1, 1), (1, 0), (0, 1), (0, 0)]:
        expect = (np.isposinf(v) & bool(pos)) | (np.isneginf(v) & bool(neg))
        cases.append(single("IsInf", f"isinf-{pos}{neg}", 10, {"x": v},
                            {"y": expect},
                            attrs={"detect_positive": pos, "detect_negative": neg}))
    return cases


def reduction_cases():
    cases = []
    x = rand(2, 3, 4, low=0.1, high=1.5)
    x64 = f64(x)
    fns = {
        "ReduceSum": lambda v, ax, k: v.sum(axis=ax, keepdims=k),
        "ReduceMax": lambda v, ax, k: v.max(axis=ax, keepdims=k),
        "ReduceMin": lambda v, ax, k: v.min(axis=ax, keepdims=k),
        "ReduceProd": lambda v, ax, k: v.prod(axis=ax, keepdims=k),
        "ReduceL1": lambda v, ax, k: np.abs(v).sum(axis=ax, keepdims=k),
        "ReduceL2": lambda v, ax, k: np.sqrt((v * v).sum(axis=ax, keepdims=k)),
        "ReduceLogSum": lambda v, ax, k: np.log(v.sum(axis=ax, keepdims=k)),
        "ReduceLogSumExp": lambda v, ax, k: np.log(np.exp(v).sum(axis=ax, keepdims=k)),
        "ReduceSumSquare": lambda v, ax, k: (v * v).sum(axis=ax, keepdims=k),
    }
    for op, fn in fns.items():
        input_since = 13 if op == "ReduceSum" else 18
        for opset in sorted({11, input_since}):
            for axes, keep in [((1,), 1), ((0, -1), 0), (None, 0)]:
                tag = "all" if axes is None else "_".join(map(str, axes)).replace("-", "m")
                name = f"{op.lower()}-opset{opset}-{tag}-k{keep}"
                expect = fn(x64, axes if axes is None else tuple(axes), bool(keep))
                attrs = {"keepdims": keep}
                inits = {}
                order = ["x"]
                if axes is not None:
                    if opset >= input_since:
                        inits = {"axes": np.array(axes, dtype=np.int64)}
                        order = ["x", "axes"]
                    else:
                        attrs["axes"] = list(axes)
                cases.append(single(op, name, opset, {"x": x},
                                    {"y": np.asarray(expect).astype(np.float32)},
                                    attrs=attrs, initializers=inits,
                                    input_order=order))
    # noop_with_empty_axes: the identity.
    cases.append(single("ReduceSum", "reducesum-noop", 13, {"x": x}, {"y": x},
                        attrs={"noop_with_empty_axes": 1}))
    # LogSumExp stays finite where exp overflows.
    big = np.array([[1000.0, 1000.0], [-1.0, 2.0]], dtype=np.float32)
    m = f64(big).max(axis=1, keepdims=True)
    expect = (np.log(np.exp(f64(big) - m).sum(axis=1, keepdims=True)) + m)[:, 0]
    cases.append(single("ReduceLogSumExp", "reducelogsumexp-stable", 13,
                        {"x": big}, {"y": expect.astype(np.float32)},
                        attrs={"axes": [1], "keepdims": 0}))
    xi = np.array([[3, 1, 3], [0, 5, 5]], dtype=np.int32)
    cases.append(single("ReduceMax", "reducemax-int32", 13, {"x": xi},
                        {"y": xi.max(axis=1)}, attrs={"axes": [1], "keepdims": 0}))
    v = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0]], dtype=np.float32)
    for op, fn in {"ArgMax": np.argmax, "ArgMin": np.argmin}.items():
        for opset in [11, 13]:
            cases.append(single(op, f"{op.lower()}-opset{opset}", opset, {"x": v},
                                {"y": fn(v, axis=1)[:, None].astype(np.int64)},
                                attrs={"axis": 1}))
        last = v.shape[1] - 1 - fn(v[:, ::-1], axis=1)
        cases.append(single(op, f"{op.lower()}-last-index", 12, {"x": v},
                            {"y": last.astype(np.int64)},
                            attrs={"axis": -1, "keepdims": 0, "select_last_index": 1}))
    c = rand(2, 5)
    c64 = f64(c)
    for excl, rev in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        src = c64[:, ::-1] if rev else c64
        cs = np.cumsum(src, axis=1)
        if excl:
            cs = np.concatenate([np.zeros((2, 1)), cs[:, :-1]], axis=1)
        if rev:
            cs = cs[:, ::-1]
        cases.append(single("CumSum", f"cumsum-e{excl}-r{rev}", 14, {"x": c},
                            {"y": cs.astype(np.float32)},
                            initializers={"axis": np.array(-1, dtype=np.int64)},
                            attrs={"exclusive": excl, "reverse": rev}))
    s = rand(2, 3, 4, low=-3, high=3)
    for opset in [11, 13]:
        axis = 1 if opset < 13 else -1
        if opset < 13:
            flat = f64(s).reshape(2, -1)
            ls = (flat - flat.max(1, keepdims=True))
            ls = (ls - np.log(np.exp(ls).sum(1, keepdims=True))).reshape(s.shape)
            hm = np.zeros_like(flat)
            hm[np.arange(2), flat.argmax(1)] = 1
            hm = hm.reshape(s.shape)
        else:
            ls = f64(s) - f64(s).max(-1, keepdims=True)
            ls = ls - np.log(np.exp(ls).sum(-1, keepdims=True))
            hm = (np.arange(4) == f64(s).argmax(-1)[..., None]).astype(np.float64)
        cases.append(single("LogSoftmax", f"logsoftmax-opset{opset}", opset,
                            {"x": s}, {"y": ls.astype(np.float32)},
                            attrs={"axis": axis}))
        cases.append(single("Hardmax", f"hardmax-opset{opset}", opset,
                            {"x": s}, {"y": hm.astype(np.float32)},
                            attrs={"axis": axis}))
    return cases


def data_movement_cases():
    cases = []
    a, b = rand(2, 3), rand(2, 5)
    for opset in [4, 11, 13]:
        cases.append(single("Concat", f"concat-opset{opset}", opset,
                            {"a": a, "b": b}, {"y": np.concatenate([a, b], 1)},
                            attrs={"axis": -1 if opset >= 11 else 1}))
    x = rand(6, 4)
    for opset in [2, 11, 13, 18]:
        attrs = {"axis": 0}
        inits, order = {}, ["x"]
        if opset < 13:
            attrs["split"] = [2, 4]
        else:
            inits = {"split": np.array([2, 4], dtype=np.int64)}
            order = ["x", "split"]
        cases.append(single("Split", f"split-opset{opset}", opset, {"x": x},
                            {"y0": x[:2], "y1": x[2:]}, attrs=attrs,
                            initializers=inits, input_order=order))
    cases.append(single("Split", "split-equal", 13, {"x": x},
                        {"y0": x[:, :2], "y1": x[:, 2:]}, attrs={"axis": 1}))
    cases.append(single("Split", "split-num-outputs", 18, {"x": x},
                        {"y0": x[:2], "y1": x[2:4], "y2": x[4:]},
                        attrs={"axis": 0, "num_outputs": 3}))
    big = np.iinfo(np.int64).max
    slices = [
        ("basic", [1, 0], [3, 4], [0, 1], [1, 1], x[1:3, 0:4]),
        ("negative", [-4], [-1], [0], [1], x[-4:-1]),
        ("overflow", [1], [big], [1], [1], x[:, 1:]),
        ("steps", [5, 0], [-big, 4], [0, 1], [-2, 3], x[5::-2, 0:4:3]),
        ("empty", [3], [1], [0], [1], x[3:1]),
    ]
    for tag, starts, ends, axes, steps, expect in slices:
        arr = lambda v: np.array(v, dtype=np.int64)
        cases.append(single("Slice", f"slice-{tag}", 13, {"x": x},
                            {"y": expect},
                            initializers={"s": arr(starts), "e": arr(ends),
                                          "a": arr(axes), "t": arr(steps)},
                            input_order=["x", "s", "e", "a", "t"]))
    cases.append(single("Slice", "slice-opset1", 1, {"x": x}, {"y": x[1:3, 1:]},
                        attrs={"starts": [1, 1], "ends": [3, 1000]}))
    idx = np.array([[0, -1], [2, 1]], dtype=np.int64)
    for opset in [1, 11, 13]:
        cases.append(single("Gather", f"gather-opset{opset}", opset, {"x": x},
                            {"y": np.take(x, np.where(idx < 0, idx + 4, idx), axis=1)},
                            initializers={"i": idx}, attrs={"axis": 1}))
    bad = np.array([0, 6], dtype=np.int64)
    # An index out of range is an error on every backend (on the GPU through
    # the kernel's fault word), constant or given at run time.
    cases.append(single("Gather", "gather-out-of-range", 13, {"x": x}, {"y": x},
                        initializers={"i": bad}, expect_rc=1,
                        expect_error=["out of range"]))
    cases.append(single("GatherElements", "gather-elements-runtime-index-out-of-range",
                        13, {"x": x, "i": np.array([[0, -9]], dtype=np.int64)},
                        {"y": x}, attrs={"axis": 1}, expect_rc=1,
                        expect_error=["out of range"]))
    ge = np.array([[0, 3], [1, -1], [2, 0]], dtype=np.int64)
    base = x[:3]
    cases.append(single("GatherElements", "gatherelements", 13, {"x": base},
                        {"y": np.take_along_axis(base, np.where(ge < 0, ge + 4, ge), 1)},
                        initializers={"i": ge}, attrs={"axis": 1}))
    upd = rand(3, 2)
    for reduction in ["none", "add", "mul"]:
        expect = f64(base).copy()
        for r in range(3):
            for c in range(2):
                col = ge[r, c] % 4
                if reduction == "none":
                    expect[r, col] = upd[r, c]
                elif reduction == "add":
                    expect[r, col] += upd[r, c]
                else:
                    expect[r, col] *= upd[r, c]
        cases.append(single("ScatterElements", f"scatterelements-{reduction}", 16,
                            {"x": base, "u": upd}, {"y": expect.astype(np.float32)},
                            initializers={"i": ge}, input_order=["x", "i", "u"],
                            attrs={"axis": 1, "reduction": reduction}))
    e = rand(3, 1)
    cases.append(single("Expand", "expand", 13, {"x": e},
                        {"y": np.broadcast_to(e, (2, 3, 4)).copy()},
                        initializers={"shape": np.array([2, 1, 4], dtype=np.int64)}))
    cases.append(single("Tile", "tile", 13, {"x": a}, {"y": np.tile(a, (2, 3))},
                        initializers={"r": np.array([2, 3], dtype=np.int64)}))
    p = rand(3, 4)
    pads = [1, 2, 2, 1]
    np_pads = ((1, 2), (2, 1))
    for mode in ["constant", "reflect", "edge"]:
        kw = {"constant_values": 0.5} if mode == "constant" else {}
        expect = np.pad(p, np_pads, mode=mode, **kw)
        cases.append(single("Pad", f"pad-{mode}-opset13", 13, {"x": p},
                            {"y": expect},
                            initializers={"pads": np.array(pads, dtype=np.int64),
                                          **({"v": np.array(0.5, dtype=np.float32)}
                                             if mode == "constant" else {})},
                            attrs={"mode": mode}))
        cases.append(single("Pad", f"pad-{mode}-opset2", 2, {"x": p},
                            {"y": expect},
                            attrs={"mode": mode, "pads": pads,
                                   **({"value": 0.5} if mode == "constant" else {})}))
    cases.append(single("Pad", "pad-axes-opset18", 18, {"x": p},
                        {"y": np.pad(p, ((0, 0), (1, 2)))},
                        initializers={"pads": np.array([1, 2], dtype=np.int64),
                                      "axes": np.array([-1], dtype=np.int64)},
                        input_order=["x", "pads", "", "axes"]))
    cases.append(single("Pad", "pad-wrap-opset19", 19, {"x": p},
                        {"y": np.pad(p, np_pads, mode="wrap")},
                        initializers={"pads": np.array(pads, dtype=np.int64)},
                        attrs={"mode": "wrap"}))
    f = rand(2, 3, 4)
    for axis, opset in [(1, 9), (0, 9), (-1, 13), (3, 13)]:
        n = axis % f.ndim if axis < 0 else axis
        lead = int(np.prod(f.shape[:n]))
        cases.append(single("Flatten", f"flatten-axis{axis}".replace("-", "m"), opset,
                            {"x": f}, {"y": f.reshape(lead, -1)},
                            attrs={"axis": axis}))
    t = rand(2, 4, 5)
    for upper in [0, 1]:
        for k in [-1, 0, 2]:
            expect = np.triu(t, k) if upper else np.tril(t, k)
            cases.append(single("Trilu", f"trilu-u{upper}-k{k}".replace("-", "_"), 14,
                                {"x": t}, {"y": expect},
                                initializers={"k": np.array(k, dtype=np.int64)},
                                attrs={"upper": upper}))
    d = rand(1, 8, 2, 3)
    b = 2
    for mode in ["DCR", "CRD"]:
        n, c, h, w = d.shape
        if mode == "DCR":
            tmp = d.reshape(n, b, b, c // 4, h, w).transpose(0, 3, 4, 1, 5, 2)
        else:
            tmp = d.reshape(n, c // 4, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
        cases.append(single("DepthToSpace", f"depthtospace-{mode.lower()}", 13,
                            {"x": d}, {"y": tmp.reshape(n, c // 4, h * b, w * b)},
                            attrs={"blocksize": b, "mode": mode}))
    s2 = rand(1, 2, 4, 6)
    n, c, h, w = s2.shape
    expect = s2.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    cases.append(single("SpaceToDepth", "spacetodepth", 13, {"x": s2},
                        {"y": expect.reshape(n, c * b * b, h // b, w // b)},
                        attrs={"blocksize": b}))
    for opset in [7, 12, 13]:
        # The mask has the input's type before opset 10, bool from it.
        outs = {"y": a, "mask": np.ones(a.shape, dtype=np.float32 if opset < 10
                                        else np.bool_)}
        cases.append(single("Dropout", f"dropout-opset{opset}", opset, {"x": a},
                            outs, attrs={"ratio": 0.3} if opset < 12 else {}))
    tm = np.array(True)
    cases.append(single("Dropout", "dropout-training", 13, {"x": a}, {"y": a},
                        initializers={"r": np.array(0.5, dtype=np.float32), "t": tm},
                        expect_rc=2, expect_error=["Dropout", "training_mode"]))
    like = np.zeros((1,), dtype=np.float16)
    cases.append(single("CastLike", "castlike", 15, {"x": a, "like": like},
                        {"y": a.astype(np.float16)}))
    return cases


def shape_cases():
    """Shape-computing subgraphs of exported models fold at import."""
    cases = []
    x = rand(2, 3, 4)
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "i0"], ["d0"], axis=0),
        helper.make_node("Unsqueeze", ["d0", "ax"], ["d0u"]),
        helper.make_node("Concat", ["d0u", "m1"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    inits = {"i0": np.array(0, dtype=np.int64), "ax": np.array([0], dtype=np.int64),
             "m1": np.array([-1], dtype=np.int64)}
    model = make_model(nodes, {"x": x}, [("y", np.float32, None)], inits, opset=13)
    cases.append(Case("shape-gather-concat-reshape", model, {"x": x},
                      {"y": x.reshape(2, -1)}))
    nodes = [helper.make_node("Shape", ["x"], ["s"], start=1, end=-1),
             helper.make_node("ConstantOfShape", ["s"], ["y"],
                              value=numpy_helper.from_array(np.array([7], dtype=np.int32)))]
    model = make_model(nodes, {"x": x}, [("y", np.int32, None)], opset=15)
    cases.append(Case("shape-start-constantofshape", model, {"x": x},
                      {"y": np.full((3,), 7, dtype=np.int32)}))
    nodes = [helper.make_node("Size", ["x"], ["n"]),
             helper.make_node("Range", ["zero", "n", "three"], ["y"])]
    model = make_model(nodes, {"x": x}, [("y", np.int64, None)],
                       {"zero": np.array(0, dtype=np.int64),
                        "three": np.array(3, dtype=np.int64)}, opset=13)
    cases.append(Case("size-range", model, {"x": x},
                      {"y": np.arange(0, 24, 3, dtype=np.int64)}))
    cases.append(single("Range", "range-float", 11, {}, {"y": np.arange(1.0, -2.0, -0.5).astype(np.float32)},
                        initializers={"s": np.array(1.0, dtype=np.float32),
                                      "l": np.array(-2.0, dtype=np.float32),
                                      "d": np.array(-0.5, dtype=np.float32)}))
    m = rand(3, 4)
    for k in [0, 1, -2]:
        cases.append(single("EyeLike", f"eyelike-k{k}".replace("-", "m"), 9, {"x": m},
                            {"y": np.eye(3, 4, k, dtype=np.float32)}, attrs={"k": k}))
    cases.append(single("Shape", "shape-output", 13, {"x": x},
                        {"y": np.array([2, 3, 4], dtype=np.int64)}))
    # A rank-0 result: its plan has empty shape vectors.
    cases.append(single("Size", "size-output", 13, {"x": x},
                        {"y": np.array(24, dtype=np.int64)}))
    # A Reshape whose shape depends on a graph input: eval fixes the input to
    # its value at import; a plan needs --input-value (and says so).
    nodes = [helper.make_node("Reshape", ["x", "t"], ["y"], name="dyn_reshape")]
    t = np.array([6, 4], dtype=np.int64)
    model = make_model(nodes, {"x": x, "t": t}, [("y", np.float32, None)], opset=13)
    cases.append(Case("reshape-shape-from-input", model, {"x": x, "t": t},
                      {"y": x.reshape(6, 4)},
                      plan_expect=(2, ["dyn_reshape", "known at import",
                                       "--input-value t=FILE.npy"])))
    cases.append(Case("reshape-shape-fixed-input", model, {"x": x, "t": t},
                      {"y": x.reshape(6, 4)}, fixed_inputs=["t"]))
    # Slice bounds and Range limits from graph inputs chain: both get fixed.
    nodes = [helper.make_node("Range", ["zero", "n", "one"], ["r"]),
             helper.make_node("Slice", ["r", "s", "e"], ["y"])]
    n, st, en = (np.array(v, dtype=np.int64) for v in (10, [2], [7]))
    model = make_model(nodes, {"n": n, "s": st, "e": en}, [("y", np.int64, None)],
                       {"zero": np.array(0, dtype=np.int64),
                        "one": np.array(1, dtype=np.int64)}, opset=13)
    cases.append(Case("range-slice-fixed-inputs", model, {"n": n, "s": st, "e": en},
                      {"y": np.arange(2, 7, dtype=np.int64)},
                      fixed_inputs=["n", "s", "e"]))
    # A fixed value of the wrong type or for an unknown input: a clear error.
    bad = np.array([6, 4], dtype=np.int32)
    cases.append(Case("reshape-fixed-input-wrong-dtype", model=make_model(
        [helper.make_node("Reshape", ["x", "t"], ["y"])], {"x": x, "t": t},
        [("y", np.float32, None)], opset=13), inputs={"x": x, "t": bad},
        fixed_inputs=["t"], expect_rc=1,
        expect_error=["value given for graph input 't'", "element type"]))
    return cases
    return cases


def library_gemm_cases():
    """GEMMs whose fused epilogue cuBLASLt can also compute (the runtime may
    run either: DSC_TUNE=library forces cuBLASLt on the GPU), odd shapes, in
    f32 and f16; plus the erf-GELU form, which stays generated."""
    N = helper.make_node
    cases = []

    def tanh_gelu(f, out):
        return [N("Pow", [f, "three"], ["g_p"]), N("Mul", ["g_p", "c0"], ["g_c"]),
                N("Add", [f, "g_c"], ["g_i"]), N("Mul", ["g_i", "c1"], ["g_k"]),
                N("Tanh", ["g_k"], ["g_t"]), N("Add", ["g_t", "one"], ["g_1"]),
                N("Mul", [f, "g_1"], ["g_m"]), N("Mul", ["g_m", "half"], [out])]

    def erf_gelu(f, out):
        return [N("Div", [f, "sqrt2"], ["g_s"]), N("Erf", ["g_s"], ["g_e"]),
                N("Add", ["g_e", "one"], ["g_1"]), N("Mul", [f, "g_1"], ["g_m"]),
                N("Mul", ["g_m", "half"], [out])]

    for dtype in [np.float32, np.float16]:
        tag = "f32" if dtype == np.float32 else "f16"
        tol = (1e-4, 1e-4) if dtype == np.float32 else (2e-2, 2e-2)
        m, k, n = 37, 40, 72
        w = rand(k, n, low=-0.5, high=0.5, dtype=dtype)
        b = rand(n, low=-0.5, high=0.5, dtype=dtype)
        scalars = {k_: np.array(v, dtype) for k_, v in {
            "half": 0.5, "one": 1.0, "sqrt2": math.sqrt(2), "three": 3.0,
            "c0": 0.044715, "c1": math.sqrt(2 / math.pi)}.items()}

        # Bias + relu over a batch sharing the weight (folded into the rows).
        x = rand(3, m, k, dtype=dtype)
        nodes = [N("MatMul", ["x", "w"], ["y"]), N("Add", ["y", "b"], ["z"]),
                 N("Relu", ["z"], ["out"])]
        model = make_model(nodes, {"x": x}, [("out", dtype, None)],
                           {"w": w, "b": b}, 13)
        want = np.maximum(f64(x) @ f64(w) + f64(b), 0)
        cases.append(Case(f"libgemm-{tag}-bias-relu", model, {"x": x},
                          {"out": want.astype(dtype)}, tolerance=tol))

        # Bias + tanh GELU (as torch exports it), and the erf form.
        x = rand(m, k, dtype=dtype)
        for form, build in [("tanh", tanh_gelu), ("erf", erf_gelu)]:
            nodes = [N("MatMul", ["x", "w"], ["y"]), N("Add", ["y", "b"], ["f"])]
            nodes += build("f", "out")
            model = make_model(nodes, {"x": x}, [("out", dtype, None)],
                               dict({"w": w, "b": b}, **scalars), 13)
            want = gelu(f64(x) @ f64(w) + f64(b),
                        "tanh" if form == "tanh" else "none")
            cases.append(Case(f"libgemm-{tag}-bias-gelu-{form}", model,
                              {"x": x}, {"out": want.astype(dtype)},
                              tolerance=tol))

        # A residual input, with and without a bias.
        r = rand(m, n, dtype=dtype)
        for with_bias in [False, True]:
            nodes = [N("MatMul", ["x", "w"], ["y"])]
            last = "y"
            if with_bias:
                nodes.append(N("Add", ["y", "b"], ["yb"]))
                last = "yb"
            nodes.append(N("Add", ["r", last], ["out"]))
            model = make_model(nodes, {"x": x, "r": r}, [("out", dtype, None)],
                               {"w": w, "b": b} if with_bias else {"w": w}, 13)
            want = f64(x) @ f64(w) + f64(r) + (f64(b) if with_bias else 0)
            name = "bias-residual" if with_bias else "residual"
            cases.append(Case(f"libgemm-{tag}-{name}", model,
                              {"x": x, "r": r}, {"out": want.astype(dtype)},
                              tolerance=tol))

        # Strided batches on both sides, no epilogue.
        a = rand(2, 3, 17, 24, dtype=dtype)
        bb = rand(2, 3, 24, 33, dtype=dtype)
        model = make_model([N("MatMul", ["a", "b"], ["out"])],
                           {"a": a, "b": bb}, [("out", dtype, None)], None, 13)
        cases.append(Case(f"libgemm-{tag}-strided-batch", model,
                          {"a": a, "b": bb},
                          {"out": (f64(a) @ f64(bb)).astype(dtype)},
                          tolerance=tol))
    return cases


def all_cases():
    # Families kept in their own modules (they import this one).
    from cases_recurrent import recurrent_cases
    from cases_tensor import tensor_cases
    builders = [recurrent_cases, tensor_cases, unary_cases, binary_cases, pow_cases, gelu_cases, cast_cases,
                matmul_cases, gemm_cases, softmax_cases, layernorm_cases,
                reduce_mean_cases, reshape_cases, transpose_cases,
                squeeze_cases, constant_identity_cases, math_cases,
                activation_cases, logic_cases, reduction_cases,
                data_movement_cases, shape_cases, composite_cases,
                external_data_cases, error_cases, fuzz_cases,
                library_gemm_cases]
    from cases_nn import nn_cases
    builders.append(nn_cases)
    from cases_conv import conv_net_cases
    builders.append(conv_net_cases)
    from cases_symbolic import symbolic_cases
    builders.append(symbolic_cases)
    from cases_signal import signal_cases
    builders.append(signal_cases)
    from cases_sequence import sequence_cases
    builders.append(sequence_cases)
    from cases_sequence_io import sequence_io_cases
    builders.append(sequence_io_cases)
    from cases_gemm import fp16_gemm_cases
    builders.append(fp16_gemm_cases)
    from cases_attention import attention_cases
    builders.append(attention_cases)
    from cases_fusion import fusion_cases
    builders.append(fusion_cases)
    from cases_strings import string_cases
    builders.append(string_cases)
    cases = []
    for build in builders:
        cases.extend(build())
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases
