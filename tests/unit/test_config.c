/* test_config.c: config files load into the right fields, and bad ones fail with the right status and message. */
#include <sys/stat.h>

#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "../../src/config.h"
#include "../../src/log.h"
#include "cfgtext.h"
#include "tap.h"

/* status_of(text) is EX_CONFIG and the message holds want. */
static void
refused(const char *text, const char *want, const char *what)
{
	int rc = status_of(text);

	if (!ok(rc == EX_CONFIG && strstr(last.msg, want) != NULL, "%s", what))
		printf("# status %d, message: %s\n# want: %s\n", rc, last.msg, want);
}

#define JD	"\"jitsi\":{\"domain\":\"d\"}"
#define RS	"\"app_id\":\"a\",\"algorithm\":\"RS256\",\"kid\":\"k\""

/* What the RSA keys' part of the file may hold, before any key is read. */
static void
test_rsa_keys(void)
{
	refused("{" JD ",\"jwt\":{" RS ",\"private_key\":\"-----BEGIN PRIVATE "
	    "KEY-----\"}}", "jwt.private_key: an inline private key is not "
	    "accepted: put the PEM in a file", "an inline private key is refused");
	ok(strstr(last.msg, "BEGIN") == NULL, "... and not quoted");
	refused("{" JD ",\"jwt\":{" RS ",\"private_key\":{\"pem\":\"x\"}}}",
	    "an inline private key is not accepted", "... in any shape");
	refused("{" JD ",\"jwt\":{\"app_id\":\"a\",\"secret\":\"s\","
	    "\"private_key_file\":\"/k.pem\"}}", "jwt.private_key_file: an RSA key "
	    "does not go with HS256", "HS256 with a private key file");
	refused("{" JD ",\"jwt\":{\"app_id\":\"a\",\"secret\":\"s\","
	    "\"kid\":\"k\"}}", "jwt.kid: only RS256, RS384 and RS512 tokens carry "
	    "a kid", "HS256 with a kid");
	refused("{" JD ",\"jwt\":{\"app_id\":\"a\",\"secret\":\"s\","
	    "\"previous_keys\":[{\"kid\":\"o\",\"public_key_file\":\"/o.pem\"}]}}",
	    "jwt.previous_keys: public keys do not go with HS256",
	    "HS256 with previous keys");
	refused("{" JD ",\"jwt\":{" RS ",\"secret\":\"s\"}}",
	    "jwt.secret: an HMAC secret does not go with RS256",
	    "RS256 with a secret");
	refused("{" JD ",\"jwt\":{" RS ",\"secret_file\":\"/s\"}}",
	    "jwt.secret_file: an HMAC secret does not go with RS256",
	    "RS256 with a secret file");
	refused("{" JD ",\"jwt\":{\"app_id\":\"a\",\"algorithm\":\"RS384\","
	    "\"private_key_file\":\"/k.pem\"}}", "jwt.kid: missing: RS384 tokens "
	    "name their key", "RS384 without a kid");
	unsetenv("CREDENTIALS_DIRECTORY");
	refused("{" JD ",\"jwt\":{" RS "}}", "no private key for RS256: set "
	    "jwt.private_key_file, or pass the systemd credential jwt-private-key",
	    "RS256 without a key");
	ok(status_of("{" JD ",\"jwt\":{" RS ",\"private_key_file\":"
	    "\"/nonexistent/k.pem\"}}") == EX_NOINPUT &&
	    strstr(last.msg, "jwt.private_key_file: /nonexistent/k.pem: cannot "
	    "open") != NULL, "a missing key file is EX_NOINPUT, named");
	refused("{" JD ",\"jwt\":{" RS ",\"previous_keys\":\"o\"}}",
	    "jwt.previous_keys: must be an array of objects", "previous_keys: a string");
	refused("{" JD ",\"jwt\":{" RS ",\"previous_keys\":[\"o\"]}}",
	    "jwt.previous_keys: must be an array of objects",
	    "previous_keys: an array of strings");
	refused("{" JD ",\"jwt\":{" RS ",\"previous_keys\":[[]]}}",
	    "jwt.previous_keys: must be an array of objects",
	    "previous_keys: an array of arrays");
	refused("{" JD ",\"jwt\":{" RS ",\"previous_keys\":[{\"kid\":1}]}}",
	    "jwt.previous_keys.kid: must be a string", "previous_keys: a numeric kid");
	refused("{" JD ",\"jwt\":{" RS ",\"previous_keys\":[{\"kid\":\"a\","
	    "\"kid\":\"b\"}]}}", "jwt.previous_keys.kid: given more than once",
	    "previous_keys: a kid given twice in one element");
	refused("{\"jitsi\":{\"jaas\":true},\"jwt\":{\"app_id\":\"vpaas-magic-"
	    "cookie-1\",\"kid\":\"vpaas-magic-cookie-2/k\",\"private_key_file\":"
	    "\"/k.pem\"}}", "jwt.kid: \"vpaas-magic-cookie-2/k\" does not start with "
	    "the AppID: JaaS wants \"vpaas-magic-cookie-1/KEY-ID\"",
	    "JaaS: the kid's prefix is the AppID");
	refused("{\"jitsi\":{\"jaas\":true},\"jwt\":{\"app_id\":\"vpaas-magic-"
	    "cookie-1\",\"algorithm\":\"RS512\",\"kid\":\"vpaas-magic-cookie-1/k\","
	    "\"private_key_file\":\"/k.pem\"}}", "jwt.algorithm: JaaS accepts RS256 "
	    "only, not RS512", "JaaS: RS256 only");
	refused("{\"jitsi\":{\"jaas\":true,\"domain\":\"d\"},\"jwt\":{\"app_id\":"
	    "\"vpaas-magic-cookie-1\",\"kid\":\"vpaas-magic-cookie-1/k\"}}",
	    "jitsi.domain: not used with jitsi.jaas", "JaaS: no domain");
}

