/* token.h: claims to a signed Jitsi JWT, with the HMAC key set up once. */
#ifndef CAS_TOKEN_H
#define CAS_TOKEN_H

#include <stddef.h>
#include <openssl/evp.h>
#include <yajl/yajl_gen.h>

#include "buf.h"

/* Seconds subtracted from iat for nbf, so a verifier whose clock lags still accepts. */
#define NBF_LEEWAY	10

enum alg { ALG_HS256, ALG_HS384, ALG_HS512 };

struct config;
struct request;
struct secret;

/* The keyed HMAC state and the encoded header, made once per process. */
struct signer {
	EVP_MAC_CTX	*mac;
	enum alg	 alg;
	char		 header64[64];
	size_t		 header64len;
};

/* Per-connection scratch space, reused token after token. */
struct minter {
	yajl_gen	 g;
	struct buf	 prefix;	/* {"iss":…,"aud":…,"sub":…,"room": */
	struct buf	 claims;
	struct buf	 token;		/* NUL-terminated; len excludes the NUL */
};

const char	*alg_name(enum alg);
size_t		 alg_digest_len(enum alg);
int		 alg_parse(const char *, enum alg *);
int		 b64url_append(struct buf *, const void *, size_t);
int		 signer_init(struct signer *, enum alg, struct secret *);
int		 signer_mac(struct signer *, const void *, size_t,
		    unsigned char *, size_t *);
void		 signer_free(struct signer *);
int		 minter_init(struct minter *, const struct config *);
void		 minter_free(struct minter *);
int		 token_mint(struct minter *, struct signer *,
		    const struct request *, long long);

#endif
