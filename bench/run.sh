#!/usr/bin/env bash
# End-to-end latency of flipscope against ONNX Runtime (CPU EP) on every benchmark model, batch size and
# thread count; writes bench/out/results.{json,md}. Measures only: never asserts a speed.
#
# usage: bench/run.sh [--quick] [--models A,B] [--batches 1,8] [--threads 1,2] [--repeat N] [--warmup N]
#                     [--rounds K] [--backend B] [--passes 'P1;P2'] [--precision X] [--out DIR] [--list] [--help]
# --rounds K alternates flipscope and ONNX Runtime K times per configuration (default 1) and reports
# the medians over the rounds and the median of the per-round ratios (with its range): on a noisy
# shared machine a single pair can be off by 20 %.
# --passes takes one or more optimizer pipelines separated by ';' (default 'O0;O2;O3'): each is timed
# per configuration, against one ONNX Runtime measurement.
# Every flag has an environment variable (BENCH_MODELS, BENCH_BATCHES, BENCH_THREADS, BENCH_REPEAT, BENCH_ROUNDS,
# BENCH_WARMUP, FLIPSCOPE_BACKEND, BENCH_PASSES, BENCH_PRECISION, BENCH_OUT); also FLIPSCOPE (the binary), FLIPSCOPE_SHARED (the shared
# folder, default ../shared beside the checkout) and BENCH_TIMEOUT (seconds per measurement).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

models=${BENCH_MODELS:-all}
batches=${BENCH_BATCHES:-1,8}
threads=${BENCH_THREADS:-1,2}
repeat=${BENCH_REPEAT:-30}
rounds=${BENCH_ROUNDS:-1}
warmup=${BENCH_WARMUP:-5}
backend=${FLIPSCOPE_BACKEND:-cpu}
passes=${BENCH_PASSES:-O0;O2;O3}
precision=${BENCH_PRECISION:-fp32}
out=${BENCH_OUT:-$here/out}
flipscope=${FLIPSCOPE:-$root/${BUILD:-build}/flipscope}
shared=${FLIPSCOPE_SHARED:-$root/../shared}
per_run_timeout=${BENCH_TIMEOUT:-1800}
list_only=0

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --quick) models=mobilenet_v1_0.25_128 batches=1 threads=1 repeat=3 warmup=1 ;;
    --models) models=$2; shift ;;
    --batches) batches=$2; shift ;;
    --threads) threads=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --backend) backend=$2; shift ;;
    --passes) passes=$2; shift ;;
    --precision) precision=$2; shift ;;
    --out) out=$2; shift ;;
    --list) list_only=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --rounds expects a positive number, got '$rounds'" >&2; exit 2; }
