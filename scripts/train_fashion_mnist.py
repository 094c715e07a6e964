#!/usr/bin/python3
"""Train flipscope's embedded default model: a small MobileNet-style CNN on Fashion-MNIST.

Runs with Debian 12's python3 and Debian packages only:
    apt-get install python3-torch python3-onnx python3-numpy dataset-fashion-mnist
    /usr/bin/python3 scripts/train_fashion_mnist.py [--out diff/assets] [--epochs N]

Data: the gzipped IDX files of Debian's dataset-fashion-mnist (no downloads).
Preprocessing: x / 255 (the `mnist` preset; no mean/std), input 1x28x28 float32.

Outputs in --out:
    model.onnx                                   opset 13, input `input` [N,1,28,28], output `logits` [N,10]
    test_data_set_0/input_0.pb                   first 8 test images (TensorProto `input`)
    test_data_set_0/output_0.pb              PyTorch logits for them (TensorProto `logits`)
    README.md                                    architecture, params, command, seed, time, accuracy, op histogram

The ONNX graph keeps BatchNormalization as separate nodes (not folded into Conv), so the
optimizer's fold-batchnorm pass has work to do. torch.onnx.export with training=EVAL always runs
the eval peephole pass that fuses Conv+BN; exporting an eval-mode model with
training=PRESERVE gives the same inference graph without that fusion.
"""
import argparse
import collections
import gzip
import io
import os
import shlex
import struct
import sys
import time

# Under OpenMP's default spin-waiting, 2 torch threads on a busy 2-core machine run ~3x slower than
# 1; passive waiting avoids that. It must be set before torch (and its OpenMP runtime) loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 0
THREADS = 2
OPSET = 13
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
def read_idx(path):
    """Reads a gzipped IDX file (unsigned byte data) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {zero:#x} {dtype:#x})")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} elements, found {arr.size}")
    return arr.reshape(dims)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    assert images.shape[0] == labels.shape[0]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # N,1,28,28; x/255
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def augment(x, gen):
    """Random horizontal flip (Fashion-MNIST classes are left/right symmetric)."""
    flip = torch.rand(x.shape[0], generator=gen) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
def conv_bn(cin, cout, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=False))
    return nn.Sequential(*layers)


class DepthwiseSeparable(nn.Module):
    """Depthwise 3x3 (groups=channels) + BN + ReLU6, pointwise 1x1 + BN + ReLU6 (MobileNetV1)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = conv_bn(cin, cin, 3, stride=stride, groups=cin)
        self.pw = conv_bn(cin, cout, 1)

    def forward(self, x):
        return self.pw(self.dw(x))


class InvertedResidual(nn.Module):
    """MobileNetV2 block, stride 1, equal channels: expand 1x1, depthwise 3x3, linear project 1x1, Add."""

    def __init__(self, channels, expand):
        super().__init__()
        hidden = channels * expand
        self.expand = conv_bn(channels, hidden, 1)
        self.dw = conv_bn(hidden, hidden, 3, groups=hidden)
        self.project = conv_bn(hidden, channels, 1, act=False)

    def forward(self, x):
        return x + self.project(self.dw(self.expand(x)))


class FashionMobileNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 16, 3),                  # stem            16x28x28
            DepthwiseSeparable(16, 32, 2),      # downsample      32x14x14
            InvertedResidual(32, 3),            # residual Add    32x14x14
            DepthwiseSeparable(32, 64, 2),      # downsample      64x7x7
            InvertedResidual(64, 4),            # residual Add    64x7x7
            InvertedResidual(64, 4),            # residual Add    64x7x7
        )
        self.pool = nn.AdaptiveAvgPool2d(1)     # -> GlobalAveragePool
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(64, num_classes)  # -> Gemm

    def forward(self, x):
        return self.classifier(self.flatten(self.pool(self.features(x))))


ARCH_TABLE = """\
| stage | layers | output |
|---|---|---|
| input | x/255, 1 channel | 1x28x28 |
| stem | Conv 3x3 1->16, BN, ReLU6 | 16x28x28 |
| ds1 | DW 3x3 stride 2 (group=16), BN, ReLU6; PW 1x1 16->32, BN, ReLU6 | 32x14x14 |
| ir1 | PW 1x1 32->96, BN, ReLU6; DW 3x3 (group=96), BN, ReLU6; PW 1x1 96->32, BN; **Add** (residual) | 32x14x14 |
| ds2 | DW 3x3 stride 2 (group=32), BN, ReLU6; PW 1x1 32->64, BN, ReLU6 | 64x7x7 |
| ir2 | PW 1x1 64->256, BN, ReLU6; DW 3x3 (group=256), BN, ReLU6; PW 1x1 256->64, BN; **Add** (residual) | 64x7x7 |
| ir3 | same as ir2 | 64x7x7 |
| head | GlobalAveragePool, Flatten, Linear 64->10 (Gemm) | 10 logits |
"""


