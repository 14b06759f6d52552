/* listener.c: listening sockets, a child process per connection, and the game link's child. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "cas.h"
#include "clock.h"
#include "conn.h"
#include "counters.h"
#include "gamelink.h"
#include "listener.h"
#include "log.h"
#include "settings.h"
#include "signals.h"
#include "spares.h"
#include "unixsock.h"

#define GRACE_MS	5000
/* After a reload, READY=1 waits this long at most for the old spares to go. */
#define RELOAD_READY_MS	1000
/* The counters go to STATUS= at most this often, and only when they moved. */
#define STATUS_EVERY_MS	2000

/* The process tree of the listener: children, the game link and its child. */
struct supervisor {
	struct cas	*cas;
	int		 lfd[MAX_LISTEN];
	int		 nl;
	bool		 from_systemd;	/* lfd were passed by systemd */
	pid_t		*kids;
	long		 nkids;		/* inbound children alive */
	long		 maxkids;
	long		 kidcap;	/* room in kids: the highest limit so far */
	struct spares	 pool;		/* children forked ahead, if any */
	char		 status[640];	/* what it does, for the log and STATUS= */
	char		 reloaded[1100]; /* how the last reload went, or "" */
	bool		 ready_sent;	/* READY=1, once the spares are ready */
	long long	 ready_by;	/* after a reload: READY=1 by then at the latest */
	bool		 notify;	/* systemd listens for STATUS= */
	struct counts	 shown;		/* the counts the last STATUS= showed */
	long long	 status_at;	/* no STATUS= update before then */
	bool		 stale;		/* a child ended since the counts were looked at */
	struct gamelink	 game;
	pid_t		 game_pid;	/* child serving the game link, or 0 */
	pid_t		 old_game_pid;	/* child serving a link to a place left, or 0 */
	long long	 accept_pause_until;
	sigset_t	 waitmask;
	struct unixsock	 unix_sock;	/* inbound.path, removed at exit */
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
		if (s->game.fd != -1 && s->game.fd != fd)
			close(s->game.fd);
		spares_close_inherited(&s->pool);
		if (game)
			signals_game_link(s->cas);
		else
			signals_connection(s->cas);
		_exit(conn_serve_fds(s->cas, fd, fd, game));
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

/* The game link is up: serve it in a child of its own. */
static void
game_spawn(struct supervisor *s, int fd)
{
	if (fd == -1)
		return;
	if ((s->game_pid = spawn(s, fd, true)) == -1) {
		s->game_pid = 0;
		gamelink_retry(&s->game);
	}
}

static bool
forget_kid(struct supervisor *s, pid_t pid)
{
	long i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i] == pid) {
			s->kids[i] = s->kids[--s->nkids];
			return true;
		}
	return false;
}

/* Collect every child that ended; no zombies stay behind. */
static void
reap(struct supervisor *s)
{
	pid_t	pid;
	int	st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		s->stale = true;
		if (WIFSIGNALED(st))
			log_warn("child %ld killed by signal %d", (long)pid,
			    WTERMSIG(st));
		if (pid == s->old_game_pid)
			s->old_game_pid = 0;
		else if (pid == s->game_pid) {
			s->game_pid = 0;
			if (!s->cas->stop) {
				log_info("game connection closed; reconnecting");
				gamelink_retry(&s->game);
			}
		} else if (!forget_kid(s, pid))
			(void)spares_forget(&s->pool, pid, now_ms());
	}
}

