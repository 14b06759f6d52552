/* token.c: a request's claims to a signed Jitsi JWT. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "b64url.h"
#include "config.h"
#include "featureset.h"
#include "json.h"
#include "request.h"
#include "sign.h"
#include "token.h"

/* One claim string; claim strings were checked for strict UTF-8 already. */
static int
claim_string(struct minter *m, const char *s, size_t len)
{
	return json_string(m->g, &m->claims, s, len);
}

/*
 * How much of n bytes of fixed claims is encoded once, in minter_init:
 * base64url is made of 3-byte groups, so a token's encoded claims start
 * with that encoding, and only the bytes after it are encoded per token.
 */
#define ENCODED(n)	((n) / 3 * 3)

/*
 * The claims that are the same in every token of this configuration,
 * {"iss":…,"aud":…,"sub":…,"room" — made once, so each token only has its
 * own strings escaped. A token for a tenant takes it up to "sub": only.
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
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		st |= yajl_gen_string(g, (const unsigned char *)fixed[i],
		    strlen(fixed[i]));
		/* After fixed[4], the key "sub" (yajl writes its colon next). */
		if (i == 4)
			m->subat = m->prefix.len + 1;
	}
	yajl_gen_free(g);
	if (st != yajl_gen_status_ok || buf_append(&m->prefix, ":", 1) == -1 ||
	    m->prefix.failed || m->prefix.data[m->subat - 1] != ':' ||
	    b64url_append(&m->prefix64, m->prefix.data, ENCODED(m->prefix.len)) ||
	    b64url_append(&m->sub64, m->prefix.data, ENCODED(m->subat)) ||
	    (m->g = json_gen(&m->claims)) == NULL)
		return -1;
	return 0;
}

void
minter_free(struct minter *m)
{
	if (m->g != NULL)
		yajl_gen_free(m->g);
	buf_free(&m->prefix);
	buf_free(&m->prefix64);
	buf_free(&m->sub64);
	buf_free(&m->claims);
	buf_free(&m->times);
	buf_free(&m->token);
	memset(m, 0, sizeof *m);
}

/*
 * The fixed prefix up to "room":, with the tenant as sub when there is one,
 * less the part token_mint takes already encoded.
 */
static int
gen_head(struct minter *m, const struct request *r)
{
	struct buf	*c = &m->claims;
	size_t		 from;

	if (r->f[F_TENANT].type != V_STRING) {
		from = ENCODED(m->prefix.len);
		return buf_append(c, m->prefix.data + from, m->prefix.len - from);
	}
	from = ENCODED(m->subat);
	return buf_append(c, m->prefix.data + from, m->subat - from) == -1 ||
	    claim_string(m, r->tenant, r->tenantlen) == -1 ||
	    APPEND_LIT(c, ",\"room\":") == -1 ? -1 : 0;
}

/* Whether the request carries any claim of the wider vocabulary. */
static bool
has_vocabulary(const struct request *r)
{
	return r->token_has_features || r->f[F_LOBBYBYPASS].type == V_BOOL ||
	    r->f[F_SECURITYBYPASS].type == V_BOOL ||
	    r->f[F_HIDDENFROMRECORDER].type == V_BOOL ||
	    r->f[F_GROUP].type == V_STRING || r->f[F_TENANT].type == V_STRING;
}

/*
 * The rest of context.user (the flags, as booleans: their plugins compare
 * with true), then context's features, group and tenant, and the closing
 * braces.
 */
