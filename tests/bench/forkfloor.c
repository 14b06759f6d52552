/* Benchmark floor: what one fork, exit and wait costs a process that has loaded the server's libraries. */
/*
 * Usage: forkfloor COUNT
 * Initialises libsodium (so every library is mapped and relocated, as in the
 * listener), then COUNT times forks a child that exits at once and waits
 * for it.  Prints "MEDIAN_US P99_US".  The listener pays at least this for
 * each connection before it reads a byte.
 *
 * Built with -DFORKFLOOR_BARE (and -static), it links no library at all:
 * what a fork costs on this machine whatever a server is made of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#ifndef FORKFLOOR_BARE
#include <openssl/crypto.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>
#include <yajl/yajl_version.h>
#endif

#include "timing.h"

int
main(int argc, char **argv)
{
	double *lat, t0;
	long count, i;
	pid_t pid;

	if (argc != 2 || (count = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: forkfloor COUNT\n");
		return 64;
	}
#ifndef FORKFLOOR_BARE
	{
		volatile const void *keep[] = { (const void *)yajl_version,
			(const void *)OpenSSL_version_num, (const void *)sd_booted };

		(void)keep;
		if (sodium_init() < 0)
			return 71;
	}
#endif
	if ((lat = calloc((size_t)count, sizeof(*lat))) == NULL)
		return 71;
	for (i = 0; i < count; i++) {
		t0 = now();
		if ((pid = fork()) == -1)
			return 71;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			return 71;
		lat[i] = now() - t0;
	}
	qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
	printf("%.0f %.0f\n", lat[(count - 1) / 2] * 1e6,
	    lat[(size_t)((double)(count - 1) * 0.99)] * 1e6);
	free(lat);
	return 0;
}
