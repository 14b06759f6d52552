/* policy.h: the operator's minting limits: longest validity, moderators, rooms. */
#ifndef CAS_POLICY_H
#define CAS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct request;

/* Without policy.max_valid_for, the longest validity: one day. */
#define DEFAULT_MAX_VALID_FOR	86400

/* Every key a policy object may hold; a key's bit in given is 1 << its value. */
enum policy_key {
	PK_MAX_VALID_FOR, PK_ALLOW_MODERATOR, PK_ROOMS, PK_ALLOW_ALL_ROOMS,
	PK_COUNT
};

#define PK_BIT(k)	((uint32_t)1 << (k))

struct policy {
	long long	  max_valid_for;	/* seconds; 0 = no limit */
	bool		  allow_moderator;
	char		**rooms;		/* fnmatch globs; NULL = any room */
	size_t		  nrooms;
	bool		  allow_all_rooms;	/* "*" when rooms is set */
	uint32_t	  given;		/* PK_BIT of each key the file gave */
};

void		 policy_defaults(struct policy *);
const char	*policy_check(const struct policy *, const struct request *,
		    long long, char *, size_t);
void		 policy_free(struct policy *);

#endif
