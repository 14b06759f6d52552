/* keys.h: the RSA keys a configuration names: the signing key's source and checks, and the previous keys. */
#ifndef CAS_KEYS_H
#define CAS_KEYS_H

struct config;
struct cfgerr;

int	keys_check_mix(const struct config *, struct cfgerr *);
int	keys_load(struct config *, struct cfgerr *);

#endif
