/* clients.c: which entry of the clients table a connection's peer is, and the policy it is served under. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "config.h"
#include "log.h"

/* An IPv4 address in an IPv6 socket's form is the IPv4 address it maps. */
static int
unmap(int family, const unsigned char *in, unsigned char *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (family == AF_INET6 && memcmp(in, mapped, sizeof mapped) == 0) {
		memcpy(out, in + 12, 4);
		return AF_INET;
	}
	memcpy(out, in, family == AF_INET ? 4 : 16);
	return family;
}

/*
 * An address entry: "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". An
 * IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 one it maps.
 * 0, or -1 with why set; c is changed only on success.
 */
int
cidr_parse(const char *s, struct client *c, const char **why)
{
	unsigned char	 raw[16], net[16];
	char		 text[INET6_ADDRSTRLEN + 1], *end;
	const char	*slash = strchr(s, '/');
	size_t		 alen = slash ? (size_t)(slash - s) : strlen(s);
	long		 prefix;
	int		 family, max, i;

	*why = "must be an IPv4 or IPv6 address, or one with a prefix length "
	    "such as 10.0.0.0/8 or fd00::/8";
	if (alen == 0 || alen >= sizeof text)
		return -1;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (inet_pton(AF_INET, text, raw) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, text, raw) == 1)
		family = AF_INET6;
	else
		return -1;
	max = family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -1;
		prefix = strtol(slash + 1, &end, 10);
		if (*end != '\0' || prefix > max)
			return -1;
	}
	if (family == AF_INET6 && unmap(family, raw, net) == AF_INET) {
		if (prefix < 96)
			return -1;
		family = AF_INET;
		prefix -= 96;
		memcpy(raw, net, 4);
	}
	/* A host part would be a typo for a network or for a host: say so. */
	for (i = 0; i < (family == AF_INET ? 32 : 128); i++)
		if (i >= prefix && (raw[i / 8] & (0x80 >> (i % 8)))) {
			*why = "has bits set beyond its prefix length";
			return -1;
		}
	c->family = family;
	memcpy(c->net, raw, sizeof raw);
	c->prefix = (int)prefix;
	*why = NULL;
	return 0;
}

static bool
address_match(const struct client *c, const struct identity *id)
{
	const struct sockaddr_in	*sin = (const void *)&id->addr;
	const struct sockaddr_in6	*sin6 = (const void *)&id->addr;
	unsigned char			 a[16];
	int				 family, full, rest;

	if (id->kind != PEER_INET)
		return false;
	if (id->addr.ss_family == AF_INET)
		family = unmap(AF_INET, (const unsigned char *)&sin->sin_addr, a);
	else
		family = unmap(AF_INET6, sin6->sin6_addr.s6_addr, a);
	if (family != c->family)
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(a, c->net, (size_t)full) != 0)
		return false;
	return rest == 0 ||
	    ((a[full] ^ c->net[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static bool
matches(const struct client *c, const struct identity *id)
{
	bool	local = id->kind == PEER_UNIX || id->kind == PEER_USER;
	uid_t	uid;
	gid_t	gid;

	switch (c->by) {
	case BY_USER:
		return local && identity_uid_named(c->key, &uid) == 0 &&
		    uid == id->uid;
	case BY_UID:
		return local && (unsigned long)id->uid == c->id;
	case BY_GROUP:
		return identity_gid_named(c->key, &gid) == 0 &&
		    identity_in_group(id, gid);
	case BY_GID:
		return identity_in_group(id, (gid_t)c->id);
	case BY_ADDRESS:
		return address_match(c, id);
	default:
		return false;
	}
}

/* The first of the n entries that id matches, or NULL. */
const struct client *
clients_match(const struct client *v, size_t n, const struct identity *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (matches(&v[i], id))
			return &v[i];
	return NULL;
}

/* The entry called name, or NULL. */
const struct client *
clients_named(const struct client *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/*
 * Who is on the other end of fd (-1: the user running the program, as for
 * the token subcommand), and what it may do under cfg. The game link is
 * served under outbound.policy. Otherwise, without a clients table,
 * everyone is served under the top-level policy; with one, the first
 * entry the peer matches decides, and no match refuses (policy NULL).
 * a->name becomes what the log calls the connection.
 */
void
clients_admit(const struct config *cfg, int fd, bool game, struct admission *a)
{
	if (fd == -1)
		identity_running_user(&a->id);
	else
		identity_of(fd, &a->id);
	a->client = NULL;
	a->policy = NULL;
	if (game)
		a->policy = &cfg->outbound_policy;
	else if (!cfg->clients_set)
		a->policy = &cfg->policy;
	else if ((a->client = clients_match(cfg->clients, cfg->nclients,
	    &a->id)) != NULL)
		a->policy = &a->client->policy;
	/* Entry names are letters, digits and "-_." only: nothing to escape. */
	snprintf(a->name, sizeof a->name, "%s%s%s%s",
	    a->client ? "client=" : "", a->client ? a->client->name : "",
	    a->client ? " " : "", a->id.desc);
}

void
admission_free(struct admission *a)
{
	identity_free(&a->id);
}
