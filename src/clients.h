/* clients.h: which entry of the clients table a connection's peer is, and the policy it is served under. */
#ifndef CAS_CLIENTS_H
#define CAS_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "identity.h"
#include "policy.h"

/* What a refused client reads, as a reply's message. */
#define CLIENT_REFUSED	"client not allowed"

/* How an entry recognises its client: the one key of user, uid, group, gid, address. */
enum client_by { BY_USER, BY_UID, BY_GROUP, BY_GID, BY_ADDRESS, BY_NONE };

struct client {
	char		*name;		/* for the logs */
	enum client_by	 by;
	char		*key;		/* the user, group or address as written */
	unsigned long	 id;		/* BY_UID, BY_GID */
	int		 family;	/* BY_ADDRESS: AF_INET or AF_INET6 */
	unsigned char	 net[16];	/* the network, host bits zero */
	int		 prefix;	/* its length in bits */
	struct policy	 policy;	/* the entry's own keys over the top-level policy */
};

struct config;

/* A connection's peer as the server sees it: who, and what it may do. */
struct admission {
	struct identity		 id;
	const struct client	*client;	/* the entry it matched, or NULL */
	const struct policy	*policy;	/* NULL: refused */
	char			 name[PEER_NAME_MAX + 100];	/* for every log line */
};

int			 cidr_parse(const char *, struct client *, const char **);
const struct client	*clients_match(const struct client *, size_t,
			    const struct identity *);
const struct client	*clients_named(const struct client *, size_t,
			    const char *);
void			 clients_admit(const struct config *, int, bool,
			    struct admission *);
void			 admission_free(struct admission *);

#endif
