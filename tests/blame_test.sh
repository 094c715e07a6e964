#!/usr/bin/env bash
# explain and bisect on the embedded default model with a planted bug: the test-only pass
# test-corrupt-layer negates the output of one chosen layer. bisect must name that pass and its
# rewrite; explain must report that layer as the first diverging one; a fused O2 variant is
# explained with its fusions intact (values inside fusions shown as such) and no diverging layer.
# Precision: the test-only pass test-blame-overflow scales the same layer by 2^20 and back (exact in
# fp32, an overflow in fp16); bisect's step (5) must name exactly that node as the one to keep fp32,
# and must say "not removed" when the flips do not come from the precision (test-corrupt-layer).
set -u
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
in="$here/diff/assets/fashion_mnist/test_data_set_0/input_0.pb"   # 8 Fashion-MNIST test images
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
target=/features/features.2/expand/expand.0/Conv
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

FLIPSCOPE_TEST_CORRUPT_NODE=$target "$bin" bisect --inputs "$in" --variant bad=cpu:O1,test-corrupt-layer:fp32 \
  --json "$tmp/b.json" > "$tmp/b.txt" 2>&1
cat "$tmp/b.txt"
check "bisect names the planted pass" "tr -d ' \n' < '$tmp/b.json' | grep -q '\"guilty_passes\":\[\"test-corrupt-layer\"\]'"
check "bisect names the planted rewrite" "grep -q '\"id\": \"test-corrupt-layer@$target\"' '$tmp/b.json'"
check "bisect finds flips" "! tr -d ' \n' < '$tmp/b.json' | grep -q '\"flips\":\[\]'"

FLIPSCOPE_TEST_CORRUPT_NODE=$target "$bin" explain --input "$in" --index 0 --variant bad=cpu:test-corrupt-layer:fp32 \
  --json "$tmp/e.json" > "$tmp/e.txt" 2>&1
check "explain reports the planted layer first" "grep -q '\"first_diverging\": \"$target\"' '$tmp/e.json'"

"$bin" explain --input "$in" --index 0 --variant O2=cpu:O2:fp32 --json "$tmp/f.json" > "$tmp/f.txt" 2>&1
check "fused variant keeps its fusions" "grep -q 'inside .*Conv+' '$tmp/f.txt'"
check "fused variant: fused nodes are captured" "grep -q '\"variant_node\": \"[^\"]*+[^\"]*\"' '$tmp/f.json'"
check "fused variant: no layer diverges" "grep -q '\"first_diverging\": null' '$tmp/f.json'"

FLIPSCOPE_TEST_CORRUPT_NODE=$target "$bin" bisect --inputs "$in" --variant ovf=cpu:test-blame-overflow:fp16 \
  --json "$tmp/p.json" > "$tmp/p.txt" 2>&1
cat "$tmp/p.txt"
check "precision bisect: keep-fp32 search ran" "grep -q '\"status\": \"found\"' '$tmp/p.json'"
check "precision bisect: the planted node must stay fp32" \
  "grep -q '\"node\": \"$target\"' '$tmp/p.json' && [ \$(grep -c '\"node\":' '$tmp/p.json') = 1 ]"
check "precision bisect: text names the node" "grep -q '^    $target  flipscope.LowpConv' '$tmp/p.txt'"

FLIPSCOPE_TEST_CORRUPT_NODE=$target "$bin" bisect --inputs "$in" --variant neg=cpu:test-corrupt-layer:fp16 \
  --json "$tmp/n.json" > "$tmp/n.txt" 2>&1
check "precision bisect: flips not from the precision are reported as such" \
  "grep -q '\"status\": \"not-removed\"' '$tmp/n.json' && grep -q 'does not remove the flips' '$tmp/n.txt'"

FLIPSCOPE_TEST_CORRUPT_NODE=$target "$bin" bisect --inputs "$in" --variant ovf=cpu:test-blame-overflow:fp16 \
  --max-builds 2 > "$tmp/s.txt" 2>&1
check "bisect --max-builds stops with a note" "grep -q 'stopped after [0-9]* builds (--max-builds 2)' '$tmp/s.txt'"
exit $fail
