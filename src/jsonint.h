/* jsonint.h: a JSON number read as an integer: digits with an optional minus, within long long. */
#ifndef CAS_JSONINT_H
#define CAS_JSONINT_H

#include <stddef.h>

int	jsonint_parse(const char *, size_t, long long *);

#endif
