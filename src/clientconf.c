/* clientconf.c: the clients array of the configuration: its entries' keys and policies, merging, printing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientconf.h"
#include "config.h"
#include "jsonint.h"
#include "log.h"
#include "textsafe.h"
#include "utf8.h"

/* An entry's name goes into log lines as it is: short, and nothing to escape. */
#define NAME_MAX_LEN	64
#define ID_MAX		4294967294ULL	/* (uid_t)-1 means "no user" */

enum ckey { CK_NAME, CK_USER, CK_UID, CK_GROUP, CK_GID, CK_ADDRESS, CK_POLICY,
	CK_COUNT };

static const char *const ckeys[CK_COUNT] = {
	[CK_NAME] = "name", [CK_USER] = "user", [CK_UID] = "uid",
	[CK_GROUP] = "group", [CK_GID] = "gid", [CK_ADDRESS] = "address",
	[CK_POLICY] = "policy",
};

/* The keys that say whom an entry is for; an entry gives exactly one. */
#define MATCH_KEYS	((1u << CK_USER) | (1u << CK_UID) | (1u << CK_GROUP) | \
	(1u << CK_GID) | (1u << CK_ADDRESS))

static const enum client_by by_key[CK_COUNT] = {
	[CK_NAME] = BY_NONE, [CK_USER] = BY_USER, [CK_UID] = BY_UID,
	[CK_GROUP] = BY_GROUP, [CK_GID] = BY_GID, [CK_ADDRESS] = BY_ADDRESS,
	[CK_POLICY] = BY_NONE,
};

static struct client *
entry(struct clients_parser *cp)
{
	return &cp->cfg->clients[cp->cfg->nclients - 1];
}

/* A message about key k of the entry at hand (k -1: the entry itself), or of entry i. */
static int
fail_at(struct clients_parser *cp, size_t i, int k, const char *problem)
{
	snprintf(cp->err, cp->errlen, "clients[%zu]%s%s: %s", i, k >= 0 ? "." : "",
	    k >= 0 ? ckeys[k] : "", problem);
	return 0;
}

static int
fail(struct clients_parser *cp, int k, const char *problem)
{
	return fail_at(cp, cp->cfg->nclients - 1, k, problem);
}

static const char *
type_words(int k)
{
	switch (k) {
	case CK_NAME:
		return "must be 1 to 64 letters, digits, \"-\", \"_\" or \".\"";
	case CK_UID:
	case CK_GID:
		return "must be an integer from 0 to 4294967294";
	case CK_ADDRESS:
		return "must be a string: an IPv4 or IPv6 address or network";
	case CK_POLICY:
		return "must be an object";
	default:
		return "must be a non-empty string";
	}
}

static int
wrong_type(struct clients_parser *cp)
{
	return fail(cp, cp->cur, type_words(cp->cur));
}

static int
value_done(struct clients_parser *cp)
{
	if (cp->ignore == cp->depth)
		cp->ignore = 0;
	cp->cur = -1;
	return 1;
}

static bool
good_name(const unsigned char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
		    s[i] == '.'))
			return false;
	return true;
}

static int
set_string(struct clients_parser *cp, const unsigned char *s, size_t len)
{
	struct client	*c = entry(cp);
	char		*copy;
	const char	*why;
	size_t		 i;

	if (cp->cur == CK_NAME ? !good_name(s, len) :
	    len == 0 || memchr(s, '\0', len) != NULL ||
	    !utf8_valid((const char *)s, len))
		return wrong_type(cp);
	if ((copy = strndup((const char *)s, len)) == NULL)
		return fail(cp, cp->cur, "out of memory");
	if (cp->cur == CK_NAME) {
		for (i = 0; i + 1 < cp->cfg->nclients; i++)
			if (strcmp(cp->cfg->clients[i].name, copy) == 0) {
				free(copy);
				snprintf(cp->err, cp->errlen, "clients[%zu].name: "
				    "clients[%zu] has that name already",
				    cp->cfg->nclients - 1, i);
				return 0;
			}
		c->name = copy;
		return value_done(cp);
	}
	if (cp->cur == CK_ADDRESS && cidr_parse(copy, c, &why) == -1) {
		free(copy);
		return fail(cp, cp->cur, why);
	}
	c->key = copy;
	c->by = by_key[cp->cur];
	return value_done(cp);
}

