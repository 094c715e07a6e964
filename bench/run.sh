#!/usr/bin/env bash
# End-to-end latency of flipscope against ONNX Runtime (CPU EP) on every benchmark model, batch size and
# thread count; writes bench/out/results.{json,md}. Measures only: never asserts a speed.
#
# usage: bench/run.sh [--quick] [--models A,B] [--batches 1,8] [--threads 1,2] [--repeat N] [--warmup N]
#                     [--backend B] [--passes 'P1;P2'] [--precision X] [--out DIR] [--list] [--help]
# --passes takes one or more optimizer pipelines separated by ';' (default 'O0;O2;O3'): each is timed
# per configuration, against one ONNX Runtime measurement.
# Every flag has an environment variable (BENCH_MODELS, BENCH_BATCHES, BENCH_THREADS, BENCH_REPEAT,
# BENCH_WARMUP, FLIPSCOPE_BACKEND, BENCH_PASSES, BENCH_PRECISION, BENCH_OUT); also FLIPSCOPE (the binary), FLIPSCOPE_SHARED (the shared
# folder, default ../shared beside the checkout) and BENCH_TIMEOUT (seconds per measurement).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

models=${BENCH_MODELS:-all}
batches=${BENCH_BATCHES:-1,8}
threads=${BENCH_THREADS:-1,2}
repeat=${BENCH_REPEAT:-30}
warmup=${BENCH_WARMUP:-5}
backend=${FLIPSCOPE_BACKEND:-cpu}
passes=${BENCH_PASSES:-O0;O2;O3}
precision=${BENCH_PRECISION:-fp32}
out=${BENCH_OUT:-$here/out}
flipscope=${FLIPSCOPE:-$root/${BUILD:-build}/flipscope}
shared=${FLIPSCOPE_SHARED:-$root/../shared}
per_run_timeout=${BENCH_TIMEOUT:-1800}
list_only=0

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --quick) models=mobilenet_v1_0.25_128 batches=1 threads=1 repeat=3 warmup=1 ;;
    --models) models=$2; shift ;;
    --batches) batches=$2; shift ;;
    --threads) threads=$2; shift ;;
    --repeat) repeat=$2; shift ;;
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
        if [ $have_flipscope = 1 ]; then
          IFS=';' read -ra pipelines <<< "$passes"
          for p in "${pipelines[@]}"; do
            run_one "fs:$p" "$tag" "$flipscope" profile "$path" \
              --backend "$backend" --passes "$p" --precision "$precision" \
              --threads "$t" --batch "$b" --warmup "$warmup" --repeat "$repeat" --json "$tag.fs:$p.json"
          done
        fi
        if [ $have_ort = 1 ]; then
          run_one ort "$tag" node "$here/ort_bench.js" "$path" \
            --threads "$t" --batch "$b" --warmup "$warmup" --repeat "$repeat"
        fi
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$path" "$b" "$t" "$tag" "$skip" >> "$manifest"
    done
  done
done <<< "$selected"

# --- the table: bench/out/results.json and results.md -------------------------------------------------
# OPENBLAS_CORETYPE overrides OpenBLAS's kernel choice (flipscope's GEMMs), so a run that sets it says so.
meta=$(printf '{"flipscope_backend": "%s", "passes": "%s", "precision": "%s", "warmup": %s, "repeat": %s, "ort_version": "%s", "openblas_coretype": "%s", "cpus": %s, "cpu_model": "%s", "load_average_end": "%s", "commit": "%s", "date": "%s"}' \
  "$backend" "$passes" "$precision" "$warmup" "$repeat" "${ort_version:-}" "${OPENBLAS_CORETYPE-(not set)}" "$(nproc)" \
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

rows = []
pipelines = meta["passes"].split(";")
for line in open(manifest):
    model, path, batch, threads, tag, skip = line.rstrip("\n").split("\t")
    ort, ort_err = (None, None) if skip else load(tag, "ort")
    for p in pipelines:
        row = {"model": model, "path": path, "batch": int(batch), "threads": int(threads), "passes": p,
               "precision": meta["precision"], "flipscope_median_ms": None, "flipscope_p90_ms": None,
               "flipscope_gflops": None, "total_flops": None, "ort_median_ms": None, "ort_p90_ms": None,
               "ratio": None, "notes": []}
        if skip:
            row["notes"].append("skipped: " + skip)
        else:
            fs, fs_err = load(tag, "fs:" + p)
            if fs:
                row.update(flipscope_median_ms=fs["median_ms"], flipscope_p90_ms=fs["p90_ms"],
                           flipscope_gflops=fs.get("gflops"), total_flops=fs.get("total_flops"))
            elif fs_err:
                row["notes"].append("flipscope failed: " + fs_err)
            if ort:
                row.update(ort_median_ms=ort["median_ms"], ort_p90_ms=ort["p90_ms"])
            elif ort_err:
                row["notes"].append("ort failed: " + ort_err)
            if fs and ort and ort["median_ms"] > 0:
                row["ratio"] = fs["median_ms"] / ort["median_ms"]
        rows.append(row)

with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"meta": meta, "results": rows}, f, indent=2)
    f.write("\n")

def num(v, fmt):
    return "-" if v is None else format(v, fmt)

head = ["model", "batch", "threads", "passes", "flipscope ms", "ORT ms", "flipscope/ORT", "flipscope GFLOP/s", "notes"]
md = [f"flipscope backend `{meta['flipscope_backend']}` vs ONNX Runtime {meta['ort_version'] or '(not run)'} (CPU EP); "
      f"precision {meta['precision']}; median of {meta['repeat']} runs after {meta['warmup']} warm-up; OPENBLAS_CORETYPE {meta['openblas_coretype']}; "
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
