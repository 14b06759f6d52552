/* policyconf.c: a policy object of the configuration: its keys wherever it appears, merging, printing. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonint.h"
#include "log.h"
#include "nodeprep.h"
#include "policyconf.h"
#include "textsafe.h"
#include "utf8.h"

enum ptype { P_INT, P_BOOL, P_GLOBS, P_GROUP, P_FEATUREMAP, P_FEATURELIST };

/*
 * Every key of a policy object, by its path inside the object, and where
 * in struct policy it goes: the same table serves a policy wherever the
 * configuration holds one.
 */
static const struct pkey {
	const char	*path;
	int		 parent;	/* the object key it is a member of, or -1 */
	enum ptype	 type;
	size_t		 off;
	size_t		 offn;		/* P_GLOBS: where the count goes */
	long long	 min, max;	/* P_INT */
} pkeys[PK_COUNT] = {
	[PK_MAX_VALID_FOR] = { "max_valid_for", -1, P_INT,
	    offsetof(struct policy, max_valid_for), 0, 1, LLONG_MAX },
	[PK_ALLOW_MODERATOR] = { "allow_moderator", -1, P_BOOL,
	    offsetof(struct policy, allow_moderator), 0, 0, 0 },
	[PK_ROOMS] = { "rooms", -1, P_GLOBS, offsetof(struct policy, rooms),
	    offsetof(struct policy, nrooms), 0, 0 },
	[PK_ALLOW_ALL_ROOMS] = { "allow_all_rooms", -1, P_BOOL,
	    offsetof(struct policy, allow_all_rooms), 0, 0, 0 },
	[PK_FEATURES] = { "features", -1, P_GROUP, 0, 0, 0, 0 },
	[PK_FEATURES_MODERATOR] = { "features.moderator", PK_FEATURES,
	    P_FEATUREMAP, offsetof(struct policy, moderator_features), 0, 0, 0 },
	[PK_FEATURES_MEMBER] = { "features.member", PK_FEATURES, P_FEATUREMAP,
	    offsetof(struct policy, member_features), 0, 0, 0 },
	[PK_FEATURES_REQUESTABLE] = { "features.requestable", PK_FEATURES,
	    P_FEATURELIST, offsetof(struct policy, requestable), 0, 0, 0 },
	[PK_ALLOW_LOBBY_BYPASS] = { "allow_lobby_bypass", -1, P_BOOL,
	    offsetof(struct policy, allow_lobby_bypass), 0, 0, 0 },
	[PK_ALLOW_SECURITY_BYPASS] = { "allow_security_bypass", -1, P_BOOL,
	    offsetof(struct policy, allow_security_bypass), 0, 0, 0 },
	[PK_ALLOW_HIDDEN_FROM_RECORDER] = { "allow_hidden_from_recorder", -1,
	    P_BOOL, offsetof(struct policy, allow_hidden_from_recorder), 0, 0, 0 },
	[PK_TENANTS] = { "tenants", -1, P_GLOBS, offsetof(struct policy, tenants),
	    offsetof(struct policy, ntenants), 0, 0 },
};

static const char *const type_words[] = {
	[P_INT] = "must be an integer",
	[P_BOOL] = "must be true or false",
	[P_GLOBS] = "must be an array of strings",
	[P_GROUP] = "must be an object",
	[P_FEATUREMAP] = "must be an object of feature names and true or false",
	[P_FEATURELIST] = "must be an array of feature names",
};

static void *
field(struct policy *p, size_t off)
{
	return (char *)p + off;
}

static const void *
cfield(const struct policy *p, size_t off)
{
	return (const char *)p + off;
}

/* The last segment of a key's path: its name in its object. */
static const char *
name_of(const struct pkey *k)
{
	const char *dot = strrchr(k->path, '.');

	return dot ? dot + 1 : k->path;
}

