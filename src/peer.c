/* peer.c: who is on the other end of a connection, for the log. */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>

#include "peer.h"

/* "host:port" of a peer's address, or "local" when it has none. */
void
peer_name(const struct sockaddr *sa, socklen_t sl, char *dst, size_t len)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (sa->sa_family == AF_UNIX || getnameinfo(sa, sl, host, sizeof host,
	    port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(dst, len, "local");
		return;
	}
	snprintf(dst, len, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
}

/* "host:port" of the peer, or what the descriptor is when it has none. */
void
peer_describe(int fd, char *dst, size_t len)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(dst, len, "%s", errno == ENOTSOCK ? "stdin" : "socket");
		return;
	}
	peer_name((struct sockaddr *)&ss, sl, dst, len);
}
