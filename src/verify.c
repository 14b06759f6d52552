/* verify.c: checks a token the way Jitsi's Prosody does and says which rule fails. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "cas.h"
#include "featureset.h"
#include "jsonkeys.h"
#include "log.h"
#include "nodeprep.h"
#include "rsakey.h"
#include "textsafe.h"
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

/*
 * The decoded JSON as it is, but nothing in it acts on the terminal:
 * controls (C0, DEL, C1), bidi overrides and bytes that are no UTF-8 are
 * shown as \xNN.
 */
static void
show(FILE *out, const char *label, const struct part *p)
{
	fprintf(out, "%s: ", label);
	text_safe_put(out, (const char *)p->bin, p->len);
	putc('\n', out);
}

/* A string from the token, made safe for a message about it. */
#define SAFE(buf, s)	(text_safe(buf, sizeof buf, s, strlen(s), false), buf)

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

/* context.KEY, or context.user.KEY with user set. */
static yajl_val
get_context(yajl_val claims, bool user, const char *key)
{
	const char *path[] = { "context", user ? "user" : key,
	    user ? key : NULL, NULL };

	return yajl_tree_get(claims, path, yajl_t_any);
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

/*
 * Jitsi's wider vocabulary, where a token has it: the features as its web
 * client checks them, the user flags as booleans (their plugins compare
 * with true), group and tenant as strings; each shown on a line of its own.
 */
static int
check_vocabulary(struct check *c, yajl_val claims, FILE *out)
{
	static const char *const flags[] = {
		"lobby_bypass", "security_bypass", "hidden-from-recorder"
	};
	static const char *const strings[] = { "group", "tenant" };
	yajl_val	 v;
	char		 why[200], shown[80];
	size_t		 i;
	bool		 any = false, on;

	if ((v = get_context(claims, false, "features")) != NULL) {
		if (features_claim_check(v, why, sizeof why) == -1)
			return bad(c, "context.features", "%s", why);
		fprintf(out, "features:");
		for (i = 0; i < v->u.object.len; i++)
			if (feature_claim_value(v->u.object.values[i], &on) == 0)
				fprintf(out, " %s=%s", v->u.object.keys[i],
				    on ? "true" : "false");
		fprintf(out, "%s\n", v->u.object.len ? "" : " (none)");
	}
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		if ((v = get_context(claims, true, flags[i])) == NULL)
			continue;
		if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
			return bad(c, "context.user", "%s is not a boolean, which is "
			    "all its plugin reads", flags[i]);
		fprintf(out, "%s%s=%s", any ? " " : "user flags: ", flags[i],
		    YAJL_IS_TRUE(v) ? "true" : "false");
		any = true;
	}
	if (any)
		fputc('\n', out);
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		if ((v = get_context(claims, false, strings[i])) == NULL)
			continue;
		if (!YAJL_IS_STRING(v))
			return bad(c, "context", "%s is not a string", strings[i]);
		log_clean(shown, sizeof shown, v->u.string, strlen(v->u.string));
		fprintf(out, "%s: %s\n", strings[i], shown);
	}
	return 0;
}

/*
 * sub names the domain, or for a room of a tenant ([tenant]room) the
 * tenant. With tenant given, the room being joined is that tenant's; else
 * a token whose context.tenant is its sub is a tenant's token, its rooms
 * [tenant]room.
 */
static int
check_sub(struct check *c, struct cas *cas, yajl_val claims,
    const char *tenant, FILE *out)
{
	yajl_val	 v = get_context(claims, false, "tenant");
	const char	*sub, *own = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
	const char	*why;
	char		 shown[80], x[128], y[128], node[NODEPREP_MAX];
	size_t		 len;

	if ((sub = get_string(claims, "sub")) == NULL)
		return bad(c, "sub", "missing");
	if (tenant != NULL) {
		/* The tenant of [tenant]room is part of a node Prosody prepared. */
		if ((why = nodeprep(tenant, strlen(tenant), node, &len)) != NULL)
			return bad(c, "sub", "no tenant can be named \"%s\": it %s",
			    SAFE(x, tenant), nodeprep_explain(tenant,
			    strlen(tenant), why, y, sizeof y));
		if (strcmp(sub, "*") != 0 && !same_lower(sub, node))
			return bad(c, "sub", "\"%s\" is not the tenant \"%s\"",
			    SAFE(x, sub), SAFE(y, node));
		/* Jitsi's client flags a token whose tenant is not the URL's. */
		if (own != NULL && !same_lower(own, node))
			return bad(c, "tenant", "context.tenant \"%s\" is not the "
			    "tenant \"%s\"", SAFE(x, own), SAFE(y, node));
		return 0;
	}
	if (strcmp(sub, "*") == 0 || same_lower(sub, cas->cfg.domain))
		return 0;
	if (own != NULL && same_lower(sub, own)) {
		log_clean(shown, sizeof shown, own, strlen(own));
		fprintf(out, "note: a token of tenant \"%s\": Jitsi admits it to "
		    "that tenant's rooms only\n", shown);
		return 0;
	}
	return bad(c, "sub", "\"%s\" is not the domain \"%s\"", SAFE(x, sub),
	    SAFE(y, cas->cfg.domain));
}

