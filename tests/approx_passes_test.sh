#!/usr/bin/env bash
# Approximate passes run on every model of ../shared/models and stay inside generous bounds that a
# broken kernel would blow (a wrong Winograd transform, RoundTo or QDQ flips most labels): on the
# first 50 sample images, fp16 and O3 (Winograd, SLEEF approximations, FTZ) flip at most 8% of
# the reference's top-1 labels; bf16, int8 (real integer kernels) with min-max and with entropy
# calibration, and the int8 QDQ emulation at most 25%.
# Measured on 2026-11-30 (50 images): fp16 0-4%, O3 0%, bf16 0-8%, int8 0-12% (docs/optimizer.md);
# entropy calibration flipped up to 100% before zeros were left out of its histogram (2026-12-01).
# Usage: approx_passes_test.sh FLIPSCOPE SHARED   (exit 77 = ../shared missing: skipped)
set -u
bin=$1 shared=$2
[ -d "$shared/models" ] || exit 77
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
# name preset label-offset (the same table as tests/models/model_table.h)
while read -r name preset off; do
  common=(--model "$shared/models/$name/model.onnx" --preset "$preset" --label-offset "$off"
          --images "$shared/images/imagenet-sample" --limit 50 --cache "$tmp/cache" --quiet)
  if ! "$bin" study "${common[@]}" --variant fp16=cpu:O0:fp16 --variant O3=cpu:O3:fp32 \
       --max-flip-rate 0.08 --out "$tmp/$name-a" > "$tmp/log" 2>&1; then
    echo "FAIL $name fp16/O3"; tail -5 "$tmp/log"; fail=1
  fi
  if ! "$bin" study "${common[@]}" --variant bf16=cpu:O0:bf16 --variant int8=cpu:O0:int8 \
       --variant int8-entropy=cpu:O0:int8:calibration=entropy --variant int8-qdq=cpu:precision-int8-qdq:fp32 \
       --max-flip-rate 0.25 --out "$tmp/$name-b" > "$tmp/log" 2>&1; then
    echo "FAIL $name bf16/int8"; tail -5 "$tmp/log"; fail=1
  fi
  for d in "$tmp/$name-a" "$tmp/$name-b"; do
    grep -q '"status": *"error"' "$d/results.json" && { echo "FAIL $name: a variant did not build"; fail=1; }
  done
  echo "done $name"
done <<'LIST'
squeezenet1.1 imagenet-caffe 0
mobilenet_v1_0.25_128 inception-uint8 1
mobilenet_v1_0.75_192 inception-uint8 1
mobilenet_v2_1.0_224 inception-uint8 1
mobilenet_v3_small_1.0_224 inception-uint8-127 1
shufflenet_v1_g8_w1 imagenet 0
regnetx_200mf imagenet-bgr 0
hardnet39ds imagenet 0
mobilenet_v1_0.25_224_keras inception 0
mobilenet_v2_onnxzoo imagenet 0
LIST
exit $fail
