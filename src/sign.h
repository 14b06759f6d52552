/* sign.h: the JWS signature: the algorithms, and the key set up once per process. */
#ifndef CAS_SIGN_H
#define CAS_SIGN_H

#include <stddef.h>
#include <openssl/evp.h>

enum alg { ALG_HS256, ALG_HS384, ALG_HS512 };

struct secret;

/* The keyed HMAC state and the encoded header, made once per process. */
struct signer {
	EVP_MAC_CTX	*mac;
	enum alg	 alg;
	char		 header64[64];
	size_t		 header64len;
};

const char	*alg_name(enum alg);
size_t		 alg_digest_len(enum alg);
int		 alg_parse(const char *, enum alg *);
int		 signer_init(struct signer *, enum alg, struct secret *);
int		 signer_mac(struct signer *, const void *, size_t,
		    unsigned char *, size_t *);
void		 signer_free(struct signer *);

#endif
