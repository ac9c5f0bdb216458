"""End-to-end cases of small convolutional networks (names start with
`conv_net`): Conv + BatchNormalization (+ Relu) chains that graph-fold-batch-norm
folds into the filter, residual blocks, pooling and a classifier head, with
odd shapes (channels not a multiple of 8, stride 2, padding, dilation).
Expected outputs come from the numpy convolution and pooling of cases_nn."""
import numpy as np
from onnx import helper

from cases import Case, f64, make_model, rand
from cases_nn import np_conv, np_pool

F32 = np.float32
F16 = np.float16


class Net:
    """Builds an ONNX graph and its float64 numpy result side by side."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.nodes, self.initializers = [], {}

    def name(self, prefix):
        return f"{prefix}{len(self.nodes)}"

    def weight(self, prefix, array):
        name = self.name(prefix)
        self.initializers[name] = np.asarray(array).astype(self.dtype)
        return name, f64(self.initializers[name])

    def node(self, op, inputs, **attrs):
        out = self.name("t")
        self.nodes.append(helper.make_node(op, inputs, [out],
                                           name=f"node{len(self.nodes)}",
                                           **attrs))
        return out

    def conv(self, x, cout, kernel, stride=1, pad=0, dilation=1, bias=True,
             group=1):
        name, value = x
        cin = value.shape[1] // group
        w_name, w = self.weight("w", rand(cout, cin, kernel, kernel) /
                                np.sqrt(cin * kernel * kernel))
        inputs = [name, w_name]
        b = None
        if bias:
            b_name, b = self.weight("b", rand(cout))
            inputs.append(b_name)
        out = self.node("Conv", inputs, kernel_shape=[kernel, kernel],
                        strides=[stride, stride], pads=[pad] * 4,
                        dilations=[dilation, dilation], group=group)
        return out, np_conv(value, w, b, [stride] * 2, [pad] * 4,
                            [dilation] * 2, group)

    def batch_norm(self, x, epsilon=1e-5):
        name, value = x
        c = value.shape[1]
        params = [self.weight(p, v) for p, v in [
            ("scale", rand(c, low=0.5, high=1.5)), ("bias", rand(c)),
            ("mean", rand(c)), ("var", rand(c, low=0.5, high=2.0))]]
        out = self.node("BatchNormalization", [name] + [p[0] for p in params],
                        epsilon=epsilon)
        (_, s), (_, b), (_, m), (_, v) = params
        shape = (1, c, 1, 1)
        y = ((value - m.reshape(shape)) / np.sqrt(v.reshape(shape) + epsilon) *
             s.reshape(shape) + b.reshape(shape))
        return out, y

    def relu(self, x):
        return self.node("Relu", [x[0]]), np.maximum(x[1], 0)

    def add(self, x, y):
        return self.node("Add", [x[0], y[0]]), x[1] + y[1]

    def conv_bn(self, x, cout, kernel, relu=True, **conv):
        y = self.batch_norm(self.conv(x, cout, kernel, **conv))
        return self.relu(y) if relu else y

    def residual(self, x, cout, stride=1):
        """ResNet's basic block: two 3x3 conv-bn, a projected shortcut when
        the shape changes, the sum through Relu."""
        y = self.conv_bn(x, cout, 3, stride=stride, pad=1)
        y = self.conv_bn(y, cout, 3, relu=False, pad=1)
        shortcut = x
        if stride != 1 or cout != x[1].shape[1]:
            shortcut = self.conv_bn(x, cout, 1, relu=False, stride=stride,
                                    bias=False)
        return self.relu(self.add(y, shortcut))

    def max_pool(self, x, kernel, stride, pad):
        out = self.node("MaxPool", [x[0]], kernel_shape=[kernel, kernel],
                        strides=[stride, stride], pads=[pad] * 4)
        return out, np_pool(x[1], "max", [kernel] * 2, [stride] * 2, [pad] * 4)

    def head(self, x, classes):
        """Global average pool, flatten, Gemm."""
        pooled = self.node("GlobalAveragePool", [x[0]])
        flat = self.node("Flatten", [pooled], axis=1)
        value = x[1].mean(axis=(2, 3))
        w_name, w = self.weight("fc", rand(classes, value.shape[1]))
        b_name, b = self.weight("fcb", rand(classes))
        out = self.node("Gemm", [flat, w_name, b_name], transB=1)
        return out, value @ w.T + b

    def case(self, name, x_value, y, tolerance=None):
        self.nodes[-1].output[0] = "y"
        model = make_model(self.nodes, {"x": x_value},
                           [("y", self.dtype, None)], self.initializers, 13)
        return Case(name, model, {"x": x_value},
                    {"y": y[1].astype(self.dtype)}, tolerance=tolerance)


def resnet(dtype, batch, channels, size, name, tolerance=None):
    """Stem (7x7/2 conv-bn-relu, 3x3/2 max pool), two residual stages, the
    classifier head: a miniature ResNet."""
    net = Net(dtype)
    x_value = rand(batch, channels, *size).astype(dtype)
    x = ("x", f64(x_value))
    y = net.conv_bn(x, 16, 7, stride=2, pad=3)
    y = net.max_pool(y, 3, 2, 1)
    y = net.residual(y, 16)
    y = net.residual(y, 24, stride=2)
    y = net.head(y, 10)
    return net.case(name, x_value, y, tolerance)


def symbolic_resnet():
    """The miniature ResNet in f16 compiled once for batch 1..6 (`--dim`):
    every conv kernel runs per sample. Samples never meet, so the outputs
    for the first n samples are the first n rows of the batch-6 result."""
    net = Net(F16)
    x_value = rand(6, 3, 15, 13).astype(F16)
    y = net.conv_bn(("x", f64(x_value)), 16, 7, stride=2, pad=3)
    y = net.max_pool(y, 3, 2, 1)
    y = net.residual(y, 16)
    y = net.residual(y, 24, stride=2)
    y = net.head(y, 10)
    case = net.case("conv_net-resnet-symbolic-batch", x_value, y,
                    tolerance=(3e-2, 3e-2))
    case.model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    output = case.model.graph.output[0]
    output.CopyFrom(helper.make_tensor_value_info(
        "y", output.type.tensor_type.elem_type, ["batch", 10]))
    expected = case.expected["y"]
    runs = [({"x": x_value[:n]}, {"y": expected[:n]}) for n in (3, 1, 6)]
    case.inputs, case.expected = runs[0]
    case.more_runs = runs[1:]
    case.dims = ["batch=1..6"]
    return case


def split_k_cases():
    """f16 convs with too few output tiles for the SMs, which split K (grid z
    slices summed through the kernel scratch): every exec.tactics variant
    computes the same (run each with DSC_TUNE=variant:N on the GPU)."""
    cases = []
    # ResNet-50's stage 4 at batch 1: 7x7 pixels, 512 -> 512 channels, a 3x3
    # filter (K = 4608), bias and Relu after the reduction.
    net = Net(F16)
    x_value = rand(1, 512, 7, 7).astype(F16)
    y = net.relu(net.conv(("x", f64(x_value)), 512, 3, pad=1))
    cases.append(net.case("conv_net-split-k-stage4", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    # Odd sizes: 40 channels (16-byte copies), 72 outputs (edge tiles in N),
    # 5x5 pixels, two images (M = 50), and a residual add.
    net = Net(F16)
    x_value = rand(2, 40, 5, 5).astype(F16)
    x = ("x", f64(x_value))
    y = net.conv(x, 72, 3, pad=1)
    shortcut = net.conv(x, 72, 1, bias=False)
    y = net.relu(net.add(y, shortcut))
    cases.append(net.case("conv_net-split-k-odd-residual", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    # 36 channels (element gathers), stride 2 and padding: 5x5 pixels of a
    # 9x9 input, K = 324 in 11 K tiles; then 24 channels (which make
    # graph-convert-layout take the network channels-last) to 40.
    net = Net(F16)
    x_value = rand(1, 36, 9, 9).astype(F16)
    y = net.relu(net.conv(("x", f64(x_value)), 24, 3, stride=2, pad=1))
    y = net.conv(y, 40, 3, pad=1)
    cases.append(net.case("conv_net-split-k-gather-stride2", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    return cases


def warpgroup_cases():
    """f16 3x3 convs large enough for the warpgroup-MMA tiles (64 and 128
    output channels over 9216 pixels: 72 blocks of 128 rows), among them the
    ones whose input arrives by TMA im2col copies (64 and more channels:
    the second conv, and a stride-2 conv of 2 images whose copies cross
    rows and images; run each with DSC_TUNE=variant:N on the GPU)."""
    net = Net(F16)
    x_value = rand(4, 32, 48, 48).astype(F16)
    y = net.relu(net.conv(("x", f64(x_value)), 64, 3, pad=1))
    y = net.conv(y, 128, 3, pad=1)
    cases = [net.case("conv_net-wgmma-3x3", x_value, y,
                      tolerance=(3e-2, 3e-2))]
    net = Net(F16)
    x_value = rand(2, 64, 94, 90).astype(F16)
    y = net.relu(net.conv(("x", f64(x_value)), 128, 3, stride=2, pad=1))
    cases.append(net.case("conv_net-tma-stride2", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    return cases


def patch_cases():
    """Shallow-channel f16 convs that take patch tiles (a direct convolution
    from the input window in shared memory; run each with
    DSC_TUNE=variant:N on the GPU): ResNet's 7x7/2 stem on 3 colours
    (padded to 4 by graph-pad-channels) with BN and Relu over 35 x 33
    outputs (every tile shape fits, edge tiles masked), and a 5x5 conv of 8
    channels with 40 outputs (a partial column block)."""
    net = Net(F16)
    x_value = rand(2, 3, 70, 66).astype(F16)
    y = net.conv_bn(("x", f64(x_value)), 64, 7, stride=2, pad=3)
    cases = [net.case("conv_net-patch-stem", x_value, y,
                      tolerance=(3e-2, 3e-2))]
    net = Net(F16)
    x_value = rand(3, 8, 41, 37).astype(F16)
    y = net.relu(net.conv(("x", f64(x_value)), 40, 5, pad=2))
    cases.append(net.case("conv_net-patch-8-channels", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    return cases


def pointwise_cases():
    """Channels-last 1x1 convs with stride 1 run as GEMMs
    (graph-conv-to-matmul): a bottleneck's reduce (bias, Relu) and expand
    (bias, the residual add, Relu: the GEMM's epilogue) with odd pixel and
    channel counts, in f16 and f32; then a 1x1 conv whose result is a graph output."""
    cases = []
    for dtype, tolerance, suffix in [(F16, (3e-2, 3e-2), "f16"),
                                     (F32, None, "f32")]:
        net = Net(dtype)
        x_value = rand(2, 8, 5, 7).astype(dtype)
        stem = net.relu(net.conv(("x", f64(x_value)), 24, 3, pad=1))
        y = net.relu(net.conv(stem, 40, 1))
        y = net.relu(net.conv(y, 40, 3, pad=1))
        y = net.relu(net.add(net.conv(y, 24, 1), stem))
        cases.append(net.case(f"conv_net-pointwise-bottleneck-{suffix}",
                              x_value, y, tolerance=tolerance))
    net = Net(F16)
    x_value = rand(1, 16, 3, 9).astype(F16)
    y = net.conv(("x", f64(x_value)), 16, 3, pad=1)
    y = net.conv(y, 10, 1, bias=False)
    cases.append(net.case("conv_net-pointwise-output", x_value, y,
                          tolerance=(3e-2, 3e-2)))
    return cases


def conv_net_cases():
    cases = []
    # One conv-bn-relu, C = 3 (not a multiple of 8), stride 2, padding.
    net = Net(F32)
    x_value = rand(2, 3, 9, 11)
    y = net.conv_bn(("x", f64(x_value)), 8, 3, stride=2, pad=1)
    cases.append(net.case("conv_net-bn-relu-stride2", x_value, y))
    # Dilation, no conv bias, BN without Relu.
    net = Net(F32)
    x_value = rand(1, 5, 10, 7)
    y = net.conv_bn(("x", f64(x_value)), 6, 3, relu=False, pad=2, dilation=2,
                    bias=False)
    cases.append(net.case("conv_net-bn-dilation-nobias", x_value, y))
    # The conv result is also an output: BN must not fold into the filter.
    net = Net(F32)
    x_value = rand(1, 4, 6, 6)
    conv = net.conv(("x", f64(x_value)), 4, 3, pad=1)
    bn = net.batch_norm(conv)
    net.nodes[-1].output[0] = "y"
    for node in net.nodes:
        node.input[:] = ["y" if i == bn[0] else i for i in node.input]
    model = make_model(net.nodes, {"x": x_value},
                       [("y", F32, None), (conv[0], F32, None)],
                       net.initializers, 13)
    cases.append(Case("conv_net-bn-shared-conv", model, {"x": x_value},
                      {"y": bn[1].astype(F32),
                       conv[0]: conv[1].astype(F32)}))
    # Miniature ResNets: f32 and f16, batch 1 and 3, odd spatial sizes.
    cases.append(resnet(F32, 1, 3, (23, 19), "conv_net-resnet-f32"))
    cases.append(resnet(F32, 3, 5, (16, 16), "conv_net-resnet-f32-batch3"))
    cases.append(resnet(F16, 2, 3, (17, 21), "conv_net-resnet-f16",
                        tolerance=(3e-2, 3e-2)))
    cases.append(symbolic_resnet())
    # Channels-last with what stays on the direct kernels: a depthwise conv
    # (group 16) between implicit-GEMM convs, an average pool with padding
    # counted, and a conv result that is a graph output (a transpose back at
    # the boundary).
    net = Net(F16)
    x_value = rand(2, 8, 11, 10).astype(F16)
    y = net.conv(("x", f64(x_value)), 16, 3, pad=1)
    y = net.relu(net.conv(y, 16, 3, stride=2, pad=1, group=16))
    y = net.conv(y, 24, 1)
    net.node("AveragePool", [y[0]], kernel_shape=[3, 3],
             strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
    pooled = np_pool(y[1], "avg", [3, 3], [2, 2], [1] * 4, None, False, True)
    net.nodes[-1].output[0] = "p"
    model = make_model(net.nodes, {"x": x_value},
                       [("p", F16, None), (y[0], F16, None)],
                       net.initializers, 13)
    cases.append(Case("conv_net-depthwise-pool-f16", model, {"x": x_value},
                      {"p": pooled.astype(F16), y[0]: y[1].astype(F16)},
                      tolerance=(3e-2, 3e-2)))
    return (cases + split_k_cases() + warpgroup_cases() + patch_cases() +
            pointwise_cases())
