/* A workload whose syscalls are known exactly:
 *   syscall_workload NAME COUNT SLEEP_US
 * renames itself NAME (prctl), then makes exactly COUNT nanosleep(SLEEP_US)
 * calls and COUNT openat calls that fail with ENOENT, through syscall(2) so
 * libc substitutes nothing (glibc's nanosleep() is clock_nanosleep). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s NAME COUNT SLEEP_US\n", argv[0]);
		return 2;
	}
	long count = atol(argv[2]);
	long sleep_us = atol(argv[3]);
	struct timespec ts = {sleep_us / 1000000, (sleep_us % 1000000) * 1000};

	prctl(PR_SET_NAME, argv[1], 0, 0, 0);
	for (long i = 0; i < count; i++)
		syscall(SYS_nanosleep, &ts, NULL);
	for (long i = 0; i < count; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/kscope-workload", O_RDONLY);
	return 0;
}
