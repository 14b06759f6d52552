/* policy.c: the operator's minting limits: validity, moderators, rooms, features, bypasses, tenants. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "request.h"

/* A policy with nothing given: what a configuration without policy keys means. */
void
policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof *p);
	p->max_valid_for = DEFAULT_MAX_VALID_FOR;
	p->allow_moderator = true;
}

/*
 * A name as Prosody makes it (nodeprep) against patterns prepared the same
 * way when the configuration was loaded, so case and width no longer
 * matter on either side; never against "*".
 */
static bool
glob_match(char *const *globs, size_t n, const char *name)
{
	size_t i;

	if (strcmp(name, "*") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (fnmatch(globs[i], name, 0) == 0)
			return true;
	return false;
}

static bool
room_allowed(const struct policy *p, const struct room *room)
{
	if (p->rooms == NULL)
		return true;
	if (room->len == 1 && room->name[0] == '*')
		return p->allow_all_rooms;
	return glob_match(p->rooms, p->nrooms, room->name);
}

/* A refusal, with the rule it comes from noted in the request for the counters. */
static const char *
refuse(struct request *r, enum refusal rule, const char *msg)
{
	r->refused = rule;
	return msg;
}

/* A request's true asks for what the policy must allow; its false asks for nothing. */
static bool
asks(const struct request *r, enum field f)
{
	return r->f[f].type == V_BOOL && r->f[f].b;
}

/*
 * The wider vocabulary: bypasses, tenant and features. On success the
 * token's features are settled: the role's defaults, if the policy has
 * them, with the request's own over them.
 */
static const char *
vocabulary_check(const struct policy *p, struct request *r, char *msg,
    size_t msglen)
{
	uint32_t	refused;
	int		i, role;

	if (asks(r, F_LOBBYBYPASS) && !p->allow_lobby_bypass)
		return refuse(r, REFUSED_BYPASS,
		    "lobbyBypass not allowed by policy");
	if (asks(r, F_SECURITYBYPASS) && !p->allow_security_bypass)
		return refuse(r, REFUSED_BYPASS,
		    "securityBypass not allowed by policy");
	if (asks(r, F_HIDDENFROMRECORDER) && !p->allow_hidden_from_recorder)
		return refuse(r, REFUSED_BYPASS,
		    "hiddenFromRecorder not allowed by policy");
	if (r->f[F_TENANT].type == V_STRING &&
	    !glob_match(p->tenants, p->ntenants, r->tenant))
		return refuse(r, REFUSED_TENANT, "tenant not allowed by policy");
	if ((refused = r->features.given & ~p->requestable) != 0) {
		for (i = 0; !(refused & FEATURE_BIT(i)); i++)
			;
		snprintf(msg, msglen, "features.%s not allowed by policy",
		    feature_names[i]);
		return refuse(r, REFUSED_FEATURE, msg);
	}
	role = r->moderator ? PK_FEATURES_MODERATOR : PK_FEATURES_MEMBER;
	r->token_features = (p->given & PK_BIT(role)) ? (r->moderator ?
	    p->moderator_features : p->member_features) :
	    (struct featureset){ 0, 0 };
	featureset_over(&r->token_features, &r->features);
	r->token_has_features = (p->given & PK_BIT(role)) ||
	    r->features.given != 0;
	return NULL;
}

/*
 * NULL when the validated request may be minted, with the token's features
 * settled in r; otherwise why not, and the rule in r->refused. valid_for
 * is exp - now. A refusal is never silently shortened.
 */
const char *
policy_check(const struct policy *p, struct request *r, long long valid_for,
    char *msg, size_t msglen)
{
	if (p->max_valid_for > 0 && valid_for > p->max_valid_for) {
		snprintf(msg, msglen,
		    "validity exceeds the policy limit of %lld seconds",
		    p->max_valid_for);
		return refuse(r, REFUSED_VALIDITY, msg);
	}
	if (r->moderator && !p->allow_moderator)
		return refuse(r, REFUSED_MODERATOR,
		    "moderator tokens are not allowed by policy");
	if (!room_allowed(p, &r->room))
		return refuse(r, REFUSED_ROOM, "channel not allowed by policy");
	return vocabulary_check(p, r, msg, msglen);
}

static void
free_globs(char ***globs, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*globs)[i]);
	free(*globs);
	*globs = NULL;
	*n = 0;
}

void
policy_free(struct policy *p)
{
	free_globs(&p->rooms, &p->nrooms);
	free_globs(&p->tenants, &p->ntenants);
}
