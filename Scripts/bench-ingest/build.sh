#!/bin/sh
# Builds the ingest baselines: ./build.sh [OUTDIR]   (default /tmp/boton-bench-bin)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/boton-bench-bin}
mkdir -p "$out"
CC=${CC:-cc}
CFLAGS="-O2 -Wall -Wextra -Werror"
$CC $CFLAGS -o "$out/udp_drain" "$here/udp_drain.c"
$CC $CFLAGS -pthread -o "$out/udp_blast" "$here/udp_blast.c"
$CC $CFLAGS -o "$out/sqlite_baseline" "$here/sqlite_baseline.c" -lsqlite3
echo "built udp_drain udp_blast sqlite_baseline in $out"
