// A process for the symbolizer tests: prints the address of a function with
// a known name, then waits to be killed. Runs inside a chroot or a private
// mount namespace, so it only needs libc.
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) void kscope_symbolize_marker(void) { __asm__ volatile(""); }

int main(void) {
  printf("%p\n", (void*)&kscope_symbolize_marker);
  fflush(stdout);
  for (;;) pause();
}
