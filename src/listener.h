/* listener.h: listening sockets, a child process per connection, and the game link's child. */
#ifndef CAS_LISTENER_H
#define CAS_LISTENER_H

#include <stdbool.h>

/* The most listening sockets served at once. */
#define MAX_LISTEN	16
/* After accept fails for want of descriptors or memory, wait this long. */
#define ACCEPT_PAUSE_MS	100

struct cas;

int	listener_run(struct cas *, const int *, int);

#endif
