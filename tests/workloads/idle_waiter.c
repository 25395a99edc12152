/* A process that mostly waits, with one slow syscall that is not an idle
 * wait, for `kscope trace`: after "go" on stdin, each of 4 threads makes 5
 * rounds of idle waits of 60 ms (nanosleep, clock_nanosleep, epoll_wait,
 * a futex wait and a poll that times out: 100 idle waits in all), while the
 * main thread, in wait_for_reply, polls a pipe that a child process writes
 * to after 200 ms: a poll that returns a ready descriptor, then spins until
 * the threads are done. Then it prints
 * "done" and stays alive until stdin closes. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define THREADS 4
#define IDLE_MS 60

static int finished;

static void *wait_idly(void *arg)
{
	struct timespec ts = {0, IDLE_MS * 1000000L};
	uint32_t word = 0;
	int ep = epoll_create1(0);
	struct epoll_event ev;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		syscall(SYS_nanosleep, &ts, NULL);
		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
		syscall(SYS_epoll_wait, ep, &ev, 1, IDLE_MS);
		/* Nobody wakes it: it times out with ETIMEDOUT. */
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
		syscall(SYS_poll, NULL, 0, IDLE_MS);
	}
	close(ep);
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A raw syscall from a function with a frame pointer: glibc's syscall()
 * has none, so a frame-pointer walk from inside it would skip this
 * function (as slow_sleeper.c explains). */
__attribute__((noinline)) int wait_for_reply(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
#ifdef __x86_64__
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_poll), "D"(&p), "S"(1L), "d"(5000L)
			 : "rcx", "r11", "memory");
	return (int)ret;
#else
	return (int)syscall(SYS_ppoll, &p, 1, &(struct timespec){5, 0}, NULL);
#endif
}

int main(void)
{
	pthread_t threads[THREADS];
	char buf[16];
	int pipefd[2];
	pid_t child;

	printf("%d\n", getpid());
	fflush(stdout);
	if (!fgets(buf, sizeof(buf), stdin) || pipe(pipefd) != 0)
		return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, wait_idly, NULL);
	child = fork();
	if (child == 0) {
		struct timespec ts = {0, 200 * 1000000L};

		nanosleep(&ts, NULL);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (wait_for_reply(pipefd[0]) != 1)
		return 1;
	/* Spin rather than block in pthread_join: the join's futex wait would
	 * be one more idle wait than the threads' 100. */
	while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) < THREADS)
		sched_yield();
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	waitpid(child, NULL, 0);
	printf("done\n");
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}
