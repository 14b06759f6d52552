/* textsafe.h: untrusted text made safe to show: controls, bidi overrides and bytes that are no UTF-8 escaped. */
#ifndef CAS_TEXTSAFE_H
#define CAS_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

size_t	text_safe(char *, size_t, const char *, size_t, bool);
void	text_safe_put(FILE *, const char *, size_t);

#endif
