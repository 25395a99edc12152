/* Known off-CPU time: after a byte on stdin, sleeps 200 ms in nanosleep 10
 * times (2 s in all) from sleeper_loop, prints "done", then waits for stdin
 * to close so its stacks can still be symbolized. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* nanosleep() in libc has no frame pointer, so a frame-pointer unwind skips
 * the function that calls it: sleep_once is not in the stack, its caller
 * sleeper_loop is. */
void sleep_once(void)
{
	struct timespec ts = {0, 200 * 1000 * 1000};

	while (nanosleep(&ts, &ts) != 0)
		;
}

void sleeper_loop(void)
{
	for (int i = 0; i < 10; i++)
		sleep_once();
}

int main(void)
{
	char c;

	if (read(0, &c, 1) != 1)
		return 1;
	sleeper_loop();
	printf("done\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
