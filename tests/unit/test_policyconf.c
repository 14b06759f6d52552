/* test_policyconf.c: a policy object parses the same wherever it appears, merges over a base key by key, and prints. */
#include <stdlib.h>

#include <yajl/yajl_parse.h>

#include "../../src/log.h"
#include "../../src/policyconf.h"
#include "tap.h"

/* Stands in for the configuration's loader: the object parsed is the policy. */
struct driver {
	struct policy_parser	 pp;
	struct policy		*p;
	const char		*where;
	char			 err[320];
	bool			 begun;
};

static int
d_start_map(void *ctx)
{
	struct driver *d = ctx;

	if (d->begun)
		return policy_callbacks.yajl_start_map(&d->pp);
	policy_parse_begin(&d->pp, d->p, "test.json", d->where, d->err,
	    sizeof d->err);
	d->begun = true;
	return 1;
}

static int
d_end_map(void *ctx)
{
	return policy_callbacks.yajl_end_map(&((struct driver *)ctx)->pp);
}

static int
d_null(void *ctx)
{
	return policy_callbacks.yajl_null(&((struct driver *)ctx)->pp);
}

static int
d_boolean(void *ctx, int b)
{
	return policy_callbacks.yajl_boolean(&((struct driver *)ctx)->pp, b);
}

static int
d_number(void *ctx, const char *s, size_t len)
{
	return policy_callbacks.yajl_number(&((struct driver *)ctx)->pp, s, len);
}

static int
d_string(void *ctx, const unsigned char *s, size_t len)
{
	return policy_callbacks.yajl_string(&((struct driver *)ctx)->pp, s, len);
}

static int
d_map_key(void *ctx, const unsigned char *s, size_t len)
{
	return policy_callbacks.yajl_map_key(&((struct driver *)ctx)->pp, s, len);
}

static int
d_start_array(void *ctx)
{
	return policy_callbacks.yajl_start_array(&((struct driver *)ctx)->pp);
}

static const yajl_callbacks driver_callbacks = {
	d_null, d_boolean, NULL, NULL, d_number, d_string, d_start_map,
	d_map_key, d_end_map, d_start_array, d_end_map
};

/* Parse text, a policy object, as the key where; "OK" or the message. */
static const char *
parse(const char *text, const char *where, struct policy *p)
{
	static struct driver	d;
	yajl_handle		h;
	yajl_status		st;

	memset(&d, 0, sizeof d);
	d.p = p;
	d.where = where;
	h = yajl_alloc(&driver_callbacks, NULL, &d);
	st = yajl_parse(h, (const unsigned char *)text, strlen(text));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	if (st == yajl_status_client_canceled)
		return d.err;
	if (st != yajl_status_ok)
		return "(malformed)";
	return d.pp.active ? "(still active)" : "OK";
}

static void
expect(const char *text, const char *want)
{
	struct policy p;

	policy_defaults(&p);
	is_str(parse(text, "policy", &p), want, text);
	policy_free(&p);
}

static const char *
printed(const struct policy *p, const char *where)
{
	static char	*text;
	size_t		 len;
	FILE		*f;

	free(text);
	text = NULL;
	if ((f = open_memstream(&text, &len)) == NULL)
		return "(no memstream)";
	policy_print(f, p, where);
	fclose(f);
	return text;
}

