/* verify.c: checks a token the way Jitsi's Prosody does and says which rule fails. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "cas.h"
#include "log.h"
#include "rsakey.h"
#include "verify.h"

#define PART_MAX	16384

struct part {
	const char	*b64;
	size_t		 b64len;
	unsigned char	 bin[PART_MAX + 1];
	size_t		 len;
	yajl_val	 json;
};

struct check {
	char	 why[512];
};

/* Record the first rule that failed, and why. */
static int CAS_PRINTF(3, 4)
bad(struct check *c, const char *rule, const char *fmt, ...)
{
	char	detail[400];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(c->why, sizeof c->why, "%s: %s", rule, detail);
	return -1;
}

/* The decoded JSON as it is, but no control character reaches the terminal. */
static void
show(FILE *out, const char *label, const struct part *p)
{
	size_t i;

	fprintf(out, "%s: ", label);
	for (i = 0; i < p->len; i++) {
		unsigned char c = p->bin[i];

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
	putc('\n', out);
}

/* Decode one base64url part; the header and claims must also be JSON objects. */
static int
decode(struct part *p, bool json)
{
	char err[128];

	if (sodium_base642bin(p->bin, PART_MAX, p->b64, p->b64len, NULL, &p->len,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	p->bin[p->len] = '\0';
	if (!json)
		return 0;
	if (strlen((char *)p->bin) != p->len)
		return -1;
	p->json = yajl_tree_parse((char *)p->bin, err, sizeof err);
	return YAJL_IS_OBJECT(p->json) ? 0 : -1;
}

static const char *
get_string(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v = yajl_tree_get(obj, path, yajl_t_any);

	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static yajl_val
get_any(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };

	return yajl_tree_get(obj, path, yajl_t_any);
}

static bool
same_lower(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* exp and nbf, when present, must be numbers; now >= exp or now < nbf rejects. */
static int
check_times(struct check *c, yajl_val claims, long long now)
{
	yajl_val	exp = get_any(claims, "exp"), nbf = get_any(claims, "nbf");
	char		t[32], n[32];

	snprintf(n, sizeof n, "%lld", now);
	if (exp != NULL) {
		if (!YAJL_IS_NUMBER(exp))
			return bad(c, "exp", "not a number");
		snprintf(t, sizeof t, "%.0f", YAJL_GET_DOUBLE(exp));
		if ((double)now >= YAJL_GET_DOUBLE(exp))
			return bad(c, "exp", "expired at %s (now %s)", t, n);
	}
	if (nbf != NULL) {
		if (!YAJL_IS_NUMBER(nbf))
			return bad(c, "nbf", "not a number");
		snprintf(t, sizeof t, "%.0f", YAJL_GET_DOUBLE(nbf));
		if ((double)now < YAJL_GET_DOUBLE(nbf))
			return bad(c, "nbf", "not valid before %s (now %s)", t, n);
	}
	return 0;
}

static int
check_claims(struct check *c, struct cas *cas, yajl_val claims,
    const char *room, long long now)
{
	const char *iss, *r, *sub;

	if (check_times(c, claims, now) == -1)
		return -1;
	if ((iss = get_string(claims, "iss")) == NULL)
		return bad(c, "iss", "missing");
	if (strcmp(iss, cas->cfg.app_id) != 0)
		return bad(c, "iss", "\"%s\" is not the app_id \"%s\"", iss,
		    cas->cfg.app_id);
	if (get_any(claims, "aud") == NULL)
		return bad(c, "aud", "missing");
	if ((r = get_string(claims, "room")) == NULL)
		return bad(c, "room", "missing");
	if (room != NULL && strcmp(r, "*") != 0 && !same_lower(r, room))
		return bad(c, "room", "the token is for \"%s\", not \"%s\"", r, room);
	if ((sub = get_string(claims, "sub")) == NULL)
		return bad(c, "sub", "missing");
	if (strcmp(sub, "*") != 0 && !same_lower(sub, cas->cfg.domain))
		return bad(c, "sub", "\"%s\" is not the domain \"%s\"", sub,
		    cas->cfg.domain);
	return 0;
}

/*
 * The key an RS* token names by its kid, among the configured keys (or
 * those given to verify); a key from a file without kids fits any.
 */
static const struct pubkey *
select_key(struct check *c, const struct config *cfg, yajl_val header,
    enum alg a)
{
	const char	*kid = get_string(header, "kid");
	char		 shown[128];
	size_t		 i;

	if (kid == NULL) {
		bad(c, "kid", "missing: %s tokens must name their key", alg_name(a));
		return NULL;
	}
	log_clean(shown, sizeof shown, kid, strlen(kid));
	for (i = 0; i < cfg->nkeys; i++)
		if (cfg->keys[i].kid == NULL || strcmp(cfg->keys[i].kid, kid) == 0)
			break;
	if (i == cfg->nkeys) {
		bad(c, "kid", "unknown kid \"%s\": none of the %zu keys has it",
		    shown, cfg->nkeys);
		return NULL;
	}
	if (cfg->keys[i].has_alg && cfg->keys[i].alg != a) {
		bad(c, "alg", "the key \"%s\" is for %s, not %s", shown,
		    alg_name(cfg->keys[i].alg), alg_name(a));
		return NULL;
	}
	return &cfg->keys[i];
}

/* The signature over the first len bytes of token: HMAC in constant time, or RSA with the kid's key. */
static int
check_signature(struct check *c, struct cas *cas, yajl_val header,
    const char *token, size_t len, struct part *s)
{
	const struct pubkey	*k;
	unsigned char		 mac[EVP_MAX_MD_SIZE];
	size_t			 maclen;
	enum alg		 a = cas->signer.alg;

	if (!alg_is_rsa(a)) {
		if (decode(s, false) == -1 ||
		    signer_mac(&cas->signer, token, len, mac, &maclen) == -1 ||
		    s->len != maclen || sodium_memcmp(mac, s->bin, maclen) != 0)
			return bad(c, "signature", "does not match: another secret, "
			    "or the token was altered");
		return 0;
	}
	if ((k = select_key(c, &cas->cfg, header, a)) == NULL)
		return -1;
	if (decode(s, false) == -1 ||
	    rsakey_verify(k->pkey, a, token, len, s->bin, s->len) == -1)
		return bad(c, "signature", "does not match the key from %s: "
		    "another key, or the token was altered", k->source);
	return 0;
}

/* Header, then signature in constant time, then claims: Prosody's order. */
static int
check_token(struct check *c, struct cas *cas, struct part *h, struct part *p,
    struct part *s, const char *token, const char *room, long long now,
    FILE *out)
{
	const char	*typ, *alg;

	if (decode(h, true) == -1)
		return bad(c, "header", "not base64url-encoded JSON");
	show(out, "header", h);
	if (decode(p, true) == 0)
		show(out, "claims", p);
	typ = get_string(h->json, "typ");
	if (typ == NULL || strcmp(typ, "JWT") != 0)
		return bad(c, "typ", "the header's typ is not \"JWT\"");
	alg = get_string(h->json, "alg");
	if (alg == NULL || strcmp(alg, alg_name(cas->signer.alg)) != 0)
		return bad(c, "alg", "the header's alg is \"%s\", expected \"%s\"",
		    alg ? alg : "(none)", alg_name(cas->signer.alg));
	if (check_signature(c, cas, h->json, token, (size_t)(s->b64 - 1 - token),
	    s) == -1)
		return -1;
	if (p->json == NULL)
		return bad(c, "claims", "not base64url-encoded JSON");
	if (check_claims(c, cas, p->json, room, now) == -1)
		return -1;
	if (get_any(p->json, "exp") == NULL)
		fprintf(out, "note: no exp claim: this token never expires\n");
	return 0;
}

/* Print the token's header and claims and a verdict; 0 valid, 1 invalid. */
int
verify_token(struct cas *cas, const char *token, const char *room,
    long long now, FILE *out)
{
	struct part	*parts;
	struct check	 c = { "" };
	const char	*d1, *d2;
	int		 rc = -1, i;

	if ((parts = calloc(3, sizeof *parts)) == NULL)
		return EXIT_REFUSED;
	d1 = strchr(token, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (d2 == NULL || strchr(d2 + 1, '.') != NULL)
		bad(&c, "format", "a JWT is three base64url parts joined by dots");
	else {
		parts[0] = (struct part){ .b64 = token, .b64len = (size_t)(d1 - token) };
		parts[1].b64 = d1 + 1;
		parts[1].b64len = (size_t)(d2 - d1 - 1);
		parts[2].b64 = d2 + 1;
		parts[2].b64len = strlen(d2 + 1);
		rc = check_token(&c, cas, &parts[0], &parts[1], &parts[2], token,
		    room, now, out);
	}
	if (rc == 0)
		fprintf(out, "valid\n");
	else
		fprintf(out, "invalid: %s\n", c.why);
	for (i = 0; i < 3; i++)
		yajl_tree_free(parts[i].json);
	free(parts);
	return rc == 0 ? 0 : EXIT_REFUSED;
}
