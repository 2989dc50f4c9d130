#!/usr/bin/env bash
# Data-parallel scaling on this machine: the convnet's training throughput with 1 process x 1
# thread, 1 process x 2 threads, 2 ranks x 1 thread (each rank bound to its own core) and, for
# the scaling model of docs/distributed.md, 4 ranks oversubscribed on the two cores; then the
# bucket allreduce sweep on 2 and 4 ranks. Every configuration runs ROUNDS times, interleaved, so
# that a change in the machine's load hits them all; compare medians.
#
#   bench/distributed.sh [BUILD_DIR] [ROUNDS] [STEPS]   (BUILD_DIR: a build with
#                                                        -DTG_BUILD_BENCH=ON, bench_distributed built)
set -euo pipefail
build=${1:-build-bench}
rounds=${2:-3}
steps=${3:-20}
prog=$build/bench/bench_distributed
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mpi=(mpirun --oversubscribe -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  taskset -c 0 "$prog" train 64 "$steps" 1
  taskset -c 0,1 "$prog" train 64 "$steps" 2
  # Each rank on its own core (cores 0 and 1 of the taskset).
  taskset -c 0,1 "${mpi[@]}" -np 2 --bind-to core "$prog" train 64 "$steps" 1
  # Smaller buckets: the first ones start while conv2 and conv1 are still in backward.
  taskset -c 0,1 "${mpi[@]}" -np 2 --bind-to core "$prog" train 64 "$steps" 1 0.25
  taskset -c 0,1 "${mpi[@]}" -np 4 --bind-to none "$prog" train 64 "$steps" 1
done
for np in 2 4; do
  taskset -c 0,1 "${mpi[@]}" -np $np --bind-to none "$prog" allreduce
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
