/* jaas.c: 8x8's hosted Jitsi (JaaS): its fixed claims, its rules and its meeting links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clients.h"
#include "config.h"
#include "jaas.h"
#include "log.h"

static int
replace(char **slot, const char *value)
{
	char *copy;

	if ((copy = strdup(value)) == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

/*
 * jitsi.jaas: jwt.app_id is the AppID. Check JaaS's rules (RS256, a kid
 * "AppID/key id") and fill the usual fields with what JaaS wants, so that
 * tokens are made and checked the same way as for any deployment: iss
 * "chat", aud "jitsi", sub the AppID.
 */
/*
 * JaaS's sub is always the AppID and its rooms are the AppID's: a tenant
 * would make sub another name, which 8x8 refuses. No policy may allow one.
 */
static int
no_tenants(const struct config *cfg, struct cfgerr *e)
{
	size_t i;

	if (cfg->policy.given & PK_BIT(PK_TENANTS))
		return cfgerr_set(e, EX_CONFIG, "%s: policy.tenants: not used with "
		    "jitsi.jaas: the sub claim is the AppID", cfg->path);
	if (cfg->outbound_policy.given & PK_BIT(PK_TENANTS))
		return cfgerr_set(e, EX_CONFIG, "%s: outbound.policy.tenants: not "
		    "used with jitsi.jaas: the sub claim is the AppID", cfg->path);
	for (i = 0; i < cfg->nclients; i++)
		if (cfg->clients[i].policy.given & PK_BIT(PK_TENANTS))
			return cfgerr_set(e, EX_CONFIG, "%s: clients[%zu].policy.tenants: "
			    "not used with jitsi.jaas: the sub claim is the AppID",
			    cfg->path, i);
	return 0;
}

int
jaas_apply(struct config *cfg, struct cfgerr *e)
{
	const char	*app = cfg->app_id, *path = cfg->path;
	size_t		 n;
	int		 rc;

	if (app == NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.app_id: missing: with "
		    "jitsi.jaas it is the JaaS AppID (%s...)", path, JAAS_APP_PREFIX);
	if (cfg->domain != NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jitsi.domain: not used with "
		    "jitsi.jaas: the sub claim is the AppID", path);
	if (cfg->audience != NULL && strcmp(cfg->audience, JAAS_AUDIENCE) != 0)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.audience: JaaS wants "
		    "\"%s\"", path, JAAS_AUDIENCE);
	if (!cfg->alg_set)
		cfg->alg = ALG_RS256;
	else if (cfg->alg != ALG_RS256)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.algorithm: JaaS accepts "
		    "RS256 only, not %s", path, alg_name(cfg->alg));
	if (strncmp(app, JAAS_APP_PREFIX, strlen(JAAS_APP_PREFIX)) != 0)
		log_warn("%s: jwt.app_id \"%s\" does not start with \"%s\", as "
		    "JaaS AppIDs do", path, app, JAAS_APP_PREFIX);
	if ((rc = no_tenants(cfg, e)) != 0)
		return rc;
	if (cfg->kid == NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.kid: missing: with "
		    "jitsi.jaas it is \"%s/KEY-ID\", the API key's id in the JaaS "
		    "console", path, app);
	n = strlen(app);
	if (strncmp(cfg->kid, app, n) != 0 || cfg->kid[n] != '/' ||
	    cfg->kid[n + 1] == '\0')
		return cfgerr_set(e, EX_CONFIG, "%s: jwt.kid: \"%s\" does not start "
		    "with the AppID: JaaS wants \"%s/KEY-ID\"", path, cfg->kid, app);
	cfg->jaas_app_id = cfg->app_id;
	cfg->app_id = NULL;
	if (replace(&cfg->app_id, JAAS_ISSUER) == -1 ||
	    replace(&cfg->audience, JAAS_AUDIENCE) == -1 ||
	    replace(&cfg->domain, cfg->jaas_app_id) == -1)
		return cfgerr_sys(e, EX_OSERR, "%s", path);
	return 0;
}

/*
 * Where token --url puts the room: base itself, or for JaaS the AppID's
 * page under base (https://8x8.vc when base is empty). -1 when there is
 * no base to use or it does not fit.
 */
int
jaas_link_base(const struct config *cfg, const char *base, char *out,
    size_t outlen)
{
	size_t	n;
	int	len;

	if (!cfg->jaas) {
		if (*base == '\0')
			return -1;
		len = snprintf(out, outlen, "%s", base);
	} else {
		if (*base == '\0')
			base = JAAS_MEET_URL;
		n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			n--;
		len = snprintf(out, outlen, "%.*s/%s", (int)n, base,
		    cfg->jaas_app_id);
	}
	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}
