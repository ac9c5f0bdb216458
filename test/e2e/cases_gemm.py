"""End-to-end cases of GEMMs compiled for fp16 (`dsc compile --precision fp16`):
the tensor-core kernel with its tile choices, split-K (too few output tiles
for the SMs: K is summed in slices reduced through the kernel scratch) and
fused epilogues, at the shapes of the benchmark models and odd ones. The
expected values are computed with numpy in float64 from the fp32 inputs; the
tolerance covers rounding the operands and the result to fp16."""
import numpy as np
from onnx import helper, numpy_helper

from cases import Case, RNG, f64, vi

OPSET = [helper.make_opsetid("", 17)]
FP16 = ["--precision=fp16"]
# Relative to outputs of magnitude ~1: operands rounded to fp16 (2^-11 each).
TOLERANCE = (2e-2, 2e-2)


def normal(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def linear_case(name, m, k, n, epilogue=""):
    """y = x @ w (+ b) (+ residual) (then relu), w scaled so y is ~N(0, 1)."""
    w = normal(k, n, scale=k ** -0.5)
    b = normal(n)
    x, r = normal(m, k), normal(m, n)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y0"])]
    inputs, feeds = [vi("x", np.float32, [m, k])], {"x": x}
    inits = [numpy_helper.from_array(w, "w")]
    y = f64(x) @ f64(w)
    last = "y0"
    if "bias" in epilogue:
        nodes.append(helper.make_node("Add", [last, "b"], ["y1"]))
        inits.append(numpy_helper.from_array(b, "b"))
        y, last = y + f64(b), "y1"
    if "residual" in epilogue:
        nodes.append(helper.make_node("Add", [last, "r"], ["y2"]))
        inputs.append(vi("r", np.float32, [m, n]))
        feeds["r"] = r
        y, last = y + f64(r), "y2"
    if "relu" in epilogue:
        nodes.append(helper.make_node("Relu", [last], ["y3"]))
        y, last = np.maximum(y, 0), "y3"
    nodes.append(helper.make_node("Identity", [last], ["y"]))
    graph = helper.make_graph(nodes, name, inputs, [vi("y", np.float32, [m, n])], inits)
    model = helper.make_model(graph, opset_imports=OPSET)
    return Case(f"gemm-fp16-{name}", model, feeds, {"y": y.astype(np.float32)},
                tolerance=TOLERANCE, compile_args=FP16)


def chain_case():
    """Split-K GEMMs of different tile counts in a row (BERT's layer at batch
    1: 24, then 96, then 24 tiles) share the kernel scratch: each must find
    its tile counters zero."""
    x = normal(128, 768)
    ws = [normal(768, 768, scale=768 ** -0.5), normal(768, 3072, scale=768 ** -0.5),
          normal(3072, 768, scale=3072 ** -0.5)]
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h0"]),
             helper.make_node("MatMul", ["h0", "w1"], ["h1"]),
             helper.make_node("Relu", ["h1"], ["h2"]),
             helper.make_node("MatMul", ["h2", "w2"], ["y"])]
    graph = helper.make_graph(nodes, "chain", [vi("x", np.float32, [128, 768])],
                              [vi("y", np.float32, [128, 768])],
                              [numpy_helper.from_array(w, f"w{i}") for i, w in enumerate(ws)])
    h = np.maximum(f64(x) @ f64(ws[0]) @ f64(ws[1]), 0)
    return Case("gemm-fp16-split-k-chain", helper.make_model(graph, opset_imports=OPSET),
                {"x": x}, {"y": (h @ f64(ws[2])).astype(np.float32)},
                tolerance=TOLERANCE, compile_args=FP16)


