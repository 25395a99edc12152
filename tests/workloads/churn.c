/* Process and thread churn for the hardening tests:
 *   churn PROCS THREADS NAMES PREFIX
 * forks PROCS short-lived children (at most 64 alive at once), child i named
 * PREFIX<i % NAMES> making three getppid calls and exiting; then starts and
 * joins THREADS threads one after another, each making three getppid calls.
 * Prints "procs=N threads=M" when done. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_body(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s PROCS THREADS NAMES PREFIX\n", argv[0]);
		return 2;
	}
	long procs = atol(argv[1]), threads = atol(argv[2]), names = atol(argv[3]);
	const char *prefix = argv[4];
	long alive = 0, forked = 0, started = 0;
	if (names < 1)
		names = 1;

	for (long i = 0; i < procs; i++) {
		if (alive >= 64) {
			if (wait(NULL) > 0)
				alive--;
		}
		pid_t pid = fork();
		if (pid == 0) {
			/* Built wider than a comm; the kernel keeps the first 15 bytes. */
			char name[64];
			snprintf(name, sizeof(name), "%.30s%ld", prefix, i % names);
			prctl(PR_SET_NAME, name, 0, 0, 0);
			for (int k = 0; k < 3; k++)
				syscall(SYS_getppid);
			_exit(0);
		}
		if (pid > 0) {
			alive++;
			forked++;
		}
	}
	while (alive > 0 && wait(NULL) > 0)
		alive--;

	for (long i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_body, NULL) == 0) {
			pthread_join(t, NULL);
			started++;
		}
	}
	printf("procs=%ld threads=%ld\n", forked, started);
	return forked == procs && started == threads ? 0 : 1;
}
