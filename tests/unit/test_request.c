/* test_request.c: the protocol's field rules, one message per kind of mistake. */
#include <stdlib.h>

#include "../../src/request.h"
#include "tap.h"

#define NOW	1795530772LL

/* Parse one JSON request and validate it; returns the message or "OK". */
static const char *
judge(const char *json, struct request *out)
{
	static struct reqparser	p;
	static char		msg[160], verdict[160];
	const char		*err;

	reqparser_init(&p, 65536);
	reqparser_feed(&p, (const unsigned char *)json, strlen(json));
	reqparser_finish(&p);
	err = request_validate(&p.req, NOW, msg, sizeof msg);
	if (out != NULL)
		*out = p.req;
	snprintf(verdict, sizeof verdict, "%s", err ? err : "OK");
	reqparser_free(&p);
	return verdict;
}

/* One request after another on one parser, as on a connection: the room of each. */
static void
rooms_in_turn(void)
{
	static const char *const in[][2] = {
		{ "CAF\xc3\x89", "caf\xc3\xa9" }, { "CAF\xc3\x89", "caf\xc3\xa9" },
		{ "Lobby", "lobby" }, { "a b", NULL }, { "CAF\xc3\x89", "caf\xc3\xa9" },
		{ "lobby", "lobby" }, { "\xef\xbc\xac\xef\xbd\x8f\xef\xbd\x82", "lob" },
	};
	struct reqparser	 p;
	char			 json[200], msg[160];
	const char		*err;
	size_t			 i;
	int			 good = 1;

	reqparser_init(&p, 65536);
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		snprintf(json, sizeof json, "{\"cmd\":\"jwt_token\",\"displayName\":"
		    "\"B\",\"channel\":\"%s\",\"moderator\":false,\"validFor\":1}",
		    in[i][0]);
		reqparser_feed(&p, (const unsigned char *)json, strlen(json));
		reqparser_finish(&p);
		err = request_validate(&p.req, NOW, msg, sizeof msg);
		if (in[i][1] == NULL ? err == NULL : err != NULL ||
		    strcmp(p.req.room.name, in[i][1]) != 0 ||
		    p.req.room.len != strlen(in[i][1]))
			good = 0;
		reqparser_next(&p);
	}
	reqparser_free(&p);
	ok(good, "a connection's requests each get the room of their own channel");
}

#define GOOD	"\"cmd\":\"jwt_token\",\"displayName\":\"Bob\",\"channel\":\"lobby\",\"moderator\":false"

static void
expect(const char *json, const char *want)
{
	is_str(judge(json, NULL), want, json);
}

