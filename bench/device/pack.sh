#!/usr/bin/env bash
# Packs what bench/device/run.sh needs on a machine without Debian's packages (the `device` machine
# of docs/performance.md): tensorgrad's benchmark programs from a Release bench build, every shared
# library they load that is not part of the C/C++ runtime (OpenBLAS included, which tensorgrad
# loads at run time), BLIS for comparison when installed, the benchmark sources (the libtorch side
# is compiled on that machine, against its own libtorch) and Google Benchmark's headers.
#
#   bench/device/pack.sh [BUILD_DIR] [DEST]    (defaults: build-bench, .devicerun)
#
# BUILD_DIR must hold bench_{mlp,widenet,small_ops,widenet_parts,conv}_tg. DEST is replaced. Then, on
# the other machine, in the same relative place: `bash DEST/run.sh` (OUT names the results folder).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-build-bench}
dest=${2:-.devicerun}
progs=(bench_mlp_tg bench_widenet_tg bench_small_ops_tg bench_widenet_parts_tg bench_conv_tg)
openblas=$(readlink -f /usr/lib/x86_64-linux-gnu/libopenblas.so.0)

rm -rf "$dest"
mkdir -p "$dest"/{bin,lib,src,inc}
libs=$(mktemp -d)
trap 'rm -rf "$libs"' EXIT
for p in "${progs[@]}"; do cp "$build/bench/$p" "$dest/bin/"; done
cc -O2 "$here/mlp_sgemm.c" -o "$dest/bin/gb_openblas" -lopenblas
deps=("$build"/libtensorgrad.so.0 "$openblas")
if [[ -e /usr/lib/x86_64-linux-gnu/libblis.so.4 ]]; then
  cc -O2 "$here/mlp_sgemm.c" -o "$dest/bin/gb_blis" /usr/lib/x86_64-linux-gnu/libblis.so.4
  deps+=(/usr/lib/x86_64-linux-gnu/libblis.so.4)
fi
# The C and C++ runtimes are left out: the other machine's are as new or newer.
ldd "$dest"/bin/* "${deps[@]}" | awk '/=> \// { print $3 }' | sort -u |
  grep -vE '/(libc|libm|libpthread|libdl|librt|libgcc_s|libstdc\+\+|ld-linux[^/]*)\.so' |
  while read -r f; do cp -L "$f" "$libs/"; done
for f in "${deps[@]}"; do cp -L "$f" "$libs/"; done
mv "$libs/$(basename "$openblas")" "$libs/libopenblas.so.0" 2> /dev/null || true
(cd "$libs" && tar cJf - .) > "$dest/libs.tar.xz"
cp "$here"/../{mlp.cpp,conv.cpp,widenet.cpp,widenet.h,widenet_parts.cpp,small_ops.cpp,small_ops.h,backend.h,bench_main.h} \
  "$dest/src/"
cp -r /usr/include/benchmark "$dest/inc/"
cp "$here/run.sh" "$dest/"
du -sh "$dest"