#define BASE	"\"jitsi\":{\"domain\":\"meet.jitsi\"},\"jwt\":{\"app_id\":\"skotos\",\"secret\":\"0123456789abcdef0123456789abcdef\"}"

/* limits.spare_processes: 4 unless set, 0 to 64, named when out of range. */
static void
spare_processes(void)
{
	struct config	cfg;
	struct cfgerr	e;

	write_file("{" BASE "}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.spare_processes == 4,
	    "spare_processes defaults to 4");
	config_free(&cfg);
	write_file("{" BASE ",\"limits\":{\"spare_processes\":0}}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.spare_processes == 0,
	    "spare_processes 0 loads (a fork per connection)");
	config_free(&cfg);
	write_file("{" BASE ",\"limits\":{\"spare_processes\":64}}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.spare_processes == 64,
	    "spare_processes 64 loads");
	config_free(&cfg);
	ok(status_of("{" BASE ",\"limits\":{\"spare_processes\":65}}") ==
	    EX_CONFIG && strstr(last.msg, "limits.spare_processes") != NULL,
	    "spare_processes 65 is refused, naming the key");
	ok(status_of("{" BASE ",\"limits\":{\"spare_processes\":-1}}") ==
	    EX_CONFIG, "a negative spare_processes is refused");
	ok(status_of("{" BASE ",\"limits\":{\"spare_processes\":\"2\"}}") ==
	    EX_CONFIG, "spare_processes must be an integer");
}

