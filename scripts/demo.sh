#!/usr/bin/env bash
# `make demo`: the main job on the embedded default model (Fashion-MNIST MobileNet-style CNN).
# Until the differential study lands, it describes the model, runs a batch of 8 test images on the
# reference backend with their top-5 classes, and checks the reference against PyTorch's outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
fs=build/flipscope
assets=diff/assets/fashion_mnist
echo "== flipscope info default"
"$fs" info default
echo
echo "== flipscope run default (8 Fashion-MNIST test images, reference backend, top 5)"
"$fs" run default --input "$assets/test_data_set_0/input_0.pb" --labels "$assets/classes.txt" --top 5
echo
echo "== flipscope conformance $assets (reference vs PyTorch's stored logits)"
"$fs" conformance "$assets"
