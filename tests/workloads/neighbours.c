/* A busy host's long-lived processes, for tests that must count only their
 * own workload's keys in kscope's maps:
 *   neighbours N PREFIX SECONDS
 * forks N children named PREFIX<i>, each making three distinct syscalls
 * (getppid, getpid, a 200 ms clock_nanosleep) in a loop, so each keeps three
 * live syscall keys for as long as it runs. Prints "neighbours=N" once all
 * are named; the children end after SECONDS or with the parent. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s N PREFIX SECONDS\n", argv[0]);
		return 2;
	}
	long n = atol(argv[1]), seconds = atol(argv[3]);
	const char *prefix = argv[2];
	int ready[2];
	if (n < 1 || seconds < 1 || pipe(ready) != 0)
		return 2;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			/* Ends with the parent: a killed test leaves no neighbours. */
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			char name[64];
			snprintf(name, sizeof(name), "%.30s%ld", prefix, i);
			prctl(PR_SET_NAME, name, 0, 0, 0);
			close(ready[0]);
			close(ready[1]); /* the parent reads EOF once every child is named */
			struct timespec nap = {0, 200 * 1000000L};
			for (long k = 0; k < seconds * 5; k++) {
				syscall(SYS_getppid);
				syscall(SYS_getpid);
				syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &nap, NULL);
			}
			_exit(0);
		}
	}
	close(ready[1]);
	char c;
	while (read(ready[0], &c, 1) > 0)
		;
	printf("neighbours=%ld\n", n);
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	return 0;
}
