/* signals.c: signal dispositions of the listener and of a connection's process. */
#include <signal.h>
#include <string.h>

#include "cas.h"
#include "signals.h"

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
on_reload(int sig)
{
	(void)sig;
	sig_cas->reload = 1;
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
 * Signals as one connection's process wants them: SIGTERM and SIGINT (and
 * SIGHUP where it reloads) stay blocked except while it waits for input
 * (conn.c), so none is lost between checking a flag and waiting.
 */
static void
connection(struct cas *cas, bool reloads)
{
	struct sigaction	old;
	sigset_t		held;

	sig_cas = cas;
	handle(SIGTERM, on_stop);
	handle(SIGINT, on_stop);
	handle(SIGPIPE, SIG_IGN);
	handle(SIGCHLD, SIG_DFL);
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	if (reloads) {
		/* Replacing a handler, unlike ignoring, keeps a SIGHUP already pending. */
		handle(SIGHUP, on_reload);
		sigaddset(&held, SIGHUP);
	} else if (sigaction(SIGHUP, NULL, &old) == 0 &&
	    old.sa_handler == on_reload)
		/* Forked by the listener: the reload is its own; this connection keeps its configuration. */
		handle(SIGHUP, SIG_IGN);
	sigprocmask(SIG_SETMASK, &held, NULL);
}

/* A connection's process; SIGHUP keeps the default action unless forked by the listener. */
void
signals_connection(struct cas *cas)
{
	connection(cas, false);
}

/* The game link's child: SIGHUP (from the listener) reads the configuration again. */
void
signals_game_link(struct cas *cas)
{
	connection(cas, true);
}

/* The mask a connection's process waits with: its own, the stop and reload signals let in. */
void
signals_waitmask(sigset_t *waitmask)
{
	sigprocmask(SIG_BLOCK, NULL, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

/*
 * The listener's: SIGCHLD, SIGTERM, SIGINT and SIGHUP are held except
 * while it waits, so none slips between a check and the wait; waitmask is
 * the mask to wait with.
 */
void
signals_listener(struct cas *cas, sigset_t *waitmask)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGCHLD);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
	sig_cas = cas;
	handle(SIGTERM, on_stop);
	handle(SIGINT, on_stop);
	handle(SIGCHLD, on_child);
	handle(SIGPIPE, SIG_IGN);
	handle(SIGHUP, on_reload);
}

/* True once after a SIGCHLD: there are children to reap. */
bool
signals_child_ended(void)
{
	bool ended = got_child != 0;

	got_child = 0;
	return ended;
}

/* Signals held pending while ppoll found descriptors ready are taken here. */
void
signals_take(const sigset_t *waitmask)
{
	sigset_t held;

	sigprocmask(SIG_SETMASK, waitmask, &held);
	sigprocmask(SIG_SETMASK, &held, NULL);
}
