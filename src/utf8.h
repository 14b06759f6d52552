/* utf8.h: strict UTF-8 validation, since yajl lets surrogates and overlong forms through. */
#ifndef CAS_UTF8_H
#define CAS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool	utf8_valid(const char *, size_t);
size_t	utf8_seq(const char *, size_t);

#endif