static int
fail(struct policy_parser *pp, const char *path, const char *problem)
{
	snprintf(pp->err, pp->errlen, "%s.%s: %s", pp->where, path, problem);
	return 0;
}

static int
wrong_type(struct policy_parser *pp, int k)
{
	return fail(pp, pkeys[k].path, type_words[pkeys[k].type]);
}

/* A feature name from the file, quoted for a message (cut, escaped). */
static int
not_a_feature(struct policy_parser *pp, int k, const void *s, size_t len)
{
	char	name[80], problem[128];

	log_clean(name, sizeof name, s, len);
	snprintf(problem, sizeof problem, "\"%s\" is not a Jitsi feature", name);
	return fail(pp, pkeys[k].path, problem);
}

/* The key whose value is open at the current depth, or -1 for the policy itself. */
static int
container(const struct policy_parser *pp)
{
	return pp->depth < (int)(sizeof pp->in / sizeof pp->in[0]) ?
	    pp->in[pp->depth] : -1;
}

static bool
is_list(int k)
{
	return k >= 0 && (pkeys[k].type == P_GLOBS ||
	    pkeys[k].type == P_FEATURELIST);
}

static bool
is_map(int k)
{
	return k >= 0 && pkeys[k].type == P_FEATUREMAP;
}

/* A member's value is complete. */
static int
value_done(struct policy_parser *pp)
{
	if (pp->ignore == pp->depth)
		pp->ignore = 0;
	pp->cur = -1;
	pp->feature = -1;
	return 1;
}

/*
 * A room or tenant pattern is prepared as Prosody prepares the names it will
 * be matched against (nodeprep): a pattern in capitals or in full width
 * matches the rooms Prosody makes of such names.
 */
static int
add_glob(struct policy_parser *pp, int k, const unsigned char *s, size_t len)
{
	char	***list = field(pp->p, pkeys[k].off), *copy, **grown;
	size_t	  *n = field(pp->p, pkeys[k].offn), plen;
	const char *why;
	char	 prep[NODEPREP_MAX], detail[96], what[200], shown[64];

	if (len == 0 || memchr(s, '\0', len) != NULL)
		return fail(pp, pkeys[k].path, "must hold non-empty strings");
	if (!utf8_valid((const char *)s, len))
		return fail(pp, pkeys[k].path, "must hold valid UTF-8");
	if ((why = nodeprep((const char *)s, len, prep, &plen)) != NULL) {
		text_safe(shown, sizeof shown, (const char *)s, len, true);
		snprintf(what, sizeof what, "\"%s\" %s", shown,
		    nodeprep_explain((const char *)s, len, why, detail,
		    sizeof detail));
		return fail(pp, pkeys[k].path, what);
	}
	if ((copy = strndup(prep, plen)) == NULL ||
	    (grown = reallocarray(*list, *n + 1, sizeof *grown)) == NULL) {
		free(copy);
		return fail(pp, pkeys[k].path, "out of memory");
	}
	*list = grown;
	grown[(*n)++] = copy;
	return 1;
}

/* An element of an open array: a pattern or a feature name. */
static int
element(struct policy_parser *pp, int k, const unsigned char *s, size_t len)
{
	int f;

	if (s == NULL)
		return wrong_type(pp, k);
	if (pkeys[k].type == P_GLOBS)
		return add_glob(pp, k, s, len);
	if ((f = feature_lookup((const char *)s, len)) == -1)
		return not_a_feature(pp, k, s, len);
	*(uint32_t *)field(pp->p, pkeys[k].off) |= FEATURE_BIT(f);
	return 1;
}

static int
feature_value(struct policy_parser *pp, int k, int b)
{
	char path[128];

	if (b == -1) {
		snprintf(path, sizeof path, "%s.%s", pkeys[k].path,
		    feature_names[pp->feature]);
		return fail(pp, path, type_words[P_BOOL]);
	}
	featureset_put(field(pp->p, pkeys[k].off), pp->feature, b != 0);
	return value_done(pp);
}

