/* Memory for OOM tests:
 *   mem_hog NAME MIB
 * renames itself NAME, then allocates and touches MIB mebibytes, one at a
 * time, so a memory cgroup with a smaller limit has its OOM killer choose
 * it. Exits 0 if it got them all (no limit stopped it). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME MIB\n", argv[0]);
		return 2;
	}
	prctl(PR_SET_NAME, argv[1]);
	long mib = atol(argv[2]);
	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return 1;
		memset(p, 0x5a, 1 << 20); /* touched: charged to the cgroup */
	}
	return 0;
}