int
main(void)
{
	struct config	cfg;
	struct cfgerr	e;

	if (sodium_init() < 0)
		return 1;
	log_init(-1);
	close(mkstemp(path));

	write_file("{" BASE ",\"inbound\":{\"port\":4114},\"outbound\":{\"host\":\"::1\",\"port\":\"11091\"},"
	    "\"policy\":{\"max_valid_for\":600,\"allow_moderator\":false,\"rooms\":[\"a*\",\"b\"],\"allow_all_rooms\":true},"
	    "\"limits\":{\"max_request_bytes\":1024,\"idle_timeout\":0,\"max_connections\":2,\"max_requests_per_connection\":5},"
	    "\"unknown\":{\"deep\":[1,{\"x\":2}]}}");
	ok(config_load(&cfg, path, &e) == 0 && e.msg[0] == '\0', "a full file loads");
	ok(strcmp(cfg.domain, "meet.jitsi") == 0 && strcmp(cfg.app_id, "skotos") == 0,
	    "domain and app_id");
	ok(strcmp(cfg.audience, "jitsi") == 0 && cfg.alg == ALG_HS256,
	    "audience and algorithm default to jitsi and HS256");
	ok(cfg.secret.len == 32, "the inline secret is held, 32 bytes");
	ok(cfg.inbound.set && strcmp(cfg.inbound.host, "127.0.0.1") == 0 &&
	    strcmp(cfg.inbound.port, "4114") == 0, "inbound host defaults to loopback");
	ok(cfg.outbound.set && strcmp(cfg.outbound.host, "::1") == 0 &&
	    strcmp(cfg.outbound.port, "11091") == 0, "a port may be a string of digits");
	ok(cfg.policy.max_valid_for == 600 && !cfg.policy.allow_moderator &&
	    cfg.policy.nrooms == 2 && strcmp(cfg.policy.rooms[1], "b") == 0 &&
	    cfg.policy.allow_all_rooms, "policy");
	ok(cfg.max_request_bytes == 1024 && cfg.idle_timeout == 0 &&
	    cfg.max_connections == 2 && cfg.max_requests_per_connection == 5,
	    "limits");
	config_free(&cfg);

	write_file("{" BASE "}");
	ok(config_load(&cfg, path, &e) == 0, "the smallest file loads");
	ok(!cfg.inbound.set && !cfg.outbound.set && cfg.policy.rooms == NULL &&
	    cfg.policy.allow_moderator && cfg.max_request_bytes == 65536 &&
	    cfg.idle_timeout == 60 && cfg.max_connections == 64,
	    "defaults: no sockets, open policy, documented limits");
	config_free(&cfg);

	ok(status_of("{" BASE ",}") == EX_CONFIG, "a trailing comma is malformed");
	ok(strncmp(last.msg, path, strlen(path)) == 0 &&
	    strstr(last.msg, ":1:") != NULL && strstr(last.msg, "malformed JSON") != NULL,
	    "the message names the file, the line and the problem");
	ok(status_of("[]") == EX_CONFIG, "the top level must be an object");
	ok(status_of("{\"jwt\":{\"app_id\":\"a\",\"secret\":\"s\"}}") == EX_CONFIG,
	    "jitsi.domain is required");
	ok(status_of("{" BASE ",\"inbound\":{\"port\":70000}}") == EX_CONFIG,
	    "a port out of range");
	ok(status_of("{" BASE ",\"inbound\":{\"host\":\"::1\"}}") == EX_CONFIG,
	    "inbound without a port");
	ok(status_of("{" BASE ",\"limits\":{\"max_connections\":0}}") == EX_CONFIG,
	    "a limit below its minimum");
	ok(status_of("{" BASE ",\"policy\":{\"rooms\":[1]}}") == EX_CONFIG,
	    "rooms must hold strings");
	write_file("{" BASE ",\"policy\":{\"rooms\":[\"CAF\xc3\x89*\",\"\xef\xbc\xac\xef\xbc\xaf"
	    "\xef\xbc\xa2\xef\xbc\xa2\xef\xbc\xb9\",\"Stra\xc3\x9f" "e\"]}}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.policy.nrooms == 3 &&
	    strcmp(cfg.policy.rooms[0], "caf\xc3\xa9*") == 0 &&
	    strcmp(cfg.policy.rooms[1], "lobby") == 0 &&
	    strcmp(cfg.policy.rooms[2], "strasse") == 0,
	    "room patterns are kept nodeprepped, as the rooms they match");
	config_free(&cfg);
	ok(status_of("{" BASE ",\"policy\":{\"rooms\":[\"lobby\",\"a\xc2\xa0" "b\"]}}") ==
	    EX_CONFIG && strstr(last.msg, ": policy.rooms: \"a\xc2\xa0" "b\" contains U+00A0, "
	    "which XMPP forbids in a name (nodeprep)") != NULL,
	    "a pattern nodeprep refuses is an error naming the key and the character");
	ok(status_of("{" BASE ",\"policy\":{\"rooms\":[\"a\\u001bb\"]}}") == EX_CONFIG &&
	    strstr(last.msg, "\"a\\x1bb\" contains U+001B") != NULL,
	    "and shows the pattern escaped");
	ok(status_of("{" BASE ",\"policy\":{\"rooms\":[\"\xff\"]}}") == EX_CONFIG,
	    "a pattern must be UTF-8");
	ok(status_of("{" BASE ",\"jwt\":{}}") == EX_CONFIG, "a key given twice");
	ok(status_of("{\"jitsi\":{\"domain\":\"d\"},\"jwt\":{\"app_id\":\"a\","
	    "\"secret\":\"s\",\"secret_file\":\"/nonexistent\"}}") == EX_CONFIG,
	    "secret and secret_file together");
	ok(status_of("{\"jitsi\":{\"domain\":\"d\"},\"jwt\":{\"app_id\":\"a\","
	    "\"secret_file\":\"/nonexistent/secret\"}}") == EX_NOINPUT,
	    "an unreadable secret file");
	unsetenv("CREDENTIALS_DIRECTORY");
	ok(status_of("{\"jitsi\":{\"domain\":\"d\"},\"jwt\":{\"app_id\":\"a\"}}") ==
	    EX_CONFIG, "no secret at all");
	ok(status_of("{\"jitsi\":{\"domain\":\"d\"},\"jwt\":{\"app_id\":\"a\","
	    "\"secret\":\"s\",\"algorithm\":\"none\"}}") == EX_CONFIG,
	    "an unknown algorithm");
	ok(strstr(last.msg, "jwt.algorithm") != NULL, "the message names the key");
	spare_processes();
	test_rsa_keys();
	unlink(path);
	ok(config_load(&cfg, "/nonexistent/config.json", &e) == EX_NOINPUT &&
	    strstr(e.msg, "/nonexistent/config.json: cannot open: ") == e.msg,
	    "a missing file is EX_NOINPUT, with the path and errno's text");
	return done();
}
