/* textsafe.c: untrusted text made safe to show: controls, bidi overrides and bytes that are no UTF-8 escaped. */
#include <stdio.h>

#include "textsafe.h"
#include "utf8.h"

/* Room for one character escaped: four bytes of \xNN each. */
#define ONE_MAX	16

/*
 * Code points that act on a terminal or on how text around them reads:
 * C1 controls (U+009B is an escape introducer), and the bidi embeddings,
 * overrides and isolates (U+202A..202E, U+2066..2069).
 */
static bool
hidden(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static unsigned long
code_point(const unsigned char *s, size_t n)
{
	unsigned long	cp = n == 2 ? s[0] & 0x1f : n == 3 ? s[0] & 0x0f : s[0] & 0x07;
	size_t		i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * The next character of s shown into out: printable UTF-8 as it is, any
 * other byte as \xNN. Returns the bytes of s it stands for; *outlen gets
 * what was written.
 */
static size_t
one(const unsigned char *s, size_t len, bool quotes, char *out, size_t *outlen)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n, i;

	n = utf8_seq((const char *)s, len);
	if (n == 1 && s[0] >= 0x20 && s[0] != 0x7f &&
	    !(quotes && (s[0] == '"' || s[0] == '\\'))) {
		out[0] = (char)s[0];
		*outlen = 1;
		return 1;
	}
	if (n > 1 && !hidden(code_point(s, n))) {
		for (i = 0; i < n; i++)
			out[i] = (char)s[i];
		*outlen = n;
		return n;
	}
	/* A byte that begins no sequence is escaped on its own. */
	if (n == 0)
		n = 1;
	for (i = 0; i < n; i++) {
		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = hex[s[i] >> 4];
		out[4 * i + 3] = hex[s[i] & 0xf];
	}
	*outlen = 4 * n;
	return n;
}

/*
 * Copy len bytes of untrusted text to dst (dstlen bytes, always
 * terminated), escaped so that it cannot act on a terminal or a log: with
 * quotes, '"' and '\' are escaped too. Text that does not fit is cut at a
 * character and marked "...". Returns the length written.
 */
size_t
text_safe(char *dst, size_t dstlen, const char *src, size_t len, bool quotes)
{
	const unsigned char	*s = (const unsigned char *)src;
	char			 buf[ONE_MAX];
	size_t			 i = 0, o = 0, n, w, k;

	if (dstlen == 0)
		return 0;
	while (i < len) {
		n = one(s + i, len - i, quotes, buf, &w);
		/* Keep room for "..." and the terminator. */
		if (o + w + 4 > dstlen)
			break;
		for (k = 0; k < w; k++)
			dst[o++] = buf[k];
		i += n;
	}
	if (i < len && o + 4 <= dstlen) {
		dst[o++] = '.';
		dst[o++] = '.';
		dst[o++] = '.';
	}
	dst[o] = '\0';
	return o;
}

/* The same, written whole to f. */
void
text_safe_put(FILE *f, const char *src, size_t len)
{
	const unsigned char	*s = (const unsigned char *)src;
	char			 buf[ONE_MAX];
	size_t			 i = 0, w;

	while (i < len) {
		i += one(s + i, len - i, false, buf, &w);
		fwrite(buf, 1, w, f);
	}
}
