/* spares.c: children forked ahead of connections, each set up and waiting to accept one. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cas.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "peer.h"
#include "signals.h"
#include "spares.h"

/* After a failed fork or a spare that died setting up, wait this long. */
#define SPARE_RETRY_MS	1000

/* What a spare tells the parent on its control socket, one byte each. */
#define MSG_READY	'R'	/* set up, waiting for a connection */
#define MSG_TAKEN	'T'	/* accepted one: now a busy child */

void
spares_init(struct spares *sp, struct cas *cas, const int *lfd, int nl,
    long maxkids)
{
	memset(sp, 0, sizeof *sp);
	sp->cas = cas;
	sp->lfd = lfd;
	sp->nl = nl;
	sp->want = nl > 0 ? (long)cas->cfg.spare_processes : 0;
	sp->first = sp->want < maxkids ? sp->want : maxkids;
}

static long
live(const struct spares *sp)
{
	long	n = 0;
	int	i;

	for (i = 0; i < sp->n; i++)
		n += !sp->s[i].retiring;
	return n;
}

/*
 * Wait for a connection on any listening socket: its descriptor and the
 * peer's address in ss, or -1 to leave.
 */
static int
wait_accept(struct spares *sp, int ep, int ctl, const sigset_t *waitmask,
    struct sockaddr_storage *ss, socklen_t *sl)
{
	struct epoll_event	ev[MAX_LISTEN + 1];
	struct timespec		pause = { 0, ACCEPT_PAUSE_MS * 1000000L };
	int			i, n, fd;

	while (!sp->cas->stop) {
		n = epoll_pwait(ep, ev, sp->nl + 1, -1, waitmask);
		if (n == -1 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			return -1;
		}
		/* Retired, or the parent is gone: no more connections, not even one that came with the news. */
		for (i = 0; i < n; i++)
			if (ev[i].data.fd == ctl)
				return -1;
		for (i = 0; i < n; i++) {
			*sl = sizeof *ss;
			fd = accept4(ev[i].data.fd, (struct sockaddr *)ss, sl,
			    SOCK_CLOEXEC);
			if (fd != -1)
				return fd;
			/* Out of descriptors or memory: pause rather than spin. */
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				log_warn("accept: %s", strerror(errno));
				(void)ppoll(NULL, 0, &pause, waitmask);
			}
		}
	}
	return -1;
}

/* What a spare that took a connection holds until the connection is under way. */
struct held {
	const struct spares	*sp;
	int			 ep, ctl;
};

/*
 * The connection is under way: the parent may fork a replacement now, and
 * the listening sockets are left to the others (closing them earlier
 * would only delay the first answer).
 */
static void
taken(void *arg)
{
	struct held	*tk = arg;
	char		 msg = MSG_TAKEN;
	int		 i;

	(void)write(tk->ctl, &msg, 1);
	close(tk->ctl);
	for (i = 0; i < tk->sp->nl; i++)
		close(tk->sp->lfd[i]);
	close(tk->ep);
}

/*
 * A spare's life: set up a connection's state and fault it in (naming a
 * peer too), say so, accept one connection (several spares may wait: the
 * kernel wakes one), and serve it as any child does.
 */
static _Noreturn void
spare_main(struct spares *sp, int ctl)
{
	struct epoll_event	 ev;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	struct held		 tk = { .sp = sp, .ctl = ctl };
	struct conn		*c;
	sigset_t		 waitmask;
	char			 msg, peer[PEER_NAME_MAX];
	int			 ep, i, fd;

	signals_connection(sp->cas);
	signals_waitmask(&waitmask);
	if ((c = conn_prepare(sp->cas)) == NULL) {
		log_err("spare process: out of memory");
		_exit(EX_OSERR);
	}
	/* Name an address once, so that naming the peer costs no first call. */
	if (getsockname(sp->lfd[0], (struct sockaddr *)&ss, &sl) == 0)
		peer_name((struct sockaddr *)&ss, sl, peer, sizeof peer);
	/* Exclusive: a connection wakes one spare, not all of them. */
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_err("epoll_create1: %s", strerror(errno));
		_exit(EX_OSERR);
	}
	for (i = 0; i <= sp->nl; i++) {
		memset(&ev, 0, sizeof ev);
		ev.data.fd = i < sp->nl ? sp->lfd[i] : ctl;
		ev.events = i < sp->nl ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev) == -1) {
			log_err("epoll_ctl: %s", strerror(errno));
			_exit(EX_OSERR);
		}
	}
	log_debug("spare process %ld ready", (long)getpid());
	msg = MSG_READY;
	if (write(ctl, &msg, 1) != 1)
		_exit(0);
	if ((fd = wait_accept(sp, ep, ctl, &waitmask, &ss, &sl)) == -1)
		_exit(0);
	tk.ep = ep;
	_exit(conn_serve_prepared(c, fd, taken, &tk));
}

/* Fork one spare; extra_fd (-1: none) is the parent's and closed in it. */
static int
fork_spare(struct spares *sp, int extra_fd)
{
	struct spare	*e = &sp->s[sp->n];
	pid_t		 pid;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == -1) {
		log_err("socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_err("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		if (extra_fd != -1)
			close(extra_fd);
		spares_close_inherited(sp);
		spare_main(sp, sv[1]);
	}
	close(sv[1]);
	*e = (struct spare){ .pid = pid, .ctl = sv[0] };
	sp->n++;
	return 0;
}

