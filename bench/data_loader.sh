#!/usr/bin/env bash
# Fashion-MNIST epoch throughput of tensorgrad's and libtorch's data loaders, side by side.
#
#   bench/data_loader.sh [BUILD_DIR] [EPOCHS]   (BUILD_DIR: a build with -DTG_BUILD_BENCH=ON and
#                                                the data_loader_tg/_torch targets built)
#
# Unpacks Debian's gzipped Fashion-MNIST once (libtorch reads only uncompressed IDX files), then
# runs each program pinned to the same two CPUs, alternating the libraries three times so that a
# change in the machine's load hits both; prints every run's JSON lines and the load average.
set -euo pipefail
build=${1:-build-bench}
epochs=${2:-5}
src=/usr/share/datasets/fashion-mnist
dir=${TMPDIR:-/tmp}/tg-fashion-mnist-raw
mkdir -p "$dir"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte; do
  [[ -s $dir/$f ]] || gzip -dc "$src/$f.gz" > "$dir/$f"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
  for lib in tg torch; do
    prog=$build/bench/data_loader_$lib
    [[ -x $prog ]] || continue
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0,1 "$prog" "$dir" "$epochs"
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
