"""End-to-end cases of the tensor/index/loss/quantization family: losses,
Resize/Upsample, TopK, GatherND, ScatterND, OneHot. Expected outputs are
computed here with numpy in float64, independently of dsc."""
import math

import numpy as np
from onnx import helper

from cases import Case, make_model, rand, f64, single


def log_softmax(x, axis):
    x = f64(x)
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def nll(logp, target, weight=None, reduction="mean", ignore_index=None):
    """The loss as ONNX defines it, written elementwise."""
    n, c = logp.shape[:2]
    lp = logp.reshape(n, c, -1)
    t = target.reshape(n, -1)
    loss = np.zeros(t.shape)
    w = np.zeros(t.shape)
    for i in range(n):
        for d in range(t.shape[1]):
            cls = t[i, d]
            if ignore_index is not None and cls == ignore_index:
                continue
            w[i, d] = 1.0 if weight is None else weight[cls]
            loss[i, d] = -lp[i, cls, d] * w[i, d]
    loss = loss.reshape(target.shape)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.array(loss.sum())
    return np.array(loss.sum() / w.sum())


def loss_cases():
    cases = []
    x = rand(3, 5, 2, 2)
    t = np.array([[[0, 4], [1, -1]], [[2, 2], [3, -1]], [[4, 0], [1, 1]]],
                 np.int64)
    w = rand(5, low=0.2, high=1.0)
    variants = [
        ("none", None, None), ("sum", None, None), ("mean", None, None),
        ("mean", w, None), ("sum", w, -1), ("mean", w, -1), ("mean", None, -1),
        ("none", w, -1),
    ]
    for i, (reduction, weight, ii) in enumerate(variants):
        attrs = {"reduction": reduction}
        if ii is not None:
            attrs["ignore_index"] = ii
        target = t if ii is not None else np.abs(t)
        inputs = {"x": x, "t": target}
        inits = {"w": weight} if weight is not None else {}
        expect = nll(log_softmax(x, 1), target, weight, reduction, ii)
        cases.append(single(
            "NegativeLogLikelihoodLoss", f"nllloss-{i}-{reduction}", 13,
            {"x": log_softmax(x, 1).astype(np.float32), "t": target},
            {"y": expect.astype(np.float32)}, attrs=attrs,
            initializers=inits))
        node = helper.make_node("SoftmaxCrossEntropyLoss",
                                ["x", "t"] + list(inits), ["y", "logp"],
                                name="sce", **attrs)
        model = make_model([node], inputs,
                           [("y", np.float32, None),
                            ("logp", np.float32, None)], inits, 13)
        cases.append(Case(f"sce-{i}-{reduction}", model, inputs,
                          {"y": expect.astype(np.float32),
                           "logp": log_softmax(x, 1).astype(np.float32)}))
    # 2-D scores with int32 targets (opset 12).
    x2, t2 = rand(4, 3), np.array([2, 0, 1, 2], np.int32)
    cases.append(single("SoftmaxCrossEntropyLoss", "sce-2d-int32", 12,
                        {"x": x2, "t": t2},
                        {"y": nll(log_softmax(x2, 1), t2).astype(np.float32)}))
    cases.append(single("NegativeLogLikelihoodLoss", "nllloss-bad-reduction",
                        13, {"x": x2, "t": t2.astype(np.int64)},
                        {"y": np.zeros((), np.float32)},
                        attrs={"reduction": "max"}, expect_rc=1,
                        expect_error=["reduction", "max"]))
    return cases


def linear_1d(x, out, coordinate):
    """Linear interpolation of the last axis at source coordinates."""
    n = x.shape[-1]
    src = np.array([coordinate(i) for i in range(out)])
    lo = np.clip(np.floor(src).astype(int), 0, n - 1)
    hi = np.clip(lo + 1, 0, n - 1)
    frac = np.clip(src, 0, n - 1) - lo
    return x[..., lo] * (1 - frac) + x[..., hi] * frac


