#!/usr/bin/env bash
# A small study's report.html loads in headless Chromium without console errors and shows its charts.
# Usage: report_html_test.sh FLIPSCOPE. Exit 77 (skip) only when chromium is missing and
# FLIPSCOPE_REQUIRE_CHROMIUM is unset.
set -euo pipefail
fs="$1"
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  if [ -n "${FLIPSCOPE_REQUIRE_CHROMIUM:-}" ]; then echo "FAIL: chromium not found"; exit 1; fi
  echo "skip: chromium not found"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
assets="$(dirname "$0")/../diff/assets/fashion_mnist"
idx=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
if [ -f "$idx" ]; then src=(--images "$idx" --limit 50 --classes "$assets/classes.txt"); else src=(--images "$assets/test_data_set_0/input_0.pb"); fi
"$fs" study "${src[@]}" --cache "$tmp/cache" --out "$tmp/out" --quiet \
  --variant base=cpu:O0:fp32 --variant ref=reference:O0:fp32 --variant missing=cpu:no-such-pass:fp32
"$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
  --dump-dom "file://$tmp/out/report.html" > "$tmp/dom.html" 2> "$tmp/stderr.txt" || true
fail() { echo "FAIL: $*"; echo "--- chromium stderr"; cat "$tmp/stderr.txt"; exit 1; }
grep -q 'data-ok="1"' "$tmp/dom.html" || fail "the page did not finish rendering (no body data-ok=1)"
for id in chart-flip-rate chart-accuracy chart-time chart-margins; do
  grep -q "id=\"$id\"" "$tmp/dom.html" || fail "no svg #$id in the DOM"
done
grep -q 'id="flips"' "$tmp/dom.html" || fail "no flips table"
grep -q 'no-such-pass' "$tmp/dom.html" || fail "the failed variant is not reported"
if grep -E 'Uncaught|CONSOLE\(|console error' "$tmp/stderr.txt"; then fail "console errors"; fi
if grep -Eo '(src|href)="https?://' "$tmp/out/report.html"; then fail "the report loads something from the network"; fi
echo "ok: report.html rendered with 4 charts, no console errors"
