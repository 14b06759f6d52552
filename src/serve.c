/* serve.c: how connections arrive: stdin, systemd's sockets, the listener, the game link. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "cas.h"
#include "clock.h"
#include "conn.h"
#include "log.h"
#include "serve.h"

#define MAX_LISTEN	16
#define GRACE_MS	5000
#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000
#define CONNECT_TIMEOUT_MS 10000
#define ACCEPT_PAUSE_MS	100

/* Signal handlers can reach only static storage. */
static struct cas		*sig_cas;
static volatile sig_atomic_t	 got_child;

static void
on_stop(int sig)
{
	(void)sig;
	sig_cas->stop = 1;
}

static void
on_child(int sig)
{
	(void)sig;
	got_child = 1;
}

static void
handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read must return so the stop flag is seen. */
	sigaction(sig, &sa, NULL);
}

/*
 * Signals as one connection's process wants them: SIGTERM and SIGINT stay
 * blocked except while it waits for input (conn.c), so none is lost
 * between checking the stop flag and waiting.
 */
static void
connection_signals(struct cas *cas)
{
	sigset_t stop;

	sig_cas = cas;
	handle(SIGTERM, on_stop);
	handle(SIGINT, on_stop);
	handle(SIGPIPE, SIG_IGN);
	handle(SIGCHLD, SIG_DFL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_SETMASK, &stop, NULL);
}

/* "host:port" of the peer, or what the descriptor is when it has none. */
static void
peer_name(int fd, char *dst, size_t len)
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

/* The game link's send timeout: a game that stops reading is given up on. */
#define GAME_SEND_TIMEOUT	60

