/* test_clients.c: who a connection's peer is, and which entry of the clients table it matches, first match first. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <unistd.h>

#include "../../src/clients.h"
#include "../../src/config.h"
#include "../../src/identity.h"
#include "../../src/log.h"
#include "tap.h"

static struct client
entry(enum client_by by, const char *key, unsigned long id)
{
	struct client	c;
	const char	*why;

	memset(&c, 0, sizeof c);
	c.name = (char *)"e";
	c.by = by;
	c.key = (char *)key;
	c.id = id;
	if (by == BY_ADDRESS && cidr_parse(key, &c, &why) == -1)
		printf("# %s: %s\n", key, why);
	return c;
}

static struct identity
tcp_peer(const char *addr)
{
	struct identity		 id;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&id.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&id.addr;

	memset(&id, 0, sizeof id);
	id.kind = PEER_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	return id;
}

static bool
matches(const struct client *c, const struct identity *id)
{
	return clients_match(c, 1, id) == c;
}

static void
test_cidr(void)
{
	static const struct { const char *s; int family, prefix; } good[] = {
		{ "127.0.0.1", AF_INET, 32 }, { "10.0.0.0/8", AF_INET, 8 },
		{ "0.0.0.0/0", AF_INET, 0 }, { "::1", AF_INET6, 128 },
		{ "fd00::/8", AF_INET6, 8 }, { "::/0", AF_INET6, 0 },
		{ "::ffff:10.0.0.0/104", AF_INET, 8 },
		{ "::ffff:127.0.0.2", AF_INET, 32 },
	};
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/+8", "10.0.0.0/ 8",
		"10.0.0.0/8/8", "10.0.0.1/8", "fd00::1/8", "::ffff:0:0/95",
		"localhost", "10.0.0", "::1/129", "10.0.0.0/0008",
	};
	struct client	c;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		memset(&c, 0, sizeof c);
		ok(cidr_parse(good[i].s, &c, &why) == 0 &&
		    c.family == good[i].family && c.prefix == good[i].prefix,
		    "address %s: family %d, prefix %d", good[i].s, good[i].family,
		    good[i].prefix);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&c, 0, sizeof c);
		c.prefix = 99;
		ok(cidr_parse(bad[i], &c, &why) == -1 && why != NULL &&
		    c.prefix == 99, "address \"%s\" is refused, the entry untouched",
		    bad[i]);
	}
	ok(cidr_parse("10.0.0.1/8", &c, &why) == -1 &&
	    strstr(why, "beyond its prefix") != NULL,
	    "host bits beyond the prefix are named as the problem");
}

static void
test_addresses(void)
{
	struct client	 net8 = entry(BY_ADDRESS, "127.0.0.0/8", 0);
	struct client	 two = entry(BY_ADDRESS, "127.0.0.2", 0);
	struct client	 odd = entry(BY_ADDRESS, "192.168.1.128/25", 0);
	struct client	 six = entry(BY_ADDRESS, "::1", 0);
	struct client	 fd = entry(BY_ADDRESS, "fc00::/7", 0);
	struct client	 all4 = entry(BY_ADDRESS, "0.0.0.0/0", 0);
	struct identity	 p;

	p = tcp_peer("127.0.0.2");
	ok(matches(&two, &p) && matches(&net8, &p), "127.0.0.2 is 127.0.0.2 and in 127/8");
	p = tcp_peer("127.0.0.1");
	ok(!matches(&two, &p) && matches(&net8, &p), "127.0.0.1 is not 127.0.0.2");
	p = tcp_peer("128.0.0.1");
	ok(!matches(&net8, &p) && matches(&all4, &p), "128.0.0.1 is outside 127/8");
	p = tcp_peer("192.168.1.200");
	ok(matches(&odd, &p), "a prefix that is not a whole byte: inside");
	p = tcp_peer("192.168.1.100");
	ok(!matches(&odd, &p), "a prefix that is not a whole byte: outside");
	p = tcp_peer("::ffff:127.0.0.2");
	ok(matches(&two, &p) && matches(&net8, &p) && !matches(&six, &p),
	    "an IPv4-mapped peer matches IPv4 entries, not IPv6 ones");
	p = tcp_peer("::1");
	ok(matches(&six, &p) && !matches(&net8, &p) && !matches(&all4, &p),
	    "::1 matches ::1 only, not IPv4 entries");
	p = tcp_peer("fdff::1");
	ok(matches(&fd, &p), "fdff::1 is in fc00::/7");
	p = tcp_peer("fe00::1");
	ok(!matches(&fd, &p), "fe00::1 is not");
	p = tcp_peer("127.0.0.2");
	p.kind = PEER_UNIX;
	ok(!matches(&two, &p), "an address entry never matches a Unix peer");
}

static void
test_ids(void)
{
	static gid_t		 groups[] = { 27, 1001 };
	struct client		 uid1000 = entry(BY_UID, NULL, 1000);
	struct client		 uid0 = entry(BY_UID, NULL, 0);
	struct client		 gid100 = entry(BY_GID, NULL, 100);
	struct client		 gid27 = entry(BY_GID, NULL, 27);
	struct client		 gid5 = entry(BY_GID, NULL, 5);
	struct client		 root = entry(BY_USER, "root", 0);
	struct client		 rootgrp = entry(BY_GROUP, "root", 0);
	struct client		 nouser = entry(BY_USER, "no-such-user-cas", 0);
	struct client		 v[3];
	struct identity		 p;

	memset(&p, 0, sizeof p);
	p.kind = PEER_UNIX;
	p.uid = 1000;
	p.gid = 100;
	p.groups = groups;
	p.ngroups = 2;
	ok(matches(&uid1000, &p) && !matches(&uid0, &p), "by uid");
	ok(matches(&gid100, &p), "by gid: the primary group");
	ok(matches(&gid27, &p), "by gid: a supplementary group");
	ok(!matches(&gid5, &p), "by gid: not a group of the peer");
	ok(!matches(&root, &p) && !matches(&rootgrp, &p),
	    "by name: root's uid and group are not the peer's");
	p.uid = 0;
	p.gid = 0;
	ok(matches(&root, &p) && matches(&rootgrp, &p),
	    "by name: the user and group named root are looked up");
	ok(!matches(&nouser, &p), "a user that does not exist matches nobody");
	p.kind = PEER_USER;
	ok(matches(&uid0, &p) && matches(&root, &p),
	    "the running user matches like a Unix peer");
	p.kind = PEER_INET;
	ok(!matches(&uid0, &p) && !matches(&root, &p) && !matches(&rootgrp, &p),
	    "a TCP peer has no uid or group to match");
	p.kind = PEER_UNKNOWN;
	ok(!matches(&uid0, &p), "nor has a peer whose credentials are unknown");

	p.kind = PEER_UNIX;
	p.uid = 1000;
	p.gid = 100;
	v[0] = gid5;
	v[1] = gid27;
	v[2] = uid1000;
	ok(clients_match(v, 3, &p) == &v[1], "the first entry that matches applies");
	ok(clients_match(v, 1, &p) == NULL, "no entry that matches: none");
}

static void
test_identity(void)
{
	struct identity		 id;
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof sin;
	char			 want[64];
	int			 sv[2], p[2], l, c, a;

	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	identity_of(sv[0], &id);
	ok(id.kind == PEER_UNIX && id.uid == getuid() && id.gid == getgid() &&
	    id.pid == getpid(), "a Unix peer: the kernel's uid, gid and pid");
	snprintf(want, sizeof want, "pid=%ld", (long)getpid());
	ok(strstr(id.desc, want) != NULL && strncmp(id.desc, "uid=", 4) == 0,
	    "described by ids and pid: %s", id.desc);
	identity_free(&id);
	close(sv[0]);
	close(sv[1]);

	ok(pipe(p) == 0, "pipe");
	identity_of(p[0], &id);
	ok(id.kind == PEER_USER && id.uid == getuid() && id.pid == 0,
	    "a pipe: the user running the program");
	ok(strncmp(id.desc, "stdin uid=", 10) == 0, "described as stdin: %s",
	    id.desc);
	identity_free(&id);
	close(p[0]);
	close(p[1]);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	ok(bind(l, (struct sockaddr *)&sin, sizeof sin) == 0 && listen(l, 1) == 0 &&
	    getsockname(l, (struct sockaddr *)&sin, &sl) == 0 &&
	    connect(c, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    (a = accept(l, NULL, NULL)) != -1, "a TCP connection on loopback");
	identity_of(a, &id);
	ok(id.kind == PEER_INET && id.addr.ss_family == AF_INET &&
	    strncmp(id.desc, "127.0.0.1:", 10) == 0, "TCP: the peer's address: %s",
	    id.desc);
	identity_free(&id);
	close(a);
	close(c);
	close(l);
}

static void
test_admit(void)
{
	struct config		 cfg;
	struct client		 v[1];
	struct admission	 a;
	int			 p[2];

	memset(&cfg, 0, sizeof cfg);
	if (pipe(p) == -1)
		return;
	clients_admit(&cfg, p[0], false, &a);
	ok(a.policy == &cfg.policy && a.client == NULL &&
	    strcmp(a.name, a.id.desc) == 0,
	    "no clients table: the top-level policy, named by the peer alone");
	admission_free(&a);
	clients_admit(&cfg, p[0], true, &a);
	ok(a.policy == &cfg.outbound_policy, "the game link: outbound.policy");
	admission_free(&a);
	cfg.clients_set = true;
	clients_admit(&cfg, p[0], false, &a);
	ok(a.policy == NULL && a.client == NULL, "an empty table: refused");
	admission_free(&a);
	clients_admit(&cfg, p[0], true, &a);
	ok(a.policy == &cfg.outbound_policy,
	    "the game link is not subject to the table");
	admission_free(&a);
	v[0] = entry(BY_UID, NULL, getuid());
	v[0].name = (char *)"me";
	cfg.clients = v;
	cfg.nclients = 1;
	clients_admit(&cfg, -1, false, &a);
	ok(a.policy == &v[0].policy && a.client == &v[0] &&
	    strncmp(a.name, "client=me uid=", 14) == 0,
	    "the running user's entry, its name first in the log: %s", a.name);
	admission_free(&a);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	log_init(-1);
	test_cidr();
	test_addresses();
	test_ids();
	test_identity();
	test_admit();
	return done();
}
