/* token.c: a request's claims to a signed Jitsi JWT. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "b64url.h"
#include "config.h"
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
 * base64url(header) "." base64url(claims) "." base64url(signature of the two).
 */
int
token_mint(struct minter *m, struct signer *s, const struct request *r,
    long long now)
{
	unsigned char	sig[SIG_MAX];
	size_t		siglen;

	buf_reset(&m->claims);
	buf_reset(&m->token);
	if (gen_claims(m, r, now) == -1 || m->claims.failed)
		return -1;
	if (buf_append(&m->token, s->header64, s->header64len) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    b64url_append(&m->token, m->claims.data, m->claims.len) == -1 ||
	    signer_sign(s, m->token.data, m->token.len, sig, &siglen) == -1 ||
	    buf_append(&m->token, ".", 1) == -1 ||
	    b64url_append(&m->token, sig, siglen) == -1)
		return -1;
	m->token.data[m->token.len] = '\0';
	return 0;
}
