/* test_nodeprep.c: names come out as Prosody's nodeprep makes them, or are refused. */
#include "../../src/nodeprep.h"
#include "tap.h"

/* The prepared form of s, or NULL when it is refused. */
static const char *
prep(const char *s)
{
	static char	 out[NODEPREP_MAX];
	size_t		 len;

	return nodeprep(s, strlen(s), out, &len) == NULL ? out : NULL;
}

/* The explained refusal of s is want (NULL: the plain reason is kept). */
static int
explains(const char *s, const char *want)
{
	char		 out[NODEPREP_MAX], buf[128];
	const char	*why, *got;
	size_t		 len;

	if ((why = nodeprep(s, strlen(s), out, &len)) == NULL)
		return 0;
	got = nodeprep_explain(s, strlen(s), why, buf, sizeof buf);
	if (want == NULL)
		return got == why;
	if (strcmp(got, want) != 0)
		printf("# got: %s\n", got);
	return strcmp(got, want) == 0;
}

static int
same(const char *got, const char *want)
{
	return got != NULL && strcmp(got, want) == 0;
}

int
main(void)
{
	static char	 big[NODEPREP_MAX + 1];
	size_t		 len;
	char		 out[NODEPREP_MAX];

	ok(same(prep("lobby"), "lobby"), "ASCII lowercase is unchanged");
	ok(same(prep("Lobby"), "lobby"), "ASCII is case folded");
	ok(same(prep("CAF\xc3\x89"), "caf\xc3\xa9"), "CAFE with acute folds to cafe with acute");
	ok(same(prep("stra\xc3\x9f" "e"), "strasse"), "sharp s folds to ss");
	ok(same(prep("\xef\xbc\xac\xef\xbc\xaf\xef\xbc\xa2\xef\xbc\xa2\xef\xbc\xb9"), "lobby"),
	    "full-width LOBBY becomes lobby (NFKC)");
	ok(same(prep("\xef\xac\x81le"), "file"), "the fi ligature becomes fi");
	ok(same(prep("lo\xe2\x80\x8b" "bby"), "lobby"), "a zero-width space maps to nothing");
	ok(same(prep("*"), "*"), "the wildcard is a valid node");
	ok(prep("a b") == NULL, "an ASCII space is refused");
	ok(prep("a\xc2\xa0" "b") == NULL, "U+00A0 is refused");
	ok(prep("a\xe3\x80\x80" "b") == NULL, "U+3000 is refused");
	ok(prep("a\xc2\x85" "b") == NULL, "U+0085 is refused");
	ok(prep("a\xe2\x80\xa8" "b") == NULL, "U+2028 is refused");
	ok(prep("a@b") == NULL && prep("a/b") == NULL && prep("a:b") == NULL &&
	    prep("a\"b") == NULL && prep("a&b") == NULL && prep("a'b") == NULL &&
	    prep("a<b") == NULL && prep("a>b") == NULL, "the ASCII nodeprep forbids are refused");
	ok(prep("\xd7\x90" "a") == NULL, "Hebrew then Latin breaks the bidi rule");
	ok(same(prep("\xd7\x90\xd7\x91"), "\xd7\x90\xd7\x91"), "all Hebrew is fine");
	ok(prep("\xe2\x80\x8b") == NULL, "a name mapped to nothing is refused");
	ok(nodeprep("a\0b", 3, out, &len) != NULL, "an embedded NUL is refused");
	memset(big, 'a', NODEPREP_MAX);
	ok(nodeprep(big, NODEPREP_MAX, out, &len) != NULL, "1024 bytes is too long");
	ok(nodeprep(big, NODEPREP_MAX - 1, out, &len) == NULL && len == NODEPREP_MAX - 1,
	    "1023 bytes is the most");
	memcpy(out, "kept", 5);
	len = 4;
	ok(nodeprep("a b", 3, out, &len) != NULL && strcmp(out, "kept") == 0 &&
	    len == 4, "a refusal leaves the output untouched");

	ok(explains("a\xc2\xa0" "b", "contains U+00A0, which XMPP forbids in a name (nodeprep)"),
	    "the refusal names U+00A0");
	ok(explains("lobby\xe3\x80\x80", "contains U+3000, which XMPP forbids in a name (nodeprep)"),
	    "the refusal names U+3000 at the end");
	ok(explains("\xc2\x85x", "contains U+0085, which XMPP forbids in a name (nodeprep)"),
	    "the refusal names U+0085 at the start");
	ok(explains("ab\xe2\x80\xa8", "contains U+2028, which XMPP forbids in a name (nodeprep)"),
	    "the refusal names U+2028");
	ok(explains("x@y", "contains \"@\" (U+0040), which XMPP forbids in a name (nodeprep)"),
	    "a forbidden ASCII character is shown as it is");
	ok(explains("x\ty", "contains U+0009, which XMPP forbids in a name (nodeprep)"),
	    "a control character is shown only as its code point");
	ok(explains("a\xef\xbc\x9a" "b", "contains U+FF1A, which XMPP forbids in a name (nodeprep)"),
	    "a character that NFKC makes forbidden (full-width colon) is named");
	ok(explains("\xd7\x90" "a", NULL), "a bidi refusal keeps its own reason");
	return done();
}
