/* Spins on one CPU for a while: `sched_spinner CPU SECONDS`. Several of them
 * pinned to the same CPU each wait on the run queue while the others run. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	cpu_set_t set;
	double end;
	volatile unsigned long n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: sched_spinner CPU SECONDS\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[1]), &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		return 1;
	}
	end = now_seconds() + atof(argv[2]);
	while (now_seconds() < end)
		n++;
	return 0;
}
