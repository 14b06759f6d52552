/* rsakey.h: RSA keys: parsing and checking PEM and JWK, verifying, and their public forms. */
#ifndef CAS_RSAKEY_H
#define CAS_RSAKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <openssl/evp.h>

#include "buf.h"
#include "sign.h"

/* Jitsi's guidance and RFC 7518 3.3 want 2048 bits at least. */
#define RSAKEY_MIN_BITS	2048
#define RSAKEY_MAX_BITS	(SIG_MAX * 8)
/* Lowercase hex SHA-256 of a kid, ".pem", NUL: the ASAP file name. */
#define RSAKEY_ASAP_NAME	(64 + 4 + 1)
/* Lowercase hex SHA-256, NUL. */
#define RSAKEY_FINGERPRINT	(64 + 1)

/* A public key that verifies the tokens naming its kid. */
struct pubkey {
	char		*kid;
	char		*source;	/* the file (or document) it came from */
	EVP_PKEY	*pkey;
	bool		 has_alg;	/* a JWK may bind the key to one algorithm */
	enum alg	 alg;
};

int	rsakey_private(const void *, size_t, EVP_PKEY **, char *, size_t);
int	rsakey_public(const void *, size_t, EVP_PKEY **, char *, size_t);
int	rsakey_from_jwk(const unsigned char *, size_t, const unsigned char *,
	    size_t, EVP_PKEY **, char *, size_t);
int	rsakey_check(EVP_PKEY *, char *, size_t);
int	rsakey_verify(EVP_PKEY *, enum alg, const void *, size_t,
	    const unsigned char *, size_t);
int	rsakey_fingerprint(EVP_PKEY *, char *);
int	rsakey_asap_name(const char *, char *);
int	rsakey_jwk_parts(EVP_PKEY *, struct buf *, struct buf *);
int	rsakey_write_pem(EVP_PKEY *, FILE *);
int	rsakey_secure_heap(void);
void	pubkeys_free(struct pubkey *, size_t);

#endif
