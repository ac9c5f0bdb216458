"""End-to-end cases of attention as exporters decompose it, which
graph-fuse-attention rebuilds as graph.attention (a flash-attention kernel on
the GPU). The ONNX graphs mimic HF's `eager` attention (MatMul with a
transposed key, Div by sqrt(d), an additive mask, Softmax, MatMul) and the
dynamo decomposition of scaled_dot_product_attention (Mul by sqrt(scale) on q
and on kT, Add of the mask, Softmax, Where(IsNaN) guard). Expected outputs
are computed here with numpy in float64 from the same inputs."""
import math

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from cases import Case, f64, rand, vi

OPSET = 17
ONNX_TYPE = {np.dtype(np.float32): TensorProto.FLOAT,
             np.dtype(np.float16): TensorProto.FLOAT16}


def np_attention(q, k, v, scale, mask=None, causal=False, zero_empty=False):
    """softmax(q kT * scale + mask) v in float64; a boolean mask keeps the
    scores where it is true."""
    s = np.einsum("bhid,bhjd->bhij", f64(q), f64(k)) * scale
    if mask is not None:
        if mask.dtype == np.bool_:
            s = np.where(mask, s, -np.inf)
        else:
            s = s + f64(mask)
    if causal:
        rows, keys = s.shape[-2:]
        s = np.where(np.tril(np.ones((rows, keys), bool)), s, -np.inf)
    with np.errstate(invalid="ignore"):
        e = np.exp(s - s.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
    if zero_empty:
        p = np.where(np.isnan(p), 0.0, p)
    return p @ f64(v)


def const(name, value):
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(np.asarray(value), name))


def attention_nodes(style, dtype, rows, keys, mask_kind, out="o",
                    q="q", kt="kt", v="v", depth=64):
    """The nodes from q, kt (already transposed), v (and the mask inputs) to
    `out`. Returns (nodes, numpy-side description)."""
    ftype = np.dtype(dtype)
    lowest = np.finfo(ftype).min
    nodes = []
    if style == "sdpa":
        root = np.sqrt(1.0 / math.sqrt(depth)).astype(ftype)
        nodes += [const("root", root),
                  helper.make_node("Mul", [q, "root"], ["qs"]),
                  helper.make_node("Mul", [kt, "root"], ["ks"]),
                  helper.make_node("MatMul", ["qs", "ks"], ["scores"])]
    else:
        nodes += [const("sqrt_d", np.array(math.sqrt(depth), ftype)),
                  helper.make_node("MatMul", [q, kt], ["raw"]),
                  helper.make_node("Div", ["raw", "sqrt_d"], ["scores"])]
    scores = "scores"
    if mask_kind == "padding":
        # BERT's extended attention mask: (1 - mask[:, None, None, :]) * min.
        nodes += [const("axes", np.array([1, 2], np.int64)),
                  const("one", np.array(1, ftype)),
                  const("lowest", np.array(lowest, ftype)),
                  helper.make_node("Unsqueeze", ["mask", "axes"], ["m4"]),
                  helper.make_node("Cast", ["m4"], ["mf"], to=ONNX_TYPE[ftype]),
                  helper.make_node("Sub", ["one", "mf"], ["inv"]),
                  helper.make_node("Mul", ["inv", "lowest"], ["ext"]),
                  helper.make_node("Add", [scores, "ext"], ["masked"])]
        scores = "masked"
    elif mask_kind == "bool":
        nodes += [const("ninf", np.array(-np.inf, ftype)),
                  helper.make_node("Where", ["keep", scores, "ninf"], ["masked"])]
        scores = "masked"
    elif mask_kind == "causal":
        # sdpa(is_causal=True): a constant 0 / -inf mask added first.
        m = np.where(np.tril(np.ones((rows, keys), bool)), 0, -np.inf)
        nodes += [const("causal", m.astype(ftype)),
                  helper.make_node("Add", ["causal", scores], ["masked"])]
        scores = "masked"
    elif mask_kind == "gpt2":
        # GPT-2 eager: Where(bias[:, :, :S, :S], w, finfo.min), then the
        # padding mask.
        tri = np.tril(np.ones((rows, keys), bool)).reshape(1, 1, rows, keys)
        nodes += [const("bias", tri),
                  const("lowest", np.array(lowest, ftype)),
                  const("one", np.array(1, ftype)),
                  const("axes", np.array([1, 2], np.int64)),
                  helper.make_node("Where", ["bias", scores, "lowest"], ["w"]),
                  helper.make_node("Unsqueeze", ["mask", "axes"], ["m4"]),
                  helper.make_node("Cast", ["m4"], ["mf"], to=ONNX_TYPE[ftype]),
                  helper.make_node("Sub", ["one", "mf"], ["inv"]),
                  helper.make_node("Mul", ["inv", "lowest"], ["ext"]),
                  helper.make_node("Add", ["w", "ext"], ["masked"])]
        scores = "masked"
    nodes.append(helper.make_node("Softmax", [scores], ["p"], axis=-1))
    probs = "p"
    if style == "sdpa":
        nodes += [const("zero", np.array(0, ftype)),
                  helper.make_node("IsNaN", ["p"], ["nan"]),
                  helper.make_node("Where", ["nan", "zero", "p"], ["pg"])]
        probs = "pg"
    nodes.append(helper.make_node("MatMul", [probs, v], [out]))
    return nodes


