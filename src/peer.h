/* peer.h: who is on the other end of a connection, for the log. */
#ifndef CAS_PEER_H
#define CAS_PEER_H

#include <sys/socket.h>

#include <stddef.h>

/* Room for "[address]:port" and more. */
#define PEER_NAME_MAX	1100

void	peer_name(const struct sockaddr *, socklen_t, char *, size_t);
void	peer_describe(int, char *, size_t);

#endif
