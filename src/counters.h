/* counters.h: what a process and its children served in its lifetime, counted in shared memory. */
#ifndef CAS_COUNTERS_H
#define CAS_COUNTERS_H

#include <stddef.h>

#include "request.h"

struct counters;

/* A reading of the counters, plus the connections open now (the caller's to fill in). */
struct counts {
	unsigned long long	 connections;	/* served, the open ones included */
	unsigned long long	 turned_away;	/* by the clients table, not in connections */
	unsigned long long	 tokens;
	unsigned long long	 refused[REFUSED_COUNT];
	long			 open;
};

struct counters	*counters_map(void);
void		 counters_unmap(struct counters *);
void		 counters_connection(struct counters *);
void		 counters_turned_away(struct counters *);
void		 counters_token(struct counters *);
void		 counters_refusal(struct counters *, enum refusal);
void		 counters_read(const struct counters *, struct counts *);
void		 counters_format(const struct counts *, char *, size_t);

#endif
