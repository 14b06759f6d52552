/* peer.h: who is on the other end of a connection, for the log. */
#ifndef CAS_PEER_H
#define CAS_PEER_H

#include <stddef.h>

/* Room for "[address]:port" and more. */
#define PEER_NAME_MAX	1100

void	peer_describe(int, char *, size_t);

#endif