/* Stop accepting, let children finish what they have read, then exit. */
static void
shut_down(struct supervisor *s)
{
	struct timespec	 ts;
	struct counts	 n;
	long long	 left, deadline = now_ms() + GRACE_MS;
	long		 i;
	char		 line[400];

	sd_notify(0, "STOPPING=1");
	for (i = 0; i < s->nl; i++)
		close(s->lfd[i]);
	unixsock_remove(&s->unix_sock);
	gamelink_close(&s->game);
	spares_retire(&s->pool);
	spares_signal(&s->pool, SIGTERM);
	for (i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGTERM);
	if (s->game_pid > 0)
		kill(s->game_pid, SIGTERM);
	if (s->old_game_pid > 0)
		kill(s->old_game_pid, SIGTERM);
	(void)signals_child_ended();
	reap(s);
	while ((s->nkids > 0 || s->game_pid > 0 || s->old_game_pid > 0 ||
	    spares_count(&s->pool) > 0) && (left = deadline - now_ms()) > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		(void)ppoll(NULL, 0, &ts, &s->waitmask);
		(void)signals_child_ended();
		reap(s);
	}
	spares_signal(&s->pool, SIGKILL);
	for (i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGKILL);
	if (s->game_pid > 0)
		kill(s->game_pid, SIGKILL);
	if (s->old_game_pid > 0)
		kill(s->old_game_pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	counters_read(s->cas->counters, &n);
	counters_format(&n, line, sizeof line);
	log_info("stopped: %s", line);
}

/* The earlier of a wait (-1: none yet) and ms from now, never below 0. */
static long long
sooner(long long wait, long long ms)
{
	if (ms < 0)
		ms = 0;
	return wait < 0 || ms < wait ? ms : wait;
}

/* A spare took a connection: it is a busy child now, and has to be replaced. */
static void
spare_event(struct supervisor *s, int fd)
{
	pid_t pid;

	/* Spares and busy children never exceed the highest limit, so there is room. */
	if ((pid = spares_event(&s->pool, fd)) > 0 && s->nkids < s->kidcap)
		s->kids[s->nkids++] = pid;
}

/* The counters now, with the connections open: busy children and the game links. */
static void
count(const struct supervisor *s, struct counts *n)
{
	counters_read(s->cas->counters, n);
	n->open = s->nkids + (s->game_pid > 0) + (s->old_game_pid > 0);
}

/* The STATUS= line: what the listener does, the counters, how the last reload went. */
static void
status_line(const struct supervisor *s, const struct counts *n, char *buf,
    size_t len)
{
	char counts[400];

	counters_format(n, counts, sizeof counts);
	if (snprintf(buf, len, "%s; %s%s%s", s->status, counts,
	    *s->reloaded ? "; " : "", s->reloaded) >= (int)len)
		memcpy(buf + len - 4, "...", 4);
}

/* Once ready, the counters to STATUS= when they moved, at most every STATUS_EVERY_MS. */
static void
status_tick(struct supervisor *s, long long now)
{
	struct counts	n;
	char		line[sizeof s->status + sizeof s->reloaded + 400];

	if (!s->notify || !s->ready_sent || now < s->status_at)
		return;
	s->status_at = now + STATUS_EVERY_MS;
	s->stale = false;
	count(s, &n);
	if (memcmp(&n, &s->shown, sizeof n) == 0)
		return;
	status_line(s, &n, line, sizeof line);
	sd_notifyf(0, "STATUS=%s", line);
	s->shown = n;
}

/* The counters can move only while a child serves, or just after one ended. */
static long long
status_wait(const struct supervisor *s, long long now)
{
	if (!s->notify || !s->ready_sent || (s->nkids == 0 &&
	    s->game_pid == 0 && s->old_game_pid == 0 && !s->stale))
		return -1;
	return s->status_at > now ? s->status_at - now : 0;
}

/*
 * Tell systemd once every spare asked for is ready to take a connection,
 * at start and after a reload; after a reload also once the old spares
 * are gone, so that none takes a new connection with the old
 * configuration (but not for longer than RELOAD_READY_MS: one may be
 * serving a connection that came just before).
 */
static void
notify_ready(struct supervisor *s, long long now)
{
	char line[sizeof s->status + sizeof s->reloaded + 400];

	if (s->ready_sent || !spares_started(&s->pool) ||
	    (spares_retiring(&s->pool) > 0 && now < s->ready_by))
		return;
	count(s, &s->shown);
	status_line(s, &s->shown, line, sizeof line);
	sd_notifyf(0, "READY=1\nSTATUS=%s", line);
	s->ready_sent = true;
	s->status_at = now + STATUS_EVERY_MS;
}

/* Where inbound listens: "HOST:PORT", "PATH" or "HOST:PORT and PATH". */
static void
listening_on(const struct config *cfg, char *buf, size_t len)
{
	const struct endpoint	*e = &cfg->inbound;
	const char		*path = cfg->inbound_unix.path;

	/* Host names are bounded by the config's size, not by this buffer. */
	if (snprintf(buf, len, "%s%s%s%s%s", e->port[0] ? e->host : "",
	    e->port[0] ? ":" : "", e->port, e->port[0] && path ? " and " : "",
	    path ? path : "") >= (int)len && len >= 4)
		memcpy(buf + len - 4, "...", 4);
}

/* Equal strings, NULL (not given) equal only to NULL. */
static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
same_endpoint(const struct endpoint *a, const struct endpoint *b)
{
	if (!a->set || !b->set)
		return a->set == b->set;
	/* inbound on a Unix socket alone has no host. */
	return same_str(a->host, b->host) && strcmp(a->port, b->port) == 0;
}

static bool
same_unix(const struct unixaddr *a, const struct unixaddr *b)
{
	return same_str(a->path, b->path) && same_str(a->group, b->group) &&
	    (a->path == NULL || a->mode == b->mode);
}

/*
 * The listening sockets stay as they are: a changed inbound entry is
 * logged and otherwise ignored, and the one in force kept in the
 * configuration, so that the next reload compares with what is in force.
 */
static void
keep_listening(const struct supervisor *s, struct config *cfg)
{
	struct endpoint	*old = &s->cas->cfg.inbound, keep;
	struct unixaddr	*oldu = &s->cas->cfg.inbound_unix, keepu;
	char		 where[300];

	if (s->from_systemd || (same_endpoint(old, &cfg->inbound) &&
	    same_unix(oldu, &cfg->inbound_unix)))
		return;
	if (old->set) {
		listening_on(&s->cas->cfg, where, sizeof where);
		log_warn("%s: inbound changed: that needs a restart; still "
		    "listening on %s", cfg->path, where);
	} else
		log_warn("%s: inbound changed: that needs a restart; not "
		    "listening until then", cfg->path);
	/* Exchanged: the configuration the swap frees takes the new entry with it. */
	keep = *old;
	*old = cfg->inbound;
	cfg->inbound = keep;
	keepu = *oldu;
	*oldu = cfg->inbound_unix;
	cfg->inbound_unix = keepu;
}

/* Room for the new connection limit's children; a smaller limit only stops accepting sooner. */
static void
new_limit(struct supervisor *s)
{
	long	 max = (long)s->cas->cfg.max_connections;
	pid_t	*kids;

	if (max > s->kidcap) {
		if ((kids = reallocarray(s->kids, (size_t)max,
		    sizeof *kids)) == NULL) {
			log_err("reload: out of memory: at most %ld connections "
			    "at once until a restart", s->kidcap);
			max = s->kidcap;
		} else {
			s->kids = kids;
			s->kidcap = max;
		}
	}
	s->maxkids = max;
}

/*
 * The game link with the new configuration: kept, its child told to read
 * the configuration too (between requests), unless the link goes
 * elsewhere now; then the old one finishes what it has read and closes,
 * and the new place is connected to at once.
 */
static void
new_game_link(struct supervisor *s, bool moved)
{
	const struct endpoint *e = &s->cas->cfg.outbound;

	if (!moved) {
		if (s->game_pid > 0)
			kill(s->game_pid, SIGHUP);
		return;
	}
	gamelink_close(&s->game);
	if (s->game_pid > 0) {
		/* A link left by an earlier reload has had its time. */
		if (s->old_game_pid > 0)
			kill(s->old_game_pid, SIGKILL);
		kill(s->game_pid, SIGTERM);
		s->old_game_pid = s->game_pid;
		s->game_pid = 0;
	}
	gamelink_init(&s->game, e->set ? e : NULL);
	if (e->set)
		log_info("outbound changed: connecting to game %s:%s", e->host,
		    e->port);
	else
		log_info("outbound removed: no game link");
}

static void describe(const struct supervisor *, char *, size_t);

/*
 * SIGHUP: read the configuration and key material again, and put them in
 * force for what starts from now on: new connections (fresh spares), and
 * the game link's next request. Connections already open finish with
 * their own copy. One that fails to load changes nothing.
 */
static void
reload(struct supervisor *s, long long now)
{
	struct cas	*cas = s->cas;
	struct config	 cfg;
	struct signer	 signer;
	struct cfgerr	 e;
	struct timespec	 ts;
	bool		 moved;

	cas->reload = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* systemd 253 and later want the time with RELOADING=1 (Type=notify-reload). */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000, cas->cfg.path);
	s->ready_sent = false;
	if (settings_load(&cfg, &signer, cas->cfg.path, &e) != 0) {
		log_err("reload failed, the configuration in force is "
		    "unchanged: %s", e.msg);
		if (snprintf(s->reloaded, sizeof s->reloaded, "reload failed, "
		    "configuration unchanged: %s", e.msg) >=
		    (int)sizeof s->reloaded)
			memcpy(s->reloaded + sizeof s->reloaded - 4, "...", 4);
		return;
	}
	keep_listening(s, &cfg);
	moved = !s->from_systemd &&
	    !same_endpoint(&cas->cfg.outbound, &cfg.outbound);
	settings_swap(cas, &cfg, &signer);
	new_limit(s);
	spares_renew(&s->pool, (long)cas->cfg.spare_processes,
	    s->maxkids - s->nkids);
	s->ready_by = now + RELOAD_READY_MS;
	if (!s->from_systemd)
		new_game_link(s, moved);
	describe(s, s->status, sizeof s->status);
	snprintf(s->reloaded, sizeof s->reloaded, "configuration reloaded");
	log_info("reloaded %s: new connections get the new configuration",
	    cas->cfg.path);
}

