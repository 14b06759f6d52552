/* jwks.h: public keys from a file for verify: a JWKS document (or Prosody's {kid: PEM} map), or one PEM key. */
#ifndef CAS_JWKS_H
#define CAS_JWKS_H

#include <stddef.h>

struct pubkey;

int	jwks_read(const char *, struct pubkey **, size_t *, char *, size_t);
int	jwks_read_pem(const char *, struct pubkey **, size_t *, char *, size_t);

#endif
