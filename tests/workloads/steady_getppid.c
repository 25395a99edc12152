/* steady_getppid RATE SECONDS: exactly RATE * SECONDS getppid() calls,
 * spread evenly in time: RATE / 100 every 10 ms, on absolute deadlines (a
 * tick that comes late is made up at once, so the total is exact and the
 * rate over any second stays within a tick of RATE). The sampling mode's
 * test (tests/e2e/syscall_sampling.sh) needs calls that do not bunch up,
 * since it sees only the part of each period its probe is attached. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TICKS_PER_SECOND 100

int main(int argc, char **argv)
{
	long rate = argc > 1 ? atol(argv[1]) : 1000;
	long seconds = argc > 2 ? atol(argv[2]) : 10;
	long ticks = seconds * TICKS_PER_SECOND;
	long made = 0;
	struct timespec next;

	if (rate < TICKS_PER_SECOND || seconds < 1) {
		fprintf(stderr, "usage: steady_getppid RATE(>=100) SECONDS(>=1)\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long t = 0; t < ticks; t++) {
		/* Calls due by the end of tick t, so rounding never accumulates. */
		long due = rate * (t + 1) / TICKS_PER_SECOND;

		for (; made < due; made++)
			syscall(SYS_getppid);
		next.tv_nsec += 1000000000L / TICKS_PER_SECOND;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("%ld\n", made);
	return 0;
}
