#!/usr/bin/env bash
# Compares tensorgrad with itself: the benchmark programs of two builds (say, before and after a
# change), run alternately on one pinned core so that both see the same machine, and printed as a
# markdown table of medians with their ratio.
#
#   bench/compare_builds.sh BEFORE_BUILD AFTER_BUILD [ROUNDS]
#
# Each build directory must hold the bench_*_tg programs (configure with -DTG_BUILD_BENCH=ON and
# build the `benchmarks` target, or just the four bench_*_tg targets). Every round runs each
# program of each build once with REPS repetitions (default 5) and takes Google Benchmark's median
# CPU time; the table shows the median over ROUNDS rounds (default 5). The MLP runs on one thread.
set -euo pipefail

before=${1:?usage: compare_builds.sh BEFORE_BUILD AFTER_BUILD [ROUNDS]}
after=${2:?usage: compare_builds.sh BEFORE_BUILD AFTER_BUILD [ROUNDS]}
rounds=${3:-5}
reps=${REPS:-5}
programs=(bench_widenet bench_small_ops bench_elementwise bench_mlp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pin() { if command -v taskset > /dev/null; then taskset -c 0 "$@"; else "$@"; fi; }
export BENCH_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for p in "${programs[@]}"; do
    for side in before after; do
      dir=$before
      [[ $side == after ]] && dir=$after
      pin "$dir/bench/${p}_tg" --benchmark_repetitions="$reps" \
        --benchmark_report_aggregates_only=true --benchmark_format=json \
        > "$tmp/${side}_${p}_$r.json" 2> /dev/null
    done
  done
done

/usr/bin/env python3 - "$tmp" "$rounds" <<'EOF'
import glob, json, statistics, sys

folder, rounds = sys.argv[1], int(sys.argv[2])
times = {}  # (side, benchmark) -> [median cpu time of each round, in ns]
for path in glob.glob(folder + "/*.json"):
    side = path.rsplit("/", 1)[1].split("_", 1)[0]
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        times.setdefault((side, b["run_name"]), []).append(b["cpu_time"] * scale)

def fmt(ns):
    for unit, s in (("ms", 1e6), ("µs", 1e3)):
        if ns >= s:
            return f"{ns / s:.2f} {unit}"
    return f"{ns:.1f} ns"

names = sorted({n for _, n in times})
print(f"| benchmark | before | after | after / before |")
print(f"|---|---:|---:|---:|")
ratios = []
for n in names:
    b, a = statistics.median(times[("before", n)]), statistics.median(times[("after", n)])
    ratios.append(a / b)
    print(f"| {n} | {fmt(b)} | {fmt(a)} | {a / b:.3f} |")
geo = statistics.geometric_mean(ratios)
print(f"\nGeometric mean of after / before over {len(names)} benchmarks: {geo:.3f} "
      f"(medians of {rounds} alternating rounds, one pinned core)")
EOF
