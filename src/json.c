/* json.c: JSON pieces appended to a buf: strings (escaped by yajl only when needed) and integers. */
#include <stdbool.h>

#include "json.h"

static void
print_to_buf(void *ctx, const char *s, size_t len)
{
	(void)buf_append(ctx, s, len);
}

/* A yajl generator that writes straight into b; NULL when out of memory. */
yajl_gen
json_gen(struct buf *b)
{
	yajl_gen g;

	if ((g = yajl_gen_alloc(NULL)) != NULL)
		yajl_gen_config(g, yajl_gen_print_callback, print_to_buf, b);
	return g;
}

/* True when JSON needs no escape in s: no control character, quote or backslash. */
static bool
plain(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/*
 * One JSON string appended to b, which g writes into. Most strings need no
 * escaping, and yajl would write them as they are between quotes; the rest
 * go through yajl. The caller has checked s for strict UTF-8.
 */
int
json_string(yajl_gen g, struct buf *b, const char *s, size_t len)
{
	if (plain(s, len))
		return APPEND_LIT(b, "\"") == -1 || buf_append(b, s, len) == -1 ||
		    APPEND_LIT(b, "\"") == -1 ? -1 : 0;
	yajl_gen_reset(g, NULL);
	return yajl_gen_string(g, (const unsigned char *)s, len) ==
	    yajl_gen_status_ok ? 0 : -1;
}

/* A decimal integer: snprintf's generality showed up in profiles. */
int
json_int(struct buf *b, long long v)
{
	char			 digits[24], *d = digits + sizeof digits;
	unsigned long long	 u = v < 0 ? 0 - (unsigned long long)v :
				    (unsigned long long)v;

	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--d = '-';
	return buf_append(b, d, (size_t)(digits + sizeof digits - d));
}
