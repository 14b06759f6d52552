/* token.c: claims to a signed Jitsi JWT, with the HMAC key set up once. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "config.h"
#include "json.h"
#include "request.h"
#include "secret.h"
#include "token.h"

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

/*
 * Unpadded base64url, as JWS requires (RFC 7515 section 2). Nothing encoded
 * here is secret (the signature is public once sent), so a plain table
 * lookup does; libsodium's constant-time encoder cost more than the HMAC.
 */
int
b64url_append(struct buf *b, const void *p, size_t n)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*in = p;
	char			*out;
	size_t			 i;
	unsigned long		 v;

	if (n > ((size_t)-1 - 4) / 4 * 3 || buf_reserve(b, 4 * ((n + 2) / 3) + 1) == -1)
		return -1;
	out = b->data + b->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = alphabet[v & 63];
	}
	if (i < n) {
		v = (unsigned long)in[i] << 16 | (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0);
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		if (i + 1 < n)
			*out++ = alphabet[(v >> 6) & 63];
	}
	b->len = (size_t)(out - b->data);
	return 0;
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

/* One claim string; claim strings were checked for strict UTF-8 already. */
static int
claim_string(struct minter *m, const char *s, size_t len)
{
	return json_string(m->g, &m->claims, s, len);
}

/*
 * The claims that are the same in every token of this configuration,
 * {"iss":…,"aud":…,"sub":…,"room" — made once, so each token only has its
 * own strings escaped.
 */
int
minter_init(struct minter *m, const struct config *cfg)
{
	const char	*fixed[] = { "iss", cfg->app_id, "aud", cfg->audience,
			    "sub", cfg->domain, "room" };
	yajl_gen	 g;
	size_t		 i;
	int		 st;

	memset(m, 0, sizeof *m);
	if ((g = json_gen(&m->prefix)) == NULL)
		return -1;
	/* yajl_gen_status_ok is 0: OR-ing the statuses tells if any call failed. */
	st = yajl_gen_map_open(g);
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		st |= yajl_gen_string(g, (const unsigned char *)fixed[i],
		    strlen(fixed[i]));
	yajl_gen_free(g);
	if (st != yajl_gen_status_ok || buf_append(&m->prefix, ":", 1) == -1 ||
	    m->prefix.failed || (m->g = json_gen(&m->claims)) == NULL)
		return -1;
	return 0;
}

void
minter_free(struct minter *m)
{
	if (m->g != NULL)
		yajl_gen_free(m->g);
	buf_free(&m->prefix);
	buf_free(&m->claims);
	buf_free(&m->token);
	memset(m, 0, sizeof *m);
}

/*
 * The claims in Jitsi's order: the fixed prefix, room, times, then
 * context.user with the moderator flag spelt the ways Jitsi's plugins read
 * it (top-level boolean, affiliation, string).
 */
static int
gen_claims(struct minter *m, const struct request *r, long long now)
{
	static const enum field optional[] = { F_EMAIL, F_AVATAR, F_ID };
	struct buf	*c = &m->claims;
	size_t		 i;

	if (buf_append(c, m->prefix.data, m->prefix.len) == -1 ||
	    claim_string(m, r->f[F_CHANNEL].s, r->f[F_CHANNEL].len) == -1 ||
	    APPEND_LIT(c, ",\"iat\":") == -1 || json_int(c, now) == -1 ||
	    APPEND_LIT(c, ",\"nbf\":") == -1 ||
	    json_int(c, now - NBF_LEEWAY) == -1 ||
	    APPEND_LIT(c, ",\"exp\":") == -1 || json_int(c, r->exp) == -1 ||
	    (r->moderator ? APPEND_LIT(c, ",\"moderator\":true") :
	    APPEND_LIT(c, ",\"moderator\":false")) == -1 ||
	    APPEND_LIT(c, ",\"context\":{\"user\":{\"name\":") == -1 ||
	    claim_string(m, r->f[F_DISPLAYNAME].s, r->f[F_DISPLAYNAME].len) == -1)
		return -1;
	for (i = 0; i < sizeof optional / sizeof optional[0]; i++) {
		const struct value	*v = &r->f[optional[i]];
		const char		*name = field_names[optional[i]];

		if (v->type != V_STRING)
			continue;
		if (APPEND_LIT(c, ",\"") == -1 ||
		    buf_append(c, name, strlen(name)) == -1 ||
		    APPEND_LIT(c, "\":") == -1 || claim_string(m, v->s, v->len) == -1)
			return -1;
	}
	return r->moderator ?
	    APPEND_LIT(c, ",\"affiliation\":\"owner\",\"moderator\":\"true\"}}}") :
	    APPEND_LIT(c, ",\"affiliation\":\"member\",\"moderator\":\"false\"}}}");
}

/*
 * Mint a token for a request that passed request_validate (strict UTF-8
 * included) into m->token:
 * base64url(header) "." base64url(claims) "." base64url(HMAC of the two).
 */
int
token_mint(struct minter *m, struct signer *s, const struct request *r,
    long long now)
{
	unsigned char	mac[EVP_MAX_MD_SIZE];
	size_t		maclen;

	buf_reset(&m->claims);
	buf_reset(&m->token);
	if (gen_claims(m, r, now) == -1 || m->claims.failed)
		return -1;
	if (buf_append(&m->token, s->header64, s->header64len) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    b64url_append(&m->token, m->claims.data, m->claims.len) == -1 ||
	    signer_mac(s, m->token.data, m->token.len, mac, &maclen) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    b64url_append(&m->token, mac, maclen) == -1)
		return -1;
	m->token.data[m->token.len] = '\0';
	return 0;
}