/*
 * One scalar: b is 0 or 1 for a boolean, -1 otherwise; s is a string, or
 * num a number's text, or both NULL for null.
 */
static int
scalar(struct policy_parser *pp, int b, const unsigned char *s, size_t len,
    const char *num)
{
	int		 c = container(pp), k = pp->cur;
	long long	 n;
	char		 word[64];

	if (pp->ignore)
		return value_done(pp);
	if (is_list(c))
		return element(pp, c, s, len);
	if (is_map(c))
		return feature_value(pp, c, b);
	if (k < 0)
		return value_done(pp);
	switch (pkeys[k].type) {
	case P_BOOL:
		if (b == -1)
			return wrong_type(pp, k);
		*(bool *)field(pp->p, pkeys[k].off) = b != 0;
		return value_done(pp);
	case P_INT:
		if (num == NULL || jsonint_parse(num, len, &n) == -1)
			return wrong_type(pp, k);
		if (n < pkeys[k].min || n > pkeys[k].max) {
			snprintf(word, sizeof word, "must be at least %lld",
			    pkeys[k].min);
			return fail(pp, pkeys[k].path, word);
		}
		*(long long *)field(pp->p, pkeys[k].off) = n;
		return value_done(pp);
	default:
		return wrong_type(pp, k);
	}
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, -1, NULL, 0, NULL);
}

static int
cb_boolean(void *ctx, int b)
{
	return scalar(ctx, b != 0, NULL, 0, NULL);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, -1, NULL, len, s);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, -1, s, len, NULL);
}

static int
lookup(int parent, const unsigned char *key, size_t len)
{
	const char	*name;
	int		 k;

	/* A dot or NUL inside a key must not make "features.member" an alias. */
	if (memchr(key, '.', len) != NULL || memchr(key, '\0', len) != NULL)
		return -1;
	for (k = 0; k < PK_COUNT; k++) {
		name = name_of(&pkeys[k]);
		if (pkeys[k].parent == parent && strlen(name) == len &&
		    memcmp(name, key, len) == 0)
			return k;
	}
	return -1;
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct policy_parser	*pp = ctx;
	struct featureset	*fs;
	char			 path[128];
	int			 c = container(pp), k, f;

	if (pp->ignore)
		return 1;
	if (is_map(c)) {
		if ((f = feature_lookup((const char *)key, len)) == -1)
			return not_a_feature(pp, c, key, len);
		fs = field(pp->p, pkeys[c].off);
		if (fs->given & FEATURE_BIT(f)) {
			snprintf(path, sizeof path, "%s.%s", pkeys[c].path,
			    feature_names[f]);
			return fail(pp, path, "given more than once");
		}
		pp->feature = f;
		return 1;
	}
	if ((k = lookup(c, key, len)) == -1) {
		/* As for the file's other keys: a typo is reported, old files still load. */
		char safe[4 * 64 + 4];

		text_safe(safe, sizeof safe, (const char *)key, len, true);
		log_warn("%s: unknown key \"%s.%s%s%s\" ignored", pp->file,
		    pp->where, c >= 0 ? pkeys[c].path : "", c >= 0 ? "." : "",
		    safe);
		pp->ignore = pp->depth;
		return 1;
	}
	if (pp->p->given & PK_BIT(k))
		return fail(pp, pkeys[k].path, "given more than once");
	pp->p->given |= PK_BIT(k);
	pp->cur = k;
	return 1;
}

