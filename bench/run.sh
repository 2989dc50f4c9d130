#!/usr/bin/env bash
# Runs the small-op benchmarks against tensorgrad and, when it was built, against libtorch: both
# pinned to CPU 0 with one thread, 10 repetitions each, and prints a Markdown table of the median
# CPU times and their ratio.
#
#   bench/run.sh [BUILD_DIR]        (default: build; configure it with -DTG_BUILD_BENCH=ON)
#
# Environment: REPS (repetitions, default 10), FILTER (--benchmark_filter regex, default all).
set -euo pipefail

build=${1:-build}
reps=${REPS:-10}
filter=${FILTER:-.}
dir="$build/bench"
results="$dir/results"

tg_bin="$dir/bench_small_ops_tg"
torch_bin="$dir/bench_small_ops_torch"
if [[ ! -x $tg_bin ]]; then
  echo "run.sh: $tg_bin not found; configure with -DTG_BUILD_BENCH=ON and build first" >&2
  exit 1
fi
mkdir -p "$results"

# One thread everywhere, whatever the libraries would pick by themselves.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
pin=()
if command -v taskset > /dev/null; then pin=(taskset -c 0); fi

run() {  # run BINARY CSV_OUT
  echo "running $(basename "$1") (${reps} repetitions)..." >&2
  "${pin[@]}" "$1" --benchmark_filter="$filter" --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$2" --benchmark_out_format=csv > "$2.console" 2>&1
}

run "$tg_bin" "$results/tensorgrad.csv"
have_torch=0
if [[ -x $torch_bin ]]; then
  run "$torch_bin" "$results/libtorch.csv"
  have_torch=1
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo 2> /dev/null | cut -d: -f2 | sed 's/^ *//' || true)
echo
echo "Small-op overhead, 8-element float32 tensors: median CPU time per iteration over ${reps}" \
  "repetitions, one thread${pin:+, pinned to CPU 0}${cpu:+, $cpu}."
echo

# The CSV rows look like: "fwd_add_median",1000,52.1,52.0,ns,...
awk -F, -v have_torch="$have_torch" '
  function key(s) { gsub(/"/, "", s); return s }
  FNR == 1 { file++ }
  {
    name = key($1)
    if (name !~ /_median$/) next
    sub(/_median$/, "", name)
    if (file == 1) { order[++n] = name; tg[name] = $4; unit = $5 }
    else torch[name] = $4
  }
  END {
    if (have_torch) {
      print "| benchmark | tensorgrad (" unit ") | libtorch (" unit ") | libtorch / tensorgrad |"
      print "|---|---:|---:|---:|"
    } else {
      print "| benchmark | tensorgrad (" unit ") |"
      print "|---|---:|"
    }
    for (i = 1; i <= n; i++) {
      b = order[i]
      if (have_torch && (b in torch))
        printf "| %s | %.1f | %.1f | %.2f |\n", b, tg[b], torch[b], torch[b] / tg[b]
      else if (have_torch)
        printf "| %s | %.1f | - | - |\n", b, tg[b]
      else
        printf "| %s | %.1f |\n", b, tg[b]
    }
  }' "$results/tensorgrad.csv" $([[ $have_torch == 1 ]] && echo "$results/libtorch.csv")

echo
echo "A ratio above 1 means tensorgrad is faster. Raw results: $results/"
