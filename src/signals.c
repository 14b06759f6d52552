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
void
signals_connection(struct cas *cas)
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

/* The mask a connection's process waits with: its own, the stop signals let in. */
void
signals_waitmask(sigset_t *waitmask)
{
	sigprocmask(SIG_BLOCK, NULL, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
}

/*
 * The listener's: SIGCHLD, SIGTERM and SIGINT are held except while it
 * waits, so none slips between a check and the wait; waitmask is the mask
 * to wait with.
 */
void
signals_listener(struct cas *cas, sigset_t *waitmask)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGCHLD);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sig_cas = cas;
	handle(SIGTERM, on_stop);
	handle(SIGINT, on_stop);
	handle(SIGCHLD, on_child);
	handle(SIGPIPE, SIG_IGN);
	/* Nothing to reload in place: restart to apply a new configuration. */
	handle(SIGHUP, SIG_IGN);
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