def resize_1d(data, scale, out, mode, coordinates, a=-0.75, exclude=False,
              roi=(0.0, 1.0), extrapolation=0.0):
    """ONNX's 1-D interpolation of one line (after its test generator): the
    n nearest elements of the edge-padded line around the source point."""
    n_in = len(data)
    result = []
    for x in range(out):
        length = scale * n_in
        if coordinates == "asymmetric":
            src = x / scale
        elif coordinates == "align_corners":
            src = 0.0 if length == 1 else x * (n_in - 1) / (length - 1)
        elif coordinates == "tf_crop_and_resize":
            src = ((roi[1] - roi[0]) * (n_in - 1) / 2 if out == 1 else
                   x * (roi[1] - roi[0]) * (n_in - 1) / (out - 1))
            src += roi[0] * (n_in - 1)
            if src < 0 or src > n_in - 1:
                result.append(extrapolation)
                continue
        else:  # half_pixel
            src = (x + 0.5) / scale - 0.5
        ratio = 1.0 if src == math.floor(src) else src - math.floor(src)
        if mode == "linear":
            coeffs = np.array([1 - ratio, ratio])
        else:
            r = ratio
            coeffs = np.array([
                ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
                ((a + 2) * r - (a + 3)) * r * r + 1,
                ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
                ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a])
        k = len(coeffs)
        pad = (k + 1) // 2
        padded = np.pad(data, pad, mode="edge")
        near = sorted(sorted(range(len(padded)),
                             key=lambda i: (abs(src + pad - i), i))[:k])
        idx = np.array(near) - pad
        if exclude:
            coeffs = np.where((idx < 0) | (idx >= n_in), 0, coeffs)
            coeffs = coeffs / coeffs.sum()
        result.append(float(np.dot(coeffs, padded[near])))
    return np.array(result)


def resize_nd(x, scales, sizes, **kw):
    """Separable, the last axis first."""
    y = f64(x)
    for axis in reversed(range(x.ndim)):
        y = np.apply_along_axis(resize_1d, axis, y, scales[axis],
                                sizes[axis], **kw)
    return y


def resize_cases():
    cases = []
    x = rand(1, 2, 3, 4)
    # Nearest, asymmetric, integer scales: every element repeated.
    up = np.repeat(np.repeat(x, 2, axis=2), 3, axis=3)
    scales = np.array([1, 1, 2, 3], np.float32)
    cases.append(single("Upsample", "upsample-opset7-nearest", 7, {"x": x},
                        {"y": up}, attrs={"scales": [1.0, 1.0, 2.0, 3.0]}))
    cases.append(single("Upsample", "upsample-opset9-nearest", 9, {"x": x},
                        {"y": up}, initializers={"s": scales}))
    cases.append(single("Resize", "resize-opset10-nearest", 10, {"x": x},
                        {"y": up}, initializers={"s": scales}))
    cases.append(single("Resize", "resize-opset13-nearest-asymmetric", 13,
                        {"x": x}, {"y": up},
                        attrs={"coordinate_transformation_mode": "asymmetric",
                               "nearest_mode": "floor"},
                        initializers={"roi": np.zeros(0, np.float32),
                                      "s": scales},
                        input_order=["x", "roi", "s"]))
    # Linear with align_corners, by sizes, along the last axis only (axes
    # of opset 18).
    v = rand(2, 5)
    out = 8
    expect = linear_1d(f64(v), out, lambda i: i * (5 - 1) / (out - 1))
    cases.append(single("Resize", "resize-opset18-linear-align-corners-axes",
                        18, {"x": v}, {"y": expect.astype(np.float32)},
                        attrs={"mode": "linear", "axes": [1],
                               "coordinate_transformation_mode":
                                   "align_corners"},
                        initializers={"sizes": np.array([out], np.int64)},
                        input_order=["x", "", "", "sizes"]))
    # Linear, half_pixel, downsampling by scales 0.5: the mean of pairs.
    w = rand(1, 1, 2, 8)
    expect = linear_1d(f64(w), 4, lambda i: (i + 0.5) / 0.5 - 0.5)
    cases.append(single("Resize", "resize-opset13-linear-half-pixel", 13,
                        {"x": w}, {"y": expect.astype(np.float32)},
                        attrs={"mode": "linear"},
                        initializers={"s": np.array([1, 1, 1, 0.5],
                                                    np.float32)},
                        input_order=["x", "", "s"]))
    # Cubic with exclude_outside and A = -0.5, upsampling both axes (f16).
    c = rand(1, 1, 4, 4).astype(np.float16)
    sizes = [1, 1, 7, 6]
    sc = [s / i for s, i in zip(sizes, c.shape)]
    expect = resize_nd(c, sc, sizes, mode="cubic", coordinates="half_pixel",
                       a=-0.5, exclude=True)
    cases.append(single("Resize", "resize-cubic-exclude-outside-f16", 13,
                        {"x": c}, {"y": expect.astype(np.float16)},
                        attrs={"mode": "cubic", "cubic_coeff_a": -0.5,
                               "exclude_outside": 1},
                        initializers={"sizes": np.array(sizes, np.int64)},
                        input_order=["x", "", "", "sizes"]))
    # tf_crop_and_resize with extrapolation, linear.
    roi = [0.0, 0.0, 0.4, -0.2, 1.0, 1.0, 1.2, 0.9]
    sizes = [1, 1, 3, 5]
    sc = [s / i for s, i in zip(sizes, x.shape[:2] + (4, 4))]
    crop_in = rand(1, 1, 4, 4)
    y = f64(crop_in)
    for axis in (3, 2):
        y = np.apply_along_axis(resize_1d, axis, y, sc[axis], sizes[axis],
                                mode="linear",
                                coordinates="tf_crop_and_resize",
                                roi=(roi[axis], roi[4 + axis]),
                                extrapolation=10.0)
    cases.append(single("Resize", "resize-crop-and-resize", 13,
                        {"x": crop_in}, {"y": y.astype(np.float32)},
                        attrs={"mode": "linear",
                               "coordinate_transformation_mode":
                                   "tf_crop_and_resize",
                               "extrapolation_value": 10.0},
                        initializers={"roi": np.array(roi, np.float32),
                                      "sizes": np.array(sizes, np.int64)},
                        input_order=["x", "roi", "", "sizes"]))
    # Scales that are graph inputs: `dsc eval` fixes them at import from the
    # given values; a plan cannot know them.
    node = helper.make_node("Resize", ["x", "", "s"], ["y"], name="dyn")
    model = make_model([node], {"x": x, "s": scales},
                       [("y", np.float32, None)], opset=13)
    cases.append(Case("resize-runtime-scales", model, {"x": x, "s": scales},
                      {"y": up},
                      plan_expect=(2, ["dyn", "Resize", "scales", "known"])))
    cases.append(single("Resize", "resize-antialias-unsupported", 18,
                        {"x": w}, {"y": w}, attrs={"mode": "linear",
                                                   "antialias": 1},
                        initializers={"s": np.array([1, 1, 1, 0.5],
                                                    np.float32)},
                        input_order=["x", "", "s"], expect_rc=2,
                        expect_error=["antialias"]))
    return cases


