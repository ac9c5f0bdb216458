"""Times dsc's generated fp16 GEMM with each candidate tile beside PyTorch (cuBLAS) on the
GEMM shapes of the benchmark models: the data behind GemmEmitter's tile choice.

usage (GPU machine): python3 bench/gemm_tiles.py --dsc .carry/bin/dsc [--json OUT]
Each candidate is BM,BN,BK,WARPS_M,WARPS_N,STAGES[,SPLIT_K[,WGMMA]] (`dsc compile --gemm-tile`;
WGMMA 1: Hopper's warpgroup MMA); "auto" is the emitter's own choice. Plans take and give fp16
(`--io-precision=compute`), as torch.addmm does.
"""
import argparse, json, os, re, statistics, subprocess, tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

SHAPES = {  # name: (M, K, N)
    "bert-b1-proj": (128, 768, 768),
    "bert-b1-ffn-up": (128, 768, 3072),
    "bert-b1-ffn-down": (128, 3072, 768),
    "moe-b1-up": (256, 1024, 2816),
    "moe-b1-down": (256, 2816, 1024),
    "gpt2-b1-qkv": (512, 768, 2304),
    "bert-b32-proj": (4096, 768, 768),
    "gpt2-b32-ffn-up": (16384, 768, 3072),
    "moe-b32-up": (8192, 1024, 2816),
}
TILES = ["auto", "64,64,32,2,2,3", "64,64,64,2,2,4", "64,128,32,2,2,4", "128,64,32,2,2,4",
         "128,64,64,2,2,3", "128,128,32,2,4,4", "128,128,64,2,4,3", "128,256,32,2,4,3",
         "256,128,32,4,2,3", "64,64,64,2,2,4,4", "128,64,64,2,2,3,4",
         "128,256,64,8,1,4,1,1", "128,128,64,8,1,4,1,1", "64,128,64,4,1,4,1,1",
         "128,256,64,8,1,3,1,1", "128,128,64,8,1,5,1,1", "64,256,64,4,1,4,1,1"]


def model(m, k, n, path):
    w = numpy_helper.from_array((np.random.randn(k, n) / np.sqrt(k)).astype(np.float32), "w")
    b = numpy_helper.from_array(np.random.randn(n).astype(np.float32), "b")
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y0"]),
                           helper.make_node("Add", ["y0", "b"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w, b])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsc", required=True)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--tiles", default=";".join(TILES))
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    import torch
    work = tempfile.mkdtemp()
    rows = []
    for name in a.shapes.split(","):
        m, k, n = SHAPES[name]
        path = os.path.join(work, f"{name}.onnx")
        model(m, k, n, path)
        x = torch.randn(m, k, device="cuda", dtype=torch.half)
        w = torch.randn(k, n, device="cuda", dtype=torch.half)
        b = torch.randn(n, device="cuda", dtype=torch.half)
        for _ in range(10):
            torch.addmm(b, x, w)
        times = []
        for _ in range(50):
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record(); torch.addmm(b, x, w); e1.record(); e1.synchronize()
            times.append(e0.elapsed_time(e1))
        row = dict(shape=name, m=m, k=k, n=n, cublas_ms=round(statistics.median(times), 4))
        for tile in a.tiles.split(";"):
            plan = os.path.join(work, "p.plan")
            args = [a.dsc, "compile", path, "-o", plan, "--precision=fp16",
                    "--io-precision=compute", "--quiet"]
            if tile != "auto":
                args.append(f"--gemm-tile={tile}")
            p = subprocess.run(args, capture_output=True, text=True)
            if p.returncode:
                row[tile] = "compile error"
                continue
            p = subprocess.run([a.dsc, "run", plan, "--device=gpu", "--iterations=50"],
                               capture_output=True, text=True, env=dict(os.environ, DSC_TUNE="generated"))
            found = re.search(r"median ([0-9.]+) ms", p.stdout)
            row[tile] = float(found.group(1)) if found else "run error"
        rows.append(row)
        print(json.dumps(row), flush=True)
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1)
    # Table: time per tile, the best, and cuBLAS.
    print("| shape | cuBLAS | " + " | ".join(a.tiles.split(";")) + " |")
    for r in rows:
        flops = 2 * r["m"] * r["k"] * r["n"]
        cells = [f"{r[t]:.4f}" if isinstance(r.get(t), float) else str(r.get(t)) for t in a.tiles.split(";")]
        print(f"| {r['shape']} ({flops / r['cublas_ms'] / 1e9:.0f} TF/s cuBLAS) | {r['cublas_ms']:.4f} | "
              + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
