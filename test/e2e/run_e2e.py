#!/usr/bin/python3
"""End-to-end tests of dsc: builds the models of cases.py, has dsc produce
their outputs, and compares them with the numpy expectations.

How outputs are produced is a backend (--mode):
  eval  dsc eval MODEL --input NAME=FILE.npy ... --outputs DIR
  plan  dsc compile MODEL -o m.plan, then
        dsc run m.plan --device cpu --input NAME=FILE.npy ... --outputs DIR
Both write DIR/NAME.npy per output (NAME with characters outside
[A-Za-z0-9_.-] replaced by '_'), and exit 0 / 1 (error) / 2 (unsupported).

Run with Debian's /usr/bin/python3 (onnx and numpy).
usage: run_e2e.py --dsc build/tools/dsc/dsc [--mode eval|plan] [-k PATTERN]
                  [--keep DIR] [-v]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as model_set  # noqa: E402

# (rtol, atol) per output dtype; integers and bools must match exactly.
TOLERANCE = {
    np.dtype(np.float64): (1e-10, 1e-12),
    np.dtype(np.float32): (1e-5, 1e-6),
    np.dtype(np.float16): (1e-2, 1e-2),
}
# Generated kernels accumulate in another order and use the GPU's math
# library: float tolerances on the GPU.
GPU_TOLERANCE = {
    np.dtype(np.float64): (1e-9, 1e-11),
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float16): (1e-2, 1e-2),
}
TOLERANCES = TOLERANCE
TIMEOUT_S = 120


def file_name(output_name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", output_name) + ".npy"


class EvalBackend:
    def __init__(self, dsc):
        self.dsc = dsc

    def produce(self, model_path, input_files, out_dir, work_dir, fixed=(),
                dims=(), compiled=False, case=None):
        command = [self.dsc, "eval", model_path, "--outputs", out_dir]
        command += case.eval_args if case else []
        for name, path in input_files.items():
            command += ["--input", f"{name}={path}"]
        return [command]


class PlanBackend:
    def __init__(self, dsc, device="cpu"):
        self.dsc = dsc
        self.device = device

    def produce(self, model_path, input_files, out_dir, work_dir, fixed=(),
                dims=(), compiled=False, case=None):
        plan = os.path.join(work_dir, "m.plan")
        compile = [self.dsc, "compile", "--quiet", model_path, "-o", plan]
        compile += [f"--dim={dim}" for dim in dims]
        compile += case.compile_args if case else []
        run = [self.dsc, "run", plan, "--device", self.device, "--iterations", "0",
               "--outputs", out_dir]
        for name, path in input_files.items():
            if name in fixed:
                compile += ["--input-value", f"{name}={path}"]
            else:
                run += ["--input", f"{name}={path}"]
        # A plan compiled once serves every later run.
        return [run] if compiled else [compile, run]


def run_commands(commands):
    """Runs the commands in order, stopping at the first failure. Returns
    (exit code, combined output); a signal shows as a negative code."""
    output = ""
    for command in commands:
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  errors="replace", timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return -1000, output + f"timed out after {TIMEOUT_S}s: {command}"
        output += done.stdout + done.stderr
        if done.returncode != 0:
            return done.returncode, output
    return 0, output


def compare(name, actual, expected, tolerance, bf16):
    """Returns '' when `actual` matches `expected`, else the reason."""
    if bf16:
        expected = expected.astype(np.float32)
    if actual.dtype != expected.dtype:
        return f"{name}: dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"{name}: shape {actual.shape}, expected {expected.shape}"
    if expected.dtype in TOLERANCE:
        rtol, atol = tolerance or TOLERANCES[expected.dtype]
        with np.errstate(invalid="ignore"):
            a, e = actual.astype(np.float64), expected.astype(np.float64)
        ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        if not ok.all():
            bad = np.argwhere(~ok)[0]
            index = tuple(int(i) for i in bad)
            return (f"{name}: {int((~ok).sum())} of {ok.size} values differ "
                    f"(rtol {rtol}, atol {atol}); first at {index}: "
                    f"{a[index]!r} vs expected {e[index]!r}, max abs error "
                    f"{np.nanmax(np.abs(a - e)):.3g}")
        return ""
    if not np.array_equal(actual, expected):
        return f"{name}: values differ: {actual.ravel()[:8]} vs {expected.ravel()[:8]}"
    return ""


def run_case(case, backend, work_dir):
    """Returns '' on success, else why the case failed."""
    os.makedirs(work_dir, exist_ok=True)
    if case.save:
        model_path = case.save(work_dir)
    else:
        model_path = os.path.join(work_dir, "model.onnx")
        onnx.save(case.model, model_path)
    runs = [(case.inputs, case.expected)] + list(case.more_runs)
    for number, (inputs, expected) in enumerate(runs):
        problem = run_once(case, backend, model_path, inputs, expected,
                           os.path.join(work_dir, f"run{number}"), work_dir,
                           compiled=number > 0)
        if problem:
            return f"run {number}: {problem}" if number else problem
    return ""


def run_once(case, backend, model_path, inputs, expected_outputs, run_dir,
             work_dir, compiled):
    os.makedirs(run_dir, exist_ok=True)
    input_files = {}
    for i, (name, value) in enumerate(inputs.items()):
        path = os.path.join(run_dir, f"input{i}.npy")
        np.save(path, value)
        input_files[name] = path
    out_dir = os.path.join(run_dir, "outputs")
    rc, output = run_commands(
        backend.produce(model_path, input_files, out_dir, work_dir,
                        case.fixed_inputs, case.dims, compiled, case))

    expect_rc, expect_error = case.expect_rc, case.expect_error
    if isinstance(backend, PlanBackend) and case.plan_expect:
        expect_rc, expect_error = case.plan_expect
    if expect_rc == -1:  # fuzzing: any orderly exit
        if rc in (0, 1, 2):
            return ""
        return f"exit code {rc} (a crash or hang), output:\n{output}"
    if rc != expect_rc:
        return f"exit code {rc}, expected {expect_rc}; output:\n{output}"
    if rc != 0:
        missing = [s for s in expect_error if s not in output]
        if missing:
            return f"error message lacks {missing}:\n{output}"
        if output.count("\n") > 3:
            return f"the error is not one short message:\n{output}"
        return ""
    problems = []
    for name, expected in expected_outputs.items():
        path = os.path.join(out_dir, file_name(name))
        if not os.path.exists(path):
            problems.append(f"{name}: no output file {path}")
            continue
        actual = np.load(path)
        problem = compare(name, actual, np.asarray(expected), case.tolerance,
                          name in case.bf16_outputs)
        if problem:
            problems.append(problem)
    for name in case.unwritten:
        path = os.path.join(out_dir, file_name(name))
        if os.path.exists(path):
            problems.append(f"{name}: {path} was written, expected none")
    return "\n".join(problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsc", required=True, help="path of the dsc binary")
    parser.add_argument("--mode", choices=["eval", "plan"], default="eval")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu",
                        help="where `dsc run` executes plans (--mode plan)")
    parser.add_argument("-k", "--filter", default="",
                        help="only cases whose name matches this regex")
    parser.add_argument("--keep", help="keep the models and outputs here")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="cases run at once")
    args = parser.parse_args()

    global TOLERANCES
    dsc = os.path.abspath(args.dsc)
    if args.mode == "plan":
        backend = PlanBackend(dsc, args.device)
    else:
        backend = EvalBackend(dsc)
    if args.device == "gpu":
        TOLERANCES = GPU_TOLERANCE
    selected = [c for c in model_set.all_cases()
                if re.search(args.filter, c.name)]
    root = args.keep or tempfile.mkdtemp(prefix="dsc-e2e-")
    passed, failures = 0, []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        problems = list(pool.map(
            lambda case: run_case(case, backend, os.path.join(root, case.name)),
            selected))
    for case, problem in zip(selected, problems):
        if problem:
            failures.append(case.name)
            print(f"FAIL {case.name}\n  " + problem.replace("\n", "\n  "))
        else:
            passed += 1
            if args.verbose:
                print(f"PASS {case.name}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    print(f"e2e ({args.mode}, {args.device}): {passed} passed, {len(failures)} failed, "
          f"{len(selected)} total")
    return 1 if failures or not selected else 0


if __name__ == "__main__":
    sys.exit(main())
