/* linger.c: ends a connection so the peer gets every answer: half-close, then drain what it still sends. */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <unistd.h>

#include "clock.h"
#include "linger.h"

/*
 * Once the last answer is written to out_fd: a socket closed while input
 * is still unread in it, or while more arrives, is reset, and the reset
 * throws away the answers the peer has not yet received. So shut down the
 * sending side (the peer reads every answer, then the end), read and drop
 * what the peer still sends until it closes too, for at most LINGER_MS,
 * and past LINGER_BYTES only while answers are still unsent or unacked,
 * and leave the close to the caller. A pipe needs none of this:
 * shutdown() fails on it, and this returns at once.
 */

/* Whether fd's send queue still holds bytes the peer has not acknowledged. */
static bool
unsent(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) == 0 && n > 0;
}

void
linger_drain(int in_fd, int out_fd)
{
	struct pollfd	 pfd = { .fd = in_fd, .events = POLLIN };
	char		 sink[16384];
	long long	 deadline, left;
	size_t		 total = 0;
	ssize_t		 r;
	int		 n;

	if (shutdown(out_fd, SHUT_WR) == -1)
		return;
	deadline = now_ms() + LINGER_MS;
	while ((left = deadline - now_ms()) > 0) {
		/* A close now resets the connection and drops what it has not sent. */
		if (total >= LINGER_BYTES && !unsent(out_fd))
			return;
		if ((n = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if ((r = read(in_fd, sink, sizeof sink)) == -1 &&
		    (errno == EINTR || errno == EAGAIN))
			continue;
		/* The peer's end, or its reset: nothing more will come. */
		if (r <= 0)
			return;
		total += (size_t)r;
	}
}
