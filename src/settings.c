/* settings.c: the configuration and the signer it names, loaded as one: at start and on reload. */
#include <string.h>
#include <sysexits.h>

#include "cas.h"
#include "config.h"
#include "settings.h"
#include "sign.h"

/*
 * Load the configuration at path into cfg and set up the signer it names
 * in signer: 0, or the exit status the failure calls for with a message
 * naming the file and the problem (never the key) in e; cfg and signer
 * hold nothing then. Start-up and every reload come through here, so a
 * reload sets up exactly what a start would.
 */
int
settings_load(struct config *cfg, struct signer *signer, const char *path,
    struct cfgerr *e)
{
	int rc;

	if ((rc = config_load(cfg, path, e)) != 0)
		return rc;
	if ((alg_is_rsa(cfg->alg) ?
	    signer_init_rsa(signer, cfg->alg, cfg->private_key, cfg->kid) :
	    signer_init(signer, cfg->alg, &cfg->secret)) == -1) {
		rc = cfgerr_set(e, EX_OSERR, "signing with %s could not be set up",
		    alg_name(cfg->alg));
		config_free(cfg);
		return rc;
	}
	return 0;
}

/*
 * Put a loaded configuration and signer in force in cas and free the ones
 * they replace; cfg and signer are left empty. Every part reads them
 * through cas, so from here on it reads the new ones; children forked
 * earlier keep their own copy of the old.
 */
void
settings_swap(struct cas *cas, struct config *cfg, struct signer *signer)
{
	settings_free(&cas->cfg, &cas->signer);
	cas->cfg = *cfg;
	cas->signer = *signer;
	memset(cfg, 0, sizeof *cfg);
	memset(signer, 0, sizeof *signer);
}

void
settings_free(struct config *cfg, struct signer *signer)
{
	signer_free(signer);
	config_free(cfg);
}
