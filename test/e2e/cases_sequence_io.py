"""Sequence and optional values at the graph boundary: a sequence input S of
length L is the inputs S[0] ... S[L-1] (--sequence-length S=L), a sequence
output is its tensors S[0] ..., an optional holds its value or none
(--absent NAME). Expected outputs computed with numpy and Python lists."""
import numpy as np
from onnx import TensorProto, helper

from cases import NP_TO_ONNX, Case, rand


def tensor_type(dtype, shape):
    """A tensor TypeProto; shape None leaves it unranked."""
    return helper.make_tensor_type_proto(NP_TO_ONNX[np.dtype(dtype)], shape)


def sequence_type(dtype, shape):
    return helper.make_sequence_type_proto(tensor_type(dtype, shape))


def optional_type(inner):
    return helper.make_optional_type_proto(inner)


def model(nodes, inputs, outputs, opset=16):
    """inputs, outputs: [(name, TypeProto)]."""
    graph = helper.make_graph(
        nodes, "g", [helper.make_value_info(n, t) for n, t in inputs],
        [helper.make_value_info(n, t) for n, t in outputs])
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", opset)])


def const(name, value):
    value = np.asarray(value, np.int64)
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name + "_v", TensorProto.INT64, value.shape, value.flatten().tolist()))


def elements(name, tensors):
    """The inputs or outputs S[0] ... of a sequence S."""
    return {f"{name}[{i}]": t for i, t in enumerate(tensors)}


def sequence_input_cases():
    cases = []
    # A sequence in, a longer one out: SequenceInsert at the front, its
    # length and the concatenation of the result.
    seq = [rand(2, 3), rand(2, 3), rand(2, 3)]
    t = rand(2, 3)
    nodes = [const("front", 0),
             helper.make_node("SequenceInsert", ["S", "t", "front"], ["out"]),
             helper.make_node("SequenceLength", ["out"], ["n"]),
             helper.make_node("ConcatFromSequence", ["out"], ["cat"], axis=0)]
    m = model(nodes, [("S", sequence_type(np.float32, [2, 3])),
                      ("t", tensor_type(np.float32, [2, 3]))],
              [("out", sequence_type(np.float32, [2, 3])),
               ("n", tensor_type(np.int64, [])),
               ("cat", tensor_type(np.float32, None))])
    out = [t] + seq
    cases.append(Case(
        "seqio-insert-in-out", m, {**elements("S", seq), "t": t},
        {**elements("out", out), "n": np.array(4, np.int64),
         "cat": np.concatenate(out)},
        unwritten=["out[4]", "out"], compile_args=["--sequence-length=S=3"]))

    # Element shapes left open by the model: dsc eval takes them from the
    # data, a plan from --input-shape. The tensors differ in shape.
    seq = [rand(2, 3), rand(4, 3)]
    nodes = [helper.make_node("ConcatFromSequence", ["S"], ["cat"], axis=0),
             helper.make_node("Identity", ["S"], ["same"])]
    m = model(nodes, [("S", sequence_type(np.float32, None))],
              [("cat", tensor_type(np.float32, None)),
               ("same", sequence_type(np.float32, None))])
    cases.append(Case(
        "seqio-unranked-elements", m, elements("S", seq),
        {"cat": np.concatenate(seq), **elements("same", seq)},
        compile_args=["--sequence-length=S=2", "--input-shape=S[0]=2,3",
                      "--input-shape=S[1]=4,3"]))

    # An empty sequence input (its length cannot come from files: given
    # explicitly) and an empty sequence output: no tensor is written for it.
    x = rand(3)
    nodes = [helper.make_node("SequenceLength", ["S"], ["n"]),
             helper.make_node("SequenceInsert", ["S", "x"], ["one"]),
             helper.make_node("SequenceEmpty", [], ["none"],
                              dtype=TensorProto.FLOAT)]
    m = model(nodes, [("S", sequence_type(np.float32, [3])),
                      ("x", tensor_type(np.float32, [3]))],
              [("n", tensor_type(np.int64, [])),
               ("one", sequence_type(np.float32, [3])),
               ("none", sequence_type(np.float32, None))])
    cases.append(Case(
        "seqio-empty-in-out", m, {"x": x},
        {"n": np.array(0, np.int64), "one[0]": x},
        unwritten=["none", "none[0]", "one[1]"],
        compile_args=["--sequence-length=S=0"],
        eval_args=["--sequence-length=S=0"]))

    # Integer elements, and a plan run again with other data of the same
    # length and shapes.
    seq = [np.arange(4, dtype=np.int64), np.arange(4, 8, dtype=np.int64)]
    other = [np.full(4, 7, np.int64), np.arange(-4, 0, dtype=np.int64)]
    nodes = [const("last", -1),
             helper.make_node("SequenceAt", ["S", "last"], ["y"])]
    m = model(nodes, [("S", sequence_type(np.int64, [4]))],
              [("y", tensor_type(np.int64, [4]))])
    cases.append(Case(
        "seqio-int64-more-runs", m, elements("S", seq), {"y": seq[-1]},
        compile_args=["--sequence-length=S=2"],
        more_runs=[(elements("S", other), {"y": other[-1]})]))
    return cases