def np_mask(mask_kind, dtype, inputs, rows, keys):
    """(mask, causal) of np_attention for the inputs of a case."""
    lowest = np.finfo(np.dtype(dtype)).min
    if mask_kind in ("padding", "gpt2"):
        m = inputs["mask"].astype(np.float64)[:, None, None, :]
        # The graph rounds (1 - m) * min to the model's type: min itself.
        return (1 - m) * float(lowest), mask_kind == "gpt2"
    if mask_kind == "bool":
        return inputs["keep"], False
    if mask_kind == "causal":
        return None, True
    return None, False


def padding(batch, keys):
    """An int64 [batch, keys] mask: 1 for tokens, 0 for padding (every row
    keeps its first token)."""
    mask = np.ones((batch, keys), np.int64)
    for b in range(batch):
        mask[b, keys - (b * 3) % keys:] = 0
        mask[b, 0] = 1
    return mask


def qkv_case(name, batch, heads, rows, keys, depth, value_depth=None,
             dtype=np.float32, style="eager", mask_kind=None, tolerance=None,
             compile_args=()):
    """q, k, v graph inputs in [B, H, S, D]; k transposed in the graph."""
    value_depth = value_depth or depth
    q = rand(batch, heads, rows, depth, dtype=dtype)
    k = rand(batch, heads, keys, depth, dtype=dtype)
    v = rand(batch, heads, keys, value_depth, dtype=dtype)
    inputs = {"q": q, "k": k, "v": v}
    if mask_kind in ("padding", "gpt2"):
        inputs["mask"] = padding(batch, keys)
    elif mask_kind == "bool":
        keep = RNG_BOOL.random((batch, 1, 1, keys)) < 0.7
        keep[..., 0] = True
        inputs["keep"] = keep
    nodes = [helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2])]
    nodes += attention_nodes(style, dtype, rows, keys, mask_kind, depth=depth)
    graph = helper.make_graph(
        nodes, "g", [vi(n, a.dtype, list(a.shape)) for n, a in inputs.items()],
        [vi("o", dtype, [batch, heads, rows, value_depth])])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    mask, causal = np_mask(mask_kind, dtype, inputs, rows, keys)
    expected = np_attention(q, k, v, 1 / math.sqrt(depth), mask, causal,
                            zero_empty=style == "sdpa").astype(dtype)
    return Case(name, model, inputs, {"o": expected}, tolerance=tolerance,
                compile_args=list(compile_args))


