/* utf8.c: strict UTF-8 validation, since yajl lets surrogates and overlong forms through. */
#include "utf8.h"

/*
 * The length of the well-formed sequence at s (at most len bytes), or 0.
 * Well-formed per Unicode, table 3-7: no overlong forms, no surrogates
 * (U+D800..DFFF), nothing above U+10FFFF.
 */
size_t
utf8_seq(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned char		 c, lo = 0x80, hi = 0xbf;
	size_t			 n, k;

	if (len == 0)
		return 0;
	if ((c = s[0]) < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len - 1 < n)
		return 0;
	/* Only the first continuation byte has the narrowed range. */
	for (k = 1; k <= n; k++) {
		if (s[k] < lo || s[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n + 1;
}

/* A token whose claims are not UTF-8 is refused by JWT libraries, Jitsi's among them. */
bool
utf8_valid(const char *str, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		/* The common case, ASCII, without the call. */
		if ((unsigned char)str[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(str + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}
