/* Ways for a process to end, for the exits tests:
 *   crasher NAME segv|abort|exit0|exit1|thread_segv
 * renames itself NAME and then dies of SIGSEGV (a write through a null
 * pointer), of SIGABRT (abort()), exits 0 or 1, or dies of SIGSEGV raised
 * in a second thread while the main thread sleeps (the process is still
 * seen once). No core dumps: RLIMIT_CORE is set to 0 first. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* A real fault at address 0. The pointer comes from argc (3 here) so the
 * compiler can't see it is null and drop the store as undefined behaviour. */
static int null_base;

static void segv(void)
{
	volatile int *p = (volatile int *)(uintptr_t)(null_base - 3);
	*p = 1;
}

static void *thread_main(void *arg)
{
	(void)arg;
	usleep(50 * 1000);
	segv();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME segv|abort|exit0|exit1|thread_segv\n", argv[0]);
		return 2;
	}
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	null_base = argc;
	prctl(PR_SET_NAME, argv[1]);
	const char *how = argv[2];
	if (!strcmp(how, "segv"))
		segv();
	else if (!strcmp(how, "abort"))
		abort();
	else if (!strcmp(how, "exit1"))
		exit(1);
	else if (!strcmp(how, "thread_segv")) {
		pthread_t t;
		pthread_create(&t, NULL, thread_main, NULL);
		sleep(10);
	}
	return 0;
}
