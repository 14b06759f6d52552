/* b64url.h: unpadded base64url, the encoding of every part of a JWS. */
#ifndef CAS_B64URL_H
#define CAS_B64URL_H

#include <stddef.h>

#include "buf.h"

int	b64url_append(struct buf *, const void *, size_t);

#endif
