#!/usr/bin/python3
"""Runs generated CUDA kernels on the CPU and compares them with numpy.

For each case, `dsc-translate --exec-to-cuda` generates the kernel of an
exec.kernel of the lit tests (test/lit/codegen/*.mlir) or of this file; the
source, with host_cuda.h in front of it and the prelude's PTX conversions
taken out, is compiled with g++ and launched with the grid and block the
emitter chose; each output is compared with what numpy computes from the
same inputs. Outputs start poisoned, so an element no thread writes fails.

This proves the kernels' arithmetic and indexing without a GPU; NVRTC
compiles them in the lit tests, and the GPU machine runs the plans
(docs/gpu.md).

    run_host_kernels.py --translate build/tools/dsc-translate/dsc-translate
"""

import argparse
import concurrent.futures
import itertools
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LIT = os.path.join(HERE, "..", "lit", "codegen")


def bf16(a):
    """float32 values to bf16 bits, rounding to nearest even."""
    u = np.asarray(a, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7fff + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def lit_kernel(file, name):
    text = open(os.path.join(LIT, file)).read()
    match = re.search(r"exec\.kernel @" + name + r"\(.*?\n\}", text, re.S)
    if not match:
        raise KeyError(f"no kernel @{name} in {file}")
    return match.group(0)


def kernel(name, signature, body_op, result_type, family="data"):
    """An exec.kernel of one op: `signature` are the arguments."""
    return (f"exec.kernel @{name}({signature}) -> {result_type} attributes "
            f"{{family = \"{family}\"}} {{\n  %y = {body_op}\n"
            f"  exec.yield %y : {result_type}\n}}")


class Case:
    def __init__(self, name, mlir, inputs, outputs, rtol=1e-5, atol=1e-6,
                 fault=0, bf16=False, min_launches=0, max_grid_y=0):
        self.name, self.mlir = name, mlir
        # Launches take at most this many blocks along y (0: as emitted):
        # persistent kernels that stride over their tiles must compute the
        # same with fewer blocks than the emitter chose.
        self.max_grid_y = max_grid_y
        # Entries the kernel must have (its variants included), when it
        # lists tactics.
        self.min_launches = min_launches
        # uint16 outputs holding bf16 bits, compared as floats.
        self.bf16 = bf16
        self.inputs, self.outputs = inputs, outputs
        self.rtol, self.atol = rtol, atol
        # The fault word a kernel that reports faults must leave (0: none).
        self.fault = fault


def sequential_arg(x, is_max, last):
    """ONNX ArgMax/ArgMin over the last axis as a sequential scan."""
    result = []
    for row in x.reshape(-1, x.shape[-1]):
        best = 0
        for j in range(1, len(row)):
            better = row[j] > row[best] if is_max else row[j] < row[best]
            if better or (last and row[j] == row[best]):
                best = j
        result.append(best)
    return np.array(result, np.int64).reshape(x.shape[:-1])


def log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def topk_reference(x, k, axis, largest):
    """ONNX TopK as the reference sorts: NaN is the largest value, equal
    values keep the lower index first."""
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1]).astype(np.float64)
    order = []
    for row in rows:
        def key(j):
            nan = bool(np.isnan(row[j]))
            value = 0.0 if nan else row[j]
            if largest:
                return (not nan, -value, j)
            return (nan, value, j)
        order.append(sorted(range(len(row)), key=key)[:k])
    index = np.array(order, np.int64).reshape(moved.shape[:-1] + (k,))
    index = np.moveaxis(index, -1, axis)
    return np.take_along_axis(x, index, axis), index


def gather_nd_reference(x, i, batch):
    """ONNX GatherND, indices in range (negative from the end)."""
    batches = int(np.prod(i.shape[:batch]))
    xb = x.reshape((batches,) + x.shape[batch:])
    ib = i.reshape((batches, -1, i.shape[-1]))
    out = [[xb[b][tuple(t % np.array(x.shape[batch:batch + len(t)]))]
            for t in ib[b]] for b in range(batches)]
    return np.array(out, x.dtype).reshape(
        i.shape[:-1] + x.shape[batch + i.shape[-1]:])


def scatter_nd_reference(x, i, u, combine):
    """ONNX ScatterND applied update by update, in order."""
    out = x.copy()
    depth = i.shape[-1]
    tuples = i.reshape(-1, depth)
    slices = u.reshape((len(tuples),) + x.shape[depth:])
    for t, update in zip(tuples, slices):
        at = tuple(t % np.array(x.shape[:depth]))
        out[at] = update if combine is None else combine(out[at], update)
    return out


def topk_kernel(name, shape, k, axis, largest, dtype, yields=("v", "i")):
    """An exec.kernel of one graph.topk yielding `yields` in that order."""
    out_shape = list(shape)
    out_shape[axis] = k
    t = lambda s, e: "tensor<" + "x".join(map(str, s)) + "x" + e + ">"
    types = {"v": t(out_shape, dtype), "i": t(out_shape, "i64")}
    results = ", ".join(types[y] for y in yields)
    return (f"exec.kernel @{name}(%x: {t(shape, dtype)}) -> ({results}) "
            f"attributes {{family = \"data\"}} {{\n"
            f"  %v, %i = graph.topk %x {{k = {k} : i64, axis = {axis} : i64, "
            f"largest = {str(largest).lower()}}} : {t(shape, dtype)} -> "
            f"{types['v']}, {types['i']}\n"
            f"  exec.yield {', '.join('%' + y for y in yields)} : {results}\n}}")


