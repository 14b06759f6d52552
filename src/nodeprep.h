/* nodeprep.h: a name as Prosody makes it an XMPP node (rooms, tenants), with libidn. */
#ifndef CAS_NODEPREP_H
#define CAS_NODEPREP_H

#include <stddef.h>

/* Prosody prepares at most 1023 bytes into a buffer of this size. */
#define NODEPREP_MAX	1024

const char	*nodeprep(const char *, size_t, char *, size_t *);
const char	*nodeprep_explain(const char *, size_t, const char *, char *,
		    size_t);

#endif
