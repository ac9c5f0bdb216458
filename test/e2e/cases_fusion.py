"""Fusion decisions of graph-fuse that change the kernels' bodies: producers
recomputed in several kernels, producers written as an extra result of a
reader's kernel, values read twice in one body, merges refused for a cycle,
small GEMMs keeping an erf-GELU epilogue. Small and odd shapes."""

import math

import numpy as np
from onnx import helper

from cases import Case, erf, f64, gelu, make_model, rand


def _case(name, nodes, inputs, outputs, inits=None, tolerance=None):
    """outputs: {name: float64 reference}, cast to the inputs' dtype."""
    dtype = next(iter(inputs.values())).dtype
    model = make_model(nodes, inputs,
                       [(n, dtype, list(v.shape)) for n, v in outputs.items()],
                       inits, 17)
    expected = {n: np.asarray(v).astype(dtype) for n, v in outputs.items()}
    return Case(name, model, inputs, expected, tolerance=tolerance)


def recompute_case(name, dtype, shape, scale_shape, tolerance):
    # x * scale read by two kernels: cloned into both.
    x = rand(*shape, dtype=dtype)
    scale = rand(*scale_shape, dtype=dtype)
    y = rand(*shape, dtype=dtype)
    nodes = [helper.make_node("Mul", ["x", "scale"], ["s"]),
             helper.make_node("Exp", ["s"], ["a"]),
             helper.make_node("Add", ["s", "y"], ["t"]),
             helper.make_node("Tanh", ["t"], ["b"])]
    s = f64(x) * f64(scale)
    return _case(name, nodes, {"x": x, "scale": scale, "y": y},
                 {"a": np.exp(s), "b": np.tanh(s + f64(y))},
                 tolerance=tolerance)


def fusion_cases():
    cases = [
        recompute_case("fuse-recompute", np.float32, (5, 7), (1, 7),
                       (1e-5, 1e-5)),
        recompute_case("fuse-recompute-f16", np.float16, (3, 9, 5), (5,),
                       (2e-2, 2e-2)),
    ]

    # An erf read by three kernels: computed once, by the first reader's
    # kernel, which also writes it for the others.
    x, y = rand(3, 33), rand(3, 33)
    nodes = [helper.make_node("Erf", ["x"], ["e"]),
             helper.make_node("Add", ["e", "y"], ["a"]),
             helper.make_node("Mul", ["e", "y"], ["b"]),
             helper.make_node("Sub", ["e", "y"], ["c"])]
    e = erf(f64(x))
    cases.append(_case("fuse-expensive-producer", nodes, {"x": x, "y": y},
                       {"a": e + f64(y), "b": e * f64(y), "c": e - f64(y)},
                       tolerance=(1e-5, 1e-5)))

    # A returned value joins its reader's kernel as a second result.
    x, y = rand(2, 3, 5), rand(2, 3, 5)
    nodes = [helper.make_node("Exp", ["x"], ["a"]),
             helper.make_node("Add", ["a", "y"], ["c"])]
    a = np.exp(f64(x))
    cases.append(_case("fuse-extra-result", nodes, {"x": x, "y": y},
                       {"a": a, "c": a + f64(y)}, tolerance=(1e-5, 1e-5)))

    # exp(x) + exp(x)^T: the exp may not join the add's kernel (a cycle
    # through the transpose).
    x = rand(7, 7)
    nodes = [helper.make_node("Exp", ["x"], ["a"]),
             helper.make_node("Transpose", ["a"], ["t"], perm=[1, 0]),
             helper.make_node("Add", ["a", "t"], ["c"])]
    a = np.exp(f64(x))
    cases.append(_case("fuse-cycle", nodes, {"x": x}, {"c": a + a.T},
                       tolerance=(1e-5, 1e-5)))

    # exp(x) * (exp(x) + 1): one value read twice in one body.
    x = rand(9, 13)
    nodes = [helper.make_node("Exp", ["x"], ["a"]),
             helper.make_node("Add", ["a", "one"], ["b"]),
             helper.make_node("Mul", ["a", "b"], ["c"])]
    a = np.exp(f64(x))
    cases.append(_case("fuse-diamond", nodes, {"x": x}, {"c": a * (a + 1)},
                       inits={"one": np.array(1, np.float32)},
                       tolerance=(1e-5, 1e-5)))

    # A small GEMM keeps bias + erf GELU (as torch exports it) in its kernel.
    x = rand(5, 12)
    w, b = rand(12, 7, low=-0.4, high=0.4), rand(7)
    inits = {"w": w, "b": b, "sqrt2": np.array(math.sqrt(2), np.float32),
             "one": np.array(1, np.float32),
             "half": np.array(0.5, np.float32)}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["h"]),
             helper.make_node("Div", ["h", "sqrt2"], ["h_s"]),
             helper.make_node("Erf", ["h_s"], ["h_e"]),
             helper.make_node("Add", ["h_e", "one"], ["h_1"]),
             helper.make_node("Mul", ["h", "h_1"], ["h_m"]),
             helper.make_node("Mul", ["h_m", "half"], ["y"])]
    cases.append(_case("fuse-small-gemm-erf-gelu", nodes, {"x": x},
                       {"y": gelu(f64(x) @ f64(w) + f64(b))}, inits=inits,
                       tolerance=(1e-4, 1e-4)))
    return cases
