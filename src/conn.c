/* conn.c: serves one connection: reads requests, answers each, writes replies. */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <sysexits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cas.h"
#include "clients.h"
#include "clock.h"
#include "conn.h"
#include "counters.h"
#include "frame.h"
#include "linger.h"
#include "log.h"
#include "policy.h"
#include "refuse.h"
#include "request.h"
#include "response.h"
#include "settings.h"
#include "signals.h"

#define READ_SIZE	65536
/* Pipelined replies are batched up to this much before a write. */
#define FLUSH_AT	65536
/* A prepared connection that has written nothing says it is busy after this long. */
#define BUSY_AFTER_MS	5

struct conn {
	struct cas		*cas;
	struct conn_opts	 opts;
	int			 out_fd;
	unsigned char		*rbuf;		/* READ_SIZE bytes */
	struct frame		 frame;
	struct minter		 minter;
	struct buf		 out;
	struct responder	 resp;
	unsigned long long	 requests, tokens;
	long long		 progress_ms;	/* start, or the last answer */
	sigset_t		 waitmask;	/* signals let in while waiting */
	bool			 dead;		/* the peer stopped reading */
	bool			 warming;	/* the throwaway request of conn_prepare */
	conn_busy_cb		 busy;		/* still to be called, or NULL */
	void			*busy_arg;
	long long		 busy_at;	/* when to call it at the latest */
};

/*
 * Run through every step of an answer once, so that a connection prepared
 * ahead has its pages faulted in: never policy-checked, logged or sent.
 */
static const char warm_request[] = "{\"cmd\":\"jwt_token\","
    "\"displayName\":\"warm-up\",\"channel\":\"warm-up\","
    "\"moderator\":false,\"validFor\":1}";

static void
tell_busy(struct conn *c)
{
	conn_busy_cb cb = c->busy;

	c->busy = NULL;
	cb(c->busy_arg);
}

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
			log_info("%s: write failed: %s", c->opts.peer, strerror(errno));
			c->dead = true;
			break;
		}
		off += (size_t)n;
		if (c->busy != NULL)
			tell_busy(c);
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
		log_info("%s: refused (%s) seq=%s", c->opts.peer, err, seq);
		return;
	}
	log_clean(n, sizeof n, name->s, name->len);
	log_clean(rm, sizeof rm, r->room.name, r->room.len);
	tn[0] = '\0';
	if (r->f[F_TENANT].type == V_STRING)
		log_clean(tn, sizeof tn, r->tenant, r->tenantlen);
	log_info("%s: token for \"%s\" room=%s%s%s moderator=%s valid_until=%lld "
	    "seq=%s", c->opts.peer, n, rm, tn[0] ? " tenant=" : "", tn,
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

	/* For the counters: the protocol's refusal, unless the policy names its rule. */
	r->refused = r->error != NULL ? REFUSED_MALFORMED : REFUSED_INVALID;
	err = request_validate(r, now, msg, sizeof msg);
	if (err == NULL && !c->warming)
		err = policy_check(c->opts.policy, r, r->exp - now, msg,
		    sizeof msg);
	if (err == NULL && token_mint(&c->minter, &cas->signer, r,
	    now) == -1) {
		err = "internal error: could not make the token";
		r->refused = REFUSED_INTERNAL;
	}
	if (response_write(&c->resp, err, err ? "" : c->minter.token.data,
	    c->minter.token.len, now, &r->f[F_SEQ], t) == -1)
		log_err("%s: out of memory writing a reply", c->opts.peer);
	if (c->warming)
		return false;
	log_answer(c, r, err);
	c->requests++;
	c->tokens += err == NULL;
	if (err == NULL)
		counters_token(cas->counters);
	else
		counters_refusal(cas->counters, r->refused);
	if (c->opts.write_each || c->out.len >= FLUSH_AT)
		flush(c);
	/* The game link lives for the game's lifetime, like its idle exemption. */
	limit = c->opts.no_idle_limit ? 0 : cas->cfg.max_requests_per_connection;
	return !c->dead && !(limit > 0 && c->requests >= (unsigned long long)limit);
}

