#!/usr/bin/env bash
# The glibc workarounds side by side: one `kscope run` per variant for
# MINUTES under bench/soak.py's one load, RSS and PSS sampled every 30 s.
# See README.md beside this script.
#
#   sudo bench/glibc_soak/run.sh KSCOPE [MINUTES] [BUILD] [OUT]
#
# KSCOPE: the binary (each variant runs its own copy of it); BUILD: a build
# folder with the soak's workloads (default: build).
set -euo pipefail
kscope=${1:?usage: run.sh KSCOPE [MINUTES] [BUILD] [OUT]}
minutes=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${3:-$root/build}
out=${4:-/tmp/glibc_soak}
mkdir -p "$out"
shim=$out/mallopt_filter.so
cc -O2 -Wall -shared -fPIC -o "$shim" "$here/mallopt_filter.c" -ldl
# The variants. Every one runs with the shim, so they differ only in what
# it is told to skip. tcache: an operator's own tcache_count stands
# (common/thread_caches.h), so setting glibc's default (7) keeps the re-exec
# from turning the caches off.
tcache=GLIBC_TUNABLES=glibc.malloc.tcache_count=7
args=()
for v in all-on tcache-default mmap-default arenas-default all-default; do
  args+=(--kscope "$v=$kscope" --env "$v=LD_PRELOAD=$shim")
done
args+=(--env "tcache-default=$tcache"
       --env "mmap-default=KSCOPE_SKIP_MALLOPT=mmap_threshold"
       --env "arenas-default=KSCOPE_SKIP_MALLOPT=arena_max"
       --env "all-default=$tcache" --env "all-default=KSCOPE_SKIP_MALLOPT=mmap_threshold,arena_max")
exec python3 "$root/bench/soak.py" --minutes "$minutes" --sample-seconds 30 --build "$build" --out "$out" "${args[@]}"
