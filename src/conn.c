/* conn.c: serves one connection: reads requests, answers each, writes replies. */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <sysexits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cas.h"
#include "clients.h"
#include "clock.h"
#include "conn.h"
#include "frame.h"
#include "linger.h"
#include "log.h"
#include "policy.h"
#include "refuse.h"
#include "request.h"
#include "response.h"

#define READ_SIZE	65536
/* Pipelined replies are batched up to this much before a write. */
#define FLUSH_AT	65536

struct conn {
	struct cas		*cas;
	const struct conn_opts	*opts;
	int			 out_fd;
	struct frame		 frame;
	struct minter		 minter;
	struct buf		 out;
	struct responder	 resp;
	unsigned long long	 requests, tokens;
	long long		 progress_ms;	/* start, or the last answer */
	sigset_t		 waitmask;	/* signals let in while waiting */
	bool			 dead;		/* the peer stopped reading */
};

/* Write everything buffered; a peer that cannot take it ends the connection. */
static void
flush(struct conn *c)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < c->out.len && !c->dead) {
		n = write(c->out_fd, c->out.data + off, c->out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_info("%s: write failed: %s", c->opts->peer, strerror(errno));
			c->dead = true;
			break;
		}
		off += (size_t)n;
	}
	buf_reset(&c->out);
}

static void
log_seq(char *dst, size_t len, const struct value *seq)
{
	if (seq->type == V_NUMBER || seq->type == V_STRING)
		log_clean(dst, len, seq->s, seq->len);
	else
		snprintf(dst, len, "-");
}

static void
log_answer(struct conn *c, const struct request *r, const char *err)
{
	const struct value	*name = &r->f[F_DISPLAYNAME];
	char			 n[80], rm[80], seq[40], tn[80];

	if (!log_enabled(LOG_INFO))
		return;
	log_seq(seq, sizeof seq, &r->f[F_SEQ]);
	if (err != NULL) {
		log_info("%s: refused (%s) seq=%s", c->opts->peer, err, seq);
		return;
	}
	log_clean(n, sizeof n, name->s, name->len);
	log_clean(rm, sizeof rm, r->room.name, r->room.len);
	tn[0] = '\0';
	if (r->f[F_TENANT].type == V_STRING)
		log_clean(tn, sizeof tn, r->tenant, r->tenantlen);
	log_info("%s: token for \"%s\" room=%s%s%s moderator=%s valid_until=%lld "
	    "seq=%s", c->opts->peer, n, rm, tn[0] ? " tenant=" : "", tn,
	    r->moderator ? "true" : "false", r->exp, seq);
}

/* One request, one reply: validate, apply the policy, mint, and queue the answer. */
static bool
answer(void *arg, struct request *r, enum term t)
{
	struct conn	*c = arg;
	struct cas	*cas = c->cas;
	long long	 now = (long long)time(NULL), limit;
	const char	*err;
	char		 msg[160];

	err = request_validate(r, now, msg, sizeof msg);
	if (err == NULL)
		err = policy_check(c->opts->policy, r, r->exp - now, msg,
		    sizeof msg);
	if (err == NULL && token_mint(&c->minter, &cas->signer, r,
	    now) == -1)
		err = "internal error: could not make the token";
	if (response_write(&c->resp, err, err ? "" : c->minter.token.data,
	    c->minter.token.len, now, &r->f[F_SEQ], t) == -1)
		log_err("%s: out of memory writing a reply", c->opts->peer);
	log_answer(c, r, err);
	c->requests++;
	c->tokens += err == NULL;
	if (c->opts->write_each || c->out.len >= FLUSH_AT)
		flush(c);
	limit = cas->cfg.max_requests_per_connection;
	return !c->dead && !(limit > 0 && c->requests >= (unsigned long long)limit);
}

/*
 * Wait for input: 1 readable, 0 idle too long or stopping. The idle limit
 * counts from the last answered request, so trickled bytes do not extend
 * it. Stop signals are let in only here, so none is lost before a wait.
 */
