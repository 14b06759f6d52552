/* clientconf.h: the clients array of the configuration: its entries' keys and policies, merging, printing. */
#ifndef CAS_CLIENTCONF_H
#define CAS_CLIENTCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <yajl/yajl_parse.h>

#include "clients.h"
#include "policyconf.h"

struct config;

/*
 * Parses the clients array: the configuration's loader hands it every
 * yajl event from the array's opening bracket (clients_parse_begin) to
 * its closing one, after which active is false again.
 */
struct clients_parser {
	struct config		*cfg;
	char			*err;		/* the loader's message buffer */
	size_t			 errlen;
	int			 depth;		/* 1 in the array, 2 in an entry, more in an ignored value */
	int			 cur;		/* the entry's key whose value comes next, or -1 */
	int			 ignore;	/* depth of an unknown key's value, or 0 */
	unsigned		 seen;		/* the entry's keys given so far */
	struct policy_parser	 pp;		/* inside an entry's policy */
	bool			 active;
};

extern const yajl_callbacks clients_callbacks;

void	clients_parse_begin(struct clients_parser *, struct config *, char *,
	    size_t);
int	clients_merge(struct config *);
void	clients_print(FILE *, const struct config *);
void	clients_warn(const struct config *);
void	clients_free(struct client *, size_t);

#endif
