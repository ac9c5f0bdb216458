"""The benchmark: dsc beside PyTorch on the five reference models, in one process run.

For each model of peers.py and each batch: exports it to ONNX with PyTorch's default (dynamo)
exporter, compiles it with the self-contained `dsc` (`--precision fp16 --io-precision=compute`:
the plan takes and gives fp16 tensors, as the fp16 PyTorch model does; and `fp32`), checks each
plan against the float32 PyTorch model (TF32 off) on fresh random inputs, the reference fed the
values the plan is given (rounded to fp16 for the fp16 plan; relative error
||out - ref|| / ||ref||, limits 1e-2 fp16 and 1e-3 fp32), then times, in fp16, dsc (the plan
loaded once through libdsc.so, run on PyTorch's stream with PyTorch's tensors), PyTorch eager,
torch.compile and torch.compile(mode="reduce-overhead"): CUDA events after warm-up, median of
--reps runs. Prints a table (ms, dsc / best PyTorch) and writes JSON.

Roofline (bench/roofline.py; --no-roofline skips it): the run first measures this GPU's fp16
matrix rate (an 8192^3 matmul, TFLOP/s) and device copy rate (1 GiB device to device, GB/s
counting read + write); per model and batch, FLOPs and minimum bytes (weights once, inputs,
outputs, fp16) counted from the exported graph give floor_ms = max(FLOPs / matrix rate,
bytes / copy rate) and dsc's fraction of it, floor_ms / dsc ms.

usage (GPU machine, tools from `make selfcontained`):
  python3 bench/bench.py --dsc .carry/bin/dsc --lib .carry/bin/libdsc.so \\
      [--models mlp,resnet50,bert,gpt2,moe] [--batches 1,32] [--json OUT] [--profile DIR]
      [--exporter torchscript] [--modes eager,compile,reduce-overhead (or "" for checks only)]
"""
import argparse, copy, json, os, re, subprocess, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import roofline  # noqa: E402
from dsc_runtime import Runtime  # noqa: E402

TOLERANCE = {"fp32": 1e-3, "fp16": 1e-2}
MODES = ("eager", "compile", "reduce-overhead")
VOCAB = {"bert": 30000, "gpt2": 50000}


def fresh_inputs(name, example):
    """New random inputs shaped like the builder's."""
    return tuple(torch.randn_like(x) if x.is_floating_point() else
                 torch.randint(0, VOCAB.get(name, 2), x.shape, dtype=x.dtype, device=x.device)
                 for x in example)


def time_ms(fn, reps, warm=10):
    return roofline.median_ms(torch, fn, reps, warm)


def rel_error(out, ref):
    out, ref = out.double(), ref.double()
    return ((out - ref).norm() / ref.norm().clamp_min(1e-30)).item()


