"""End-to-end cases of the signal family: the window ops, MelWeightMatrix,
DFT, STFT, GridSample, RoiAlign, TfIdfVectorizer, ReverseSequence and Det.
Expected outputs are computed here in float64 with numpy (np.fft,
np.linalg.det, np.hanning, ...) or with plain loops that follow the ONNX
specification point by point, independently of dsc's decompositions."""
import itertools
import math

import numpy as np
from onnx import helper

from cases import Case, make_model, rand, f64, single

I64 = np.int64


def scalar(v, dtype=I64):
    return np.array(v, dtype=dtype)


# --------------------------------------------------------------------------
# Windows and MelWeightMatrix
# --------------------------------------------------------------------------

def window_cases():
    cases = []
    for n in (1, 8, 13):
        for periodic in (1, 0):
            if n == 1 and not periodic:
                continue  # 0/0: NaN everywhere, by the formula
            ext = n + 1 if periodic else n
            hann = np.hanning(ext)[:n]
            blackman = np.blackman(ext)[:n]
            k = np.arange(n)
            hamming = 25 / 46 - 21 / 46 * np.cos(2 * np.pi * k / (ext - 1))
            for op, want in (("HannWindow", hann), ("HammingWindow", hamming),
                             ("BlackmanWindow", blackman)):
                cases.append(single(
                    op, f"{op.lower()}-{n}-p{periodic}", 17, {},
                    {"y": want.astype(np.float32)},
                    attrs={"periodic": periodic},
                    initializers={"size": scalar(n)}, tolerance=(1e-5, 1e-6)))
    # output_datatype double; the size as a graph input fixed at import.
    size = scalar(6, np.int32)
    cases.append(single("HannWindow", "hannwindow-f64-fixed-size", 17,
                        {"size": size}, {"y": np.hanning(7)[:6]},
                        attrs={"output_datatype": 11},
                        fixed_inputs=["size"]))
    cases.append(single("HannWindow", "hannwindow-negative-size", 17, {},
                        {"y": np.zeros(1, np.float32)},
                        initializers={"size": scalar(-2)}, expect_rc=1,
                        expect_error=["node0", "HannWindow", "negative"]))
    return cases