def topk_reference(x, k, axis, largest):
    key = -x if largest else x
    order = np.argsort(key, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)


def index_cases():
    cases = []
    x = np.array([[3, 1, 3, 2], [0, 5, 5, 1], [2, 2, 2, 2]], np.float32)
    for opset, largest, axis in [(1, True, -1), (10, True, 0), (11, False, 1)]:
        values, indices = topk_reference(x, 2, axis, largest)
        attrs = {"axis": axis}
        inits = {}
        if opset < 10:
            attrs["k"] = 2
        else:
            inits = {"k": np.array([2], np.int64)}
        if opset >= 11:
            attrs["largest"] = int(largest)
        cases.append(single("TopK", f"topk-opset{opset}-axis{axis}", opset,
                            {"x": x}, {"v": values, "i": indices},
                            attrs=attrs, initializers=inits))
    # Rows too long for one block's shared memory take the selection kernel:
    # packed ranks for f32, the plain order for int64 (ties by index).
    long_row = rand(3, 5000)
    values, indices = topk_reference(long_row, 5, 1, True)
    cases.append(single("TopK", "topk-long-rows", 11, {"x": long_row},
                        {"v": values, "i": indices},
                        initializers={"k": np.array([5], np.int64)}))
    ties = RNG_INT.integers(-5, 5, (2, 3000)).astype(np.int64)
    values, indices = topk_reference(ties, 4, 1, False)
    cases.append(single("TopK", "topk-long-rows-int64-smallest", 11,
                        {"x": ties}, {"v": values, "i": indices},
                        attrs={"largest": 0},
                        initializers={"k": np.array([4], np.int64)}))
    data = rand(2, 3, 4)
    idx = np.array([[[1], [0]], [[2], [-1]]], np.int64)
    expect = np.stack([data[b][idx[b, :, 0]] for b in range(2)])
    cases.append(single("GatherND", "gathernd-batch-dims", 12,
                        {"x": data, "i": idx}, {"y": expect},
                        attrs={"batch_dims": 1}))
    idx2 = np.array([[1, 2], [0, -1]], np.int32)
    cases.append(single("GatherND", "gathernd-pairs", 11,
                        {"x": data, "i": idx2},
                        {"y": np.stack([data[1, 2], data[0, -1]])}))
    # An index out of range, given at run time, is an error on every backend
    # (on the GPU through the kernel's fault word).
    cases.append(single("GatherND", "gathernd-runtime-index-out-of-range", 11,
                        {"x": data, "i": np.array([[1, 3]], np.int64)},
                        {"y": data[0, 0:1]}, expect_rc=1,
                        expect_error=["out of range"]))
    cases.append(single("ScatterND", "scatternd-runtime-index-out-of-range",
                        16, {"x": data, "i": np.array([[-3]], np.int64),
                             "u": rand(1, 3, 4)},
                        {"y": data}, expect_rc=1,
                        expect_error=["out of range"]))
    sidx = np.array([[1], [0], [1]], np.int64)
    upd = rand(3, 3, 4)
    for reduction, combine in [("none", None), ("add", np.add),
                               ("mul", np.multiply), ("max", np.maximum),
                               ("min", np.minimum)]:
        expect = f64(data).copy()
        for i, row in enumerate(sidx[:, 0]):
            expect[row] = (upd[i] if combine is None
                           else combine(expect[row], upd[i]))
        if reduction == "none":
            indices, updates = sidx[:2], upd[:2]
        else:
            indices, updates = sidx, upd
        opset = 18 if reduction in ("max", "min") else 16
        if reduction == "none":
            expect = f64(data).copy()
            expect[1], expect[0] = upd[0], upd[1]
        cases.append(single("ScatterND", f"scatternd-{reduction}", opset,
                            {"x": data, "i": indices, "u": updates},
                            {"y": expect.astype(np.float32)},
                            attrs={} if reduction == "none"
                            else {"reduction": reduction}))
    ind = np.array([[0, 3], [-1, 7]], np.int64)
    values = np.array([-2, 5], np.float32)
    for axis in [-1, 0, 1]:
        depth = 5
        hot = np.zeros(ind.shape + (depth,), np.float32) + values[0]
        for pos in np.ndindex(ind.shape):
            k = ind[pos] + depth if ind[pos] < 0 else ind[pos]
            if 0 <= k < depth:
                hot[pos + (k,)] = values[1]
        expect = np.moveaxis(hot, -1, axis)
        cases.append(single("OneHot", f"onehot-axis{axis}", 11, {"i": ind},
                            {"y": expect}, attrs={"axis": axis},
                            initializers={"depth": np.array(depth, np.int64),
                                          "values": values}))
    cases.append(single("OneHot", "onehot-huge-depth-unsupported", 11,
                        {"i": ind}, {"y": np.zeros((2, 2, 1), np.float32)},
                        initializers={"depth": np.array(1 << 40, np.int64),
                                      "values": values},
                        expect_rc=2, expect_error=["OneHot", "depth"]))
    return cases


