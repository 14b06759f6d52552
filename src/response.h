/* response.h: writes one compact JSON reply per request, in the protocol's key order. */
#ifndef CAS_RESPONSE_H
#define CAS_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "frame.h"

struct value;

/* Per-connection reply state: the generator and what is reused across replies. */
struct responder {
	yajl_gen	 g;		/* appends straight to *out */
	struct buf	*out;
	struct buf	 time;		/* ","time":… for time_now, remade each second */
	long long	 time_now;
};

int	responder_init(struct responder *, struct buf *);
void	responder_free(struct responder *);
int	response_write(struct responder *, const char *, const char *, size_t,
	    long long, const struct value *, enum term);

#endif
