#!/usr/bin/env bash
# `flipscope study --resume` after a kill -9: the per-input outcomes equal an uninterrupted run's.
# Usage: study_resume_test.sh FLIPSCOPE
set -euo pipefail
fs="$1"
idx=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
[ -f "$idx" ] || { echo "skip: $idx missing (Debian dataset-fashion-mnist)"; exit 77; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
args=(study --images "$idx" --limit 300 --cache off --quiet --variant base=cpu:O0:fp32 --variant ref=reference:O0:fp32)

"$fs" "${args[@]}" --out "$tmp/full"

"$fs" "${args[@]}" --out "$tmp/killed" &
pid=$!
# Wait until some records exist (header + at least 40 lines), then kill -9 mid-study.
for _ in $(seq 1 600); do
  n=$( (wc -l < "$tmp/killed/records.jsonl") 2>/dev/null || echo 0)
  [ "$n" -ge 41 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || { echo "FAIL: the study ended before it could be killed (make --limit larger)"; exit 1; }
wait "$pid" 2>/dev/null || true
pid=""
before=$(wc -l < "$tmp/killed/records.jsonl")
[ ! -f "$tmp/killed/results.json" ] || { echo "FAIL: results.json written by a killed study"; exit 1; }
"$fs" "${args[@]}" --out "$tmp/killed" --resume
python3 - "$tmp/full/results.json" "$tmp/killed/results.json" "$before" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["inputs"] == b["inputs"], "per-input outcomes differ after --resume"
assert len(a["inputs"]) == 300, len(a["inputs"])
for va, vb in zip(a["variants"], b["variants"]):
    for k in ("flips", "flip_list", "accuracy", "max_abs", "kl_max", "inputs"):
        assert va["metrics"][k] == vb["metrics"][k], (va["name"], k)
print(f"ok: killed after {int(sys.argv[3]) - 1} records, resumed; {len(a['inputs'])} inputs identical")
PY
