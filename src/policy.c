/* policy.c: the operator's minting limits: longest validity, moderators, rooms. */
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

/* Jitsi lowercases room names, so the globs match case-insensitively. */
static bool
room_allowed(const struct policy *p, const char *channel)
{
	size_t i;

	if (p->rooms == NULL)
		return true;
	if (strcmp(channel, "*") == 0)
		return p->allow_all_rooms;
	for (i = 0; i < p->nrooms; i++)
		if (fnmatch(p->rooms[i], channel, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

/*
 * NULL when the validated request may be minted; otherwise why not.
 * valid_for is exp - now. A refusal is never silently shortened.
 */
const char *
policy_check(const struct policy *p, const struct request *r,
    long long valid_for, char *msg, size_t msglen)
{
	if (p->max_valid_for > 0 && valid_for > p->max_valid_for) {
		snprintf(msg, msglen,
		    "validity exceeds the policy limit of %lld seconds",
		    p->max_valid_for);
		return msg;
	}
	if (r->moderator && !p->allow_moderator)
		return "moderator tokens are not allowed by policy";
	if (!room_allowed(p, r->f[F_CHANNEL].s))
		return "channel not allowed by policy";
	return NULL;
}

void
policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nrooms; i++)
		free(p->rooms[i]);
	free(p->rooms);
	p->rooms = NULL;
	p->nrooms = 0;
}
