/* pubkey.h: publishing the public keys (PEM, JWKS, an ASAP directory) and listing them for check. */
#ifndef CAS_PUBKEY_H
#define CAS_PUBKEY_H

#include <stdio.h>

struct cas;
struct config;

int	admin_pubkey(struct cas *, int, char **);
int	pubkey_list(const struct config *, FILE *);

#endif