static int
open_value(struct policy_parser *pp, bool object)
{
	int c = container(pp), k = pp->cur;

	if (pp->ignore) {
		if (pp->depth == POLICY_DEPTH)
			return fail(pp, "(value)", "nested too deeply");
		pp->depth++;
		return 1;
	}
	if (is_list(c))
		return wrong_type(pp, c);
	if (is_map(c))
		return feature_value(pp, c, -1);
	if (k < 0)
		return fail(pp, "(value)", "unexpected");
	if (object ? pkeys[k].type != P_GROUP && pkeys[k].type != P_FEATUREMAP :
	    pkeys[k].type != P_GLOBS && pkeys[k].type != P_FEATURELIST)
		return wrong_type(pp, k);
	/* A list given empty is a policy too: rooms: [] allows no room. */
	if (pkeys[k].type == P_GLOBS &&
	    *(char ***)field(pp->p, pkeys[k].off) == NULL &&
	    (*(char ***)field(pp->p, pkeys[k].off) = calloc(1,
	    sizeof(char *))) == NULL)
		return fail(pp, pkeys[k].path, "out of memory");
	pp->depth++;
	pp->in[pp->depth] = k;
	pp->cur = -1;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return open_value(ctx, true);
}

static int
cb_start_array(void *ctx)
{
	return open_value(ctx, false);
}

static int
cb_end(void *ctx)
{
	struct policy_parser *pp = ctx;

	if (--pp->depth == 0) {
		pp->active = false;
		return 1;
	}
	return value_done(pp);
}

/* The yajl callbacks of a policy object's members; the context is a struct policy_parser. */
const yajl_callbacks policy_callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

/*
 * Start parsing the policy object at key where of file into p, the
 * object's opening brace just read. The keys it gives are marked in
 * p->given, so a second policy parsed this way can be merged over a base.
 * Errors are written to err, prefixed with where.
 */
void
policy_parse_begin(struct policy_parser *pp, struct policy *p,
    const char *file, const char *where, char *err, size_t errlen)
{
	memset(pp, 0, sizeof *pp);
	pp->p = p;
	pp->file = file;
	snprintf(pp->where, sizeof pp->where, "%s", where);
	pp->err = err;
	pp->errlen = errlen;
	pp->depth = 1;
	pp->in[1] = -1;
	pp->cur = pp->feature = -1;
	pp->active = true;
}

static int
copy_globs(struct policy *dst, const struct policy *src, const struct pkey *k)
{
	char		**const *from = cfield(src, k->off);
	const size_t	 *n = cfield(src, k->offn);
	char		**list;
	size_t		  i;

	if (*from == NULL)
		return 0;
	if ((list = calloc(*n + 1, sizeof *list)) == NULL)
		return -1;
	*(char ***)field(dst, k->off) = list;
	for (i = 0; i < *n; i++) {
		if ((list[i] = strdup((*from)[i])) == NULL)
			return -1;
		(*(size_t *)field(dst, k->offn))++;
	}
	return 0;
}

/*
 * *dst becomes over's value of each key over gave, and base's of the
 * others: a policy of a part of the configuration over the top-level one.
 * dst may be over or base, or an empty or loaded policy, which is freed;
 * 0, or -1 when out of memory, leaving dst untouched.
 */
int
policy_merge(struct policy *dst, const struct policy *over,
    const struct policy *base)
{
	struct policy		 m;
	const struct policy	*from;
	const struct pkey	*k;
	int			 i;

	memset(&m, 0, sizeof m);
	for (i = 0; i < PK_COUNT; i++) {
		k = &pkeys[i];
		from = (over->given & PK_BIT(i)) ? over : base;
		switch (k->type) {
		case P_INT:
			*(long long *)field(&m, k->off) =
			    *(const long long *)cfield(from, k->off);
			break;
		case P_BOOL:
			*(bool *)field(&m, k->off) =
			    *(const bool *)cfield(from, k->off);
			break;
		case P_FEATUREMAP:
			*(struct featureset *)field(&m, k->off) =
			    *(const struct featureset *)cfield(from, k->off);
			break;
		case P_FEATURELIST:
			*(uint32_t *)field(&m, k->off) =
			    *(const uint32_t *)cfield(from, k->off);
			break;
		case P_GLOBS:
			if (copy_globs(&m, from, k) == -1) {
				policy_free(&m);
				return -1;
			}
			break;
		case P_GROUP:
			break;
		}
	}
	m.given = over->given | base->given;
	policy_free(dst);
	*dst = m;
	return 0;
}