static int
set_id(struct clients_parser *cp, const char *s, size_t len)
{
	long long n;

	/* A leading digit: no minus, not even "-0". */
	if (len == 0 || s[0] < '0' || s[0] > '9' ||
	    jsonint_parse(s, len, &n) == -1 || (unsigned long long)n > ID_MAX)
		return wrong_type(cp);
	entry(cp)->id = (unsigned long)n;
	entry(cp)->by = by_key[cp->cur];
	return value_done(cp);
}

/* One scalar of an entry: s a string, or num a number's text, or both NULL. */
static int
scalar(struct clients_parser *cp, const unsigned char *s, size_t len,
    const char *num)
{
	if (cp->depth == 1)
		return fail_at(cp, cp->cfg->nclients, -1, "must be an object");
	if (cp->ignore || cp->cur < 0)
		return value_done(cp);
	switch (cp->cur) {
	case CK_UID:
	case CK_GID:
		return num != NULL ? set_id(cp, num, len) : wrong_type(cp);
	case CK_POLICY:
		return wrong_type(cp);
	default:
		return s != NULL ? set_string(cp, s, len) : wrong_type(cp);
	}
}

static int
cb_null(void *ctx)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active)
		return policy_callbacks.yajl_null(&cp->pp);
	return scalar(cp, NULL, 0, NULL);
}

static int
cb_boolean(void *ctx, int b)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active)
		return policy_callbacks.yajl_boolean(&cp->pp, b);
	return scalar(cp, NULL, 0, NULL);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active)
		return policy_callbacks.yajl_number(&cp->pp, s, len);
	return scalar(cp, NULL, len, s);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active)
		return policy_callbacks.yajl_string(&cp->pp, s, len);
	return scalar(cp, s, len, NULL);
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct clients_parser	*cp = ctx;
	int			 k;

	if (cp->pp.active)
		return policy_callbacks.yajl_map_key(&cp->pp, key, len);
	if (cp->ignore)
		return 1;
	for (k = 0; k < CK_COUNT; k++)
		if (strlen(ckeys[k]) == len && memcmp(ckeys[k], key, len) == 0)
			break;
	if (k == CK_COUNT) {
		/* As for the file's other keys: a typo is reported, old files still load. */
		char safe[4 * 64 + 4];

		text_safe(safe, sizeof safe, (const char *)key, len, true);
		log_warn("%s: unknown key \"clients[%zu].%s\" ignored",
		    cp->cfg->path, cp->cfg->nclients - 1, safe);
		cp->ignore = cp->depth;
		return 1;
	}
	if (cp->seen & (1u << k))
		return fail(cp, k, "given more than once");
	cp->seen |= 1u << k;
	cp->cur = k;
	return 1;
}

static int
new_entry(struct clients_parser *cp)
{
	struct config	*cfg = cp->cfg;
	struct client	*grown;

	if ((grown = reallocarray(cfg->clients, cfg->nclients + 1,
	    sizeof *grown)) == NULL)
		return fail_at(cp, cfg->nclients, -1, "out of memory");
	cfg->clients = grown;
	memset(&grown[cfg->nclients], 0, sizeof *grown);
	grown[cfg->nclients].by = BY_NONE;
	cfg->nclients++;
	cp->depth = 2;
	cp->seen = 0;
	cp->cur = -1;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	struct clients_parser	*cp = ctx;
	char			 where[40];

	if (cp->pp.active)
		return policy_callbacks.yajl_start_map(&cp->pp);
	if (cp->depth == 1)
		return new_entry(cp);
	if (cp->ignore || cp->cur < 0) {
		cp->depth++;
		return 1;
	}
	if (cp->cur != CK_POLICY)
		return wrong_type(cp);
	/* Partial: only the keys it gives are set, to go over the top-level policy. */
	snprintf(where, sizeof where, "clients[%zu].policy",
	    cp->cfg->nclients - 1);
	policy_parse_begin(&cp->pp, &entry(cp)->policy, cp->cfg->path, where,
	    cp->err, cp->errlen);
	return 1;
}

static int
cb_start_array(void *ctx)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active)
		return policy_callbacks.yajl_start_array(&cp->pp);
	if (cp->depth == 1)
		return fail_at(cp, cp->cfg->nclients, -1, "must be an object");
	if (cp->ignore || cp->cur < 0) {
		cp->depth++;
		return 1;
	}
	return wrong_type(cp);
}

