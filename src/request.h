/* request.h: one request's fields, parsed from JSON as it streams in, and their rules. */
#ifndef CAS_REQUEST_H
#define CAS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_parse.h>

#include "featureset.h"
#include "nodeprep.h"

enum field {
	F_CMD, F_DISPLAYNAME, F_CHANNEL, F_MODERATOR, F_EMAIL, F_AVATAR, F_ID,
	F_VALIDFOR, F_VALIDUNTIL, F_SEQ, F_FEATURES, F_LOBBYBYPASS,
	F_SECURITYBYPASS, F_HIDDENFROMRECORDER, F_GROUP, F_TENANT, F_COUNT
};

enum vtype {
	V_ABSENT, V_STRING, V_NUMBER, V_BOOL, V_NULL, V_COMPOUND, V_DUP
};

/* Why a request was refused, by rule, for the counters (counters.c names them). */
enum refusal {
	REFUSED_MALFORMED,	/* not one JSON object within the size limit */
	REFUSED_INVALID,	/* a field breaks the protocol's rules */
	REFUSED_VALIDITY,	/* policy.max_valid_for */
	REFUSED_MODERATOR,	/* policy.allow_moderator */
	REFUSED_ROOM,		/* policy.rooms, policy.allow_all_rooms */
	REFUSED_BYPASS,		/* the lobby, security and recorder bypasses */
	REFUSED_TENANT,		/* policy.tenants */
	REFUSED_FEATURE,	/* policy.features.requestable */
	REFUSED_INTERNAL,	/* the token could not be made */
	REFUSED_COUNT
};

/* A top-level field as sent: strings decoded, numbers as written. */
struct value {
	enum vtype	 type;
	const char	*s;	/* V_STRING, V_NUMBER: NUL-terminated */
	size_t		 len;
	bool		 b;	/* V_BOOL; V_COMPOUND: an object, not an array */
};

/*
 * The channel as Prosody names its room (nodeprep). It outlives the
 * request, so a channel asked for again is not prepared again.
 */
struct room {
	char		 name[NODEPREP_MAX];	/* NUL-terminated */
	size_t		 len;
	char		 from[NODEPREP_MAX];	/* the channel it was made from */
	size_t		 fromlen;		/* 0: none yet */
};

struct request {
	struct value	 f[F_COUNT];
	const char	*error;		/* set while parsing: malformed, too large, ... */
	char		 errbuf[160];
	bool		 moderator;	/* set by request_validate */
	long long	 exp;		/* set by request_validate */
	struct featureset features;	/* the features object's members */
	const char	*features_error; /* the first problem inside it */
	char		 features_errbuf[96];
	struct featureset token_features; /* set by policy_check */
	bool		 token_has_features;	/* set by policy_check */
	enum refusal	 refused;	/* set by policy_check when it refuses */
	size_t		 tenantlen;	/* set by request_validate */
	/* From here on not cleared between requests: written before read, or a cache. */
	char		 tenant[NODEPREP_MAX];	/* set by request_validate: prepared */
	struct room	 room;		/* set by request_validate */
};

/* reqparser_next clears what comes before tenant: nothing new may follow room. */
_Static_assert(offsetof(struct request, room) > offsetof(struct request, tenant) &&
    sizeof(struct request) - offsetof(struct request, room) <
    sizeof(struct room) + sizeof(long long),
    "tenant and room are the last members of a request");

/* Streams bytes through yajl into a struct request; one per connection. */
struct reqparser {
	yajl_handle	 h;
	struct request	 req;
	int		 depth;
	int		 key;		/* field of the current top-level key */
	bool		 complete;	/* a whole top-level value was parsed */
	bool		 broken;	/* yajl must be replaced before reuse */
	bool		 extra;		/* more than white space followed the object */
	bool		 clean;		/* reqparser_finish found yajl holding nothing */
	size_t		 endoff;	/* where the object ended in the bytes being fed */
	bool		 in_features;	/* inside the features object's members */
	int		 feature;	/* the member named there, or -1 */
	char		*arena;		/* decoded strings of the request */
	size_t		 used;
	size_t		 cap;
};

extern const char *const field_names[F_COUNT];

/* JSON's white space, which may sit around and between tokens. */
static inline bool
json_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int		 reqparser_init(struct reqparser *, size_t);
void		 reqparser_free(struct reqparser *);
int		 reqparser_feed(struct reqparser *, const unsigned char *, size_t);
void		 reqparser_finish(struct reqparser *);
int		 reqparser_next(struct reqparser *);
void		 request_fail(struct request *, const char *);
const char	*request_validate(struct request *, long long, char *, size_t);

#endif
