/* utf8.c: strict UTF-8 validation, since yajl lets surrogates and overlong forms through. */
#include "utf8.h"

/*
 * Well-formed sequences per Unicode, table 3-7: no overlong forms, no
 * surrogates (U+D800..DFFF), nothing above U+10FFFF. A token whose claims
 * are not UTF-8 is refused by JWT libraries, Jitsi's among them.
 */
bool
utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned char		 lo, hi;

	while (i < len) {
		unsigned char c = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf)
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
			return false;
		if (len - i - 1 < n)
			return false;
		/* Only the first continuation byte has the narrowed range. */
		for (k = 1; k <= n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				return false;
			lo = 0x80;
			hi = 0xbf;
		}
		i += n + 1;
	}
	return true;
}
