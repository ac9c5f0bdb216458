#!/usr/bin/python3
"""Checks bench/roofline.py's counting on small graphs built with onnx.helper
(no torch, no GPU): `/usr/bin/python3 bench/test_roofline.py`."""
import os
import sys
import unittest

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import roofline  # noqa: E402


def weight(name, shape, dtype=np.float32):
    return numpy_helper.from_array(np.zeros(shape, dtype), name)


def model(nodes, inputs, outputs, inits, value_info=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits, value_info=list(value_info))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class CountFlops(unittest.TestCase):
    def test_matmul_gemm_conv(self):
        m = model(
            [helper.make_node("MatMul", ["a", "w1"], ["b"]),             # [2,3,4,5] @ [5,6]
             helper.make_node("Gemm", ["g", "w2"], ["h"], transB=1),     # [8,16] @ [32,16]^T
             helper.make_node("Conv", ["x", "w3"], ["y"], group=2, pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["y"], ["z"])],                     # not counted
            [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3, 4, 5]),
             helper.make_tensor_value_info("g", TensorProto.FLOAT, [8, 16]),
             helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 10, 10])],
            [helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3, 4, 6]),
             helper.make_tensor_value_info("h", TensorProto.FLOAT, [8, 32]),
             helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 8, 10, 10])],
            [weight("w1", [5, 6]), weight("w2", [32, 16]), weight("w3", [8, 2, 3, 3])])
        matmul = 2 * (2 * 3 * 4 * 6) * 5
        gemm = 2 * 8 * 32 * 16
        conv = 2 * (8 * 10 * 10) * (2 * 3 * 3)
        self.assertEqual(roofline.count_flops(m), matmul + gemm + conv)
        # Weights and the graph's inputs and outputs, floats at 2 bytes.
        elements = (5 * 6 + 32 * 16 + 8 * 2 * 3 * 3) + (2 * 3 * 4 * 5 + 8 * 16 + 400) + \
            (2 * 3 * 4 * 6 + 8 * 32 + 800)
        self.assertEqual(roofline.min_bytes(m), 2 * elements)
        self.assertEqual(roofline.min_bytes(m, float_bytes=4), 4 * elements)

    def test_shapes_from_inference_and_integers(self):
        # The MatMul's output shape is left to ONNX shape inference; the
        # int64 ids keep their 8 bytes.
        m = model(
            [helper.make_node("Gather", ["table", "ids"], ["e"]),
             helper.make_node("MatMul", ["e", "w"], ["y"])],
            [helper.make_tensor_value_info("ids", TensorProto.INT64, [3, 7])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
            [weight("table", [100, 16]), weight("w", [16, 4])])
        self.assertEqual(roofline.count_flops(m), 2 * 3 * 7 * 4 * 16)
        self.assertEqual(roofline.min_bytes(m), 2 * (100 * 16 + 16 * 4) + 8 * 21 + 2 * 3 * 7 * 4)

    def test_attention(self):
        m = model(
            [helper.make_node("Attention", ["q", "k", "v"], ["o"])],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 12, s, 64])
             for n, s in (("q", 128), ("k", 96), ("v", 96))],
            [helper.make_tensor_value_info("o", TensorProto.FLOAT, [2, 12, 128, 64])], [])
        self.assertEqual(roofline.count_flops(m), 4 * 2 * 12 * 128 * 96 * 64)

    def test_unknown_shape_is_an_error(self):
        m = model(
            [helper.make_node("MatMul", ["a", "b"], ["c"])],
            [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 4]),
             helper.make_tensor_value_info("b", TensorProto.FLOAT, [4, 4])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT, None)], [])
        with self.assertRaisesRegex(ValueError, "MatMul node"):
            roofline.count_flops(m)

    def test_floor(self):
        # 1 TFLOP at 500 TFLOP/s is 2 ms; 1 GB at 2000 GB/s is 0.5 ms.
        self.assertAlmostEqual(roofline.floor_ms(1e12, 1e9, 500, 2000), 2.0)
        self.assertAlmostEqual(roofline.floor_ms(1e9, 4e9, 500, 2000), 2.0)


if __name__ == "__main__":
    unittest.main()
