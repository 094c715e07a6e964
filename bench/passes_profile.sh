#!/usr/bin/env bash
# Median latency (flipscope profile, cpu backend, batch 1) of every model in ../shared/models under
# O0, O2, O3 and the precision variants, in one run, as a markdown table with ratios to O0.
# Measures only. usage: bench/passes_profile.sh [THREADS] [REPEAT]   (env FLIPSCOPE, FLIPSCOPE_SHARED)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${FLIPSCOPE:-$root/build/flipscope}
shared=${FLIPSCOPE_SHARED:-$root/../shared}
threads=${1:-1} repeat=${2:-20}
variants=("O0 fp32" "O2 fp32" "O3 fp32" "O0 fp16" "O0 bf16" "O0 int8")
printf '| model |'; for v in "${variants[@]}"; do printf ' %s |' "${v/ /\/}"; done; printf '\n|---|'
for v in "${variants[@]}"; do printf -- '---|'; done; printf '\n'
for d in "$shared"/models/*/; do
  m="$d/model.onnx"; [ -f "$m" ] || continue
  printf '| %s |' "$(basename "$d")"
  base=""
  for v in "${variants[@]}"; do
    set -- $v
    ms=$("$bin" profile "$m" --backend cpu --threads "$threads" --passes "$1" --precision "$2" --repeat "$repeat" \
         --warmup 3 2>/dev/null | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' | head -1)
    if [ -z "$ms" ]; then printf ' error |'; continue; fi
    [ -z "$base" ] && base=$ms
    awk -v a="$ms" -v b="$base" 'BEGIN { printf " %s ms (%.2fx) |", a, a / b }'
  done
  printf '\n'
done
echo "(threads=$threads, repeat=$repeat, OpenBLAS core chosen at start-up; fp16/bf16/int8 are numerical emulations on fp32 kernels)"
