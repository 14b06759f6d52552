/* serve.h: picks how connections arrive: stdin, systemd's sockets, or the listener. */
#ifndef CAS_SERVE_H
#define CAS_SERVE_H

#include <stdbool.h>

struct cas;

int	serve(struct cas *, bool);

#endif
