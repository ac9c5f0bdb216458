#!/usr/bin/python3
"""ONNX conformance: runs ONNX's own backend tests (Debian's libonnx-testdata)
through dsc and classifies each test as pass, fail, unsupported or crash.

Every test is a folder holding model.onnx and test_data_set_*/input_N.pb,
output_N.pb (TensorProto files; SequenceProto and OptionalProto for sequence
and optional values). The inputs become .npy files, a backend has dsc produce
the outputs, and each output is compared with the expected one (per-dtype
tolerances, NaN equals NaN, integers and bools exact). A sequence input S of
L tensors becomes the inputs S[0] ... S[L-1] (--sequence-length S=L; their
shapes go to dsc compile with --input-shape where the model leaves them
open), a sequence output is compared tensor by tensor, and an optional input
holding no value is left out (--absent NAME).

Backends (--backend):
  eval      dsc eval MODEL --input NAME=FILE.npy ... --outputs DIR
            (the CPU reference on the imported graph; what CI runs)
  plan-cpu  dsc compile MODEL -o m.plan; dsc run m.plan --device cpu ...
  gpu       dsc compile MODEL -o m.plan; dsc run m.plan --device gpu ...

Classification:
  pass         every data set ran and every output matched
  fail         ran but wrong values/shape/dtype/missing output; exit 1 on a
               valid model; exit 2 without a one-line message
  unsupported  exit 2 with a one-line message (its op name is recorded)
  crash        a signal, a timeout, an exit code other than 0/1/2, or an
               exit 1 whose output holds a stack dump or fatal error
  runner-unsupported  the test's inputs or outputs are maps or sparse
               tensors, which .npy files cannot carry (counted apart)

With --baseline FILE the run fails when a test listed there no longer passes
(a regression) or when any test crashes; tests passing that are not listed are
printed, and --update-baseline rewrites the file.

Run with Debian's /usr/bin/python3 (onnx 1.12 and numpy).
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# Debian's libonnx-testdata; elsewhere (the GPU machine) a copy of its data
# folder named by --data or $DSC_ONNX_TESTDATA.
DATA_ROOT = os.environ.get("DSC_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data")
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
STATUSES = ["pass", "fail", "unsupported", "crash", "runner-unsupported"]

# (rtol, atol) per ONNX element type. fp32/fp64 are the defaults of ONNX's
# backend test runner (onnx/backend/test/runner); fp16 and bf16 are looser by
# their precision (their epsilons are 1e-3 and 8e-3).
TOLERANCE = {
    TensorProto.DOUBLE: (1e-3, 1e-7),
    TensorProto.FLOAT: (1e-3, 1e-7),
    TensorProto.FLOAT16: (1e-2, 1e-3),
    TensorProto.BFLOAT16: (2e-2, 1e-2),
}
# Generated kernels use the GPU's math library and another summation order:
# values near zero need an absolute tolerance.
GPU_TOLERANCE = {
    TensorProto.DOUBLE: (1e-3, 1e-7),
    TensorProto.FLOAT: (1e-3, 1e-5),
    TensorProto.FLOAT16: (1e-2, 1e-3),
    TensorProto.BFLOAT16: (2e-2, 1e-2),
}

# Output that means the process died rather than reporting an error.
CRASH_MARKERS = ["Stack dump:", "PLEASE submit a bug report", "LLVM ERROR:",
                 "terminate called", "Assertion `", "AddressSanitizer",
                 "Segmentation fault"]


class Test:
    """One backend test: its folder, model facts and data sets."""

    def __init__(self, suite, name):
        self.suite = suite
        self.name = name
        self.dir = os.path.join(DATA_ROOT, suite, name)
        self.id = f"{suite}/{name}"


def discover(suites, pattern):
    """The tests of `suites` whose id matches `pattern`, in a stable order."""
    tests = []
    for suite in suites:
        root = os.path.join(DATA_ROOT, suite)
        for name in sorted(os.listdir(root)):
            if os.path.exists(os.path.join(root, name, "model.onnx")):
                test = Test(suite, name)
                if re.search(pattern, test.id):
                    tests.append(test)
    return tests


def model_facts(model):
    """Op types (of the main graph, and apart those of its subgraphs) and
    the opset of each domain: what the support table is made from, recorded
    so that it needs no second pass over the models."""
    opsets = {(o.domain or "ai.onnx"): o.version for o in model.opset_import}

    def name(node):
        domain = node.domain or "ai.onnx"
        return node.op_type if domain == "ai.onnx" else f"{domain}::{node.op_type}"

    def subgraph_ops(graph, into):
        for node in graph.node:
            for attribute in node.attribute:
                for g in [attribute.g] if attribute.HasField("g") else attribute.graphs:
                    into.update(name(n) for n in g.node)
                    subgraph_ops(g, into)
        return into

    return {"ops": sorted({name(n) for n in model.graph.node}),
            "subgraph_ops": sorted(subgraph_ops(model.graph, set())),
            "opsets": opsets}


def graph_inputs(model):
    """Inputs that the data sets feed: the graph inputs that are not
    initializers, in order (the convention of ONNX's backend runner)."""
    initializers = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def value_kind(type_proto):
    """(kind, optional, tensor type) of a graph input or output: kind is
    'tensor', 'sequence' (of tensors) or what else it is."""
    optional = type_proto.WhichOneof("value") == "optional_type"
    if optional:
        type_proto = type_proto.optional_type.elem_type
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        element = type_proto.sequence_type.elem_type
        if element.WhichOneof("value") != "tensor_type":
            return f"sequence of {element.WhichOneof('value')}", optional, None
        return "sequence", optional, element.tensor_type
    if kind == "tensor_type":
        return "tensor", optional, type_proto.tensor_type
    return str(kind), optional, None


def non_tensor_value(model):
    """Names the first input or output that is neither a tensor nor a
    sequence of tensors (nor an optional of either), or ''."""
    for what, values in (("input", model.graph.input),
                         ("output", model.graph.output)):
        for value in values:
            kind, _, _ = value_kind(value.type)
            if kind not in ("tensor", "sequence"):
                return f"{what} '{value.name}' is a {kind}"
    return ""


def load_value(path, type_proto):
    """The value of a .pb file holding a graph input or output of type
    `type_proto`: a TensorProto, a list of them for a sequence, or None for
    an optional holding no value."""
    kind, optional, _ = value_kind(type_proto)
    with open(path, "rb") as f:
        data = f.read()
    if optional:
        proto = onnx.OptionalProto()
        proto.ParseFromString(data)
        if proto.HasField("sequence_value"):
            return list(proto.sequence_value.tensor_values)
        if proto.HasField("tensor_value"):
            return proto.tensor_value
        return None
    if kind == "sequence":
        proto = onnx.SequenceProto()
        proto.ParseFromString(data)
        return list(proto.tensor_values)
    proto = TensorProto()
    proto.ParseFromString(data)
    return proto


def file_name(output_name):
    """The file dsc writes an output to (tools/dsc: writeOutputs)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", output_name) + ".npy"


def to_npy_array(tensor, elem_type):
    """A TensorProto (or a file holding one) as an array np.save can write
    without pickling; `elem_type` is the type the model declares for it."""
    if isinstance(tensor, str):
        tensor = onnx.load_tensor(tensor)
    array = numpy_helper.to_array(tensor)
    if elem_type == TensorProto.BFLOAT16 and array.dtype == np.uint16:
        # The test data stores bf16 as its bits (in UINT16 tensors). dsc
        # reads and writes bf16 as float32 .npy files: bf16 is the upper
        # half of a float32.
        array = (array.astype(np.uint32) << 16).view(np.float32)
    if array.dtype == object:
        array = np.array(array.tolist(), dtype=np.bytes_)
    return array


class EvalBackend:
    """dsc eval per data set: nothing to prepare."""
    name = "eval"

    def __init__(self, dsc):
        self.dsc = dsc

    def prepare(self, model_path, work_dir, values, dims=(), boundary=None):
        return []

    def run(self, model_path, inputs, out_dir, work_dir, boundary=None):
        command = [self.dsc, "eval", model_path, "--outputs", out_dir]
        if boundary:
            command += boundary.arguments(shapes=False)
        for name, path in inputs:
            command += ["--input", f"{name}={path}"]
        return command


class PlanBackend:
    """dsc compile once per test, dsc run per data set."""

    def __init__(self, dsc, device):
        self.dsc = dsc
        self.device = device
        self.name = "gpu" if device == "gpu" else "plan-cpu"

    def prepare(self, model_path, work_dir, values, dims=(), boundary=None):
        plan = os.path.join(work_dir, "m.plan")
        command = [self.dsc, "compile", "--quiet", model_path, "-o", plan]
        command += [f"--dim={name}={size}" for name, size in dims]
        if boundary:
            command += boundary.arguments(shapes=True)
        for name, path in values:
            command += ["--input-value", f"{name}={path}"]
        return command

    def run(self, model_path, inputs, out_dir, work_dir, boundary=None):
        command = [self.dsc, "run", os.path.join(work_dir, "m.plan"),
                   "--device", self.device, "--iterations", "0",
                   "--outputs", out_dir]
        for name, path in inputs:
            command += ["--input", f"{name}={path}"]
        return command


class Boundary:
    """What a data set tells dsc about the sequence and optional inputs:
    sequence lengths, optional inputs holding no value, and the shapes of
    sequence tensors the model leaves open (plans need them)."""

    def __init__(self):
        self.lengths = []
        self.absent = []
        self.shapes = []

    def arguments(self, shapes):
        args = [f"--sequence-length={name}={length}"
                for name, length in self.lengths]
        args += [f"--absent={name}" for name in self.absent]
        if shapes:
            args += [f"--input-shape={name}={','.join(map(str, shape))}"
                     for name, shape in self.shapes]
        return args


def static_shape(tensor_type):
    """Whether a declared tensor type has a size for every dimension."""
    return tensor_type.HasField("shape") and all(
        d.HasField("dim_value") for d in tensor_type.shape.dim)


def write_inputs(model, data_set, set_dir):
    """Writes the inputs of `data_set` as .npy files: [(name, path)] and the
    Boundary of its sequence and optional inputs."""
    inputs = []
    boundary = Boundary()
    for index, info in enumerate(graph_inputs(model)):
        source = os.path.join(data_set, f"input_{index}.pb")
        if not os.path.exists(source):
            continue  # an optional input the data set leaves out
        kind, optional, tensor_type = value_kind(info.type)
        value = load_value(source, info.type)
        if value is None:
            boundary.absent.append(info.name)
            continue
        if kind == "tensor":
            path = os.path.join(set_dir, f"input_{index}.npy")
            np.save(path, to_npy_array(value, tensor_type.elem_type))
            inputs.append((info.name, path))
            continue
        boundary.lengths.append((info.name, len(value)))
        for k, element in enumerate(value):
            name = f"{info.name}[{k}]"
            path = os.path.join(set_dir, f"input_{index}_{k}.npy")
            array = to_npy_array(element, element.data_type)
            np.save(path, array)
            inputs.append((name, path))
            if not static_shape(tensor_type):
                boundary.shapes.append((name, array.shape))
    return inputs, boundary


def execute(command, timeout):
    """(exit code, output) of `command`; a signal is a negative code and a
    timeout is None."""
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    return done.returncode, (done.stdout + done.stderr).strip()


def classify_exit(rc, output):
    """Classifies a non-zero exit: (status, detail)."""
    if rc is None:
        return "crash", output
    if rc < 0:
        return "crash", f"killed by signal {-rc}: {tail(output)}"
    if rc not in (1, 2) or any(m in output for m in CRASH_MARKERS):
        return "crash", f"exit {rc}: {tail(output)}"
    lines = [line for line in output.splitlines() if line.strip()]
    if rc == 2:
        if len(lines) == 1:
            return "unsupported", lines[0]
        return "fail", f"exit 2 without a one-line message: {tail(output)}"
    return "fail", f"exit 1: {tail(output)}"


def tail(output, lines=6):
    """The last lines of a process's output, enough to see why it failed."""
    return "\n".join(output.splitlines()[-lines:])


def compare(name, actual, expected, elem_type, tolerances):
    """'' when `actual` matches `expected`, else why not."""
    if expected.dtype.kind in "SU":
        # Strings: dsc writes numpy unicode (<U), the test data bytes (|S).
        if actual.dtype.kind not in "SU":
            return f"{name}: dtype {actual.dtype}, expected strings"
        if actual.shape != expected.shape:
            return f"{name}: shape {actual.shape}, expected {expected.shape}"
        def text(array):
            return [v.decode("utf-8") if isinstance(v, bytes) else v
                    for v in array.ravel().tolist()]
        if text(actual) != text(expected):
            return (f"{name}: strings differ: {text(actual)[:6]} vs expected "
                    f"{text(expected)[:6]}")
        return ""
    if actual.dtype != expected.dtype:
        return f"{name}: dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"{name}: shape {actual.shape}, expected {expected.shape}"
    if elem_type in tolerances:
        rtol, atol = tolerances[elem_type]
        a, e = actual.astype(np.float64), expected.astype(np.float64)
        ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        if ok.all():
            return ""
        first = tuple(int(i) for i in np.argwhere(~ok)[0])
        with np.errstate(invalid="ignore"):
            worst = np.nanmax(np.abs(a - e)) if a.size else 0.0
        return (f"{name}: {int((~ok).sum())} of {ok.size} values differ "
                f"(rtol {rtol}, atol {atol}); first at {first}: {a[first]!r} "
                f"vs expected {e[first]!r}; max abs error {worst:.3g}")
    if not np.array_equal(actual, expected):
        return (f"{name}: values differ: {actual.ravel()[:6]} vs expected "
                f"{expected.ravel()[:6]}")
    return ""


def check_outputs(model, data_set, out_dir, tolerances):
    """Compares each output_N.pb of `data_set` with what dsc wrote: a
    sequence output S tensor by tensor (S[0] ...), and an optional holding
    no value as no file at all."""
    problems = []

    def check(name, expected, elem_type):
        path = os.path.join(out_dir, file_name(name))
        if not os.path.exists(path):
            problems.append(f"{name}: dsc wrote no {path}")
            return
        problem = compare(name, np.load(path), to_npy_array(expected, elem_type),
                          elem_type, tolerances)
        if problem:
            problems.append(problem)

    def check_absent(name):
        path = os.path.join(out_dir, file_name(name))
        if os.path.exists(path):
            problems.append(f"{name}: dsc wrote {path}, expected none")

    for index, output in enumerate(model.graph.output):
        expected_file = os.path.join(data_set, f"output_{index}.pb")
        if not os.path.exists(expected_file):
            continue
        kind, _, tensor_type = value_kind(output.type)
        expected = load_value(expected_file, output.type)
        if expected is None:
            check_absent(output.name)
            check_absent(f"{output.name}[0]")
        elif isinstance(expected, list):
            for k, element in enumerate(expected):
                check(f"{output.name}[{k}]", element, element.data_type)
            check_absent(f"{output.name}[{len(expected)}]")
        else:
            check(output.name, expected, tensor_type.elem_type)
    return "\n".join(problems)


def run_test(test, backend, work_root, timeout, tolerances):
    """Runs every data set of `test`: a dict for the JSON report."""
    started = time.monotonic()
    model_path = os.path.join(test.dir, "model.onnx")
    model = onnx.load(model_path)
    result = {"suite": test.suite, "name": test.name, **model_facts(model)}

    def done(status, detail=""):
        result.update(status=status, detail=detail,
                      seconds=round(time.monotonic() - started, 3))
        return result

    reason = non_tensor_value(model)
    if reason:
        return done("runner-unsupported", reason)
    work_dir = os.path.join(work_root, test.suite, test.name)
    os.makedirs(work_dir, exist_ok=True)
    # Inputs whose values a node needs at import (a Reshape target fed as a
    # graph input) are fixed to each data set's value: the model is then
    # specialized to it (compiled once per data set). Recorded in the report.
    fixed = []
    compiled = None
    for data_set in sorted(glob.glob(os.path.join(test.dir, "test_data_set_*"))):
        set_dir = os.path.join(work_dir, os.path.basename(data_set))
        os.makedirs(set_dir, exist_ok=True)
        inputs, boundary = write_inputs(model, data_set, set_dir)
        # Named dimensions (dim_param) take the data set's sizes.
        dims = {}
        paths = dict(inputs)
        for info in graph_inputs(model):
            kind, _, tensor_type = value_kind(info.type)
            if info.name not in paths or kind != "tensor":
                continue
            shape = np.load(paths[info.name], mmap_mode="r").shape
            for axis, dim in enumerate(tensor_type.shape.dim):
                if dim.dim_param and axis < len(shape):
                    dims.setdefault(dim.dim_param, shape[axis])
        # Compiled again when a data set needs another plan (other fixed
        # values, sequence lengths or shapes).
        while True:
            values = [(n, p) for n, p in inputs if n in fixed]
            prepare = backend.prepare(model_path, work_dir, values,
                                      sorted(dims.items()), boundary)
            if not prepare or prepare == compiled:
                break
            rc, output = execute(prepare, timeout)
            needed = re.search(r"--input-value (.+?)=FILE\.npy", output or "")
            if (rc == 2 and needed and needed.group(1) not in fixed
                    and needed.group(1) in dict(inputs)):
                fixed.append(needed.group(1))
                continue
            if rc != 0:
                return done(*classify_exit(rc, output))
            compiled = prepare
            break
        out_dir = os.path.join(set_dir, "outputs")
        run_inputs = [(n, p) for n, p in inputs if n not in fixed]
        rc, output = execute(
            backend.run(model_path, run_inputs if prepare else inputs, out_dir,
                        work_dir, boundary), timeout)
        if rc != 0:
            return done(*classify_exit(rc, output))
        for name in re.findall(r"note: input '(.+?)' is fixed at import", output):
            if name not in fixed:
                fixed.append(name)
        problem = check_outputs(model, data_set, out_dir, tolerances)
        if problem:
            return done("fail", f"{os.path.basename(data_set)}: {problem}")
    if fixed:
        result["fixed_inputs"] = fixed
    if dims and backend.prepare(model_path, work_dir, [], ()):
        result["dims"] = dict(dims)
    return done("pass")


def unsupported_reason(detail):
    """The blocker an unsupported message names, as a short key: 'Op' for an
    op dsc lacks, else the message with names and numbers made generic."""
    message = re.sub(r"^dsc( \w+)?: (error: )?", "", detail)
    node = re.match(r"node '.*?' \(op_type '([^']*)', domain '([^']*)', "
                    r"opset (\w+)\): (.*)", message)
    if node:
        op, domain, _, why = node.groups()
        op = op if domain == "ai.onnx" else f"{domain}::{op}"
        if why == "unsupported op":
            return op
        why = re.sub(r"'[^']*'", "'…'", why)
        return f"{op}: {re.sub(r'[0-9]+', 'N', why)}"
    message = re.sub(r"'[^']*'", "'…'", message)
    return re.sub(r"\b[0-9]+\b", "N", message)


def load_baseline(path):
    """Test ids listed in a baseline file (comments start with #)."""
    if not path or not os.path.exists(path):
        return set()
    with open(path) as f:
        return {line.strip() for line in f
                if line.strip() and not line.startswith("#")}


def write_baseline(path, passing, backend):
    with open(path, "w") as f:
        f.write(f"# Tests of libonnx-testdata that pass with --backend {backend}.\n"
                "# A run with --baseline fails if one of them stops passing.\n"
                f"# Regenerate: test/onnx/run_conformance.py --dsc build/tools/dsc/dsc --backend {backend} "
                f"--baseline {os.path.relpath(path)} --update-baseline\n")
        for test_id in sorted(passing):
            f.write(test_id + "\n")


def print_report(results, tests, verbose):
    """Counts per suite, a few lines per failing test, the top blockers."""
    for result, test in zip(results, tests):
        status = result["status"]
        if status in ("fail", "crash") or verbose:
            detail = result["detail"].replace("\n", "\n    ")
            print(f"{status.upper()} {test.id}" + (f"\n    {detail}" if detail else ""))
    counts = collections.defaultdict(collections.Counter)
    for result in results:
        counts[result["suite"]][result["status"]] += 1
        counts["total"][result["status"]] += 1
    print(f"\n{'suite':<20}" + "".join(f"{s:>20}" for s in STATUSES) + f"{'total':>8}")
    for suite in [s for s in SUITES if s in counts] + ["total"]:
        row = counts[suite]
        print(f"{suite:<20}" + "".join(f"{row[s]:>20}" for s in STATUSES)
              + f"{sum(row.values()):>8}")
    specialized = [r for r in results
                   if r["status"] == "pass" and r.get("fixed_inputs")]
    if specialized:
        print(f"\n{len(specialized)} of the passing tests ran with graph inputs fixed "
              "at import (their values determine shapes: --input-value)")
    sized = [r for r in results if r["status"] == "pass" and r.get("dims")]
    if sized:
        print(f"{len(sized)} of the passing tests compiled with their named "
              "dimensions set to the data's sizes (--dim NAME=N)")
    blockers = collections.Counter(unsupported_reason(r["detail"])
                                   for r in results if r["status"] == "unsupported")
    if blockers:
        print("\nmost frequent unsupported reasons (tests blocked):")
        for reason, count in blockers.most_common(12):
            print(f"  {count:4} {reason}")
    skipped = [f"{r['suite']}/{r['name']}" for r in results
               if r["status"] == "runner-unsupported"]
    if skipped:
        print(f"\nrunner-unsupported (map or sparse values): {' '.join(skipped)}")


def check_baseline(results, baseline, selected_ids):
    """Regressions (baseline tests in this run that do not pass) and tests
    passing that the baseline lacks."""
    passing = {f"{r['suite']}/{r['name']}" for r in results if r["status"] == "pass"}
    regressions = sorted((baseline & selected_ids) - passing)
    new = sorted(passing - baseline)
    return regressions, new, passing


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[1:]))
    parser.add_argument("--dsc", required=True, help="path of the dsc binary")
    parser.add_argument("--backend", choices=["eval", "plan-cpu", "gpu"], default="eval")
    parser.add_argument("--suite", action="append", choices=SUITES,
                        help="only this suite (repeatable; default: all)")
    parser.add_argument("-k", "--filter", default="",
                        help="only tests whose SUITE/NAME matches this regex")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds per dsc command before it counts as a crash")
    parser.add_argument("--json", help="write every test's result here")
    parser.add_argument("--baseline", help="file of tests that must keep passing")
    parser.add_argument("--update-baseline", action="store_true",
                        help="rewrite --baseline with the tests passing now")
    parser.add_argument("--data", help="the testdata folder (default: $DSC_ONNX_TESTDATA "
                        "or Debian's /usr/share/libonnx-testdata/data)")
    parser.add_argument("--keep", help="keep inputs and outputs in this folder")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every test, not only failures and crashes")
    args = parser.parse_args()
    if args.data:
        global DATA_ROOT
        DATA_ROOT = args.data

    dsc = os.path.abspath(args.dsc)
    backend = EvalBackend(dsc) if args.backend == "eval" else PlanBackend(
        dsc, "gpu" if args.backend == "gpu" else "cpu")
    tolerances = GPU_TOLERANCE if args.backend == "gpu" else TOLERANCE
    tests = discover(args.suite or SUITES, args.filter)
    if not tests:
        print("no tests selected", file=sys.stderr)
        return 1
    work_root = args.keep or tempfile.mkdtemp(prefix="dsc-onnx-")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(
            lambda t: run_test(t, backend, work_root, args.timeout, tolerances),
            tests))
    elapsed = time.monotonic() - started
    if not args.keep:
        shutil.rmtree(work_root, ignore_errors=True)

    print_report(results, tests, args.verbose)
    print(f"\n{len(tests)} tests, backend {args.backend}, -j {args.jobs}: {elapsed:.0f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"backend": args.backend, "seconds": round(elapsed, 1),
                       "tests": results}, f, indent=1)

    failed = False
    crashes = [r for r in results if r["status"] == "crash"]
    if crashes:
        print(f"\nERROR: {len(crashes)} tests crashed (see CRASH lines)")
        failed = True
    if args.baseline:
        baseline = load_baseline(args.baseline)
        regressions, new, passing = check_baseline(
            results, baseline, {t.id for t in tests})
        if regressions:
            print(f"\nERROR: {len(regressions)} tests of the baseline no longer pass:")
            for test_id in regressions:
                print(f"  {test_id}")
            failed = True
        if new:
            print(f"\n{len(new)} tests pass that the baseline lacks "
                  f"(--update-baseline adds them):")
            for test_id in new:
                print(f"  {test_id}")
        if args.update_baseline:
            unselected = baseline - {t.id for t in tests}
            write_baseline(args.baseline, passing | unselected, args.backend)
            print(f"\nwrote {args.baseline}: {len(passing | unselected)} tests")
            failed = bool(crashes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
