/* request.c: one request's fields, parsed from JSON as it streams in, and their rules. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "featureset.h"
#include "nodeprep.h"
#include "jsonint.h"
#include "request.h"
#include "utf8.h"

/* In enum field's order; the lengths come from the same list. */
#define FIELD_LIST \
	X("cmd") X("displayName") X("channel") X("moderator") X("email") \
	X("avatar") X("id") X("validFor") X("validUntil") X("seq") \
	X("features") X("lobbyBypass") X("securityBypass") \
	X("hiddenFromRecorder") X("group") X("tenant")

const char *const field_names[F_COUNT] = {
#define X(name)	name,
	FIELD_LIST
#undef X
};

static const size_t field_lens[F_COUNT] = {
#define X(name)	sizeof name - 1,
	FIELD_LIST
#undef X
};

/* Said of a second value and of anything else after the object. */
#define TWO_VALUES	"more than one JSON value in the request"

/* The one command there is. */
#define JWT_CMD		"jwt_token"

/* Strings are copied with their terminators; this covers the terminators. */
#define ARENA_SLACK	(2 * F_COUNT)

/* The first error of a request is the one reported. */
void
request_fail(struct request *r, const char *msg)
{
	if (r->error == NULL)
		r->error = msg;
}

/* Field names are short: comparing in line costs less than calling memcmp. */
static int
lookup_field(const unsigned char *key, size_t len)
{
	size_t	j;
	int	i;

	for (i = 0; i < F_COUNT; i++) {
		if (field_lens[i] != len)
			continue;
		for (j = 0; j < len && field_names[i][j] == (char)key[j]; j++)
			;
		if (j == len)
			return i;
	}
	return F_COUNT;
}

/* A value starts at the top level: it must be the request's only object. */
static void
top_value(struct reqparser *p, bool is_object)
{
	if (p->complete) {
		p->extra = true;
		request_fail(&p->req, TWO_VALUES);
	} else if (!is_object)
		request_fail(&p->req, "request must be a JSON object");
}

/* Record the value of a top-level field; repeated fields are marked, not overwritten. */
static int
set_value(struct reqparser *p, enum vtype type, const void *s, size_t len,
    bool b)
{
	struct value	*v;
	int		 f = p->key;

	/* Fields of a second value (an error already) must not clobber the first's seq. */
	if (p->depth != 1 || f == F_COUNT || p->complete)
		return 1;
	p->key = F_COUNT;
	v = &p->req.f[f];
	if (v->type != V_ABSENT) {
		v->type = V_DUP;
		return 1;
	}
	/* seq is echoed in the reply: a reply must stay valid JSON. */
	if (type == V_STRING && f == F_SEQ && !utf8_valid(s, len)) {
		request_fail(&p->req, "seq is not valid UTF-8");
		return 1;
	}
	v->type = type;
	v->b = b;
	if (type == V_STRING || type == V_NUMBER) {
		/* Cannot happen while the framer bounds the request; kept as a guard. */
		if (len >= p->cap - p->used) {
			request_fail(&p->req, "request too large");
			v->type = V_COMPOUND;
			return 1;
		}
		v->s = p->arena + p->used;
		v->len = len;
		memcpy(p->arena + p->used, s, len);
		p->arena[p->used + len] = '\0';
		p->used += len + 1;
	}
	return 1;
}

/* The first problem inside the features object is the one reported. */
static void
feature_fail(struct reqparser *p, const char *name, size_t len,
    const char *problem)
{
	struct request	*r = &p->req;
	size_t		 i;

	if (r->features_error != NULL)
		return;
	/* Name the member only when it is short, printable ASCII. */
	for (i = 0; i < len && (unsigned char)name[i] >= 0x20 &&
	    (unsigned char)name[i] < 0x7f; i++)
		;
	if (i == len && len <= 40)
		snprintf(r->features_errbuf, sizeof r->features_errbuf,
		    "features.%.*s %s", (int)len, name, problem);
	else
		snprintf(r->features_errbuf, sizeof r->features_errbuf,
		    "features has a member that %s", problem);
	r->features_error = r->features_errbuf;
}

/* A member's name inside features: one of Jitsi's features, once. */
static void
feature_key(struct reqparser *p, const unsigned char *key, size_t len)
{
	int f = feature_lookup((const char *)key, len);

	p->feature = -1;
	if (f == -1)
		feature_fail(p, (const char *)key, len, "is not a Jitsi feature");
	else if (p->req.features.given & FEATURE_BIT(f))
		feature_fail(p, (const char *)key, len, "given more than once");
	else
		p->feature = f;
}

