"""Sequences (static lists at import), static control flow (If, Loop, Scan
inlined) and Gradient: expected outputs computed with numpy and Python lists."""
import numpy as np
from onnx import TensorProto, helper

from cases import Case, make_model, rand

TRAINING = helper.make_opsetid("ai.onnx.preview.training", 1)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name + "_v", TensorProto.INT64 if np.asarray(value).dtype.kind == "i"
        else TensorProto.BOOL, np.asarray(value).shape,
        np.asarray(value).flatten().tolist()))


def sequence_op_cases():
    cases = []
    a, b, c = rand(2, 3), rand(2, 3), rand(2, 3)
    # Construct, erase (negative position), insert (negative), at (negative).
    seq = [a, b, c]
    del seq[-3]
    seq.insert(-1, a)            # [b, a, c]
    nodes = [helper.make_node("SequenceConstruct", ["a", "b", "c"], ["s1"]),
             const("p_erase", -3),
             helper.make_node("SequenceErase", ["s1", "p_erase"], ["s2"]),
             const("p_insert", -1),
             helper.make_node("SequenceInsert", ["s2", "a", "p_insert"], ["s3"]),
             const("p_at", -2),
             helper.make_node("SequenceAt", ["s3", "p_at"], ["y"]),
             helper.make_node("SequenceLength", ["s3"], ["n"]),
             helper.make_node("ConcatFromSequence", ["s3"], ["cat"], axis=-1),
             helper.make_node("ConcatFromSequence", ["s3"], ["stack"], axis=-1,
                              new_axis=1)]
    inputs = {"a": a, "b": b, "c": c}
    model = make_model(nodes, inputs, [("y", np.float32, None),
                                       ("n", np.int64, None),
                                       ("cat", np.float32, None),
                                       ("stack", np.float32, None)], opset=12)
    cases.append(Case("seq-construct-erase-insert-at", model, inputs, {
        "y": seq[-2], "n": np.array(len(seq), np.int64),
        "cat": np.concatenate(seq, axis=-1), "stack": np.stack(seq, axis=-1)}))

    # SplitToSequence: scalar split (last chunk smaller), 1-D split, absent
    # split with keepdims=0; SequenceEmpty with a dtype.
    x = rand(5, 4)
    nodes = [const("two", 2),
             helper.make_node("SplitToSequence", ["x", "two"], ["chunks"]),
             const("last", -1),
             helper.make_node("SequenceAt", ["chunks", "last"], ["tail"]),
             helper.make_node("SequenceLength", ["chunks"], ["nchunks"]),
             const("sizes", [1, 3]),
             helper.make_node("SplitToSequence", ["x", "sizes"], ["cols"],
                              axis=1),
             const("one", 1),
             helper.make_node("SequenceAt", ["cols", "one"], ["wide"]),
             helper.make_node("SplitToSequence", ["x"], ["rows"], axis=0,
                              keepdims=0),
             helper.make_node("ConcatFromSequence", ["rows"], ["back"], axis=0,
                              new_axis=1)]
    model = make_model(nodes, {"x": x}, [("tail", np.float32, None),
                                         ("nchunks", np.int64, None),
                                         ("wide", np.float32, None),
                                         ("back", np.float32, None)], opset=12)
    cases.append(Case("seq-split-to-sequence", model, {"x": x}, {
        "tail": x[4:5], "nchunks": np.array(3, np.int64), "wide": x[:, 1:4],
        "back": x}))

    i = np.arange(6, dtype=np.int64).reshape(2, 3)
    nodes = [helper.make_node("SequenceEmpty", [], ["e"],
                              dtype=TensorProto.INT64),
             helper.make_node("SequenceInsert", ["e", "i"], ["s1"]),
             const("front", 0),
             helper.make_node("SequenceInsert", ["s1", "i", "front"], ["s2"]),
             helper.make_node("ConcatFromSequence", ["s2"], ["y"], axis=0)]
    model = make_model(nodes, {"i": i}, [("y", np.int64, None)], opset=12)
    cases.append(Case("seq-empty-int64", model, {"i": i},
                      {"y": np.concatenate([i, i])}))

    # SequenceMap with a tensor passed whole, through Identity; a sequence
    # out of an If branch.
    w = rand(3)
    body = helper.make_graph(
        [helper.make_node("Mul", ["elem", "scale"], ["prod"])], "body",
        [helper.make_tensor_value_info("elem", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("scale", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("prod", TensorProto.FLOAT, None)])
    then_branch = helper.make_graph(
        [helper.make_node("SequenceConstruct", ["c", "a"], ["ts"])], "then",
        [], [helper.make_tensor_sequence_value_info("ts", TensorProto.FLOAT,
                                                    None)])
    else_branch = helper.make_graph(
        [helper.make_node("SequenceConstruct", ["b"], ["es"])], "else", [],
        [helper.make_tensor_sequence_value_info("es", TensorProto.FLOAT,
                                                None)])
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s"]),
             helper.make_node("SequenceMap", ["s", "w"], ["m"], body=body),
             helper.make_node("Identity", ["m"], ["m2"]),
             helper.make_node("ConcatFromSequence", ["m2"], ["y"], axis=0),
             const("yes", True),
             helper.make_node("If", ["yes"], ["picked"],
                              then_branch=then_branch,
                              else_branch=else_branch),
             const("zero", 0),
             helper.make_node("SequenceAt", ["picked", "zero"], ["first"])]
    inputs = {"a": a, "b": b, "c": c, "w": w}
    model = make_model(nodes, inputs, [("y", np.float32, None),
                                       ("first", np.float32, None)], opset=17)
    cases.append(Case("seq-map-identity-if", model, inputs,
                      {"y": np.concatenate([a * w, b * w]), "first": c}))

    # Errors: a position out of range, a sequence graph input without a
    # length, a sequence fed to a tensor op.
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s"]),
             const("p", 2),
             helper.make_node("SequenceAt", ["s", "p"], ["y"], name="at")]
    model = make_model(nodes, {"a": a, "b": b}, [("y", np.float32, None)],
                       opset=12)
    cases.append(Case("seq-at-out-of-range", model, {"a": a, "b": b},
                      expect_rc=1, expect_error=["'at'", "SequenceAt",
                                                 "position 2", "out of range"]))
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s"])]
    model = make_model(nodes, {"a": a, "b": b}, [], opset=12)
    model.graph.output.append(helper.make_tensor_sequence_value_info(
        "s", TensorProto.FLOAT, None))
    # (A sequence graph output is its tensors, s[0] and s[1].)
    cases.append(Case("seq-graph-output", model, {"a": a, "b": b},
                      {"s[0]": a, "s[1]": b}))
    nodes = [helper.make_node("SequenceAt", ["s", "p"], ["y"])]
    model = make_model(nodes, {}, [("y", np.float32, None)], opset=12,
                       initializers={"p": np.array(0, np.int64)})
    model.graph.input.append(helper.make_tensor_sequence_value_info(
        "s", TensorProto.FLOAT, None))
    cases.append(Case("seq-graph-input-no-length", model, {},
                      expect_rc=2, expect_error=["graph input 's'",
                                                 "--sequence-length s=L"]))
    long = rand(5000)
    nodes = [helper.make_node("SplitToSequence", ["l"], ["s"], name="split"),
             helper.make_node("SequenceLength", ["s"], ["n"])]
    model = make_model(nodes, {"l": long}, [("n", np.int64, None)], opset=12)
    cases.append(Case("seq-split-too-long", model, {"l": long}, expect_rc=2,
                      expect_error=["'split'", "SplitToSequence", "4096"]))
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"], name="relu")]
    model = make_model(nodes, {"a": a, "b": b}, [("y", np.float32, None)],
                       opset=12)
    cases.append(Case("seq-into-tensor-op-unsupported", model,
                      {"a": a, "b": b}, expect_rc=2,
                      expect_error=["'relu'", "Relu", "sequence"]))
    return cases


