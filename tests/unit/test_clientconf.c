/* test_clientconf.c: the clients table, outbound.policy and inbound.path load, merge over the top-level policy, and fail with the key named. */
#include <sys/socket.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "../../src/clients.h"
#include "../../src/config.h"
#include "../../src/log.h"
#include "cfgtext.h"
#include "tap.h"

#define BASE	"\"jitsi\":{\"domain\":\"meet.jitsi\"},\"jwt\":{\"app_id\":\"skotos\",\"secret\":\"0123456789abcdef0123456789abcdef\"}"

/* A file with BASE and more fails with EX_CONFIG and exactly "path: msg". */
static void
refused(const char *more, const char *msg)
{
	char	text[2048], want[1024];
	int	rc;

	snprintf(text, sizeof text, "{" BASE ",%s}", more);
	snprintf(want, sizeof want, "%s: %s", path, msg);
	rc = status_of(text);
	if (!ok(rc == EX_CONFIG && strcmp(last.msg, want) == 0, "%s", msg))
		printf("# rc %d, got: %s\n# want: %s\n", rc, last.msg, want);
}

static void
test_table(void)
{
	struct config		 cfg;
	struct cfgerr		 e;
	const struct client	*c;

	/* The top-level policy comes after the clients: merged once all is read. */
	write_file("{" BASE ",\"clients\":["
	    "{\"name\":\"game\",\"user\":\"skotos\",\"policy\":{\"allow_moderator\":true,"
	    "\"rooms\":[\"game-*\"],\"features\":{\"moderator\":{\"recording\":true}}}},"
	    "{\"name\":\"web-1\",\"uid\":33,\"policy\":{\"max_valid_for\":60}},"
	    "{\"name\":\"staff\",\"group\":\"staff\"},"
	    "{\"name\":\"g.100\",\"gid\":100,\"policy\":{}},"
	    "{\"name\":\"lan\",\"address\":\"10.0.0.0/8\",\"extra\":[1,{\"x\":2}]},"
	    "{\"name\":\"six\",\"address\":\"fd00::/8\"},"
	    "{\"name\":\"mapped\",\"address\":\"::ffff:192.168.0.0/112\"}],"
	    "\"policy\":{\"max_valid_for\":600,\"allow_moderator\":false,"
	    "\"features\":{\"member\":{\"recording\":false}}}}");
	ok(config_load(&cfg, path, &e) == 0, "a table of every kind of entry loads");
	ok(cfg.clients_set && cfg.nclients == 7, "seven entries, in order");
	c = &cfg.clients[0];
	ok(strcmp(c->name, "game") == 0 && c->by == BY_USER &&
	    strcmp(c->key, "skotos") == 0, "an entry by user name");
	ok(c->policy.allow_moderator && c->policy.nrooms == 1 &&
	    strcmp(c->policy.rooms[0], "game-*") == 0,
	    "its own keys override the top-level policy");
	ok(c->policy.max_valid_for == 600,
	    "a key it omits is inherited, though the top level came after it");
	ok((c->policy.given & PK_BIT(PK_FEATURES_MODERATOR)) &&
	    (c->policy.given & PK_BIT(PK_FEATURES_MEMBER)) &&
	    (c->policy.member_features.given & FEATURE_BIT(feature_lookup("recording", 9))) &&
	    !(c->policy.member_features.on & FEATURE_BIT(feature_lookup("recording", 9))),
	    "feature maps: its own, and the top level's for the other role");
	c = &cfg.clients[1];
	ok(c->by == BY_UID && c->id == 33 && c->policy.max_valid_for == 60 &&
	    !c->policy.allow_moderator, "an entry by uid, with one key of its own");
	ok(cfg.clients[2].by == BY_GROUP && cfg.clients[3].by == BY_GID &&
	    cfg.clients[3].id == 100, "entries by group name and by gid");
	ok(cfg.clients[3].policy.max_valid_for == 600 &&
	    !cfg.clients[3].policy.allow_moderator,
	    "an empty policy object inherits everything");
	c = &cfg.clients[4];
	ok(c->by == BY_ADDRESS && c->family == AF_INET && c->prefix == 8 &&
	    c->net[0] == 10, "an IPv4 network; an unknown key in an entry is skipped");
	ok(cfg.clients[5].family == AF_INET6 && cfg.clients[5].prefix == 8,
	    "an IPv6 network");
	c = &cfg.clients[6];
	ok(c->family == AF_INET && c->prefix == 16 && c->net[0] == 192 &&
	    c->net[1] == 168, "an IPv4-mapped network is the IPv4 one it maps");
	ok(clients_named(cfg.clients, cfg.nclients, "web-1") == &cfg.clients[1] &&
	    clients_named(cfg.clients, cfg.nclients, "web") == NULL,
	    "entries are found by name");
	config_free(&cfg);

	write_file("{" BASE ",\"clients\":[]}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.clients_set &&
	    cfg.nclients == 0, "an empty table loads: it refuses everyone");
	config_free(&cfg);
	write_file("{" BASE "}");
	ok(config_load(&cfg, path, &e) == 0 && !cfg.clients_set,
	    "without the key there is no table");
	ok(cfg.outbound_policy.max_valid_for == DEFAULT_MAX_VALID_FOR &&
	    cfg.outbound_policy.allow_moderator,
	    "outbound.policy is the top-level policy when not given");
	config_free(&cfg);
}

