"""Exports the models of peers.py and reports what `dsc compile` makes of each:
which compile, and the first error of those that don't (the op to support next).

usage: python3 bench/probe_models.py --dsc PATH [--models a,b] [--batch 1]
                                     [--exporter dynamo|torchscript] [--work DIR]
"""
import argparse, collections, os, subprocess, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsc", required=True)
    ap.add_argument("--models", default="mlp,resnet50,bert,gpt2,moe")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--exporter", default="dynamo", choices=["dynamo", "torchscript"])
    ap.add_argument("--work", default="/tmp/dsc-probe")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    import onnx
    rows = []
    for name in a.models.split(","):
        model, args = peers.build(name, a.batch)
        path = os.path.join(a.work, f"{name}_b{a.batch}_{a.exporter}.onnx")
        t0 = time.time()
        err = peers.export(model.eval().float(), args, path, a.exporter)
        if err:
            rows.append((name, "export failed", err[:120], ""))
            continue
        ops = collections.Counter(n.op_type for n in onnx.load(path, load_external_data=False).graph.node)
        p = subprocess.run([a.dsc, "compile", path, "-o", path + ".plan", "--quiet"],
                           capture_output=True, text=True)
        first = (p.stderr.strip().splitlines() or [""])[0][:160]
        rows.append((name, f"exit {p.returncode}", first,
                     " ".join(f"{k}:{v}" for k, v in ops.most_common())))
        print(name, f"export {time.time() - t0:.0f} s", f"exit {p.returncode}", first, flush=True)
    print()
    for name, status, first, ops in rows:
        print(f"{name:9} {status:14} {first}")
        print(f"{'':9} ops: {ops[:300]}")


if __name__ == "__main__":
    main()