for v in "$repeat" "$warmup"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "bench/run.sh: --repeat/--warmup expect a number, got '$v'" >&2; exit 2; }
done
for v in ${batches//,/ } ${threads//,/ }; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --batches/--threads expect positive numbers, got '$v'" >&2; exit 2; }
done

problems=()  # missing prerequisites: reported at the end, make the exit status 1

# --- the model list: id<TAB>path, in run order -------------------------------------------------------
torchvision_ids=(resnet50 densenet121 inception_v3)
all_models() {
  if [ -d "$shared/models" ]; then
    for d in "$shared"/models/*/; do
      name=$(basename "$d")
      [ -f "$d/model.onnx" ] && printf '%s\t%s\n' "$name" "$d"model.onnx
      [ -f "$d/model-int8.onnx" ] && printf '%s\t%s\n' "$name:int8" "$d"model-int8.onnx
    done
  fi
  for name in "${torchvision_ids[@]}"; do printf '%s\t%s\n' "$name" "$here/models/$name/model.onnx"; done
}

if [ "$list_only" = 1 ]; then all_models | cut -f1; exit 0; fi
[ -d "$shared/models" ] || problems+=("shared models not found: $shared/models (set FLIPSCOPE_SHARED)")

selected=$(all_models)
if [ "$models" != all ]; then
  selected=""
  for want in ${models//,/ }; do
    line=$(all_models | awk -F'\t' -v w="$want" '$1 == w')
    if [ -z "$line" ]; then
      echo "bench/run.sh: unknown model '$want'; known: $(all_models | cut -f1 | paste -sd' ')" >&2
      [ -d "$shared/models" ] || echo "bench/run.sh: shared models not found: $shared/models (set FLIPSCOPE_SHARED)" >&2
      exit 2
    fi
    selected+="$line"$'\n'
  done
fi

# --- prerequisites: each missing one is reported, the other side is still measured --------------------
have_flipscope=1
if [ ! -x "$flipscope" ]; then
  have_flipscope=0
  problems+=("flipscope is not built: $flipscope missing (run: make build)")
fi

have_ort=1
ort_dir="$here/node_modules/onnxruntime-node"
if ! command -v node > /dev/null; then
  have_ort=0
  problems+=("node is not installed: ONNX Runtime was not measured (apt-get install nodejs npm)")
else
  if [ ! -d "$ort_dir" ]; then
    if command -v npm > /dev/null; then
      echo "bench/run.sh: installing onnxruntime-node into bench/node_modules (npm install --ignore-scripts)" >&2
      (cd "$here" && npm install --ignore-scripts --no-audit --no-fund >&2) ||
        echo "bench/run.sh: npm install failed" >&2
    fi
  fi
  if ! check=$(cd "$here" && node -e "
      const ort = require('./node_modules/onnxruntime-node');
      if (!ort.listSupportedBackends().some((b) => b.name === 'cpu')) throw new Error('no cpu backend');
      process.stdout.write(ort.env.versions.node);" 2>&1); then
    have_ort=0
    problems+=("onnxruntime-node unavailable: ONNX Runtime was not measured ($(echo "$check" | grep -m1 -i error); install: cd bench && npm install --ignore-scripts)")
  else
    ort_version=$check
  fi
fi

# The torchvision models are exported on first use (random weights; see bench/export_torchvision.py).
need_export=()
while IFS=$'\t' read -r id path; do
  [ -n "$id" ] || continue
  for t in "${torchvision_ids[@]}"; do [ "$id" = "$t" ] && [ ! -f "$path" ] && need_export+=("$id"); done
done <<< "$selected"
if [ ${#need_export[@]} -gt 0 ]; then
  echo "bench/run.sh: exporting ${need_export[*]} with bench/export_torchvision.py" >&2
  /usr/bin/python3 "$here/export_torchvision.py" "${need_export[@]}" >&2 ||
    problems+=("bench/export_torchvision.py failed: ${need_export[*]} not measured (needs python3-torch, python3-torchvision)")
fi

# --- the measurements: per config, flipscope then ONNX Runtime ----------------------------------------
mkdir -p "$out/raw"
rm -f "$out"/raw/*
manifest="$out/raw/manifest.tsv"
: > "$manifest"
n_models=$(grep -c . <<< "$selected")
n_configs=$(( n_models * $(wc -w <<< "${batches//,/ }") * $(wc -w <<< "${threads//,/ }") ))
echo "bench: $n_models model(s) x batches {$batches} x threads {$threads}, flipscope backend '$backend'," \
  "$warmup warm-up + $repeat timed runs each; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# run_one NAME TAG CMD...: runs one measurement; its result is TAG.NAME.json (written by CMD, or else CMD's
# stdout), its stderr TAG.NAME.err. Prints "median (p90)" or "failed: last line of stderr".
run_one() {
  local name=$1 json=$2.$1.json err=$2.$1.err log=$2.$1.log rc; shift 2
  timeout "$per_run_timeout" "$@" > "$log" 2> "$err"
  rc=$?
  if [ $rc = 0 ]; then
    [ -s "$json" ] || mv "$log" "$json"
    summary=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.2f ms (p90 %.2f)" % (j["median_ms"], j["p90_ms"]))' "$json" 2>&1) ||
      { echo "no JSON result in $json" >> "$err"; rm -f "$json"; summary="failed: no JSON result"; }
  else
    [ $rc = 124 ] && echo "timed out after ${per_run_timeout}s (BENCH_TIMEOUT)" >> "$err"
    rm -f "$json"
    summary="failed: $(grep -v '^[[:space:]]*$' "$err" | tail -n1)"
  fi
  printf '  %-10s %s\n' "$name" "$summary"
}

i=0
while IFS=$'\t' read -r id path; do
  [ -n "$id" ] || continue
  skip=""
  if [ ! -f "$path" ]; then
    skip="model file missing: $path"
  elif [ $have_flipscope = 1 ] && ! info=$("$flipscope" info "$path" 2>&1 > /dev/null); then
    skip="flipscope cannot run this model: ${info#flipscope: error: }"
  fi
  for b in ${batches//,/ }; do
    for t in ${threads//,/ }; do
      i=$((i + 1))
      tag="$out/raw/${id//[:\/]/_}_b${b}_t${t}"
      echo "[$i/$n_configs] $id batch $b, $t thread(s)"
      if [ -n "$skip" ]; then
        echo "  skipped: $skip"
      else
        for ((round = 1; round <= rounds; round++)); do
          rtag=$tag
          [ "$rounds" -gt 1 ] && rtag="$tag.r$round" && echo "  round $round of $rounds"
          if [ $have_flipscope = 1 ]; then
            IFS=';' read -ra pipelines <<< "$passes"
            for p in "${pipelines[@]}"; do
              run_one "fs:$p" "$rtag" "$flipscope" profile "$path" \
                --backend "$backend" --passes "$p" --precision "$precision" \
                --threads "$t" --batch "$b" --warmup "$warmup" --repeat "$repeat" --json "$rtag.fs:$p.json"
            done
          fi
          if [ $have_ort = 1 ]; then
            run_one ort "$rtag" node "$here/ort_bench.js" "$path" \
              --threads "$t" --batch "$b" --warmup "$warmup" --repeat "$repeat"
          fi
        done
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$path" "$b" "$t" "$tag" "$skip" >> "$manifest"
    done
  done
done <<< "$selected"

# --- the table: bench/out/results.json and results.md -------------------------------------------------
# OPENBLAS_CORETYPE overrides OpenBLAS's kernel choice (flipscope's GEMMs), so a run that sets it says so.
meta=$(printf '{"flipscope_backend": "%s", "passes": "%s", "precision": "%s", "warmup": %s, "repeat": %s, "rounds": %s, "ort_version": "%s", "openblas_coretype": "%s", "cpus": %s, "cpu_model": "%s", "load_average_end": "%s", "commit": "%s", "date": "%s"}' \
  "$backend" "$passes" "$precision" "$warmup" "$repeat" "$rounds" "${ort_version:-}" "${OPENBLAS_CORETYPE-(not set)}" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//;s/"//g')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$root" rev-parse --short HEAD 2> /dev/null)" "$(date -u +%FT%TZ)")
python3 - "$manifest" "$out" "$meta" << 'EOF'
import json, os, sys

manifest, out, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

def load(tag, name):
    try:
        with open(f"{tag}.{name}.json") as f:
            return json.load(f), None
    except (OSError, ValueError):
        pass
    try:
        lines = [l.strip() for l in open(f"{tag}.{name}.err") if l.strip()]
        return None, lines[-1] if lines else "no result"
    except OSError:
        return None, None  # not run (prerequisite missing)

def median(v):
    v = sorted(v)
    n = len(v)
    return None if n == 0 else v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

rounds = int(meta.get("rounds", 1))
rows = []
pipelines = meta["passes"].split(";")
for line in open(manifest):
    model, path, batch, threads, tag, skip = line.rstrip("\n").split("\t")
    tags = [tag] if rounds == 1 else [f"{tag}.r{k}" for k in range(1, rounds + 1)]
    orts = [] if skip else [load(t, "ort") for t in tags]
    for p in pipelines:
        row = {"model": model, "path": path, "batch": int(batch), "threads": int(threads), "passes": p,
               "precision": meta["precision"], "flipscope_median_ms": None, "flipscope_p90_ms": None,
               "flipscope_gflops": None, "total_flops": None, "ort_median_ms": None, "ort_p90_ms": None,
               "ratio": None, "ratio_min": None, "ratio_max": None, "rounds": rounds, "notes": []}
        if skip:
            row["notes"].append("skipped: " + skip)
            rows.append(row)
            continue
        fss = [load(t, "fs:" + p) for t in tags]
        ok_fs = [f for f, _ in fss if f]
        ok_ort = [o for o, _ in orts if o]
        # One round: its figures. Several: the median of each figure over the rounds, and the ratio as
        # the median of the rounds' own ratios (each flipscope run against the ORT run beside it).
        if ok_fs:
            row.update(flipscope_median_ms=median([f["median_ms"] for f in ok_fs]),
                       flipscope_p90_ms=median([f["p90_ms"] for f in ok_fs]),
                       total_flops=ok_fs[0].get("total_flops"))
            g = [f.get("gflops") for f in ok_fs if f.get("gflops") is not None]
            row["flipscope_gflops"] = median(g) if g else None
        for f, e in fss:
            if not f and e:
                row["notes"].append("flipscope failed: " + e)
                break
        if ok_ort:
            row.update(ort_median_ms=median([o["median_ms"] for o in ok_ort]),
                       ort_p90_ms=median([o["p90_ms"] for o in ok_ort]))
        for o, e in orts:
            if not o and e:
                row["notes"].append("ort failed: " + e)
                break
        ratios = [f["median_ms"] / o["median_ms"] for (f, _), (o, _) in zip(fss, orts) if f and o and o["median_ms"] > 0]
        if ratios:
            row.update(ratio=median(ratios), ratio_min=min(ratios), ratio_max=max(ratios))
            if rounds > 1:
                row["notes"].append(f"ratio over {len(ratios)} rounds {min(ratios):.2f}-{max(ratios):.2f}")
        rows.append(row)

with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"meta": meta, "results": rows}, f, indent=2)
    f.write("\n")

def num(v, fmt):
    return "-" if v is None else format(v, fmt)

head = ["model", "batch", "threads", "passes", "flipscope ms", "ORT ms", "flipscope/ORT", "flipscope GFLOP/s", "notes"]
md = [f"flipscope backend `{meta['flipscope_backend']}` vs ONNX Runtime {meta['ort_version'] or '(not run)'} (CPU EP); "
      f"precision {meta['precision']}; median of {meta['repeat']} runs after {meta['warmup']} warm-up"
      f"{'' if rounds == 1 else f', {rounds} alternating rounds (medians over the rounds; ratio = median of the rounds ratios)'}; "
      f"OPENBLAS_CORETYPE {meta['openblas_coretype']}; "
      f"{meta['cpus']} x {meta['cpu_model']}; "
      f"commit {meta['commit']}, {meta['date']}; load average at the end {meta['load_average_end']}.", "",
      "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
for r in rows:
    md.append("| " + " | ".join([r["model"], str(r["batch"]), str(r["threads"]), r["passes"], num(r["flipscope_median_ms"], ".2f"),
                                 num(r["ort_median_ms"], ".2f"), num(r["ratio"], ".2f"),
                                 num(r["flipscope_gflops"], ".1f"), "; ".join(r["notes"])]) + " |")
with open(os.path.join(out, "results.md"), "w") as f:
    f.write("\n".join(md) + "\n")

cells = [[r["model"], str(r["batch"]), str(r["threads"]), r["passes"], num(r["flipscope_median_ms"], ".2f"),
          num(r["ort_median_ms"], ".2f"), num(r["ratio"], ".2f"), num(r["flipscope_gflops"], ".1f")] for r in rows]
widths = [max([len(h)] + [len(c[k]) for c in cells]) for k, h in enumerate(head[:-1])]
print()
print("  ".join(h.rjust(w) if k else h.ljust(w) for k, (h, w) in enumerate(zip(head[:-1], widths))))
for r, c in zip(rows, cells):
    line = "  ".join(x.rjust(w) if k else x.ljust(w) for k, (x, w) in enumerate(zip(c, widths)))
    print(line + ("  " + "; ".join(r["notes"]) if r["notes"] else ""))
print(f"\nwritten: {os.path.join(out, 'results.json')}, {os.path.join(out, 'results.md')}")
failed = sum(1 for r in rows if any(n.startswith(("flipscope failed", "ort failed")) for n in r["notes"]))
sys.exit(3 if failed else 0)
EOF
table_rc=$?

status=0
if [ $table_rc = 3 ]; then
  echo "bench/run.sh: some measurements failed (see the notes column and $out/raw/*.err)" >&2
  status=1
elif [ $table_rc != 0 ]; then
  echo "bench/run.sh: could not write the results table (python3 failed)" >&2
  status=1
fi
for p in "${problems[@]}"; do echo "bench/run.sh: $p" >&2; status=1; done
exit $status
