/* test_counters.c: counts shared across fork, refusals by rule, and the STATUS= wording. */
#include <sys/wait.h>

#include <stdlib.h>
#include <unistd.h>

#include "../../src/counters.h"
#include "../../src/policy.h"
#include "../../src/request.h"
#include "tap.h"

#define NOW	1795530772LL
#define GOOD	"\"cmd\":\"jwt_token\",\"displayName\":\"Bob\",\"channel\":\"lobby\"," \
		"\"moderator\":false"

/* The rule a request is refused by, as conn.c counts it; -1 when it is granted. */
static int
rule(const struct policy *p, const char *json)
{
	struct reqparser	 rp;
	char			 msg[160];
	const char		*err;
	int			 why;

	reqparser_init(&rp, 65536);
	reqparser_feed(&rp, (const unsigned char *)json, strlen(json));
	reqparser_finish(&rp);
	rp.req.refused = rp.req.error != NULL ? REFUSED_MALFORMED :
	    REFUSED_INVALID;
	err = request_validate(&rp.req, NOW, msg, sizeof msg);
	if (err == NULL)
		err = policy_check(p, &rp.req, rp.req.exp - NOW, msg, sizeof msg);
	why = err == NULL ? -1 : (int)rp.req.refused;
	reqparser_free(&rp);
	return why;
}

static void
test_rules(void)
{
	char		*rooms[] = { "lobby" };
	struct policy	 p;

	policy_defaults(&p);
	p.max_valid_for = 600;
	p.allow_moderator = false;
	ok(rule(&p, "{" GOOD ",\"validFor\":60}") == -1, "a good request is granted");
	ok(rule(&p, "{" GOOD ",\"validFor\":60") == REFUSED_MALFORMED,
	    "broken JSON: malformed");
	ok(rule(&p, "[1]") == REFUSED_MALFORMED, "not an object: malformed");
	ok(rule(&p, "{" GOOD ",\"validFor\":60}{}") == REFUSED_MALFORMED,
	    "two values: malformed");
	ok(rule(&p, "{" GOOD "}") == REFUSED_INVALID,
	    "no validity: invalid (a field breaks the protocol's rules)");
	ok(rule(&p, "{\"cmd\":\"other\"}") == REFUSED_INVALID, "unknown cmd: invalid");
	ok(rule(&p, "{" GOOD ",\"validFor\":601}") == REFUSED_VALIDITY,
	    "past max_valid_for: validity");
	ok(rule(&p, "{\"cmd\":\"jwt_token\",\"displayName\":\"Bob\",\"channel\":"
	    "\"lobby\",\"moderator\":true,\"validFor\":60}") == REFUSED_MODERATOR,
	    "a moderator without allow_moderator: moderator");
	p.rooms = rooms;
	p.nrooms = 1;
	ok(rule(&p, "{\"cmd\":\"jwt_token\",\"displayName\":\"Bob\",\"channel\":"
	    "\"kitchen\",\"moderator\":false,\"validFor\":60}") == REFUSED_ROOM,
	    "a room outside policy.rooms: room");
	ok(rule(&p, "{" GOOD ",\"validFor\":60,\"lobbyBypass\":true}") ==
	    REFUSED_BYPASS, "lobbyBypass: bypass");
	ok(rule(&p, "{" GOOD ",\"validFor\":60,\"securityBypass\":true}") ==
	    REFUSED_BYPASS, "securityBypass: bypass");
	ok(rule(&p, "{" GOOD ",\"validFor\":60,\"hiddenFromRecorder\":true}") ==
	    REFUSED_BYPASS, "hiddenFromRecorder: bypass");
	ok(rule(&p, "{" GOOD ",\"validFor\":60,\"tenant\":\"acme\"}") ==
	    REFUSED_TENANT, "a tenant outside policy.tenants: tenant");
	ok(rule(&p, "{" GOOD ",\"validFor\":60,\"features\":{\"recording\":true}}") ==
	    REFUSED_FEATURE, "a feature not requestable: feature");
}

