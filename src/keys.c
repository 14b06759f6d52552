/* keys.c: the RSA keys a configuration names: the signing key's source and checks, and the previous keys. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "keys.h"
#include "log.h"
#include "rsakey.h"
#include "secret.h"

/* An HMAC secret goes with HS*, a key pair with RS*: never the other way round. */
int
keys_check_mix(const struct config *cfg, struct cfgerr *e)
{
	const char *alg = alg_name(cfg->alg);

	if (alg_is_rsa(cfg->alg)) {
		if (cfg->secret.key != NULL || cfg->secret_file != NULL)
			return cfgerr_set(e, EX_CONFIG, "%s: %s: an HMAC secret does "
			    "not go with %s, which signs with jwt.private_key_file",
			    cfg->path, cfg->secret.key != NULL ? "jwt.secret" :
			    "jwt.secret_file", alg);
		return 0;
	}
	if (cfg->private_key_file != NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.private_key_file: an RSA "
		    "key does not go with %s: set jwt.algorithm to RS256, RS384 "
		    "or RS512", cfg->path, alg);
	if (cfg->kid != NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.kid: only RS256, RS384 "
		    "and RS512 tokens carry a kid (jwt.algorithm is %s)", cfg->path,
		    alg);
	if (cfg->nkeys > 0)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.previous_keys: public "
		    "keys do not go with %s: set jwt.algorithm to RS256, RS384 "
		    "or RS512", cfg->path, alg);
	return 0;
}

/*
 * The private key's sources, in order: jwt.private_key_file, then the
 * systemd credential. The PEM goes into guarded memory, is parsed once and
 * wiped; OpenSSL keeps the parsed key.
 */
static int
load_private(struct config *cfg, struct cfgerr *e)
{
	struct secret	 pem = { 0 };
	const char	*path = cfg->private_key_file;
	const char	*where = "jwt.private_key_file: ";
	char		 cred[PATH_MAX], why[256];
	int		 rc, exposed;

	if (path == NULL && secret_credential("jwt-private-key", cred,
	    sizeof cred)) {
		path = cred;
		where = "credential ";
	}
	if (path == NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: no private key for %s: set "
		    "jwt.private_key_file, or pass the systemd credential "
		    "jwt-private-key", cfg->path, alg_name(cfg->alg));
	/* Before OpenSSL's first allocation, so the DER it decodes is wiped. */
	if (secret_wiping_openssl() == -1)
		log_debug("OpenSSL allocated before the key was read: "
		    "its freed blocks are not wiped");
	if (!rsakey_secure_heap())
		log_warn("OpenSSL's secure heap could not be set up: the private "
		    "key's parts are on its ordinary heap");
	if ((rc = secret_read_file(&pem, path, why, sizeof why)) != 0)
		return cfgerr_set(e, rc, "%s: %s%s: %s", cfg->path, where, path,
		    why);
	rc = rsakey_private(pem.key, pem.len, &cfg->private_key, why, sizeof why);
	exposed = pem.exposed;
	secret_free(&pem);
	if (rc == -1)
		return cfgerr_set(e, EX_CONFIG, "%s: %s%s: %s", cfg->path, where,
		    path, why);
	/* Only once it is known to hold one: a public key given by mistake is no secret. */
	if (cfg->private_key_file != NULL && exposed)
		log_warn("%s is readable by group or others and holds the private key",
		    path);
	log_debug("%s: RSA key of %d bits; %zu bytes of OpenSSL's secure heap "
	    "in use", path, EVP_PKEY_get_bits(cfg->private_key),
	    CRYPTO_secure_used());
	return 0;
}

/* Each of jwt.previous_keys: a kid and an RSA public key in PEM. */
static int
load_previous(struct config *cfg, struct cfgerr *e)
{
	struct secret	 pem = { 0 };
	struct pubkey	*k;
	char		 why[256];
	size_t		 i;
	int		 rc;

	for (i = 0; i < cfg->nkeys; i++) {
		k = &cfg->keys[i];
		if (k->kid == NULL)
			return cfgerr_set(e, EX_CONFIG, "%s: jwt.previous_keys[%zu]: "
			    "kid missing", cfg->path, i);
		if (k->source == NULL)
			return cfgerr_set(e, EX_CONFIG, "%s: jwt.previous_keys[%zu]: "
			    "public_key_file missing", cfg->path, i);
		if ((rc = secret_read_file(&pem, k->source, why, sizeof why)) != 0)
			return cfgerr_set(e, rc, "%s: jwt.previous_keys[%zu]: %s: %s",
			    cfg->path, i, k->source, why);
		secret_unlock(&pem);
		rc = rsakey_public(pem.key, pem.len, &k->pkey, why, sizeof why);
		secret_free(&pem);
		if (rc == -1)
			return cfgerr_set(e, EX_CONFIG, "%s: jwt.previous_keys[%zu]: "
			    "%s: %s", cfg->path, i, k->source, why);
	}
	return 0;
}

/* The signing key's public half first, so it is found, published and listed first. */
static int
add_current(struct config *cfg, struct cfgerr *e)
{
	struct pubkey	*k;
	const char	*src = cfg->private_key_file ? cfg->private_key_file :
			    "credential jwt-private-key";

	if ((k = reallocarray(cfg->keys, cfg->nkeys + 1, sizeof *k)) == NULL)
		return cfgerr_sys(e, EX_OSERR, "%s", cfg->path);
	cfg->keys = k;
	memmove(k + 1, k, cfg->nkeys * sizeof *k);
	memset(k, 0, sizeof *k);
	cfg->nkeys++;
	if ((k->kid = strdup(cfg->kid)) == NULL ||
	    (k->source = strdup(src)) == NULL ||
	    !EVP_PKEY_up_ref(cfg->private_key))
		return cfgerr_sys(e, EX_OSERR, "%s", cfg->path);
	k->pkey = cfg->private_key;
	return 0;
}

/* Load and check every RSA key of an RS* configuration; 0 or an exit status. */
int
keys_load(struct config *cfg, struct cfgerr *e)
{
	size_t	i, j;
	int	rc;

	if (cfg->kid == NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.kid: missing: %s tokens "
		    "name their key, by which Prosody and JaaS find it", cfg->path,
		    alg_name(cfg->alg));
	if ((rc = load_private(cfg, e)) != 0 ||
	    (rc = load_previous(cfg, e)) != 0 ||
	    (rc = add_current(cfg, e)) != 0)
		return rc;
	for (i = 1; i < cfg->nkeys; i++)
		for (j = 0; j < i; j++)
			if (strcmp(cfg->keys[i].kid, cfg->keys[j].kid) == 0)
				return cfgerr_set(e, EX_CONFIG, "%s: "
				    "jwt.previous_keys[%zu]: kid \"%s\" is %s", cfg->path,
				    i - 1, cfg->keys[i].kid, j == 0 ?
				    "the current key's (jwt.kid)" : "given twice");
	return 0;
}