def control_flow_cases():
    cases = []
    x, w = rand(2, 3), rand(3)
    # If whose condition folds at import (3 > 2): the then branch, which
    # reads x and w from the outer scope, is inlined.
    then_branch = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["t"])], "then", [],
        [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
    else_branch = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["e"])], "else", [],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)])
    nodes = [const("three", 3), const("two", 2),
             helper.make_node("Greater", ["three", "two"], ["cond"]),
             helper.make_node("If", ["cond"], ["y"], then_branch=then_branch,
                              else_branch=else_branch)]
    model = make_model(nodes, {"x": x, "w": w}, [("y", np.float32, None)])
    cases.append(Case("if-folded-condition", model, {"x": x, "w": w},
                      {"y": x + w}))

    # Loop: trip count 10, but the body's condition (iter < 2) stops it after
    # three iterations; a carried sum and a scan output.
    body = helper.make_graph(
        [const("limit", 2),
         helper.make_node("Less", ["iter", "limit"], ["cond_out"]),
         helper.make_node("Cast", ["iter"], ["iter_f"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["w", "iter_f"], ["scaled"]),
         helper.make_node("Add", ["acc_in", "scaled"], ["acc_out"]),
         helper.make_node("Identity", ["acc_out"], ["scan"])],
        "body",
        [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("scan", TensorProto.FLOAT, None)])
    nodes = [const("trip", 10), const("go", True),
             helper.make_node("Loop", ["trip", "go", "x"], ["acc", "scans"],
                              body=body)]
    acc, scans = x.astype(np.float64), []
    for i in range(3):
        acc = acc + w * i
        scans.append(acc)
    model = make_model(nodes, {"x": x, "w": w}, [("acc", np.float32, None),
                                                 ("scans", np.float32, None)])
    cases.append(Case("loop-condition-folds", model, {"x": x, "w": w},
                      {"acc": acc.astype(np.float32),
                       "scans": np.stack(scans).astype(np.float32)}))
    nodes = [const("trip", 5000),
             helper.make_node("Loop", ["trip", "", "x"], ["acc", "scans"],
                              body=body, name="long")]
    model = make_model(nodes, {"x": x, "w": w}, [("acc", np.float32, None)])
    cases.append(Case("loop-unroll-bound", model, {"x": x, "w": w},
                      expect_rc=2, expect_error=["'long'", "Loop", "4096"]))

    # A sequence carried through a Loop (as test_loop13_seq, but starting
    # from SequenceEmpty inside the graph): each iteration appends x[:i+1].
    v = rand(4)
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         const("one", [1]),
         helper.make_node("Unsqueeze", ["iter", "zero"], ["start"]),
         helper.make_node("Add", ["start", "one"], ["end"]),
         helper.make_node("Slice", ["v", "start", "end"], ["part"]),
         helper.make_node("SequenceInsert", ["seq_in", "part"], ["seq_out"])],
        "body",
        [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_sequence_value_info("seq_in", TensorProto.FLOAT,
                                                None)],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_sequence_value_info("seq_out", TensorProto.FLOAT,
                                                None)])
    nodes = [const("zero", [0]), const("trip", 3), const("go", True),
             helper.make_node("SequenceEmpty", [], ["empty"]),
             helper.make_node("Loop", ["trip", "go", "empty"], ["seq"],
                              body=body),
             helper.make_node("ConcatFromSequence", ["seq"], ["y"], axis=0,
                              new_axis=0)]
    model = make_model(nodes, {"v": v}, [("y", np.float32, None)])
    cases.append(Case("loop-carried-sequence", model, {"v": v},
                      {"y": v[:3]}))

    # With a condition that stays true, the bound is met while unrolling.
    forever = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Add", ["acc_in", "w"], ["acc_out"])], "forever",
        [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, None)])
    nodes = [const("go", True),
             helper.make_node("Loop", ["", "go", "x"], ["acc"], body=forever,
                              name="while")]
    model = make_model(nodes, {"x": x, "w": w}, [("acc", np.float32, None)])
    cases.append(Case("loop-while-unroll-bound", model, {"x": x, "w": w},
                      expect_rc=2, expect_error=["'while'", "Loop", "4096"]))

    # A large body unrolled many times meets the bound on inlined nodes.
    chain = [helper.make_node("Identity", ["cond_in"], ["cond_out"])]
    for k in range(300):
        chain.append(helper.make_node("Neg", [f"n{k - 1}" if k else "acc_in"],
                                      [f"n{k}"]))
    chain.append(helper.make_node("Identity", ["n299"], ["acc_out"]))
    big = helper.make_graph(chain, "big", forever.input, forever.output)
    nodes = [const("trip", 4000),
             helper.make_node("Loop", ["trip", "", "x"], ["acc"], body=big,
                              name="big")]
    model = make_model(nodes, {"x": x}, [("acc", np.float32, None)])
    cases.append(Case("loop-inline-node-bound", model, {"x": x},
                      expect_rc=2, expect_error=["'big'", "Loop", "1048576"]))

    # Scan (opset 11): a running sum over axis 1, in reverse, the scan
    # output stacked along axis 1 in reverse again.
    s = rand(3, 4, 2)
    body = helper.make_graph(
        [helper.make_node("Add", ["sum_in", "next"], ["sum_out"]),
         helper.make_node("Identity", ["sum_out"], ["out"])], "body",
        [helper.make_tensor_value_info("sum_in", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("next", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("sum_out", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("out", TensorProto.FLOAT, None)])
    init = rand(3, 2)
    nodes = [helper.make_node("Scan", ["init", "s"], ["total", "partial"],
                              body=body, num_scan_inputs=1,
                              scan_input_axes=[1], scan_input_directions=[1],
                              scan_output_axes=[1],
                              scan_output_directions=[1])]
    running, partial = init.astype(np.float64), []
    for t in reversed(range(4)):
        running = running + s[:, t]
        partial.append(running)
    model = make_model(nodes, {"init": init, "s": s},
                       [("total", np.float32, None),
                        ("partial", np.float32, None)], opset=11)
    cases.append(Case("scan-reverse-axis1", model, {"init": init, "s": s},
                      {"total": running.astype(np.float32),
                       "partial": np.stack(partial[::-1], axis=1)
                       .astype(np.float32)}))

    # Scan 8: a batch axis first, scanned along axis 1, one input reversed
    # (directions), sequence_lens absent.
    init8, xs8, ys8 = rand(2, 3), rand(2, 4, 3), rand(2, 4, 3)
    body = helper.make_graph(
        [helper.make_node("Mul", ["p", "q"], ["pq"]),
         helper.make_node("Add", ["acc", "pq"], ["acc2"]),
         helper.make_node("Identity", ["acc2"], ["out"])], "body",
        [helper.make_tensor_value_info("acc", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("p", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("q", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("acc2", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("out", TensorProto.FLOAT, None)])
    nodes = [helper.make_node("Scan", ["", "init", "p", "q"], ["final", "all"],
                              body=body, num_scan_inputs=2,
                              directions=[0, 1])]
    finals, alls = [], []
    for b in range(2):
        acc, outs = init8[b].astype(np.float64), []
        for t in range(4):
            acc = acc + xs8[b, t] * ys8[b, 3 - t]
            outs.append(acc)
        finals.append(acc)
        alls.append(np.stack(outs))
    model = make_model(nodes, {"init": init8, "p": xs8, "q": ys8},
                       [("final", np.float32, None),
                        ("all", np.float32, None)], opset=8)
    cases.append(Case("scan8-batch-directions", model,
                      {"init": init8, "p": xs8, "q": ys8},
                      {"final": np.stack(finals).astype(np.float32),
                       "all": np.stack(alls).astype(np.float32)}))
    return cases


def gradient_cases():
    cases = []
    a, b = rand(2, 3), rand(3, low=0.5, high=1.5)
    # d = -((a - b) / b * a), b broadcast over a's rows.
    nodes = [helper.make_node("Sub", ["a", "b"], ["s"]),
             helper.make_node("Div", ["s", "b"], ["c"]),
             helper.make_node("Mul", ["c", "a"], ["m"]),
             helper.make_node("Neg", ["m"], ["d"]),
             helper.make_node("Gradient", ["a", "b"], ["da", "db"],
                              domain="ai.onnx.preview.training",
                              xs=["a", "b"], y="d")]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    c = (a64 - b64) / b64
    da = -(c + a64 / b64)
    db = (a64 * a64 / (b64 * b64)).sum(axis=0)
    model = make_model(nodes, {"a": a, "b": b}, [("da", np.float32, None),
                                                 ("db", np.float32, None)],
                       opset=12, extra_opsets=[TRAINING])
    cases.append(Case("gradient-broadcast-sub-div-neg", model,
                      {"a": a, "b": b}, {"da": da.astype(np.float32),
                                         "db": db.astype(np.float32)}))
    nodes = [helper.make_node("Mul", ["a", "b"], ["m"]),
             helper.make_node("Gradient", ["b", "a"], ["da", "db"],
                              name="swapped",
                              domain="ai.onnx.preview.training",
                              xs=["a", "b"], y="m")]
    model = make_model(nodes, {"a": a, "b": b}, [("da", np.float32, None)],
                       opset=12, extra_opsets=[TRAINING])
    cases.append(Case("gradient-other-values-unsupported", model,
                      {"a": a, "b": b}, expect_rc=2,
                      expect_error=["'swapped'", "is not the value of 'a'"]))
    # Smooth unary functions, checked against central differences in f64:
    # y = Sigmoid(Tanh(Exp(a) * Log(b))) + Sqrt(b) * Reciprocal(a).
    pa, pb = rand(2, 3, low=0.5, high=1.5), rand(3, low=0.5, high=1.5)

    def f(u, v):
        return (1 / (1 + np.exp(-np.tanh(np.exp(u) * np.log(v))))
                + np.sqrt(v) / u).sum()

    def numeric(fun, at):
        grad, h = np.zeros_like(at), 1e-6
        for idx in np.ndindex(at.shape):
            step = np.zeros_like(at)
            step[idx] = h
            grad[idx] = (fun(at + step) - fun(at - step)) / (2 * h)
        return grad
    pa64, pb64 = pa.astype(np.float64), pb.astype(np.float64)
    nodes = [helper.make_node("Exp", ["a"], ["ea"]),
             helper.make_node("Log", ["b"], ["lb"]),
             helper.make_node("Mul", ["ea", "lb"], ["m"]),
             helper.make_node("Tanh", ["m"], ["t"]),
             helper.make_node("Sigmoid", ["t"], ["s"]),
             helper.make_node("Sqrt", ["b"], ["q"]),
             helper.make_node("Reciprocal", ["a"], ["r"]),
             helper.make_node("Mul", ["q", "r"], ["qr"]),
             helper.make_node("Add", ["s", "qr"], ["y"]),
             helper.make_node("Gradient", ["a", "b"], ["da", "db"],
                              domain="ai.onnx.preview.training",
                              xs=["a", "b"], y="y")]
    model = make_model(nodes, {"a": pa, "b": pb}, [("da", np.float32, None),
                                                   ("db", np.float32, None)],
                       opset=12, extra_opsets=[TRAINING])
    cases.append(Case("gradient-unary-functions", model, {"a": pa, "b": pb}, {
        "da": numeric(lambda u: f(u, pb64), pa64).astype(np.float32),
        "db": numeric(lambda v: f(pa64, v), pb64).astype(np.float32)}))

    nodes = [helper.make_node("Relu", ["a"], ["e"], name="relu"),
             helper.make_node("Gradient", ["a"], ["da"], name="grad",
                              domain="ai.onnx.preview.training", xs=["a"],
                              y="e")]
    model = make_model(nodes, {"a": a}, [("da", np.float32, None)], opset=12,
                       extra_opsets=[TRAINING])
    cases.append(Case("gradient-unsupported-op", model, {"a": a},
                      expect_rc=2, expect_error=["'grad'", "Gradient",
                                                 "graph.relu", "'relu'"]))
    return cases


def sequence_cases():
    return sequence_op_cases() + control_flow_cases() + gradient_cases()
