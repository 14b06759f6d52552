/* counters.c: what a process and its children served in its lifetime, counted in shared memory. */
#include <sys/mman.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"

/*
 * Children serve the connections, the listener reports: one page, mapped
 * shared before the first fork, that every child adds to. No message per
 * request, nothing lost when a child dies, and nothing to reset on a
 * reload. Adding must be lock-free, or it would not work across processes.
 */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "lock-free 64-bit atomics");

struct counters {
	atomic_ullong	connections;
	atomic_ullong	turned_away;
	atomic_ullong	tokens;
	atomic_ullong	refused[REFUSED_COUNT];
};

/* The rule names, as the STATUS= line and the log show them. */
static const char *const refusal_names[REFUSED_COUNT] = {
	[REFUSED_MALFORMED] = "malformed",
	[REFUSED_INVALID] = "invalid",
	[REFUSED_VALIDITY] = "validity",
	[REFUSED_MODERATOR] = "moderator",
	[REFUSED_ROOM] = "room",
	[REFUSED_BYPASS] = "bypass",
	[REFUSED_TENANT] = "tenant",
	[REFUSED_FEATURE] = "feature",
	[REFUSED_INTERNAL] = "internal",
};

/* Zeroed counters shared with every child forked from here on; NULL on failure. */
struct counters *
counters_map(void)
{
	struct counters *c;

	c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return c == MAP_FAILED ? NULL : c;
}

void
counters_unmap(struct counters *c)
{
	if (c != NULL)
		munmap(c, sizeof *c);
}

/* Counting: relaxed, nothing is ordered by them. Without counters (NULL), nothing. */
void
counters_connection(struct counters *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->connections, 1,
		    memory_order_relaxed);
}

/* A client the clients table lists nowhere, refused before its first request. */
void
counters_turned_away(struct counters *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->turned_away, 1,
		    memory_order_relaxed);
}

void
counters_token(struct counters *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->tokens, 1, memory_order_relaxed);
}

void
counters_refusal(struct counters *c, enum refusal why)
{
	if (c != NULL && (unsigned)why < REFUSED_COUNT)
		atomic_fetch_add_explicit(&c->refused[why], 1,
		    memory_order_relaxed);
}

/* The counters now into n, open left 0; all 0 without counters. */
void
counters_read(const struct counters *c, struct counts *n)
{
	int i;

	memset(n, 0, sizeof *n);
	if (c == NULL)
		return;
	n->connections = atomic_load_explicit(&c->connections,
	    memory_order_relaxed);
	n->turned_away = atomic_load_explicit(&c->turned_away,
	    memory_order_relaxed);
	n->tokens = atomic_load_explicit(&c->tokens, memory_order_relaxed);
	for (i = 0; i < REFUSED_COUNT; i++)
		n->refused[i] = atomic_load_explicit(&c->refused[i],
		    memory_order_relaxed);
}

/*
 * As one line: "connections 5 (1 open), turned away 2, tokens 12, refused 3
 * (malformed 1, room 2)", the open and turned away ones only when there
 * are, and the rules only those that refused something. Cut with "..." if
 * len is too short.
 */
void
counters_format(const struct counts *n, char *buf, size_t len)
{
	unsigned long long	 refused = 0;
	char			 open[32] = "", away[40] = "";
	size_t			 off;
	int			 i, w;
	const char		*sep = " (";

	if (len < 4) {
		if (len > 0)
			*buf = '\0';
		return;
	}
	for (i = 0; i < REFUSED_COUNT; i++)
		refused += n->refused[i];
	/* Both fit: a long and an unsigned long long have at most 20 digits. */
	if (n->open > 0)
		snprintf(open, sizeof open, " (%ld open)", n->open);
	if (n->turned_away > 0)
		snprintf(away, sizeof away, ", turned away %llu",
		    n->turned_away);
	w = snprintf(buf, len, "connections %llu%s%s, tokens %llu, refused %llu",
	    n->connections, open, away, n->tokens, refused);
	for (i = 0; i < REFUSED_COUNT && w >= 0 && (size_t)w < len; i++) {
		if (n->refused[i] == 0)
			continue;
		off = (size_t)w;
		w = snprintf(buf + off, len - off, "%s%s %llu", sep,
		    refusal_names[i], n->refused[i]);
		w = w < 0 ? w : w + (int)off;
		sep = ", ";
	}
	if (refused > 0 && w >= 0 && (size_t)w < len)
		w = snprintf(buf + w, len - (size_t)w, ")") + w;
	if (w < 0 || (size_t)w >= len)
		memcpy(buf + len - 4, "...", 4);
}
