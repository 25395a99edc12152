/* Many distinct stacks: `stack_fanout N` blocks 2 ms in nanosleep at the
 * bottom of a recursion of depth 1..N, so each block has its own user stack.
 * Waits for a byte on stdin first, prints "done", then waits for EOF. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void descend(int depth)
{
	struct timespec ts = {0, 2 * 1000 * 1000};

	if (depth > 0) {
		descend(depth - 1);
		__asm__ volatile(""); /* not a tail call: keep the frame */
		return;
	}
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char c;

	if (read(0, &c, 1) != 1)
		return 1;
	for (int i = 1; i <= n; i++)
		descend(i);
	printf("done\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