def mel_matrix(bins, length, rate, low, high):
    """Triangular mel filters with integer bin edges, as ONNX defines them."""
    mel = lambda hz: 2595 * np.log10(1 + hz / 700)
    step = (mel(high) - mel(low)) / (bins + 2)
    edges = [int(math.floor((length + 1) *
                            (700 * (10 ** ((i * step + mel(low)) / 2595) - 1))
                            / rate)) for i in range(bins + 2)]
    out = np.zeros((length // 2 + 1, bins))
    for i in range(bins):
        lo, c, hi = edges[i:i + 3]
        if c == lo:
            out[c, i] = 1
        for j in range(lo, c + 1):
            if c > lo:
                out[j, i] = (j - lo) / (c - lo)
        for j in range(c, hi):
            out[j, i] = (hi - j) / (hi - c)
    return out


def mel_cases():
    cases = []
    for bins, length, rate, low, high in ((8, 16, 8192, 0.0, 4096.0),
                                          (10, 64, 16000, 100.0, 7000.0)):
        inits = {"b": scalar(bins), "n": scalar(length), "r": scalar(rate),
                 "lo": scalar(low, np.float32), "hi": scalar(high, np.float32)}
        cases.append(single(
            "MelWeightMatrix", f"melweightmatrix-{bins}-{length}", 17, {},
            {"y": mel_matrix(bins, length, rate, low, high).astype(np.float32)},
            initializers=inits, input_order=["b", "n", "r", "lo", "hi"]))
    inits = {"b": scalar(4), "n": scalar(16), "r": scalar(8000),
             "lo": scalar(0, np.float32), "hi": scalar(8000, np.float32)}
    cases.append(single("MelWeightMatrix", "melweightmatrix-edge-too-high", 17,
                        {}, {"y": np.zeros(1, np.float32)}, initializers=inits,
                        input_order=["b", "n", "r", "lo", "hi"], expect_rc=1,
                        expect_error=["node0", "sample_rate / 2"]))
    return cases


# --------------------------------------------------------------------------
# DFT and STFT
# --------------------------------------------------------------------------

def as_complex(x):
    return x[..., 0] if x.shape[-1] == 1 else x[..., 0] + 1j * x[..., 1]


def as_pairs(z):
    return np.stack([z.real, z.imag], axis=-1)


def dft_cases():
    cases = []
    tol = (1e-4, 1e-4)
    real = rand(2, 6, 5, 1)
    cplx = rand(2, 6, 5, 2)
    variants = [  # name, input, axis, length, inverse, onesided
        ("real-axis1", real, 1, None, 0, 0),
        ("real-axis2-onesided", real, 2, None, 0, 1),
        ("complex-axis1", cplx, 1, None, 0, 0),
        ("complex-inverse", cplx, 2, None, 1, 0),
        ("complex-negative-axis", cplx, -3, None, 0, 0),
        ("real-padded", real, 1, 9, 0, 0),
        ("real-cut-onesided", real, 1, 4, 0, 1),
        ("complex-inverse-padded", cplx, 1, 8, 1, 0),
    ]
    for name, x, axis, length, inverse, onesided in variants:
        z = as_complex(f64(x))
        a = axis if axis >= 0 else axis + x.ndim
        n = length or x.shape[a]
        y = np.fft.ifft(z, n, axis=a) if inverse else np.fft.fft(z, n, axis=a)
        if onesided:
            y = np.take(y, range(n // 2 + 1), axis=a)
        inits = {"len": scalar(length)} if length else {}
        order = ["x", "len"] if length else ["x"]
        cases.append(single("DFT", f"dft-{name}", 17, {"x": x},
                            {"y": as_pairs(y).astype(np.float32)},
                            attrs={"axis": axis, "inverse": inverse,
                                   "onesided": onesided},
                            initializers=inits, input_order=order,
                            tolerance=tol))
    # Opset 20: the axis is an input (default -2); double precision.
    x = rand(3, 7, 2, dtype=np.float64)
    y = np.fft.fft(as_complex(x), axis=0)
    cases.append(single("DFT", "dft-opset20-axis-input", 20, {"x": x},
                        {"y": as_pairs(y)},
                        initializers={"axis": scalar(0)},
                        input_order=["x", "", "axis"]))
    y = np.fft.fft(as_complex(x), axis=1)
    cases.append(single("DFT", "dft-opset20-default-axis", 20, {"x": x},
                        {"y": as_pairs(y)}))
    cases.append(single("DFT", "dft-axis-last", 17, {"x": real},
                        {"y": real}, attrs={"axis": 3}, expect_rc=1,
                        expect_error=["node0", "DFT", "axis"]))
    return cases


def stft_reference(signal, step, window, length, onesided):
    z = as_complex(f64(signal))
    frames = 1 + (z.shape[1] - length) // step
    w = np.ones(length) if window is None else f64(window)
    out = np.stack([np.fft.fft(z[:, f * step:f * step + length] * w, axis=1)
                    for f in range(frames)], axis=1)
    if onesided:
        out = out[:, :, :length // 2 + 1]
    return as_pairs(out)


def stft_cases():
    cases = []
    tol = (1e-4, 1e-4)
    signal = rand(2, 64, 1)
    window = np.hanning(17)[:16].astype(np.float32)
    cases.append(single(
        "STFT", "stft-window", 17, {"s": signal},
        {"y": stft_reference(signal, 8, window, 16, True).astype(np.float32)},
        initializers={"step": scalar(8), "w": window},
        input_order=["s", "step", "w"], tolerance=tol))
    cases.append(single(
        "STFT", "stft-frame-length", 17, {"s": signal},
        {"y": stft_reference(signal, 5, None, 12, True).astype(np.float32)},
        initializers={"step": scalar(5), "len": scalar(12)},
        input_order=["s", "step", "", "len"], tolerance=tol))
    cplx = rand(1, 40, 2)
    cases.append(single(
        "STFT", "stft-complex-twosided", 17, {"s": cplx, "w": window[:10]},
        {"y": stft_reference(cplx, 6, window[:10], 10, False)
         .astype(np.float32)},
        attrs={"onesided": 0}, initializers={"step": scalar(6)},
        input_order=["s", "step", "w"], tolerance=tol))
    cases.append(single(
        "STFT", "stft-window-length-mismatch", 17, {"s": signal},
        {"y": signal}, initializers={"step": scalar(8), "w": window,
                                     "len": scalar(10)},
        input_order=["s", "step", "w", "len"], expect_rc=1,
        expect_error=["node0", "frame_length 10"]))
    return cases


# --------------------------------------------------------------------------
# GridSample
# --------------------------------------------------------------------------

def reflect(v, lo, hi):
    rng = hi - lo
    if lo <= v <= hi:
        return v
    if v < lo:
        dx = lo - v
        k, r = int(dx // rng), dx - int(dx // rng) * rng
        return lo + r if k % 2 == 0 else hi - r
    dx = v - hi
    k, r = int(dx // rng), dx - int(dx // rng) * rng
    return hi - r if k % 2 == 0 else lo + r


def cubic(t):
    a = -0.75
    t = abs(t)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    if t < 2:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return 0.0


def grid_sample(x, grid, mode, padding, align):
    """Point by point, as the ONNX specification describes GridSample."""
    x, grid = f64(x), f64(grid)
    n, c = x.shape[:2]
    sizes = x.shape[2:]
    dims = len(sizes)
    out = np.zeros((n, c) + grid.shape[1:-1])
    for b in range(n):
        for p in itertools.product(*(range(s) for s in grid.shape[1:-1])):
            coords = grid[(b,) + p][::-1]
            pos = []
            for g, d in zip(coords, sizes):
                lo, hi = (0, d - 1) if align else (-0.5, d - 0.5)
                v = (g + 1) / 2 * (d - 1) if align else ((g + 1) * d - 1) / 2
                if mode == "nearest":
                    v = float(np.rint(v)) if dims != 3 else \
                        math.copysign(math.floor(abs(v) + 0.5), v)
                if v < lo or v > hi:
                    if padding == "border":
                        v = min(max(v, 0), d - 1)
                    elif padding == "reflection":
                        v = reflect(v, lo, hi)
                pos.append((v, lo, hi, d))

            def taps(v):
                if mode == "nearest":
                    return [(int(v), 1.0)]
                f = math.floor(v)
                if mode == "linear":
                    return [(f, 1 - (v - f)), (f + 1, v - f)]
                return [(f + k, cubic(v - (f + k))) for k in (-1, 0, 1, 2)]

            for ch in range(c):
                total = 0.0
                for combo in itertools.product(*(taps(v) for v, _, _, _ in pos)):
                    index, weight, inside = [], 1.0, True
                    for (i, w), (_, lo, hi, d) in zip(combo, pos):
                        weight *= w
                        if padding == "zeros":
                            inside &= 0 <= i < d
                        elif padding == "border":
                            i = min(max(i, 0), d - 1)
                        else:
                            i = int(reflect(i, lo, hi))
                        index.append(i)
                    if inside:
                        total += weight * x[(b, ch) + tuple(index)]
                out[(b, ch) + p] = total
    return out


def gridsample_cases():
    cases = []
    x = rand(2, 3, 4, 5)
    grid = rand(2, 3, 4, 2, low=-1.4, high=1.4)
    legacy = {"linear": "bilinear", "nearest": "nearest", "cubic": "bicubic"}
    for mode, padding, align in itertools.product(
            ("linear", "nearest", "cubic"), ("zeros", "border", "reflection"),
            (0, 1)):
        want = grid_sample(x, grid, mode, padding, align).astype(np.float32)
        cases.append(single(
            "GridSample", f"gridsample-{mode}-{padding}-a{align}", 16,
            {"x": x, "grid": grid}, {"y": want},
            attrs={"mode": legacy[mode], "padding_mode": padding,
                   "align_corners": align}, tolerance=(1e-4, 1e-5)))
    # Opset 20: N-D (3 spatial axes) and the new mode names.
    x3 = rand(1, 2, 3, 4, 3)
    grid3 = rand(1, 2, 3, 2, 3, low=-1.3, high=1.3)
    for mode, padding in (("linear", "zeros"), ("linear", "reflection"),
                          ("nearest", "border")):
        want = grid_sample(x3, grid3, mode, padding, 0).astype(np.float32)
        cases.append(single(
            "GridSample", f"gridsample-3d-{mode}-{padding}", 20,
            {"x": x3, "grid": grid3}, {"y": want},
            attrs={"mode": mode, "padding_mode": padding},
            tolerance=(1e-4, 1e-5)))
    want = grid_sample(x, grid, "cubic", "border", 1).astype(np.float32)
    cases.append(single("GridSample", "gridsample-opset20-cubic", 20,
                        {"x": x, "grid": grid}, {"y": want},
                        attrs={"mode": "cubic", "padding_mode": "border",
                               "align_corners": 1}, tolerance=(1e-4, 1e-5)))
    # f16 data and grid: coordinates are computed in f32.
    x16 = rand(1, 2, 40, 60).astype(np.float16)
    grid16 = rand(1, 4, 3, 2, low=-1.1, high=1.1).astype(np.float16)
    want = grid_sample(x16, grid16, "linear", "border", 0)
    cases.append(single("GridSample", "gridsample-f16", 16,
                        {"x": x16, "grid": grid16},
                        {"y": want.astype(np.float16)},
                        attrs={"padding_mode": "border"},
                        tolerance=(1e-2, 1e-3)))
    cases.append(single("GridSample", "gridsample-3d-cubic", 20,
                        {"x": x3, "grid": grid3}, {"y": x3},
                        attrs={"mode": "cubic"}, expect_rc=2,
                        expect_error=["node0", "GridSample", "cubic"]))
    cases.append(single("GridSample", "gridsample-opset16-new-mode-name", 16,
                        {"x": x, "grid": grid}, {"y": x},
                        attrs={"mode": "linear"}, expect_rc=1,
                        expect_error=["node0", "'mode' is 'linear'"]))
    return cases


# --------------------------------------------------------------------------
# RoiAlign
# --------------------------------------------------------------------------

def roi_align(x, rois, batch, out_h, out_w, ratio, scale, mode, half_pixel):
    x, rois = f64(x), f64(rois)
    _, c, h, w = x.shape
    out = np.zeros((len(rois), c, out_h, out_w))
    off = 0.5 if half_pixel else 0.0

    def sample(img, y, xx):
        if y < -1 or y > h or xx < -1 or xx > w:
            return [0.0] * 4
        y, xx = max(y, 0.0), max(xx, 0.0)
        y0, x0 = int(y), int(xx)
        y1, x1 = y0 + 1, x0 + 1
        if y0 >= h - 1:
            y0 = y1 = h - 1
            y = float(y0)
        if x0 >= w - 1:
            x0 = x1 = w - 1
            xx = float(x0)
        ly, lx = y - y0, xx - x0
        return [(1 - ly) * (1 - lx) * img[y0, x0], (1 - ly) * lx * img[y0, x1],
                ly * (1 - lx) * img[y1, x0], ly * lx * img[y1, x1]]

    for r, (x1, y1, x2, y2) in enumerate(rois * scale - off):
        rw, rh = x2 - x1, y2 - y1
        if not half_pixel:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / out_h, rw / out_w
        for ch in range(c):
            img = x[batch[r], ch]
            for ph in range(out_h):
                for pw in range(out_w):
                    vals = []
                    for iy in range(ratio):
                        for ix in range(ratio):
                            yy = y1 + ph * bh + (iy + 0.5) * bh / ratio
                            xx = x1 + pw * bw + (ix + 0.5) * bw / ratio
                            vals.append(sample(img, yy, xx))
                    out[r, ch, ph, pw] = (sum(map(sum, vals)) / len(vals)
                                          if mode == "avg"
                                          else max(map(max, vals)))
    return out


def roialign_cases():
    cases = []
    x = rand(2, 3, 8, 10)
    rois = np.array([[0, 0, 9, 7], [2.5, 1.2, 6.3, 5.9], [-2, -1, 3, 4],
                     [5, 4, 12, 11], [3, 3, 3.2, 3.1]], np.float32)
    batch = np.array([0, 1, 1, 0, 1], I64)
    for mode, transform, scale, ratio in (
            ("avg", "half_pixel", 1.0, 2), ("avg", "output_half_pixel", 0.5, 3),
            ("max", "half_pixel", 1.0, 2), ("max", "output_half_pixel", 1.0, 1)):
        want = roi_align(x, rois, batch, 3, 4, ratio, scale, mode,
                         transform == "half_pixel").astype(np.float32)
        cases.append(single(
            "RoiAlign", f"roialign-{mode}-{transform}-r{ratio}", 16,
            {"x": x, "rois": rois, "b": batch}, {"y": want},
            attrs={"mode": mode, "coordinate_transformation_mode": transform,
                   "output_height": 3, "output_width": 4,
                   "sampling_ratio": ratio, "spatial_scale": scale},
            tolerance=(1e-4, 1e-5)))
    # Opset 10 has no coordinate_transformation_mode: output_half_pixel.
    want = roi_align(x, rois, batch, 2, 2, 2, 1.0, "avg", False)
    cases.append(single("RoiAlign", "roialign-opset10", 10,
                        {"x": x, "rois": rois, "b": batch},
                        {"y": want.astype(np.float32)},
                        attrs={"output_height": 2, "output_width": 2,
                               "sampling_ratio": 2}, tolerance=(1e-4, 1e-5)))
    x16 = rand(1, 2, 30, 40).astype(np.float16)
    rois16 = np.array([[1.3, 2.7, 35.1, 28.4], [10.2, 0.5, 20.9, 9.6]],
                      np.float16)
    batch16 = np.zeros(2, I64)
    want = roi_align(x16, rois16, batch16, 4, 4, 2, 1.0, "avg", True)
    cases.append(single("RoiAlign", "roialign-f16", 16,
                        {"x": x16, "rois": rois16, "b": batch16},
                        {"y": want.astype(np.float16)},
                        attrs={"output_height": 4, "output_width": 4,
                               "sampling_ratio": 2}, tolerance=(1e-2, 1e-3)))
    cases.append(single("RoiAlign", "roialign-adaptive-grid", 16,
                        {"x": x, "rois": rois, "b": batch}, {"y": x},
                        expect_rc=2,
                        expect_error=["node0", "RoiAlign", "sampling_ratio"]))
    bad = np.array([0, 1, 2, 0, 1], I64)
    cases.append(single("RoiAlign", "roialign-batch-index-out-of-range", 16,
                        {"x": x, "rois": rois, "b": bad}, {"y": x},
                        attrs={"sampling_ratio": 2}, expect_rc=1,
                        expect_error=["out of range"]))
    return cases


# --------------------------------------------------------------------------
# TfIdfVectorizer
# --------------------------------------------------------------------------

def tfidf(x, min_len, max_len, max_skip, counts, indexes, pool, mode,
          weights=None):
    """Counts each pool n-gram directly: items i, i + d, ..., for every skip
    distance d (unigrams once), then weights the counts."""
    rows = x.reshape(-1, x.shape[-1])
    size = max(indexes) + 1
    out = np.zeros((len(rows), size))
    grams = []
    for k, start in enumerate(counts):
        n = k + 1
        end = counts[k + 1] if k + 1 < len(counts) else len(pool)
        for g in range(start, end, n):
            grams.append((n, tuple(pool[g:g + n])))
    for gid, (n, gram) in enumerate(grams):
        if not min_len <= n <= max_len:
            continue
        for r, row in enumerate(rows):
            total = 0
            for d in (range(1, 2) if n == 1 else range(1, max_skip + 2)):
                for i in range(len(row)):
                    idx = [i + j * d for j in range(n)]
                    if idx[-1] < len(row) and \
                            tuple(row[t] for t in idx) == gram:
                        total += 1
            out[r, indexes[gid]] += total
    w = np.ones(size) if weights is None else np.asarray(weights)
    if mode == "IDF":
        out = (out > 0) * w
    elif mode == "TFIDF":
        out = out * w
    return out.reshape(x.shape[:-1] + (size,)).astype(np.float32)


def tfidf_cases():
    cases = []
    x2 = np.array([[1, 1, 3, 3, 3, 7, 2, 8], [8, 6, 7, 5, 6, 8, 6, 7]], I64)
    pool = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 1, 3, 3, 6, 7, 5]
    counts = [0, 4, 10]  # 4 unigrams, 3 bigrams, 2 trigrams
    indexes = [8, 7, 6, 5, 4, 3, 2, 1, 0]
    weights = [0.5, 1.5, 2.0, 0.25, 3.0, 1.0, 0.75, 2.5, 4.0]
    for name, x, lo, hi, skip, mode, w in (
            ("tf-uni-to-tri-skip2", x2, 1, 3, 2, "TF", None),
            ("idf-bigrams", x2, 2, 2, 3, "IDF", weights),
            ("tfidf-all", x2, 1, 3, 1, "TFIDF", weights),
            ("tfidf-no-weights-1d", x2[1].astype(np.int32), 1, 2, 0, "TFIDF",
             None)):
        attrs = {"min_gram_length": lo, "max_gram_length": hi,
                 "max_skip_count": skip, "mode": mode, "ngram_counts": counts,
                 "ngram_indexes": indexes, "pool_int64s": pool}
        if w is not None:
            attrs["weights"] = w
        cases.append(single("TfIdfVectorizer", f"tfidfvectorizer-{name}", 9,
                            {"x": x}, {"y": tfidf(x, lo, hi, skip, counts,
                                                  indexes, pool, mode, w)},
                            attrs=attrs))
    attrs = {"min_gram_length": 1, "max_gram_length": 1, "max_skip_count": 0,
             "mode": "TF", "ngram_counts": [0], "ngram_indexes": [0, 1],
             "pool_strings": ["a", "b"]}
    cases.append(single("TfIdfVectorizer", "tfidfvectorizer-strings", 9,
                        {"x": x2}, {"y": x2}, attrs=attrs, expect_rc=2,
                        expect_error=["node0", "pool_strings"]))
    return cases


# --------------------------------------------------------------------------
# ReverseSequence and Det
# --------------------------------------------------------------------------

def reverse_sequence(x, lens, batch_axis, time_axis):
    y = np.array(x)
    for b, n in enumerate(lens):
        src = [slice(None)] * x.ndim
        src[batch_axis] = b
        src[time_axis] = slice(0, n)
        dst = list(src)
        dst[time_axis] = slice(n - 1, None, -1) if n > 0 else slice(0, 0)
        y[tuple(src)] = x[tuple(dst)]
    return y


def reverse_det_cases():
    cases = []
    x = rand(5, 3, 2)
    lens = np.array([5, 1, 3], I64)
    cases.append(single("ReverseSequence", "reversesequence-time-major", 10,
                        {"x": x, "lens": lens},
                        {"y": reverse_sequence(x, lens, 1, 0)}))
    xb = rand(4, 6, 3).astype(np.float16)
    lens = np.array([6, 2, 0, 4], I64)
    cases.append(single("ReverseSequence", "reversesequence-batch-major-f16",
                        10, {"x": xb, "lens": lens},
                        {"y": reverse_sequence(xb, lens, 0, 1)},
                        attrs={"batch_axis": 0, "time_axis": 1}))
    cases.append(single("ReverseSequence", "reversesequence-len-too-long", 10,
                        {"x": x, "lens": np.array([6, 1, 3], I64)}, {"y": x},
                        expect_rc=1, expect_error=["out of range"]))
    for shape in ((1, 1), (3, 3), (2, 3, 4, 4), (5, 5), (6, 6)):
        m = rand(*shape) + 2 * np.eye(shape[-1], dtype=np.float32)
        cases.append(single("Det", "det-" + "x".join(map(str, shape)), 11,
                            {"x": m}, {"y": np.asarray(np.linalg.det(f64(m)),
                                                  np.float32)},
                            tolerance=(1e-4, 1e-5)))
    m = rand(3, 3, dtype=np.float64)
    cases.append(single("Det", "det-f64", 11, {"x": m},
                        {"y": np.array(np.linalg.det(m))}))
    cases.append(single("Det", "det-too-large", 11, {"x": rand(7, 7)},
                        {"y": scalar(0, np.float32)}, expect_rc=2,
                        expect_error=["node0", "Det", "7x7"]))
    return cases


def signal_cases():
    cases = []
    for build in (window_cases, mel_cases, dft_cases, stft_cases,
                  gridsample_cases, roialign_cases, tfidf_cases,
                  reverse_det_cases):
        cases.extend(build())
    return cases
