// A known amount of syscall traffic: getppid() exactly N times (argv[1]),
// half of them, a pause of argv[3] seconds, the other half (so a scraper
// sees the counter rise), then a sleep of argv[2] seconds so the series
// stays live while peers scrape.
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void burst(long n) {
  for (long i = 0; i < n; ++i) syscall(SYS_getppid);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  int hold = argc > 2 ? atoi(argv[2]) : 0;
  int pause = argc > 3 ? atoi(argv[3]) : 0;
  burst(n / 2);
  if (pause > 0) sleep((unsigned)pause);
  burst(n - n / 2);
  if (hold > 0) sleep((unsigned)hold);
  return 0;
}
