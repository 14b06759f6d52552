/* unixsock.h: the listener's own Unix-domain socket: bound at inbound.path with its mode and group, removed at exit. */
#ifndef CAS_UNIXSOCK_H
#define CAS_UNIXSOCK_H

#include <sys/types.h>

#include <stdbool.h>

struct unixaddr;

struct unixsock {
	char		*path;		/* NULL: none bound; its own copy, for a reload frees the config's */
	dev_t		 dev;		/* the socket file made, so that only it is removed */
	ino_t		 ino;
};

int	unixsock_group(const char *, gid_t *);
int	unixsock_listen(struct unixsock *, const struct unixaddr *);
void	unixsock_remove(struct unixsock *);

#endif