def block_case(name, kind, batch, seq, heads, depth, dtype=np.float32,
               symbolic=False, tolerance=None, packed=False):
    """A BERT-like (padding mask, eager) or GPT-2-like (causal, sdpa with the
    GPT-2 masks) self-attention block: projections, head split by Reshape and
    Transpose, attention, heads merged, output projection. `packed`: one
    QKV projection sliced three ways (GPT-2's c_attn as dynamo exports it)."""
    embed = heads * depth
    x = rand(batch, seq, embed, dtype=dtype, low=-0.5, high=0.5)
    weights = {n: (rand(embed, embed, low=-0.2, high=0.2)).astype(dtype)
               for n in ("wq", "wk", "wv", "wo")}
    mask = padding(batch, seq)
    nodes = [const("split", np.array([0, 0, heads, depth], np.int64)),
             const("merge", np.array([0, 0, embed], np.int64))]
    initializers = dict(weights)
    if packed:
        initializers = {"wo": weights["wo"], "wqkv": np.concatenate(
            [weights[n] for n in ("wq", "wk", "wv")], 1)}
        nodes += [helper.make_node("MatMul", ["x", "wqkv"], ["qkv"]),
                  const("slice_axes", np.array([2], np.int64))]
        for i, n in enumerate(("q", "k", "v")):
            nodes += [const(n + "_start", np.array([i * embed], np.int64)),
                      const(n + "_end", np.array([(i + 1) * embed], np.int64)),
                      helper.make_node("Slice", ["qkv", n + "_start", n + "_end",
                                                 "slice_axes"], [n + "p"])]
    else:
        for n in ("q", "k", "v"):
            nodes.append(helper.make_node("MatMul", ["x", "w" + n], [n + "p"]))
    for n in ("q", "k", "v"):
        nodes.append(helper.make_node("Reshape", [n + "p", "split"], [n + "r"]))
    nodes += [helper.make_node("Transpose", ["qr"], ["q"], perm=[0, 2, 1, 3]),
              helper.make_node("Transpose", ["vr"], ["v"], perm=[0, 2, 1, 3])]
    if kind == "bert":
        nodes += [helper.make_node("Transpose", ["kr"], ["kh"], perm=[0, 2, 1, 3]),
                  helper.make_node("Transpose", ["kh"], ["kt"], perm=[0, 1, 3, 2])]
        nodes += attention_nodes("eager", dtype, seq, seq, "padding", out="a",
                                 depth=depth)
    else:
        # One transpose straight to [B, H, D, S], as GPT-2's export has it.
        nodes += [helper.make_node("Transpose", ["kr"], ["kt"], perm=[0, 2, 3, 1])]
        nodes += attention_nodes("sdpa", dtype, seq, seq, "gpt2", out="a",
                                 depth=depth)
    nodes += [helper.make_node("Transpose", ["a"], ["am"], perm=[0, 2, 1, 3]),
              helper.make_node("Reshape", ["am", "merge"], ["ar"]),
              helper.make_node("MatMul", ["ar", "wo"], ["y"])]
    dim = "batch" if symbolic else batch
    graph = helper.make_graph(
        nodes, "g", [vi("x", dtype, [dim, seq, embed]),
                     vi("mask", np.int64, [dim, seq])],
        [vi("y", dtype, [dim, seq, embed])],
        [numpy_helper.from_array(w, n) for n, w in initializers.items()])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", OPSET)])

    def expected_for(x, mask):
        def heads_of(w):
            return (f64(x) @ f64(weights[w])).astype(dtype).reshape(
                x.shape[0], seq, heads, depth).transpose(0, 2, 1, 3)
        q, k, v = heads_of("wq"), heads_of("wk"), heads_of("wv")
        lowest = float(np.finfo(np.dtype(dtype)).min)
        ext = (1 - mask.astype(np.float64))[:, None, None, :] * lowest
        a = np_attention(q, k, v, 1 / math.sqrt(depth), ext, kind == "gpt2",
                         zero_empty=kind == "gpt2").astype(dtype)
        merged = a.transpose(0, 2, 1, 3).reshape(x.shape[0], seq, embed)
        return {"y": (f64(merged) @ f64(weights["wo"])).astype(dtype)}

    case = Case(name, model, {"x": x, "mask": mask}, expected_for(x, mask),
                tolerance=tolerance)
    if symbolic:
        case.dims = ["batch=1..4"]
        for n in (1, 4):
            xn = rand(n, seq, embed, dtype=dtype, low=-0.5, high=0.5)
            mn = padding(n, seq)
            case.more_runs.append(({"x": xn, "mask": mn}, expected_for(xn, mn)))
    return case


RNG_BOOL = np.random.default_rng(77)
F16_TOL = (2e-2, 2e-2)
F32_TOL = (1e-4, 1e-5)


