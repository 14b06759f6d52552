/* signals.h: signal dispositions of the listener and of a connection's process. */
#ifndef CAS_SIGNALS_H
#define CAS_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

struct cas;

void	signals_connection(struct cas *);
void	signals_game_link(struct cas *);
void	signals_waitmask(sigset_t *);
void	signals_listener(struct cas *, sigset_t *);
bool	signals_child_ended(void);
void	signals_take(const sigset_t *);

#endif