/* A peer that stops reading must not hold a process forever. */
static void
send_timeout(int fd, long long seconds)
{
	struct timeval tv = { .tv_sec = (time_t)seconds };

	if (seconds > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int
serve_fds(struct cas *cas, int in_fd, int out_fd, bool game)
{
	struct conn_opts	o = { .write_each = game, .no_idle_limit = game };
	char			peer[NI_MAXHOST + NI_MAXSERV + 4];

	peer_name(in_fd, peer, sizeof peer);
	o.peer = peer;
	send_timeout(out_fd, game ? GAME_SEND_TIMEOUT : cas->cfg.idle_timeout);
	return conn_serve(cas, in_fd, out_fd, &o) == 0 ? 0 : EX_OSERR;
}

/* The process tree of the listener: children, the game link, its backoff. */
struct supervisor {
	struct cas	*cas;
	int		 lfd[MAX_LISTEN];
	int		 nl;
	pid_t		*kids;
	long		 nkids;		/* inbound children alive */
	long		 maxkids;
	pid_t		 game_pid;	/* child serving the game link, or 0 */
	int		 game_fd;	/* connect in progress, or -1 */
	struct addrinfo	*game_ai;	/* this round's addresses, or NULL */
	struct addrinfo	*game_next;	/* the next of them to try */
	long long	 game_at;	/* when to try next (ms), or -1 */
	long long	 connect_started;
	long long	 accept_pause_until;
	long		 backoff;
	sigset_t	 waitmask;
};

/* Fork a child to serve fd; the parent keeps only the child's pid. */
static pid_t
spawn(struct supervisor *s, int fd, bool game)
{
	pid_t	pid;
	int	i;

	if ((pid = fork()) == -1) {
		log_err("fork: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (pid == 0) {
		for (i = 0; i < s->nl; i++)
			close(s->lfd[i]);
		if (s->game_fd != -1 && s->game_fd != fd)
			close(s->game_fd);
		connection_signals(s->cas);
		_exit(serve_fds(s->cas, fd, fd, game));
	}
	close(fd);
	if (!game)
		s->kids[s->nkids++] = pid;
	return pid;
}

static void
accept_one(struct supervisor *s, int lfd)
{
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			/* Out of descriptors or memory: pause rather than spin. */
			log_warn("accept: %s", strerror(errno));
			s->accept_pause_until = now_ms() + ACCEPT_PAUSE_MS;
		}
		return;
	}
	spawn(s, fd, false);
}

/* Exponential backoff with jitter, so restarted games are not stampeded. */
static void
schedule_game(struct supervisor *s)
{
	long half = s->backoff / 2;

	s->game_at = now_ms() + half + randombytes_uniform((uint32_t)half + 1);
	s->backoff = s->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    s->backoff * 2;
}

static void game_try_next(struct supervisor *, int);

static void
game_drop(struct supervisor *s, int err)
{
	const struct endpoint *e = &s->cas->cfg.outbound;

	close(s->game_fd);
	s->game_fd = -1;
	log_debug("game %s:%s: %s", e->host, e->port, strerror(err));
}

/* This address failed: go on to the round's next one. */
static void
game_failed(struct supervisor *s, int err)
{
	game_drop(s, err);
	game_try_next(s, err);
}

static void
game_end_round(struct supervisor *s)
{
	if (s->game_ai != NULL)
		freeaddrinfo(s->game_ai);
	s->game_ai = s->game_next = NULL;
}

static void
game_connected(struct supervisor *s)
{
	const struct endpoint	*e = &s->cas->cfg.outbound;
	int			 fd = s->game_fd, on = 1, idle = 60, intvl = 10,
				 cnt = 6;

	s->game_fd = -1;
	game_end_round(s);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* The link idles for hours: keepalive notices a game that vanished. */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	log_info("connected to game %s:%s", e->host, e->port);
	s->backoff = BACKOFF_MIN_MS;
	if ((s->game_pid = spawn(s, fd, true)) == -1) {
		s->game_pid = 0;
		schedule_game(s);
	}
}

/*
 * Try the round's addresses in the resolver's order ("localhost" may give
 * ::1 before 127.0.0.1 and the game listen on only one); once every one has
 * failed, back off.
 */
static void
game_try_next(struct supervisor *s, int err)
{
	const struct endpoint	*e = &s->cas->cfg.outbound;
	struct addrinfo		*ai;
	int			 fd;

	while ((ai = s->game_next) != NULL) {
		s->game_next = ai->ai_next;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			err = errno;
			continue;
		}
		s->game_fd = fd;
		s->connect_started = now_ms();
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			game_connected(s);
			return;
		}
		if (errno == EINPROGRESS)
			return;
		err = errno;
		game_drop(s, err);
	}
	game_end_round(s);
	schedule_game(s);
	log_info("game %s:%s: %s; retrying in %llds", e->host, e->port,
	    strerror(err), (s->game_at - now_ms() + 999) / 1000);
}

/* A new round: the host is resolved each time, the game may come back elsewhere. */
static void
game_connect(struct supervisor *s)
{
	const struct endpoint	*e = &s->cas->cfg.outbound;
	struct addrinfo		 hints;
	int			 rc;

	s->game_at = -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(e->host, e->port, &hints, &s->game_ai)) != 0) {
		s->game_ai = NULL;
		log_warn("game %s:%s: %s", e->host, e->port, gai_strerror(rc));
		schedule_game(s);
		return;
	}
	s->game_next = s->game_ai;
	game_try_next(s, EADDRNOTAVAIL);
}

static void
game_ready(struct supervisor *s)
{
	int		err = 0;
	socklen_t	len = sizeof err;

	if (getsockopt(s->game_fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		game_failed(s, err);
	else
		game_connected(s);
}

static void
forget_kid(struct supervisor *s, pid_t pid)
{
	long i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i] == pid) {
			s->kids[i] = s->kids[--s->nkids];
			return;
		}
}

/* Collect every child that ended; no zombies stay behind. */
static void
reap(struct supervisor *s)
{
	pid_t	pid;
	int	st;

	got_child = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (WIFSIGNALED(st))
			log_warn("child %ld killed by signal %d", (long)pid,
			    WTERMSIG(st));
		if (pid == s->game_pid) {
			s->game_pid = 0;
			if (!s->cas->stop) {
				log_info("game connection closed; reconnecting");
				schedule_game(s);
			}
		} else
			forget_kid(s, pid);
	}
}