static void
test_outbound_policy(void)
{
	struct config	cfg;
	struct cfgerr	e;

	write_file("{" BASE ",\"outbound\":{\"port\":11091,\"policy\":"
	    "{\"allow_moderator\":true,\"rooms\":[\"game-*\"]}},"
	    "\"policy\":{\"allow_moderator\":false,\"max_valid_for\":300}}");
	ok(config_load(&cfg, path, &e) == 0, "outbound.policy loads");
	ok(cfg.outbound_policy.allow_moderator &&
	    cfg.outbound_policy.nrooms == 1 &&
	    cfg.outbound_policy.max_valid_for == 300,
	    "outbound.policy: its keys over the top-level ones");
	ok(!cfg.policy.allow_moderator && cfg.policy.rooms == NULL,
	    "the top-level policy is left as it was");
	config_free(&cfg);
	refused("\"outbound\":{\"port\":1,\"policy\":5}",
	    "outbound.policy: must be an object");
	refused("\"outbound\":{\"port\":1,\"policy\":{\"rooms\":\"x\"}}",
	    "outbound.policy.rooms: must be an array of strings");
}

static void
test_inbound_path(void)
{
	struct config	cfg;
	struct cfgerr	e;

	write_file("{" BASE ",\"inbound\":{\"path\":\"/run/cas/socket\"}}");
	ok(config_load(&cfg, path, &e) == 0, "inbound with a path alone loads");
	ok(cfg.inbound.set && cfg.inbound.port[0] == '\0' &&
	    cfg.inbound.host == NULL && strcmp(cfg.inbound_unix.path,
	    "/run/cas/socket") == 0 && cfg.inbound_unix.mode == 0660 &&
	    cfg.inbound_unix.group == NULL,
	    "no TCP then; the mode defaults to 0660");
	config_free(&cfg);
	write_file("{" BASE ",\"inbound\":{\"port\":4114,\"path\":\"s\","
	    "\"mode\":\"600\",\"group\":\"games\"}}");
	ok(config_load(&cfg, path, &e) == 0 && cfg.inbound_unix.mode == 0600 &&
	    strcmp(cfg.inbound_unix.group, "games") == 0 &&
	    strcmp(cfg.inbound.host, "127.0.0.1") == 0,
	    "TCP and a Unix socket; the mode is octal");
	config_free(&cfg);
	refused("\"inbound\":{\"path\":\"s\",\"mode\":660}",
	    "inbound.mode: must be a string of octal digits from \"0\" to "
	    "\"0777\", such as \"0660\"");
	refused("\"inbound\":{\"path\":\"s\",\"mode\":\"0680\"}",
	    "inbound.mode: must be a string of octal digits from \"0\" to "
	    "\"0777\", such as \"0660\"");
	refused("\"inbound\":{\"path\":\"s\",\"mode\":\"1777\"}",
	    "inbound.mode: must be a string of octal digits from \"0\" to "
	    "\"0777\", such as \"0660\"");
	refused("\"inbound\":{\"port\":1,\"mode\":\"0600\"}",
	    "inbound.mode: needs inbound.path");
	refused("\"inbound\":{\"port\":1,\"group\":\"x\"}",
	    "inbound.group: needs inbound.path");
	refused("\"inbound\":{\"path\":\"s\",\"host\":\"::1\"}",
	    "inbound.port: missing");
	refused("\"inbound\":{\"path\":\"/0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456\"}",
	    "inbound.path: longer than 107 bytes");
}

