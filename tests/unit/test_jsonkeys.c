/* test_jsonkeys.c: a key given twice, at any depth, or U+0000 where Jitsi compares, is found and named. */
#include "../../src/jsonkeys.h"
#include "tap.h"

/* What json_ambiguity says of s: its message, or "same" when it finds nothing. */
static const char *
verdict(const char *s)
{
	static char	 why[256];
	const char	*w = json_ambiguity((const unsigned char *)s, strlen(s), why,
			    sizeof why);

	return w ? w : "same";
}

#define TWICE	" given more than once (Jitsi reads the last one, other readers may read the first)"

int
main(void)
{
	is_str(verdict("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"), "same", "a plain header");
	is_str(verdict("{\"alg\":\"HS256\",\"alg\":\"none\"}"), "key \"alg\"" TWICE,
	    "a header key given twice");
	is_str(verdict("{\"a\":1,\"\\u0061\":2}"), "key \"a\"" TWICE,
	    "keys are compared as decoded");
	is_str(verdict("{\"context\":{\"user\":{\"name\":\"a\",\"id\":\"1\",\"name\":\"b\"}}}"),
	    "key \"context.user.name\"" TWICE, "a claim twice deep inside, named by its path");
	is_str(verdict("{\"a\":[{\"x\":1},{\"x\":2,\"x\":3}]}"), "key \"a[].x\"" TWICE,
	    "inside an array");
	is_str(verdict("{\"a\":[{\"x\":1},{\"x\":2}],\"b\":{\"x\":1},\"x\":0}"), "same",
	    "the same key in different objects is fine");
	is_str(verdict("{\"a\":{\"b\":1},\"c\":{\"b\":2},\"a\":0}"), "key \"a\"" TWICE,
	    "a key twice after a nested object closed");
	is_str(verdict("{\"ab\":1,\"a\":2,\"abc\":3}"), "same", "keys that share a prefix differ");
	is_str(verdict("{\"alg\\u0000x\":\"HS256\",\"alg\":\"none\"}"),
	    "key \"alg\\x00x\" holds U+0000, which C strings cut short",
	    "a key holding U+0000, shown escaped");
	is_str(verdict("{\"iss\":\"skotos\\u0000evil\"}"),
	    "key \"iss\" holds U+0000 in its value, which C strings cut short",
	    "a top-level string holding U+0000");
	is_str(verdict("{\"context\":{\"user\":{\"name\":\"a\\u0000b\"}}}"), "same",
	    "a nested string may hold U+0000");
	is_str(verdict("{\"a\":\"\\u001b\\u009b\",\"a\":1}"), "key \"a\"" TWICE, "escapes in values");
	is_str(verdict("{\"\\u009b\":1,\"\\u009b\":2}"), "key \"\\xc2\\x9b\"" TWICE,
	    "a hostile key is shown escaped");
	is_str(verdict("{\"a\":1,"), "same", "text that is no JSON is left to the parser");
	return done();
}
