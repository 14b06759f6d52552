/* identity.h: who is asking: a Unix peer's credentials, a TCP peer's address, or the user running the program. */
#ifndef CAS_IDENTITY_H
#define CAS_IDENTITY_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

#include "peer.h"

#define IDENTITY_NAME	256

enum peer_kind {
	PEER_UNIX,	/* a Unix-domain socket: the kernel's credentials */
	PEER_INET,	/* TCP: the peer's address */
	PEER_USER,	/* a pipe, terminal or file: the user running the program */
	PEER_UNKNOWN	/* a socket of another kind, or credentials unknown */
};

struct identity {
	enum peer_kind		 kind;
	uid_t			 uid;		/* PEER_UNIX, PEER_USER */
	gid_t			 gid;		/* the primary group */
	pid_t			 pid;		/* PEER_UNIX only; 0 otherwise */
	gid_t			*groups;	/* supplementary, as the kernel has them */
	size_t			 ngroups;
	char			 user[IDENTITY_NAME];	/* "" when uid has no name */
	char			 group[IDENTITY_NAME];
	struct sockaddr_storage	 addr;		/* PEER_INET */
	socklen_t		 addrlen;
	char			 desc[PEER_NAME_MAX];	/* for the log */
};

void	identity_of(int, struct identity *);
void	identity_running_user(struct identity *);
void	identity_free(struct identity *);
bool	identity_in_group(const struct identity *, gid_t);
int	identity_uid_named(const char *, uid_t *);
int	identity_gid_named(const char *, gid_t *);

#endif