/*
 * Wait for input: 1 readable, 0 idle too long or stopping, 2 a reload
 * asked for (the game link). The idle limit counts from the last answered
 * request, so trickled bytes do not extend it. Stop and reload signals
 * are let in only here, so none is lost before a wait.
 */
static int
wait_input(struct conn *c, int in_fd)
{
	struct pollfd	 pfd = { .fd = in_fd, .events = POLLIN };
	struct timespec	 ts, *tsp;
	long long	 idle = c->cas->cfg.idle_timeout * 1000, left, wait, now;
	int		 n;

	while (!c->cas->stop) {
		if (c->cas->reload)
			return 2;
		now = now_ms();
		wait = -1;
		if (!c->opts.no_idle_limit && idle > 0) {
			if ((wait = c->progress_ms + idle - now) <= 0) {
				log_info("%s: idle for %llds, closing", c->opts.peer,
				    idle / 1000);
				return 0;
			}
		}
		if (c->busy != NULL) {
			if ((left = c->busy_at - now) <= 0) {
				tell_busy(c);
				continue;
			}
			if (wait < 0 || left < wait)
				wait = left;
		}
		tsp = NULL;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (wait % 1000) * 1000000;
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, &c->waitmask);
		/* ppoll leaves a SIGHUP that came with input held: take it first. */
		if (n > 0 && c->opts.reloads)
			signals_take(&c->waitmask);
		if (n > 0 && !c->cas->reload)
			return 1;
		if (n == -1 && errno != EINTR)
			return 0;
	}
	return 0;
}

/*
 * The game link's child on SIGHUP: the configuration and key material
 * read again and put in force between two requests, so that a request
 * half read is kept and answered with the new ones; if they do not load,
 * the old ones stay. The request size limit stays that of the link's
 * start, the framer holding what was read so far.
 */
static void
reload(struct conn *c)
{
	struct cas	*cas = c->cas;
	struct config	 cfg;
	struct signer	 signer;
	struct cfgerr	 e;

	cas->reload = 0;
	if (settings_load(&cfg, &signer, cas->cfg.path, &e) != 0) {
		log_err("%s: reload failed, the configuration in force is "
		    "unchanged: %s", c->opts.peer, e.msg);
		return;
	}
	/* The claims every token starts with come from the configuration. */
	minter_free(&c->minter);
	if (minter_init(&c->minter, &cfg) == -1) {
		settings_free(&cfg, &signer);
		minter_free(&c->minter);
		log_err("%s: reload: out of memory, the configuration in force "
		    "is unchanged", c->opts.peer);
		if (minter_init(&c->minter, &cas->cfg) == -1)
			c->dead = true;
		return;
	}
	settings_swap(cas, &cfg, &signer);
	/* Only the game link reloads: its policy is the new outbound.policy. */
	c->opts.policy = &cas->cfg.outbound_policy;
	log_info("%s: reloaded %s", c->opts.peer, cas->cfg.path);
}

