/* jsonkeys.h: finds JSON that readers read differently: a key given twice, U+0000 in a key or a top-level string. */
#ifndef CAS_JSONKEYS_H
#define CAS_JSONKEYS_H

#include <stddef.h>

const char	*json_ambiguity(const unsigned char *, size_t, char *, size_t);

#endif
