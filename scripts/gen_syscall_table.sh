#!/bin/sh
# Writes the syscall number -> name table for this architecture, read from the
# system's asm/unistd headers (linux-libc-dev), as C++ initializer rows.
set -eu
out="$1"
hdr=$(echo '#include <asm/unistd.h>' | ${CC:-cc} -E -dM - | grep -E '^#define __NR_[a-z0-9_]+ [0-9]+$' || true)
if [ -z "$hdr" ]; then
  echo "gen_syscall_table: no __NR_ definitions found; install linux-libc-dev" >&2
  exit 1
fi
echo "$hdr" | sed -E 's/^#define __NR_([a-z0-9_]+) ([0-9]+)$/{\2, "\1"},/' | sort -t, -k1.2n > "$out.tmp"
mv "$out.tmp" "$out"
