"""Moves a model's structure between machines without its weights.

  strip MODEL.onnx OUT.onnx   writes OUT.onnx whose large float initializers point to an
                              external file that is not written (the graph and its integer and
                              boolean constants, such as masks, alone)
  fill OUT.onnx               writes that external file with random weights (normal, std 0.02,
                              for floats; zeros for integers), so `dsc compile` imports the real
                              graph where the exported weights are not at hand

The benchmark models are exported on the GPU machine (PyTorch lives there only); their graphs,
stripped, let the compiler be developed against the exporters' real patterns elsewhere.
"""
import os, sys

import numpy as np
import onnx
from onnx import external_data_helper, helper

THRESHOLD = 1024


def np_dtype(data_type):
    if hasattr(helper, "tensor_dtype_to_np_dtype"):
        return helper.tensor_dtype_to_np_dtype(data_type)
    return onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[data_type]  # onnx < 1.13


def strip(src, dst):
    model = onnx.load(src)
    location = os.path.basename(dst) + ".data"
    external_data_helper.convert_model_to_external_data(
        model, all_tensors_to_one_file=True, location=location, size_threshold=THRESHOLD)
    # Offsets are assigned on save, which would write the data: assign them here and drop the
    # data instead.
    offset = 0
    for tensor in external_data_helper._get_all_tensors(model):
        if not external_data_helper.uses_external_data(tensor):
            continue
        if not np.issubdtype(np_dtype(tensor.data_type), np.floating):
            # Integer and boolean tensors are structure (masks, indices), not weights: random
            # values would change what the graph computes (a causal mask of zeros masks all).
            del tensor.external_data[:]
            tensor.data_location = onnx.TensorProto.DEFAULT
            continue
        tensor.ClearField("raw_data")
        length = int(np.prod(tensor.dims)) * np_dtype(tensor.data_type).itemsize
        offset = (offset + 4095) // 4096 * 4096
        del tensor.external_data[:]
        for key, value in (("location", location), ("offset", offset), ("length", length)):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, str(value)
        offset += length
    with open(dst, "wb") as f:
        f.write(model.SerializeToString())


def fill(path):
    model = onnx.load(path, load_external_data=False)
    rng = np.random.default_rng(0)
    files = {}
    for tensor in external_data_helper._get_all_tensors(model):
        if not external_data_helper.uses_external_data(tensor):
            continue
        info = external_data_helper.ExternalDataInfo(tensor)
        dtype = np_dtype(tensor.data_type)
        count = int(np.prod(tensor.dims))
        if np.issubdtype(dtype, np.floating):
            data = (rng.standard_normal(count) * 0.02).astype(dtype)
        else:
            data = np.zeros(count, dtype)
        files.setdefault(info.location, []).append((info.offset or 0, data.tobytes()))
    for location, chunks in files.items():
        with open(os.path.join(os.path.dirname(os.path.abspath(path)), location), "wb") as f:
            for offset, data in sorted(chunks, key=lambda c: c[0]):
                f.seek(offset)
                f.write(data)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "strip":
        strip(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "fill":
        fill(sys.argv[2])
    else:
        sys.exit(__doc__)
