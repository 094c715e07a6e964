#!/usr/bin/python3
"""Exports torchvision ResNet-50, DenseNet-121 and Inception-v3 (random weights) to ONNX for bench/run.sh.

Each model is written as OUT/<name>/model.onnx (the same layout as ../shared/models): eval mode, opset 13,
float32 NCHW input 'input' with a dynamic batch dimension 'N'. Weights are random (weights=None, seeded),
which is fine for latency: the arithmetic does not depend on the values. Existing files are kept
unless --force is given. Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import os
import sys

# name -> (torchvision constructor name, extra constructor kwargs, input side)
MODELS = {
    "resnet50": ("resnet50", {}, 224),
    "densenet121": ("densenet121", {}, 224),
    # The auxiliary head runs only in training mode, so the eval-mode export does not contain it.
    # init_weights=True states torchvision's default explicitly (it warns otherwise).
    "inception_v3": ("inception_v3", {"init_weights": True}, 299),
}


def export(name, out_dir, force):
    import torch
    import torchvision

    path = os.path.join(out_dir, name, "model.onnx")
    if os.path.exists(path) and not force:
        print(f"{path}: exists, kept (use --force to re-export)")
        return path
    ctor, kwargs, side = MODELS[name]
    torch.manual_seed(0)
    model = getattr(torchvision.models, ctor)(weights=None, **kwargs).eval()
    dummy = torch.randn(1, 3, side, side)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, dummy, tmp, opset_version=13, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    os.replace(tmp, path)
    print(f"{path}: exported ({ctor}, 1x3x{side}x{side}, opset 13, dynamic batch)")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "models"),
                        help="output folder (default: bench/models)")
    parser.add_argument("--force", action="store_true", help="re-export even when model.onnx exists")
    parser.add_argument("names", nargs="*", default=list(MODELS), help=f"models to export (default: all of {list(MODELS)})")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; known: {list(MODELS)}")
    try:
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    except ImportError as e:
        sys.exit(f"export_torchvision.py: {e}; install Debian's python3-torch and python3-torchvision "
                 "(apt-get install python3-torchvision) and run with /usr/bin/python3")
    for name in args.names:
        export(name, args.out, args.force)


if __name__ == "__main__":
    main()
