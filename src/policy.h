/* policy.h: the operator's minting limits: longest validity, moderators, rooms. */
#ifndef CAS_POLICY_H
#define CAS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct request;

struct policy {
	long long	  max_valid_for;	/* seconds; 0 = no limit */
	bool		  allow_moderator;
	char		**rooms;		/* fnmatch globs, nodeprepped; NULL = any room */
	size_t		  nrooms;
	bool		  allow_all_rooms;	/* "*" when rooms is set */
};

const char	*policy_check(const struct policy *, const struct request *,
		    long long, char *, size_t);
void		 policy_free(struct policy *);

#endif