/*
 * Prosody names the room a user joins by its nodeprep, and Jitsi admits
 * when that equals the claim lowered (ASCII only, as Lua lowers), or the
 * claim is "*".
 */
static int
check_room(struct check *c, const char *claim, const char *room)
{
	const char	*why;
	char		 node[NODEPREP_MAX], a[128], b[128], d[128];
	size_t		 len;

	if ((why = nodeprep(room, strlen(room), node, &len)) != NULL)
		return bad(c, "room", "no room can be named \"%s\": it %s",
		    SAFE(b, room), nodeprep_explain(room, strlen(room), why, d,
		    sizeof d));
	if (strcmp(claim, "*") == 0 || same_lower(claim, node))
		return 0;
	if (strcmp(node, room) == 0)
		return bad(c, "room", "the token is for \"%s\", not \"%s\"",
		    SAFE(a, claim), SAFE(b, node));
	return bad(c, "room", "the token is for \"%s\", not \"%s\" (the room "
	    "Prosody makes of \"%s\")", SAFE(a, claim), SAFE(b, node),
	    SAFE(d, room));
}

static int
check_claims(struct check *c, struct cas *cas, yajl_val claims,
    const char *room, const char *tenant, long long now, FILE *out)
{
	const char	*iss, *r;
	char		 a[128], b[128];

	if (check_times(c, claims, now) == -1)
		return -1;
	if ((iss = get_string(claims, "iss")) == NULL)
		return bad(c, "iss", "missing");
	if (strcmp(iss, cas->cfg.app_id) != 0)
		return bad(c, "iss", "\"%s\" is not the app_id \"%s\"",
		    SAFE(a, iss), SAFE(b, cas->cfg.app_id));
	if (get_any(claims, "aud") == NULL)
		return bad(c, "aud", "missing");
	if ((r = get_string(claims, "room")) == NULL)
		return bad(c, "room", "missing");
	if (room != NULL && check_room(c, r, room) == -1)
		return -1;
	if (check_sub(c, cas, claims, tenant, out) == -1)
		return -1;
	return check_vocabulary(c, claims, out);
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
    struct part *s, const char *token, const char *room, const char *tenant,
    long long now, FILE *out)
{
	const char	*typ, *alg, *why;
	char		 a[320];

	if (decode(h, true) == -1)
		return bad(c, "header", "not base64url-encoded JSON");
	show(out, "header", h);
	if (decode(p, true) == 0)
		show(out, "claims", p);
	/* Prosody's lua-cjson reads the last of two keys, yajl_tree the first. */
	if ((why = json_ambiguity(h->bin, h->len, a, sizeof a)) != NULL)
		return bad(c, "header", "%s", why);
	typ = get_string(h->json, "typ");
	if (typ == NULL || strcmp(typ, "JWT") != 0)
		return bad(c, "typ", "the header's typ is not \"JWT\"");
	alg = get_string(h->json, "alg");
	if (alg == NULL || strcmp(alg, alg_name(cas->signer.alg)) != 0)
		return bad(c, "alg", "the header's alg is \"%s\", expected \"%s\"",
		    alg ? SAFE(a, alg) : "(none)", alg_name(cas->signer.alg));
	if (check_signature(c, cas, h->json, token, (size_t)(s->b64 - 1 - token),
	    s) == -1)
		return -1;
	if (p->json == NULL)
		return bad(c, "claims", "not base64url-encoded JSON");
	if ((why = json_ambiguity(p->bin, p->len, a, sizeof a)) != NULL)
		return bad(c, "claims", "%s", why);
	if (check_claims(c, cas, p->json, room, tenant, now, out) == -1)
		return -1;
	if (get_any(p->json, "exp") == NULL)
		fprintf(out, "note: no exp claim: this token never expires\n");
	return 0;
}

/* Print the token's header and claims and a verdict; 0 valid, 1 invalid. */
int
verify_token(struct cas *cas, const char *token, const char *room,
    const char *tenant, long long now, FILE *out)
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
		    room, tenant, now, out);
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