def kernels_per_run(fn, runs=5):
    """Kernel launches per run (and dsc's time per kernel name), from PyTorch's profiler."""
    from torch.profiler import profile, ProfilerActivity
    fn(); torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(runs):
            fn()
        torch.cuda.synchronize()
    kernels = {}
    count = 0
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA and not e.name.startswith(("Memcpy", "Memset")):
            count += 1
            k = kernels.setdefault(e.name, [0, 0.0])
            k[0] += 1
            k[1] += e.device_time_total / 1000.0
    return count / runs, {n: (c / runs, ms / runs) for n, (c, ms) in kernels.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsc", required=True)
    ap.add_argument("--lib", required=True, help="libdsc.so")
    ap.add_argument("--models", default="mlp,resnet50,bert,gpt2,moe")
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--check", default="fp16,fp32", help="precisions checked against PyTorch fp32")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--work", default="/tmp/dsc-bench")
    ap.add_argument("--json", default="")
    ap.add_argument("--profile", default="", help="directory: per-kernel times of each dsc plan, launches")
    ap.add_argument("--save-graphs", default="", help="directory: each export without its weights "
                    "(bench/graph_only.py strip), batch 1 only")
    ap.add_argument("--exporter", default="dynamo", choices=["dynamo", "torchscript"],
                    help="PyTorch's default exporter, or the legacy one (opset 17)")
    ap.add_argument("--compile-args", default="", help="extra `dsc compile` arguments")
    ap.add_argument("--no-roofline", action="store_true",
                    help="skip measuring the GPU's rates and the per-model floor")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(a.work, exist_ok=True)
    log = open(os.path.join(a.work, "log.txt"), "a")
    runtime = Runtime(a.lib, cache_dir=os.path.join(a.work, "kernel-cache"))
    rates = None if a.no_roofline else measure_rates()
    rows = []
    for name in a.models.split(","):
        for batch in map(int, a.batches.split(",")):
            row = dict(model=name, batch=batch)
            rows.append(row)
            model, example = peers.build(name, batch)
            model = model.eval().cuda().float()
            example = tuple(x.cuda() for x in example)
            onnx_path = os.path.join(a.work, f"{name}_b{batch}.onnx")
            t0 = time.time()
            err = peers.export(model, example, onnx_path, a.exporter)
            row["export_s"] = round(time.time() - t0, 1)
            if err:
                row["error"] = f"export: {err}"
                print(json.dumps(row), flush=True)
                continue
            if rates:
                add_floor_work(row, onnx_path)
            if a.save_graphs and batch == 1:
                import graph_only
                os.makedirs(a.save_graphs, exist_ok=True)
                graph_only.strip(onnx_path, os.path.join(a.save_graphs, f"{name}.onnx"))
            plans = {}
            for prec in a.check.split(","):
                path = os.path.join(a.work, f"{name}_b{batch}_{prec}.plan")
                # fp16 plans take and give the fp16 tensors PyTorch is timed with.
                io = ["--io-precision=compute"] if prec != "fp32" else []
                cmd = [a.dsc, "compile", onnx_path, "-o", path, f"--precision={prec}"] + io + \
                    a.compile_args.split()
                t0 = time.time()
                p = subprocess.run(cmd, capture_output=True, text=True)
                log.write(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}(exit {p.returncode})\n")
                log.flush()
                if p.returncode != 0:
                    row[f"error_{prec}"] = f"compile exit {p.returncode}: {p.stderr.strip()[-300:]}"
                    continue
                row[f"compile_s_{prec}"] = round(time.time() - t0, 1)
                row[f"plan_mb_{prec}"] = round(os.path.getsize(path) / 2**20, 1)
                # The arena beside its lower bound (the most bytes live at once), as
                # `dsc inspect` prints them; the issue's limit is 1.05.
                p = subprocess.run([a.dsc, "inspect", path], capture_output=True, text=True)
                bound = re.search(r"arena: (\d+) bytes.*lower bound (\d+) bytes.*: ([\d.]+)x",
                                  p.stdout)
                if bound:
                    row[f"arena_bound_mb_{prec}"] = round(int(bound.group(2)) / 2**20, 2)
                    row[f"arena_ratio_{prec}"] = float(bound.group(3))
                plan = runtime.load(path)
                plans[prec] = plan
                row[f"arena_mb_{prec}"] = round(plan.arena_bytes / 2**20, 2)
                row[f"launches_{prec}"] = plan.launches
                row[f"library_gemms_{prec}"] = plan.library_gemms
                row[f"load_s_{prec}"] = round(time.time() - t0 - row[f"compile_s_{prec}"], 1)
                # Fresh inputs for every check; the reference is PyTorch in float32 on the
                # values the plan is given (an fp16 plan's inputs are rounded to fp16).
                inputs = fresh_inputs(name, example)
                given = [x.to(dt) for x, (_, dt, _) in zip(inputs, plan.inputs)]
                with torch.inference_mode():
                    ref = model(*(g.to(x.dtype) for g, x in zip(given, inputs)))
                    outs = plan.run(given, check_faults=True)
                torch.cuda.synchronize()
                row[f"rel_err_{prec}"] = float(f"{rel_error(outs[0], ref):.3g}")
                row[f"ok_{prec}"] = row[f"rel_err_{prec}"] <= TOLERANCE[prec]
            # Timing, fp16: the same random values for every contender.
            inputs = fresh_inputs(name, example)
            half = copy.deepcopy(model).half()
            torch_inputs = tuple(x.half() if x.is_floating_point() else x for x in inputs)
            with torch.inference_mode():
                for mode in filter(None, a.modes.split(",")):
                    t0 = time.time()
                    torch._dynamo.reset()
                    fn = half if mode == "eager" else torch.compile(
                        half, **({} if mode == "compile" else {"mode": mode}))
                    try:
                        fn(*torch_inputs); torch.cuda.synchronize()
                        row[mode] = round(time_ms(lambda: fn(*torch_inputs), a.reps), 4)
                        if a.profile:
                            row[f"launches_{mode}"] = kernels_per_run(lambda: fn(*torch_inputs))[0]
                    except Exception as e:  # a peer failing is reported, not fatal
                        row[f"error_{mode}"] = f"{type(e).__name__}: {str(e)[:200]}"
                    row[f"setup_s_{mode}"] = round(time.time() - t0, 1)
                if "fp16" in plans:
                    plan = plans["fp16"]
                    dsc_inputs = [x.to(dt) for x, (_, dt, _) in zip(inputs, plan.inputs)]
                    row["dsc"] = round(time_ms(lambda: plan.run(dsc_inputs), a.reps), 4)
                    if a.profile:
                        os.makedirs(a.profile, exist_ok=True)
                        launches, kernels = kernels_per_run(lambda: plan.run(dsc_inputs))
                        row["launches_dsc_profiled"] = launches
                        top = sorted(kernels.items(), key=lambda kv: -kv[1][1])
                        with open(os.path.join(a.profile, f"{name}_b{batch}.txt"), "w") as f:
                            total = sum(ms for _, ms in kernels.values())
                            f.write(f"{name} batch {batch}: {launches:.0f} launches, kernels {total:.3f} ms "
                                    f"(events {row['dsc']:.3f} ms)\n")
                            for kname, (count, ms) in top:
                                f.write(f"{ms:9.4f} ms {count:5.0f}x  {kname[:100]}\n")
            if rates and "dsc" in row and "flops" in row:
                row["matrix_tflops"], row["copy_gbps"] = rates
                row["floor_ms"] = round(roofline.floor_ms(row["flops"], row["min_bytes"], *rates), 4)
                row["floor_fraction"] = round(row["floor_ms"] / row["dsc"], 3)
            best = [row[m] for m in MODES if isinstance(row.get(m), float)]
            if best and "dsc" in row:
                row["best_pytorch"] = min(best)
                row["ratio"] = round(row["dsc"] / min(best), 3)
            print(json.dumps(row), flush=True)
            del model, half, plans
            torch.cuda.empty_cache()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    print_table(rows)
    if rates:
        print_roofline(rows, rates)