def np_conv(x, w, strides, pads, dilations, group):
    """2-D convolution in NCHW (float64): w is M x C/group x R x S."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    xp = np.pad(x, [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])])
    m, cg, kr, ks = w.shape
    out = [(xp.shape[2 + i] - (k - 1) * dilations[i] - 1) // strides[i] + 1
           for i, k in enumerate((kr, ks))]
    y = np.zeros((x.shape[0], m, *out))
    mg = m // group
    for g in range(group):
        for r in range(kr):
            for t in range(ks):
                h0, w0 = r * dilations[0], t * dilations[1]
                patch = xp[:, g * cg:(g + 1) * cg,
                           h0:h0 + (out[0] - 1) * strides[0] + 1:strides[0],
                           w0:w0 + (out[1] - 1) * strides[1] + 1:strides[1]]
                y[:, g * mg:(g + 1) * mg] += np.einsum(
                    "nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, r, t])
    return y


def cases():
    rng = np.random.default_rng(0)
    out = []

    def add(name, mlir, inputs, outputs, **options):
        out.append(Case(name, mlir, inputs, outputs, **options))

    # Channels-last convolution and pooling (nn.mlir).
    x = rng.standard_normal((2, 7, 6, 4)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    y = np_conv(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2), [2, 1],
                [1, 2, 2, 2], [1, 2], 2) + b.reshape(1, 6, 1, 1)
    add("conv-nhwc-group", lit_kernel("nn.mlir", "conv_nhwc_group"),
        [x, w, b], [y.transpose(0, 2, 3, 1).astype(np.float32)], rtol=1e-5,
        atol=1e-5)
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float16)
    xp = np.pad(x.astype(np.float64), [(0, 0), (1, 1), (1, 1), (0, 0)])
    y = np.stack([np.stack([xp[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3].mean((1, 2))
                            for j in range(3)], 1) for i in range(2)], 1)
    add("avg-pool-nhwc-f16", lit_kernel("nn.mlir", "avg_pool_nhwc_f16"), [x],
        [y.astype(np.float16)], rtol=2e-3, atol=2e-3)
    # Channels-last 16-bit pools, 8 channels per thread (nn.mlir).
    x = rng.standard_normal((2, 7, 9, 16)).astype(np.float16)
    xp = np.pad(x.astype(np.float64), [(0, 0), (1, 1), (1, 1), (0, 0)],
                constant_values=-np.inf)
    y = np.stack([np.stack([xp[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3].max((1, 2))
                            for j in range(5)], 1) for i in range(4)], 1)
    add("max-pool-nhwc-vec", lit_kernel("nn.mlir", "max_pool_nhwc_vec"), [x],
        [y.astype(np.float16)])
    # bf16 results are compared bit for bit: sum in f32 in the kernel's tap
    # order (zeros of the padding add nothing), divide by the 6 positions.
    xb = bf16(rng.standard_normal((1, 5, 6, 8)))
    xp = np.pad((xb.astype(np.uint32) << 16).view(np.float32),
                [(0, 0), (1, 1), (0, 0), (0, 0)])
    y = np.zeros((1, 3, 3, 8), np.float32)
    for i in range(3):
        for j in range(3):
            for a in range(3):
                for b in range(2):
                    y[:, i, j] += xp[:, 2 * i + a, 2 * j + b]
    add("avg-pool-nhwc-vec-bf16", lit_kernel("nn.mlir", "avg_pool_nhwc_vec_bf16"),
        [xb], [bf16(y / np.float32(6))])
    # Implicit-GEMM convolutions, f32 (conv.mlir): im2col offsets, edges
    # of M, N and K, the fused epilogue.
    x = rng.standard_normal((2, 9, 11, 5)).astype(np.float32)
    w = rng.standard_normal((7, 3, 3, 5)).astype(np.float32)
    b = rng.standard_normal(7).astype(np.float32)
    r = rng.standard_normal((2, 5, 6, 7)).astype(np.float32)
    y = np_conv(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2), [2, 2],
                [1, 2, 1, 2], [1, 2], 1).transpose(0, 2, 3, 1)
    add("conv-igemm-f32-residual-relu",
        lit_kernel("conv.mlir", "conv_f32_residual_relu"), [x, w, b, r],
        [np.maximum(y + b + r, 0).astype(np.float32)], rtol=1e-5, atol=1e-5)
    x = rng.standard_normal((1, 12, 13, 16)).astype(np.float32)
    w = rng.standard_normal((70, 1, 1, 16)).astype(np.float32)
    y = np_conv(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2), [1, 1],
                [0, 0, 0, 0], [1, 1], 1).transpose(0, 2, 3, 1)
    add("conv-igemm-f32-1x1-blocks",
        kernel("conv1x1", "%x: tensor<1x12x13x16xf32>, "
               "%w: tensor<70x1x1x16xf32>",
               "graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, "
               "dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, "
               "group = 1 : i64} : (tensor<1x12x13x16xf32>, "
               "tensor<70x1x1x16xf32>) -> tensor<1x12x13x70xf32>",
               "tensor<1x12x13x70xf32>"),
        [x, w], [y.astype(np.float32)], rtol=1e-5, atol=1e-4)
    # Tensor cores (mma.sync, ldmatrix, cp.async emulated in host_cuda.h):
    # first the GEMM the GPU runs, which proves the emulation, then the
    # implicit-GEMM convolutions.
    def from_bf16(bits):
        return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    a = bf16(rng.standard_normal((2, 3, 33, 70)))
    b = bf16(rng.standard_normal((3, 70, 17)))
    r = bf16(rng.standard_normal((2, 3, 33, 17)))
    y = from_bf16(bf16((from_bf16(a) @ from_bf16(b)).astype(np.float32)))
    add("gemm-tensor-cores-bf16", lit_kernel("gemm.mlir", "bmm_bf16"), [a, b, r],
        [from_bf16(bf16((y + from_bf16(r)).astype(np.float32))).astype(np.float32)],
        rtol=2e-2, atol=2e-2)

    def nhwc_conv(x, w, strides, pads, dilations):
        return np_conv(x.astype(np.float64).transpose(0, 3, 1, 2),
                       w.astype(np.float64).transpose(0, 3, 1, 2), strides,
                       pads, dilations, 1).transpose(0, 2, 3, 1)
    x = (rng.standard_normal((1, 9, 10, 16)) / 4).astype(np.float16)
    w = (rng.standard_normal((40, 3, 3, 16)) / 4).astype(np.float16)
    b = rng.standard_normal(40).astype(np.float16)
    y = nhwc_conv(x, w, [1, 1], [1, 1, 1, 1], [1, 1]) + b.astype(np.float64)
    conv_tc = kernel("conv_tc", "%x: tensor<1x9x10x16xf16>, %w: tensor<40x3x3x16xf16>, "
                     "%b: tensor<40xf16>",
                     "graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, "
                     "dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, "
                     "group = 1 : i64} : (tensor<1x9x10x16xf16>, tensor<40x3x3x16xf16>, "
                     "tensor<40xf16>) -> tensor<1x9x10x40xf16>", "tensor<1x9x10x40xf16>")
    add("conv-igemm-f16-tensor-cores", conv_tc,
        [x, w, b], [y.astype(np.float16)], rtol=1e-2, atol=1e-2)
    # The same conv through every conv tile (exec.tactics): M = 90 pixels,
    # N = 40 channels, K = 144 in 32-deep slices.
    conv_tiles = ", ".join(
        f"{{bm = {bm}, bn = {bn}, bk = 32, warps_m = {wm}, warps_n = {wn}, "
        f"stages = {st}, split_k = 1}}" for bm, bn, wm, wn, st in
        [(16, 32, 1, 2, 4), (128, 128, 2, 4, 3), (128, 64, 4, 2, 3),
         (64, 128, 2, 4, 3), (64, 64, 2, 2, 4), (32, 64, 1, 4, 4),
         (32, 32, 1, 2, 4), (16, 64, 1, 4, 4)])
    add("conv-igemm-f16-tactics-variants",
        conv_tc + f"\nexec.tactics @conv_tc [{conv_tiles}]\n",
        [x, w, b], [y.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=8)
    # Warpgroup-MMA conv tiles (emulated, and their mma.sync fallbacks):
    # the same conv, K = 144 in 64-deep slices (a short last one), N = 40
    # (edge rows of the filter tile), then a strided conv with 3 channels
    # (element gathers) and 2 images.
    wgmma_conv_tiles = ", ".join(
        f"{{bm = {bm}, bn = {bn}, bk = 64, warps_m = {bm // 16}, warps_n = 1, "
        f"stages = {st}, split_k = 1, wgmma = 1}}" for bm, bn, st in
        [(128, 64, 4), (64, 64, 3), (128, 128, 4)])
    add("conv-igemm-f16-wgmma",
        conv_tc + f"\nexec.tactics @conv_tc [{wgmma_conv_tiles}]\n",
        [x, w, b], [y.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=3)
    xs = (rng.standard_normal((2, 15, 13, 3)) / 2).astype(np.float16)
    ws = (rng.standard_normal((64, 7, 7, 3)) / 4).astype(np.float16)
    ys = nhwc_conv(xs, ws, [2, 2], [3, 3, 3, 3], [1, 1])
    add("conv-igemm-f16-wgmma-stem",
        kernel("conv_stem", "%x: tensor<2x15x13x3xf16>, %w: tensor<64x7x7x3xf16>",
               "graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
               "dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, "
               "group = 1 : i64} : (tensor<2x15x13x3xf16>, tensor<64x7x7x3xf16>) "
               "-> tensor<2x8x7x64xf16>", "tensor<2x8x7x64xf16>")
        + "\nexec.tactics @conv_stem [{bm = 64, bn = 64, bk = 64, warps_m = 4, "
        "warps_n = 1, stages = 3, split_k = 1, wgmma = 1}, {bm = 128, bn = 64, "
        "bk = 64, warps_m = 8, warps_n = 1, stages = 4, split_k = 1, wgmma = 1}]\n",
        [xs, ws], [ys.astype(np.float16)], rtol=1e-2, atol=1e-2, min_launches=2)
    # The stem with its 3 channels padded to 4 (graph-pad-channels): each
    # tap and each filter row's 4 channels are 8-byte copies (K = 196 is
    # not a multiple of 8), through mma.sync tiles (one split K 3 ways) and
    # warpgroup tiles.
    xs4 = np.pad(xs, [(0, 0), (0, 0), (0, 0), (0, 1)])
    ws4 = np.pad(ws, [(0, 0), (0, 0), (0, 0), (0, 1)])
    add("conv-igemm-f16-stem-4-channels",
        kernel("conv_stem4", "%x: tensor<2x15x13x4xf16>, %w: tensor<64x7x7x4xf16>",
               "graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
               "dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, "
               "group = 1 : i64} : (tensor<2x15x13x4xf16>, tensor<64x7x7x4xf16>) "
               "-> tensor<2x8x7x64xf16>", "tensor<2x8x7x64xf16>")
        + "\nexec.tactics @conv_stem4 [{bm = 64, bn = 64, bk = 32, warps_m = 2, "
        "warps_n = 2, stages = 4, split_k = 1}, {bm = 16, bn = 32, bk = 32, "
        "warps_m = 1, warps_n = 2, stages = 4, split_k = 3}, {bm = 64, bn = 64, "
        "bk = 64, warps_m = 4, warps_n = 1, stages = 3, split_k = 1, wgmma = 1}, "
        "{bm = 128, bn = 64, bk = 64, warps_m = 8, warps_n = 1, stages = 4, "
        "split_k = 1, wgmma = 1}]\n",
        [xs4, ws4], [ys.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=4)
    # Patch tiles (a direct convolution from the input window in shared
    # memory): the 4-channel stem through rectangles of 16 x 16, 8 x 16,
    # 8 x 8 and 4 x 32 pixels (all wider or taller than its 8 x 7 output:
    # masked rows), K = 196 padded to 208 (a lane's second tap past the
    # window reads zeros); then 8 channels, stride 1, dilation 2, uneven
    # pads, 72 output channels (two column blocks, the second mostly past
    # N), K = 72 padded to 80, with a bias and ReLU.
    patch_tiles = lambda tiles: ", ".join(
        f"{{bm = {bm}, bn = {bn}, bk = 16, warps_m = {wm}, warps_n = {wn}, "
        f"stages = 1, split_k = 1, patch = {pw}}}"
        for bm, bn, wm, wn, pw in tiles)
    add("conv-patch-f16-stem-4-channels",
        kernel("conv_patch4", "%x: tensor<2x15x13x4xf16>, %w: tensor<64x7x7x4xf16>",
               "graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
               "dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, "
               "group = 1 : i64} : (tensor<2x15x13x4xf16>, tensor<64x7x7x4xf16>) "
               "-> tensor<2x8x7x64xf16>", "tensor<2x8x7x64xf16>")
        + "\nexec.tactics @conv_patch4 [" + patch_tiles(
            [(256, 64, 4, 2, 16), (128, 64, 4, 2, 16), (256, 64, 8, 1, 16),
             (64, 64, 2, 2, 8), (128, 32, 4, 2, 32)]) + "]\n",
        [xs4, ws4], [ys.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=5)
    # The persistent blocks walk several tiles each (one block, then two,
    # over the 8 x 8 tiles of a larger output: both window buffers reused).
    xs5 = (rng.standard_normal((3, 37, 29, 4)) / 2).astype(np.float16)
    ws5 = (rng.standard_normal((24, 5, 5, 4)) / 4).astype(np.float16)
    ys5 = nhwc_conv(xs5, ws5, [2, 2], [2, 2, 2, 2], [1, 1])
    for blocks in (1, 2):
        add(f"conv-patch-f16-persistent-{blocks}",
            kernel("conv_patch_walk", "%x: tensor<3x37x29x4xf16>, "
                   "%w: tensor<24x5x5x4xf16>",
                   "graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
                   "dilations = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, "
                   "group = 1 : i64} : (tensor<3x37x29x4xf16>, "
                   "tensor<24x5x5x4xf16>) -> tensor<3x19x15x24xf16>",
                   "tensor<3x19x15x24xf16>")
            + "\nexec.tactics @conv_patch_walk [" + patch_tiles(
                [(64, 32, 2, 2, 8), (128, 64, 4, 2, 16)]) + "]\n",
            [xs5, ws5], [ys5.astype(np.float16)], rtol=1e-2, atol=1e-2,
            min_launches=2, max_grid_y=blocks)
    xp = (rng.standard_normal((1, 11, 19, 8)) / 2).astype(np.float16)
    wp = (rng.standard_normal((72, 3, 3, 8)) / 4).astype(np.float16)
    bp = rng.standard_normal(72).astype(np.float16)
    yp = np.maximum(nhwc_conv(xp, wp, [1, 1], [1, 2, 0, 1], [2, 2]) +
                    bp.astype(np.float64), 0)
    add("conv-patch-f16-8-channels-dilated",
        kernel("conv_patch8", "%x: tensor<1x11x19x8xf16>, %w: tensor<72x3x3x8xf16>, "
               "%b: tensor<72xf16>",
               "graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, "
               "dilations = array<i64: 2, 2>, pads = array<i64: 1, 2, 0, 1>, "
               "group = 1 : i64} : (tensor<1x11x19x8xf16>, tensor<72x3x3x8xf16>, "
               "tensor<72xf16>) -> tensor<1x8x18x72xf16>\n  %z = graph.relu %y : "
               "tensor<1x8x18x72xf16> -> tensor<1x8x18x72xf16>",
               "tensor<1x8x18x72xf16>").replace("exec.yield %y", "exec.yield %z")
        + "\nexec.tactics @conv_patch8 [" + patch_tiles(
            [(128, 64, 4, 2, 16), (256, 64, 8, 1, 16), (64, 64, 2, 2, 8)])
        + "]\n",
        [xp, wp, bp], [yp.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=3)
    # TMA im2col input copies (emulated as the PTX ISA's im2col mode walks):
    # 64 and 128 channels; stride 1, then stride 2 with uneven pads, then
    # dilation 2; 2-3 images so that copies walk across image boundaries
    # and past the last one; N = 40/72 leaves edge rows of the filter tile.
    for name, xshape, wshape, strides, pads, dilations in [
            ("conv_tma", (2, 9, 10, 64), (40, 3, 3, 64), [1, 1], [1, 1, 1, 1],
             [1, 1]),
            ("conv_tma_strided", (2, 11, 9, 128), (72, 3, 3, 128), [2, 2],
             [1, 0, 0, 1], [1, 1]),
            ("conv_tma_dilated", (3, 7, 6, 64), (64, 3, 3, 64), [1, 1],
             [2, 2, 2, 2], [2, 2])]:
        xt = (rng.standard_normal(xshape) / 4).astype(np.float16)
        wt = (rng.standard_normal(wshape) / 8).astype(np.float16)
        bt = rng.standard_normal(wshape[0]).astype(np.float16)
        yt = nhwc_conv(xt, wt, strides, pads, dilations) + \
            bt.astype(np.float64)
        shape = lambda a: "x".join(map(str, a.shape)) + "xf16"
        attrs = (f"{{channels_last, strides = array<i64: {strides[0]}, "
                 f"{strides[1]}>, dilations = array<i64: {dilations[0]}, "
                 f"{dilations[1]}>, pads = array<i64: "
                 f"{', '.join(map(str, pads))}>, group = 1 : i64}}")
        tiles = ", ".join(
            f"{{bm = {bm}, bn = {bn}, bk = 64, warps_m = {bm // 16}, "
            f"warps_n = 1, stages = {st}, split_k = 1, wgmma = 1"
            + (", tma = 1}" if tma else "}") for bm, bn, st, tma in
            [(64, 64, 3, 0), (128, 64, 4, 1), (64, 64, 3, 1),
             (128, 128, 4, 1)])
        add(f"conv-igemm-f16-{name.replace('_', '-')}",
            kernel(name, f"%x: tensor<{shape(xt)}>, %w: tensor<{shape(wt)}>, "
                   f"%b: tensor<{shape(bt)}>",
                   f"graph.conv %x, %w, %b {attrs} : (tensor<{shape(xt)}>, "
                   f"tensor<{shape(wt)}>, tensor<{shape(bt)}>) -> "
                   f"tensor<{shape(yt)}>", f"tensor<{shape(yt)}>")
            + f"\nexec.tactics @{name} [{tiles}]\n",
            [xt, wt, bt], [yt.astype(np.float16)], rtol=1e-2, atol=1e-2,
            min_launches=4)
    # Split-K (exec.tactics split_k): M = 35 pixels, N = 24, K = 144 in 5
    # K tiles, summed in 2 slices (3 + 2 K tiles), 5 (one each) and, with
    # 32x32 tiles, 3 (2 + 2 + 1); the bias and ReLU after the reduction.
    x = (rng.standard_normal((1, 7, 5, 16)) / 4).astype(np.float16)
    w = (rng.standard_normal((24, 3, 3, 16)) / 4).astype(np.float16)
    b = rng.standard_normal(24).astype(np.float16)
    y = np.maximum(nhwc_conv(x, w, [1, 1], [1, 1, 1, 1], [1, 1]) +
                   b.astype(np.float64), 0)
    split_tiles = [(16, 32, 1, 2, 4, 2), (16, 32, 1, 2, 4, 5),
                   (32, 32, 1, 2, 4, 3), (16, 32, 1, 2, 4, 1)]
    conv_split = kernel(
        "conv_split", "%x: tensor<1x7x5x16xf16>, %w: tensor<24x3x3x16xf16>, "
        "%b: tensor<24xf16>",
        "graph.conv %x, %w, %b {channels_last, strides = array<i64: 1, 1>, "
        "dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, "
        "group = 1 : i64} : (tensor<1x7x5x16xf16>, tensor<24x3x3x16xf16>, "
        "tensor<24xf16>) -> tensor<1x7x5x24xf16>\n  %z = graph.relu %y : "
        "tensor<1x7x5x24xf16> -> tensor<1x7x5x24xf16>",
        "tensor<1x7x5x24xf16>").replace("exec.yield %y", "exec.yield %z")
    add("conv-igemm-f16-split-k",
        conv_split + "\nexec.tactics @conv_split [" + ", ".join(
            f"{{bm = {bm}, bn = {bn}, bk = 32, warps_m = {wm}, warps_n = {wn}, "
            f"stages = {st}, split_k = {sk}}}"
            for bm, bn, wm, wn, st, sk in split_tiles) + "]\n",
        [x, w, b], [y.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=len(split_tiles))
    # Split-K through the element gathers (C = 12, not a multiple of 8;
    # stride 2; K = 108 in 4 K tiles, 4 slices) with a residual.
    x = (rng.standard_normal((2, 9, 8, 12)) / 4).astype(np.float16)
    w = (rng.standard_normal((10, 3, 3, 12)) / 4).astype(np.float16)
    r = rng.standard_normal((2, 4, 4, 10)).astype(np.float16)
    y = nhwc_conv(x, w, [2, 2], [0, 1, 0, 1], [1, 1]) + r.astype(np.float64)
    conv_gather_split = kernel(
        "conv_gather_split", "%x: tensor<2x9x8x12xf16>, "
        "%w: tensor<10x3x3x12xf16>, %r: tensor<2x4x4x10xf16>",
        "graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
        "dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>, "
        "group = 1 : i64} : (tensor<2x9x8x12xf16>, tensor<10x3x3x12xf16>) -> "
        "tensor<2x4x4x10xf16>\n  %z = graph.add %y, %r : (tensor<2x4x4x10xf16>, "
        "tensor<2x4x4x10xf16>) -> tensor<2x4x4x10xf16>",
        "tensor<2x4x4x10xf16>").replace("exec.yield %y", "exec.yield %z")
    add("conv-igemm-f16-gather-split-k",
        conv_gather_split + "\nexec.tactics @conv_gather_split [{bm = 16, "
        "bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, split_k = 4}, "
        "{bm = 32, bn = 32, bk = 32, warps_m = 1, warps_n = 2, stages = 4, "
        "split_k = 2}]\n",
        [x, w, r], [y.astype(np.float16)], rtol=1e-2, atol=1e-2,
        min_launches=2)
    # Enough pixels for 64x64 tiles (2x2 warps, 2x4 fragments each).
    x = rng.standard_normal((1, 96, 90, 8)).astype(np.float16)
    w = (rng.standard_normal((64, 1, 1, 8)) / 2).astype(np.float16)
    add("conv-igemm-f16-tensor-cores-64x64",
        kernel("conv_tc64", "%x: tensor<1x96x90x8xf16>, %w: tensor<64x1x1x8xf16>",
               "graph.conv %x, %w {channels_last, strides = array<i64: 1, 1>, "
               "dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, "
               "group = 1 : i64} : (tensor<1x96x90x8xf16>, tensor<64x1x1x8xf16>) "
               "-> tensor<1x96x90x64xf16>", "tensor<1x96x90x64xf16>"),
        [x, w], [nhwc_conv(x, w, [1, 1], [0] * 4, [1, 1]).astype(np.float16)],
        rtol=1e-2, atol=1e-2)
    # C = 3 (element gathers), stride 2, dilation, a residual and ReLU, bf16.
    xb = bf16(rng.standard_normal((2, 7, 6, 3)))
    wb = bf16(rng.standard_normal((20, 3, 3, 3)))
    rb = bf16(rng.standard_normal((2, 3, 2, 20)))
    y = nhwc_conv(from_bf16(xb), from_bf16(wb), [2, 2], [1, 0, 1, 0], [2, 1])
    conv_body = (
        "%c = graph.conv %x, %w {channels_last, strides = array<i64: 2, 2>, "
        "dilations = array<i64: 2, 1>, pads = array<i64: 1, 0, 1, 0>, "
        "group = 1 : i64} : (tensor<2x7x6x3xbf16>, tensor<20x3x3x3xbf16>) -> "
        "tensor<2x3x2x20xbf16>\n  %a = graph.add %c, %r : (tensor<2x3x2x20xbf16>, "
        "tensor<2x3x2x20xbf16>) -> tensor<2x3x2x20xbf16>\n  %y = graph.relu %a : "
        "tensor<2x3x2x20xbf16> -> tensor<2x3x2x20xbf16>")
    add("conv-igemm-bf16-gather-residual",
        "exec.kernel @conv_gather(%x: tensor<2x7x6x3xbf16>, %w: tensor<20x3x3x3xbf16>, "
        "%r: tensor<2x3x2x20xbf16>) -> tensor<2x3x2x20xbf16> attributes "
        "{family = \"data\"} {\n  " + conv_body +
        "\n  exec.yield %y : tensor<2x3x2x20xbf16>\n}",
        [xb, wb, rb], [bf16(np.maximum(y + from_bf16(rb), 0).astype(np.float32))],
        rtol=2e-2, atol=2e-2)
    # A transpose and the constant pad of its result in one kernel
    # (graph-pad-channels after the NCHW-to-NHWC transpose): the channels
    # padded at the end (one 8- or 16-byte row per thread, f16 and f32),
    # then pads elsewhere (one element per thread, permuted strides).
    for name, dtype, pads, ctype in [
            ("tpad_f16", np.float16, [0, 0, 0, 0, 0, 0, 0, 1], "f16"),
            ("tpad_f32", np.float32, [0, 0, 0, 0, 0, 0, 0, 1], "f32"),
            ("tpad_spatial", np.float16, [0, 1, 0, 0, 0, 0, 2, 1], "f16")]:
        x = rng.standard_normal((2, 3, 5, 7)).astype(dtype)
        fill = np.array(1.5, dtype)
        width = [(pads[i], pads[i + 4]) for i in range(4)]
        y = np.pad(x.transpose(0, 2, 3, 1), width, constant_values=fill)
        shape = "x".join(map(str, y.shape)) + "x" + ctype
        add(f"transpose-pad-{name.split('_')[1]}",
            f"exec.kernel @{name}(%x: tensor<2x3x5x7x{ctype}>, %v: tensor<{ctype}>) "
            f"-> tensor<{shape}> attributes {{family = \"data\"}} {{\n"
            f"  %t = graph.transpose %x {{perm = array<i64: 0, 2, 3, 1>}} : "
            f"tensor<2x3x5x7x{ctype}> -> tensor<2x5x7x3x{ctype}>\n"
            f"  %y = graph.pad constant %t, %v {{pads = array<i64: "
            f"{', '.join(map(str, pads))}>}} : (tensor<2x5x7x3x{ctype}>, "
            f"tensor<{ctype}>) -> tensor<{shape}>\n"
            f"  exec.yield %y : tensor<{shape}>\n}}",
            [x, fill], [y])
    # Indexing (indexing.mlir).
    ix = lambda name: lit_kernel("indexing.mlir", name)
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((2, 1, 4)).astype(np.float32)
    add("concat", ix("concat3"), [a, b, np.zeros(1, np.float32)],
        [np.concatenate([a, b], axis=1)])
    x = rng.standard_normal((5, 6)).astype(np.float16)
    add("slice-negative-step", ix("slice_neg"), [x], [x[-1:0:-2, 0:6:2]])
    x = bf16(rng.standard_normal((10, 8)))
    i = np.array([[0, -1, 3], [9, -10, 2]], np.int64)
    add("gather-negative", ix("gather_rows"), [x, i], [x[i % 10]])
    # An index out of range reads 0 and raises the fault word.
    bad = np.array([[0, 10, 3], [9, -11, 2]], np.int64)
    add("gather-out-of-range-faults", ix("gather_rows"), [x, bad],
        [np.where(((bad >= 0) & (bad < 10))[..., None], x[np.clip(bad, 0, 9)],
                  0).astype(x.dtype)], fault=1)
    x = rng.integers(-100, 100, (4, 5)).astype(np.int32)
    add("gather-scalar-index", ix("gather_scalar"),
        [x, np.array(-2, np.int32)], [x[:, 3]])
    x = rng.standard_normal((3, 4)).astype(np.float32)
    i = np.array([[0, -1, 2, 1], [-3, 1, 0, 2]], np.int64)
    add("gather-elements", ix("gather_elements"), [x, i],
        [np.take_along_axis(x, i % 3, 0)])
    x = rng.standard_normal((3, 5)).astype(np.float16)
    i = np.array([[0, -1, 0], [4, 4, 1]], np.int64)
    u = rng.standard_normal((2, 3)).astype(np.float16)
    expect = x.astype(np.float32)
    for r in range(2):
        for j in range(3):
            expect[r, i[r, j] % 5] += u[r, j]
    add("scatter-add-duplicates", ix("scatter_add"), [x, i, u],
        [expect.astype(np.float16)], rtol=2e-3, atol=2e-3)
    x = rng.integers(-5, 5, (3, 1)).astype(np.int64)
    add("expand", ix("expand"), [x], [np.broadcast_to(x, (2, 3, 4))])
    x = rng.integers(-5, 5, (2, 3)).astype(np.int8)
    add("tile", ix("tile"), [x], [np.tile(x, (2, 1))])
    x = rng.standard_normal((3, 4)).astype(np.float32)
    v = np.array(7.5, np.float32)
    add("pad-constant-crop", ix("pad_constant"), [x, v],
        [np.pad(x, ((1, 1), (0, 0)), constant_values=7.5)[:, :3]])
    add("pad-reflect", ix("pad_reflect"), [x, v],
        [np.pad(x, ((0, 0), (2, 3)), mode="reflect")])
    add("pad-edge", ix("pad_edge"), [x, v],
        [np.pad(x, ((1, 1), (0, 0)), mode="edge")])
    add("pad-wrap", ix("pad_wrap"), [x, v],
        [np.pad(x, ((0, 0), (3, 3)), mode="wrap")])
    x = rng.standard_normal((2, 3, 4))
    add("trilu", ix("trilu"), [x], [np.triu(x, -1)])
    add("shape", ix("shape"), [np.zeros((2, 3, 4), np.float32)],
        [np.array([3, 4], np.int64)])
    n = 300
    x = rng.integers(-9, 9, (n, 5)).astype(np.int32)
    i = rng.integers(-n, n, (n, 5)).astype(np.int64)
    u = rng.integers(-9, 9, (n, 5)).astype(np.int32)
    for reduction, fn in [("none", lambda t, s: s), ("max", max),
                          ("mul", lambda t, s: t * s)]:
        expect = x.copy()
        for r in range(n):
            for c in range(5):
                target = (i[r, c] % n, c)
                expect[target] = fn(expect[target], u[r, c])
        add(f"scatter-{reduction}-many-blocks",
            kernel("scatter", "%x: tensor<300x5xi32>, %i: tensor<300x5xi64>, "
                   "%u: tensor<300x5xi32>",
                   "graph.scatter_elements %x, %i, %u {axis = 0 : i64, "
                   f"reduction = #graph.scatter_reduction<{reduction}>}} : "
                   "(tensor<300x5xi32>, tensor<300x5xi64>, tensor<300x5xi32>)"
                   " -> tensor<300x5xi32>", "tensor<300x5xi32>"),
            [x, i, u], [expect])

    # Reductions (reduction.mlir).
    rd = lambda name: lit_kernel("reduction.mlir", name)
    x = rng.standard_normal((4, 6, 5)).astype(np.float16)
    add("reduce-sum-thread-per-row", rd("sum_middle"), [x],
        [x.astype(np.float32).sum(1, keepdims=True).astype(np.float16)],
        rtol=2e-3, atol=2e-3)
    x = rng.standard_normal((8, 1000)).astype(np.float32)
    x[3, 500], x[5, 999] = np.nan, 100
    add("reduce-max-warp-nan", rd("max_last"), [x], [x.max(1)])
    x = np.where(rng.random((3, 40000)) < 0.999, 1,
                 rng.integers(-3, 4, (3, 40000))).astype(np.int64)
    add("reduce-prod-block", rd("prod_all"), [x],
        [np.array(np.prod(x), np.int64)])
    x = rng.integers(0, 256, (2, 3, 40)).astype(np.uint8)
    add("reduce-min-u8", rd("min_u8"), [x], [x.min((0, 2))])
    add("reduce-sum-empty", rd("sum_empty"), [np.zeros(1, np.float32)],
        [np.zeros((2, 3), np.float32)])
    x = rng.standard_normal((2, 20000)).astype(np.float32)
    add("reduce-sum-block-f32",
        kernel("sum", "%x: tensor<2x20000xf32>",
               "graph.reduce sum %x {axes = array<i64: 1>, keepdims = false} "
               ": tensor<2x20000xf32> -> tensor<2xf32>", "tensor<2xf32>"),
        [x], [x.astype(np.float64).sum(1).astype(np.float32)],
        rtol=1e-4, atol=1e-3)
    x = rng.integers(-2**62, 2**62, (40, 300)).astype(np.int64)
    add("reduce-min-column",
        kernel("min", "%x: tensor<40x300xi64>",
               "graph.reduce min %x {axes = array<i64: 0>, keepdims = false} "
               ": tensor<40x300xi64> -> tensor<300xi64>", "tensor<300xi64>"),
        [x], [x.min(0)])
    x = rng.random((2, 3, 50)).astype(np.float32)
    scale = rng.standard_normal(3).astype(np.float32)
    add("reduce-epilogue", rd("l2_epilogue"), [x, scale],
        [(np.sqrt(x.astype(np.float64).sum(2)) * scale).astype(np.float32)])
    x = rng.standard_normal((300, 70)).astype(np.float16)
    add("reduce-sum-column-slices", rd("sum_columns"), [x],
        [x.astype(np.float32).sum(0).astype(np.float16)], rtol=2e-3, atol=2e-2)
    x = rng.integers(-2**62, 2**62, (3, 40, 33)).astype(np.int64)
    add("reduce-max-column-slices",
        kernel("max", "%x: tensor<3x40x33xi64>",
               "graph.reduce max %x {axes = array<i64: 1>, keepdims = true} "
               ": tensor<3x40x33xi64> -> tensor<3x1x33xi64>",
               "tensor<3x1x33xi64>"),
        [x], [x.max(1, keepdims=True)])
    x = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, -1, np.nan, -1]], np.float32)
    add("argmax-last-index", rd("argmax_last"), [x],
        [sequential_arg(x, True, True)[:, None]])
    x = rng.integers(-2, 2, (3, 4, 2)).astype(np.int32)
    add("argmin-middle-axis", rd("argmin"), [x], [x.argmin(1)])
    x = rng.integers(-3, 4, (4, 1000)).astype(np.float16)
    x[1, 0], x[2, 7], x[3, :] = np.nan, np.nan, 1
    add("argmin-warp-last-index", rd("argmin_warp"), [x],
        [sequential_arg(x, False, True)])
    for is_max in (True, False):
        for last in (False, True):
            x = rng.integers(-3, 4, (9, 300)).astype(np.float32)
            x[1, 0], x[2, 5], x[3, :], x[4, 1:] = np.nan, np.nan, np.nan, np.nan
            x[5, :], x[6, 299], x[7, 0] = 2, 9, -9
            kind = "max" if is_max else "min"
            add(f"arg{kind}-warp-last{int(last)}",
                kernel("arg", "%x: tensor<9x300xf32>",
                       f"graph.arg_reduce {kind} %x {{axis = 1 : i64, keepdims"
                       f" = false, select_last_index = {str(last).lower()}}} "
                       ": tensor<9x300xf32> -> tensor<9xi64>", "tensor<9xi64>"),
                [x], [sequential_arg(x, is_max, last)])
    x = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, -1, 7, -1]], np.float32)
    expect = np.zeros_like(x)
    expect[np.arange(3), sequential_arg(x, True, False)] = 1
    add("hardmax", rd("hardmax"), [bf16(x)], [bf16(expect)])
    x = rng.integers(-50, 50, (2, 5)).astype(np.int32)
    reverse = x[:, ::-1]
    add("cumsum-reverse-exclusive", rd("cumsum_rev_excl"), [x],
        [(np.cumsum(reverse, 1) - reverse)[:, ::-1].astype(np.int32)])
    x = (rng.standard_normal((4, 10)) * 5).astype(np.float32)
    add("log-softmax-rows", rd("log_softmax"), [x], [log_softmax(x, 1)])
    x = rng.standard_normal((2, 10, 3)) * 5
    add("log-softmax-columns", rd("log_softmax_mid"), [x],
        [log_softmax(x, 1)], rtol=1e-12)
    x = rng.standard_normal((2, 5000)).astype(np.float32)
    add("log-softmax-block",
        kernel("lsm", "%x: tensor<2x5000xf32>",
               "graph.log_softmax %x {axis = 1 : i64} : tensor<2x5000xf32> "
               "-> tensor<2x5000xf32>", "tensor<2x5000xf32>",
               family="row_reduction"),
        [x], [log_softmax(x.astype(np.float64), 1).astype(np.float32)],
        rtol=1e-5, atol=1e-5)

    # f16 rows of whole 16-byte vectors per lane (768 = 3 x 256, and 512):
    # a LayerNorm with scale, bias and a residual add after it, and a
    # softmax; one 16-byte load and store per 8 elements.
    x = rng.standard_normal((5, 768)).astype(np.float16)
    g = (rng.standard_normal(768) + 1).astype(np.float16)
    b = rng.standard_normal(768).astype(np.float16)
    r = rng.standard_normal((5, 768)).astype(np.float16)
    x64 = x.astype(np.float64)
    ln = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5)
    add("layer-norm-f16-vector-rows", (
        "exec.kernel @ln(%x: tensor<5x768xf16>, %g: tensor<768xf16>, "
        "%b: tensor<768xf16>, %r: tensor<5x768xf16>) -> tensor<5x768xf16> "
        "attributes {family = \"row_reduction\"} {\n"
        "  %y = graph.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-5 "
        ": f32} : (tensor<5x768xf16>, tensor<768xf16>, tensor<768xf16>) -> "
        "tensor<5x768xf16>\n"
        "  %z = graph.add %y, %r : (tensor<5x768xf16>, tensor<5x768xf16>) -> "
        "tensor<5x768xf16>\n"
        "  exec.yield %z : tensor<5x768xf16>\n}"),
        [x, g, b, r],
        [(ln * g.astype(np.float64) + b.astype(np.float64) +
          r.astype(np.float64)).astype(np.float16)], rtol=1e-2, atol=1e-2)
    x = (rng.standard_normal((3, 512)) * 3).astype(np.float16)
    e = np.exp(x.astype(np.float64) - x.astype(np.float64).max(1, keepdims=True))
    add("softmax-f16-vector-rows",
        kernel("sm", "%x: tensor<3x512xf16>",
               "graph.softmax %x {axis = 1 : i64} : tensor<3x512xf16> "
               "-> tensor<3x512xf16>", "tensor<3x512xf16>",
               family="row_reduction"),
        [x], [(e / e.sum(1, keepdims=True)).astype(np.float16)],
        rtol=1e-2, atol=1e-3)

    # Elementwise math and logic (elementwise-logic.mlir).
    el = lambda name: lit_kernel("elementwise-logic.mlir", name)
    x = (rng.standard_normal((4, 8)) * 3).astype(np.float16)
    x.ravel()[:6] = [0.5, 1.5, -2.5, -0.0, np.nan, 2.5]
    with np.errstate(all="ignore"):
        expect = np.arccosh(np.sign(np.round(x.astype(np.float32))))
    add("math-round-sign-acosh", el("math_f16"), [x],
        [expect.astype(np.float16)], rtol=1e-3)
    x = np.array([-3, 0, 5, -2**31, 2**31 - 1, 1], np.int32)
    add("math-sign-int", el("math_int"), [x], [np.sign(x).astype(np.int32)])
    a = np.array([-7, 7, -7, 7, 5, -2**63], np.int64)
    b = np.array([3, -3, -3, 3, 0, -1], np.int64)
    add("mod-int", el("mod_int"), [a, b],
        [np.where(b == 0, 0, np.mod(a, np.where(b == 0, 1, b)))])
    a = (rng.standard_normal(6) * 5).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    add("fmod", el("fmod_f32"), [a, b], [np.fmod(a, b)])
    x = rng.standard_normal((4, 8)).astype(np.float32)
    y = rng.standard_normal(8).astype(np.float32)
    add("compare-not-select", el("compare_select"), [x, y],
        [np.where(~(x < y), x, y)])
    p, q = rng.random(16) < 0.5, rng.random(16) < 0.5
    add("bool-logic", el("bool_logic"), [p.astype(np.uint8), q.astype(np.uint8)],
        [(((p ^ q) == p) | q).astype(np.uint8)])
    a = rng.integers(0, 256, 8).astype(np.uint8)
    b = np.array([0, 1, 3, 7, 8, 9, 255, 2], np.uint8)
    shift = np.minimum(b, 7).astype(np.uint64)
    left = np.where(b >= 8, 0, (a.astype(np.uint64) << shift) & 0xff)
    right = np.where(b >= 8, 0, left >> shift)
    add("shifts-not", el("shifts"), [a, b], [(~right.astype(np.uint8))])
    a = np.array([7, -7, 7, -2**31, 5, 0, 9, -9], np.int32)
    b = np.array([2, 2, -1, -1, 0, 3, -4, 4], np.int32)
    quotient = np.trunc(a.astype(np.float64) / np.where(b == 0, 1, b))
    quotient = np.where(b == 0, 0, quotient).astype(np.int64)
    quotient = ((quotient + 2**31) % 2**32 - 2**31).astype(np.int32)
    c = rng.standard_normal(8).astype(np.float32)
    c[3] = np.nan
    add("int-div-nan-max", el("int_div_max"), [a, b, c], [quotient, c])

    # TopK, GatherND, ScatterND (tensor.mlir).
    te = lambda name: lit_kernel("tensor.mlir", name)
    x = rng.integers(-2, 3, (2, 5, 3)).astype(np.float16)
    x[0, 1, 0], x[1, :, 2] = np.nan, np.nan
    values, indices = topk_reference(x, 2, 1, True)
    add("topk-sort-ties-nan", te("topk_mid"), [x], [values, indices])
    x = rng.integers(-3, 3, (3, 7)).astype(np.int32)
    add("topk-smallest-full-indices-only", te("topk_indices"), [x],
        [topk_reference(x, 7, 1, False)[1]])
    x = rng.integers(-50, 50, (2, 5000)).astype(np.float64)
    x[0, 4000], x[1, :] = np.nan, 7
    values, indices = topk_reference(x, 3, 1, True)
    add("topk-selection-long-rows", te("topk_long"), [x], [indices, values])
    add("topk-k0-empty", te("topk_empty"), [np.ones((4, 3), np.float32)],
        [np.zeros((4, 0), np.float32), np.zeros((4, 0), np.int64)])
    for largest in (True, False):
        x = (rng.integers(-20, 20, (4, 300, 2)) / 4).astype(np.float32)
        x[1, 7, 0], x[2, 5, 1], x[3, :, 0] = np.nan, np.nan, -0.0
        values, indices = topk_reference(x, 300, 1, largest)
        add(f"topk-full-sort-largest{int(largest)}",
            topk_kernel("topk", (4, 300, 2), 300, 1, largest, "f32"),
            [x], [values, indices])
    x = rng.integers(-5, 5, (3, 9000)).astype(np.int64)
    add("topk-selection-smallest-int",
        topk_kernel("topk", (3, 9000), 4, -1, False, "i64", ("i", "v")),
        [x], list(reversed(topk_reference(x, 4, 1, False))))
    # Long rows of 32-bit values or less: selection on packed ranks (NaN
    # largest, -0 tied with +0, ties by position).
    x = rng.integers(-4, 4, (3, 9000)).astype(np.float16)
    x[0, 17], x[0, 4000], x[1, :] = np.nan, np.nan, -0.0
    x[1, 5::7] = 0.0
    for largest in (True, False):
        add(f"topk-packed-f16-largest{int(largest)}",
            topk_kernel("topk", (3, 9000), 6, 1, largest, "f16"),
            [x], list(topk_reference(x, 6, 1, largest)))
    x = rng.integers(-2**31, 2**31, (2, 9000, 2)).astype(np.int32)
    x[0, ::3, 1] = -2**31
    add("topk-packed-i32-smallest-middle-axis",
        topk_kernel("topk", (2, 9000, 2), 5, 1, False, "i32", ("i", "v")),
        [x], list(reversed(topk_reference(x, 5, 1, False))))
    x = rng.integers(0, 256, (2, 9000)).astype(np.uint8)
    add("topk-packed-u8", topk_kernel("topk", (2, 9000), 7, 1, True, "ui8"),
        [x], list(topk_reference(x, 7, 1, True)))
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    i = np.array([[[1], [-3]], [[2], [-1]]], np.int64)
    add("gather-nd-batch-negative", te("gather_nd_batch"), [x, i],
        [gather_nd_reference(x, i, 1)])
    bad = np.array([[[1], [3]], [[-4], [0]]], np.int64)
    expect = gather_nd_reference(x, np.clip(bad, -3, 2), 1)
    expect[0, 1], expect[1, 0] = 0, 0
    add("gather-nd-out-of-range-faults", te("gather_nd_batch"), [x, bad],
        [expect], fault=1)
    x = rng.integers(-100, 100, (5, 6)).astype(np.int8)
    i = np.array([[4, -1], [0, 0], [-5, 3]], np.int32)
    add("gather-nd-pairs", te("gather_nd_pairs"), [x, i],
        [gather_nd_reference(x, i, 0)])
    x = rng.standard_normal((2, 3, 4)).astype(np.float16)
    i = np.array([[1, 2], [0, -1], [-1, -1]], np.int64)
    u = rng.standard_normal((3, 4)).astype(np.float16)
    add("scatter-nd-add-duplicates", te("scatter_nd_add"), [x, i, u],
        [scatter_nd_reference(x, i, u, np.add)])
    bad = np.array([[1, 2], [2, 0], [0, -4]], np.int64)
    add("scatter-nd-out-of-range-faults", te("scatter_nd_add"), [x, bad, u],
        [scatter_nd_reference(x, bad[:1], u[:1], np.add)], fault=1)
    x = rng.integers(-9, 9, (4, 2)).astype(np.int32)
    add("scatter-nd-no-tuples", te("scatter_nd_none"),
        [x, np.zeros((0, 1), np.int64), np.zeros((0, 2), np.int32)], [x])
    # Many tuples (staged 256 at a time) with duplicates, many blocks.
    n = 600
    for reduction, fn in [("none", None), ("add", np.add),
                          ("mul", np.multiply), ("max", np.maximum),
                          ("min", np.minimum)]:
        x = rng.integers(-3, 4, (40, 30, 2)).astype(np.int64)
        i = rng.integers(-40, 40, (n, 1, 2)).astype(np.int64)
        i[:, 0, 1] = i[:, 0, 1] % 30
        u = rng.integers(-3, 4, (n, 1, 2)).astype(np.int64)
        add(f"scatter-nd-{reduction}-many-tuples",
            kernel("scatter", "%x: tensor<40x30x2xi64>, %i: "
                   "tensor<600x1x2xi64>, %u: tensor<600x1x2xi64>",
                   "graph.scatter_nd %x, %i, %u {reduction = "
                   f"#graph.scatter_reduction<{reduction}>}} : "
                   "(tensor<40x30x2xi64>, tensor<600x1x2xi64>, "
                   "tensor<600x1x2xi64>) -> tensor<40x30x2xi64>",
                   "tensor<40x30x2xi64>"),
            [x, i, u], [scatter_nd_reference(x, i, u, fn)])
    # Slices of a block each: the blocks of slots no tuple aims at skip every
    # chunk, the others replay theirs (three chunks, the last partial).
    x = rng.integers(-9, 9, (64, 256)).astype(np.int32)
    i = rng.integers(-64, -56, (600, 1)).astype(np.int64)
    i[::50, 0] = 40
    u = rng.integers(-9, 9, (600, 256)).astype(np.int32)
    add("scatter-nd-add-sparse-slots",
        kernel("scatter", "%x: tensor<64x256xi32>, %i: tensor<600x1xi64>, "
               "%u: tensor<600x256xi32>",
               "graph.scatter_nd %x, %i, %u {reduction = "
               "#graph.scatter_reduction<add>} : (tensor<64x256xi32>, "
               "tensor<600x1xi64>, tensor<600x256xi32>) -> tensor<64x256xi32>",
               "tensor<64x256xi32>"),
        [x, i, u], [scatter_nd_reference(x, i, u, np.add)])
    x = rng.standard_normal((6, 5)).astype(np.float32)
    x[2, 1] = np.nan
    i = np.array([[2], [5], [2]], np.int64)
    u = rng.standard_normal((3, 5)).astype(np.float32)
    u[0, 3] = np.nan
    for reduction in ("max", "min"):
        fn = {"max": lambda t, v: np.where(t < v, v, t),
              "min": lambda t, v: np.where(v < t, v, t)}[reduction]
        add(f"scatter-nd-{reduction}-nan",
            kernel("scatter", "%x: tensor<6x5xf32>, %i: tensor<3x1xi64>, "
                   "%u: tensor<3x5xf32>",
                   "graph.scatter_nd %x, %i, %u {reduction = "
                   f"#graph.scatter_reduction<{reduction}>}} : "
                   "(tensor<6x5xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> "
                   "tensor<6x5xf32>", "tensor<6x5xf32>"),
            [x, i, u], [scatter_nd_reference(x, i, u, fn)])

    # Integer GEMM (gemm.mlir): exact, wrapping i32 accumulation.
    gm = lambda name: lit_kernel("gemm.mlir", name)
    a = rng.integers(-255, 256, (2, 33, 20)).astype(np.int32)
    b = rng.integers(-255, 256, (20, 7)).astype(np.int32)
    add("gemm-int32", gm("int_matmul"), [a, b],
        [(a.astype(np.int64) @ b).astype(np.int32)])
    a = np.full((2, 33, 20), 2**20, np.int32)
    wrapped = (a.astype(np.int64) @ np.full((20, 7), 2**12, np.int64))
    add("gemm-int32-wraps", gm("int_matmul"), [a, np.full((20, 7), 2**12, np.int32)],
        [((wrapped + 2**31) % 2**32 - 2**31).astype(np.int32)])
    a = rng.integers(-2**40, 2**40, (3, 4)).astype(np.int64)
    b = rng.integers(-2**20, 2**20, (4, 5)).astype(np.int64)
    add("gemm-int64", gm("i64_matmul"), [a, b], [a @ b])

    # Families that were there before: a tiled transpose through shared
    # memory with barriers, a bias broadcast.
    x = rng.standard_normal((2, 33, 65)).astype(np.float32)
    add("transpose-tiled", lit_kernel("data.mlir", "transpose_last"), [x],
        [x.transpose(0, 2, 1)])
    x = rng.standard_normal((4, 8)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    add("add-relu", lit_kernel("elementwise.mlir", "add_relu"), [x, b],
        [np.maximum(x + b, 0)])

    # graph.attention: the flash kernel (f16/bf16, D 32/64/128, its mma and
    # ldmatrix fragments emulated) and the row-per-warp kernel (the rest).
    def attn(name, shapes, dtype, scale, mask=None, causal=False,
             zero_empty=False, bf16_data=False, layout="bhsd", **options):
        """layout: "bhsd"; "bshd" (seq_major); "packed" (seq_major, one
        B x S x 3H x D tensor read through head offsets)."""
        (b, h, s, d), sk, dv = shapes
        q = rng.standard_normal((b, h, s, d)).astype(np.float32)
        k = rng.standard_normal((b, h, sk, d)).astype(np.float32)
        v = rng.standard_normal((b, h, sk, dv)).astype(np.float32)
        if bf16_data:
            q, k, v = (bf16(t) for t in (q, k, v))
            as_f64 = lambda t: (t.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        else:
            q, k, v = (t.astype(dtype) for t in (q, k, v))
            as_f64 = lambda t: t.astype(np.float64)
        elem = {np.float16: "f16", np.float32: "f32"}.get(dtype, "bf16")
        t = lambda shape, e=elem: "tensor<" + "x".join(map(str, shape)) + "x" + e + ">"
        args = [("q", (b, h, s, d)), ("k", (b, h, sk, d)), ("v", (b, h, sk, dv))]
        inputs = [q, k, v]
        swap = lambda x: np.ascontiguousarray(x.transpose(0, 2, 1, 3))
        if layout == "bshd":
            args = [(n, (b, x.shape[2], h, x.shape[3])) for n, x in
                    zip("qkv", (q, k, v))]
            inputs = [swap(x) for x in (q, k, v)]
        elif layout == "packed":
            args = [("qkv", (b, s, 3 * h, d))]
            inputs = [np.concatenate([swap(x) for x in (q, k, v)], 2)]
        sc = np.einsum("bhid,bhjd->bhij", as_f64(q), as_f64(k)) * scale
        if mask is not None:
            inputs.append(mask)
            if mask.dtype == np.bool_:
                args.append(("m", mask.shape, "i1"))
                sc = np.where(mask, sc, -np.inf)
            else:
                args.append(("m", mask.shape))
                sc = sc + mask.astype(np.float64)
        if causal:
            sc = np.where(np.tril(np.ones((s, sk), bool)), sc, -np.inf)
        with np.errstate(invalid="ignore"):
            p = np.exp(sc - sc.max(-1, keepdims=True))
            p = p / p.sum(-1, keepdims=True)
        if zero_empty:
            p = np.where(np.isnan(p), 0, p)
        o = p @ as_f64(v)
        o = bf16(o) if bf16_data else o.astype(dtype)
        sig = ", ".join(f"%{a[0]}: {t(a[1], *a[2:])}" for a in args)
        attrs = [f"scale = {scale!r} : f32"]
        attrs += ["causal"] if causal else []
        attrs += ["zero_empty_rows"] if zero_empty else []
        operands = ", ".join("%" + a[0] for a in args)
        types = ", ".join(t(a[1], *a[2:]) for a in args)
        result = t((b, h, s, dv))
        if layout != "bhsd":
            attrs.append("seq_major")
            o = swap(o)
            result = t((b, s, h, dv))
        if layout == "packed":
            attrs += [f"head_offsets = array<i64: 0, {h}, {2 * h}>",
                      f"num_heads = {h} : i64"]
            operands = ", ".join([operands] * 3 + ["%m"] * (mask is not None))
            types = ", ".join([t(args[0][1])] * 3 +
                              [t(a[1], *a[2:]) for a in args[1:]])
        op = (f"graph.attention {operands} {{{', '.join(attrs)}}} : "
              f"({types}) -> {result}")
        add(name, kernel(name.replace("-", "_"), sig, op, result), inputs, [o],
            **options)

    half = dict(rtol=2e-2, atol=2e-2)
    # The GEMM's tensor-core kernel, which runs on the GPU (docs/gpu.md),
    # pins the emulated fragment layouts to the hardware's.
    a = rng.standard_normal((37, 40)).astype(np.float16)
    w = rng.standard_normal((40, 23)).astype(np.float16)
    add("gemm-tensor-cores-f16", kernel(
        "gemm_f16", "%a: tensor<37x40xf16>, %w: tensor<40x23xf16>",
        "graph.matmul %a, %w : (tensor<37x40xf16>, tensor<40x23xf16>) -> "
        "tensor<37x23xf16>", "tensor<37x23xf16>", family="gemm"), [a, w],
        [(a.astype(np.float64) @ w.astype(np.float64)).astype(np.float16)],
        rtol=1e-2, atol=1e-2)
    # Tactic variants (exec.tactics): every entry of the kernel's source on
    # the same inputs; odd shapes (edges in M, N and K), 16- to 128-row
    # tiles, bk 16 to 64, and split-K through the scratch (2 and 3 slices,
    # the last one shorter), with a bias epilogue after the reduction.
    def tile(bm, bn, bk, wm, wn, stages, split=1):
        return (f"{{bm = {bm}, bn = {bn}, bk = {bk}, warps_m = {wm}, warps_n = "
                f"{wn}, stages = {stages}, split_k = {split}}}")

    def with_tactics(mlir, name, tiles):
        return mlir + f"\nexec.tactics @{name} [{', '.join(tiles)}]\n"

    a = rng.standard_normal((37, 100)).astype(np.float16)
    w = rng.standard_normal((100, 70)).astype(np.float16)
    bias = rng.standard_normal(70).astype(np.float16)
    gemm_bias = kernel(
        "gemm_tactics", "%a: tensor<37x100xf16>, %w: tensor<100x70xf16>, "
        "%b: tensor<70xf16>",
        "graph.matmul %a, %w : (tensor<37x100xf16>, tensor<100x70xf16>) -> "
        "tensor<37x70xf16>\n  %z = graph.add %y, %b : (tensor<37x70xf16>, "
        "tensor<70xf16>) -> tensor<37x70xf16>", "tensor<37x70xf16>",
        family="gemm").replace("exec.yield %y", "exec.yield %z")
    tiles = [tile(64, 64, 64, 2, 2, 4), tile(16, 32, 32, 1, 2, 4),
             tile(32, 64, 32, 1, 4, 4, 2), tile(64, 64, 16, 2, 2, 2, 3),
             tile(128, 64, 64, 2, 2, 3), tile(64, 128, 32, 2, 2, 3)]
    add("gemm-tactics-f16-variants", with_tactics(gemm_bias, "gemm_tactics",
                                                   tiles), [a, w, bias],
        [(a.astype(np.float64) @ w.astype(np.float64) +
          bias.astype(np.float64)).astype(np.float16)],
        rtol=1e-2, atol=1e-2, min_launches=len(tiles))
    # Warpgroup-MMA tiles (run emulated and through their mma.sync
    # fallback): edges in M, N and K with N not a multiple of 8 (element
    # loads), then whole aligned tiles through a ring of stages over more K
    # tiles than stages, batched, and bf16.
    def wgmma_tile(bm, bn, stages):
        return (f"{{bm = {bm}, bn = {bn}, bk = 64, warps_m = {bm // 16}, "
                f"warps_n = 1, stages = {stages}, split_k = 1, wgmma = 1}}")

    a = rng.standard_normal((200, 100)).astype(np.float16)
    w = rng.standard_normal((100, 130)).astype(np.float16)
    bias = rng.standard_normal(130).astype(np.float16)
    edges = kernel(
        "gemm_wgmma", "%a: tensor<200x100xf16>, %w: tensor<100x130xf16>, "
        "%b: tensor<130xf16>",
        "graph.matmul %a, %w : (tensor<200x100xf16>, tensor<100x130xf16>) -> "
        "tensor<200x130xf16>\n  %z = graph.add %y, %b : (tensor<200x130xf16>, "
        "tensor<130xf16>) -> tensor<200x130xf16>", "tensor<200x130xf16>",
        family="gemm").replace("exec.yield %y", "exec.yield %z")
    tiles = [wgmma_tile(64, 64, 3), wgmma_tile(64, 128, 4),
             wgmma_tile(128, 128, 4), wgmma_tile(128, 256, 4)]
    add("gemm-wgmma-f16-edges", with_tactics(edges, "gemm_wgmma", tiles),
        [a, w, bias],
        [(a.astype(np.float64) @ w.astype(np.float64) +
          bias.astype(np.float64)).astype(np.float16)],
        rtol=1e-2, atol=1e-2, min_launches=len(tiles))
    a = (rng.standard_normal((2, 128, 384)) / 4).astype(np.float16)
    w = (rng.standard_normal((384, 256)) / 4).astype(np.float16)
    aligned = kernel(
        "gemm_wgmma_ring", "%a: tensor<2x128x384xf16>, %w: tensor<384x256xf16>",
        "graph.matmul %a, %w : (tensor<2x128x384xf16>, tensor<384x256xf16>) -> "
        "tensor<2x128x256xf16>", "tensor<2x128x256xf16>", family="gemm")
    tiles = [wgmma_tile(128, 256, 4), wgmma_tile(64, 128, 3),
             wgmma_tile(128, 64, 5)]
    add("gemm-wgmma-f16-ring", with_tactics(aligned, "gemm_wgmma_ring", tiles),
        [a, w], [(a.astype(np.float64) @ w.astype(np.float64)).astype(np.float16)],
        rtol=1e-2, atol=1e-2, min_launches=len(tiles))
    a = rng.standard_normal((64, 192)).astype(np.float32)
    w = rng.standard_normal((192, 64)).astype(np.float32)
    ab, wb = bf16(a), bf16(w)
    from_bits = lambda t: (t.astype(np.uint32) << 16).view(np.float32)
    wbf = kernel(
        "gemm_wgmma_bf16", "%a: tensor<64x192xbf16>, %w: tensor<192x64xbf16>",
        "graph.matmul %a, %w : (tensor<64x192xbf16>, tensor<192x64xbf16>) -> "
        "tensor<64x64xbf16>", "tensor<64x64xbf16>", family="gemm")
    tiles = [wgmma_tile(64, 64, 3), wgmma_tile(64, 64, 4)]
    add("gemm-wgmma-bf16", with_tactics(wbf, "gemm_wgmma_bf16", tiles),
        [ab, wb], [bf16(from_bits(ab).astype(np.float64) @
                        from_bits(wb).astype(np.float64))],
        bf16=True, rtol=2e-2, atol=2e-2, min_launches=len(tiles))

    # Grouped GEMMs (graph.grouped_matmul): each 128-row group takes its
    # expert's weights; a group outside the experts (-1, or past them) is
    # zeros, its epilogue still runs. Edges in K and N, mma.sync and
    # warpgroup tiles; then the f32 SIMT tile with 16-row groups.
    def grouped_reference(a, w, groups, rows):
        y = np.zeros((a.shape[0], w.shape[2]))
        for g, e in enumerate(groups):
            if 0 <= e < w.shape[0]:
                y[g * rows:(g + 1) * rows] = (
                    a[g * rows:(g + 1) * rows].astype(np.float64) @
                    w[e].astype(np.float64))
        return y

    a = rng.standard_normal((512, 100)).astype(np.float16)
    w = rng.standard_normal((4, 100, 130)).astype(np.float16)
    groups = np.array([2, -1, 0, 5], np.int32)
    gate = rng.standard_normal((512, 1)).astype(np.float16)
    grouped = kernel(
        "gemm_grouped", "%a: tensor<512x100xf16>, %w: tensor<4x100x130xf16>, "
        "%g: tensor<4xi32>, %s: tensor<512x1xf16>",
        "graph.grouped_matmul %a, %w, %g {group_rows = 128 : i64} : "
        "(tensor<512x100xf16>, tensor<4x100x130xf16>, tensor<4xi32>) -> "
        "tensor<512x130xf16>\n  %z = graph.mul %y, %s : (tensor<512x130xf16>, "
        "tensor<512x1xf16>) -> tensor<512x130xf16>", "tensor<512x130xf16>",
        family="gemm").replace("exec.yield %y", "exec.yield %z")
    tiles = [tile(64, 64, 32, 2, 2, 3), tile(128, 128, 32, 2, 4, 3),
             wgmma_tile(64, 128, 3), wgmma_tile(128, 256, 4)]
    add("gemm-grouped-f16-variants", with_tactics(grouped, "gemm_grouped",
                                                  tiles), [a, w, groups, gate],
        [(grouped_reference(a, w, groups, 128) *
          gate.astype(np.float64)).astype(np.float16)],
        rtol=1e-2, atol=1e-2, min_launches=len(tiles))
    a = rng.standard_normal((48, 30)).astype(np.float32)
    w = rng.standard_normal((2, 30, 20)).astype(np.float32)
    groups = np.array([1, -1, 0], np.int32)
    add("gemm-grouped-f32", kernel(
        "gemm_grouped_f32", "%a: tensor<48x30xf32>, %w: tensor<2x30x20xf32>, "
        "%g: tensor<3xi32>",
        "graph.grouped_matmul %a, %w, %g {group_rows = 16 : i64} : "
        "(tensor<48x30xf32>, tensor<2x30x20xf32>, tensor<3xi32>) -> "
        "tensor<48x20xf32>", "tensor<48x20xf32>", family="gemm"),
        [a, w, groups], [grouped_reference(a, w, groups, 16).astype(np.float32)],
        rtol=1e-4, atol=1e-4)

    # graph.moe_route: the slots sorted by expert (stable), each expert's
    # rows from a multiple of G; one thread's chunk of several slots (5000
    # tokens), experts without slots, choices outside the experts.
    def route_reference(choices, experts, rows_per_group):
        k, slots = choices.shape[1], choices.size
        flat = choices.reshape(-1)
        rows = (slots + experts * (rows_per_group - 1)) // rows_per_group * rows_per_group
        row_tokens = np.zeros(rows, np.int32)
        row_slots = np.zeros(rows, np.int32)
        slot_rows = np.full(slots, -1, np.int32)
        groups = np.full(rows // rows_per_group, -1, np.int32)
        row = 0
        for e in range(experts):
            first = row
            for s_ in np.nonzero(flat == e)[0]:
                row_tokens[row], row_slots[row], slot_rows[s_] = s_ // k, s_, row
                row += 1
            row = first + -(-(row - first) // rows_per_group) * rows_per_group
            groups[first // rows_per_group:row // rows_per_group] = e
        return [row_tokens, row_slots, slot_rows.reshape(choices.shape), groups]

    def route_kernel(name, tokens, k, experts, rows_per_group, index="i64"):
        slots = tokens * k
        rows = (slots + experts * (rows_per_group - 1)) // rows_per_group * rows_per_group
        types = (f"tensor<{rows}xi32>, tensor<{rows}xi32>, "
                 f"tensor<{tokens}x{k}xi32>, tensor<{rows // rows_per_group}xi32>")
        return (f"exec.kernel @{name}(%c: tensor<{tokens}x{k}x{index}>) -> "
                f"({types}) attributes {{family = \"data\"}} {{\n"
                f"  %t, %s, %r, %g = graph.moe_route %c {{experts = {experts} : "
                f"i64, group_rows = {rows_per_group} : i64}} : "
                f"tensor<{tokens}x{k}x{index}> -> {types}\n"
                f"  exec.yield %t, %s, %r, %g : {types}\n}}")

    choices = np.stack([rng.permutation(8)[:2] for _ in range(5000)]).astype(np.int64)
    add("moe-route-top2-of-8", route_kernel("route", 5000, 2, 8, 128),
        [choices], route_reference(choices, 8, 128))
    choices = rng.integers(-1, 7, (37, 3)).astype(np.int32)
    choices[choices == 2] = 3  # expert 2 gets no slot
    add("moe-route-sparse-i32", route_kernel("route_sparse", 37, 3, 6, 16, "i32"),
        [choices], route_reference(choices, 6, 16))

    a = rng.standard_normal((20, 200)).astype(np.float32)
    w = rng.standard_normal((200, 48)).astype(np.float32)
    bf = kernel(
        "gemm_tactics_bf16", "%a: tensor<20x200xbf16>, %w: tensor<200x48xbf16>",
        "graph.matmul %a, %w : (tensor<20x200xbf16>, tensor<200x48xbf16>) -> "
        "tensor<20x48xbf16>", "tensor<20x48xbf16>", family="gemm")
    tiles = [tile(32, 32, 32, 1, 2, 4), tile(32, 64, 32, 1, 4, 4, 4),
             tile(16, 64, 64, 1, 4, 3, 2)]
    ab, wb = bf16(a), bf16(w)
    from_bits = lambda t: (t.astype(np.uint32) << 16).view(np.float32)
    add("gemm-tactics-bf16-split-k", with_tactics(bf, "gemm_tactics_bf16",
                                                  tiles), [ab, wb],
        [bf16(from_bits(ab).astype(np.float64) @
              from_bits(wb).astype(np.float64))],
        bf16=True, rtol=2e-2, atol=2e-2, min_launches=len(tiles))

    pad = np.zeros((2, 1, 1, 77), np.float16)
    pad[0, ..., 70:] = -np.inf
    pad[1, ..., 50:] = -65504
    attn("attention-flash-padding", ((2, 3, 77, 64), 77, 64), np.float16,
         0.125, mask=pad, **half)
    attn("attention-flash-causal-short-keys", ((1, 2, 70, 32), 20, 32),
         np.float16, 0.2, causal=True, zero_empty=True, **half)
    keep = rng.random((5, 130)) < 0.6
    keep[:, 0] = True
    attn("attention-flash-d128-bool", ((1, 2, 5, 128), 130, 128), np.float16,
         0.09, mask=keep, **half)
    attn("attention-flash-bf16-causal", ((1, 1, 65, 64), 65, 64), None, 0.125,
         causal=True, bf16_data=True, bf16=True, rtol=3e-2, atol=3e-2)
    # A row no key takes part in: NaN as softmax gives, or 0 with the guard.
    empty = np.ones((1, 1, 9, 70), bool)
    empty[0, 0, 3] = False
    attn("attention-flash-empty-row-nan", ((1, 2, 9, 64), 70, 64), np.float16,
         0.125, mask=empty, **half)
    attn("attention-flash-empty-row-zero", ((1, 2, 9, 64), 70, 64),
         np.float16, 0.125, mask=empty, zero_empty=True, **half)
    full = rng.standard_normal((1, 2, 9, 13)).astype(np.float32)
    attn("attention-rows-f32-full-mask", ((1, 2, 9, 80), 13, 48), np.float32,
         0.3, mask=full, rtol=1e-5, atol=1e-6)
    attn("attention-rows-f32-causal-empty", ((2, 1, 6, 40), 6, 40),
         np.float32, 0.5, mask=empty[..., :6, :6], causal=True,
         rtol=1e-5, atol=1e-6)
    attn("attention-rows-f16-d80", ((1, 2, 7, 80), 11, 80), np.float16, 0.1,
         **half)
    # Positions before heads (graph-attention-layout), separate and packed.
    attn("attention-flash-seq-major", ((2, 3, 40, 64), 70, 64), np.float16,
         0.125, mask=pad[..., :70], layout="bshd", **half)
    attn("attention-flash-packed-causal", ((2, 3, 70, 64), 70, 64),
         np.float16, 0.125, causal=True, zero_empty=True, layout="packed",
         **half)
    # Enough planes for two m tiles per warp (128-row query tiles).
    attn("attention-flash-two-m-tiles", ((1, 132, 20, 64), 20, 64),
         np.float16, 0.125, causal=True, zero_empty=True, layout="packed",
         **half)
    # Two warpgroups of 64 rows per block (the sm_90a path: warpgroup MMA):
    # the first warpgroup of a diagonal tile skips its last key tile.
    attn("attention-flash-warpgroups-causal", ((1, 2, 130, 64), 130, 64),
         np.float16, 0.125, causal=True, layout="packed", min_launches=3,
         **half)
    attn("attention-rows-f32-packed", ((1, 2, 9, 40), 9, 40), np.float32,
         0.3, causal=True, layout="packed", rtol=1e-5, atol=1e-6)
    return out


def run_case(case, translate, harness):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "k.mlir")
        open(path, "w").write(case.mlir)
        result = subprocess.run([translate, "--exec-to-cuda", path],
                                capture_output=True, text=True)
        if result.returncode:
            return f"dsc-translate failed:\n{result.stderr}"
        source = result.stdout
        # The kernel's entry, then its variants (exec.tactics), each run on
        # the same inputs into freshly poisoned outputs.
        launches = []
        for line in source.splitlines():
            header = re.match(r"// (kernel|variant) @\S+ entry (\S+) grid "
                              r"\((\d+), (\d+), (\d+)\) block \((\d+), "
                              r"(\d+), (\d+)\)", line)
            if header:
                scratch = re.search(r" scratch (\d+)", line)
                grid = list(header.group(3, 4, 5))
                if case.max_grid_y:
                    grid[1] = str(min(int(grid[1]), case.max_grid_y))
                launches.append((header.group(2), tuple(grid),
                                 header.group(6, 7, 8),
                                 int(scratch.group(1)) if scratch else 0))
        if case.min_launches and len(launches) < case.min_launches:
            return f"{len(launches)} entries, expected {case.min_launches}"
        entry = launches[0][0]
        source = re.sub(r"static __device__ __forceinline__ [\w ]+ dsc_(f16|f32|"
                        r"f64|bf16)_to_(f16|f32|bf16)\([^)]*\) \{.*?\n\}\n", "",
                        source, flags=re.S)
        # The tensor-core helpers have host versions in the harness, and the
        # dynamic shared memory becomes a static buffer (one block at a time).
        bf16_mma = "f32.bf16.bf16.f32" in source
        source = re.sub(r"(template <[^>]*>\s*)?static __device__ __forceinline__ "
                        r"[\w ]+ dsc_(smem_addr|cp_async16|cp_async8|cp_async_commit|"
                        r"cp_async_wait|ldmatrix_x4|ldmatrix_x4_trans|mma_16816|"
                        r"pack2|exp2|opaque|wgmma_desc|wgmma_fence|wgmma_commit|"
                        r"wgmma_wait|fence_proxy_async|wgmma_m64n\d+k16|wgmma_rs_m64n\d+k16|"
                        r"mbarrier_init|mbarrier_init_fence|mbarrier_expect_tx|"
                        r"mbarrier_wait|tma_im2col_4d)\(.*?\n\}\n",
                        "", source, flags=re.S)
        source = re.sub(r"struct __align__\(64\) dsc_tensor_map \{.*?\n\};\n",
                        "", source, flags=re.S)
        source = source.replace("extern __shared__ __align__(16) unsigned char "
                                "dsc_smem[];", "unsigned char* dsc_smem = dsc_host_smem;")
        signature = re.search(r"\b" + entry + r"\((.*)\)", source).group(1)
        signature = signature.replace(", unsigned char *__restrict__ scratch", "")
        params = [p.split("* __restrict__")[0] for p in signature.split(", ")]
        reports_faults = params[-1].startswith("unsigned int") and \
            signature.endswith("fault")
        if reports_faults:
            params.pop()
        elif case.fault:
            return "the kernel takes no fault word"
        if len(params) != len(case.inputs) + len(case.outputs):
            return f"{len(params)} kernel parameters for {len(case.inputs)} " \
                   f"inputs and {len(case.outputs)} outputs"
        buffers = list(case.inputs) + [
            np.full(np.asarray(e).nbytes + 16, 0xAB, np.uint8) for e in case.outputs]
        for k, buffer in enumerate(buffers):
            np.ascontiguousarray(buffer).tofile(os.path.join(tmp, f"b{k}.bin"))
        main = [f"#define DSC_MMA_BF16 {int(bf16_mma)}",
                f'#include "{harness}"', source, "#include <fstream>",
                "#include <iterator>", "int main() {",
                "  std::vector<void *> bufs;"]
        for k in range(len(buffers)):
            main.append(
                f'  {{ std::ifstream f("{tmp}/b{k}.bin", std::ios::binary); '
                "std::vector<char> d((std::istreambuf_iterator<char>(f)), {}); "
                "void *b = aligned_alloc(64, (d.size() + 64) / 64 * 64); "
                "memcpy(b, d.data(), d.size()); bufs.push_back(b); }")
        args = ", ".join(f"({p} *)bufs[{k}]" for k, p in enumerate(params))
        if reports_faults:
            main.append("  static unsigned int fault = 0;")
        # With __CUDA_ARCH_FEAT_SM90_ALL only the entries that have a Hopper
        # path run again; the others would repeat the first build's work.
        hopper = set()
        for li, (name, *_) in enumerate(launches):
            at = re.search(r"\b" + name + r"\(", source).start()
            end = source.find('extern "C"', at)
            if "__CUDA_ARCH_FEAT_SM90_ALL" in source[at:end if end >= 0 else None]:
                hopper.add(li)
        for li, (name, grid, block, scratch) in enumerate(launches):
            if li not in hopper:
                main.append("#ifndef __CUDA_ARCH_FEAT_SM90_ALL")
            call = args
            # Tensor maps (TMA variants) come last; the emulated copies read
            # the input argument itself.
            maps = re.search(r"\b" + name + r"\((.*)\)", source).group(1).count(
                "dsc_tensor_map")
            if scratch:
                main.append(f"  std::vector<unsigned char> scratch{li}({scratch});")
                call += f", scratch{li}.data()"
            if reports_faults:
                call += ", &fault"
            call += ", dsc_tensor_map{}" * maps
            for j, e in enumerate(case.outputs):
                main.append(f"  memset(bufs[{len(case.inputs) + j}], 0xAB, "
                            f"{np.asarray(e).nbytes});")
            main.append(f"  launch(dim3{{{', '.join(grid)}}}, dim3{{{', '.join(block)}}},"
                        f" [&] {{ {name}({call}); }});")
            for j, e in enumerate(case.outputs):
                main.append(f'  {{ std::ofstream f("{tmp}/o{li}_{j}.bin", '
                            f"std::ios::binary); f.write((char *)bufs["
                            f"{len(case.inputs) + j}], {np.asarray(e).nbytes}); }}")
            if scratch:
                # Split-K leaves its counters zero for the next launch.
                main.append(f"  for (size_t i = 0; i < 1024 && i < scratch{li}"
                            f".size(); ++i) if (scratch{li}[i]) {{ printf("
                            f'"{name}: counters not reset\\n"); return 3; }}')
            if li not in hopper:
                main.append("#endif")
        if reports_faults:
            main.append('  printf("fault=%u\\n", fault);')
        main.append("}")
        open(os.path.join(tmp, "m.cpp"), "w").write("\n".join(main))
        # Sources with Hopper paths run them (emulated) and their fallbacks.
        targets = [([], set(range(len(launches))))]
        if hopper:
            targets.append((["-D__CUDA_ARCH_FEAT_SM90_ALL=1"], hopper))
        for defines, ran in targets:
            error = run_harness(tmp, defines, case, launches, ran,
                                reports_faults)
            if error:
                return error + (" (sm_90a path)" if defines else "")
    return None


def run_harness(tmp, defines, case, launches, ran, reports_faults):
    """Builds m.cpp with `defines`, runs it, and compares the outputs of
    each launch in `ran` (indices) with the case's; the error, or None."""
    result = subprocess.run(["g++", "-std=c++20", "-O1", "-w", "-pthread"]
                            + defines + [os.path.join(tmp, "m.cpp"), "-o",
                                         os.path.join(tmp, "m")],
                            capture_output=True, text=True)
    if result.returncode:
        return f"g++ failed:\n{result.stderr[:4000]}"
    result = subprocess.run([os.path.join(tmp, "m")], capture_output=True,
                            text=True, timeout=300)
    if result.returncode:
        return f"the kernel failed ({result.returncode}):\n{result.stderr}"
    if reports_faults:
        fault = int(re.search(r"fault=(\d+)", result.stdout).group(1))
        if fault != case.fault:
            return f"fault word {fault}, expected {case.fault}"
    for (li, launch), (j, e) in itertools.product(
            enumerate(launches), enumerate(case.outputs)):
        if li not in ran:
            continue
        e = np.asarray(e)
        got = np.fromfile(os.path.join(tmp, f"o{li}_{j}.bin"),
                          dtype=e.dtype).reshape(e.shape)
        if case.bf16:
            got, e = ((t.astype(np.uint32) << 16).view(np.float32)
                      for t in (got, e))
        if e.dtype.kind == "f":
            good = np.allclose(got.astype(np.float64), e.astype(np.float64),
                               rtol=case.rtol, atol=case.atol, equal_nan=True)
        else:
            good = np.array_equal(got, e)
        if not good:
            return (f"entry {launch[0]}: output {j} differs\n got    "
                    f"{got.ravel()[:32]}\n expect {e.ravel()[:32]}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--translate", required=True, help="dsc-translate")
    parser.add_argument("-k", "--filter", default="", help="case name regex")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    harness = os.path.join(HERE, "host_cuda.h")
    selected = [c for c in cases() if re.search(args.filter, c.name)]
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(lambda c: run_case(c, args.translate, harness), selected)
        for case, error in zip(selected, results):
            if error:
                failures += 1
                print(f"FAIL {case.name}: {error}")
            else:
                print(f"ok   {case.name}")
    print(f"host kernels: {len(selected) - failures} passed, {failures} failed, "
          f"{len(selected)} total")
    return 1 if failures or not selected else 0


if __name__ == "__main__":
    sys.exit(main())
