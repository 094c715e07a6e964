#!/usr/bin/env bash
# `make demo`: the main job on the embedded default model (Fashion-MNIST MobileNet-style CNN).
# It describes the model, runs a batch of 8 test images on the reference backend with their top-5
# classes, checks the reference against PyTorch's outputs, then runs the differential study over the
# 10,000 Fashion-MNIST test images (Debian dataset-fashion-mnist) and writes demo-out/report.html.
# Variants whose passes are not registered yet are reported as errors; the others still run.
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
echo
idx=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
echo "== flipscope study default over the 10,000 Fashion-MNIST test images ($idx)"
start=$(date +%s)
"$fs" study --model default --images "$idx" --classes "$assets/classes.txt" --out demo-out \
  --variant O0=cpu:O0:fp32 --variant O1=cpu:O1:fp32 --variant O2=cpu:O2:fp32 --variant O3=cpu:O3:fp32 \
  --variant fp16=cpu:O0:fp16 --variant bf16=cpu:O0:bf16 --variant int8=cpu:O0:int8 \
  --variant fast-math=cpu:fast-math-approx:fp32 --variant nhwc=cpu:layout-nhwc:fp32 \
  --variant winograd=cpu:winograd-conv3x3:fp32 \
  --variant t1=cpu:O2:fp32:threads=1 --variant t2=cpu:O2:fp32:threads=2 \
  "$@"
echo "study wall time: $(( $(date +%s) - start )) s; open demo-out/report.html"
