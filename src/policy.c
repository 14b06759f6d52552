/* policy.c: the operator's minting limits: longest validity, moderators, rooms. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "request.h"

/*
 * The room as Prosody names it (nodeprep) against patterns that were
 * prepared the same way when the configuration was loaded, so case and
 * width no longer matter on either side.
 */
static bool
room_allowed(const struct policy *p, const struct room *room)
{
	size_t i;

	if (p->rooms == NULL)
		return true;
	if (room->len == 1 && room->name[0] == '*')
		return p->allow_all_rooms;
	for (i = 0; i < p->nrooms; i++)
		if (fnmatch(p->rooms[i], room->name, 0) == 0)
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
	if (!room_allowed(p, &r->room))
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