/* An entry's closing brace: it must say whom it is for, and be named. */
static int
entry_done(struct clients_parser *cp)
{
	unsigned m = cp->seen & MATCH_KEYS;

	if (!(cp->seen & (1u << CK_NAME)))
		return fail(cp, CK_NAME, "missing");
	if (m == 0 || (m & (m - 1)) != 0)
		return fail(cp, -1, "give exactly one of user, uid, group, gid "
		    "and address");
	cp->depth = 1;
	cp->cur = -1;
	return 1;
}

static int
cb_end(void *ctx)
{
	struct clients_parser *cp = ctx;

	if (cp->pp.active) {
		if (!policy_callbacks.yajl_end_map(&cp->pp))
			return 0;
		return cp->pp.active ? 1 : value_done(cp);
	}
	if (cp->depth == 1) {
		cp->active = false;
		return 1;
	}
	if (cp->depth == 2)
		return entry_done(cp);
	cp->depth--;
	return value_done(cp);
}

/* The yajl callbacks of the clients array's contents; the context is a struct clients_parser. */
const yajl_callbacks clients_callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

/*
 * Start parsing the clients array into cfg's table, the array's opening
 * bracket just read. Errors are written to err.
 */
void
clients_parse_begin(struct clients_parser *cp, struct config *cfg, char *err,
    size_t errlen)
{
	memset(cp, 0, sizeof *cp);
	cp->cfg = cfg;
	cp->err = err;
	cp->errlen = errlen;
	cp->depth = 1;
	cp->cur = -1;
	cp->active = true;
	cfg->clients_set = true;
}

/* Each entry's policy becomes its own keys over the top-level policy: 0, or -1 when out of memory. */
int
clients_merge(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nclients; i++)
		if (policy_merge(&cfg->clients[i].policy,
		    &cfg->clients[i].policy, &cfg->policy) == -1)
			return -1;
	return 0;
}

static const char *
match_key(const struct client *c)
{
	switch (c->by) {
	case BY_USER: return "user";
	case BY_UID: return "uid";
	case BY_GROUP: return "group";
	case BY_GID: return "gid";
	default: return "address";
	}
}

/* The table, entry by entry with its effective policy, for check. */
void
clients_print(FILE *out, const struct config *cfg)
{
	const struct client	*c;
	char			 where[40];
	size_t			 i;

	if (!cfg->clients_set) {
		fprintf(out, "clients: (none: every peer is served under policy)\n");
		return;
	}
	if (cfg->nclients == 0)
		fprintf(out, "clients: (empty: every connection is refused)\n");
	for (i = 0; i < cfg->nclients; i++) {
		c = &cfg->clients[i];
		fprintf(out, "clients[%zu].name: %s\n", i, c->name);
		if (c->by == BY_UID || c->by == BY_GID)
			fprintf(out, "clients[%zu].%s: %lu\n", i, match_key(c), c->id);
		else
			fprintf(out, "clients[%zu].%s: %s\n", i, match_key(c), c->key);
		snprintf(where, sizeof where, "clients[%zu].policy", i);
		policy_print(out, &c->policy, where);
	}
}

/* What check warns about: names this system does not know, and each entry's policy. */
void
clients_warn(const struct config *cfg)
{
	const struct client	*c;
	char			 where[40], key[80];
	uid_t			 uid;
	gid_t			 gid;
	size_t			 i;

	if (cfg->clients_set && cfg->nclients == 0)
		log_warn("%s: clients is empty: every connection is refused",
		    cfg->path);
	for (i = 0; i < cfg->nclients; i++) {
		c = &cfg->clients[i];
		if (c->key != NULL)
			log_clean(key, sizeof key, c->key, strlen(c->key));
		if (c->by == BY_USER && identity_uid_named(c->key, &uid) == -1)
			log_warn("%s: clients[%zu].user: no user \"%s\" on this "
			    "system: the entry matches nobody", cfg->path, i, key);
		if (c->by == BY_GROUP && identity_gid_named(c->key, &gid) == -1)
			log_warn("%s: clients[%zu].group: no group \"%s\" on this "
			    "system: the entry matches nobody", cfg->path, i, key);
		snprintf(where, sizeof where, "clients[%zu].policy", i);
		policy_warn(&c->policy, cfg->path, where);
	}
}

void
clients_free(struct client *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].key);
		policy_free(&v[i].policy);
	}
	free(v);
}
