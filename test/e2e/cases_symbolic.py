"""End-to-end cases of symbolic dimensions (`dsc compile --dim NAME=MIN..MAX`):
one plan compiled per sample runs every size in its range, and models whose
samples meet are refused. `dsc eval` takes any size without --dim, so every
case also checks the values it computes. Expected outputs are computed here
with numpy in float64."""
import math
import os
import sys

import numpy as np
from onnx import helper, numpy_helper

from cases import Case, rand, f64, vi, softmax

OPSET = [helper.make_opsetid("", 17)]


def model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              [numpy_helper.from_array(v, n)
                               for n, v in initializers])
    return helper.make_model(graph, opset_imports=OPSET)


def mlp_case():
    w1, b1, w2 = rand(16, 32), rand(32), rand(32, 10)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Add", ["h", "b1"], ["h2"]),
             helper.make_node("Relu", ["h2"], ["h3"]),
             helper.make_node("MatMul", ["h3", "w2"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["y"], axis=-1)]
    m = model(nodes, [vi("x", np.float32, ["batch", 16])],
              [vi("y", np.float32, ["batch", 10])],
              [("w1", w1), ("b1", b1), ("w2", w2)])

    def run(n):
        x = rand(n, 16)
        h = np.maximum(f64(x) @ f64(w1) + f64(b1), 0)
        return {"x": x}, {"y": softmax(h @ f64(w2), -1).astype(np.float32)}

    first, *more = [run(n) for n in (5, 1, 64, 17)]
    return Case("symbolic-mlp", m, first[0], first[1], dims=["batch=1..64"],
                more_runs=more)


def reshape_case():
    """The exporters' shape subgraph (Shape, Gather, Concat into Reshape),
    a transpose that keeps the samples outermost, LayerNorm on the last axis,
    and an input without the dimension broadcast into every sample."""
    scale, bias = rand(4), rand(4)
    consts = [("zero", np.array(0, np.int64)), ("ax0", np.array([0], np.int64)),
              ("rest", np.array([4, 12], np.int64)), ("scale", scale),
              ("bias", bias)]
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
             helper.make_node("Unsqueeze", ["b", "ax0"], ["bu"]),
             helper.make_node("Concat", ["bu", "rest"], ["target"], axis=0),
             helper.make_node("Reshape", ["x", "target"], ["r"]),
             helper.make_node("Transpose", ["r"], ["t"], perm=[0, 2, 1]),
             helper.make_node("Add", ["t", "mask"], ["tm"]),
             helper.make_node("LayerNormalization", ["tm", "scale", "bias"],
                              ["y"], axis=-1, epsilon=1e-5)]
    m = model(nodes, [vi("x", np.float32, ["n", 6, 8]),
                      vi("mask", np.float32, [12, 4])],
              [vi("y", np.float32, ["n", 12, 4])], consts)

    def run(n):
        x, mask = rand(n, 6, 8), rand(12, 4)
        t = f64(x).reshape(n, 4, 12).transpose(0, 2, 1) + f64(mask)
        mean = t.mean(-1, keepdims=True)
        var = ((t - mean) ** 2).mean(-1, keepdims=True)
        y = (t - mean) / np.sqrt(var + 1e-5) * f64(scale) + f64(bias)
        return {"x": x, "mask": mask}, {"y": y.astype(np.float32)}

    first, *more = [run(n) for n in (3, 8, 1)]
    return Case("symbolic-reshape-layernorm", m, first[0], first[1],
                dims=["n=1..8"], more_runs=more)


def conv_case():
    """A small CNN with the batch as N: Conv, Relu, MaxPool,
    GlobalAveragePool, Flatten, Gemm."""
    w, b = rand(4, 3, 3, 3), rand(4)
    gw, gb = rand(5, 4), rand(5)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("GlobalAveragePool", ["p"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"], axis=1),
             helper.make_node("Gemm", ["f", "gw", "gb"], ["y"], transB=1)]
    m = model(nodes, [vi("x", np.float32, ["N", 3, 8, 8])],
              [vi("y", np.float32, ["N", 5])],
              [("w", w), ("b", b), ("gw", gw), ("gb", gb)])

    def conv(x):
        n = x.shape[0]
        xp = np.pad(f64(x), ((0, 0), (0, 0), (1, 1), (1, 1)))
        out = np.zeros((n, 4, 8, 8))
        for i in range(8):
            for j in range(8):
                patch = xp[:, :, i:i + 3, j:j + 3]
                out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, f64(w))
        return out + f64(b)[None, :, None, None]

    def run(n):
        x = rand(n, 3, 8, 8)
        r = np.maximum(conv(x), 0)
        p = r.reshape(n, 4, 4, 2, 4, 2).max(axis=(3, 5))
        g = p.mean(axis=(2, 3))
        return {"x": x}, {"y": (g @ f64(gw).T + f64(gb)).astype(np.float32)}

    first, *more = [run(n) for n in (2, 1, 7)]
    return Case("symbolic-cnn", m, first[0], first[1], dims=["N=1..16"],
                more_runs=more)