# ---------------------------------------------------------------------------------------------
# Train / evaluate
# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train(model, xtr, ytr, epochs, batch, lr, log):
    if epochs <= 0:  # --epochs 0: export the untrained model (smoke test of the export path)
        return
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = (xtr.shape[0] + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.2)
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        total_loss, total_correct = 0.0, 0
        for i in range(steps_per_epoch):
            idx = perm[i * batch:(i + 1) * batch]
            xb = augment(xtr[idx], gen)
            yb = ytr[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb, label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * idx.numel()
            total_correct += (out.argmax(1) == yb).sum().item()
        n = xtr.shape[0]
        log(f"epoch {epoch + 1}/{epochs}: loss {total_loss / n:.4f} train-acc {total_correct / n:.4f} "
            f"({time.time() - t0:.1f}s)")


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------
def inline_identity_initializers(model_proto):
    """The exporter deduplicates bit-identical parameters and re-creates them with Identity nodes;
    turn those back into plain initializers so the graph holds only the network's ops."""
    g = model_proto.graph
    inits = {t.name: t for t in g.initializer}
    keep = []
    for node in g.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[node.input[0]])
            t.name = node.output[0]
            g.initializer.append(t)
        else:
            keep.append(node)
    del g.node[:]
    g.node.extend(keep)
    return model_proto


