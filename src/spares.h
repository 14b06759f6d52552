/* spares.h: children forked ahead of connections, each set up and waiting to accept one. */
#ifndef CAS_SPARES_H
#define CAS_SPARES_H

#include <sys/types.h>

#include <poll.h>
#include <stdbool.h>

#include "config.h"

struct cas;

struct spare {
	pid_t	 pid;
	int	 ctl;		/* our end of its control socket, or -1 after EOF */
	bool	 ready;		/* set up and waiting for a connection */
	bool	 retiring;	/* told to go; counts against the limit until reaped */
};

/*
 * The pool: spares plus busy children never exceed the connection limit,
 * so a spare can always take the connection it accepts.
 */
struct spares {
	struct cas	*cas;
	const int	*lfd;		/* the listening sockets spares accept on */
	int		 nl;
	long		 want;		/* spares to keep; 0: the parent accepts */
	long		 first;		/* spares ready before READY=1 */
	long		 readied;	/* spares that ever said ready */
	long long	 retry_at;	/* no fork before then (ms) after a failure */
	struct spare	 s[2 * MAX_SPARES];
	int		 n;
};

void		 spares_init(struct spares *, struct cas *, const int *, int,
		    long);
void		 spares_fill(struct spares *, long, int, long long);
int		 spares_pollfds(const struct spares *, struct pollfd *);
pid_t		 spares_event(struct spares *, int);
bool		 spares_forget(struct spares *, pid_t, long long);
bool		 spares_started(const struct spares *);
long long	 spares_wait(const struct spares *, long, long long);
int		 spares_count(const struct spares *);
void		 spares_retire(struct spares *);
int		 spares_retiring(const struct spares *);
void		 spares_renew(struct spares *, long, long);
void		 spares_signal(const struct spares *, int);
void		 spares_close_inherited(const struct spares *);

#endif