int
main(void)
{
	struct request r;

	is_str(judge("{" GOOD ",\"validFor\":600}", &r), "OK", "a good request");
	ok(r.exp == NOW + 600, "validFor sets exp to now + validFor");
	judge("{" GOOD ",\"validUntil\":1795540000}", &r);
	ok(r.exp == 1795540000, "validUntil sets exp");

	expect("{\"displayName\":\"B\",\"channel\":\"c\",\"moderator\":false,\"validFor\":1}",
	    "cmd missing");
	expect("{\"cmd\":1}", "cmd must be a string");
	expect("{\"cmd\":\"other\"}", "unknown cmd: only \"jwt_token\" is supported");
	expect("{\"cmd\":\"jwt_token\\u0000anything\",\"displayName\":\"B\","
	    "\"channel\":\"c\",\"moderator\":false,\"validFor\":1}",
	    "unknown cmd: only \"jwt_token\" is supported");
	expect("{\"cmd\":\"jwt_token\\u0000\",\"displayName\":\"B\","
	    "\"channel\":\"c\",\"moderator\":false,\"validFor\":1}",
	    "unknown cmd: only \"jwt_token\" is supported");
	expect("{\"cmd\":\"jwt_toke\",\"displayName\":\"B\","
	    "\"channel\":\"c\",\"moderator\":false,\"validFor\":1}",
	    "unknown cmd: only \"jwt_token\" is supported");
	expect("{\"cmd\":\"jwt_token\",\"channel\":\"c\"}", "displayName missing");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":42}", "displayName must be a string");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"\"}", "displayName must not be empty");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"a\",\"displayName\":\"b\"}",
	    "displayName given more than once");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\"}", "channel missing");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":[]}",
	    "channel must be a string");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"a b\"}",
	    "channel contains U+0020, which XMPP forbids in a name (nodeprep)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"a/b\"}",
	    "channel contains \"/\" (U+002F), which XMPP forbids in a name (nodeprep)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"a@b\"}",
	    "channel contains \"@\" (U+0040), which XMPP forbids in a name (nodeprep)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"a\\u0000\"}",
	    "channel contains U+0000, which XMPP forbids in a name (nodeprep)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"ab\\u00a0c\"}",
	    "channel contains U+00A0, which XMPP forbids in a name (nodeprep)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"\\u200b\"}",
	    "channel is empty once prepared (nodeprep maps all of it to nothing)");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"*\"}",
	    "moderator missing");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"c\",\"moderator\":\"false\"}",
	    "moderator must be true or false");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":\"c\",\"moderator\":0}",
	    "moderator must be true or false");
	expect("{" GOOD ",\"email\":5,\"validFor\":1}", "email must be a string");
	expect("{" GOOD ",\"avatar\":{},\"validFor\":1}", "avatar must be a string");
	expect("{" GOOD ",\"id\":true,\"validFor\":1}", "id must be a string");
	expect("{" GOOD ",\"email\":null,\"validFor\":1}", "OK");
	expect("{\"cmd\":\"jwt_token\",\"displayName\":\"\xed\xa0\x80\"}",
	    "displayName is not valid UTF-8");
	expect("{" GOOD ",\"validFor\":1,\"seq\":\"\xf4\x90\x80\x80\"}",
	    "seq is not valid UTF-8");
	expect("{" GOOD "}", "give exactly one of validFor and validUntil");
	expect("{" GOOD ",\"validFor\":1,\"validUntil\":1795540000}",
	    "give exactly one of validFor and validUntil");
	expect("{" GOOD ",\"validFor\":\"600\"}", "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":0}", "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":-5}", "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":1.5}", "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":1e3}", "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":99999999999999999999}",
	    "validFor must be a positive integer");
	expect("{" GOOD ",\"validFor\":9223372036854775807}",
	    "validFor must be a positive integer");
	expect("{" GOOD ",\"validUntil\":\"x\"}",
	    "validUntil must be an integer (epoch seconds)");
	/* The edges of long long, and the forms of a number that are no integer. */
	expect("{" GOOD ",\"validUntil\":9223372036854775807}", "OK");
	expect("{" GOOD ",\"validUntil\":9223372036854775808}",
	    "validUntil must be an integer (epoch seconds)");
	expect("{" GOOD ",\"validUntil\":-9223372036854775808}",
	    "validUntil is in the past");
	expect("{" GOOD ",\"validUntil\":-9223372036854775809}",
	    "validUntil must be an integer (epoch seconds)");
	expect("{" GOOD ",\"validUntil\":-0}", "validUntil is in the past");
	expect("{" GOOD ",\"validUntil\":17955400E0}",
	    "validUntil must be an integer (epoch seconds)");
	expect("{" GOOD ",\"validUntil\":1795540000.0}",
	    "validUntil must be an integer (epoch seconds)");
	expect("{" GOOD ",\"validFor\":0600}", "malformed JSON: parse error: "
	    "after key and value, inside map, I expect ',' or '}'");
	expect("{" GOOD ",\"validUntil\":1795530772}", "validUntil is in the past");
	expect("{" GOOD ",\"validFor\":1,\"seq\":[1]}",
	    "seq must be a string, number, boolean or null");
	expect("{" GOOD ",\"validFor\":1,\"extra\":{\"cmd\":5}}", "OK");

	judge("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":"
	    "\"CAF\xc3\x89\",\"moderator\":false,\"validFor\":1}", &r);
	is_str(r.room.name, "caf\xc3\xa9", "the room is the channel's nodeprep");
	ok(r.room.len == 5, "and its length");
	judge("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":"
	    "\"stra\xc3\x9f" "e\",\"moderator\":false,\"validFor\":1}", &r);
	is_str(r.room.name, "strasse", "sharp s becomes ss in the room");
	judge("{\"cmd\":\"jwt_token\",\"displayName\":\"B\",\"channel\":"
	    "\"*\",\"moderator\":false,\"validFor\":1}", &r);
	is_str(r.room.name, "*", "the wildcard stays *");

	rooms_in_turn();
	judge("{" GOOD ",\"validFor\":1,\"seq\":12345678901234}", &r);
	ok(r.f[F_SEQ].type == V_NUMBER, "a numeric seq is kept as a number");
	judge("{\"seq\":\"a\\\"b\"}", &r);
	ok(r.f[F_SEQ].type == V_STRING && r.f[F_SEQ].len == 3,
	    "a string seq is kept decoded, even on an error");
	return done();
}
