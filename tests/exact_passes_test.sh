#!/usr/bin/env bash
# Every exact pass alone, the O1/O2 presets and O2,layout-nhwc (the layout after fusion), on the cpu
# backend: all official conformance cases that pass without passes still pass (expected_pass.txt),
# and every model in ../shared/models still reproduces its source framework's outputs within the fp32 tolerance. Usage: exact_passes_test.sh FLIPSCOPE EXPECTED SHARED
set -u
bin=$1 expected=$2 shared=$3
fail=0
passes=$("$bin" passes | awk '$3 == "exact" {print $1}')
[ -n "$passes" ] || { echo "no exact passes listed"; exit 1; }
for p in $passes O1 O2 O2,layout-nhwc; do
  if ! out=$("$bin" conformance -j2 --backend cpu --passes "$p" --expected "$expected" 2>&1); then
    echo "FAIL conformance --passes $p"; echo "$out" | tail -5; fail=1
  fi
  if [ -d "$shared/models" ]; then
    if ! out=$("$bin" conformance -j2 --backend cpu --passes "$p" "$shared/models" 2>&1) || ! echo "$out" | grep -q ' 0 failed'; then
      echo "FAIL shared models --passes $p"; echo "$out" | tail -5; fail=1
    fi
  fi
  echo "ok $p"
done
exit $fail
