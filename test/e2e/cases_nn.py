"""End-to-end cases of the neural-network ops: Conv, ConvTranspose,
ConvInteger, the pools and the normalizations. Expected outputs come from the
numpy implementations below, written from the ONNX specification (padded
arrays and strided slices per kernel tap), not from dsc's loops."""
import numpy as np
from onnx import helper

from cases import Case, f64, make_model, rand, single

F32 = np.float32


def spatial_defaults(x, strides, pads, dilations):
    s = x.ndim - 2
    return (list(strides or [1] * s), list(pads or [0] * (2 * s)),
            list(dilations or [1] * s))


def same_pads(spatial, kernel, strides, upper):
    """auto_pad SAME: the result has ceil(size / stride) elements."""
    begin, end = [], []
    for size, k, st in zip(spatial, kernel, strides):
        total = max(0, (-(-size // st) - 1) * st + k - size)
        begin.append(total // 2 if upper else total - total // 2)
        end.append(total - begin[-1])
    return begin + end


def np_conv(x, w, b=None, strides=None, pads=None, dilations=None, group=1):
    x, w = f64(x), f64(w)
    strides, pads, dil = spatial_defaults(x, strides, pads, dilations)
    s = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[s + i]) for i in range(s)])
    n, c = x.shape[:2]
    m, k = w.shape[0], w.shape[2:]
    out = [(xp.shape[2 + i] - (k[i] - 1) * dil[i] - 1) // strides[i] + 1
           for i in range(s)]
    y = np.zeros((n, m, *out))
    cg, mg = c // group, m // group
    for g in range(group):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * mg:(g + 1) * mg]
        for tap in np.ndindex(*k):
            window = tuple(slice(tap[i] * dil[i],
                                 tap[i] * dil[i] + (out[i] - 1) * strides[i] + 1,
                                 strides[i]) for i in range(s))
            patch = xg[(slice(None), slice(None)) + window]
            y[:, g * mg:(g + 1) * mg] += np.einsum(
                "nc...,mc->nm...", patch, wg[(slice(None), slice(None)) + tap])
    if b is not None:
        y += f64(b).reshape(1, -1, *[1] * s)
    return y


def np_conv_transpose(x, w, b=None, strides=None, pads=None, dilations=None,
                      group=1, output_padding=None):
    x, w = f64(x), f64(w)
    strides, pads, dil = spatial_defaults(x, strides, pads, dilations)
    s = x.ndim - 2
    output_padding = output_padding or [0] * s
    n, c = x.shape[:2]
    mg, k = w.shape[1], w.shape[2:]
    m, cg = mg * group, c // group
    full = [(x.shape[2 + i] - 1) * strides[i] + (k[i] - 1) * dil[i] + 1 +
            output_padding[i] for i in range(s)]
    yfull = np.zeros((n, m, *full))
    for g in range(group):
        xg = x[:, g * cg:(g + 1) * cg]
        wg = w[g * cg:(g + 1) * cg]
        for tap in np.ndindex(*k):
            window = tuple(slice(tap[i] * dil[i],
                                 tap[i] * dil[i] + (x.shape[2 + i] - 1) *
                                 strides[i] + 1, strides[i]) for i in range(s))
            yfull[(slice(None), slice(g * mg, (g + 1) * mg)) + window] += \
                np.einsum("nc...,cm->nm...", xg,
                          wg[(slice(None), slice(None)) + tap])
    # Crop pads (or extend with zeros for negative ones).
    out = [full[i] - pads[i] - pads[s + i] for i in range(s)]
    y = np.zeros((n, m, *out))
    src, dst = [slice(None)] * 2, [slice(None)] * 2
    for i in range(s):
        lo, hi = max(0, -pads[i]), min(out[i], full[i] - pads[i])
        dst.append(slice(lo, hi))
        src.append(slice(lo + pads[i], hi + pads[i]))
    y[tuple(dst)] = yfull[tuple(src)]
    if b is not None:
        y += f64(b).reshape(1, -1, *[1] * s)
    return y


