#!/usr/bin/python3
"""One-layer int8 models (QuantizeLinear -> QLinearConv) at the shapes of the int8 MobileNetV2 in
../shared/models, for timing single QLinearConv layers with `flipscope profile` (its per-layer row
"dw" / "pw"). Random weights and per-channel scales; written to bench/out/int8-layers/ (git-ignored).

usage: /usr/bin/python3 bench/int8_layers.py
       build/flipscope profile bench/out/int8-layers/dw_32x112_s1.onnx --repeat 300 --warmup 20
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "int8-layers")

# name: (input channels, output channels, height = width, stride, kernel, depthwise)
LAYERS = {
    "dw_32x112_s1": (32, 32, 112, 1, 3, True),
    "dw_96x112_s2": (96, 96, 112, 2, 3, True),
    "dw_144x56_s1": (144, 144, 56, 1, 3, True),
    "dw_144x56_s2": (144, 144, 56, 2, 3, True),
    "dw_192x28_s1": (192, 192, 28, 1, 3, True),
    "dw_192x28_s2": (192, 192, 28, 2, 3, True),
    "dw_384x14_s1": (384, 384, 14, 1, 3, True),
    "dw_576x14_s1": (576, 576, 14, 1, 3, True),
    "dw_576x14_s2": (576, 576, 14, 2, 3, True),
    "dw_960x7_s1": (960, 960, 7, 1, 3, True),
    "pw_16to96x112": (16, 96, 112, 1, 1, False),
    "pw_24to144x56": (24, 144, 56, 1, 1, False),
    "pw_144to24x56": (144, 24, 56, 1, 1, False),
    "pw_32to192x28": (32, 192, 28, 1, 1, False),
    "pw_320to1280x7": (320, 1280, 7, 1, 1, False),
    "pw_96to576x14": (96, 576, 14, 1, 1, False),
}


def layer(c, m, hw, stride, k, depthwise):
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, (m, 1 if depthwise else c, k, k)).astype(np.int8)
    inits = [
        numpy_helper.from_array(np.array(0.01, np.float32), "qs"),
        numpy_helper.from_array(np.array(120, np.uint8), "qz"),
        numpy_helper.from_array(np.array(0.02, np.float32), "xs"),
        numpy_helper.from_array(np.array(120, np.uint8), "xz"),
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array((rng.random(m) * (0.01 if depthwise else 0.001) + (0.001 if depthwise else 0.0001))
                                .astype(np.float32), "ws"),
        numpy_helper.from_array(np.zeros(m, np.int8), "wz"),
        numpy_helper.from_array(np.array(0.05, np.float32), "ys"),
        numpy_helper.from_array(np.array(3, np.uint8), "yz"),
        numpy_helper.from_array(rng.integers(-500, 500, m).astype(np.int32), "b"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "qs", "qz"], ["xq"]),
        helper.make_node("QLinearConv", ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                         name="dw" if depthwise else "pw", group=c if depthwise else 1, kernel_shape=[k, k],
                         pads=[k // 2] * 4, strides=[stride, stride]),
    ]
    graph = helper.make_graph(nodes, "int8_layer", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                  [1, c, hw, hw])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, spec in LAYERS.items():
        onnx.save(layer(*spec), os.path.join(OUT, name + ".onnx"))
    print(f"wrote {len(LAYERS)} models to {OUT}")


if __name__ == "__main__":
    main()
