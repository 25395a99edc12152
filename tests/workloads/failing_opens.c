/* A steady rate of failing syscalls for alert tests:
 *   failing_opens NAME RATE SECONDS
 * renames itself NAME, then for SECONDS makes RATE openat calls per second
 * that fail with ENOENT (paced in 10 ms slices), and exits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s NAME RATE SECONDS\n", argv[0]);
		return 2;
	}
	long rate = atol(argv[2]);
	double seconds = atof(argv[3]);
	long per_slice = rate / 100;
	struct timespec slice = {0, 10 * 1000 * 1000};

	prctl(PR_SET_NAME, argv[1], 0, 0, 0);
	double end = now() + seconds;
	while (now() < end) {
		for (long i = 0; i < per_slice; i++)
			syscall(SYS_openat, AT_FDCWD, "/nonexistent/kscope-failing-opens", O_RDONLY);
		nanosleep(&slice, NULL);
	}
	return 0;
}
