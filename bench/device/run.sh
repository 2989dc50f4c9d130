#!/bin/bash
# Runs on a machine without Debian's packages (the `device` machine: 16 cores, libtorch in its Python
# wheel), from the folder bench/device/pack.sh made: tensorgrad's benchmark programs as built
# here, side by side with libtorch compiled there against the wheel's headers. The MLP step and the
# convolution steps at 1/4/8/16 threads, WideNet and its parts and the small ops at 1 thread (and
# WideNet's profile where perf is installed), the CPU an idle process burns, tensorgrad's MLP with
# OPENBLAS_CORETYPE=Prescott, and the MLP's sgemm calls alone through OpenBLAS's kernels and BLIS.
# Everything goes to $OUT/log.txt (and the JSON files to $OUT/json.tar.gz). If libtorch does not
# compile, the tensorgrad side still runs and the compiler's messages are printed.
#
# Environment: OUT (default /tmp/devout), REPS (repetitions, default 5), MINT (Google Benchmark's
# minimum time per repetition, default 0.2 s), TORCH_PREFIX or TORCH_INC/TORCH_LIB (libtorch's
# headers and libraries; default: the installed Python torch).
set -u
D=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-/tmp/devout}
mkdir -p "$OUT" "$D/tbin" "$D/json"
exec > >(tee "$OUT/log.txt") 2>&1
cd "$D"
T0=$(date +%s)
el() { echo "[+$(($(date +%s) - T0))s] $*"; }
[[ -f libs.tar.xz ]] && tar xJf libs.tar.xz -C lib
export LD_LIBRARY_PATH=$D/lib
REPS=${REPS:-5}
MINT=${MINT:-0.2}
NCPU=$(nproc)

el "== machine"
lscpu | grep -E "Model name|^CPU\(s\)|Thread\(s\)|Core\(s\)|Socket|NUMA node\(s\)|L2|L3|MHz" 
grep -m1 "cpu family" /proc/cpuinfo; grep -m1 -E "^model\s" /proc/cpuinfo
grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E "avx|amx|fma" | tr '\n' ' '; echo
uptime
el "== tensorgrad show_config (normal, then OPENBLAS_CORETYPE=Prescott)"
BENCH_SHOW_CONFIG=1 bin/bench_mlp_tg --benchmark_filter=none
OPENBLAS_CORETYPE=Prescott BENCH_SHOW_CONFIG=1 bin/bench_mlp_tg --benchmark_filter=none
echo "ldd check:"; ldd bin/bench_mlp_tg | grep -i "not found"

# ---- libtorch side, compiled here against the wheel's headers (in the background while nothing
# is timed; every timing starts after it ends).
TP=${TORCH_PREFIX:-$(python3 -c 'import torch, os; print(torch.__path__[0])' 2>/dev/null)}
TINC=${TORCH_INC:-$TP/include}
TLIB=${TORCH_LIB:-$TP/lib}
CXX=$(command -v g++ || command -v c++ || command -v clang++)
el "== compiling libtorch benches with $CXX against $TINC"
python3 -c 'import torch; print("torch", torch.__version__)' 2>&1 | tail -1
ABI=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)
torch_ok=0
pids=()
if [[ -n $CXX && -d $TINC ]]; then
  ln -sf libbenchmark.so.1debian lib/libbenchmark.so
  for b in mlp conv widenet small_ops widenet_parts; do
    timeout 200 "$CXX" -O2 -std=c++20 -w -D_GLIBCXX_USE_CXX11_ABI=$ABI -DTG_BENCH_LIBTORCH \
      -Iinc -isystem "$TINC" -isystem "$TINC/torch/csrc/api/include" "src/$b.cpp" \
      -o "tbin/bench_${b}_torch" -Llib -lbenchmark -L"$TLIB" -Wl,--no-as-needed -ltorch_cpu -lc10 \
      -Wl,-rpath,"$TLIB" -lpthread > "tbin/$b.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"  # not a plain wait: that would also wait for the tee behind the exec above
  for b in mlp conv widenet small_ops widenet_parts; do
    if [[ -x tbin/bench_${b}_torch ]]; then torch_ok=1; else
      echo "libtorch compile of $b FAILED:"; tail -30 "tbin/$b.log"; fi
  done
else
  echo "no compiler ($CXX) or no libtorch headers ($TINC): tensorgrad side only"
fi
el "compile done (torch_ok=$torch_ok)"
[[ $torch_ok == 1 ]] && BENCH_SHOW_CONFIG=1 tbin/bench_mlp_torch --benchmark_filter=none 2>&1 | head -40

TS=(); command -v taskset > /dev/null && TS=(taskset -c)
run() {  # run NAME THREADS CPUS PROGRAM [env...]: one benchmark program, summary lines printed
  local name=$1 n=$2 cpus=$3 prog=$4
  shift 4
  [[ -x $prog ]] || { echo "$name: $prog missing"; return; }
  env BENCH_THREADS=$n OMP_NUM_THREADS=$n OPENBLAS_NUM_THREADS=$n MKL_NUM_THREADS=$n "$@" \
    timeout 120 "${TS[@]}" ${TS[@]:+"$cpus"} "$prog" --benchmark_repetitions=$REPS \
    --benchmark_min_time=$MINT --benchmark_report_aggregates_only=true \
    --benchmark_out="json/$name.json" --benchmark_out_format=json 2>&1 |
    awk -v n="$name" '/_median|_mean|_cv/ { print n ": " $0 }'
}
last() { [[ $1 -le $NCPU ]] && echo "0-$(($1 - 1))"; }