/*
 * Fork spares until there are as many as wanted, keeping spares plus busy
 * children within the limit: room is the limit less the busy children.
 */
void
spares_fill(struct spares *sp, long room, int extra_fd, long long now)
{
	while (live(sp) < sp->want && sp->n < room &&
	    sp->n < (int)(sizeof sp->s / sizeof sp->s[0]) && now >= sp->retry_at)
		if (fork_spare(sp, extra_fd) == -1)
			sp->retry_at = now + SPARE_RETRY_MS;
}

/* The control sockets to wait on, into pfd (room for 2 * MAX_SPARES); their count. */
int
spares_pollfds(const struct spares *sp, struct pollfd *pfd)
{
	int i, n = 0;

	for (i = 0; i < sp->n; i++)
		if (sp->s[i].ctl != -1)
			pfd[n++] = (struct pollfd){ sp->s[i].ctl, POLLIN, 0 };
	return n;
}

static void
drop(struct spares *sp, int i)
{
	if (sp->s[i].ctl != -1)
		close(sp->s[i].ctl);
	sp->s[i] = sp->s[--sp->n];
}

/*
 * Read what spare i said: true once it took a connection. Its control
 * socket is closed at its end of file.
 */
static bool
hear(struct spares *sp, int i)
{
	struct spare	*e = &sp->s[i];
	ssize_t		 n;
	char		 msg;

	while (e->ctl != -1) {
		if ((n = read(e->ctl, &msg, 1)) == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			close(e->ctl);
			e->ctl = -1;
			break;
		}
		if (msg == MSG_READY && !e->ready) {
			e->ready = true;
			sp->readied++;
		} else if (msg == MSG_TAKEN)
			return true;
	}
	return false;
}

/*
 * A control socket is readable: the pid of the spare that took a
 * connection, which leaves the pool to be a busy child, or 0.
 */
pid_t
spares_event(struct spares *sp, int fd)
{
	pid_t	pid;
	int	i;

	for (i = 0; i < sp->n; i++) {
		if (sp->s[i].ctl != fd)
			continue;
		if (!hear(sp, i))
			return 0;
		pid = sp->s[i].pid;
		drop(sp, i);
		return pid;
	}
	return 0;
}

/*
 * A child ended: true if it was a spare, now forgotten (what it said
 * before it ended is read first). One that died setting up holds off the
 * next fork, so a failing setup cannot spin.
 */
bool
spares_forget(struct spares *sp, pid_t pid, long long now)
{
	int i;

	for (i = 0; i < sp->n; i++) {
		if (sp->s[i].pid != pid)
			continue;
		if (!hear(sp, i) && !sp->s[i].ready && !sp->s[i].retiring) {
			log_err("spare process %ld ended before it was ready",
			    (long)pid);
			sp->retry_at = now + SPARE_RETRY_MS;
		}
		drop(sp, i);
		return true;
	}
	return false;
}

/* True once the first spares have all been ready: the listener is ready. */
bool
spares_started(const struct spares *sp)
{
	return sp->readied >= sp->first;
}

/* Milliseconds until spares_fill may fork again, or -1 if it need not. */
long long
spares_wait(const struct spares *sp, long room, long long now)
{
	if (live(sp) >= sp->want || sp->n >= room || sp->retry_at <= now)
		return -1;
	return sp->retry_at - now;
}

/* Spares alive or not yet reaped, retiring ones included. */
int
spares_count(const struct spares *sp)
{
	return sp->n;
}

/*
 * Tell every spare to go (closing its control socket), so that the next
 * spares_fill forks fresh ones. A spare that took a connection meanwhile
 * serves it and exits; each counts against the limit until reaped.
 */
void
spares_retire(struct spares *sp)
{
	int i;

	for (i = 0; i < sp->n; i++) {
		if (sp->s[i].ctl != -1)
			close(sp->s[i].ctl);
		sp->s[i].ctl = -1;
		sp->s[i].retiring = true;
	}
}

/* Spares told to go that have not been reaped yet. */
int
spares_retiring(const struct spares *sp)
{
	return sp->n - (int)live(sp);
}

/*
 * A reload: retire every spare, so that spares_fill forks want fresh ones
 * with the configuration now in force, and count readiness afresh over
 * the ones there is room for.
 */
void
spares_renew(struct spares *sp, long want, long room)
{
	spares_retire(sp);
	sp->want = sp->nl > 0 ? want : 0;
	if (room < 0)
		room = 0;
	sp->first = sp->want < room ? sp->want : room;
	sp->readied = 0;
}

void
spares_signal(const struct spares *sp, int sig)
{
	int i;

	for (i = 0; i < sp->n; i++)
		kill(sp->s[i].pid, sig);
}

/* In a new child: the parent's ends of the control sockets are not its own. */
void
spares_close_inherited(const struct spares *sp)
{
	int i;

	for (i = 0; i < sp->n; i++)
		if (sp->s[i].ctl != -1)
			close(sp->s[i].ctl);
}
