#!/bin/sh
# Builds scripts/libtorch_reference/checkpoints.cpp against libtorch 1.13 (libtorch-dev) and
# writes its checkpoints into tests/fixtures/io/ (libtorch_*.pt).
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-/tmp/tg_libtorch_reference}
cmake -S "$here/libtorch_reference" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" --target checkpoints
"$build/checkpoints" "$here/../tests/fixtures/io"
