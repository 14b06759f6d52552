/* config.h: loads and validates the JSON configuration file. */
#ifndef CAS_CONFIG_H
#define CAS_CONFIG_H

#include <sys/types.h>

#include <stdbool.h>

#include "policy.h"
#include "rsakey.h"
#include "secret.h"
#include "token.h"

/* Children a listener keeps forked ahead of connections, by default and at most. */
#define DEFAULT_SPARES	4
#define MAX_SPARES	64

struct endpoint {
	bool	 set;
	char	*host;
	char	 port[6];
};

/* inbound's Unix-domain socket: where, and who may connect. */
struct unixaddr {
	char		*path;		/* NULL: none */
	char		*group;		/* a group name or number, or NULL */
	gid_t		 gid;		/* group, resolved when loaded */
	long long	 mode;		/* permission bits */
};

struct client;

struct config {
	const char	*path;
	char		*domain;
	char		*app_id;
	char		*audience;
	enum alg	 alg;
	struct secret	 secret;
	char		*secret_file;
	bool		 alg_set;	/* jwt.algorithm was given */
	bool		 jaas;
	char		*jaas_app_id;	/* JaaS: the AppID; app_id, audience, domain follow */
	char		*kid;
	char		*private_key_file;
	EVP_PKEY	*private_key;	/* RS*: parsed once at start */
	struct pubkey	*keys;		/* RS*: [0] the signing key, then jwt.previous_keys */
	size_t		 nkeys;
	struct endpoint	 inbound;
	struct endpoint	 outbound;
	struct policy	 policy;
	long long	 max_request_bytes;
	long long	 idle_timeout;
	long long	 max_connections;
	long long	 max_requests_per_connection;
	long long	 spare_processes;
	struct unixaddr	 inbound_unix;
	struct policy	 outbound_policy;	/* its keys over policy */
	struct client	*clients;	/* the clients table, in order */
	size_t		 nclients;
	bool		 clients_set;	/* the file has one, maybe empty */
};

/* Why a configuration did not load, and the exit status that calls for. */
struct cfgerr {
	int	 status;
	char	 msg[1024];
};

int	config_load(struct config *, const char *, struct cfgerr *);
void	config_free(struct config *);
int	cfgerr_set(struct cfgerr *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	cfgerr_sys(struct cfgerr *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