/* A member's value inside features: true or false. */
static int
feature_value(struct reqparser *p, enum vtype type, bool b)
{
	const char *name;

	if (p->feature >= 0) {
		name = feature_names[p->feature];
		if (type != V_BOOL)
			feature_fail(p, name, strlen(name), "must be true or false");
		else
			featureset_put(&p->req.features, p->feature, b);
	}
	p->feature = -1;
	return 1;
}

static int
scalar(struct reqparser *p, enum vtype type, const void *s, size_t len, bool b)
{
	if (p->depth == 0) {
		top_value(p, false);
		p->complete = true;
		return 1;
	}
	if (p->depth == 2 && p->in_features)
		return feature_value(p, type, b);
	return set_value(p, type, s, len, b);
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, V_NULL, NULL, 0, false);
}

static int
cb_boolean(void *ctx, int b)
{
	return scalar(ctx, V_BOOL, NULL, 0, b != 0);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, V_NUMBER, s, len, false);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, V_STRING, s, len, false);
}

static int
open_compound(struct reqparser *p, bool is_object)
{
	if (p->depth == 0)
		top_value(p, is_object);
	else if (p->depth == 2 && p->in_features)
		feature_value(p, V_COMPOUND, false);
	else {
		/* Only the first features object of the request is read into it. */
		if (p->depth == 1 && p->key == F_FEATURES && is_object &&
		    p->req.f[F_FEATURES].type == V_ABSENT && !p->complete)
			p->in_features = true;
		set_value(p, V_COMPOUND, NULL, 0, is_object);
	}
	p->depth++;
	return 1;
}

static int
close_compound(struct reqparser *p)
{
	/* Inside a callback yajl's count is the offset just past this brace. */
	if (--p->depth == 0) {
		p->complete = true;
		p->endoff = yajl_get_bytes_consumed(p->h);
	}
	if (p->depth == 1)
		p->in_features = false;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return open_compound(ctx, true);
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct reqparser *p = ctx;

	if (p->depth == 1)
		p->key = lookup_field(key, len);
	else if (p->depth == 2 && p->in_features)
		feature_key(p, key, len);
	return 1;
}

static int
cb_end(void *ctx)
{
	return close_compound(ctx);
}