/* Stop accepting, let children finish what they have read, then exit. */
static void
shut_down(struct supervisor *s)
{
	struct timespec	 ts;
	long long	 left, deadline = now_ms() + GRACE_MS;
	long		 i;

	sd_notify(0, "STOPPING=1");
	for (i = 0; i < s->nl; i++)
		close(s->lfd[i]);
	if (s->game_fd != -1)
		close(s->game_fd);
	game_end_round(s);
	for (i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGTERM);
	if (s->game_pid > 0)
		kill(s->game_pid, SIGTERM);
	reap(s);
	while ((s->nkids > 0 || s->game_pid > 0) &&
	    (left = deadline - now_ms()) > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		(void)ppoll(NULL, 0, &ts, &s->waitmask);
		reap(s);
	}
	for (i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGKILL);
	if (s->game_pid > 0)
		kill(s->game_pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	log_info("stopped");
}

/* The earlier of a wait (-1: none yet) and ms from now, never below 0. */
static long long
sooner(long long wait, long long ms)
{
	if (ms < 0)
		ms = 0;
	return wait < 0 || ms < wait ? ms : wait;
}

/* Signals held pending while ppoll found sockets ready are taken here. */
static void
take_signals(struct supervisor *s)
{
	sigset_t held;

	sigprocmask(SIG_SETMASK, &s->waitmask, &held);
	sigprocmask(SIG_SETMASK, &held, NULL);
}

static void
supervise(struct supervisor *s)
{
	struct pollfd	 pfd[MAX_LISTEN + 1];
	struct timespec	 ts, *tsp;
	long long	 wait, now;
	int		 i, n, np;
	bool		 accepting;

	while (!s->cas->stop) {
		if (got_child)
			reap(s);
		now = now_ms();
		if (s->game_at >= 0 && now >= s->game_at)
			game_connect(s);
		if (s->game_fd != -1 && now - s->connect_started > CONNECT_TIMEOUT_MS)
			game_failed(s, ETIMEDOUT);
		np = 0;
		/* At the limit, new connections wait in the kernel's backlog. */
		accepting = s->nkids < s->maxkids && now >= s->accept_pause_until;
		if (accepting)
			for (i = 0; i < s->nl; i++)
				pfd[np++] = (struct pollfd){ s->lfd[i], POLLIN, 0 };
		if (s->game_fd != -1)
			pfd[np++] = (struct pollfd){ s->game_fd, POLLOUT, 0 };
		/* Sleep until the next due event: a game attempt, a connect check, the end of a pause. */
		wait = -1;
		if (s->game_at >= 0)
			wait = sooner(wait, s->game_at - now);
		if (s->game_fd != -1)
			wait = sooner(wait, 250);
		if (!accepting && s->nkids < s->maxkids)
			wait = sooner(wait, s->accept_pause_until - now);
		tsp = NULL;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (wait % 1000) * 1000000;
			tsp = &ts;
		}
		n = ppoll(pfd, (nfds_t)np, tsp, &s->waitmask);
		if (n <= 0)
			continue;
		for (i = 0; i < np; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == s->game_fd)
				game_ready(s);
			else if (s->nkids < s->maxkids)
				accept_one(s, pfd[i].fd);
		}
		take_signals(s);
	}
	shut_down(s);
}

static bool
is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127);
	return false;
}

/* Bind every address the inbound host names. */
static void
listen_inbound(struct supervisor *s)
{
	const struct endpoint	*e = &s->cas->cfg.inbound;
	struct addrinfo		 hints, *res, *ai;
	int			 rc, fd, on = 1;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(e->host, e->port, &hints, &res)) != 0)
		fatalx(EX_CONFIG, "inbound %s:%s: %s", e->host, e->port,
		    gai_strerror(rc));
	for (ai = res; ai != NULL && s->nl < MAX_LISTEN; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof on);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, 128) == -1) {
			rc = errno;
			close(fd);
			freeaddrinfo(res);
			errno = rc;
			fatal(EX_OSERR, "inbound %s:%s", e->host, e->port);
		}
		/* The protocol has no authentication: say so when it faces a network. */
		if (!is_loopback(ai->ai_addr))
			log_warn("listening on %s:%s, which is not a loopback address: "
			    "anyone who can reach it can mint tokens; firewall it",
			    e->host, e->port);
		s->lfd[s->nl++] = fd;
	}
	freeaddrinfo(res);
	if (s->nl == 0)
		fatalx(EX_OSERR, "inbound %s:%s: no address to listen on",
		    e->host, e->port);
}