static void
test_errors(void)
{
	refused("\"clients\":{}", "clients: must be an array of objects");
	refused("\"clients\":\"root\"", "clients: must be an array of objects");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0},1]",
	    "clients[1]: must be an object");
	refused("\"clients\":[[]]", "clients[0]: must be an object");
	refused("\"clients\":[{\"user\":\"root\"}]", "clients[0].name: missing");
	refused("\"clients\":[{\"name\":\"a\"}]",
	    "clients[0]: give exactly one of user, uid, group, gid and address");
	refused("\"clients\":[{\"name\":\"a\",\"user\":\"root\",\"uid\":0}]",
	    "clients[0]: give exactly one of user, uid, group, gid and address");
	refused("\"clients\":[{\"name\":\"a b\",\"uid\":0}]",
	    "clients[0].name: must be 1 to 64 letters, digits, \"-\", \"_\" or \".\"");
	refused("\"clients\":[{\"name\":\"\",\"uid\":0}]",
	    "clients[0].name: must be 1 to 64 letters, digits, \"-\", \"_\" or \".\"");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0},{\"name\":\"a\",\"uid\":1}]",
	    "clients[1].name: clients[0] has that name already");
	refused("\"clients\":[{\"name\":\"a\",\"name\":\"b\",\"uid\":0}]",
	    "clients[0].name: given more than once");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":-1}]",
	    "clients[0].uid: must be an integer from 0 to 4294967294");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":4294967295}]",
	    "clients[0].uid: must be an integer from 0 to 4294967294");
	refused("\"clients\":[{\"name\":\"a\",\"gid\":1.5}]",
	    "clients[0].gid: must be an integer from 0 to 4294967294");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":\"0\"}]",
	    "clients[0].uid: must be an integer from 0 to 4294967294");
	refused("\"clients\":[{\"name\":\"a\",\"user\":\"\"}]",
	    "clients[0].user: must be a non-empty string");
	refused("\"clients\":[{\"name\":\"a\",\"group\":7}]",
	    "clients[0].group: must be a non-empty string");
	refused("\"clients\":[{\"name\":\"a\",\"address\":\"10.0.0.1/8\"}]",
	    "clients[0].address: has bits set beyond its prefix length");
	refused("\"clients\":[{\"name\":\"a\",\"address\":\"localhost\"}]",
	    "clients[0].address: must be an IPv4 or IPv6 address, or one with a "
	    "prefix length such as 10.0.0.0/8 or fd00::/8");
	refused("\"clients\":[{\"name\":\"a\",\"address\":\"10.0.0.0/33\"}]",
	    "clients[0].address: must be an IPv4 or IPv6 address, or one with a "
	    "prefix length such as 10.0.0.0/8 or fd00::/8");
	refused("\"clients\":[{\"name\":\"a\",\"address\":true}]",
	    "clients[0].address: must be a string: an IPv4 or IPv6 address or network");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0,\"policy\":[]}]",
	    "clients[0].policy: must be an object");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0,\"policy\":{\"rooms\":\"x\"}}]",
	    "clients[0].policy.rooms: must be an array of strings");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0},{\"name\":\"b\",\"uid\":1,"
	    "\"policy\":{\"allow_moderator\":1}}]",
	    "clients[1].policy.allow_moderator: must be true or false");
	refused("\"clients\":[{\"name\":\"a\",\"uid\":0,\"policy\":{},\"policy\":{}}]",
	    "clients[0].policy: given more than once");
	refused("\"clients\":[],\"clients\":[]", "clients: given more than once");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	log_init(-1);
	close(mkstemp(path));
	test_table();
	test_outbound_policy();
	test_inbound_path();
	test_errors();
	unlink(path);
	return done();
}
