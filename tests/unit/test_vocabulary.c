/* test_vocabulary.c: Jitsi's wider vocabulary from request field to policy to claim, and each refusal's message. */
#include <stdlib.h>

#include <sodium.h>

#include "../../src/config.h"
#include "../../src/policy.h"
#include "../../src/request.h"
#include "../../src/token.h"
#include "tap.h"

#define NOW	1795530772LL
#define GOOD	"\"cmd\":\"jwt_token\",\"displayName\":\"Bob\",\"channel\":\"lobby\"," \
		"\"validFor\":600,\"moderator\":"

static struct config	cfg;
static struct signer	sg;
static struct minter	m;
static char		claims[4096];

/* Parse, validate, apply policy and mint: "OK" with the claims in claims, or the message. */
static const char *
mint(const struct policy *p, const char *json)
{
	static struct reqparser	rp;
	static char		msg[160], verdict[200];
	const char		*d1, *d2, *err;
	size_t			 len = 0;

	claims[0] = '\0';
	reqparser_init(&rp, 65536);
	reqparser_feed(&rp, (const unsigned char *)json, strlen(json));
	reqparser_finish(&rp);
	err = request_validate(&rp.req, NOW, msg, sizeof msg);
	if (err == NULL)
		err = policy_check(p, &rp.req, rp.req.exp - NOW, msg, sizeof msg);
	if (err == NULL && token_mint(&m, &sg, &rp.req, NOW) == -1)
		err = "(mint failed)";
	snprintf(verdict, sizeof verdict, "%s", err ? err : "OK");
	reqparser_free(&rp);
	if (err != NULL)
		return verdict;
	d1 = strchr(m.token.data, '.');
	d2 = strrchr(m.token.data, '.');
	sodium_base642bin((unsigned char *)claims, sizeof claims - 1, d1 + 1,
	    (size_t)(d2 - d1 - 1), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	claims[len] = '\0';
	return verdict;
}

static void
expect(const struct policy *p, const char *json, const char *want)
{
	is_str(mint(p, json), want, json);
}

/* The claims of a token, after room, times and moderator flag, from "context". */
static const char *
context(void)
{
	const char *c = strstr(claims, "\"context\":");

	return c ? c : "(no context)";
}

static void
test_fields(const struct policy *open)
{
	/* Messages name the field and the problem, in a fixed order. */
	expect(open, "{" GOOD "false,\"features\":\"recording\"}", "features must be an object");
	expect(open, "{" GOOD "false,\"features\":[\"recording\"]}", "features must be an object");
	expect(open, "{" GOOD "false,\"features\":true}", "features must be an object");
	expect(open, "{" GOOD "false,\"features\":{},\"features\":{}}",
	    "features given more than once");
	expect(open, "{" GOOD "false,\"features\":{\"recordin\":true}}",
	    "features.recordin is not a Jitsi feature");
	expect(open, "{" GOOD "false,\"features\":{\"a\\u0001\":true}}",
	    "features has a member that is not a Jitsi feature");
	expect(open, "{" GOOD "false,\"features\":{\"caf\xc3\xa9\":true}}",
	    "features has a member that is not a Jitsi feature");
	expect(open, "{" GOOD "false,\"features\":{\"recording\":\"true\"}}",
	    "features.recording must be true or false");
	expect(open, "{" GOOD "false,\"features\":{\"recording\":1}}",
	    "features.recording must be true or false");
	expect(open, "{" GOOD "false,\"features\":{\"recording\":null}}",
	    "features.recording must be true or false");
	expect(open, "{" GOOD "false,\"features\":{\"recording\":[true]}}",
	    "features.recording must be true or false");
	expect(open, "{" GOOD "false,\"features\":{\"recording\":{\"flip\":true}}}",
	    "features.recording must be true or false");
	expect(open, "{" GOOD "false,\"features\":{\"flip\":true,\"flip\":true}}",
	    "features.flip given more than once");
	expect(open, "{" GOOD "false,\"features\":{\"bogus\":1,\"flip\":\"x\"}}",
	    "features.bogus is not a Jitsi feature");
	expect(open, "{" GOOD "false,\"features\":null}", "OK");
	expect(open, "{" GOOD "false,\"features\":{}}", "OK");
	expect(open, "{\"cmd\":\"jwt_token\",\"channel\":\"c\",\"features\":{\"x\":1}}",
	    "displayName missing");
	expect(open, "{" GOOD "false,\"x\":{\"features\":{\"bogus\":true}}}", "OK");

	expect(open, "{" GOOD "false,\"lobbyBypass\":\"true\"}",
	    "lobbyBypass must be true or false");
	expect(open, "{" GOOD "false,\"securityBypass\":1}",
	    "securityBypass must be true or false");
	expect(open, "{" GOOD "false,\"hiddenFromRecorder\":{}}",
	    "hiddenFromRecorder must be true or false");
	expect(open, "{" GOOD "false,\"lobbyBypass\":false,\"lobbyBypass\":false}",
	    "lobbyBypass given more than once");
	expect(open, "{" GOOD "false,\"lobbyBypass\":null,\"securityBypass\":null,"
	    "\"hiddenFromRecorder\":null,\"group\":null,\"tenant\":null}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"member\",\"moderator\":\"false\"}}}",
	    "null fields are absent: no claim");

	expect(open, "{" GOOD "false,\"group\":7}", "group must be a string");
	expect(open, "{" GOOD "false,\"group\":\"\"}", "group must not be empty");
	expect(open, "{" GOOD "false,\"group\":\"a\",\"group\":\"b\"}",
	    "group given more than once");
	expect(open, "{" GOOD "false,\"group\":\"\xed\xa0\x80\"}", "group is not valid UTF-8");
	expect(open, "{" GOOD "false,\"tenant\":[]}", "tenant must be a string");
	expect(open, "{" GOOD "false,\"tenant\":\"\"}", "tenant must not be empty");
	expect(open, "{" GOOD "false,\"tenant\":\"a b\"}",
	    "tenant contains a character that XMPP forbids in a name (nodeprep)");
	expect(open, "{" GOOD "false,\"tenant\":\"a@b\"}",
	    "tenant contains a character that XMPP forbids in a name (nodeprep)");
	expect(open, "{" GOOD "false,\"tenant\":\"\\u200b\"}",
	    "tenant is empty once prepared (nodeprep maps all of it to nothing)");
}

static void
test_policy(void)
{
	struct policy	 p;
	char		*tenants[] = { "acme", "game-*", "strasse" };

	policy_defaults(&p);
	expect(&p, "{" GOOD "false,\"features\":{\"recording\":true}}",
	    "features.recording not allowed by policy");
	expect(&p, "{" GOOD "false,\"features\":{\"flip\":false}}",
	    "features.flip not allowed by policy");
	expect(&p, "{" GOOD "false,\"lobbyBypass\":true}",
	    "lobbyBypass not allowed by policy");
	expect(&p, "{" GOOD "false,\"securityBypass\":true}",
	    "securityBypass not allowed by policy");
	expect(&p, "{" GOOD "false,\"hiddenFromRecorder\":true}",
	    "hiddenFromRecorder not allowed by policy");
	expect(&p, "{" GOOD "false,\"tenant\":\"acme\"}",
	    "tenant not allowed by policy");
	expect(&p, "{" GOOD "false,\"lobbyBypass\":false,\"securityBypass\":false,"
	    "\"hiddenFromRecorder\":false,\"group\":\"vip\"}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"member\",\"moderator\":\"false\","
	    "\"lobby_bypass\":false,\"security_bypass\":false,"
	    "\"hidden-from-recorder\":false},\"group\":\"vip\"}}",
	    "false asks for nothing, so it needs no policy, and is written as asked");
	expect(&p, "{" GOOD "true,\"features\":{}}", "OK");
	ok(strstr(claims, "features") == NULL,
	    "an empty features object asks for nothing: no context.features");

	p.allow_lobby_bypass = p.allow_security_bypass =
	    p.allow_hidden_from_recorder = true;
	p.tenants = tenants;
	p.ntenants = 3;
	expect(&p, "{" GOOD "false,\"lobbyBypass\":true,\"securityBypass\":true,"
	    "\"hiddenFromRecorder\":true,\"tenant\":\"Game-7\"}", "OK");
	is_str(claims, "{\"iss\":\"skotos\",\"aud\":\"jitsi\",\"sub\":\"game-7\","
	    "\"room\":\"lobby\",\"iat\":1795530772,\"nbf\":1795530762,"
	    "\"exp\":1795531372,\"moderator\":false,\"context\":{\"user\":"
	    "{\"name\":\"Bob\",\"affiliation\":\"member\",\"moderator\":\"false\","
	    "\"lobby_bypass\":true,\"security_bypass\":true,"
	    "\"hidden-from-recorder\":true},\"tenant\":\"game-7\"}}",
	    "allowed flags are booleans; the prepared tenant is sub and context.tenant");
	expect(&p, "{" GOOD "false,\"tenant\":\"ACME\"}", "OK");
	ok(strstr(claims, "\"sub\":\"acme\",\"room\":\"lobby\"") != NULL,
	    "the tenant is matched and written as nodeprep makes it");
	expect(&p, "{" GOOD "false,\"tenant\":\"Stra\xc3\x9f" "e\"}", "OK");
	ok(strstr(claims, "\"sub\":\"strasse\"") != NULL &&
	    strstr(claims, "\"tenant\":\"strasse\"") != NULL,
	    "Stra\xc3\x9f" "e is the tenant strasse, as Prosody makes it");
	expect(&p, "{" GOOD "false,\"tenant\":\"*\"}", "tenant not allowed by policy");
	expect(&p, "{" GOOD "false,\"tenant\":\"acme2\"}", "tenant not allowed by policy");
	p.tenants = NULL;
	p.ntenants = 0;

	/* Defaults per role, and what a request may change. */
	featureset_put(&p.moderator_features, 11, true);	/* recording */
	featureset_put(&p.moderator_features, 6, false);	/* livestreaming */
	p.given |= PK_BIT(PK_FEATURES_MODERATOR);
	expect(&p, "{" GOOD "true}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"owner\",\"moderator\":\"true\"},\"features\":"
	    "{\"livestreaming\":\"false\",\"recording\":\"true\"}}}",
	    "a moderator token carries features.moderator");
	expect(&p, "{" GOOD "false}", "OK");
	ok(strstr(claims, "features") == NULL,
	    "a member token, without features.member, carries none");
	p.given |= PK_BIT(PK_FEATURES_MEMBER);
	expect(&p, "{" GOOD "false}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"member\",\"moderator\":\"false\"},"
	    "\"features\":{}}}",
	    "features.member given empty: an empty object, so Jitsi allows no feature");
	expect(&p, "{" GOOD "true,\"features\":{\"recording\":true}}",
	    "features.recording not allowed by policy");
	p.requestable = FEATURE_BIT(11) | FEATURE_BIT(13);	/* screen-sharing */
	expect(&p, "{" GOOD "true,\"features\":{\"recording\":false,"
	    "\"screen-sharing\":true}}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"owner\",\"moderator\":\"true\"},\"features\":"
	    "{\"livestreaming\":\"false\",\"recording\":\"false\","
	    "\"screen-sharing\":\"true\"}}}",
	    "a request overrides the role's defaults within requestable");
	expect(&p, "{" GOOD "true,\"features\":{\"recording\":true,"
	    "\"livestreaming\":true}}", "features.livestreaming not allowed by policy");
	expect(&p, "{" GOOD "false,\"features\":{\"screen-sharing\":true}}", "OK");
	is_str(context(), "\"context\":{\"user\":{\"name\":\"Bob\","
	    "\"affiliation\":\"member\",\"moderator\":\"false\"},"
	    "\"features\":{\"screen-sharing\":\"true\"}}}",
	    "a member's request over an empty features.member");
	p.allow_moderator = false;
	expect(&p, "{" GOOD "true,\"features\":{\"flip\":true}}",
	    "moderator tokens are not allowed by policy");
}

/* One parser, request after request: nothing of one leaks into the next. */
static void
test_stream(void)
{
	static const char *const reqs[] = {
		"{" GOOD "false,\"features\":{\"flip\":true,\"bogus\":",
		"{" GOOD "false,\"features\":{\"recording\":true},\"tenant\":\"a\"}",
		"{" GOOD "false}",
	};
	struct reqparser	 rp;
	struct policy		 p;
	char			 msg[160];
	const char		*err[3];
	size_t			 i;

	policy_defaults(&p);
	p.requestable = FEATURE_BIT(11);
	reqparser_init(&rp, 65536);
	for (i = 0; i < 3; i++) {
		reqparser_feed(&rp, (const unsigned char *)reqs[i], strlen(reqs[i]));
		reqparser_finish(&rp);
		err[i] = request_validate(&rp.req, NOW, msg, sizeof msg);
		if (err[i] == NULL)
			err[i] = policy_check(&p, &rp.req, 600, msg, sizeof msg);
		if (i == 2)
			ok(err[i] == NULL && rp.req.features.given == 0 &&
			    !rp.req.token_has_features &&
			    rp.req.f[F_TENANT].type == V_ABSENT,
			    "the third request has no features, tenant or error of theirs");
		reqparser_next(&rp);
	}
	ok(err[0] != NULL && strncmp(err[0], "malformed JSON", 14) == 0,
	    "a request cut inside features is malformed JSON");
	is_str(err[1], "tenant not allowed by policy",
	    "the next one is judged on its own fields");
	reqparser_free(&rp);
}

int
main(void)
{
	struct policy open;

	if (sodium_init() < 0)
		return 1;
	cfg.domain = "meet.jitsi";
	cfg.app_id = "skotos";
	cfg.audience = "jitsi";
	secret_set(&cfg.secret, "0123456789abcdef0123456789abcdef", 32, "test");
	signer_init(&sg, ALG_HS256, &cfg.secret);
	minter_init(&m, &cfg);
	policy_defaults(&open);

	expect(&open, "{" GOOD "false}", "OK");
	is_str(claims, "{\"iss\":\"skotos\",\"aud\":\"jitsi\",\"sub\":\"meet.jitsi\","
	    "\"room\":\"lobby\",\"iat\":1795530772,\"nbf\":1795530762,"
	    "\"exp\":1795531372,\"moderator\":false,\"context\":{\"user\":"
	    "{\"name\":\"Bob\",\"affiliation\":\"member\",\"moderator\":\"false\"}}}",
	    "without the new fields and keys, the claims of before");
	test_fields(&open);
	test_policy();
	test_stream();

	minter_free(&m);
	signer_free(&sg);
	secret_free(&cfg.secret);
	return done();
}
