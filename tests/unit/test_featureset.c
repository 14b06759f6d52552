/* test_featureset.c: Jitsi's feature names are known exactly, sets combine, and their JSON reads both ways. */
#include <stdlib.h>

#include <yajl/yajl_tree.h>

#include "../../src/featureset.h"
#include "../../src/log.h"
#include "tap.h"

static const char *
json_of(const struct featureset *s)
{
	static struct buf	b;
	static char		out[1024];

	buf_reset(&b);
	if (featureset_json(&b, s) == -1)
		return "(failed)";
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.data);
	return out;
}

/* features_claim_check on the JSON text of a context.features value. */
static const char *
claim_check(const char *text)
{
	static char	why[256];
	yajl_val	v = yajl_tree_parse(text, NULL, 0);
	int		rc;

	why[0] = '\0';
	rc = features_claim_check(v, why, sizeof why);
	yajl_tree_free(v);
	return rc == 0 ? "OK" : why;
}

int
main(void)
{
	static const char *const spec[] = {
		"branding", "calendar", "create-polls", "file-upload", "flip",
		"inbound-call", "livestreaming", "live-translation", "lobby",
		"moderation", "outbound-call", "recording", "room",
		"screen-sharing", "send-groupchat", "send-private-message",
		"list-visitors", "sip-inbound-call", "sip-outbound-call",
		"transcription",
	};
	struct featureset	 s = { 0, 0 }, over = { 0, 0 };
	size_t			 i;
	int			 all = 1, idx = -1;
	bool			 on = false;

	log_init(-1);
	ok(sizeof spec / sizeof spec[0] == NFEATURES, "20 features, as Jitsi's list");
	for (i = 0; i < sizeof spec / sizeof spec[0]; i++)
		all &= feature_lookup(spec[i], strlen(spec[i])) == (int)i;
	ok(all, "every name of Jitsi's list is found, in the list's order");
	ok(feature_lookup("recordings", 10) == -1 && feature_lookup("record", 6) == -1,
	    "a longer or shorter name is not a feature");
	ok(feature_lookup("Recording", 9) == -1, "names are case-sensitive, as Jitsi's are");
	ok(feature_lookup("flip\0x", 6) == -1, "a NUL inside a name is no feature");
	ok(feature_lookup("flipx", 4) == 4, "only the given length counts");
	ok(feature_lookup("", 0) == -1, "the empty name is no feature");

	ok(feature_arg("recording", &idx, &on) == 0 && idx == 11 && on,
	    "--feature NAME means true");
	ok(feature_arg("flip=false", &idx, &on) == 0 && idx == 4 && !on,
	    "--feature NAME=false");
	ok(feature_arg("lobby=true", &idx, &on) == 0 && idx == 8 && on,
	    "--feature NAME=true");
	idx = 99;
	ok(feature_arg("lobby=yes", &idx, &on) == -1 &&
	    feature_arg("lobby=", &idx, &on) == -1 &&
	    feature_arg("nope=true", &idx, &on) == -1 &&
	    feature_arg("=true", &idx, &on) == -1 && idx == 99,
	    "other values and names are refused, the outputs untouched");

	is_str(json_of(&s), "{}", "an empty set is {}");
	featureset_put(&s, 11, true);
	featureset_put(&s, 0, false);
	is_str(json_of(&s), "{\"branding\":\"false\",\"recording\":\"true\"}",
	    "values are the strings \"true\" and \"false\", in list order");
	featureset_put(&s, 11, false);
	is_str(json_of(&s), "{\"branding\":\"false\",\"recording\":\"false\"}",
	    "putting a feature again replaces its value");
	featureset_put(&over, 11, true);
	featureset_put(&over, 19, false);
	featureset_over(&s, &over);
	is_str(json_of(&s), "{\"branding\":\"false\",\"recording\":\"true\","
	    "\"transcription\":\"false\"}",
	    "a set over another replaces what it names and keeps the rest");
	ok(s.given == (FEATURE_BIT(0) | FEATURE_BIT(11) | FEATURE_BIT(19)) &&
	    s.on == FEATURE_BIT(11), "given and on bits after the merge");

	is_str(claim_check("{\"recording\":true,\"flip\":false,"
	    "\"livestreaming\":\"true\",\"lobby\":\"false\"}"), "OK",
	    "a token's features may be booleans or the strings, as Jitsi reads them");
	is_str(claim_check("{}"), "OK", "no features at all is fine");
	is_str(claim_check("{\"recording\":true,\"recordin\":true}"),
	    "featureInvalid: \"recordin\" is not a feature Jitsi knows",
	    "an unknown name is Jitsi's client's featureInvalid");
	is_str(claim_check("{\"recording\":\"yes\"}"),
	    "featureValueInvalid: \"recording\" is not true, false, \"true\" or "
	    "\"false\"", "a value other than the four is featureValueInvalid");
	is_str(claim_check("{\"recording\":1}"),
	    "featureValueInvalid: \"recording\" is not true, false, \"true\" or "
	    "\"false\"", "a number is no value either");
	is_str(claim_check("{\"x\\u0001\\\"\":true}"),
	    "featureInvalid: \"x\\x01\\x22\" is not a feature Jitsi knows",
	    "an unknown name is shown escaped");
	is_str(claim_check("[\"recording\"]"), "not an object",
	    "features must be an object");
	return done();
}