static int
cb_start_array(void *ctx)
{
	return open_compound(ctx, false);
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

static int
new_handle(struct reqparser *p)
{
	if (p->h != NULL)
		yajl_free(p->h);
	if ((p->h = yajl_alloc(&callbacks, NULL, p)) == NULL)
		return -1;
	/* One handle parses request after request: it is rebuilt only after an error. */
	yajl_config(p->h, yajl_allow_multiple_values, 1);
	p->broken = false;
	return 0;
}

int
reqparser_init(struct reqparser *p, size_t max_bytes)
{
	memset(p, 0, sizeof *p);
	p->cap = max_bytes + ARENA_SLACK;
	if ((p->arena = malloc(p->cap)) == NULL)
		return -1;
	p->key = F_COUNT;
	p->feature = -1;
	if (new_handle(p) == -1) {
		free(p->arena);
		return -1;
	}
	return 0;
}

void
reqparser_free(struct reqparser *p)
{
	if (p->h != NULL)
		yajl_free(p->h);
	free(p->arena);
	memset(p, 0, sizeof *p);
}

/* Feed part of a request; -1 once the JSON is malformed (the request is then failed). */
int
reqparser_feed(struct reqparser *p, const unsigned char *s, size_t len)
{
	unsigned char	*msg;
	size_t		 n;

	if (p->broken)
		return -1;
	for (n = len; n > 0 && json_space(s[n - 1]); n--)
		;
	p->endoff = 0;
	if (yajl_parse(p->h, s, len) == yajl_status_ok) {
		/*
		 * A byte past the object's closing brace starts another value,
		 * which yajl may hold unfinished (a string) into the next
		 * request: only white space may follow the object.
		 */
		if (p->complete && n > p->endoff)
			p->extra = true;
		return 0;
	}
	p->broken = true;
	msg = yajl_get_error(p->h, 0, s, len);
	n = msg ? strcspn((char *)msg, "\n") : 0;
	snprintf(p->req.errbuf, sizeof p->req.errbuf, "malformed JSON: %.*s",
	    (int)n, msg ? (char *)msg : "");
	if (msg)
		yajl_free_error(p->h, msg);
	request_fail(&p->req, p->req.errbuf);
	return -1;
}

/*
 * The request's terminator arrived. A space flushes a value yajl may still
 * hold (a top-level number), for the right message. yajl holds nothing,
 * and is reused, only when the object's closing brace was the last thing
 * but white space that it was fed.
 */
void
reqparser_finish(struct reqparser *p)
{
	if (!p->broken && !p->complete)
		(void)reqparser_feed(p, (const unsigned char *)" ", 1);
	if (p->extra)
		request_fail(&p->req, TWO_VALUES);
	if (!p->broken && (!p->complete || p->depth != 0)) {
		p->broken = true;
		request_fail(&p->req, "malformed JSON: premature end of request");
	}
	p->clean = !p->broken && !p->extra && p->depth == 0 &&
	    p->req.error == NULL;
}

/* Ready the parser for the next request; -1 when out of memory. */
int
reqparser_next(struct reqparser *p)
{
	/* Anything but a clean end (an error, a cut, trailing bytes) may leave yajl mid-value. */
	bool rebuild = !p->clean;

	/* All but the tenant and the room, which request_validate writes first. */
	memset(&p->req, 0, offsetof(struct request, tenant));
	p->depth = 0;
	p->key = F_COUNT;
	p->complete = p->extra = p->clean = false;
	p->in_features = false;
	p->feature = -1;
	p->used = 0;
	return rebuild ? new_handle(p) : 0;
}

/* A number field as an integer (jsonint.c); -1 when it is none. */
static int
parse_integer(const struct value *v, long long *out)
{
	if (v->type != V_NUMBER)
		return -1;
	return jsonint_parse(v->s, v->len, out);
}

/*
 * Jitsi names a tenant's room "[tenant]room", and with domain verification
 * off (its default) admits to it on the room claim alone: a bracket in a
 * room or tenant would reach another tenant's rooms past policy.tenants.
 */
static bool
tenant_syntax(const char *s, size_t len)
{
	return memchr(s, '[', len) != NULL || memchr(s, ']', len) != NULL;
}

/*
 * The channel as Prosody names the room a user joins by it, its nodeprep;
 * NULL, or why no room can have that name. "*" stays "*", the wildcard.
 */
static const char *
prepare_room(struct room *rm, const char *s, size_t len, char *msg,
    size_t msglen)
{
	const char	*why;
	char		 detail[96];

	if (rm->fromlen == len && memcmp(rm->from, s, len) == 0)
		return NULL;
	rm->fromlen = 0;
	if ((why = nodeprep(s, len, rm->name, &rm->len)) != NULL) {
		snprintf(msg, msglen, "channel %s",
		    nodeprep_explain(s, len, why, detail, sizeof detail));
		return msg;
	}
	if (tenant_syntax(rm->name, rm->len))
		return "channel contains \"[\" or \"]\", which Jitsi reads as "
		    "a tenant's room ([tenant]room): ask for the room with the "
		    "tenant field instead";
	/* nodeprep took it, so it is shorter than NODEPREP_MAX. */
	memcpy(rm->from, s, len);
	rm->fromlen = len;
	return NULL;
}

/* Common checks of a string field: false, with msg written, when it fails. */
static bool
string_ok(const struct value *v, enum field f, bool required, char *msg,
    size_t msglen)
{
	const char *problem;

	if (v->type == V_ABSENT || (v->type == V_NULL && !required)) {
		if (!required)
			return true;
		problem = "missing";
	} else if (v->type == V_DUP)
		problem = "given more than once";
	else if (v->type != V_STRING)
		problem = "must be a string";
	else if (required && v->len == 0)
		problem = "must not be empty";
	else if (!utf8_valid(v->s, v->len))
		problem = "is not valid UTF-8";
	else
		return true;
	snprintf(msg, msglen, "%s %s", field_names[f], problem);
	return false;
}

static const char *
check_validity(struct request *r, long long now)
{
	const struct value	*vf = &r->f[F_VALIDFOR], *vu = &r->f[F_VALIDUNTIL];
	long long		 n;

	if ((vf->type == V_ABSENT) == (vu->type == V_ABSENT))
		return "give exactly one of validFor and validUntil";
	if (vf->type == V_DUP)
		return "validFor given more than once";
	if (vu->type == V_DUP)
		return "validUntil given more than once";
	if (vf->type != V_ABSENT) {
		if (parse_integer(vf, &n) == -1 || n <= 0 ||
		    n > (long long)(~0ULL >> 1) - now)
			return "validFor must be a positive integer";
		r->exp = now + n;
		return NULL;
	}
	if (parse_integer(vu, &n) == -1)
		return "validUntil must be an integer (epoch seconds)";
	if (n <= now)
		return "validUntil is in the past";
	r->exp = n;
	return NULL;
}

/* An optional string of the wider vocabulary: absent, or not empty. */
static bool
nonempty_ok(const struct value *v, enum field f, char *msg, size_t msglen)
{
	if (!string_ok(v, f, false, msg, msglen))
		return false;
	if (v->type == V_STRING && v->len == 0) {
		snprintf(msg, msglen, "%s must not be empty", field_names[f]);
		return false;
	}
	return true;
}

/*
 * The fields of Jitsi's wider vocabulary: features (an object of booleans),
 * the three user flags (booleans), group and tenant (strings; the tenant
 * is prepared as Prosody prepares a node, like a room).
 */
static const char *
check_vocabulary(struct request *r, char *msg, size_t msglen)
{
	static const enum field flags[] = {
		F_LOBBYBYPASS, F_SECURITYBYPASS, F_HIDDENFROMRECORDER
	};
	const struct value	*v = &r->f[F_FEATURES];
	const char		*why;
	size_t			 i;

	/* Most requests carry none of these fields, which enum field keeps together. */
	for (i = F_FEATURES; i <= F_TENANT && r->f[i].type == V_ABSENT; i++)
		;
	if (i > F_TENANT)
		return NULL;
	if (v->type == V_DUP)
		return "features given more than once";
	if (v->type != V_ABSENT && v->type != V_NULL &&
	    !(v->type == V_COMPOUND && v->b))
		return "features must be an object";
	if (r->features_error != NULL)
		return r->features_error;
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		v = &r->f[flags[i]];
		if (v->type == V_ABSENT || v->type == V_NULL || v->type == V_BOOL)
			continue;
		snprintf(msg, msglen, "%s %s", field_names[flags[i]],
		    v->type == V_DUP ? "given more than once" :
		    "must be true or false");
		return msg;
	}
	if (!nonempty_ok(&r->f[F_GROUP], F_GROUP, msg, msglen) ||
	    !nonempty_ok(&r->f[F_TENANT], F_TENANT, msg, msglen))
		return msg;
	v = &r->f[F_TENANT];
	if (v->type == V_STRING &&
	    (why = nodeprep(v->s, v->len, r->tenant, &r->tenantlen)) != NULL) {
		snprintf(msg, msglen, "tenant %s", why);
		return msg;
	}
	if (v->type == V_STRING && tenant_syntax(r->tenant, r->tenantlen))
		return "tenant contains \"[\" or \"]\", which Jitsi uses to "
		    "write a tenant's rooms";
	return NULL;
}

