#!/usr/bin/env bash
# Instructions per small op, counted by callgrind, for two tensorgrad builds side by side (say,
# before and after a change). Counts do not move with the machine's load, so on a shared machine
# they show a change of a few percent that wall-clock medians cannot.
#
#   bench/count_instructions.sh BEFORE_BUILD AFTER_BUILD
#
# Each build directory needs libtensorgrad.so. bench/op_instructions.cpp (from this tree) is
# compiled against each build's library and headers, run for 1,000 and 11,000 steps under
# callgrind, and the difference divided by 10,000 is one step's instructions.
set -euo pipefail

before=${1:?usage: count_instructions.sh BEFORE_BUILD AFTER_BUILD}
after=${2:?usage: count_instructions.sh BEFORE_BUILD AFTER_BUILD}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind > /dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

workloads=$(sed -n '/#define SMALL_OPS(X)/,/^$/p' "$here/small_ops.h" | grep -o 'X([a-z_]*)' | sed 's/X(\(.*\))/\1/')

build_driver() {  # build dir -> driver path
  local dir=$(cd "$1" && pwd) src
  src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
  local out="$tmp/driver_$(echo "$dir" | md5sum | cut -c1-8)"
  g++ -std=c++17 -O2 -I"$src/include" -I"$here" "$here/op_instructions.cpp" -o "$out" \
    -L"$dir" -ltensorgrad -lbenchmark -lpthread -Wl,-rpath,"$dir"
  echo "$out"
}

count() {  # driver workload steps -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$2" "$3" 2>&1 > /dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
b=$(build_driver "$before")
a=$(build_driver "$after")
echo "| workload | before | after | after / before |"
echo "|---|---:|---:|---:|"
for w in $workloads; do
  row=()
  for d in "$b" "$a"; do
    small=$(count "$d" "$w" 1000)
    large=$(count "$d" "$w" 11000)
    row+=($(( (large - small) / 10000 )))
  done
  echo "$w ${row[0]} ${row[1]}"
done | awk '{ r = $3 / $2; s += log(r); n++; printf "| %s | %d | %d | %.3f |\n", $1, $2, $3, r }
            END { printf "\nGeometric mean of after / before over %d workloads: %.3f\n", n, exp(s / n) }'
