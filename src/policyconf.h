/* policyconf.h: a policy object of the configuration: its keys wherever it appears, merging, printing. */
#ifndef CAS_POLICYCONF_H
#define CAS_POLICYCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <yajl/yajl_parse.h>

#include "policy.h"

/* Deepest nesting inside a policy object, ignored values included. */
#define POLICY_DEPTH	32

/*
 * Parses one policy object: the configuration's loader hands it every yajl
 * event from the object's opening brace (policy_parse_begin) to its closing
 * one, after which active is false again.
 */
struct policy_parser {
	struct policy	*p;
	const char	*file;		/* the configuration file, for warnings */
	char		 where[128];	/* the object's own key: "policy" */
	char		*err;		/* the loader's message buffer */
	size_t		 errlen;
	int		 depth;		/* open objects and arrays, the policy's own included */
	int		 in[4];		/* the key whose value is open at each depth */
	int		 cur;		/* the key whose value comes next, or -1 */
	int		 feature;	/* in a feature map, the feature named, or -1 */
	int		 ignore;	/* depth of an unknown key's value, or 0 */
	bool		 active;
};

extern const yajl_callbacks policy_callbacks;

void	policy_parse_begin(struct policy_parser *, struct policy *,
	    const char *, const char *, char *, size_t);
int	policy_merge(struct policy *, const struct policy *,
	    const struct policy *);
void	policy_print(FILE *, const struct policy *, const char *);
void	policy_warn(const struct policy *, const char *, const char *);

#endif
