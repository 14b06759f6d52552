/* response.h: writes one compact JSON reply per request, in the protocol's key order. */
#ifndef CAS_RESPONSE_H
#define CAS_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "frame.h"

struct value;

yajl_gen	response_gen(struct buf *);
int		response_write(yajl_gen, struct buf *, struct buf *, const char *,
		    const char *,
		    size_t, long long, const struct value *, enum term);

#endif