/* Everything a connection needs before its first byte; -1 out of memory. */
static int
setup(struct conn *c, struct cas *cas)
{
	memset(c, 0, sizeof *c);
	c->cas = cas;
	c->out_fd = -1;
	signals_waitmask(&c->waitmask);
	if ((c->rbuf = malloc(READ_SIZE)) == NULL ||
	    frame_init(&c->frame, (size_t)cas->cfg.max_request_bytes, answer,
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
	free(c->rbuf);
}

/*
 * Answer the throwaway request (its NUL included) into the output buffer,
 * then forget it: a fresh framer, so the real stream picks its own mode.
 */
static int
warm(struct conn *c)
{
	int fr;

	c->warming = true;
	c->opts.peer = "warm-up";
	memcpy(c->rbuf, warm_request, sizeof warm_request);
	fr = frame_feed(&c->frame, c->rbuf, sizeof warm_request);
	c->warming = false;
	buf_reset(&c->out);
	frame_free(&c->frame);
	if (fr == -1 || frame_init(&c->frame,
	    (size_t)c->cas->cfg.max_request_bytes, answer, c) == -1)
		return -1;
	return 0;
}

/*
 * Serve requests from in_fd, answering on out_fd, until end of input, an
 * idle timeout, a stop signal or the per-connection request limit. Every
 * request read gets its answer before this returns. 0, or -1 on error.
 */
static int
run(struct conn *c, int in_fd, int out_fd)
{
	struct cas		*cas = c->cas;
	const char		*peer = c->opts.peer;
	ssize_t			 n;
	unsigned long long	 before;
	int			 rc = 0, fr = 0, w;

	c->out_fd = out_fd;
	c->progress_ms = now_ms();
	counters_connection(cas->counters);
	log_debug("%s: connected", peer);
	while (!cas->stop && fr == 0 && !c->dead) {
		if ((w = wait_input(c, in_fd)) == 0)
			break;
		if (w == 2) {
			reload(c);
			continue;
		}
		n = read(in_fd, c->rbuf, READ_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_info("%s: read failed: %s", peer, strerror(errno));
			break;
		}
		if (n == 0) {
			fr = frame_eof(&c->frame);
			break;
		}
		/* Answer what has arrived, then write it while the peer waits. */
		before = c->requests;
		fr = frame_feed(&c->frame, c->rbuf, (size_t)n);
		flush(c);
		if (c->requests != before)
			c->progress_ms = now_ms();
	}
	if (fr == -1) {
		log_err("%s: out of memory", peer);
		rc = -1;
	}
	flush(c);
	/* Whoever ends it (limit, idle time, stop signal), every answer written is delivered. */
	if (!c->dead)
		linger_drain(in_fd, out_fd);
	log_info("%s: closed after %llu requests, %llu tokens", peer,
	    c->requests, c->tokens);
	return rc;
}

static int
conn_serve(struct cas *cas, int in_fd, int out_fd, const struct conn_opts *o)
{
	struct conn	c;
	int		rc = -1;

	if (setup(&c, cas) == -1)
		log_err("%s: out of memory", o->peer);
	else {
		c.opts = *o;
		rc = run(&c, in_fd, out_fd);
	}
	teardown(&c);
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
 * Admit the client on in_fd: its name and policy into o, which points
 * into a (the caller frees it once done with o), and true; or turn it away
 * with its one reply, and false.
 */
static bool
admit(struct cas *cas, int in_fd, int out_fd, bool game, struct admission *a,
    struct conn_opts *o)
{
	clients_admit(&cas->cfg, in_fd, game, a);
	o->peer = a->name;
	o->policy = a->policy;
	send_timeout(out_fd, game ? GAME_SEND_TIMEOUT : cas->cfg.idle_timeout);
	if (a->policy != NULL)
		return true;
	counters_turned_away(cas->counters);
	refuse_client(in_fd, out_fd, a->name);
	return false;
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
	struct conn_opts	o = { .write_each = game, .no_idle_limit = game,
				    .reloads = game };
	struct admission	a;
	int			rc = 0;

	if (admit(cas, in_fd, out_fd, game, &a, &o) &&
	    conn_serve(cas, in_fd, out_fd, &o) != 0)
		rc = EX_OSERR;
	admission_free(&a);
	return rc;
}

/*
 * A connection's state made before the connection arrives, with one
 * throwaway answer run through it; NULL out of memory.
 */
struct conn *
conn_prepare(struct cas *cas)
{
	struct conn *c;

	if ((c = malloc(sizeof *c)) == NULL)
		return NULL;
	if (setup(c, cas) == -1 || warm(c) == -1) {
		teardown(c);
		free(c);
		return NULL;
	}
	return c;
}

/*
 * Serve the accepted socket fd with a prepared state, as conn_serve_fds
 * does: its client is admitted (or turned away) first. busy(arg) is called
 * once the connection is under way: after its first write, or BUSY_AFTER_MS
 * without one, so whatever it starts does not compete with the first answer
 * for the CPU.
 */
int
conn_serve_prepared(struct conn *c, int fd, conn_busy_cb busy, void *arg)
{
	struct admission	a;
	int			rc = 0;

	c->busy = busy;
	c->busy_arg = arg;
	c->busy_at = now_ms() + BUSY_AFTER_MS;
	if (!admit(c->cas, fd, fd, false, &a, &c->opts))
		busy(arg);
	else if (run(c, fd, fd) != 0)
		rc = EX_OSERR;
	admission_free(&a);
	teardown(c);
	free(c);
	return rc;
}
