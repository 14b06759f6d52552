/* sign.h: the JWS signature: the algorithms, and the key set up once per process. */
#ifndef CAS_SIGN_H
#define CAS_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>

enum alg { ALG_HS256, ALG_HS384, ALG_HS512, ALG_RS256, ALG_RS384, ALG_RS512 };

/* The longest signature: an RSA key of the largest size accepted (16384 bits). */
#define SIG_MAX		2048

struct secret;

/*
 * What signs every token, made once per process: the keyed HMAC state for
 * HS*, the RSA signing context for RS*, and the encoded header.
 */
struct signer {
	EVP_MAC_CTX	*mac;		/* HS* */
	EVP_PKEY_CTX	*pctx;		/* RS*: padding and digest set */
	EVP_MD_CTX	*mdctx;		/* RS*: reused for each digest */
	EVP_MD		*md;
	enum alg	 alg;
	char		*header64;	/* NUL-terminated */
	size_t		 header64len;
};

const char	*alg_name(enum alg);
const char	*alg_digest(enum alg);
size_t		 alg_digest_len(enum alg);
bool		 alg_is_rsa(enum alg);
int		 alg_parse(const char *, enum alg *);
int		 signer_init(struct signer *, enum alg, struct secret *);
int		 signer_init_rsa(struct signer *, enum alg, EVP_PKEY *,
		    const char *);
int		 signer_mac(struct signer *, const void *, size_t,
		    unsigned char *, size_t *);
int		 signer_sign(struct signer *, const void *, size_t,
		    unsigned char *, size_t *);
void		 signer_free(struct signer *);

#endif