def measure_rates():
    """(fp16 matrix TFLOP/s, copy GB/s) of this GPU, or None with a message."""
    try:
        rates = roofline.measure_rates(torch)
    except Exception as e:  # the benchmark goes on without the roofline
        print(f"roofline: could not measure the GPU's rates ({type(e).__name__}: {e}); "
              "no floor in this run", flush=True)
        return None
    print(json.dumps(dict(roofline="rates", matrix_tflops=round(rates[0], 1),
                          copy_gbps=round(rates[1], 1))), flush=True)
    return round(rates[0], 1), round(rates[1], 1)


def add_floor_work(row, onnx_path):
    """The exported graph's FLOPs and minimum fp16 bytes into `row`."""
    import onnx
    try:
        model = onnx.load(onnx_path, load_external_data=False)
        row["flops"] = roofline.count_flops(model)
        row["min_bytes"] = roofline.min_bytes(model, float_bytes=2)
    except Exception as e:  # a graph the counter cannot read: no floor for it
        row["error_roofline"] = f"{type(e).__name__}: {str(e)[:200]}"


def print_roofline(rows, rates):
    print(f"\nroofline: fp16 matmul {rates[0]:.0f} TFLOP/s, device copy {rates[1]:.0f} GB/s; "
          "floor = max(FLOPs / matrix rate, bytes / copy rate)")
    print("| model | batch | GFLOP | min MB (weights + inputs + outputs, fp16) | floor ms | dsc ms "
          "| floor / dsc |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        gflop = r["flops"] / 1e9 if "flops" in r else None
        min_mb = r["min_bytes"] / 2**20 if "min_bytes" in r else None
        print(f"| {r['model']} | {r['batch']} | {fmt(gflop, '.3f')} | "
              f"{fmt(min_mb, '.1f')} | {fmt(r.get('floor_ms'), '.4f')} | "
              f"{fmt(r.get('dsc'))} | {fmt(r.get('floor_fraction'), '.3f')} |")


def fmt(v, spec=".3f"):
    return format(v, spec) if isinstance(v, (int, float)) and not isinstance(v, bool) else "-"


def print_table(rows):
    print(f"\nfp16 median ms on {torch.cuda.get_device_name()} (torch {torch.__version__})")
    print("| model | batch | eager | compile | reduce-overhead | dsc | dsc / best | launches | "
          "rel err fp16 | rel err fp32 | compile s | plan MB | arena MB | arena / bound |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['batch']} | {fmt(r.get('eager'))} | {fmt(r.get('compile'))} | "
              f"{fmt(r.get('reduce-overhead'))} | {fmt(r.get('dsc'))} | {fmt(r.get('ratio'), '.2f')} | "
              f"{r.get('launches_fp16', '-')} | {fmt(r.get('rel_err_fp16'), '.1e')} | "
              f"{fmt(r.get('rel_err_fp32'), '.1e')} | {r.get('compile_s_fp16', '-')} | "
              f"{r.get('plan_mb_fp16', '-')} | {r.get('arena_mb_fp16', '-')} | "
              f"{fmt(r.get('arena_ratio_fp16'))} |")
    errors = [(r["model"], r["batch"], k, v) for r in rows for k, v in r.items() if k.startswith("error")]
    for e in errors:
        print("error:", *e)
    checked = [(r, p) for r in rows for p in ("fp16", "fp32")
               if f"ok_{p}" in r or f"error_{p}" in r]
    ok = sum(1 for r, p in checked if r.get(f"ok_{p}"))
    timed = [r for r in rows if isinstance(r.get("ratio"), float)]
    faster = sum(1 for r in timed if r["ratio"] <= 1.0)
    exported = sum(1 for r in rows if not str(r.get("error", "")).startswith("export"))
    print(f"correct: {ok} of {len(checked)} checks (model, batch, precision; {exported} of "
          f"{len(rows)} rows exported); dsc no slower than the best PyTorch mode timed: "
          f"{faster} of {len(timed)} rows")


if __name__ == "__main__":
    main()