static int
gen_vocabulary(struct minter *m, const struct request *r)
{
	static const struct { enum field f; const char *claim; } flags[] = {
		{ F_LOBBYBYPASS, ",\"lobby_bypass\":" },
		{ F_SECURITYBYPASS, ",\"security_bypass\":" },
		{ F_HIDDENFROMRECORDER, ",\"hidden-from-recorder\":" },
	};
	struct buf	*c = &m->claims;
	size_t		 i;

	for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		if (r->f[flags[i].f].type != V_BOOL)
			continue;
		if (buf_append(c, flags[i].claim, strlen(flags[i].claim)) == -1 ||
		    (r->f[flags[i].f].b ? APPEND_LIT(c, "true") :
		    APPEND_LIT(c, "false")) == -1)
			return -1;
	}
	if (APPEND_LIT(c, "}") == -1 ||
	    (r->token_has_features &&
	    (APPEND_LIT(c, ",\"features\":") == -1 ||
	    featureset_json(c, &r->token_features) == -1)) ||
	    (r->f[F_GROUP].type == V_STRING &&
	    (APPEND_LIT(c, ",\"group\":") == -1 ||
	    claim_string(m, r->f[F_GROUP].s, r->f[F_GROUP].len) == -1)) ||
	    (r->f[F_TENANT].type == V_STRING &&
	    (APPEND_LIT(c, ",\"tenant\":") == -1 ||
	    claim_string(m, r->tenant, r->tenantlen) == -1)))
		return -1;
	return APPEND_LIT(c, "}}");
}

/* The times, remade only when they change: decimal conversion showed in profiles. */
static int
gen_times(struct minter *m, const struct request *r, long long now)
{
	struct buf *t = &m->times;

	if (t->len == 0 || m->times_iat != now || m->times_exp != r->exp) {
		buf_reset(t);
		if (APPEND_LIT(t, ",\"iat\":") == -1 || json_int(t, now) == -1 ||
		    APPEND_LIT(t, ",\"nbf\":") == -1 ||
		    json_int(t, now - NBF_LEEWAY) == -1 ||
		    APPEND_LIT(t, ",\"exp\":") == -1 ||
		    json_int(t, r->exp) == -1) {
			buf_reset(t);
			return -1;
		}
		m->times_iat = now;
		m->times_exp = r->exp;
	}
	return buf_append(&m->claims, t->data, t->len);
}

/*
 * The claims in Jitsi's order: the fixed prefix, room (as Prosody names
 * it), times, then context.user with the moderator flag spelt the ways
 * Jitsi's plugins read it (top-level boolean, affiliation, string), then
 * the wider vocabulary when the request has any of it.
 */
static int
gen_claims(struct minter *m, const struct request *r, long long now)
{
	static const enum field optional[] = { F_EMAIL, F_AVATAR, F_ID };
	struct buf	*c = &m->claims;
	size_t		 i;

	if (gen_head(m, r) == -1 ||
	    claim_string(m, r->room.name, r->room.len) == -1 ||
	    gen_times(m, r, now) == -1 ||
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
	if ((r->moderator ?
	    APPEND_LIT(c, ",\"affiliation\":\"owner\",\"moderator\":\"true\"") :
	    APPEND_LIT(c, ",\"affiliation\":\"member\",\"moderator\":\"false\"")) == -1)
		return -1;
	return has_vocabulary(r) ? gen_vocabulary(m, r) : APPEND_LIT(c, "}}}");
}

/*
 * Mint a token for a request that passed request_validate (strict UTF-8
 * included) into m->token:
 * base64url(header) "." base64url(claims) "." base64url(signature of the two).
 */
int
token_mint(struct minter *m, struct signer *s, const struct request *r,
    long long now)
{
	const struct buf	*fixed64 = r->f[F_TENANT].type == V_STRING ?
				    &m->sub64 : &m->prefix64;
	unsigned char		 sig[SIG_MAX];
	size_t			 siglen;

	buf_reset(&m->claims);
	buf_reset(&m->token);
	if (gen_claims(m, r, now) == -1 || m->claims.failed)
		return -1;
	if (buf_append(&m->token, s->header64, s->header64len) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    buf_append(&m->token, fixed64->data, fixed64->len) == -1 ||
	    b64url_append(&m->token, m->claims.data, m->claims.len) == -1 ||
	    signer_sign(s, m->token.data, m->token.len, sig, &siglen) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    b64url_append(&m->token, sig, siglen) == -1)
		return -1;
	m->token.data[m->token.len] = '\0';
	return 0;
}