static void
add(struct counters *c, int tokens, int refusals)
{
	int i;

	counters_connection(c);
	counters_turned_away(c);
	for (i = 0; i < tokens; i++)
		counters_token(c);
	for (i = 0; i < refusals; i++)
		counters_refusal(c, (enum refusal)(i % REFUSED_COUNT));
}

static void
test_shared(void)
{
	struct counters	*c;
	struct counts	 n;
	pid_t		 pid[2];
	int		 i, st, fine = 1;

	if (!ok((c = counters_map()) != NULL, "counters are mapped"))
		return;
	counters_read(c, &n);
	ok(n.connections == 0 && n.tokens == 0 && n.refused[0] == 0 &&
	    n.open == 0, "they start at zero");
	/* Two children and the parent count at once: nothing is lost. */
	for (i = 0; i < 2; i++)
		if ((pid[i] = fork()) == 0) {
			add(c, 100000, 9 * 1000);
			_exit(0);
		}
	add(c, 100000, 9 * 1000);
	for (i = 0; i < 2; i++)
		fine &= pid[i] > 0 && waitpid(pid[i], &st, 0) == pid[i] &&
		    WIFEXITED(st);
	ok(fine, "two children counted and exited");
	counters_read(c, &n);
	ok(n.connections == 3 && n.turned_away == 3 && n.tokens == 300000,
	    "the children's counts and the parent's add up (%llu connections, "
	    "%llu tokens)", n.connections, n.tokens);
	for (i = 0; i < REFUSED_COUNT; i++)
		fine &= n.refused[i] == 3000;
	ok(fine, "and each rule's refusals");
	counters_unmap(c);

	/* Without counters (serving standard input), counting does nothing. */
	add(NULL, 1, 1);
	counters_read(NULL, &n);
	ok(n.connections == 0 && n.tokens == 0, "no counters: all zero");
}

static const char *
format(const struct counts *n, size_t len)
{
	static char buf[400];

	counters_format(n, buf, len);
	return buf;
}

static void
test_format(void)
{
	struct counts n;

	memset(&n, 0, sizeof n);
	is_str(format(&n, 400), "connections 0, tokens 0, refused 0",
	    "nothing yet");
	n.connections = 5;
	n.tokens = 12;
	n.open = 2;
	n.refused[REFUSED_ROOM] = 2;
	n.refused[REFUSED_MALFORMED] = 1;
	n.refused[REFUSED_INTERNAL] = 4;
	is_str(format(&n, 400), "connections 5 (2 open), tokens 12, refused 7 "
	    "(malformed 1, room 2, internal 4)",
	    "open connections, and only the rules that refused, in a fixed order");
	n.open = 0;
	n.refused[REFUSED_MALFORMED] = 0;
	n.refused[REFUSED_INTERNAL] = 0;
	n.refused[REFUSED_INVALID] = 1;
	n.refused[REFUSED_VALIDITY] = 1;
	n.refused[REFUSED_MODERATOR] = 1;
	n.refused[REFUSED_BYPASS] = 1;
	n.refused[REFUSED_TENANT] = 1;
	n.refused[REFUSED_FEATURE] = 1;
	is_str(format(&n, 400), "connections 5, tokens 12, refused 8 (invalid 1, "
	    "validity 1, moderator 1, room 2, bypass 1, tenant 1, feature 1)",
	    "every rule by its name");
	n.turned_away = 3;
	is_str(format(&n, 400), "connections 5, turned away 3, tokens 12, "
	    "refused 8 (invalid 1, validity 1, moderator 1, room 2, bypass 1, "
	    "tenant 1, feature 1)", "clients turned away, when there are");
	n.turned_away = 0;
	is_str(format(&n, 20), "connections 5, t...", "cut to fit, and said so");
	is_str(format(&n, 45), "connections 5, tokens 12, refused 8 (inva...",
	    "cut inside the rules too");
}

int
main(void)
{
	test_rules();
	test_shared();
	test_format();
	return done();
}
