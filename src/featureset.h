/* featureset.h: Jitsi's feature names (context.features), sets of them, and their JSON. */
#ifndef CAS_FEATURESET_H
#define CAS_FEATURESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

#include "buf.h"

#define NFEATURES	20

/* A feature's bit in a set: 1 << its index in feature_names. */
#define FEATURE_BIT(i)	((uint32_t)1 << (i))

/* Features named (given), and which of those are true (on is within given). */
struct featureset {
	uint32_t	given;
	uint32_t	on;
};

extern const char *const feature_names[NFEATURES];

int		 feature_lookup(const char *, size_t);
int		 feature_arg(const char *, int *, bool *);
void		 featureset_put(struct featureset *, int, bool);
void		 featureset_over(struct featureset *, const struct featureset *);
int		 featureset_json(struct buf *, const struct featureset *);
void		 featureset_print(FILE *, const struct featureset *);
void		 featurelist_print(FILE *, uint32_t);
int		 feature_claim_value(yajl_val, bool *);
int		 features_claim_check(yajl_val, char *, size_t);

#endif
