/* gamelink.c: the outbound connection to the game: connecting, backoff, keepalive. */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "config.h"
#include "gamelink.h"
#include "log.h"

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000
#define CONNECT_TIMEOUT_MS 10000
/* How often a connect in progress is checked for its timeout. */
#define CONNECT_CHECK_MS 250

/* The first attempt is made at once; without an endpoint, nothing is ever due. */
void
gamelink_init(struct gamelink *g, const struct endpoint *e)
{
	memset(g, 0, sizeof *g);
	g->e = e;
	g->fd = -1;
	g->at = e != NULL ? 0 : -1;
	g->backoff = BACKOFF_MIN_MS;
}

/* Exponential backoff with jitter, so restarted games are not stampeded. */
void
gamelink_retry(struct gamelink *g)
{
	long half = g->backoff / 2;

	g->at = now_ms() + half + randombytes_uniform((uint32_t)half + 1);
	g->backoff = g->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    g->backoff * 2;
}

/* Milliseconds until something is due (an attempt, a connect check), or -1. */
long long
gamelink_wait(const struct gamelink *g, long long now)
{
	long long wait = -1;

	if (g->at >= 0)
		wait = g->at - now < 0 ? 0 : g->at - now;
	if (g->fd != -1 && (wait < 0 || wait > CONNECT_CHECK_MS))
		wait = CONNECT_CHECK_MS;
	return wait;
}

static void
drop(struct gamelink *g, int err)
{
	close(g->fd);
	g->fd = -1;
	log_debug("game %s:%s: %s", g->e->host, g->e->port, strerror(err));
}

static void
end_round(struct gamelink *g)
{
	if (g->ai != NULL)
		freeaddrinfo(g->ai);
	g->ai = g->next = NULL;
}

/* The link is up: blocking from now on, with keepalive; the caller serves it. */
static int
connected(struct gamelink *g)
{
	int fd = g->fd, on = 1, idle = 60, intvl = 10, cnt = 6;

	g->fd = -1;
	end_round(g);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* The link idles for hours: keepalive notices a game that vanished. */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	log_info("connected to game %s:%s", g->e->host, g->e->port);
	g->backoff = BACKOFF_MIN_MS;
	return fd;
}

/*
 * Try the round's addresses in the resolver's order ("localhost" may give
 * ::1 before 127.0.0.1 and the game listen on only one); once every one has
 * failed, back off. The connected descriptor, or -1.
 */
static int
try_next(struct gamelink *g, int err)
{
	struct addrinfo	*ai;
	int		 fd;

	while ((ai = g->next) != NULL) {
		g->next = ai->ai_next;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			err = errno;
			continue;
		}
		g->fd = fd;
		g->connect_started = now_ms();
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return connected(g);
		if (errno == EINPROGRESS)
			return -1;
		err = errno;
		drop(g, err);
	}
	end_round(g);
	gamelink_retry(g);
	log_info("game %s:%s: %s; retrying in %llds", g->e->host, g->e->port,
	    strerror(err), (g->at - now_ms() + 999) / 1000);
	return -1;
}

/* This address failed: go on to the round's next one. */
static int
failed(struct gamelink *g, int err)
{
	drop(g, err);
	return try_next(g, err);
}

/* A new round: the host is resolved each time, the game may come back elsewhere. */
static int
start_round(struct gamelink *g)
{
	struct addrinfo	hints;
	int		rc;

	g->at = -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(g->e->host, g->e->port, &hints, &g->ai)) != 0) {
		g->ai = NULL;
		log_warn("game %s:%s: %s", g->e->host, g->e->port,
		    gai_strerror(rc));
		gamelink_retry(g);
		return -1;
	}
	g->next = g->ai;
	return try_next(g, EADDRNOTAVAIL);
}

/* What is due by now: a new round, or giving up on a slow connect. */
int
gamelink_tick(struct gamelink *g, long long now)
{
	int fd = -1;

	if (g->at >= 0 && now >= g->at)
		fd = start_round(g);
	if (fd == -1 && g->fd != -1 && now - g->connect_started >
	    CONNECT_TIMEOUT_MS)
		fd = failed(g, ETIMEDOUT);
	return fd;
}

/* The connect in progress (g->fd) finished: the connected descriptor, or -1. */
int
gamelink_ready(struct gamelink *g)
{
	int		err = 0;
	socklen_t	len = sizeof err;

	if (getsockopt(g->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		return failed(g, err);
	return connected(g);
}

/* No more attempts: the listener is stopping. */
void
gamelink_close(struct gamelink *g)
{
	if (g->fd != -1)
		close(g->fd);
	g->fd = -1;
	g->at = -1;
	end_round(g);
}