def transformer_case():
    """The bundled example (a transformer encoder block) with a symbolic
    batch: attention, LayerNorm and GELU all stay within a sample."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                    "examples"))
    import make_example
    m = make_example.build(batch="batch")
    p = {i.name: f64(numpy_helper.to_array(i)) for i in m.graph.initializer}
    heads, head_dim = make_example.HEADS, make_example.HEAD_DIM

    def layer_norm(t, scale, bias):
        mean = t.mean(-1, keepdims=True)
        var = ((t - mean) ** 2).mean(-1, keepdims=True)
        return (t - mean) / np.sqrt(var + 1e-5) * scale + bias

    def forward(x):
        n, seq, dim = x.shape
        split = {k: (x @ p["w" + k] + p["b" + k]).reshape(
            n, seq, heads, head_dim).transpose(0, 2, 1, 3) for k in "qkv"}
        scores = split["q"] @ split["k"].transpose(0, 1, 3, 2)
        probs = softmax(scores / math.sqrt(head_dim), -1)
        context = (probs @ split["v"]).transpose(0, 2, 1, 3).reshape(
            n, seq, dim)
        h = layer_norm(x + context @ p["wo"] + p["bo"], p["ln1_scale"],
                       p["ln1_bias"])
        f1 = h @ p["w1"] + p["b1"]
        gelu = 0.5 * f1 * (1 + np.vectorize(math.erf)(f1 / math.sqrt(2)))
        return layer_norm(h + gelu @ p["w2"] + p["b2"], p["ln2_scale"],
                          p["ln2_bias"])

    def run(n):
        x = rand(n, make_example.SEQ, make_example.DIM)
        return {"x": x}, {"y": forward(f64(x)).astype(np.float32)}

    first, *more = [run(n) for n in (2, 1, 5)]
    return Case("symbolic-transformer-block", m, first[0], first[1],
                dims=["batch=1..8"], more_runs=more)


def refused_cases():
    """Models whose samples meet: the plan is refused naming the node; `dsc
    eval` still computes them."""
    cases = []
    x = rand(4, 6)

    def one(name, nodes, out_shape, expected, words, initializers=()):
        m = model(nodes, [vi("x", np.float32, ["batch", 6])],
                  [vi("y", np.float32, out_shape)], initializers)
        cases.append(Case(name, m, {"x": x}, {"y": expected},
                          dims=["batch=1..8"], plan_expect=(2, words)))

    one("symbolic-softmax-over-samples",
        [helper.make_node("Softmax", ["x"], ["y"], axis=0)], ["batch", 6],
        softmax(f64(x), 0).astype(np.float32),
        ["Softmax", "'batch'", "samples would mix"])
    one("symbolic-reduce-over-samples",
        [helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)], [6],
        f64(x).sum(0).astype(np.float32),
        ["ReduceSum", "combines the samples"],
        initializers=[("axes", np.array([0], np.int64))])
    one("symbolic-concat-samples",
        [helper.make_node("Concat", ["x", "x"], ["y"], axis=0)],
        ["twice", 6],
        np.concatenate([x, x]), ["Concat", "concatenates along"])
    # The number of samples as a value (a mean over the batch written out).
    nodes = [helper.make_node("Shape", ["x"], ["s"], start=0, end=1),
             helper.make_node("Cast", ["s"], ["sf"], to=1),
             helper.make_node("Div", ["x", "sf"], ["y"])]
    one("symbolic-count-samples", nodes, ["batch", 6],
        (f64(x) / 4).astype(np.float32), ["Shape", "counts them"])
    # A shared table sliced up to the number of samples: each sample would
    # need its own column, which a one-sample plan cannot give.
    table = rand(1, 16)
    nodes = [helper.make_node("Shape", ["x"], ["s"], start=0, end=1),
             helper.make_node("Slice", ["table", "zero", "s", "one"], ["col"]),
             helper.make_node("Transpose", ["col"], ["row"], perm=[1, 0]),
             helper.make_node("Add", ["x", "row"], ["y"])]
    one("symbolic-slice-up-to-samples", nodes, ["batch", 6],
        (f64(x) + f64(table)[0, :4, None]).astype(np.float32),
        ["Slice", "differs between samples"],
        initializers=[("table", table), ("zero", np.array([0], np.int64)),
                      ("one", np.array([1], np.int64))])
    return cases


def range_cases():
    """The range is enforced at run time and checked at compile time."""
    cases = []
    w = rand(6, 3)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
    m = model(nodes, [vi("x", np.float32, ["batch", 6])],
              [vi("y", np.float32, ["batch", 3])], [("w", w)])
    x = rand(5, 6)
    expected = {"y": (f64(x) @ f64(w)).astype(np.float32)}
    cases.append(Case("symbolic-size-out-of-range", m, {"x": x}, expected,
                      dims=["batch=2..4"],
                      plan_expect=(1, ["'batch'", "5", "2..4"])))
    cases.append(Case("symbolic-unknown-name", m, {"x": x}, expected,
                      dims=["seq=1..4"],
                      plan_expect=(1, ["'seq'", "'batch'"])))
    cases.append(Case("symbolic-fixed-size", m, {"x": x}, expected,
                      dims=["batch=5"]))
    cases.append(Case("symbolic-bad-range", m, {"x": x}, expected,
                      dims=["batch=4..2"], plan_expect=(1, ["MIN <= MAX"])))
    return cases


def symbolic_cases():
    return ([mlp_case(), reshape_case(), conv_case(), transformer_case()] +
            refused_cases() +
            range_cases())
