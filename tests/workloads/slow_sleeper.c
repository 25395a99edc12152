/* A process with one slow syscall among fast ones, for `kscope trace`:
 * after "go" on stdin it sleeps 1 ms 20 times, 100 ms once (in
 * sleep_slowly), 1 ms 20 times more, prints "done", and stays alive until
 * stdin closes so its stack can be symbolized.
 *
 * The sleeps are raw nanosleep syscalls from a function with a frame
 * pointer: glibc's wrappers have none, so a frame-pointer walk from inside
 * them would skip the caller we want to see. */
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static long raw_nanosleep(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
#ifdef __x86_64__
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_nanosleep), "D"(&ts), "S"(0L)
			 : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(SYS_nanosleep, &ts, NULL);
#endif
}

__attribute__((noinline)) void sleep_briefly(void) { raw_nanosleep(1000000L); }

__attribute__((noinline)) void sleep_slowly(void) { raw_nanosleep(100000000L); }

int main(void)
{
	char buf[16];

	printf("%d\n", getpid());
	fflush(stdout);
	if (!fgets(buf, sizeof(buf), stdin))
		return 1;
	for (int i = 0; i < 20; i++)
		sleep_briefly();
	sleep_slowly();
	for (int i = 0; i < 20; i++)
		sleep_briefly();
	printf("done\n");
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}
