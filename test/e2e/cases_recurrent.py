"""RNN, GRU and LSTM: models whose expected outputs come from a plain numpy
implementation of the ONNX formulas (float64), written step by step here."""
import numpy as np
from onnx import helper

from cases import Case, make_model, rand


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def run_cell(cell, x, w, r, b, lengths, h0, c0, p, direction, clip,
             linear_before_reset, activations):
    """Y, Y_h, Y_c of ONNX RNN/GRU/LSTM in layout 0, float64."""
    steps, batch, _ = x.shape
    dirs = 2 if direction == "bidirectional" else 1
    hidden = r.shape[-1]
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[cell]
    per_dir = {"RNN": 1, "GRU": 2, "LSTM": 3}[cell]
    y = np.zeros((steps, dirs, batch, hidden))
    yh = np.zeros((dirs, batch, hidden))
    yc = np.zeros((dirs, batch, hidden))
    lengths = np.full(batch, steps) if lengths is None else lengths
    for d in range(dirs):
        f = activations[d * per_dir:(d + 1) * per_dir]
        act = lambda k, v: f[k](np.clip(v, -clip, clip) if clip else v)
        wb = b[d][:gates * hidden] if b is not None else np.zeros(gates * hidden)
        rb = b[d][gates * hidden:] if b is not None else np.zeros(gates * hidden)
        h = h0[d].copy() if h0 is not None else np.zeros((batch, hidden))
        c = c0[d].copy() if c0 is not None else np.zeros((batch, hidden))
        reverse = direction == "reverse" or d == 1
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        for t in order:
            xw = x[t] @ w[d].T + wb
            g = lambda v, k: v[:, k * hidden:(k + 1) * hidden]
            hr = lambda hh, k: hh @ g(r[d].T, k) + rb[k * hidden:(k + 1) * hidden]
            if cell == "RNN":
                new_h, new_c = act(0, g(xw, 0) + hr(h, 0)), c
            elif cell == "GRU":
                z = act(0, g(xw, 0) + hr(h, 0))
                rr = act(0, g(xw, 1) + hr(h, 1))
                if linear_before_reset:
                    cand = act(1, g(xw, 2) + rr * hr(h, 2))
                else:
                    cand = act(1, g(xw, 2) + hr(rr * h, 2))
                new_h, new_c = (1 - z) * cand + z * h, c
            else:
                pi, po, pf = ((p[d][k * hidden:(k + 1) * hidden] for k in range(3))
                              if p is not None else (0, 0, 0))
                i = act(0, g(xw, 0) + hr(h, 0) + pi * c)
                fg = act(0, g(xw, 2) + hr(h, 2) + pf * c)
                cand = act(1, g(xw, 3) + hr(h, 3))
                new_c = fg * c + i * cand
                o = act(0, g(xw, 1) + hr(h, 1) + po * new_c)
                new_h = o * f[2](new_c)
            valid = (t < lengths)[:, None]
            y[t, d] = np.where(valid, new_h, 0)
            h = np.where(valid, new_h, h)
            c = np.where(valid, new_c, c)
        yh[d], yc[d] = h, c
    return y, yh, yc


