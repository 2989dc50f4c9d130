#!/usr/bin/env bash
# Runs the whole benchmark suite against tensorgrad and, when it was built, libtorch, and writes
# bench/results/results.md (the table against the targets) and bench/results/ratios.png.
#
#   bench/run.sh [BUILD_DIR]     (default: build-bench; configure it with -DTG_BUILD_BENCH=ON and
#                                 build the `benchmarks` target first, or use `make bench`)
#
# Speed: every workload runs for one library, then the other, one thread each, pinned to CPU 0;
# Google Benchmark repeats each REPS times and reports the median. The MLP also runs with two
# threads on CPUs 0 and 1 (and with 4, 8 and 16 where the machine has that many CPUs), and once
# more for tensorgrad with OPENBLAS_CORETYPE=Prescott (OpenBLAS's CPU detection defeated).
# Footprint: peak resident memory of a process training WideNet (median of 3), library sizes, and
# the compile time of bench/client.cpp against each library (median of 3). With RUNS > 1 the whole suite runs that many times and the table shows the median over the
# runs, which evens out slow drifts in the machine's load better than more repetitions do. The
# machine should be otherwise idle: the load average is recorded with the results.
#
# Environment: REPS (repetitions, default 10), RUNS (whole-suite runs, default 1), RESULTS
# (output folder, default bench/results).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-build-bench}
reps=${REPS:-10}
runs=${RUNS:-1}
results=${RESULTS:-$here/results}
bin="$build/bench"

if [[ ! -x $bin/bench_widenet_tg || ! -x $bin/bench_report ]]; then
  echo "run.sh: benchmarks not found in $bin; configure $build with -DTG_BUILD_BENCH=ON and" \
    "build the 'benchmarks' target (or run 'make bench')" >&2
  exit 1
fi

libs=(tensorgrad)
suffix() { [[ $1 == tensorgrad ]] && echo tg || echo torch; }
if [[ -x $bin/bench_widenet_torch ]]; then libs+=(libtorch); else
  echo "run.sh: libtorch builds not found; measuring tensorgrad only" >&2
fi
have_torch() { [[ " ${libs[*]} " == *" libtorch "* ]]; }

