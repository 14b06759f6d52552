/* token.h: a request's claims to a signed Jitsi JWT. */
#ifndef CAS_TOKEN_H
#define CAS_TOKEN_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "sign.h"

/* Seconds subtracted from iat for nbf, so a verifier whose clock lags still accepts. */
#define NBF_LEEWAY	10

struct config;
struct request;

/* Per-connection scratch space, reused token after token. */
struct minter {
	yajl_gen	 g;
	struct buf	 prefix;	/* {"iss":…,"aud":…,"sub":…,"room": */
	size_t		 subat;		/* its length up to "sub": */
	/* base64url of the prefix's first bytes, whole 3-byte groups: */
	struct buf	 prefix64;	/* of all of it, for a token without tenant */
	struct buf	 sub64;		/* up to "sub":, for a token for a tenant */
	struct buf	 claims;	/* a token's claims after that encoded part */
	/* ,"iat":…,"nbf":…,"exp":… as last written: most tokens of a second share it */
	struct buf	 times;
	long long	 times_iat, times_exp;
	struct buf	 token;		/* NUL-terminated; len excludes the NUL */
};

int		 minter_init(struct minter *, const struct config *);
void		 minter_free(struct minter *);
int		 token_mint(struct minter *, struct signer *,
		    const struct request *, long long);

#endif