def optional_cases():
    cases = []
    # An optional tensor input that holds a value, and optional outputs:
    # Optional(x) holds x, Optional() holds none (nothing is written).
    x = rand(4)
    nodes = [helper.make_node("OptionalHasElement", ["o"], ["has"]),
             helper.make_node("OptionalGetElement", ["o"], ["v"]),
             helper.make_node("Neg", ["v"], ["y"]),
             helper.make_node("Optional", ["y"], ["some"]),
             helper.make_node("Optional", [], ["empty"],
                              type=tensor_type(np.float32, [4]))]
    inputs = [("o", optional_type(tensor_type(np.float32, [4])))]
    outputs = [("has", tensor_type(np.bool_, [])),
               ("some", optional_type(tensor_type(np.float32, [4]))),
               ("empty", optional_type(tensor_type(np.float32, [4])))]
    m = model(nodes, inputs, outputs)
    cases.append(Case("optional-present", m, {"o": x},
                      {"has": np.array(True), "some": -x},
                      unwritten=["empty"]))

    # The same optional left out (--absent): OptionalHasElement is false.
    nodes = [helper.make_node("OptionalHasElement", ["o"], ["has"]),
             helper.make_node("Identity", ["o"], ["same"])]
    m = model(nodes, inputs, [("has", tensor_type(np.bool_, [])),
                              ("same", inputs[0][1])])
    cases.append(Case("optional-absent", m, {}, {"has": np.array(False)},
                      unwritten=["same"], compile_args=["--absent=o"],
                      eval_args=["--absent=o"]))

    # An optional sequence input through OptionalGetElement, and an If
    # whose branch (picked at import) makes an optional sequence output.
    seq = [rand(2), rand(2)]
    then_branch = helper.make_graph(
        [helper.make_node("OptionalGetElement", ["o"], ["got"]),
         helper.make_node("Optional", ["got"], ["wrapped"])], "then", [],
        [helper.make_value_info("wrapped",
                                optional_type(sequence_type(np.float32, [2])))])
    else_branch = helper.make_graph(
        [helper.make_node("Optional", [], ["nothing"],
                          type=sequence_type(np.float32, [2]))], "else", [],
        [helper.make_value_info("nothing",
                                optional_type(sequence_type(np.float32, [2])))])
    nodes = [helper.make_node("Constant", [], ["cond"], value=helper.make_tensor(
                 "c", TensorProto.BOOL, [], [True])),
             helper.make_node("If", ["cond"], ["r"], then_branch=then_branch,
                              else_branch=else_branch)]
    opt_seq = optional_type(sequence_type(np.float32, [2]))
    m = model(nodes, [("o", opt_seq)], [("r", opt_seq)])
    cases.append(Case("optional-sequence-if", m, elements("o", seq),
                      elements("r", seq), unwritten=["r[2]"],
                      compile_args=["--sequence-length=o=2"]))
    return cases


