/* Context-switch cost: `pipe_pingpong ROUNDS [CPU]` - a parent and a child
 * pinned to one CPU pass a byte back and forth over two pipes ROUNDS times.
 * Every round trip is two voluntary context switches. Prints the mean
 * nanoseconds per context switch. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100000;
	int cpu = argc > 2 ? atoi(argv[2]) : 0;
	int ping[2], pong[2];
	struct timespec a, b;
	cpu_set_t set;
	char c = 'x';
	pid_t child;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0 || pipe(ping) || pipe(pong)) {
		perror("setup");
		return 1;
	}
	child = fork();
	if (child == 0) {
		for (long i = 0; i < rounds; i++) {
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < rounds; i++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	waitpid(child, NULL, 0);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (2.0 * rounds));
	return 0;
}