def export_onnx(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    f = io.BytesIO()
    # training=PRESERVE with an eval-mode model exports inference-mode BatchNormalization
    # (single output, running stats); training=EVAL would fuse BN into the Conv weights.
    torch.onnx.export(
        model, dummy, f,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
    )
    m = inline_identity_initializers(onnx.load_from_string(f.getvalue()))
    m.doc_string = "flipscope default model: MobileNet-style CNN, Fashion-MNIST, input x/255 (mnist preset)"
    onnx.checker.check_model(m, full_check=True)
    hist = collections.Counter(n.op_type for n in m.graph.node)
    if hist["BatchNormalization"] == 0:
        raise RuntimeError("exported graph has no BatchNormalization nodes (BN was fused)")
    for node in m.graph.node:
        if node.op_type == "BatchNormalization" and len(node.output) != 1:
            raise RuntimeError("BatchNormalization exported in training mode")
    onnx.save(m, path)
    return m, hist


def write_test_data(model, x, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    inp = numpy_helper.from_array(x.numpy().astype(np.float32), name="input")
    outp = numpy_helper.from_array(logits.numpy().astype(np.float32), name="logits")
    with open(os.path.join(out_dir, "input_0.pb"), "wb") as f:
        f.write(inp.SerializeToString())
    with open(os.path.join(out_dir, "output_0.pb"), "wb") as f:
        f.write(outp.SerializeToString())
    return logits


def write_report(path, *, command, params, bn_count, epochs, batch, lr, train_time, train_cpu, total_time,
                 accuracy, model_bytes, hist, opset, ir_version, test_labels, test_pred, torch_version,
                 onnx_version, log_lines):
    hist_rows = "\n".join(f"| {op} | {cnt} |" for op, cnt in sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))
    sample_rows = "\n".join(f"| {i} | {CLASSES[int(t)]} ({int(t)}) | {CLASSES[int(p)]} ({int(p)}) |"
                            for i, (t, p) in enumerate(zip(test_labels, test_pred)))
    text = f"""# diff/assets/fashion_mnist/model.onnx

flipscope's embedded default model: a small MobileNet-style CNN trained on Fashion-MNIST.
Generated by `scripts/train_fashion_mnist.py`; do not edit by hand.

## Usage

- Input `input`: float32 `[N, 1, 28, 28]` (dynamic batch `N`), pixels scaled `x / 255`,
  no mean/std normalisation (the `mnist` preset).
- Output `logits`: float32 `[N, 10]`, unnormalised class scores.
- Classes: {", ".join(f"{i} {c}" for i, c in enumerate(CLASSES))}.

## Architecture

{ARCH_TABLE}
Every Conv has `bias=False` and is followed by a separate `BatchNormalization` node
({bn_count} in total, epsilon 1e-5), kept unfused so that the optimizer's fold-batchnorm
pass has work to do. ReLU6 is exported as `Clip` with constant min 0 / max 6.

- Parameters: **{params:,}** (trainable; BN running statistics not counted)
- File size: **{model_bytes:,} bytes**
- ONNX opset: **{opset}** (ai.onnx), IR version {ir_version}; exported with torch {torch_version}, onnx {onnx_version}

## Op histogram of the exported graph

| op | count |
|---|---|
{hist_rows}

## Training

- Command: `{command}`
- Data: Debian `dataset-fashion-mnist`, `{DATA_DIR}/{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte.gz`
  (60,000 train / 10,000 test), read directly from the gzipped IDX files.
- Seed: `torch.manual_seed({SEED})` (also seeds the shuffling/augmentation generator);
  `torch.set_num_threads({THREADS})`.
- Optimiser: AdamW (weight decay 1e-4), OneCycle LR schedule with max lr {lr}, batch {batch},
  {epochs} epochs, cross-entropy with label smoothing 0.05.
- Augmentation: random horizontal flip.
- Training wall time: **{train_time:.1f} s** (whole script: {total_time:.1f} s) on {THREADS} CPU threads;
  process CPU time {train_cpu:.1f} s. Wall time depends on machine load; CPU time is the better
  measure of cost (about CPU time / {THREADS} on an otherwise idle {THREADS}-core machine).
- Final test accuracy (10,000 test images, PyTorch eval mode): **{accuracy * 100:.2f}%**

Training log:

```
{chr(10).join(log_lines)}
```

## Test data set

`test_data_set_0/` holds `input_0.pb` (the first 8 test images, `[8, 1, 28, 28]`,
x/255) and `output_0.pb` (PyTorch eval-mode logits, `[8, 10]`), in the ONNX backend-test layout.

| # | label | predicted |
|---|---|---|
{sample_rows}
"""
    with open(path, "w") as f:
        f.write(text)


def main():
    t_start = time.time()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="diff/assets/fashion_mnist",
                    help="output directory (default diff/assets/fashion_mnist)")
    ap.add_argument("--epochs", type=int, default=6, help="training epochs (default 6)")
    ap.add_argument("--batch", type=int, default=256, help="batch size (default 256)")
    ap.add_argument("--lr", type=float, default=5e-3, help="max learning rate (default 5e-3)")
    ap.add_argument("--data", default=DATA_DIR, help=f"Fashion-MNIST IDX directory (default {DATA_DIR})")
    args = ap.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    np.random.seed(SEED)

    log_lines = []

    def log(msg):
        log_lines.append(msg)
        print(msg, flush=True)

    xtr, ytr = load_split(args.data, "train")
    xte, yte = load_split(args.data, "t10k")
    log(f"data: train {tuple(xtr.shape)}, test {tuple(xte.shape)}")

    model = FashionMobileNet()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"parameters: {params}")

    t0, c0 = time.time(), time.process_time()
    train(model, xtr, ytr, args.epochs, args.batch, args.lr, log)
    train_time, train_cpu = time.time() - t0, time.process_time() - c0
    log(f"training wall time: {train_time:.1f}s (process CPU time {train_cpu:.1f}s)")

    accuracy = evaluate(model, xte, yte)
    log(f"test accuracy: {accuracy:.4f}")

    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "model.onnx")
    m, hist = export_onnx(model, model_path)
    model_bytes = os.path.getsize(model_path)
    logits = write_test_data(model, xte[:8].clone(), os.path.join(args.out, "test_data_set_0"))

    script = os.path.relpath(os.path.abspath(sys.argv[0]))
    command = " ".join(["/usr/bin/python3", shlex.quote(script)] + [shlex.quote(a) for a in sys.argv[1:]])
    total_time = time.time() - t_start
    write_report(os.path.join(args.out, "README.md"), command=command, params=params,
                 bn_count=hist["BatchNormalization"], epochs=args.epochs, batch=args.batch, lr=args.lr,
                 train_time=train_time, train_cpu=train_cpu, total_time=total_time, accuracy=accuracy, model_bytes=model_bytes,
                 hist=hist, opset=OPSET, ir_version=m.ir_version, test_labels=yte[:8].tolist(), test_pred=logits.argmax(1).tolist(),
                 torch_version=torch.__version__, onnx_version=onnx.__version__, log_lines=log_lines)
    print(f"wrote {model_path} ({model_bytes} bytes), op histogram {dict(sorted(hist.items()))}")
    print(f"test accuracy: {accuracy * 100:.2f}%")


if __name__ == "__main__":
    main()
