/* serve.h: how connections arrive: stdin, systemd's sockets, the listener, the game link. */
#ifndef CAS_SERVE_H
#define CAS_SERVE_H

#include <stdbool.h>

struct cas;

int	serve(struct cas *, bool);

#endif