def moe_expert_case():
    """An MoE expert's `out + gate * w2(silu(w1 x))`: graph-hoist-row-scale
    moves the per-token gate onto w2's input, leaving a GEMM with a residual
    add (a library GEMM)."""
    m, d, f = 64, 128, 256
    x, g = normal(m, d), normal(m, 1)
    w1, w2 = normal(d, f, scale=d ** -0.5), normal(f, d, scale=f ** -0.5)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["a"]),
             helper.make_node("Sigmoid", ["a"], ["s"]),
             helper.make_node("Mul", ["a", "s"], ["h"]),
             helper.make_node("MatMul", ["h", "w2"], ["e"]),
             helper.make_node("Mul", ["g", "e"], ["ge"]),
             helper.make_node("Add", ["x", "ge"], ["y"])]
    graph = helper.make_graph(nodes, "expert", [vi("x", np.float32, [m, d]), vi("g", np.float32, [m, 1])],
                              [vi("y", np.float32, [m, d])],
                              [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    a = f64(x) @ f64(w1)
    h = a / (1 + np.exp(-a))
    y = f64(x) + f64(g) * (h @ f64(w2))
    return Case("gemm-fp16-moe-expert", helper.make_model(graph, opset_imports=OPSET),
                {"x": x, "g": g}, {"y": y.astype(np.float32)}, tolerance=TOLERANCE,
                compile_args=FP16)


def moe_case(name, tokens, d, ff, experts, top_k=2, precision=FP16,
             tolerance=TOLERANCE):
    """The benchmark's dense MoE (../shared/bench/peers.py `MoE`) as torch
    exports it: a router Gemm, Softmax, TopK, gates from Equal/Cast/Mul/
    ReduceSum per expert, SwiGLU experts (Gemm, Sigmoid, Mul) and an Add
    chain from zeros_like. graph-stack-experts turns the experts into one
    GEMM per projection, one elementwise body over [T, E, F] and one GEMM
    with K = E * F."""
    x = normal(tokens, d)
    router = normal(experts, d, scale=d ** -0.5)
    w1 = [normal(ff, d, scale=d ** -0.5) for _ in range(experts)]
    w3 = [normal(ff, d, scale=d ** -0.5) for _ in range(experts)]
    w2 = [normal(d, ff, scale=ff ** -0.5) for _ in range(experts)]
    inits = [numpy_helper.from_array(router, "router.weight"),
             numpy_helper.from_array(np.array([top_k], np.int64), "k"),
             numpy_helper.from_array(np.array([-1], np.int64), "last"),
             numpy_helper.from_array(np.zeros((tokens, d), np.float32), "zeros_like")]
    nodes = [helper.make_node("Gemm", ["x", "router.weight"], ["logits"], transB=1),
             helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
             helper.make_node("TopK", ["probs", "k"], ["top", "choice"], axis=-1),
             helper.make_node("ReduceSum", ["top", "last"], ["top_sum"], keepdims=1),
             helper.make_node("Div", ["top", "top_sum"], ["weights"])]
    acc = "zeros_like"
    for e in range(experts):
        inits += [numpy_helper.from_array(np.array(e, np.int64), f"e{e}"),
                  numpy_helper.from_array(w1[e], f"w1.{e}.weight"),
                  numpy_helper.from_array(w3[e], f"w3.{e}.weight"),
                  numpy_helper.from_array(w2[e], f"w2.{e}.weight")]
        nodes += [helper.make_node("Equal", ["choice", f"e{e}"], [f"eq{e}"]),
                  helper.make_node("Cast", [f"eq{e}"], [f"sel{e}"], to=1),
                  helper.make_node("Mul", ["weights", f"sel{e}"], [f"ws{e}"]),
                  helper.make_node("ReduceSum", [f"ws{e}", "last"], [f"gate{e}"], keepdims=1),
                  helper.make_node("Gemm", ["x", f"w1.{e}.weight"], [f"a{e}"], transB=1),
                  helper.make_node("Sigmoid", [f"a{e}"], [f"s{e}"]),
                  helper.make_node("Mul", [f"a{e}", f"s{e}"], [f"silu{e}"]),
                  helper.make_node("Gemm", ["x", f"w3.{e}.weight"], [f"b{e}"], transB=1),
                  helper.make_node("Mul", [f"silu{e}", f"b{e}"], [f"h{e}"]),
                  helper.make_node("Gemm", [f"h{e}", f"w2.{e}.weight"], [f"p{e}"], transB=1),
                  helper.make_node("Mul", [f"gate{e}", f"p{e}"], [f"gp{e}"]),
                  helper.make_node("Add", [acc, f"gp{e}"], [f"acc{e}"])]
        acc = f"acc{e}"
    nodes.append(helper.make_node("Identity", [acc], ["y"]))
    graph = helper.make_graph(nodes, name, [vi("x", np.float32, [tokens, d])],
                              [vi("y", np.float32, [tokens, d])], inits)

    logits = f64(x) @ f64(router).T
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    choice = np.argsort(-probs, axis=-1, kind="stable")[:, :top_k]
    top = np.take_along_axis(probs, choice, -1)
    weights = top / top.sum(-1, keepdims=True)
    y = np.zeros((tokens, d))
    for e in range(experts):
        gate = (weights * (choice == e)).sum(-1, keepdims=True)
        a = f64(x) @ f64(w1[e]).T
        h = a / (1 + np.exp(-a)) * (f64(x) @ f64(w3[e]).T)
        y = y + gate * (h @ f64(w2[e]).T)
    return Case(f"gemm-{name}", helper.make_model(graph, opset_imports=OPSET),
                {"x": x}, {"y": y.astype(np.float32)}, tolerance=tolerance,
                compile_args=precision)


def fp16_gemm_cases():
    return [
        # BERT's FFN down projection at batch 1: 24 tiles, split-K 11 ways.
        linear_case("bert-ffn-down", 128, 3072, 768, "bias+residual"),
        # Its attention projections: K = 768, fewer K tiles per slice.
        linear_case("bert-proj", 128, 768, 768, "bias"),
        # The MLP at batch 1 (16-row tiles) and an odd M, N, K (edge tiles,
        # unaligned rows: element loads), split.
        linear_case("mlp-b1", 1, 512, 2048, "bias+relu"),
        linear_case("odd", 37, 1000, 300, "bias+relu"),
        # Enough tiles for the SMs: no split.
        linear_case("moe-up", 256, 1024, 2816),
        # Large: 128x128 tiles.
        linear_case("large", 1024, 1024, 1024, "bias"),
        # Odd sizes whose tactic variants (exec.tactics) differ in every
        # way: 64- and 128-row tiles, 128-column tiles, split-K 1/2/4 (run
        # each with DSC_TUNE=variant:N on the GPU).
        linear_case("tactics-odd", 200, 520, 130, "bias+residual"),
        chain_case(),
        moe_expert_case(),
        # Dense MoE, stacked by graph-stack-experts: the benchmark's shape
        # scaled down, odd sizes (T = 7, F = 20: edge tiles of every GEMM),
        # and in fp32 (its GEMMs accumulate exactly as the reference's).
        moe_case("moe-fp16", 16, 32, 48, 4),
        moe_case("moe-fp16-odd", 7, 24, 20, 3),
        moe_case("moe-fp32-odd", 7, 24, 20, 3, precision=["--precision=fp32"],
                 tolerance=(1e-4, 1e-5)),
        # Routed by graph-route-experts (graph.moe_route, grouped GEMMs):
        # forced at small sizes (experts with no tokens, groups of padding
        # rows, a fp32 SIMT grouped GEMM), and chosen by the cost model at
        # 2048 tokens of 8 experts.
        moe_case("moe-fp16-routed", 16, 32, 48, 4,
                 precision=FP16 + ["--moe-routing=always"]),
        moe_case("moe-fp16-odd-routed", 7, 24, 20, 3,
                 precision=FP16 + ["--moe-routing=always"]),
        moe_case("moe-fp32-odd-routed", 7, 24, 20, 3,
                 precision=["--precision=fp32", "--moe-routing=always"],
                 tolerance=(1e-4, 1e-5)),
        moe_case("moe-fp16-routed-auto", 2048, 64, 96, 8),
    ]
