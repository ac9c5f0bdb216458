"""Checks dsc plans against PyTorch on the GPU machine.

For each model of peers.py and each batch: exports it to ONNX with PyTorch's
default (dynamo) exporter, compiles it with `dsc compile --precision P`, runs
the plan on the GPU with fresh random inputs, and compares with PyTorch in
float32 (TF32 off): relative error ||out - ref|| / ||ref||. Also times the
plan (`dsc run`, CUDA events, median) beside PyTorch eager in the same
precision, in the same process run.

usage: python3 bench/gpu_check.py --dsc PATH [--models mlp] [--batches 1,32]
                                  [--precisions fp32,fp16] [--work DIR] [--json OUT]
"""
import argparse, glob, json, os, re, subprocess, sys, time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

TOLERANCE = {"fp32": 1e-3, "fp16": 1e-2, "bf16": 2e-2}
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def run(cmd, log):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    log.write(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}(exit {p.returncode}, {time.time() - t0:.1f} s)\n\n")
    log.flush()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsc", required=True)
    ap.add_argument("--models", default="mlp")
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--precisions", default="fp32,fp16")
    ap.add_argument("--work", default="/tmp/dsc-gpu-check")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(a.work, exist_ok=True)
    log = open(os.path.join(a.work, "log.txt"), "w")
    rows, failures = [], 0
    for name in a.models.split(","):
        for batch in map(int, a.batches.split(",")):
            model, args = peers.build(name, batch)
            model = model.eval().cuda().float()
            onnx_path = os.path.join(a.work, f"{name}_b{batch}.onnx")
            err = peers.export(model, tuple(x.cuda() for x in args), onnx_path, "dynamo")
            if err:
                print(json.dumps(dict(model=name, batch=batch, export_error=err)), flush=True)
                failures += 1
                continue
            import onnx
            input_names = [i.name for i in onnx.load(onnx_path, load_external_data=False).graph.input]
            for prec in a.precisions.split(","):
                row = dict(model=name, batch=batch, precision=prec)
                plan = os.path.join(a.work, f"{name}_b{batch}_{prec}.plan")
                t0 = time.time()
                p = run([a.dsc, "compile", onnx_path, "-o", plan, f"--precision={prec}"], log)
                row["compile_s"] = round(time.time() - t0, 2)
                if p.returncode != 0:
                    row["error"] = f"compile exit {p.returncode}: {p.stderr.strip()[-300:]}"
                    failures += 1
                    print(json.dumps(row), flush=True); rows.append(row)
                    continue
                # Fresh random inputs for every check.
                inputs = [torch.randn_like(x) if x.is_floating_point() else x for x in
                          peers.build(name, batch)[1]]
                cmd = [a.dsc, "run", plan, "--device=gpu", "--iterations=50"]
                for n, x in zip(input_names, inputs):
                    f = os.path.join(a.work, f"in_{n}.npy")
                    np.save(f, x.numpy())
                    cmd.append(f"--input={n}={f}")
                outdir = os.path.join(a.work, f"out_{name}_b{batch}_{prec}")
                cmd.append(f"--outputs={outdir}")
                p = run(cmd, log)
                if p.returncode != 0:
                    row["error"] = f"run exit {p.returncode}: {p.stderr.strip()[-300:]}"
                    failures += 1
                    print(json.dumps(row), flush=True); rows.append(row)
                    continue
                m = re.search(r"median ([0-9.]+) ms", p.stdout)
                row["dsc_ms"] = float(m.group(1)) if m else None
                out = np.load(sorted(glob.glob(os.path.join(outdir, "*.npy")))[0]).astype(np.float64)
                with torch.inference_mode():
                    ref = model(*[x.cuda() for x in inputs]).double().cpu().numpy()
                    rel = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
                    row["rel_err"] = rel
                    row["ok"] = bool(np.isfinite(out).all() and rel <= TOLERANCE[prec])
                    failures += 0 if row["ok"] else 1
                    typed = model.to(DTYPES[prec])
                    targs = tuple(x.cuda().to(DTYPES[prec]) if x.is_floating_point() else x.cuda()
                                  for x in inputs)
                    row["eager_ms"] = round(peers.bench(typed, targs), 4)
                    model = model.float()
                row["plan_bytes"] = os.path.getsize(plan)
                print(json.dumps(row), flush=True)
                rows.append(row)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    print()
    print(f"{'model':8} {'batch':>5} {'prec':5} {'rel err':>10} {'ok':>4} {'dsc ms':>8} {'eager ms':>9} {'dsc/eager':>9}")
    for r in rows:
        if "error" in r:
            print(f"{r['model']:8} {r['batch']:>5} {r['precision']:5} ERROR {r['error'][:80]}")
            continue
        ratio = r["dsc_ms"] / r["eager_ms"] if r.get("dsc_ms") and r.get("eager_ms") else float("nan")
        print(f"{r['model']:8} {r['batch']:>5} {r['precision']:5} {r['rel_err']:>10.2e} {str(r['ok']):>4} "
              f"{r['dsc_ms']:>8.4f} {r['eager_ms']:>9.4f} {ratio:>9.2f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