static void
supervisor_init(struct supervisor *s, struct cas *cas)
{
	sigset_t block;

	memset(s, 0, sizeof *s);
	s->cas = cas;
	s->game_fd = -1;
	s->game_at = -1;
	s->backoff = BACKOFF_MIN_MS;
	s->maxkids = (long)cas->cfg.max_connections;
	if ((s->kids = calloc((size_t)s->maxkids, sizeof *s->kids)) == NULL)
		fatal(EX_OSERR, "supervisor");
	/* Signals are held except while waiting, so none slips between check and wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &s->waitmask);
	sigdelset(&s->waitmask, SIGCHLD);
	sigdelset(&s->waitmask, SIGTERM);
	sigdelset(&s->waitmask, SIGINT);
	sig_cas = cas;
	handle(SIGTERM, on_stop);
	handle(SIGINT, on_stop);
	handle(SIGCHLD, on_child);
	handle(SIGPIPE, SIG_IGN);
	/* Nothing to reload in place: restart to apply a new configuration. */
	handle(SIGHUP, SIG_IGN);
}

/*
 * Pick how connections arrive (documented in chat-admin-server(8), MODES):
 * -i, then sockets passed by systemd, then inbound/outbound, then stdin.
 */
int
serve(struct cas *cas, bool force_stdio)
{
	struct supervisor	 s;
	const struct config	*cfg = &cas->cfg;
	char			 status[640], in[300] = "", out[300] = "";
	int			 n = 0, fd;

	if (force_stdio || ((n = sd_listen_fds(1)) <= 0 &&
	    !cfg->inbound.set && !cfg->outbound.set)) {
		connection_signals(cas);
		return serve_fds(cas, STDIN_FILENO, STDOUT_FILENO, false);
	}
	supervisor_init(&s, cas);
	if (n > 0) {
		if (n > MAX_LISTEN)
			fatalx(EX_CONFIG, "systemd passed %d sockets; at most %d are served",
			    n, MAX_LISTEN);
		for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
			if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 0) > 0) {
				/* Accept=yes without StandardInput=socket: one connection. */
				connection_signals(cas);
				return serve_fds(cas, fd, fd, false);
			}
			/* Anything else would make accept fail, over and over. */
			if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
				fatalx(EX_CONFIG, "socket %d from systemd is not a listening "
				    "stream socket", fd);
			(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			s.lfd[s.nl++] = fd;
		}
		snprintf(status, sizeof status,
		    "STATUS=listening on %d socket(s) from systemd", s.nl);
	} else {
		if (cfg->inbound.set)
			listen_inbound(&s);
		if (cfg->outbound.set)
			s.game_at = 0;
		if (cfg->inbound.set)
			snprintf(in, sizeof in, "listening on %s:%s",
			    cfg->inbound.host, cfg->inbound.port);
		if (cfg->outbound.set)
			snprintf(out, sizeof out, "connecting to game %s:%s",
			    cfg->outbound.host, cfg->outbound.port);
		/* Host names are bounded by the config's size, not by these buffers. */
		if (snprintf(status, sizeof status, "STATUS=%s%s%s", in,
		    *in && *out ? "; " : "", out) >= (int)sizeof status)
			memcpy(status + sizeof status - 4, "...", 4);
	}
	log_info("%s", status + 7);
	sd_notifyf(0, "READY=1\n%s", status);
	supervise(&s);
	free(s.kids);
	return 0;
}
