/* jsonint.c: a JSON number read as an integer: digits with an optional minus, within long long. */
#include <limits.h>
#include <stdbool.h>

#include "jsonint.h"

/*
 * The len bytes at s, a number as yajl passes it, as an integer: 0, or -1
 * for a fraction, an exponent or a value beyond long long. yajl has checked
 * the syntax, so anything but a digit after the sign is no integer;
 * strtoll's generality showed in profiles, and it needs a terminated copy.
 */
int
jsonint_parse(const char *s, size_t len, long long *out)
{
	const char		*end = s + len;
	unsigned long long	 n = 0, max = LLONG_MAX, d;
	bool			 neg;

	if (len == 0)
		return -1;
	if ((neg = *s == '-')) {
		s++;
		max = (unsigned long long)LLONG_MAX + 1;
	}
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned long long)(*s - '0');
		if (n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	/* -(LLONG_MAX + 1) is written so that nothing overflows on the way. */
	*out = neg ? (n == 0 ? 0 : -(long long)(n - 1) - 1) : (long long)n;
	return 0;
}