static void
test_parse(void)
{
	struct policy p;

	policy_defaults(&p);
	is_str(parse("{\"max_valid_for\":600,\"allow_moderator\":false,"
	    "\"rooms\":[\"lobby\",\"game-*\"],\"allow_all_rooms\":true,"
	    "\"features\":{\"moderator\":{\"recording\":true,\"flip\":false},"
	    "\"member\":{},\"requestable\":[\"screen-sharing\",\"lobby\"]},"
	    "\"allow_lobby_bypass\":true,\"allow_security_bypass\":true,"
	    "\"allow_hidden_from_recorder\":true,\"tenants\":[\"acme\"]}",
	    "clients[0].policy", &p), "OK", "every key parses");
	ok(p.max_valid_for == 600 && !p.allow_moderator && p.nrooms == 2 &&
	    strcmp(p.rooms[1], "game-*") == 0 && p.allow_all_rooms,
	    "the first four keys land in their fields");
	ok(p.moderator_features.given == (FEATURE_BIT(4) | FEATURE_BIT(11)) &&
	    p.moderator_features.on == FEATURE_BIT(11),
	    "features.moderator: recording true, flip false");
	ok(p.member_features.given == 0 && (p.given & PK_BIT(PK_FEATURES_MEMBER)),
	    "features.member given empty is given");
	ok(p.requestable == (FEATURE_BIT(8) | FEATURE_BIT(13)),
	    "features.requestable: lobby, screen-sharing");
	ok(p.allow_lobby_bypass && p.allow_security_bypass &&
	    p.allow_hidden_from_recorder && p.ntenants == 1 &&
	    strcmp(p.tenants[0], "acme") == 0, "the bypasses and tenants");
	ok(p.given == (PK_BIT(PK_COUNT) - 1), "every key is marked given");
	policy_free(&p);

	policy_defaults(&p);
	is_str(parse("{\"allow_lobby_bypass\":true}", "outbound.policy", &p), "OK",
	    "one key");
	ok(p.given == PK_BIT(PK_ALLOW_LOBBY_BYPASS),
	    "only the key given is marked given");
	ok(p.max_valid_for == DEFAULT_MAX_VALID_FOR && p.allow_moderator &&
	    p.rooms == NULL && p.tenants == NULL,
	    "the others keep the defaults: 86400 s, moderators, any room, no tenant");
	is_str(parse("{\"max_valid_for\":0}", "outbound.policy", &p),
	    "outbound.policy.max_valid_for: must be at least 1",
	    "messages name the policy's own place in the file");
	policy_free(&p);

	policy_defaults(&p);
	is_str(parse("{\"nope\":{\"rooms\":[\"x\"],\"a\":[[{}]]},\"features\":"
	    "{\"other\":[1,{\"moderator\":{}}]},\"rooms\":[\"y\"]}", "policy", &p),
	    "OK", "unknown keys are skipped, however nested");
	ok(p.nrooms == 1 && strcmp(p.rooms[0], "y") == 0 &&
	    !(p.given & PK_BIT(PK_FEATURES_MODERATOR)),
	    "and nothing inside them is taken for a known key");
	policy_free(&p);
}

static void
test_errors(void)
{
	expect("{\"max_valid_for\":\"600\"}", "policy.max_valid_for: must be an integer");
	expect("{\"max_valid_for\":1.5}", "policy.max_valid_for: must be an integer");
	expect("{\"max_valid_for\":-1}", "policy.max_valid_for: must be at least 1");
	expect("{\"max_valid_for\":99999999999999999999}",
	    "policy.max_valid_for: must be an integer");
	expect("{\"max_valid_for\":31536000}", "OK");
	expect("{\"allow_moderator\":1}", "policy.allow_moderator: must be true or false");
	expect("{\"allow_lobby_bypass\":\"true\"}",
	    "policy.allow_lobby_bypass: must be true or false");
	expect("{\"allow_security_bypass\":null}",
	    "policy.allow_security_bypass: must be true or false");
	expect("{\"allow_hidden_from_recorder\":[]}",
	    "policy.allow_hidden_from_recorder: must be true or false");
	expect("{\"rooms\":\"lobby\"}", "policy.rooms: must be an array of strings");
	expect("{\"rooms\":[1]}", "policy.rooms: must be an array of strings");
	expect("{\"rooms\":[[\"a\"]]}", "policy.rooms: must be an array of strings");
	expect("{\"rooms\":[\"\"]}", "policy.rooms: must hold non-empty strings");
	expect("{\"tenants\":{}}", "policy.tenants: must be an array of strings");
	expect("{\"tenants\":[\"a\\u0000b\"]}", "policy.tenants: must hold non-empty strings");
	expect("{\"features\":[]}", "policy.features: must be an object");
	expect("{\"features\":true}", "policy.features: must be an object");
	expect("{\"features\":{\"moderator\":[]}}",
	    "policy.features.moderator: must be an object of feature names and "
	    "true or false");
	expect("{\"features\":{\"member\":{\"recordin\":true}}}",
	    "policy.features.member: \"recordin\" is not a Jitsi feature");
	expect("{\"features\":{\"member\":{\"recording\":\"true\"}}}",
	    "policy.features.member.recording: must be true or false");
	expect("{\"features\":{\"member\":{\"recording\":{}}}}",
	    "policy.features.member.recording: must be true or false");
	expect("{\"features\":{\"member\":{\"flip\":true,\"flip\":false}}}",
	    "policy.features.member.flip: given more than once");
	expect("{\"features\":{\"requestable\":\"recording\"}}",
	    "policy.features.requestable: must be an array of feature names");
	expect("{\"features\":{\"requestable\":[\"recording\",\"x\\\"y\"]}}",
	    "policy.features.requestable: \"x\\x22y\" is not a Jitsi feature");
	expect("{\"features\":{\"requestable\":[true]}}",
	    "policy.features.requestable: must be an array of feature names");
	expect("{\"rooms\":[],\"rooms\":[]}", "policy.rooms: given more than once");
	expect("{\"features\":{\"moderator\":{}},\"features\":{}}",
	    "policy.features: given more than once");
	expect("{\"features\":{\"moderator\":{},\"moderator\":{}}}",
	    "policy.features.moderator: given more than once");
	expect("{\"features.moderator\":{\"recording\":true}}", "OK");
}