def recurrent_case(name, cell, steps, batch, inputs_size, hidden, direction="forward",
                   layout=0, with_bias=True, lengths=None, initial=False,
                   peepholes=False, clip=None, linear_before_reset=0,
                   activations=None, activation_alpha=None, np_activations=None):
    dirs = 2 if direction == "bidirectional" else 1
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[cell]
    x = rand(steps, batch, inputs_size)
    w = rand(dirs, gates * hidden, inputs_size)
    r = rand(dirs, gates * hidden, hidden)
    inputs = {"X": x if layout == 0 else x.transpose(1, 0, 2).copy(), "W": w, "R": r}
    names = ["X", "W", "R"]
    b = rand(dirs, 2 * gates * hidden) if with_bias else None
    names.append("B" if with_bias else "")
    if with_bias:
        inputs["B"] = b
    seq = np.array(lengths, dtype=np.int32) if lengths is not None else None
    names.append("sequence_lens" if seq is not None else "")
    if seq is not None:
        inputs["sequence_lens"] = seq
    h0 = rand(dirs, batch, hidden) if initial else None
    c0 = rand(dirs, batch, hidden) if initial and cell == "LSTM" else None
    names.append("initial_h" if initial else "")
    if initial:
        inputs["initial_h"] = h0 if layout == 0 else h0.transpose(1, 0, 2).copy()
    if cell == "LSTM":
        names.append("initial_c" if initial else "")
        if initial:
            inputs["initial_c"] = c0 if layout == 0 else c0.transpose(1, 0, 2).copy()
        p = rand(dirs, 3 * hidden) if peepholes else None
        names.append("P" if peepholes else "")
        if peepholes:
            inputs["P"] = p
    else:
        p = None
    while names and names[-1] == "":
        names.pop()
    attrs = {"hidden_size": hidden, "direction": direction}
    if layout:
        attrs["layout"] = layout
    if clip is not None:
        attrs["clip"] = clip
    if cell == "GRU" and linear_before_reset:
        attrs["linear_before_reset"] = 1
    if activations:
        attrs["activations"] = activations
    if activation_alpha:
        attrs["activation_alpha"] = activation_alpha
    outputs = ["Y", "Y_h"] + (["Y_c"] if cell == "LSTM" else [])
    node = helper.make_node(cell, names, outputs, name="cell", **attrs)
    default = {"RNN": [np.tanh], "GRU": [sigmoid, np.tanh],
               "LSTM": [sigmoid, np.tanh, np.tanh]}[cell] * dirs
    f64 = lambda v: None if v is None else v.astype(np.float64)
    y, yh, yc = run_cell(cell, f64(x), f64(w), f64(r), f64(b), seq, f64(h0), f64(c0),
                         f64(p), direction, clip, linear_before_reset,
                         np_activations or default)
    if layout:
        y, yh, yc = y.transpose(2, 0, 1, 3), yh.transpose(1, 0, 2), yc.transpose(1, 0, 2)
    expected = {"Y": y.astype(np.float32), "Y_h": yh.astype(np.float32)}
    if cell == "LSTM":
        expected["Y_c"] = yc.astype(np.float32)
    graph_inputs = {k: v for k, v in inputs.items()}
    model = make_model([node], graph_inputs,
                       [(n, np.float32, None) for n in outputs], opset=14)
    return Case(f"recurrent-{name}", model, inputs, expected)


def recurrent_cases():
    relu = lambda v: np.maximum(v, 0)
    leaky = lambda v: np.where(v >= 0, v, 0.2 * v)
    return [
        recurrent_case("rnn-relu-bidirectional", "RNN", 4, 2, 3, 5,
                       direction="bidirectional", activations=["Relu", "Tanh"],
                       np_activations=[relu, np.tanh]),
        recurrent_case("rnn-leaky-alpha-reverse", "RNN", 3, 2, 3, 4,
                       direction="reverse", activations=["LeakyRelu"],
                       activation_alpha=[0.2], np_activations=[leaky]),
        recurrent_case("gru-linear-before-reset-layout1", "GRU", 5, 3, 4, 6,
                       layout=1, linear_before_reset=1, initial=True),
        recurrent_case("gru-bidirectional-lengths", "GRU", 4, 3, 2, 3,
                       direction="bidirectional", lengths=[4, 2, 1]),
        recurrent_case("lstm-peepholes-lengths-clip", "LSTM", 5, 3, 4, 3,
                       lengths=[5, 3, 1], initial=True, peepholes=True, clip=0.7),
        recurrent_case("lstm-bidirectional-no-bias", "LSTM", 3, 2, 2, 4,
                       direction="bidirectional", with_bias=False),
    ]
