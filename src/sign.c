/* sign.c: the JWS signature: the algorithms, and the key set up once per process. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "b64url.h"
#include "secret.h"
#include "sign.h"

static const struct {
	const char	*name;
	const char	*digest;
	size_t		 len;
} algs[] = {
	[ALG_HS256] = { "HS256", "SHA256", 32 },
	[ALG_HS384] = { "HS384", "SHA384", 48 },
	[ALG_HS512] = { "HS512", "SHA512", 64 },
};

const char *
alg_name(enum alg a)
{
	return algs[a].name;
}

/* The hash's output size, the least key length RFC 7518 wants. */
size_t
alg_digest_len(enum alg a)
{
	return algs[a].len;
}

int
alg_parse(const char *s, enum alg *a)
{
	size_t i;

	for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
		if (strcmp(s, algs[i].name) == 0) {
			*a = (enum alg)i;
			return 0;
		}
	return -1;
}

/* Fetch the algorithm and schedule the key here, once, never per token. */
int
signer_init(struct signer *s, enum alg a, struct secret *key)
{
	char		 header[64];
	struct buf	 b = { 0 };
	EVP_MAC		*mac;
	OSSL_PARAM	 params[2];
	int		 ok;

	memset(s, 0, sizeof *s);
	s->alg = a;
	snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
	    algs[a].name);
	if (b64url_append(&b, header, strlen(header)) == -1 ||
	    b.len >= sizeof s->header64) {
		buf_free(&b);
		return -1;
	}
	memcpy(s->header64, b.data, b.len);
	s->header64len = b.len;
	buf_free(&b);

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	s->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (s->mac == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)algs[a].digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	secret_unlock(key);
	ok = EVP_MAC_init(s->mac, key->key, key->len, params);
	secret_lock(key);
	if (!ok) {
		signer_free(s);
		return -1;
	}
	return 0;
}

/* HMAC of data with the configured key; out holds EVP_MAX_MD_SIZE bytes. */
int
signer_mac(struct signer *s, const void *data, size_t n, unsigned char *out,
    size_t *outlen)
{
	/* A NULL key restarts from the precomputed key state. */
	if (!EVP_MAC_init(s->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(s->mac, data, n) ||
	    !EVP_MAC_final(s->mac, out, outlen, EVP_MAX_MD_SIZE))
		return -1;
	return 0;
}

void
signer_free(struct signer *s)
{
	EVP_MAC_CTX_free(s->mac);
	s->mac = NULL;
}
