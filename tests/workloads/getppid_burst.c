// A known amount of syscall traffic: getppid() exactly N times (argv[1]),
// then sleeps argv[2] seconds so its series stays live while peers scrape.
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  int hold = argc > 2 ? atoi(argv[2]) : 0;
  for (long i = 0; i < n; ++i) syscall(SYS_getppid);
  if (hold > 0) sleep((unsigned)hold);
  return 0;
}
