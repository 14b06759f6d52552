/* peer.c: who is on the other end of a connection, for the log. */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>

#include "peer.h"

/* "host:port" of the peer, or what the descriptor is when it has none. */
void
peer_describe(int fd, char *dst, size_t len)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;
	char			host[NI_MAXHOST], port[NI_MAXSERV];

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(dst, len, "%s", errno == ENOTSOCK ? "stdin" : "socket");
		return;
	}
	if (ss.ss_family == AF_UNIX ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port,
	    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(dst, len, "local");
		return;
	}
	snprintf(dst, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
}
