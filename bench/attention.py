"""Times dsc's fused attention kernel beside PyTorch's scaled_dot_product_attention on the
attention shapes of the benchmark models: the data behind AttentionEmitter's kernel.

usage (GPU machine): python3 bench/attention.py --dsc .carry/bin/dsc --lib .carry/bin/libdsc.so
                                                 [--cases gpt2-b32,bert-b32] [--json OUT]
Each case is an fp16 ONNX graph of one attention as the exporter writes it (packed QKV input
B x S x 3*H*D, Split, Reshape, Transpose, MatMul, scale, mask, Softmax, MatMul, Transpose,
Reshape), so the plan holds the attention kernel alone; every generated variant of it is timed
(DSC_TUNE=variant:N) and checked against PyTorch.
"""
import argparse, json, os, subprocess, sys, tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

CASES = {  # name: (batch, heads, seq, depth, causal)
    "gpt2-b1": (1, 12, 512, 64, True),
    "gpt2-b32": (32, 12, 512, 64, True),
    "bert-b1": (1, 12, 128, 64, False),
    "bert-b32": (32, 12, 128, 64, False),
}


def model(b, h, s, d, causal, path):
    c = h * d
    inits = [numpy_helper.from_array(np.array([c, c, c], np.int64), "split"),
             numpy_helper.from_array(np.array([b, s, h, d], np.int64), "heads"),
             numpy_helper.from_array(np.array([b, s, c], np.int64), "merged"),
             numpy_helper.from_array(np.array(1 / np.sqrt(d), np.float16), "scale")]
    nodes = [helper.make_node("Split", ["qkv", "split"], ["q0", "k0", "v0"], axis=2)]
    for t in "qkv":
        nodes += [helper.make_node("Reshape", [f"{t}0", "heads"], [f"{t}1"]),
                  helper.make_node("Transpose", [f"{t}1"], [f"{t}2"], perm=[0, 2, 1, 3])]
    nodes += [helper.make_node("Transpose", ["k2"], ["kt"], perm=[0, 1, 3, 2]),
              helper.make_node("MatMul", ["q2", "kt"], ["s0"]),
              helper.make_node("Mul", ["s0", "scale"], ["s1"])]
    scores = "s1"
    if causal:
        mask = np.triu(np.full((s, s), np.finfo(np.float16).min, np.float16), 1)
        inits.append(numpy_helper.from_array(mask.reshape(1, 1, s, s), "mask"))
        nodes.append(helper.make_node("Add", ["s1", "mask"], ["s2"]))
        scores = "s2"
    nodes += [helper.make_node("Softmax", [scores], ["p"], axis=-1),
              helper.make_node("MatMul", ["p", "v2"], ["o0"]),
              helper.make_node("Transpose", ["o0"], ["o1"], perm=[0, 2, 1, 3]),
              helper.make_node("Reshape", ["o1", "merged"], ["out"])]
    g = helper.make_graph(nodes, "attention",
                          [helper.make_tensor_value_info("qkv", TensorProto.FLOAT16, [b, s, 3 * c])],
                          [helper.make_tensor_value_info("out", TensorProto.FLOAT16, [b, s, c])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsc", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--cases", default="gpt2-b1,gpt2-b32,bert-b1,bert-b32")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--variants", type=int, default=5,
                    help="variants to time (a forced variant past a kernel's last runs variant 0)")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    import torch
    import torch.nn.functional as F
    import roofline
    from dsc_runtime import Runtime
    work = tempfile.mkdtemp(prefix="dsc-attention-")
    runtime = Runtime(a.lib, cache_dir=os.path.join(work, "cache"))
    rows = []
    for name in a.cases.split(","):
        b, h, s, d, causal = CASES[name]
        path = os.path.join(work, f"{name}.onnx")
        model(b, h, s, d, causal, path)
        plan_path = path.replace(".onnx", ".plan")
        subprocess.run([a.dsc, "compile", path, "-o", plan_path, "--precision=fp16", "--quiet"],
                       check=True)
        torch.manual_seed(0)
        qkv = torch.randn(b, s, 3 * h * d, device="cuda", dtype=torch.float16)
        q, k, v = (t.view(b, s, h, d).transpose(1, 2) for t in qkv.split(h * d, dim=2))
        with torch.inference_mode():
            ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            ref = ref.transpose(1, 2).reshape(b, s, h * d)
            row = {"case": name, "torch_sdpa": round(roofline.median_ms(
                torch, lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                a.reps), 4)}
            # Scores computed: the causal half (and the diagonal) only.
            flops = 4 * b * h * s * s * d * ((s + 1) / (2 * s) if causal else 1)
            row["gflop"] = round(flops / 1e9, 2)
            for variant in range(a.variants):
                os.environ["DSC_TUNE"] = f"variant:{variant}"
                # DSC_TUNE=variant:N applies to plans loaded without tuning.
                plan = runtime.load(plan_path, tune=Runtime.CACHED)
                out = plan.run([qkv])[0]
                torch.cuda.synchronize()
                err = ((out.double() - ref.double()).norm() / ref.double().norm()).item()
                ms = roofline.median_ms(torch, lambda: plan.run([qkv]), a.reps)
                row[f"v{variant}"] = round(ms, 4)
                row[f"v{variant}_err"] = float(f"{err:.2g}")
                row["launches"] = plan.launches
                del plan
            os.environ.pop("DSC_TUNE")
        best = min(row[f"v{i}"] for i in range(a.variants))
        row["dsc_tflops"] = round(flops / best / 1e9, 1)
        row["torch_tflops"] = round(flops / row["torch_sdpa"] / 1e9, 1)
        row["ratio"] = round(best / row["torch_sdpa"], 3)
        print(json.dumps(row), flush=True)
        rows.append(row)
    print("\n| case | GFLOP | torch sdpa ms | dsc " + " | ".join(f"v{i}" for i in range(a.variants)) +
          " | best / torch | dsc TFLOP/s | torch TFLOP/s | max rel err |")
    print("|---|---|---|" + "---|" * a.variants + "---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['gflop']} | {r['torch_sdpa']} | " +
              " | ".join(str(r[f"v{i}"]) for i in range(a.variants)) +
              f" | {r['ratio']} | {r['dsc_tflops']} | {r['torch_tflops']} | "
              f"{max(r[f'v{i}_err'] for i in range(a.variants)):.1e} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