static void
supervise(struct supervisor *s)
{
	struct pollfd	 pfd[MAX_LISTEN + 1 + 2 * MAX_SPARES];
	struct timespec	 ts, *tsp;
	long long	 wait, now, gw;
	int		 i, n, np, nl, game;
	bool		 accepting;

	while (!s->cas->stop) {
		if (signals_child_ended())
			reap(s);
		now = now_ms();
		if (s->cas->reload)
			reload(s, now);
		game_spawn(s, gamelink_tick(&s->game, now));
		spares_fill(&s->pool, s->maxkids - s->nkids, s->game.fd, now);
		notify_ready(s, now);
		status_tick(s, now);
		np = 0;
		/* Spares accept for themselves; at the limit, connections wait in the backlog. */
		accepting = s->pool.want == 0 && s->nkids < s->maxkids &&
		    now >= s->accept_pause_until;
		if (accepting)
			for (i = 0; i < s->nl; i++)
				pfd[np++] = (struct pollfd){ s->lfd[i], POLLIN, 0 };
		nl = np;
		game = -1;
		if (s->game.fd != -1) {
			game = np;
			pfd[np++] = (struct pollfd){ s->game.fd, POLLOUT, 0 };
		}
		np += spares_pollfds(&s->pool, pfd + np);
		/* Sleep until the next due event: a game attempt, a connect check, the end of a pause, a fork retry. */
		wait = -1;
		if ((gw = gamelink_wait(&s->game, now)) >= 0)
			wait = sooner(wait, gw);
		if (s->pool.want == 0 && !accepting && s->nkids < s->maxkids)
			wait = sooner(wait, s->accept_pause_until - now);
		if ((gw = spares_wait(&s->pool, s->maxkids - s->nkids,
		    now)) >= 0)
			wait = sooner(wait, gw);
		if (!s->ready_sent && spares_retiring(&s->pool) > 0)
			wait = sooner(wait, s->ready_by - now);
		if ((gw = status_wait(s, now)) >= 0)
			wait = sooner(wait, gw);
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
			if (i == game)
				game_spawn(s, gamelink_ready(&s->game));
			else if (i >= nl)
				spare_event(s, pfd[i].fd);
			else if (s->nkids < s->maxkids)
				accept_one(s, pfd[i].fd);
		}
		signals_take(&s->waitmask);
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

/* systemd's sockets face a network too when the socket unit says so. */
static void
warn_exposed(const int *fds, int n)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			i;

	for (i = 0; i < n; i++) {
		sl = sizeof ss;
		if (getsockname(fds[i], (struct sockaddr *)&ss, &sl) == 0 &&
		    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
		    !is_loopback((struct sockaddr *)&ss))
			log_warn("socket %d from systemd is not bound to a loopback "
			    "address: anyone who can reach it can mint tokens; "
			    "firewall it", fds[i]);
	}
}

