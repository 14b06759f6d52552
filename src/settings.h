/* settings.h: the configuration and the signer it names, loaded as one: at start and on reload. */
#ifndef CAS_SETTINGS_H
#define CAS_SETTINGS_H

struct cas;
struct cfgerr;
struct config;
struct signer;

int	settings_load(struct config *, struct signer *, const char *,
	    struct cfgerr *);
void	settings_swap(struct cas *, struct config *, struct signer *);
void	settings_free(struct config *, struct signer *);

#endif
