#!/usr/bin/env bash
# CLI contract: every subcommand has --help, --version names the linked libraries, errors go to
# stderr with exit 1 (bad input) or 2 (bad model) and never a signal.
set -u
fs=${1:?usage: cli_test.sh FLIPSCOPE}
fails=0
check() { # name, expected rc, command...
  local name=$1 want=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ]; then echo "FAIL $name: exit $rc, expected $want: $out"; fails=$((fails + 1)); fi
}
contains() { # name, needle, command...
  local name=$1 needle=$2; shift 2
  local out; out=$("$@" 2>&1)
  if ! grep -q -- "$needle" <<<"$out"; then echo "FAIL $name: output lacks '$needle': $out"; fails=$((fails + 1)); fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check "no subcommand" 1 "$fs"
check "unknown flag" 1 "$fs" info --no-such-flag x.onnx
check "version" 0 "$fs" --version
contains "version libs" "onnx 1.12" "$fs" --version
for sub in $("$fs" --help | awk '/^SUBCOMMANDS:/{f=1;next} f&&NF{print $1}'); do
  check "$sub --help" 0 "$fs" "$sub" --help
  contains "$sub --help usage" "Usage" "$fs" "$sub" --help
done
check "missing model" 1 "$fs" info "$tmp/none.onnx"
contains "missing model message" "none.onnx: cannot open" "$fs" info "$tmp/none.onnx"
printf 'garbage' >"$tmp/g.onnx"
check "garbage model" 2 "$fs" info "$tmp/g.onnx"
contains "garbage model message" "not a valid ONNX model" "$fs" info "$tmp/g.onnx"
check "unknown backend" 1 "$fs" conformance --backend nosuch /usr/share/libonnx-testdata/data/node/test_relu
contains "unknown backend message" "unknown backend 'nosuch'" "$fs" conformance --backend nosuch /usr/share/libonnx-testdata/data/node/test_relu
# profile: JSON summary, Chrome trace and CSV are written and well formed; --compare reads them back.
m=/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx
check "profile" 0 "$fs" profile "$m" --backend reference --warmup 1 --repeat 3 --json "$tmp/a.json" --trace "$tmp/t.json" --csv "$tmp/l.csv"
/usr/bin/python3 - "$tmp" <<'PY' || { echo "FAIL profile outputs"; fails=$((fails + 1)); }
import json, sys, csv
d = sys.argv[1]
a = json.load(open(d + "/a.json"))
assert a["median_ms"] > 0 and a["p90_ms"] >= a["median_ms"] * 0.5 and len(a["layers"]) == 1, a
assert a["layers"][0]["op"] == "Conv" and a["layers"][0]["flops"] > 0
t = json.load(open(d + "/t.json"))
assert any(e.get("ph") == "X" and e.get("cat") == "Conv" for e in t["traceEvents"])
rows = list(csv.DictReader(open(d + "/l.csv")))
assert rows[0]["op"] == "Conv"
PY
contains "profile compare" "end to end" "$fs" profile --compare "$tmp/a.json" "$tmp/a.json"
check "profile compare bad file" 1 "$fs" profile --compare "$tmp/l.csv" "$tmp/a.json"
echo "cli: $fails problems"
[ "$fails" -eq 0 ]