/* Bind every address the inbound host names, leaving room for inbound.path. */
static void
listen_tcp(struct supervisor *s)
{
	const struct endpoint	*e = &s->cas->cfg.inbound;
	struct addrinfo		 hints, *res, *ai;
	int			 rc, fd, on = 1;
	int			 room = MAX_LISTEN -
				    (s->cas->cfg.inbound_unix.path != NULL);

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(e->host, e->port, &hints, &res)) != 0)
		fatalx(EX_CONFIG, "inbound %s:%s: %s", e->host, e->port,
		    gai_strerror(rc));
	for (ai = res; ai != NULL && s->nl < room; ai = ai->ai_next) {
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

/* The inbound entry's sockets: TCP when it has a port, Unix when it has a path. */
static void
listen_inbound(struct supervisor *s)
{
	const struct config *cfg = &s->cas->cfg;

	if (cfg->inbound.port[0] != '\0')
		listen_tcp(s);
	/* Last, so that a TCP failure leaves no socket file behind. */
	if (cfg->inbound_unix.path != NULL)
		s->lfd[s->nl++] = unixsock_listen(&s->unix_sock,
		    &cfg->inbound_unix);
}

/* What the listener does, for the log and systemd's STATUS= line. */
static void
describe(const struct supervisor *s, char *status, size_t len)
{
	const struct config	*cfg = &s->cas->cfg;
	char			 in[320] = "", out[300] = "", where[300];

	if (s->from_systemd) {
		snprintf(status, len, "listening on %d socket(s) from systemd",
		    s->nl);
		return;
	}
	if (cfg->inbound.set) {
		listening_on(cfg, where, sizeof where);
		snprintf(in, sizeof in, "listening on %s", where);
	}
	if (cfg->outbound.set)
		snprintf(out, sizeof out, "game link to %s:%s",
		    cfg->outbound.host, cfg->outbound.port);
	/* Left by a reload that removed the only entry, until one adds it back. */
	if (*in == '\0' && *out == '\0') {
		snprintf(status, len, "no game link and no listening socket");
		return;
	}
	/* Host names are bounded by the config's size, not by these buffers. */
	if (snprintf(status, len, "%s%s%s", in, *in && *out ? "; " : "",
	    out) >= (int)len)
		memcpy(status + len - 4, "...", 4);
}

/*
 * Accept connections on the n listening sockets systemd passed in fds, or
 * else on the inbound entry's, one child each, and keep the outbound
 * entry's game link up, until a stop signal.
 */
int
listener_run(struct cas *cas, const int *fds, int n)
{
	const struct config	*cfg = &cas->cfg;
	struct supervisor	 s;

	memset(&s, 0, sizeof s);
	s.cas = cas;
	/* Before the first fork, so that every child counts into the same page. */
	if ((cas->counters = counters_map()) == NULL)
		fatal(EX_OSERR, "counters");
	s.notify = getenv("NOTIFY_SOCKET") != NULL;
	s.maxkids = s.kidcap = (long)cfg->max_connections;
	if ((s.kids = calloc((size_t)s.maxkids, sizeof *s.kids)) == NULL)
		fatal(EX_OSERR, "supervisor");
	signals_listener(cas, &s.waitmask);
	/* Without systemd's sockets fds is NULL, which memcpy may not take. */
	if (n > 0)
		memcpy(s.lfd, fds, (size_t)n * sizeof *fds);
	s.nl = n;
	warn_exposed(fds, n);
	s.from_systemd = n > 0;
	if (n == 0 && cfg->inbound.set)
		listen_inbound(&s);
	gamelink_init(&s.game, n == 0 && cfg->outbound.set ? &cfg->outbound :
	    NULL);
	spares_init(&s.pool, cas, s.lfd, s.nl, s.maxkids);
	describe(&s, s.status, sizeof s.status);
	log_info("%s", s.status);
	supervise(&s);
	free(s.kids);
	counters_unmap(cas->counters);
	cas->counters = NULL;
	return 0;
}
