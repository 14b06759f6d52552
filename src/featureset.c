/* featureset.c: Jitsi's feature names (context.features), sets of them, and their JSON. */
#include <string.h>

#include "featureset.h"
#include "json.h"
#include "log.h"

/*
 * The names Jitsi's web client knows (MEET_FEATURES); any other name in a
 * token makes it raise "featureInvalid". A token's features are written in
 * this order.
 */
const char *const feature_names[NFEATURES] = {
	"branding", "calendar", "create-polls", "file-upload", "flip",
	"inbound-call", "livestreaming", "live-translation", "lobby",
	"moderation", "outbound-call", "recording", "room", "screen-sharing",
	"send-groupchat", "send-private-message", "list-visitors",
	"sip-inbound-call", "sip-outbound-call", "transcription",
};

_Static_assert(NFEATURES <= 32, "a feature set is a 32-bit mask");

/* The index of the len bytes at name in feature_names, or -1. */
int
feature_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NFEATURES; i++)
		if (strlen(feature_names[i]) == len &&
		    memcmp(feature_names[i], name, len) == 0)
			return i;
	return -1;
}

/* NAME, NAME=true or NAME=false, as the token subcommand takes it: 0 or -1. */
int
feature_arg(const char *arg, int *index, bool *value)
{
	const char	*eq = strchr(arg, '=');
	size_t		 len = eq ? (size_t)(eq - arg) : strlen(arg);
	bool		 v = true;
	int		 i;

	if (eq != NULL && strcmp(eq + 1, "true") != 0) {
		if (strcmp(eq + 1, "false") != 0)
			return -1;
		v = false;
	}
	if ((i = feature_lookup(arg, len)) == -1)
		return -1;
	*index = i;
	*value = v;
	return 0;
}

void
featureset_put(struct featureset *s, int i, bool on)
{
	s->given |= FEATURE_BIT(i);
	if (on)
		s->on |= FEATURE_BIT(i);
	else
		s->on &= ~FEATURE_BIT(i);
}

/* The features over names replace those of s; the others stay. */
void
featureset_over(struct featureset *s, const struct featureset *over)
{
	s->given |= over->given;
	s->on = (s->on & ~over->given) | (over->on & over->given);
}

/*
 * The set as a JSON object, {"recording":"true",...}, in list order. The
 * values are the strings "true" and "false": the only spelling that every
 * Jitsi release reads (its older Prosody plugins compare with "true"
 * only), that JaaS documents, and that the web client accepts.
 */
int
featureset_json(struct buf *b, const struct featureset *s)
{
	const char	*sep = "{";
	int		 i;

	for (i = 0; i < NFEATURES; i++) {
		if (!(s->given & FEATURE_BIT(i)))
			continue;
		if (buf_append(b, sep, 1) == -1 || APPEND_LIT(b, "\"") == -1 ||
		    buf_append(b, feature_names[i], strlen(feature_names[i])) == -1 ||
		    ((s->on & FEATURE_BIT(i)) ? APPEND_LIT(b, "\":\"true\"") :
		    APPEND_LIT(b, "\":\"false\"")) == -1)
			return -1;
		sep = ",";
	}
	return *sep == '{' ? APPEND_LIT(b, "{}") : APPEND_LIT(b, "}");
}

/* For people: "recording=true screen-sharing=false", or "(none)". */
void
featureset_print(FILE *out, const struct featureset *s)
{
	const char	*sep = "";
	int		 i;

	for (i = 0; i < NFEATURES; i++)
		if (s->given & FEATURE_BIT(i)) {
			fprintf(out, "%s%s=%s", sep, feature_names[i],
			    (s->on & FEATURE_BIT(i)) ? "true" : "false");
			sep = " ";
		}
	fprintf(out, "%s", *sep ? "" : "(none)");
}

/* For people: "recording screen-sharing", or "(none)". */
void
featurelist_print(FILE *out, uint32_t set)
{
	const char	*sep = "";
	int		 i;

	for (i = 0; i < NFEATURES; i++)
		if (set & FEATURE_BIT(i)) {
			fprintf(out, "%s%s", sep, feature_names[i]);
			sep = " ";
		}
	fprintf(out, "%s", *sep ? "" : "(none)");
}

/* A feature's value in a token: true, false, "true" or "false"; 0 or -1. */
int
feature_claim_value(yajl_val v, bool *on)
{
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		*on = YAJL_IS_TRUE(v);
		return 0;
	}
	if (v == NULL || v->type != yajl_t_string)
		return -1;
	if (strcmp(v->u.string, "true") != 0 && strcmp(v->u.string, "false") != 0)
		return -1;
	*on = v->u.string[0] == 't';
	return 0;
}

/*
 * A token's context.features as Jitsi's web client checks it: every name
 * one it knows (else "featureInvalid"), every value true, false, "true" or
 * "false" (else "featureValueInvalid"). 0, or -1 with why written.
 */
int
features_claim_check(yajl_val features, char *why, size_t whylen)
{
	char		 name[80];
	yajl_val	 v;
	const char	*key;
	size_t		 i;
	bool		 on;

	if (!YAJL_IS_OBJECT(features)) {
		snprintf(why, whylen, "not an object");
		return -1;
	}
	for (i = 0; i < features->u.object.len; i++) {
		key = features->u.object.keys[i];
		v = features->u.object.values[i];
		log_clean(name, sizeof name, key, strlen(key));
		if (feature_lookup(key, strlen(key)) == -1) {
			snprintf(why, whylen, "featureInvalid: \"%s\" is not a "
			    "feature Jitsi knows", name);
			return -1;
		}
		if (feature_claim_value(v, &on) == -1) {
			snprintf(why, whylen, "featureValueInvalid: \"%s\" is not "
			    "true, false, \"true\" or \"false\"", name);
			return -1;
		}
	}
	return 0;
}