def attention_cases():
    F16, F32 = np.float16, np.float32
    cases = [
        # The two exporters' spellings, fp32 and fp16, D = 64.
        qkv_case("attention_eager_padding_f32", 2, 3, 16, 16, 64,
                 mask_kind="padding", tolerance=F32_TOL),
        qkv_case("attention_eager_padding_f16", 2, 3, 16, 16, 64, dtype=F16,
                 mask_kind="padding", tolerance=F16_TOL),
        qkv_case("attention_sdpa_causal_f32", 1, 2, 40, 40, 64, style="sdpa",
                 mask_kind="causal", tolerance=F32_TOL),
        qkv_case("attention_sdpa_causal_f16", 1, 2, 130, 130, 64, dtype=F16,
                 style="sdpa", mask_kind="causal", tolerance=F16_TOL),
        qkv_case("attention_sdpa_bool_f16", 2, 2, 24, 24, 64, dtype=F16,
                 style="sdpa", mask_kind="bool", tolerance=F16_TOL),
        qkv_case("attention_sdpa_bool_f32", 2, 2, 24, 24, 32, style="sdpa",
                 mask_kind="bool", tolerance=F32_TOL),
        # Odd sizes: S = 1, S = 77, Sk != S (both ways), no mask.
        qkv_case("attention_s1_f16", 2, 4, 1, 1, 64, dtype=F16,
                 tolerance=F16_TOL),
        qkv_case("attention_s1_keys9_f16", 1, 4, 1, 9, 64, dtype=F16,
                 tolerance=F16_TOL),
        qkv_case("attention_s77_f16", 1, 2, 77, 77, 64, dtype=F16,
                 mask_kind="padding", tolerance=F16_TOL),
        qkv_case("attention_s77_f32", 1, 2, 77, 77, 64, mask_kind="padding",
                 tolerance=F32_TOL),
        qkv_case("attention_sk_longer_f16", 1, 2, 50, 131, 64, dtype=F16,
                 tolerance=F16_TOL),
        qkv_case("attention_sk_shorter_causal_f16", 1, 2, 70, 20, 64,
                 dtype=F16, style="sdpa", mask_kind="causal",
                 tolerance=F16_TOL),
        qkv_case("attention_sk_shorter_causal_f32", 1, 2, 70, 20, 64,
                 style="sdpa", mask_kind="causal", tolerance=F32_TOL),
        # Depths: the tensor-core kernel takes 32, 64, 128; others fall back.
        qkv_case("attention_d32_f16", 2, 2, 33, 33, 32, dtype=F16,
                 mask_kind="padding", tolerance=F16_TOL),
        qkv_case("attention_d128_f16", 1, 2, 100, 100, 128, dtype=F16,
                 style="sdpa", mask_kind="causal", tolerance=F16_TOL),
        qkv_case("attention_d128_f32", 1, 2, 20, 20, 128, tolerance=F32_TOL),
        qkv_case("attention_d80_f16", 1, 2, 19, 19, 80, dtype=F16,
                 mask_kind="padding", tolerance=F16_TOL),
        qkv_case("attention_dv48_f16", 1, 2, 12, 12, 64, value_depth=48,
                 dtype=F16, tolerance=F16_TOL),
        # fp32 model compiled to fp16 (graph-convert-precision first).
        qkv_case("attention_precision_fp16", 2, 2, 64, 64, 64,
                 mask_kind="padding", tolerance=(3e-2, 3e-2),
                 compile_args=["--precision", "fp16"]),
        qkv_case("attention_precision_bf16_causal", 1, 2, 80, 80, 64,
                 style="sdpa", mask_kind="causal", tolerance=(6e-2, 6e-2),
                 compile_args=["--precision", "bf16"]),
        # Whole blocks.
        block_case("attention_bert_block_f32", "bert", 2, 16, 4, 64,
                   tolerance=(2e-4, 1e-5)),
        block_case("attention_bert_block_f16", "bert", 2, 16, 4, 64,
                   dtype=F16, tolerance=(3e-2, 3e-2)),
        block_case("attention_gpt2_block_f32", "gpt2", 1, 36, 2, 64,
                   tolerance=(2e-4, 1e-5)),
        block_case("attention_gpt2_block_f16", "gpt2", 2, 70, 2, 64,
                   dtype=F16, tolerance=(3e-2, 3e-2)),
        block_case("attention_bert_block_symbolic", "bert", 3, 16, 2, 64,
                   symbolic=True, tolerance=(2e-4, 1e-5)),
        block_case("attention_gpt2_block_symbolic_f16", "gpt2", 2, 33, 2, 64,
                   dtype=F16, symbolic=True, tolerance=(3e-2, 3e-2)),
        # One packed QKV projection: the attention reads it through head
        # offsets (graph-attention-layout).
        block_case("attention_gpt2_packed_f16", "gpt2", 2, 70, 3, 64,
                   dtype=F16, packed=True, tolerance=(3e-2, 3e-2)),
        block_case("attention_gpt2_packed_f32", "gpt2", 1, 20, 2, 32,
                   packed=True, tolerance=(2e-4, 1e-5)),
        block_case("attention_gpt2_packed_symbolic_f16", "gpt2", 2, 33, 2, 64,
                   dtype=F16, packed=True, symbolic=True,
                   tolerance=(3e-2, 3e-2)),
    ]
    return cases