static void
print_globs(FILE *out, const struct policy *p, const char *where, int k,
    const char *absent)
{
	char	**const *list = cfield(p, pkeys[k].off);
	size_t	  n = *(const size_t *)cfield(p, pkeys[k].offn), i;

	fprintf(out, "%s.%s:", where, pkeys[k].path);
	if (*list == NULL)
		fprintf(out, " %s", absent);
	for (i = 0; *list != NULL && i < n; i++)
		fprintf(out, " %s", (*list)[i]);
	fprintf(out, "%s\n", *list != NULL && n == 0 ? " (none)" : "");
}

static void
print_bool(FILE *out, const struct policy *p, const char *where, int k)
{
	fprintf(out, "%s.%s: %s\n", where, pkeys[k].path,
	    *(const bool *)cfield(p, pkeys[k].off) ? "true" : "false");
}

static void
print_features(FILE *out, const struct policy *p, const char *where, int k)
{
	fprintf(out, "%s.%s: ", where, pkeys[k].path);
	if (p->given & PK_BIT(k))
		featureset_print(out, cfield(p, pkeys[k].off));
	else
		fprintf(out, "(not set)");
	fputc('\n', out);
}

/* The effective policy, one "where.key: value" line per key, for check. */
void
policy_print(FILE *out, const struct policy *p, const char *where)
{
	if (p->max_valid_for > 0)
		fprintf(out, "%s.max_valid_for: %lld\n", where, p->max_valid_for);
	else
		fprintf(out, "%s.max_valid_for: (no limit)\n", where);
	print_bool(out, p, where, PK_ALLOW_MODERATOR);
	print_globs(out, p, where, PK_ROOMS, "(any room)");
	/* Consulted only with a room list, so shown only then. */
	if (p->rooms != NULL)
		print_bool(out, p, where, PK_ALLOW_ALL_ROOMS);
	print_features(out, p, where, PK_FEATURES_MODERATOR);
	print_features(out, p, where, PK_FEATURES_MEMBER);
	fprintf(out, "%s.features.requestable: ", where);
	featurelist_print(out, p->requestable);
	fputc('\n', out);
	print_bool(out, p, where, PK_ALLOW_LOBBY_BYPASS);
	print_bool(out, p, where, PK_ALLOW_SECURITY_BYPASS);
	print_bool(out, p, where, PK_ALLOW_HIDDEN_FROM_RECORDER);
	print_globs(out, p, where, PK_TENANTS, "(none: a request's tenant is refused)");
}

/* A pattern of stars alone, which every room's name matches. */
static const char *
any_room_glob(const struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nrooms; i++)
		if (p->rooms[i][strspn(p->rooms[i], "*")] == '\0')
			return p->rooms[i];
	return NULL;
}

/* What check warns about in a policy: moderator tokens for every room. */
void
policy_warn(const struct policy *p, const char *file, const char *where)
{
	const char *glob;

	if (!p->allow_moderator)
		return;
	if (p->rooms != NULL && (glob = any_room_glob(p)) != NULL)
		log_warn("%s: %s allows moderator tokens for every room: its "
		    "pattern \"%s\" matches every name; set %s.allow_moderator "
		    "to false or list the rooms", file, where, glob, where);
	else if (p->rooms == NULL)
		log_warn("%s: %s allows moderator tokens for every room: set "
		    "%s.allow_moderator to false or list %s.rooms", file, where,
		    where, where);
	else if (p->allow_all_rooms)
		log_warn("%s: %s allows moderator tokens for every room: set "
		    "%s.allow_moderator or %s.allow_all_rooms to false", file,
		    where, where, where);
}
