/* verify.h: checks a token the way Jitsi's Prosody does and says which rule fails. */
#ifndef CAS_VERIFY_H
#define CAS_VERIFY_H

#include <stdio.h>

struct cas;

int	verify_token(struct cas *, const char *, const char *, const char *,
	    long long, FILE *);

#endif
