/* buf.h: a growable byte buffer that never shrinks, so steady-state use allocates nothing. */
#ifndef CAS_BUF_H
#define CAS_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* an allocation failed since the last buf_reset */
};

int	buf_reserve(struct buf *, size_t);
int	buf_grow_append(struct buf *, const void *, size_t);
void	buf_reset(struct buf *);
void	buf_free(struct buf *);


/* Inline for the common case: the generators append many small pieces. */
static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
	/* memcpy wants valid pointers even for nothing, and an empty buf has none. */
	if (n == 0)
		return 0;
	if (n <= b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		return 0;
	}
	return buf_grow_append(b, p, n);
}

#endif
