/* policy.h: the operator's minting limits: validity, moderators, rooms, features, bypasses, tenants. */
#ifndef CAS_POLICY_H
#define CAS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "featureset.h"

struct request;

/* Without policy.max_valid_for, the longest validity: one day. */
#define DEFAULT_MAX_VALID_FOR	86400

/* Every key a policy object may hold; a key's bit in given is 1 << its value. */
enum policy_key {
	PK_MAX_VALID_FOR, PK_ALLOW_MODERATOR, PK_ROOMS, PK_ALLOW_ALL_ROOMS,
	PK_FEATURES, PK_FEATURES_MODERATOR, PK_FEATURES_MEMBER,
	PK_FEATURES_REQUESTABLE, PK_ALLOW_LOBBY_BYPASS, PK_ALLOW_SECURITY_BYPASS,
	PK_ALLOW_HIDDEN_FROM_RECORDER, PK_TENANTS, PK_COUNT
};

#define PK_BIT(k)	((uint32_t)1 << (k))

struct policy {
	long long	   max_valid_for;	/* seconds; 0 = no limit */
	bool		   allow_moderator;
	char		 **rooms;		/* fnmatch globs, nodeprepped; NULL = any room */
	size_t		   nrooms;
	bool		   allow_all_rooms;	/* "*" when rooms is set */
	struct featureset  moderator_features;	/* every moderator token's */
	struct featureset  member_features;	/* every other token's */
	uint32_t	   requestable;		/* features a request may set */
	bool		   allow_lobby_bypass;
	bool		   allow_security_bypass;
	bool		   allow_hidden_from_recorder;
	char		 **tenants;		/* fnmatch globs, nodeprepped; NULL = no tenant */
	size_t		   ntenants;
	uint32_t	   given;		/* PK_BIT of each key the file gave */
};

void		 policy_defaults(struct policy *);
const char	*policy_check(const struct policy *, struct request *,
		    long long, char *, size_t);
void		 policy_free(struct policy *);

#endif
