# Vendored copy of ../shared/bench/peers.py (the peer baselines and model builders), so that
# scripts run on the GPU machine, where only this repository travels, build the same graphs.
"""Peer baselines for the dsc benchmark suite, measured on the GPU machine.

Builds each reference model in PyTorch with random weights (fixed seed), then
times PyTorch eager and torch.compile on the same device in one run, with CUDA
events: warm-up first, median of the timed repetitions.  Optionally exports
each model to ONNX so the compiler can be measured on the very same graphs.

usage: python3 peers.py [--models a,b] [--modes eager,compile] [--export DIR]
                        [--json OUT.json] [--dtype fp16|fp32]
"""
import argparse, json, os, statistics, sys, time
import torch, torch.nn as nn

torch.manual_seed(0)
ATTN = os.environ.get("PEERS_ATTN", "sdpa")  # the fastest attention a PyTorch user would pick


class MoE(nn.Module):
    """Mixtral-style sparse MoE feed-forward: router, top-2 of 8 SwiGLU experts."""
    def __init__(self, d=1024, ff=2816, experts=8, k=2):
        super().__init__()
        self.k = k
        self.router = nn.Linear(d, experts, bias=False)
        self.w1 = nn.ModuleList(nn.Linear(d, ff, bias=False) for _ in range(experts))
        self.w3 = nn.ModuleList(nn.Linear(d, ff, bias=False) for _ in range(experts))
        self.w2 = nn.ModuleList(nn.Linear(ff, d, bias=False) for _ in range(experts))

    def forward(self, x):                       # x: [tokens, d]
        logits = self.router(x)
        w, idx = torch.topk(torch.softmax(logits.float(), -1), self.k, dim=-1)
        w = (w / w.sum(-1, keepdim=True)).to(x.dtype)
        out = torch.zeros_like(x)
        for e in range(len(self.w1)):
            sel = (idx == e)
            gate = (w * sel).sum(-1, keepdim=True)
            h = torch.nn.functional.silu(self.w1[e](x)) * self.w3[e](x)
            out = out + gate * self.w2[e](h)    # dense formulation: exportable, exact
        return out


class MLP(nn.Module):
    def __init__(self, d=512):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.LayerNorm(d))
    def forward(self, x):
        return self.net(x)


def build(name, batch):
    if name == "resnet50":
        import torchvision
        return torchvision.models.resnet50(weights=None), (torch.randn(batch, 3, 224, 224),)
    if name == "bert":
        from transformers import BertConfig, BertModel
        m = BertModel(BertConfig(attn_implementation=ATTN), add_pooling_layer=False)
        ids = torch.randint(0, 30000, (batch, 128))
        class W(nn.Module):
            def __init__(s, m): super().__init__(); s.m = m
            def forward(s, ids): return s.m(input_ids=ids).last_hidden_state
        return W(m), (ids,)
    if name == "gpt2":
        from transformers import GPT2Config, GPT2Model
        m = GPT2Model(GPT2Config(attn_implementation=ATTN))
        ids = torch.randint(0, 50000, (batch, 512))
        class W(nn.Module):
            def __init__(s, m): super().__init__(); s.m = m
            def forward(s, ids): return s.m(input_ids=ids, use_cache=False).last_hidden_state
        return W(m), (ids,)
    if name == "moe":
        return MoE(), (torch.randn(batch * 256, 1024),)
    if name == "mlp":
        return MLP(), (torch.randn(batch, 512),)
    raise SystemExit(f"unknown model {name}")


def export(model, args, path, exporter):
    """Export to ONNX as a PyTorch user would: the default (dynamo) exporter, or the legacy
    TorchScript one (opset 17). Returns an error string, or "" on success."""
    import contextlib, io
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if exporter == "dynamo":
                torch.onnx.export(model, args, path, dynamo=True, external_data=False)
            else:
                torch.onnx.export(model, args, path, opset_version=17, dynamo=False)
        return ""
    except Exception as e:
        return f"{type(e).__name__}: {str(e)[:300]}"


def bench(fn, args, reps=50, warm=10):
    for _ in range(warm):
        fn(*args)
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(*args); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="mlp,resnet50,bert,gpt2,moe")
    p.add_argument("--batches", default="1,32")
    p.add_argument("--modes", default="eager,compile")
    p.add_argument("--dtype", default="fp16")
    p.add_argument("--export", default="")
    p.add_argument("--exporter", default="dynamo", choices=["dynamo", "torchscript"])
    p.add_argument("--floor", action="store_true", help="count FLOPs and weight bytes (the work a perfect run must do)")
    p.add_argument("--json", default="")
    a = p.parse_args()
    dt = {"fp16": torch.float16, "fp32": torch.float32, "bf16": torch.bfloat16}[a.dtype]
    rows = []
    for name in a.models.split(","):
        for batch in map(int, a.batches.split(",")):
            model, args = build(name, batch)
            model = model.eval().cuda().to(dt)
            args = tuple(x.cuda().to(dt) if x.is_floating_point() else x.cuda() for x in args)
            with torch.inference_mode():
                if a.floor:
                    from torch.utils.flop_counter import FlopCounterMode
                    fc = FlopCounterMode(display=False)
                    with fc:
                        model(*args)
                    wbytes = sum(p.numel() * p.element_size() for p in model.parameters())
                    row = dict(model=name, batch=batch, mode="floor", dtype=a.dtype, gflop=round(fc.get_total_flops() / 1e9, 3),
                               weight_mb=round(wbytes / 2**20, 2))
                    print(json.dumps(row), flush=True)
                    rows.append(row)
                for mode in a.modes.split(","):
                    t0 = time.time()
                    if mode == "eager":
                        fn = model
                    elif mode.startswith("compile"):
                        torch._dynamo.reset()
                        kw = {} if mode == "compile" else {"mode": mode.split(":", 1)[1]}
                        fn = torch.compile(model, **kw)
                        fn(*args); torch.cuda.synchronize()
                    ms = bench(fn, args)
                    row = dict(model=name, batch=batch, mode=mode, dtype=a.dtype, ms=round(ms, 4),
                               setup_s=round(time.time() - t0, 1))
                    print(json.dumps(row), flush=True)
                    rows.append(row)
            if a.export:
                os.makedirs(a.export, exist_ok=True)
                path = os.path.join(a.export, f"{name}_b{batch}.onnx")
                t0 = time.time()
                fargs = tuple(x.float() if x.is_floating_point() else x for x in args)
                err = export(model.float(), fargs, path, a.exporter)
                if err:  # report and go on: the timings above still stand
                    print(json.dumps(dict(export=path, error=err)), flush=True)
                else:
                    print(json.dumps(dict(export=path, bytes=os.path.getsize(path), s=round(time.time() - t0, 1))), flush=True)
            del model
            torch.cuda.empty_cache()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