el "== 1 thread: WideNet, small ops, MLP (tensorgrad, libtorch)"
run tg_widenet 1 0 bin/bench_widenet_tg
run torch_widenet 1 0 tbin/bench_widenet_torch
run tg_small_ops 1 0 bin/bench_small_ops_tg
run torch_small_ops 1 0 tbin/bench_small_ops_torch
run tg_mlp_1t 1 0 bin/bench_mlp_tg
run tg_mlp_1t_prescott 1 0 bin/bench_mlp_tg OPENBLAS_CORETYPE=Prescott
run torch_mlp_1t 1 0 tbin/bench_mlp_torch
for n in 4 8 16; do
  cpus=$(last $n) || continue
  el "== MLP, $n threads on CPUs $cpus"
  run tg_mlp_${n}t $n "$cpus" bin/bench_mlp_tg
  run torch_mlp_${n}t $n "$cpus" tbin/bench_mlp_torch
done
for n in 1 4 8 16; do
  cpus=$(last $n) || continue
  el "== convolution steps (LeNet, ResNet block, DCGAN generator), $n threads on CPUs $cpus"
  run tg_conv_${n}t $n "$cpus" bin/bench_conv_tg
  run torch_conv_${n}t $n "$cpus" tbin/bench_conv_torch
done
el "== CPU used by tensorgrad's MLP process at 16 threads, per step (user+sys, /usr/bin/time or bash's times)"
cpus=$(last 16) && { time BENCH_THREADS=16 "${TS[@]}" ${TS[@]:+"$cpus"} bin/bench_mlp_tg \
  --benchmark_repetitions=1 --benchmark_min_time=1 2>&1 | grep -E "mlp_step"; }
if command -v perf > /dev/null; then
  el "== perf profile of tensorgrad's WideNet epoch, 1 thread"
  BENCH_THREADS=1 perf record -q -o "$OUT/widenet.perf" "${TS[@]}" ${TS[@]:+0} bin/bench_widenet_tg \
    --benchmark_min_time=2 > /dev/null 2>&1 &&
    perf report -q -i "$OUT/widenet.perf" --no-children --sort dso,symbol 2> /dev/null | head -30 |
      cut -c1-160
  rm -f "$OUT/widenet.perf"
fi
el "== tensorgrad MLP, 16 threads, OPENBLAS_CORETYPE=Prescott"
cpus=$(last 16) && run tg_mlp_16t_prescott 16 "$cpus" bin/bench_mlp_tg OPENBLAS_CORETYPE=Prescott
el "== diagnostics: WideNet with tensorgrad's vector code capped at AVX2; MLP with OpenBLAS's own (SSE3) kernels, as before the change; MLP with SkylakeX kernels"
run tg_widenet_avx2 1 0 bin/bench_widenet_tg TG_CPU_CAPABILITY=avx2
run tg_widenet_parts 1 0 bin/bench_widenet_parts_tg
run torch_widenet_parts 1 0 tbin/bench_widenet_parts_torch
run tg_widenet_parts_avx2 1 0 bin/bench_widenet_parts_tg TG_CPU_CAPABILITY=avx2
run tg_mlp_1t_prescott_forced 1 0 bin/bench_mlp_tg TG_BLAS_CORETYPE=Prescott
run tg_mlp_1t_skylakex 1 0 bin/bench_mlp_tg TG_BLAS_CORETYPE=SkylakeX
el "== the MLP's eight sgemm calls alone (best of 15): OpenBLAS cores, BLIS 0.9 (Debian, its own CPU detection)"
for c in Prescott Haswell SkylakeX Cooperlake; do
  echo -n "openblas $c 1t: "; OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$c "${TS[@]}" ${TS[@]:+0} bin/gb_openblas
done
echo -n "blis 1t: "; BLIS_ARCH_DEBUG=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 "${TS[@]}" ${TS[@]:+0} bin/gb_blis 2>&1 | tr '\n' ' '; echo
if [[ $NCPU -ge 16 ]]; then
  for c in Prescott SkylakeX Cooperlake; do
    echo -n "openblas $c 16t: "; OPENBLAS_NUM_THREADS=16 OPENBLAS_CORETYPE=$c "${TS[@]}" ${TS[@]:+0-15} bin/gb_openblas
  done
  echo -n "blis 16t: "; BLIS_NUM_THREADS=16 OMP_NUM_THREADS=16 "${TS[@]}" ${TS[@]:+0-15} bin/gb_blis
fi
el "== repeat 1-thread WideNet and MLP (drift check)"
run tg_widenet_b 1 0 bin/bench_widenet_tg
run torch_widenet_b 1 0 tbin/bench_widenet_torch
run tg_mlp_1t_b 1 0 bin/bench_mlp_tg
run torch_mlp_1t_b 1 0 tbin/bench_mlp_torch
uptime
tar czf "$OUT/json.tar.gz" json tbin/*.log 2>/dev/null
el "done"
