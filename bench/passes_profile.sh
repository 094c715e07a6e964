#!/usr/bin/env bash
# Median latency (flipscope profile, cpu backend, batch 1) of every model in ../shared/models under
# O0, O2, O3 and the precision variants, in one run, as a markdown table with ratios to O0.
# Measures only. usage: bench/passes_profile.sh [THREADS] [REPEAT]   (env FLIPSCOPE, FLIPSCOPE_SHARED, and
# PROFILE_VARIANTS: ';'-separated "PASSES PRECISION" pairs, default below)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${FLIPSCOPE:-$root/build/flipscope}
shared=${FLIPSCOPE_SHARED:-$root/../shared}
threads=${1:-1} repeat=${2:-20}
IFS=';' read -ra variants <<< "${PROFILE_VARIANTS:-O0 fp32;O2 fp32;O3 fp32;O2 fp16;O2 bf16;O2 int8}"
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
echo "(cpu backend, batch 1, threads=$threads, median of $repeat runs after 3 warm-up; ratios to the first column; load average $(cut -d' ' -f1-3 /proc/loadavg))"