/*
 * Apply the protocol's field rules, in a fixed order so that the same bad
 * request always draws the same message. NULL when the request is good.
 */
const char *
request_validate(struct request *r, long long now, char *msg, size_t msglen)
{
	static const enum field optional[] = { F_EMAIL, F_AVATAR, F_ID };
	const struct value	*v;
	const char		*err;
	size_t			 i;

	if (r->error != NULL)
		return r->error;
	if (!string_ok(&r->f[F_CMD], F_CMD, true, msg, msglen))
		return msg;
	/* By length and bytes: a decoded string may hold U+0000. */
	if (r->f[F_CMD].len != sizeof JWT_CMD - 1 ||
	    memcmp(r->f[F_CMD].s, JWT_CMD, sizeof JWT_CMD - 1) != 0)
		return "unknown cmd: only \"jwt_token\" is supported";
	if (!string_ok(&r->f[F_DISPLAYNAME], F_DISPLAYNAME, true, msg, msglen) ||
	    !string_ok(&r->f[F_CHANNEL], F_CHANNEL, true, msg, msglen))
		return msg;
	v = &r->f[F_CHANNEL];
	if ((err = prepare_room(&r->room, v->s, v->len, msg, msglen)) != NULL)
		return err;
	v = &r->f[F_MODERATOR];
	if (v->type == V_ABSENT)
		return "moderator missing";
	if (v->type == V_DUP)
		return "moderator given more than once";
	if (v->type != V_BOOL)
		return "moderator must be true or false";
	r->moderator = v->b;
	for (i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (!string_ok(&r->f[optional[i]], optional[i], false, msg,
		    msglen))
			return msg;
	if ((err = check_validity(r, now)) != NULL)
		return err;
	if (r->f[F_SEQ].type == V_DUP)
		return "seq given more than once";
	if (r->f[F_SEQ].type == V_COMPOUND)
		return "seq must be a string, number, boolean or null";
	return check_vocabulary(r, msg, msglen);
}