def pool_sizes(shape, kernel, strides, pads, dil, ceil):
    s = len(kernel)
    out = []
    for i in range(s):
        span = shape[i] + pads[i] + pads[s + i] - (kernel[i] - 1) * dil[i] - 1
        o = (-(-span // strides[i]) if ceil else span // strides[i]) + 1
        if ceil and (o - 1) * strides[i] >= shape[i] + pads[i]:
            o -= 1
        out.append(o)
    return out


def pool_taps(x, kernel, strides, pads, dil, ceil, fill):
    """Per kernel tap, the strided view of x padded with `fill`, and whether
    each position lies in the explicitly padded input."""
    s = x.ndim - 2
    spatial = x.shape[2:]
    out = pool_sizes(spatial, kernel, strides, pads, dil, ceil)
    after = [max(pads[s + i], (out[i] - 1) * strides[i] + (kernel[i] - 1) *
                 dil[i] + 1 - spatial[i] - pads[i]) for i in range(s)]
    widths = [(0, 0), (0, 0)] + [(pads[i], after[i]) for i in range(s)]
    xp = np.pad(x, widths, constant_values=fill)
    # 1 in the input and its explicit padding, 0 in the overhang of ceil_mode.
    inside = np.ones([spatial[i] + pads[i] + pads[s + i] for i in range(s)])
    inside = np.pad(inside, [(0, after[i] - pads[s + i]) for i in range(s)])
    for tap in np.ndindex(*kernel):
        window = tuple(slice(tap[i] * dil[i],
                             tap[i] * dil[i] + (out[i] - 1) * strides[i] + 1,
                             strides[i]) for i in range(s))
        yield xp[(slice(None), slice(None)) + window], inside[window]


def np_pool(x, kind, kernel, strides=None, pads=None, dilations=None,
            ceil=False, count_include_pad=False, p=2):
    x = f64(x)
    strides, pads, dil = spatial_defaults(x, strides, pads, dilations)
    taps = list(pool_taps(x, kernel, strides, pads, dil, ceil, np.nan))
    values = np.stack([t[0] for t in taps])
    if kind == "max":
        return np.nanmax(values, axis=0)
    if kind == "lp":
        return np.nansum(np.abs(values) ** p, axis=0) ** (1.0 / p)
    total = np.nansum(values, axis=0)
    if count_include_pad:
        count = sum(t[1] for t in taps)
    else:
        count = np.sum(~np.isnan(values), axis=0)
    return total / count


def np_maxpool_indices(x, kernel, strides=None, pads=None, dilations=None,
                       ceil=False, column_major=False):
    x = f64(x)
    strides, pads, dil = spatial_defaults(x, strides, pads, dilations)
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    order = "F" if column_major else "C"
    plane = np.arange(np.prod(spatial)).reshape(spatial, order=order)
    index = (np.arange(n * c).reshape(n, c, *[1] * len(spatial)) *
             np.prod(spatial) + plane)
    vals = list(pool_taps(x, kernel, strides, pads, dil, ceil, -np.inf))
    idxs = list(pool_taps(f64(index), kernel, strides, pads, dil, ceil, -1))
    best, where = vals[0][0].copy(), idxs[0][0].copy()
    for (v, _), (i, _) in zip(vals[1:], idxs[1:]):
        better = (v > best) | (where < 0)
        best = np.where(better, v, best)
        where = np.where(better, i, where)
    return where.astype(np.int64)


def conv_cases():
    cases = []
    x = rand(2, 4, 7, 6)
    w = rand(6, 2, 3, 3)
    b = rand(6)
    for opset in [1, 11]:
        cases.append(single(
            "Conv", f"conv-group-stride-pad-dil-opset{opset}", opset, {"x": x},
            {"y": np_conv(x, w, b, [2, 1], [1, 0, 2, 1], [1, 2], 2).astype(F32)},
            attrs={"group": 2, "strides": [2, 1], "pads": [1, 0, 2, 1],
                   "dilations": [1, 2]},
            initializers={"w": w, "b": b}))
    w1 = rand(5, 4, 3, 2)
    for auto_pad in ["SAME_UPPER", "SAME_LOWER", "VALID"]:
        s = [2, 2]
        pads = ([0] * 4 if auto_pad == "VALID" else
                same_pads(x.shape[2:], w1.shape[2:], s, auto_pad == "SAME_UPPER"))
        cases.append(single(
            "Conv", f"conv-autopad-{auto_pad.lower()}", 11, {"x": x},
            {"y": np_conv(x, w1, None, s, pads).astype(F32)},
            attrs={"auto_pad": auto_pad, "strides": s},
            initializers={"w": w1}))
    x1, w1d = rand(1, 3, 11), rand(4, 3, 4)
    cases.append(single("Conv", "conv-1d", 11, {"x": x1},
                        {"y": np_conv(x1, w1d, None, [3], [2, 1]).astype(F32)},
                        attrs={"strides": [3], "pads": [2, 1]},
                        initializers={"w": w1d}))
    x3, w3 = rand(1, 2, 4, 5, 3), rand(3, 2, 2, 3, 2)
    cases.append(single("Conv", "conv-3d", 11, {"x": x3},
                        {"y": np_conv(x3, w3, None, None, [1] * 6).astype(F32)},
                        attrs={"pads": [1] * 6}, initializers={"w": w3}))
    dw = rand(4, 1, 3, 3)
    cases.append(single("Conv", "conv-depthwise", 11, {"x": x, "w": dw},
                        {"y": np_conv(x, dw, None, None, [1] * 4, None,
                                      4).astype(F32)},
                        attrs={"group": 4, "pads": [1] * 4}))
    h, hw = rand(1, 3, 6, 6, dtype=np.float16), rand(2, 3, 3, 3, dtype=np.float16)
    cases.append(single("Conv", "conv-f16", 11, {"x": h},
                        {"y": np_conv(h, hw).astype(np.float16)},
                        initializers={"w": hw}))
    # ConvTranspose.
    xt, wt, bt = rand(1, 4, 3, 4), rand(4, 3, 3, 2), rand(6)
    cases.append(single(
        "ConvTranspose", "convtranspose-group-stride-outpad", 11, {"x": xt},
        {"y": np_conv_transpose(xt, wt, bt, [2, 3], [1, 0, 0, 1], [1, 2], 2,
                                [1, 2]).astype(F32)},
        attrs={"group": 2, "strides": [2, 3], "pads": [1, 0, 0, 1],
               "dilations": [1, 2], "output_padding": [1, 2]},
        initializers={"w": wt, "b": bt}))
    wt1 = rand(4, 2, 3, 3)
    for opset in [1, 11]:
        # output_shape 9 x 10: totals 2*2+3-9 = -2 and 3*3+3-10 = 2.
        cases.append(single(
            "ConvTranspose", f"convtranspose-output-shape-opset{opset}", opset,
            {"x": xt},
            {"y": np_conv_transpose(xt, wt1, None, [2, 3],
                                    [-1, 1, -1, 1]).astype(F32)},
            attrs={"strides": [2, 3], "output_shape": [9, 10]},
            initializers={"w": wt1}))
    # SAME_UPPER: result = input * stride; total 2*2+3-6 = 1 and 3*3+3-12 = 0.
    cases.append(single(
        "ConvTranspose", "convtranspose-same-upper", 11, {"x": xt},
        {"y": np_conv_transpose(xt, wt1, None, [2, 3], [0, 0, 1, 0]).astype(F32)},
        attrs={"strides": [2, 3], "auto_pad": "SAME_UPPER"},
        initializers={"w": wt1}))
    xt1, wt1d = rand(2, 2, 5), rand(2, 3, 4)
    cases.append(single("ConvTranspose", "convtranspose-1d", 11, {"x": xt1},
                        {"y": np_conv_transpose(xt1, wt1d, None, [2]).astype(F32)},
                        attrs={"strides": [2]}, initializers={"w": wt1d}))
    # ConvInteger: exact in int32, per-channel filter zero points.
    xu = np.random.default_rng(3).integers(0, 255, (1, 2, 5, 5)).astype(np.uint8)
    wi = np.random.default_rng(4).integers(-128, 127, (3, 2, 2, 2)).astype(np.int8)
    wzp = np.array([1, -2, 3], np.int8)
    ref = np_conv(f64(xu) - 7, f64(wi) - f64(wzp).reshape(3, 1, 1, 1),
                  None, None, [1, 0, 0, 1])
    node = helper.make_node("ConvInteger", ["x", "w", "xzp", "wzp"], ["y"],
                            name="node0", pads=[1, 0, 0, 1])
    cases.append(Case("convinteger-zero-points",
                      make_model([node], {"x": xu}, [("y", np.int32, None)],
                                 {"w": wi, "xzp": np.array(7, np.uint8),
                                  "wzp": wzp}, 10),
                      {"x": xu}, {"y": np.rint(ref).astype(np.int32)}))
    # QLinearConv: power-of-two scales keep the reference exact, ties
    # included (both sides round half to even).
    xs, ws, ys = np.float32(0.5), np.array([0.25, 0.125, 0.5], F32), F32(2)
    bq = np.array([100, -50, 7], np.int32)
    acc = np_conv(f64(xu) - 7, f64(wi), bq, None, [1, 0, 0, 1])
    yq = np.clip(np.rint(acc * 0.5 * f64(ws).reshape(3, 1, 1) / 2 + 120), 0, 255)
    node = helper.make_node(
        "QLinearConv", ["x", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp", "b"],
        ["y"], name="node0", pads=[1, 0, 0, 1])
    cases.append(Case("qlinearconv-per-channel", make_model(
        [node], {"x": xu}, [("y", np.uint8, None)],
        {"xs": np.array(xs, F32), "xzp": np.array(7, np.uint8), "w": wi,
         "ws": ws, "wzp": np.array(0, np.int8), "ys": np.array(ys, F32),
         "yzp": np.array(120, np.uint8), "b": bq}, 10),
        {"x": xu}, {"y": yq.astype(np.uint8)}))
    # Errors: channels that do not match the filter are invalid.
    cases.append(single("Conv", "conv-channel-mismatch", 11, {"x": x},
                        {"y": x}, initializers={"w": rand(2, 3, 3, 3)},
                        expect_rc=1, expect_error=["node0", "channels"]))
    return cases


def pool_cases():
    cases = []
    x = rand(2, 3, 7, 8)
    geometry = {"kernel_shape": [3, 2], "strides": [2, 3], "pads": [1, 0, 1, 1]}
    args = ([3, 2], [2, 3], [1, 0, 1, 1])
    for ceil in [0, 1]:
        cases.append(single(
            "MaxPool", f"maxpool-ceil{ceil}", 12, {"x": x},
            {"y": np_pool(x, "max", *args, None, ceil).astype(F32)},
            attrs={**geometry, "ceil_mode": ceil}))
        for cip in [0, 1]:
            cases.append(single(
                "AveragePool", f"averagepool-ceil{ceil}-cip{cip}", 11, {"x": x},
                {"y": np_pool(x, "avg", *args, None, ceil, cip).astype(F32)},
                attrs={**geometry, "ceil_mode": ceil, "count_include_pad": cip}))
    cases.append(single(
        "AveragePool", "averagepool-dilations-opset19", 19, {"x": x},
        {"y": np_pool(x, "avg", [2, 2], [1, 2], [1, 1, 0, 0], [2, 3]).astype(F32)},
        attrs={"kernel_shape": [2, 2], "strides": [1, 2], "pads": [1, 1, 0, 0],
               "dilations": [2, 3]}))
    cases.append(single(
        "MaxPool", "maxpool-dilations", 12, {"x": x},
        {"y": np_pool(x, "max", [2, 3], None, None, [3, 2]).astype(F32)},
        attrs={"kernel_shape": [2, 3], "dilations": [3, 2]}))
    for order in [0, 1]:
        node = helper.make_node("MaxPool", ["x"], ["y", "i"], name="node0",
                                storage_order=order, **geometry)
        cases.append(Case(
            f"maxpool-indices-order{order}",
            make_model([node], {"x": x}, [("y", F32, None),
                                          ("i", np.int64, None)], None, 12),
            {"x": x}, {"y": np_pool(x, "max", *args).astype(F32),
                       "i": np_maxpool_indices(x, *args, None, False,
                                               order == 1)}))
    # MaxUnpool of MaxPool's indices: the maxima back in place, zeros around.
    pool_attrs = {"kernel_shape": [2, 2], "strides": [2, 2]}
    nodes = [helper.make_node("MaxPool", ["x"], ["p", "i"], name="pool",
                              **pool_attrs),
             helper.make_node("MaxUnpool", ["p", "i"], ["y"], name="unpool",
                              **pool_attrs)]
    xu = rand(1, 2, 4, 6)
    unpooled = np.zeros(xu.size, F32)
    unpooled[np_maxpool_indices(xu, [2, 2], [2, 2]).ravel()] = \
        np_pool(xu, "max", [2, 2], [2, 2]).ravel()
    cases.append(Case("maxunpool-of-maxpool", make_model(
        nodes, {"x": xu}, [("y", F32, None)], None, 11), {"x": xu},
        {"y": unpooled.reshape(xu.shape)}))
    u8 = np.random.default_rng(5).integers(0, 255, (1, 2, 5, 5)).astype(np.uint8)
    cases.append(single("MaxPool", "maxpool-u8", 12, {"x": u8},
                        {"y": np_pool(u8, "max", [2, 2], [2, 2]).astype(np.uint8)},
                        attrs={"kernel_shape": [2, 2], "strides": [2, 2]}))
    h = rand(1, 2, 6, 5, dtype=np.float16)
    cases.append(single("AveragePool", "averagepool-f16-same-upper", 11,
                        {"x": h},
                        {"y": np_pool(h, "avg", [3, 3], [2, 2],
                                      same_pads(h.shape[2:], [3, 3], [2, 2],
                                                True)).astype(np.float16)},
                        attrs={"kernel_shape": [3, 3], "strides": [2, 2],
                               "auto_pad": "SAME_UPPER"}))
    x1, x3 = rand(2, 3, 9), rand(1, 2, 4, 5, 6)
    cases.append(single("MaxPool", "maxpool-1d", 12, {"x": x1},
                        {"y": np_pool(x1, "max", [3], [2], [1, 1]).astype(F32)},
                        attrs={"kernel_shape": [3], "strides": [2],
                               "pads": [1, 1]}))
    cases.append(single("AveragePool", "averagepool-3d", 11, {"x": x3},
                        {"y": np_pool(x3, "avg", [2, 2, 3]).astype(F32)},
                        attrs={"kernel_shape": [2, 2, 3]}))
    for p in [1, 2, 3]:
        cases.append(single(
            "LpPool", f"lppool-p{p}", 11, {"x": x},
            {"y": np_pool(x, "lp", [2, 3], [1, 2], [0, 1, 1, 0], None, False,
                          False, p).astype(F32)},
            attrs={"kernel_shape": [2, 3], "strides": [1, 2],
                   "pads": [0, 1, 1, 0], "p": p}))
    axes = (2, 3)
    cases.append(single("GlobalAveragePool", "globalaveragepool", 1, {"x": x},
                        {"y": f64(x).mean(axis=axes, keepdims=True).astype(F32)}))
    cases.append(single("GlobalMaxPool", "globalmaxpool", 1, {"x": x},
                        {"y": f64(x).max(axis=axes, keepdims=True).astype(F32)}))
    for opset, p in [(2, 3), (1, 2.5)]:
        attrs = {"p": p}
        y = (np.abs(f64(x)) ** p).sum(axis=axes, keepdims=True) ** (1 / p)
        cases.append(single("GlobalLpPool", f"globallppool-opset{opset}",
                            opset, {"x": x}, {"y": y.astype(F32)},
                            attrs=attrs))
    cases.append(single("LpPool", "lppool-fractional-p-unsupported", 1,
                        {"x": x}, {"y": x},
                        attrs={"kernel_shape": [2, 2], "p": 2.5},
                        expect_rc=2, expect_error=["node0", "LpPool", "p"]))
    return cases


def normalize(x, axes, eps):
    x = f64(x)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps), mean, 1 / np.sqrt(var + eps)


def channel(v, rank):
    return f64(v).reshape(-1, *[1] * (rank - 2))


def norm_cases():
    cases = []
    x = rand(2, 3, 4, 5, low=-2, high=2)
    scale, bias = rand(3, low=0.5, high=1.5), rand(3)
    mean, var = rand(3), rand(3, low=0.5, high=2)
    inference = ((f64(x) - channel(mean, 4)) / np.sqrt(channel(var, 4) + 1e-3) *
                 channel(scale, 4) + channel(bias, 4))
    for opset in [7, 9, 15]:
        cases.append(single(
            "BatchNormalization", f"batchnorm-opset{opset}", opset, {"x": x},
            {"y": inference.astype(F32)}, attrs={"epsilon": 1e-3},
            initializers={"scale": scale, "bias": bias, "mean": mean,
                          "var": var}))
    y, batch_mean, _ = normalize(x, (0, 2, 3), 1e-5)
    batch_var = f64(x).var(axis=(0, 2, 3))
    node = helper.make_node(
        "BatchNormalization", ["x", "scale", "bias", "mean", "var"],
        ["y", "running_mean", "running_var"], name="node0", training_mode=1,
        momentum=0.8)
    cases.append(Case(
        "batchnorm-training", make_model(
            [node], {"x": x}, [("y", F32, None), ("running_mean", F32, None),
                               ("running_var", F32, None)],
            {"scale": scale, "bias": bias, "mean": mean, "var": var}, 15),
        {"x": x},
        {"y": (y * channel(scale, 4) + channel(bias, 4)).astype(F32),
         "running_mean": (0.8 * f64(mean) +
                          0.2 * batch_mean.reshape(3)).astype(F32),
         "running_var": (0.8 * f64(var) + 0.2 * batch_var).astype(F32)}))
    y, _, _ = normalize(x, (2, 3), 1e-2)
    cases.append(single(
        "InstanceNormalization", "instancenorm", 6, {"x": x},
        {"y": (y * channel(scale, 4) + channel(bias, 4)).astype(F32)},
        attrs={"epsilon": 1e-2}, initializers={"scale": scale, "bias": bias}))
    # GroupNormalization: 6 channels in 3 groups.
    g = rand(2, 6, 3, 4, low=-2, high=2)
    grouped, _, _ = normalize(g.reshape(2, 3, -1), (2,), 1e-5)
    gs, gb = rand(3, low=0.5, high=1.5), rand(3)
    y18 = (grouped * f64(gs).reshape(3, 1) + f64(gb).reshape(3, 1)).reshape(g.shape)
    cases.append(single(
        "GroupNormalization", "groupnorm-opset18", 18, {"x": g},
        {"y": y18.astype(F32)}, attrs={"num_groups": 3},
        initializers={"scale": gs, "bias": gb}))
    cs, cb = rand(6, low=0.5, high=1.5), rand(6)
    y21 = grouped.reshape(g.shape) * channel(cs, 4) + channel(cb, 4)
    cases.append(single(
        "GroupNormalization", "groupnorm-opset21", 21, {"x": g},
        {"y": y21.astype(F32)}, attrs={"num_groups": 3},
        initializers={"scale": cs, "bias": cb}))
    for axes in [None, [1, 2]]:
        ax = (0, 2, 3) if axes is None else tuple(axes)
        mean = f64(x).mean(axis=ax, keepdims=True)
        var = (f64(x) ** 2).mean(axis=ax, keepdims=True) - mean ** 2
        y = (f64(x) - mean) / (np.sqrt(var) + 1e-9)
        cases.append(single(
            "MeanVarianceNormalization", f"mvn-axes{axes}", 13, {"x": x},
            {"y": y.astype(F32)},
            attrs={} if axes is None else {"axes": axes}))
    lx = rand(2, 7, 3, 2, low=-2, high=2)
    for size in [3, 4]:
        sq = np.pad(f64(lx) ** 2, [(0, 0), ((size - 1) // 2, size // 2),
                                   (0, 0), (0, 0)])
        total = sum(sq[:, i:i + 7] for i in range(size))
        y = f64(lx) / (2.0 + 1e-2 / size * total) ** 0.6
        cases.append(single(
            "LRN", f"lrn-size{size}", 13, {"x": lx}, {"y": y.astype(F32)},
            attrs={"size": size, "alpha": 1e-2, "beta": 0.6, "bias": 2.0}))
    # LayerNormalization's Mean and InvStdDev outputs.
    ln = rand(2, 3, 8, low=-2, high=2)
    ls, lb = rand(3, 8, low=0.5, high=1.5), rand(3, 8)
    y, mean, inv = normalize(ln, (1, 2), 1e-3)
    node = helper.make_node("LayerNormalization", ["x", "scale", "bias"],
                            ["y", "mean", "invstd"], name="node0", axis=1,
                            epsilon=1e-3)
    cases.append(Case(
        "layernorm-mean-invstddev", make_model(
            [node], {"x": ln}, [("y", F32, None), ("mean", F32, None),
                                ("invstd", F32, None)],
            {"scale": ls, "bias": lb}, 17),
        {"x": ln}, {"y": (y * f64(ls) + f64(lb)).astype(F32),
                    "mean": mean.astype(F32), "invstd": inv.astype(F32)}))
    h = rand(4, 16, dtype=np.float16, low=-2, high=2)
    hs = rand(16, dtype=np.float16)
    y, mean, inv = normalize(h, (1,), 1e-5)
    node = helper.make_node("LayerNormalization", ["x", "scale"],
                            ["y", "mean", "invstd"], name="node0")
    cases.append(Case(
        "layernorm-f16-stash-f32", make_model(
            [node], {"x": h}, [("y", np.float16, None), ("mean", F32, None),
                               ("invstd", F32, None)], {"scale": hs}, 17),
        {"x": h}, {"y": (y * f64(hs)).astype(np.float16),
                   "mean": mean.astype(F32), "invstd": inv.astype(F32)}))
    return cases


def nn_cases():
    return conv_cases() + pool_cases() + norm_cases()
