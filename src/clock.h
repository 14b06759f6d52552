/* clock.h: monotonic milliseconds, for timeouts and backoff. */
#ifndef CAS_CLOCK_H
#define CAS_CLOCK_H

#include <time.h>

static inline long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
