/* test_token.c: the claims a token carries, byte for byte, and its three parts. */
#include <stdlib.h>

#include <sodium.h>

#include "../../src/config.h"
#include "../../src/request.h"
#include "../../src/token.h"
#include "tap.h"

#define NOW	1795530772LL

/* Decode the middle part of a token into out. */
static void
claims_of(const char *token, char *out, size_t outlen)
{
	const char	*d1 = strchr(token, '.'), *d2 = strrchr(token, '.');
	size_t		 len = 0;

	out[0] = '\0';
	if (d1 == NULL || d2 == d1)
		return;
	sodium_base642bin((unsigned char *)out, outlen - 1, d1 + 1,
	    (size_t)(d2 - d1 - 1), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out[len] = '\0';
}

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
set(struct request *r, enum field f, const char *s)
{
	r->f[f] = (struct value){ .type = V_STRING, .s = s, .len = strlen(s) };
}

/* The room as request_validate leaves it. */
static void
set_room(struct request *r, const char *s)
{
	snprintf(r->room.name, sizeof r->room.name, "%s", s);
	r->room.len = strlen(s);
}

int
main(void)
{
	struct config	 cfg = { 0 };
	struct signer	 sg;
	struct minter	 m;
	struct request	 r;
	char		 claims[2048];
	const char	*dot;

	if (sodium_init() < 0)
		return 1;
	cfg.domain = "meet.jitsi";
	cfg.app_id = "skotos";
	cfg.audience = "jitsi";
	secret_set(&cfg.secret, "0123456789abcdef0123456789abcdef", 32, "test");
	signer_init(&sg, ALG_HS256, &cfg.secret);
	minter_init(&m, &cfg);

	memset(&r, 0, sizeof r);
	set(&r, F_DISPLAYNAME, "Bob");
	set_room(&r, "lobby");
	r.exp = NOW + 600;
	ok(token_mint(&m, &sg, &r, NOW) == 0, "a member token is minted");
	claims_of(m.token.data, claims, sizeof claims);
	is_str(claims, "{\"iss\":\"skotos\",\"aud\":\"jitsi\",\"sub\":\"meet.jitsi\","
	    "\"room\":\"lobby\",\"iat\":1795530772,\"nbf\":1795530762,"
	    "\"exp\":1795531372,\"moderator\":false,\"context\":{\"user\":"
	    "{\"name\":\"Bob\",\"affiliation\":\"member\",\"moderator\":\"false\"}}}",
	    "member claims, in order");
	ok(strncmp(m.token.data, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0,
	    "the header is {\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	ok(strchr(m.token.data, '=') == NULL, "no padding anywhere");
	dot = strrchr(m.token.data, '.');
	ok(dot != NULL && strlen(dot + 1) == 43, "a 32-byte signature, 43 characters");

	set(&r, F_DISPLAYNAME, "Zoë \"the\" \\ 日本");
	set(&r, F_EMAIL, "z@example.org");
	set(&r, F_AVATAR, "https://example.org/z.png");
	set(&r, F_ID, "u-17");
	r.moderator = true;
	token_mint(&m, &sg, &r, NOW);
	claims_of(m.token.data, claims, sizeof claims);
	is_str(claims, "{\"iss\":\"skotos\",\"aud\":\"jitsi\",\"sub\":\"meet.jitsi\","
	    "\"room\":\"lobby\",\"iat\":1795530772,\"nbf\":1795530762,"
	    "\"exp\":1795531372,\"moderator\":true,\"context\":{\"user\":"
	    "{\"name\":\"Zoë \\\"the\\\" \\\\ 日本\",\"email\":\"z@example.org\","
	    "\"avatar\":\"https://example.org/z.png\",\"id\":\"u-17\","
	    "\"affiliation\":\"owner\",\"moderator\":\"true\"}}}",
	    "moderator claims with every optional field, escaped");

	/* Strings that need escaping go through yajl; the claims stay one object. */
	set(&r, F_DISPLAYNAME, "tab\there");
	r.moderator = false;
	set(&r, F_EMAIL, "");
	r.f[F_EMAIL].type = V_ABSENT;
	r.f[F_AVATAR].type = V_ABSENT;
	r.f[F_ID].type = V_ABSENT;
	ok(token_mint(&m, &sg, &r, NOW) == 0, "a name with a control character is minted");
	claims_of(m.token.data, claims, sizeof claims);
	ok(strstr(claims, "\"name\":\"tab\\there\"") != NULL,
	    "and escaped as JSON requires");

	/* A new second, or a new expiry, is a new set of times. */
	token_mint(&m, &sg, &r, NOW + 1);
	claims_of(m.token.data, claims, sizeof claims);
	ok(strstr(claims, ",\"iat\":1795530773,\"nbf\":1795530763,"
	    "\"exp\":1795531372,") != NULL, "the next second's token has its times");
	r.exp = NOW + 7;
	token_mint(&m, &sg, &r, NOW + 1);
	claims_of(m.token.data, claims, sizeof claims);
	ok(strstr(claims, ",\"iat\":1795530773,\"nbf\":1795530763,"
	    "\"exp\":1795530779,") != NULL, "a token of the same second with another exp");
	token_mint(&m, &sg, &r, NOW);
	claims_of(m.token.data, claims, sizeof claims);
	ok(strstr(claims, ",\"iat\":1795530772,\"nbf\":1795530762,"
	    "\"exp\":1795530779,") != NULL, "and back to the first second");

	/*
	 * The prefix's encoded part ends on a 3-byte group here: up to "sub":
	 * for a tenant's token, and, with app_id "a", the whole prefix.
	 */
	r.f[F_TENANT] = (struct value){ .type = V_STRING, .s = "acme", .len = 4 };
	snprintf(r.tenant, sizeof r.tenant, "acme");
	r.tenantlen = 4;
	minter_free(&m);
	minter_init(&m, &cfg);
	ok(token_mint(&m, &sg, &r, NOW) == 0, "a tenant's token is minted");
	claims_of(m.token.data, claims, sizeof claims);
	ok(starts(claims, "{\"iss\":\"skotos\",\"aud\":\"jitsi\",\"sub\":\"acme\","
	    "\"room\":\"lobby\",\"iat\":1795530772,"),
	    "its claims start with the tenant as sub");
	r.f[F_TENANT].type = V_ABSENT;
	minter_free(&m);
	cfg.app_id = "a";
	minter_init(&m, &cfg);
	ok(token_mint(&m, &sg, &r, NOW) == 0, "a token whose prefix is whole 3-byte groups");
	claims_of(m.token.data, claims, sizeof claims);
	ok(starts(claims, "{\"iss\":\"a\",\"aud\":\"jitsi\",\"sub\":\"meet.jitsi\","
	    "\"room\":\"lobby\",\"iat\":1795530772,"), "its claims are whole");

	minter_free(&m);
	signer_free(&sg);
	secret_free(&cfg.secret);
	return done();
}
