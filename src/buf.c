/* buf.c: a growable byte buffer that never shrinks, so steady-state use allocates nothing. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Make room for n more bytes; 0 on success, -1 (and b->failed set) when out of memory. */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (n > (size_t)-1 / 2 - b->len) {
		b->failed = 1;
		return -1;
	}
	want = b->len + n;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* buf_append's slow path: grow, then copy. */
int
buf_grow_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
