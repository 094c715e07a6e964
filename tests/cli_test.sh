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
echo "cli: $fails problems"
[ "$fails" -eq 0 ]