static void
test_merge(void)
{
	struct policy	base, over, m;
	const char	*rooms;

	policy_defaults(&base);
	parse("{\"max_valid_for\":3600,\"rooms\":[\"lobby\",\"game-*\"],"
	    "\"features\":{\"moderator\":{\"recording\":true},"
	    "\"requestable\":[\"flip\"]},\"tenants\":[\"acme\"]}", "policy", &base);
	memset(&over, 0, sizeof over);
	parse("{\"allow_moderator\":false,\"rooms\":[],\"features\":"
	    "{\"moderator\":{\"livestreaming\":true}}}", "clients[0].policy", &over);
	memset(&m, 0, sizeof m);
	ok(policy_merge(&m, &over, &base) == 0, "a partial policy merges over a base");
	ok(!m.allow_moderator && m.rooms != NULL && m.nrooms == 0,
	    "the keys it gives override, an empty room list included");
	ok(m.moderator_features.given == FEATURE_BIT(6) &&
	    m.moderator_features.on == FEATURE_BIT(6),
	    "a feature map is one key: it replaces the base's whole");
	ok(m.max_valid_for == 3600 && m.requestable == FEATURE_BIT(4) &&
	    m.ntenants == 1 && m.tenants != base.tenants &&
	    strcmp(m.tenants[0], "acme") == 0,
	    "the keys it omits come from the base, copied");
	ok(m.given == (base.given | over.given), "given is what either gave");
	policy_free(&base);
	policy_free(&over);
	ok(strcmp(m.tenants[0], "acme") == 0, "the copy outlives the base");
	policy_free(&m);

	memset(&over, 0, sizeof over);
	policy_defaults(&base);
	parse("{\"rooms\":[\"x\"]}", "policy", &base);
	parse("{\"max_valid_for\":60}", "clients[1].policy", &over);
	ok(policy_merge(&over, &over, &base) == 0 && over.max_valid_for == 60 &&
	    over.nrooms == 1 && over.rooms != base.rooms &&
	    strcmp(over.rooms[0], "x") == 0 && over.allow_moderator,
	    "merging in place, into the partial policy itself");
	policy_free(&over);

	memset(&over, 0, sizeof over);
	ok(policy_merge(&m, &over, &base) == 0, "an empty partial policy");
	rooms = printed(&m, "p");
	ok(strstr(rooms, "p.rooms: x\n") != NULL && m.max_valid_for == 86400,
	    "inherits everything");
	policy_free(&m);
	policy_free(&base);
}

static void
test_print(void)
{
	struct policy p;

	policy_defaults(&p);
	is_str(printed(&p, "policy"),
	    "policy.max_valid_for: 86400\n"
	    "policy.allow_moderator: true\n"
	    "policy.rooms: (any room)\n"
	    "policy.features.moderator: (not set)\n"
	    "policy.features.member: (not set)\n"
	    "policy.features.requestable: (none)\n"
	    "policy.allow_lobby_bypass: false\n"
	    "policy.allow_security_bypass: false\n"
	    "policy.allow_hidden_from_recorder: false\n"
	    "policy.tenants: (none: a request's tenant is refused)\n",
	    "the defaults, printed");
	parse("{\"rooms\":[],\"features\":{\"member\":{},\"moderator\":"
	    "{\"recording\":true,\"branding\":false},\"requestable\":"
	    "[\"transcription\",\"flip\"]},\"tenants\":[\"a\",\"b*\"]}",
	    "policy", &p);
	is_str(printed(&p, "outbound.policy"),
	    "outbound.policy.max_valid_for: 86400\n"
	    "outbound.policy.allow_moderator: true\n"
	    "outbound.policy.rooms: (none)\n"
	    "outbound.policy.allow_all_rooms: false\n"
	    "outbound.policy.features.moderator: branding=false recording=true\n"
	    "outbound.policy.features.member: (none)\n"
	    "outbound.policy.features.requestable: flip transcription\n"
	    "outbound.policy.allow_lobby_bypass: false\n"
	    "outbound.policy.allow_security_bypass: false\n"
	    "outbound.policy.allow_hidden_from_recorder: false\n"
	    "outbound.policy.tenants: a b*\n",
	    "a policy with lists and maps, printed under its own name");
	policy_free(&p);
}

int
main(void)
{
	log_init(-1);
	test_parse();
	test_errors();
	test_merge();
	test_print();
	return done();
}
