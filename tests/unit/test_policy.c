/* test_policy.c: the operator's limits refuse what they must and allow the rest. */
#include <stdlib.h>

#include "../../src/policy.h"
#include "../../src/request.h"
#include "tap.h"

static const char *
judge(struct policy *p, const char *room, bool moderator, long long valid_for)
{
	static char	msg[160];
	struct request	r;
	const char	*err;

	memset(&r, 0, sizeof r);
	/* The room as request_validate leaves it: the channel's nodeprep. */
	if (nodeprep(room, strlen(room), r.room.name, &r.room.len) != NULL)
		return "not a room";
	r.moderator = moderator;
	err = policy_check(p, &r, valid_for, msg, sizeof msg);
	return err ? err : "OK";
}

int
main(void)
{
	char		*rooms[] = { "lobby", "game-*" };
	struct policy	 open = { .allow_moderator = true };
	struct policy	 strict = { .max_valid_for = 600, .allow_moderator = false,
			    .rooms = rooms, .nrooms = 2 };

	is_str(judge(&open, "anything", true, 999999), "OK",
	    "the default policy allows what the original allowed");
	is_str(judge(&open, "*", false, 1), "OK", "and every room by default");
	is_str(judge(&strict, "lobby", false, 600), "OK", "at the limit is fine");
	is_str(judge(&strict, "lobby", false, 601),
	    "validity exceeds the policy limit of 600 seconds", "past the limit");
	is_str(judge(&strict, "lobby", true, 60),
	    "moderator tokens are not allowed by policy", "moderators refused");
	is_str(judge(&strict, "GAME-7", false, 60), "OK",
	    "a prepared room matches a prepared pattern, whatever its case");
	is_str(judge(&strict, "\xef\xbc\xa7\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xa5-7", false, 60),
	    "OK", "and whatever its width");
	is_str(judge(&strict, "\xef\xbc\x8a", false, 60), "channel not allowed by policy",
	    "a full-width asterisk is the wildcard once prepared");
	is_str(judge(&strict, "kitchen", false, 60), "channel not allowed by policy",
	    "a room matching no glob");
	is_str(judge(&strict, "*", false, 60), "channel not allowed by policy",
	    "with rooms set, * needs allow_all_rooms");
	strict.allow_all_rooms = true;
	is_str(judge(&strict, "*", false, 60), "OK", "allow_all_rooms allows *");
	return done();
}
