#!/usr/bin/python3
"""Builds the bundled example model, examples/transformer_block.onnx: one post-LN
transformer encoder block (multi-head self-attention, residual,
LayerNorm, GELU MLP, residual, LayerNorm) in fp32, written the way
torch.onnx.export writes it at opset 17 (MatMul + Add for Linear, GELU as its
Erf form, attention as MatMul/Reshape/Transpose/Softmax).

Deterministic: the same script always writes the same bytes. With
--batch-dim NAME the batch dimension is symbolic (dim_param NAME), for
`dsc compile --dim NAME=MIN..MAX`.
usage: /usr/bin/python3 examples/make_example.py [--batch-dim NAME] [OUTPUT.onnx]
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEQ, DIM, HEADS, FFN = 16, 64, 4, 256
HEAD_DIM = DIM // HEADS


def build(batch=1):
    rng = np.random.default_rng(2024)

    def weight(*shape):
        bound = 1 / math.sqrt(shape[0])
        return rng.uniform(-bound, bound, size=shape).astype(np.float32)

    params = {
        "wq": weight(DIM, DIM), "bq": np.zeros(DIM, np.float32),
        "wk": weight(DIM, DIM), "bk": np.zeros(DIM, np.float32),
        "wv": weight(DIM, DIM), "bv": np.zeros(DIM, np.float32),
        "wo": weight(DIM, DIM), "bo": weight(DIM) * 0.1,
        "w1": weight(DIM, FFN), "b1": weight(FFN) * 0.1,
        "w2": weight(FFN, DIM), "b2": weight(DIM) * 0.1,
        "ln1_scale": np.ones(DIM, np.float32), "ln1_bias": np.zeros(DIM, np.float32),
        "ln2_scale": np.ones(DIM, np.float32), "ln2_bias": np.zeros(DIM, np.float32),
        "heads_shape": np.array([0, 0, HEADS, HEAD_DIM], np.int64),
        "merge_shape": np.array([0, 0, DIM], np.int64),
        "attn_scale": np.array(math.sqrt(HEAD_DIM), np.float32),
        "sqrt2": np.array(math.sqrt(2), np.float32),
        "one": np.array(1, np.float32),
        "half": np.array(0.5, np.float32),
    }
    N = helper.make_node
    nodes = []
    for p in "qkv":
        nodes += [
            N("MatMul", ["x", "w" + p], [p + "_mm"], name=f"attn.{p}_proj.matmul"),
            N("Add", [p + "_mm", "b" + p], [p], name=f"attn.{p}_proj.bias"),
            N("Reshape", [p, "heads_shape"], [p + "_heads"], name=f"attn.{p}_split"),
            N("Transpose", [p + "_heads"], [p + "_t"], perm=[0, 2, 1, 3],
              name=f"attn.{p}_transpose"),
        ]
    nodes += [
        N("Transpose", ["k_t"], ["k_tt"], perm=[0, 1, 3, 2], name="attn.k_transpose2"),
        N("MatMul", ["q_t", "k_tt"], ["scores"], name="attn.scores"),
        N("Div", ["scores", "attn_scale"], ["scores_scaled"], name="attn.scale"),
        N("Softmax", ["scores_scaled"], ["probs"], axis=-1, name="attn.softmax"),
        N("MatMul", ["probs", "v_t"], ["context"], name="attn.context"),
        N("Transpose", ["context"], ["context_t"], perm=[0, 2, 1, 3], name="attn.merge_transpose"),
        N("Reshape", ["context_t", "merge_shape"], ["context_m"], name="attn.merge"),
        N("MatMul", ["context_m", "wo"], ["o_mm"], name="attn.out_proj.matmul"),
        N("Add", ["o_mm", "bo"], ["attn_out"], name="attn.out_proj.bias"),
        N("Add", ["x", "attn_out"], ["residual1"], name="residual1"),
        N("LayerNormalization", ["residual1", "ln1_scale", "ln1_bias"], ["h"],
          axis=-1, epsilon=1e-5, name="ln1"),
        N("MatMul", ["h", "w1"], ["f1_mm"], name="mlp.fc1.matmul"),
        N("Add", ["f1_mm", "b1"], ["f1"], name="mlp.fc1.bias"),
        N("Div", ["f1", "sqrt2"], ["gelu_div"], name="mlp.gelu.div"),
        N("Erf", ["gelu_div"], ["gelu_erf"], name="mlp.gelu.erf"),
        N("Add", ["gelu_erf", "one"], ["gelu_add"], name="mlp.gelu.add"),
        N("Mul", ["f1", "gelu_add"], ["gelu_mul"], name="mlp.gelu.mul"),
        N("Mul", ["gelu_mul", "half"], ["gelu"], name="mlp.gelu.half"),
        N("MatMul", ["gelu", "w2"], ["f2_mm"], name="mlp.fc2.matmul"),
        N("Add", ["f2_mm", "b2"], ["f2"], name="mlp.fc2.bias"),
        N("Add", ["h", "f2"], ["residual2"], name="residual2"),
        N("LayerNormalization", ["residual2", "ln2_scale", "ln2_bias"], ["y"],
          axis=-1, epsilon=1e-5, name="ln2"),
    ]
    graph = helper.make_graph(
        nodes, "transformer_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, SEQ, DIM])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, SEQ, DIM])],
        [numpy_helper.from_array(v, k) for k, v in params.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="dsc examples/make_example.py")
    onnx.checker.check_model(model)
    return model


def main():
    args = sys.argv[1:]
    batch = 1
    if args[:1] == ["--batch-dim"]:
        batch, args = args[1], args[2:]
    out = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "transformer_block.onnx")
    model = build(batch)
    onnx.save(model, out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