pin() {  # pin CPUS COMMAND...: taskset when there is one
  local cpus=$1
  shift
  if command -v taskset > /dev/null; then taskset -c "$cpus" "$@"; else "$@"; fi
}
threads() {  # threads N: one setting for every library's thread pool
  export BENCH_THREADS=$1 OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 MKL_NUM_THREADS=$1
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
size() { stat -L -c %s "$1"; }

# One run of the whole suite into the folder $raw.
measure() {
  local raw=$1 lib
  mkdir -p "$raw"
  rm -f "$raw"/*.json "$raw"/*.console "$raw"/*.ldd "$raw/measurements.txt"
  note() { echo "$*" >> "$raw/measurements.txt"; }

  note "date $(date -u '+%Y-%m-%d %H:%M UTC')"
  note "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
    "$(getconf _NPROCESSORS_ONLN) CPUs"
  note "reps $reps"
  note "load_before $(load)"
  echo "load average before: $(load)" >&2
  if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l > 0.5) }'; then
    echo "run.sh: warning: the machine is busy; other work distorts the timings, the 2-thread" \
      "ones most" >&2
  fi

  # ---- speed
  bench() {  # bench PROGRAM OUT_NAME CPUS
    local program=$1 name=$2 cpus=$3 lib
    for lib in "${libs[@]}"; do
      echo "  $program ($lib, BENCH_THREADS=$BENCH_THREADS, CPUs $cpus)..." >&2
      pin "$cpus" "$bin/${program}_$(suffix "$lib")" --benchmark_repetitions="$reps" \
        --benchmark_report_aggregates_only=true --benchmark_out="$raw/${lib}_$name.json" \
        --benchmark_out_format=json > "$raw/${lib}_$name.console" 2>&1
    done
  }
  echo "speed, $reps repetitions each:" >&2
  threads 1
  bench bench_widenet widenet 0
  bench bench_small_ops small_ops 0
  bench bench_elementwise elementwise 0
  bench bench_mlp mlp_1t 0
  if [[ $(getconf _NPROCESSORS_ONLN) -ge 2 ]]; then
    threads 2
    bench bench_mlp mlp_2t 0,1
    # libtorch runs its own ops on OpenMP threads, which by default spin for a while after each
    # parallel region, on the core that OpenBLAS's second thread needs for the next product. The
    # same run with OpenMP's threads sleeping instead shows what libtorch does without that clash.
    if have_torch; then
      echo "  bench_mlp (libtorch, BENCH_THREADS=2, OMP_WAIT_POLICY=PASSIVE, CPUs 0,1)..." >&2
      OMP_WAIT_POLICY=PASSIVE pin 0,1 "$bin/bench_mlp_torch" --benchmark_repetitions="$reps" \
        --benchmark_report_aggregates_only=true \
        --benchmark_out="$raw/libtorch_mlp_2t_passive.json" --benchmark_out_format=json \
        > "$raw/libtorch_mlp_2t_passive.console" 2>&1
    fi
    threads 1
  fi
  # More threads where the machine has the cores (one core per thread, CPUs 0 to N-1).
  local n
  for n in 4 8 16; do
    [[ $(getconf _NPROCESSORS_ONLN) -ge $n ]] || continue
    threads $n
    bench bench_mlp mlp_${n}t "0-$((n - 1))"
  done
  threads 1
  # tensorgrad with OpenBLAS's own CPU detection defeated, as on a processor newer than the
  # OpenBLAS: the step should take the same time, since tensorgrad picks the kernels itself.
  echo "  bench_mlp (tensorgrad, OPENBLAS_CORETYPE=Prescott, BENCH_THREADS=1, CPU 0)..." >&2
  OPENBLAS_CORETYPE=Prescott pin 0 "$bin/bench_mlp_tg" --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$raw/tensorgrad_mlp_1t_prescott.json" --benchmark_out_format=json \
    > "$raw/tensorgrad_mlp_1t_prescott.console" 2>&1
  note "gemm_kernels $(BENCH_SHOW_CONFIG=1 "$bin/bench_mlp_tg" \
    --benchmark_filter=none 2>&1 | awk -F': ' '/GEMM kernels/ { print $2 }' | cut -d' ' -f1)"

  # ---- footprint
  echo "peak memory (WideNet, 1847 epochs, 3 runs each)..." >&2
  local out rss loss
  for lib in "${libs[@]}"; do
    rss=()
    for _ in 1 2 3; do
      out=$(pin 0 "$bin/footprint_$(suffix "$lib")")
      rss+=("$(awk '$1 == "peak_rss_kib" { print $2 }' <<< "$out")")
      loss=$(awk '$1 == "final_loss" { print $2 }' <<< "$out")
    done
    note "$lib.peak_rss_kib $(printf '%s\n' "${rss[@]}" | median)"
    note "$lib.final_loss $loss"
  done

  local tg_lib torch_dir=/usr/lib/x86_64-linux-gnu
  tg_lib=$(find "$build" -maxdepth 1 -name 'libtensorgrad.so.*.*' | head -n1)
  note "tensorgrad.lib_bytes $(size "$tg_lib")"
  if have_torch && [[ -e $torch_dir/libtorch_cpu.so ]]; then
    note "libtorch.lib_bytes $(($(size $torch_dir/libtorch_cpu.so) + $(size $torch_dir/libc10.so) +
      $(size $torch_dir/libtorch.so)))"
  fi

  # Everything the dynamic loader maps for a program that uses the library (the footprint
  # program): the number of shared libraries and their total size, the library itself included.
  for lib in "${libs[@]}"; do
    {
      ldd "$bin/footprint_$(suffix "$lib")" | awk '/=> \// { print $3 }'
      # tensorgrad loads OpenBLAS at run time (dlopen), so ldd does not list it: add it and what
      # it needs, from show_config's account of the file loaded.
      if [[ $lib == tensorgrad ]]; then
        local blas
        blas=$(BENCH_SHOW_CONFIG=1 "$bin/bench_mlp_tg" --benchmark_filter=none 2>&1 |
          awk -F': ' '/BLAS library/ { print $2 }')
        if [[ -n $blas ]]; then
          echo "$blas"
          ldd "$blas" | awk '/=> \// { print $3 }'
        fi
      fi
    } | xargs -r readlink -f | sort -u > "$raw/$lib.ldd"
    note "$lib.closure $(wc -l < "$raw/$lib.ldd")" \
      "$(xargs -r stat -L -c %s < "$raw/$lib.ldd" | awk '{ s += $1 } END { print s }')"
  done

  echo "client compile time (3 runs each)..." >&2
  local tmp flags_file cmd times start end
  tmp=$(mktemp -d)
  for lib in "${libs[@]}"; do
    flags_file="$bin/client_$(suffix "$lib").flags"
    [[ -f $flags_file ]] || continue
    IFS=';' read -r -a cmd < "$flags_file"
    times=()
    for _ in 1 2 3; do
      start=$(date +%s.%N)
      pin 0 "${cmd[@]}" -c "$here/client.cpp" -o "$tmp/client.o"
      end=$(date +%s.%N)
      times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    done
    note "$lib.compile_s $(printf '%s\n' "${times[@]}" | median)"
  done
  rm -rf "$tmp"

  note "load_after $(load)"
  echo "load average after: $(load)" >&2
}

rm -rf "$results/raw"
run_dirs=()
for ((run = 1; run <= runs; run++)); do
  [[ $runs -gt 1 ]] && echo "== run $run of $runs" >&2
  measure "$results/raw/run$run"
  run_dirs+=("$results/raw/run$run")
done
echo >&2

"$bin/bench_report" "$results" "${run_dirs[@]}"
echo
echo "Written: $results/results.md, $results/ratios.png (raw data in $results/raw/)"
