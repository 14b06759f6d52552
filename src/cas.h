/* cas.h: the program's one context, handed to every part that serves. */
#ifndef CAS_CAS_H
#define CAS_CAS_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "token.h"

/* Exit status of verify for an invalid token, and of token for a refused request. */
#define EXIT_REFUSED	1

struct counters;

struct cas {
	struct config		 cfg;
	struct signer		 signer;
	struct counters		*counters; /* shared with the listener's children, or NULL */
	volatile sig_atomic_t	 stop;	/* set by SIGTERM/SIGINT: finish and exit */
	volatile sig_atomic_t	 reload; /* set by SIGHUP: read the configuration again */
};

#endif
