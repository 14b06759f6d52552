/* jaas.h: 8x8's hosted Jitsi (JaaS): its fixed claims, its rules and its meeting links. */
#ifndef CAS_JAAS_H
#define CAS_JAAS_H

#include <stddef.h>

/* What every JaaS token carries, whatever the tenant. */
#define JAAS_ISSUER	"chat"
#define JAAS_AUDIENCE	"jitsi"
#define JAAS_APP_PREFIX	"vpaas-magic-cookie-"
#define JAAS_MEET_URL	"https://8x8.vc"

struct config;
struct cfgerr;

int	jaas_apply(struct config *, struct cfgerr *);
int	jaas_link_base(const struct config *, const char *, char *, size_t);

#endif