def error_cases():
    cases = []
    seq_in = [("S", sequence_type(np.float32, [2]))]
    nodes = [helper.make_node("ConcatFromSequence", ["S"], ["y"], axis=0)]
    m = model(nodes, seq_in, [("y", tensor_type(np.float32, None))])
    # No length: unsupported (exit 2), naming the option that gives it.
    cases.append(Case("seqio-error-no-length", m, {}, expect_rc=2,
                      expect_error=["graph input 'S' is a sequence",
                                    "--sequence-length S=L"]))
    # dsc eval refuses a gap in the indices given; a plan compiled without a
    # length says how to give it.
    cases.append(Case("seqio-error-gap", m, {"S[0]": rand(2), "S[2]": rand(2)},
                      expect_rc=1, expect_error=["skip 'S[1]'"],
                      plan_expect=(2, ["--sequence-length S=L"])))
    # A tensor of another element type than the sequence's.
    cases.append(Case("seqio-error-element-type", m,
                      {"S[0]": rand(2), "S[1]": np.arange(2, dtype=np.int64)},
                      expect_rc=1, expect_error=["S[1]"],
                      compile_args=["--sequence-length=S=2"]))
    # A length for a name that is no sequence input.
    cases.append(Case("seqio-error-length-not-sequence", m, {}, expect_rc=1,
                      expect_error=["'T'", "not a sequence graph input"],
                      compile_args=["--sequence-length=S=1",
                                    "--sequence-length=T=1"],
                      eval_args=["--sequence-length=S=1",
                                 "--sequence-length=T=1"]))
    # --absent on an input that is not optional, and reading an absent one.
    x_in = [("x", tensor_type(np.float32, [2]))]
    m = model([helper.make_node("Identity", ["x"], ["y"])], x_in,
              [("y", tensor_type(np.float32, [2]))])
    cases.append(Case("optional-error-absent-not-optional", m, {},
                      expect_rc=1, expect_error=["'x'", "not optional"],
                      compile_args=["--absent=x"], eval_args=["--absent=x"]))
    o_in = [("o", optional_type(tensor_type(np.float32, [2])))]
    m = model([helper.make_node("OptionalGetElement", ["o"], ["y"])], o_in,
              [("y", tensor_type(np.float32, [2]))])
    cases.append(Case("optional-error-get-absent", m, {}, expect_rc=1,
                      expect_error=["OptionalGetElement",
                                    "optional holding no value"],
                      compile_args=["--absent=o"], eval_args=["--absent=o"]))
    m = model([helper.make_node("Neg", ["o"], ["y"])], o_in,
              [("y", tensor_type(np.float32, [2]))])
    cases.append(Case("optional-error-op-takes-absent", m, {}, expect_rc=1,
                      expect_error=["Neg", "does not take"],
                      compile_args=["--absent=o"], eval_args=["--absent=o"]))
    # A plan needs the shapes of tensors the model leaves open: the error
    # says how to give them (dsc eval takes them from the files).
    seq = [rand(2, 3)]
    for label, shape, error in (("unranked", None, "no declared shape"),
                                ("named-dim", ["N", 3], "without a size")):
        m = model([helper.make_node("Identity", ["S"], ["T"])],
                  [("S", sequence_type(np.float32, shape))],
                  [("T", sequence_type(np.float32, shape))])
        cases.append(Case(
            f"seqio-plan-needs-shape-{label}", m, elements("S", seq),
            elements("T", seq), compile_args=["--sequence-length=S=1"],
            plan_expect=(2, ["'S[0]'", error, "--input-shape S[0]="])))
    return cases


def sequence_io_cases():
    return sequence_input_cases() + optional_cases() + error_cases()
