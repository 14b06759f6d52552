/* Benchmark client: latency of sequential TCP connections that each send one request and read its reply. */

/*
 * Usage: connlat PORT COUNT REQUEST [INTERVAL_US]
 * Connects to 127.0.0.1:PORT COUNT times, one after the other (after a few
 * unmeasured warm-up connections): connect, write REQUEST, read up to the
 * first newline of the reply, close.  Back to back by default; with
 * INTERVAL_US, connection i starts INTERVAL_US * i after the first (or at
 * once if the one before ended later), so the server is idle when it
 * arrives.  Prints "MEDIAN_US P99_US FAILURES SUCCESS_REPLIES CPU_US":
 * CPU_US is this client's own CPU time per connection, warm-up included.
 * Each connection is bounded by a 5 s timeout and the whole run by 120 s.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#define WARMUP 20
#define DEADLINE_S 120

/* One connection; returns 1 for a success reply, 0 for another reply, -1 on failure. */
static int
one(const struct sockaddr_in *sa, const char *req, size_t reqlen)
{
	struct timeval tv = { 5, 0 };
	char buf[4096];
	size_t got = 0;
	ssize_t r;
	int fd, one = 1, ok = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1 ||
	    write(fd, req, reqlen) != (ssize_t)reqlen)
		goto out;
	while (got < sizeof(buf) - 1) {
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
		buf[got] = '\0';
		if (memchr(buf, '\n', got) != NULL) {
			ok = strstr(buf, "\"success\":true") != NULL;
			break;
		}
	}
out:
	close(fd);
	return ok;
}

static double
cpu_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Sleeps until t on the monotonic clock (at once if it has passed). */
static void
sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct rusage ru;
	double *lat, t0, start, first;
	size_t reqlen;
	long count, i, done = 0, fails = 0, good = 0, interval = 0;
	int r;

	if ((argc != 4 && argc != 5) ||
	    (count = strtol(argv[2], NULL, 10)) <= 0 ||
	    (argc == 5 && (interval = strtol(argv[4], NULL, 10)) <= 0)) {
		fprintf(stderr, "usage: connlat PORT COUNT REQUEST [INTERVAL_US]\n");
		return 64;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	reqlen = strlen(argv[3]);
	if ((lat = calloc((size_t)count, sizeof(*lat))) == NULL)
		return 71;

	start = now();
	for (i = 0; i < WARMUP; i++)
		one(&sa, argv[3], reqlen);
	first = now();
	for (i = 0; i < count && now() - start < DEADLINE_S; i++) {
		if (interval > 0)
			sleep_until(first + (double)i * (double)interval / 1e6);
		t0 = now();
		r = one(&sa, argv[3], reqlen);
		if (r < 0) {
			fails++;
			continue;
		}
		good += r;
		lat[done++] = now() - t0;
	}
	if (done == 0) {
		printf("n/a n/a %ld 0 n/a\n", fails);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	qsort(lat, (size_t)done, sizeof(*lat), cmp_double);
	printf("%.0f %.0f %ld %ld %.0f\n", lat[(done - 1) / 2] * 1e6,
	    lat[(size_t)((double)(done - 1) * 0.99)] * 1e6, fails, good,
	    (cpu_s(&ru.ru_utime) + cpu_s(&ru.ru_stime)) * 1e6 / (double)(WARMUP + i));
	free(lat);
	return 0;
}
