/* Known on-CPU time: `cpu_burner SECONDS` spins in burn_cpu_in_named_function,
 * prints "done", then waits for stdin to close so its stacks can still be
 * symbolized. Needs only libc (it also runs in a chroot). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The clock is read every 2^20 iterations so that nearly every sample lands
 * in this function, not in the vDSO. */
unsigned long burn_cpu_in_named_function(double seconds)
{
	double end = now_seconds() + seconds;
	volatile unsigned long x = 0;

	do {
		for (unsigned long i = 0; i < (1UL << 20); i++)
			x = x * 31 + i;
	} while (now_seconds() < end);
	return x;
}

int main(int argc, char **argv)
{
	char c;

	burn_cpu_in_named_function(argc > 1 ? atof(argv[1]) : 2.0);
	printf("done\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