def quantize_ref(x, scale, zp, dtype):
    info = np.iinfo(dtype)
    return np.clip(np.rint(f64(x) / scale) + zp, info.min, info.max).astype(dtype)


def quantization_cases():
    cases = []
    # Halves on purpose: rounding must go to even (2.5 -> 2, -1.5 -> -2).
    x = np.array([[0.0, 2.5, -1.5, 300.0], [-300.0, 7.25, 1.0, -0.5]],
                 np.float32)
    for dtype, zp in [(np.uint8, 3), (np.int8, -2)]:
        name = np.dtype(dtype).name
        cases.append(single(
            "QuantizeLinear", f"quantizelinear-{name}", 13, {"x": x},
            {"y": quantize_ref(x, 1.0, zp, dtype)},
            initializers={"s": np.array(1.0, np.float32),
                          "zp": np.array(zp, dtype)}))
    scales = np.array([0.5, 2.0, 1.0, 4.0], np.float32)
    zps = np.array([0, 1, -1, 5], np.int8)
    cases.append(single(
        "QuantizeLinear", "quantizelinear-per-axis", 13, {"x": x},
        {"y": quantize_ref(x, f64(scales), zps, np.int8)},
        attrs={"axis": 1}, initializers={"s": scales, "zp": zps}))
    cases.append(single(
        "QuantizeLinear", "quantizelinear-opset10-no-zero-point", 10,
        {"x": x}, {"y": quantize_ref(x, 2.0, 0, np.uint8)},
        initializers={"s": np.array(2.0, np.float32)}))
    q = np.array([[0, 128, 255], [7, 9, 200]], np.uint8)
    cs = np.array([0.5, 0.25], np.float32)
    czp = np.array([128, 7], np.uint8)
    cases.append(single(
        "DequantizeLinear", "dequantizelinear-per-axis", 13, {"q": q},
        {"y": ((f64(q) - f64(czp)[:, None]) * f64(cs)[:, None])
         .astype(np.float32)},
        attrs={"axis": 0}, initializers={"s": cs, "zp": czp}))
    d = rand(3, 5, low=-4, high=3)
    lo, hi = min(0.0, float(d.min())), max(0.0, float(d.max()))
    scale = np.float32((hi - lo) / 255)
    zp = np.clip(np.rint(-lo / f64(scale)), 0, 255)
    node = helper.make_node("DynamicQuantizeLinear", ["x"],
                            ["y", "scale", "zp"], name="dql")
    model = make_model([node], {"x": d},
                       [("y", np.uint8, None), ("scale", np.float32, None),
                        ("zp", np.uint8, None)], opset=11)
    cases.append(Case("dynamicquantizelinear", model, {"x": d},
                      {"y": quantize_ref(d, f64(scale), zp, np.uint8),
                       "scale": np.array(scale),
                       "zp": np.array(zp, np.uint8)}))
    a = RNG_INT.integers(0, 256, (2, 3, 4)).astype(np.uint8)
    b = RNG_INT.integers(-128, 128, (4, 5)).astype(np.int8)
    azp = np.array([3, 200, 17], np.uint8)
    bzp = np.array(-4, np.int8)
    expect = (a.astype(np.int64) - azp[:, None]) @ (b.astype(np.int64) - bzp)
    cases.append(single("MatMulInteger", "matmulinteger-zero-points", 10,
                        {"a": a, "b": b}, {"y": expect.astype(np.int32)},
                        initializers={"azp": azp, "bzp": bzp},
                        input_order=["a", "b", "azp", "bzp"]))
    a2 = a[0]
    sa, sb, sy = np.float32(0.02), np.float32(0.05), np.float32(0.3)
    yzp = np.uint8(100)
    acc = (a2.astype(np.int64) - 3) @ (b.astype(np.int64) + 4)
    expect = quantize_ref(acc * (f64(sa) * f64(sb) / f64(sy)), 1.0, 100,
                          np.uint8)
    cases.append(single(
        "QLinearMatMul", "qlinearmatmul", 10, {"a": a2, "b": b},
        {"y": expect},
        initializers={"sa": np.array(sa), "azp": np.array(3, np.uint8),
                      "sb": np.array(sb), "bzp": np.array(-4, np.int8),
                      "sy": np.array(sy), "yzp": np.array(yzp)},
        input_order=["a", "sa", "azp", "b", "sb", "bzp", "sy", "yzp"]))
    # Blocks of 3 along axis 1 of a 2x7 input: 3 blocks, the last one short.
    xb = rand(2, 7, low=-20, high=20)
    bs = np.array([[0.5, 0.25, 2.0], [1.0, 0.1, 4.0]], np.float32)
    bzp = np.array([[1, -3, 0], [5, 0, -7]], np.int8)
    rep = lambda p: np.repeat(p, 3, axis=1)[:, :7]
    cases.append(single("QuantizeLinear", "quantizelinear-blocked", 21,
                        {"x": xb},
                        {"y": quantize_ref(xb, f64(rep(bs)), rep(bzp),
                                           np.int8)},
                        attrs={"axis": 1, "block_size": 3},
                        initializers={"s": bs, "zp": bzp}))
    qb = RNG_INT.integers(-128, 128, (2, 7)).astype(np.int8)
    cases.append(single("DequantizeLinear", "dequantizelinear-blocked", 21,
                        {"q": qb},
                        {"y": ((f64(qb) - rep(bzp)) * rep(bs))
                         .astype(np.float32)},
                        attrs={"axis": 1, "block_size": 3},
                        initializers={"s": bs, "zp": bzp}))
    cases.append(single("DequantizeLinear", "dequantizelinear-bad-blocks", 21,
                        {"q": qb}, {"y": f64(qb).astype(np.float32)},
                        attrs={"axis": 1, "block_size": 2},
                        initializers={"s": bs, "zp": bzp}, expect_rc=1,
                        expect_error=["3 blocks", "block_size 2"]))
    return cases


