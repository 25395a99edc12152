// LD_PRELOAD shim for bench/glibc_soak: turns kscope's own mallopt calls
// named in KSCOPE_SKIP_MALLOPT (a comma list of arena_max, mmap_threshold)
// into no-ops, so one binary runs with or without each of those glibc
// workarounds. Every other mallopt goes to glibc. Bench only: never shipped.
//
//   cc -O2 -shared -fPIC -o mallopt_filter.so mallopt_filter.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

int mallopt(int param, int value) {
  static int (*real)(int, int);
  const char* skip = getenv("KSCOPE_SKIP_MALLOPT");
  if (skip != NULL) {
    if (param == M_ARENA_MAX && strstr(skip, "arena_max") != NULL) return 1;
    if (param == M_MMAP_THRESHOLD && strstr(skip, "mmap_threshold") != NULL) return 1;
  }
  if (real == NULL) real = (int (*)(int, int))dlsym(RTLD_NEXT, "mallopt");
  return real(param, value);
}
