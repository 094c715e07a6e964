#!/usr/bin/env bash
# flipscope optimize writes the rewritten graph as ONNX; loading it back gives exactly the
# outputs of the in-memory pipeline, keeps the fused and blocked-layout ops and the provenance; bad pass names fail
# with exit 1 and the list of valid names; `passes --json` lists every pass.
set -u
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
in="$here/diff/assets/fashion_mnist/test_data_set_0/input_0.pb"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
"$bin" optimize default --passes O3 --precision fp16 -o "$tmp/m.onnx" || fail=1
"$bin" run "$tmp/m.onnx" --input "$in" --backend cpu --top 5 | tail -n +2 > "$tmp/a.txt"
"$bin" run default --input "$in" --backend cpu --passes O3 --precision fp16 --top 5 | tail -n +2 > "$tmp/b.txt"
check "reloaded graph computes the same outputs" "cmp -s '$tmp/a.txt' '$tmp/b.txt' && [ -s '$tmp/a.txt' ]"
"$bin" info "$tmp/m.onnx" > "$tmp/info.txt"
check "fused ops survive the round trip" "grep -q 'flipscope.FusedConv' '$tmp/info.txt'"
check "provenance is stored" "grep -aq 'flipscope.provenance/' '$tmp/m.onnx'"
# O2 in fp32 puts a region of the default model in the blocked layout (layout-nchwc).
"$bin" optimize default --passes O2 -o "$tmp/b.onnx" || fail=1
"$bin" run "$tmp/b.onnx" --input "$in" --backend cpu --top 5 | tail -n +2 > "$tmp/c.txt"
"$bin" run default --input "$in" --backend cpu --passes O2 --top 5 | tail -n +2 > "$tmp/d.txt"
check "blocked layout: reloaded graph computes the same outputs" "cmp -s '$tmp/c.txt' '$tmp/d.txt' && [ -s '$tmp/c.txt' ]"
"$bin" info "$tmp/b.onnx" > "$tmp/binfo.txt"
check "blocked layout ops survive the round trip" "grep -q 'flipscope.NchwcConv' '$tmp/binfo.txt' && grep -q 'flipscope.ToNchwc' '$tmp/binfo.txt'"
"$bin" run default --input "$in" --passes O2,fuse-everything > "$tmp/out.txt" 2>&1; rc=$?
check "unknown pass: exit 1" "[ $rc -eq 1 ]"
check "unknown pass: lists valid names" "grep -q \"unknown pass 'fuse-everything'.*fold-batchnorm\" '$tmp/out.txt'"
"$bin" passes --json > "$tmp/p.json"
check "passes --json lists passes and presets" "grep -q '\"name\": \"winograd-conv3x3\"' '$tmp/p.json' && grep -q '\"O3\"' '$tmp/p.json'"
"$bin" optimize default --precision int8 -o "$tmp/i.onnx" > "$tmp/i.txt" 2>&1; rc=$?
check "int8 without calibration inputs: exit 1 with a reason" "[ $rc -eq 1 ] && grep -q 'calibrate' '$tmp/i.txt'"
"$bin" optimize default --precision int8 --calibrate "$in" -o "$tmp/i.onnx" > /dev/null
check "int8 with calibration inputs" "grep -aq QuantizeLinear '$tmp/i.onnx'"
exit $fail