RNG_INT = np.random.default_rng(77)


def einsum_cases():
    cases = []
    specs = [
        ("matmul", "ij,jk->ik", [(3, 4), (4, 5)], None),
        ("batch-transposed", "bij,bkj->bik", [(2, 3, 4), (2, 5, 4)], None),
        ("diagonal", "ii->i", [(4, 4)], None),
        ("trace-implicit", "ii", [(4, 4)], None),
        ("outer", "i,j->ij", [(3,), (4,)], None),
        ("sum-all", "ij->", [(3, 4)], None),
        ("implicit-matmul", "ij,jk", [(3, 4), (4, 2)], None),
        ("ellipsis", "...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)], None),
        ("three-operands", "abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 2)],
         None),
        ("ellipsis-broadcast", "...ij,...jk->...ik", [(1, 3, 4), (2, 4, 5)],
         None),
        ("diagonal-contracted", "iij,jk->ik", [(3, 3, 4), (4, 2)], None),
        ("repeated-three", "iii->i", [(3, 3, 3)], None),
    ]
    for tag, equation, shapes, plan in specs:
        arrays = [rand(*shape) for shape in shapes]
        inputs = {f"x{i}": a for i, a in enumerate(arrays)}
        expect = np.einsum(equation, *[f64(a) for a in arrays])
        cases.append(single("Einsum", f"einsum-{tag}", 12, inputs,
                            {"y": np.asarray(expect, np.float32)},
                            attrs={"equation": equation}, plan_expect=plan))
    ints = [RNG_INT.integers(-5, 5, (2, 3)).astype(np.int64),
            RNG_INT.integers(-5, 5, (3, 2)).astype(np.int64)]
    cases.append(single("Einsum", "einsum-int64", 12,
                        {"a": ints[0], "b": ints[1]},
                        {"y": np.einsum("ij,jk->ik", *ints)},
                        attrs={"equation": "ij,jk->ik"}))
    cases.append(single("Einsum", "einsum-size-mismatch", 12,
                        {"a": rand(2, 3), "b": rand(4, 2)}, {"y": rand(2, 2)},
                        attrs={"equation": "ij,jk->ik"}, expect_rc=1,
                        expect_error=["sizes 3 and 4"]))
    cases.append(single("Einsum", "einsum-repeated-result-label", 12,
                        {"a": rand(2, 2)}, {"y": rand(2, 2)},
                        attrs={"equation": "ij->ii"}, expect_rc=1,
                        expect_error=["Einsum", "repeats"]))
    cases.append(single("Einsum", "einsum-bad-rank", 12, {"a": rand(2, 3)},
                        {"y": rand(2)}, attrs={"equation": "ijk->i"},
                        expect_rc=1, expect_error=["ijk", "rank 2"]))
    return cases


def data_dependent_cases():
    cases = []
    known = np.array([[0, 2, 0], [1, 0, -3]], np.float32)
    # NonZero of a value known at import folds to a constant; the model's
    # input only gives it something to add to.
    node = helper.make_node("NonZero", ["k"], ["nz"], name="nonzero")
    add = helper.make_node("Add", ["nz", "x"], ["y"], name="add")
    offset = np.array([[10], [20]], np.int64)
    model = make_model([node, add], {"x": offset}, [("y", np.int64, None)],
                       {"k": known}, 13)
    cases.append(Case("nonzero-known", model, {"x": offset},
                      {"y": np.array(np.nonzero(known)) + offset}))
    x = rand(2, 3)
    cases.append(single("NonZero", "nonzero-runtime", 13, {"x": x},
                        {"y": np.array(np.nonzero(x))},
                        plan_expect=(2, ["NonZero", "output shape"])))
    cond = np.array([True, False, True])
    v = rand(2, 3, 4)
    cases.append(single("Compress", "compress-axis", 11, {"x": v},
                        {"y": np.compress(cond, v, axis=1)},
                        attrs={"axis": 1}, initializers={"c": cond}))
    cond2 = np.array([False, True, False, False, True])
    cases.append(single("Compress", "compress-flattened", 11, {"x": v},
                        {"y": np.compress(cond2, v)},
                        initializers={"c": cond2}))
    cases.append(single("Compress", "compress-runtime", 11,
                        {"x": v, "c": cond},
                        {"y": np.compress(cond, v, axis=1)}, attrs={"axis": 1},
                        plan_expect=(2, ["Compress", "condition",
                                         "output shape"])))
    return cases


def tensor_cases():
    return (loss_cases() + resize_cases() + index_cases() +
            quantization_cases() + einsum_cases() + data_dependent_cases())
