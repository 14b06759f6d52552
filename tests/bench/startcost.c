/* Benchmark timer: wall time of fresh processes that each get one request on stdin, median and p99. */

/*
 * Usage: startcost COUNT REQUEST PROGRAM [ARG...] [-- PROGRAM2 [ARG...]]
 * Runs PROGRAM (and PROGRAM2, alternating with it so that a change of load
 * hits both alike) COUNT times each, after a few unmeasured warm-up runs,
 * each with REQUEST already waiting in a pipe on stdin (closed after it) and
 * stdout on /dev/null; times spawn to exit.  Prints "MEDIAN_US P99_US
 * FAILURES" per program, one line each.  The whole run is bounded by 120 s.
 */

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#define WARMUP 5
#define DEADLINE_S 120

extern char **environ;

/* One run; returns its wall time in seconds, or -1 when it could not run or failed. */
static double
one(char **argv, const char *req, size_t reqlen, int devnull)
{
	posix_spawn_file_actions_t fa;
	int p[2], status;
	pid_t pid;
	double t0, t;

	if (pipe(p) == -1)
		return -1;
	/* The request (small, under the pipe's capacity) waits before the program starts. */
	if (write(p[1], req, reqlen) != (ssize_t)reqlen) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_adddup2(&fa, devnull, 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	t0 = now();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		return -1;
	}
	close(p[0]);
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	t = now() - t0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

struct prog {
	char	**argv;
	double	 *lat;
	long	  done, fails;
};

static void
report(struct prog *p)
{
	if (p->done == 0) {
		printf("n/a n/a %ld\n", p->fails);
		return;
	}
	qsort(p->lat, (size_t)p->done, sizeof(*p->lat), cmp_double);
	printf("%.0f %.0f %ld\n", p->lat[(p->done - 1) / 2] * 1e6,
	    p->lat[(size_t)((double)(p->done - 1) * 0.99)] * 1e6, p->fails);
}

int
main(int argc, char **argv)
{
	struct prog progs[2];
	double start, t;
	long count, i;
	size_t reqlen;
	int devnull, n = 1, k;

	if (argc < 4 || (count = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: startcost COUNT REQUEST PROGRAM [ARG...] "
		    "[-- PROGRAM2 [ARG...]]\n");
		return 64;
	}
	memset(progs, 0, sizeof(progs));
	progs[0].argv = argv + 3;
	for (k = 3; k < argc; k++)
		if (strcmp(argv[k], "--") == 0 && k + 1 < argc) {
			/* argv is writable: the separator ends the first program's list. */
			argv[k] = NULL;
			progs[1].argv = argv + k + 1;
			n = 2;
			break;
		}
	if ((devnull = open("/dev/null", O_WRONLY)) == -1)
		return 71;
	for (k = 0; k < n; k++)
		if ((progs[k].lat = calloc((size_t)count, sizeof(double))) == NULL)
			return 71;
	reqlen = strlen(argv[2]);
	start = now();
	for (i = 0; i < WARMUP; i++)
		for (k = 0; k < n; k++)
			one(progs[k].argv, argv[2], reqlen, devnull);
	for (i = 0; i < count && now() - start < DEADLINE_S; i++)
		for (k = 0; k < n; k++) {
			if ((t = one(progs[k].argv, argv[2], reqlen, devnull)) < 0)
				progs[k].fails++;
			else
				progs[k].lat[progs[k].done++] = t;
		}
	for (k = 0; k < n; k++) {
		report(&progs[k]);
		free(progs[k].lat);
	}
	return progs[0].done > 0 ? 0 : 1;
}
