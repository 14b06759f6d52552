/* token.c: claims to a signed Jitsi JWT, with the HMAC key set up once. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <sodium.h>

#include "config.h"
#include "request.h"
#include "secret.h"
#include "token.h"

static const struct {
	const char	*name;
	const char	*digest;
} algs[] = {
	[ALG_HS256] = { "HS256", "SHA256" },
	[ALG_HS384] = { "HS384", "SHA384" },
	[ALG_HS512] = { "HS512", "SHA512" },
};

const char *
alg_name(enum alg a)
{
	return algs[a].name;
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

/* Unpadded base64url, as JWS requires (RFC 7515 section 2). */
int
b64url_append(struct buf *b, const void *p, size_t n)
{
	size_t need = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	if (buf_reserve(b, need) == -1)
		return -1;
	sodium_bin2base64(b->data + b->len, need, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	b->len += need - 1;
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

static void
print_to_buf(void *ctx, const char *s, size_t len)
{
	(void)buf_append(ctx, s, len);
}

int
minter_init(struct minter *m)
{
	memset(m, 0, sizeof *m);
	if ((m->g = yajl_gen_alloc(NULL)) == NULL)
		return -1;
	yajl_gen_config(m->g, yajl_gen_print_callback, print_to_buf, &m->claims);
	/* Names from the command line have not been through the parser. */
	yajl_gen_config(m->g, yajl_gen_validate_utf8, 1);
	return 0;
}

void
minter_free(struct minter *m)
{
	if (m->g != NULL)
		yajl_gen_free(m->g);
	buf_free(&m->claims);
	buf_free(&m->token);
	memset(m, 0, sizeof *m);
}

/* yajl_gen_status_ok is 0, so OR-ing the statuses tells if any call failed. */
#define KEY(g, k)	yajl_gen_string(g, (const unsigned char *)k, sizeof k - 1)

static int
gen_str(yajl_gen g, const char *s, size_t len)
{
	return yajl_gen_string(g, (const unsigned char *)s, len);
}

static int
gen_cstr(yajl_gen g, const char *s)
{
	return gen_str(g, s, strlen(s));
}

/* context.user, with the moderator flag spelt the ways Jitsi's plugins read it. */
static int
gen_user(yajl_gen g, const struct request *r)
{
	static const enum field optional[] = { F_EMAIL, F_AVATAR, F_ID };
	int	st = 0;
	size_t	i;

	st |= KEY(g, "user");
	st |= yajl_gen_map_open(g);
	st |= KEY(g, "name");
	st |= gen_str(g, r->f[F_DISPLAYNAME].s, r->f[F_DISPLAYNAME].len);
	for (i = 0; i < sizeof optional / sizeof optional[0]; i++) {
		const struct value *v = &r->f[optional[i]];

		if (v->type != V_STRING)
			continue;
		st |= gen_cstr(g, field_names[optional[i]]);
		st |= gen_str(g, v->s, v->len);
	}
	st |= KEY(g, "affiliation");
	st |= r->moderator ? KEY(g, "owner") : KEY(g, "member");
	st |= KEY(g, "moderator");
	st |= r->moderator ? KEY(g, "true") : KEY(g, "false");
	st |= yajl_gen_map_close(g);
	return st;
}

static int
gen_claims(yajl_gen g, const struct config *cfg, const struct request *r,
    long long now)
{
	int st = 0;

	st |= yajl_gen_map_open(g);
	st |= KEY(g, "iss");
	st |= gen_cstr(g, cfg->app_id);
	st |= KEY(g, "aud");
	st |= gen_cstr(g, cfg->audience);
	st |= KEY(g, "sub");
	st |= gen_cstr(g, cfg->domain);
	st |= KEY(g, "room");
	st |= gen_str(g, r->f[F_CHANNEL].s, r->f[F_CHANNEL].len);
	st |= KEY(g, "iat");
	st |= yajl_gen_integer(g, now);
	st |= KEY(g, "nbf");
	st |= yajl_gen_integer(g, now - NBF_LEEWAY);
	st |= KEY(g, "exp");
	st |= yajl_gen_integer(g, r->exp);
	st |= KEY(g, "moderator");
	st |= yajl_gen_bool(g, r->moderator);
	st |= KEY(g, "context");
	st |= yajl_gen_map_open(g);
	st |= gen_user(g, r);
	st |= yajl_gen_map_close(g);
	st |= yajl_gen_map_close(g);
	return st;
}

/*
 * Mint a token for a validated request into m->token:
 * base64url(header) "." base64url(claims) "." base64url(HMAC of the two).
 */
int
token_mint(struct minter *m, struct signer *s, const struct config *cfg,
    const struct request *r, long long now)
{
	unsigned char	mac[EVP_MAX_MD_SIZE];
	size_t		maclen;

	buf_reset(&m->claims);
	buf_reset(&m->token);
	yajl_gen_reset(m->g, NULL);
	if (gen_claims(m->g, cfg, r, now) != yajl_gen_status_ok ||
	    m->claims.failed)
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
