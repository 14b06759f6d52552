/* json.h: JSON pieces appended to a buf: strings (escaped by yajl only when needed) and integers. */
#ifndef CAS_JSON_H
#define CAS_JSON_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "buf.h"

/* A string literal appended as it is: 0, or -1 when out of memory. */
#define APPEND_LIT(b, lit)	buf_append(b, lit, sizeof lit - 1)

yajl_gen	json_gen(struct buf *);
int		json_string(yajl_gen, struct buf *, const char *, size_t);
int		json_int(struct buf *, long long);

#endif
