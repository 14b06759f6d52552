/* sign.c: the JWS signature: the algorithms, and the key set up once per process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "json.h"
#include "secret.h"
#include "sign.h"

static const struct {
	const char	*name;
	const char	*digest;
	size_t		 len;
	bool		 rsa;
} algs[] = {
	[ALG_HS256] = { "HS256", "SHA256", 32, false },
	[ALG_HS384] = { "HS384", "SHA384", 48, false },
	[ALG_HS512] = { "HS512", "SHA512", 64, false },
	[ALG_RS256] = { "RS256", "SHA256", 32, true },
	[ALG_RS384] = { "RS384", "SHA384", 48, true },
	[ALG_RS512] = { "RS512", "SHA512", 64, true },
};

const char *
alg_name(enum alg a)
{
	return algs[a].name;
}

/* The digest's name as OpenSSL fetches it. */
const char *
alg_digest(enum alg a)
{
	return algs[a].digest;
}

/* The hash's output size, the least key length RFC 7518 wants. */
size_t
alg_digest_len(enum alg a)
{
	return algs[a].len;
}

bool
alg_is_rsa(enum alg a)
{
	return algs[a].rsa;
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

/*
 * The encoded header, {"alg":…,"typ":"JWT"} or {"alg":…,"kid":…,"typ":"JWT"}:
 * yajl escapes the kid, and the buffer is as long as it needs to be.
 */
static int
make_header(struct signer *s, enum alg a, const char *kid)
{
	struct buf	 json = { 0 }, b = { 0 };
	yajl_gen	 g;
	int		 st;

	if ((g = json_gen(&json)) == NULL)
		return -1;
	/* yajl_gen_status_ok is 0: OR-ing the statuses tells if any call failed. */
	st = yajl_gen_map_open(g);
	st |= yajl_gen_string(g, (const unsigned char *)"alg", 3);
	st |= yajl_gen_string(g, (const unsigned char *)algs[a].name,
	    strlen(algs[a].name));
	if (kid != NULL) {
		st |= yajl_gen_string(g, (const unsigned char *)"kid", 3);
		st |= yajl_gen_string(g, (const unsigned char *)kid, strlen(kid));
	}
	st |= yajl_gen_string(g, (const unsigned char *)"typ", 3);
	st |= yajl_gen_string(g, (const unsigned char *)"JWT", 3);
	st |= yajl_gen_map_close(g);
	yajl_gen_free(g);
	if (st != yajl_gen_status_ok || json.failed ||
	    b64url_append(&b, json.data, json.len) == -1 ||
	    buf_append(&b, "", 1) == -1) {
		buf_free(&json);
		buf_free(&b);
		return -1;
	}
	buf_free(&json);
	s->header64 = b.data;
	s->header64len = b.len - 1;
	return 0;
}

/* Fetch the algorithm and schedule the key here, once, never per token. */
int
signer_init(struct signer *s, enum alg a, struct secret *key)
{
	EVP_MAC		*mac;
	OSSL_PARAM	 params[2];
	int		 ok;

	memset(s, 0, sizeof *s);
	s->alg = a;
	if (algs[a].rsa || make_header(s, a, NULL) == -1)
		return -1;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		signer_free(s);
		return -1;
	}
	s->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (s->mac == NULL) {
		signer_free(s);
		return -1;
	}
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

/*
 * RSASSA-PKCS1-v1_5 (RFC 7518 3.3) with an RSA private key: the digest and
 * the padding are fetched and set here, once; a token then costs one digest
 * and one private-key operation on the same context.
 */
int
signer_init_rsa(struct signer *s, enum alg a, EVP_PKEY *key, const char *kid)
{
	memset(s, 0, sizeof *s);
	s->alg = a;
	if (!algs[a].rsa || kid == NULL || EVP_PKEY_get_size(key) > SIG_MAX ||
	    make_header(s, a, kid) == -1)
		goto fail;
	if ((s->md = EVP_MD_fetch(NULL, algs[a].digest, NULL)) == NULL ||
	    (s->mdctx = EVP_MD_CTX_new()) == NULL ||
	    (s->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(s->pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(s->pctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(s->pctx, s->md) <= 0)
		goto fail;
	return 0;
fail:
	signer_free(s);
	return -1;
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

/* The JWS signature of data, HMAC or RSA; out holds SIG_MAX bytes. */
int
signer_sign(struct signer *s, const void *data, size_t n, unsigned char *out,
    size_t *outlen)
{
	unsigned char	dgst[EVP_MAX_MD_SIZE];
	unsigned int	dlen;
	size_t		len = SIG_MAX;

	if (s->mac != NULL)
		return signer_mac(s, data, n, out, outlen);
	if (!EVP_DigestInit_ex2(s->mdctx, s->md, NULL) ||
	    !EVP_DigestUpdate(s->mdctx, data, n) ||
	    !EVP_DigestFinal_ex(s->mdctx, dgst, &dlen) ||
	    EVP_PKEY_sign(s->pctx, out, &len, dgst, dlen) <= 0)
		return -1;
	*outlen = len;
	return 0;
}

void
signer_free(struct signer *s)
{
	EVP_MAC_CTX_free(s->mac);
	EVP_PKEY_CTX_free(s->pctx);
	EVP_MD_CTX_free(s->mdctx);
	EVP_MD_free(s->md);
	free(s->header64);
	memset(s, 0, sizeof *s);
}
