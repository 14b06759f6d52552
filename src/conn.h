/* conn.h: serves one connection: reads requests, answers each, writes replies. */
#ifndef CAS_CONN_H
#define CAS_CONN_H

#include <stdbool.h>

struct cas;
struct conn;
struct policy;

struct conn_opts {
	const char	*peer;		/* for the log */
	const struct policy *policy;	/* what its client may have minted */
	bool		 write_each;	/* one write per reply (the game's raw port) */
	bool		 no_idle_limit;	/* the game link: no idle or request limit */
	bool		 reloads;	/* SIGHUP reads the configuration again (the game link) */
};

/* Told once that a prepared connection is under way. */
typedef void	(*conn_busy_cb)(void *);

int		 conn_serve_fds(struct cas *, int, int, bool);
struct conn	*conn_prepare(struct cas *);
int		 conn_serve_prepared(struct conn *, int, conn_busy_cb, void *);

#endif