static int
wait_input(struct conn *c, int in_fd)
{
	struct pollfd	 pfd = { .fd = in_fd, .events = POLLIN };
	struct timespec	 ts, *tsp;
	long long	 idle = c->cas->cfg.idle_timeout * 1000, left;
	int		 n;

	while (!c->cas->stop) {
		tsp = NULL;
		if (!c->opts->no_idle_limit && idle > 0) {
			if ((left = c->progress_ms + idle - now_ms()) <= 0) {
				log_info("%s: idle for %llds, closing", c->opts->peer,
				    idle / 1000);
				return 0;
			}
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, &c->waitmask);
		if (n > 0)
			return 1;
		if (n == -1 && errno != EINTR)
			return 0;
	}
	return 0;
}

static int
setup(struct conn *c, struct cas *cas, int out_fd, const struct conn_opts *o)
{
	memset(c, 0, sizeof *c);
	c->cas = cas;
	c->opts = o;
	c->out_fd = out_fd;
	c->progress_ms = now_ms();
	sigprocmask(SIG_BLOCK, NULL, &c->waitmask);
	sigdelset(&c->waitmask, SIGTERM);
	sigdelset(&c->waitmask, SIGINT);
	if (frame_init(&c->frame, (size_t)cas->cfg.max_request_bytes, answer,
	    c) == -1 || minter_init(&c->minter, &cas->cfg) == -1 ||
	    responder_init(&c->resp, &c->out) == -1 ||
	    buf_reserve(&c->out, FLUSH_AT + 4096) == -1)
		return -1;
	return 0;
}

static void
teardown(struct conn *c)
{
	frame_free(&c->frame);
	minter_free(&c->minter);
	responder_free(&c->resp);
	buf_free(&c->out);
}

/*
 * Serve requests from in_fd, answering on out_fd, until end of input, an
 * idle timeout, a stop signal or the per-connection request limit. Every
 * request read gets its answer before this returns. 0, or -1 on error.
 */
int
conn_serve(struct cas *cas, int in_fd, int out_fd, const struct conn_opts *o)
{
	struct conn	 c;
	unsigned char	*rbuf;
	ssize_t			 n;
	unsigned long long	 before;
	int			 rc = 0, fr = 0;

	if ((rbuf = malloc(READ_SIZE)) == NULL || setup(&c, cas, out_fd, o) == -1) {
		log_err("%s: out of memory", o->peer);
		free(rbuf);
		return -1;
	}
	log_debug("%s: connected", o->peer);
	while (!cas->stop && fr == 0 && !c.dead) {
		if (!wait_input(&c, in_fd))
			break;
		n = read(in_fd, rbuf, READ_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_info("%s: read failed: %s", o->peer, strerror(errno));
			break;
		}
		if (n == 0) {
			fr = frame_eof(&c.frame);
			break;
		}
		/* Answer what has arrived, then write it while the peer waits. */
		before = c.requests;
		fr = frame_feed(&c.frame, rbuf, (size_t)n);
		flush(&c);
		if (c.requests != before)
			c.progress_ms = now_ms();
	}
	if (fr == -1) {
		log_err("%s: out of memory", o->peer);
		rc = -1;
	}
	flush(&c);
	/* Whoever ends it (limit, idle time, stop signal), every answer written is delivered. */
	if (!c.dead)
		linger_drain(in_fd, out_fd);
	log_info("%s: closed after %llu requests, %llu tokens", o->peer,
	    c.requests, c.tokens);
	teardown(&c);
	free(rbuf);
	return rc;
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

/*
 * Serve one connection on its descriptors, under the policy of its
 * client, named for the log after it; game is the outbound link (one
 * write per reply, no idle limit). A peer the clients table does not list
 * is refused before any request is read. The process's exit status: 0,
 * or EX_OSERR.
 */
int
conn_serve_fds(struct cas *cas, int in_fd, int out_fd, bool game)
{
	struct conn_opts	o = { .write_each = game, .no_idle_limit = game };
	struct admission	a;
	int			rc = 0;

	clients_admit(&cas->cfg, in_fd, game, &a);
	o.peer = a.name;
	o.policy = a.policy;
	send_timeout(out_fd, game ? GAME_SEND_TIMEOUT : cas->cfg.idle_timeout);
	if (a.policy == NULL)
		refuse_client(in_fd, out_fd, a.name);
	else if (conn_serve(cas, in_fd, out_fd, &o) != 0)
		rc = EX_OSERR;
	admission_free(&a);
	return rc;
}
