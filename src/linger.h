/* linger.h: ends a connection so the peer gets every answer: half-close, then drain what it still sends. */
#ifndef CAS_LINGER_H
#define CAS_LINGER_H

/* How long, and how much, a closing connection's input is drained. */
#define LINGER_MS	2000
#define LINGER_BYTES	(4 * 1024 * 1024)

void	linger_drain(int, int);

#endif
