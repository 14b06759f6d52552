/* test_textsafe.c: untrusted text is shown with nothing that could act on a terminal. */
#include "../../src/textsafe.h"
#include "tap.h"

static const char *
shown(const char *s, size_t len, bool quotes)
{
	static char out[256];

	text_safe(out, sizeof out, s, len, quotes);
	return out;
}

#define SHOWN(lit, want, what)	is_str(shown(lit, sizeof lit - 1, false), want, what)

int
main(void)
{
	char	out[16];
	size_t	n;

	SHOWN("plain", "plain", "ASCII is shown as it is");
	SHOWN("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	    "printable UTF-8 is shown as it is");
	SHOWN("a\x1b[2Jb\x7f", "a\\x1b[2Jb\\x7f", "C0 controls and DEL are escaped");
	SHOWN("a\0b", "a\\x00b", "NUL is escaped");
	SHOWN("a\xc2\x9b" "31mb", "a\\xc2\\x9b31mb", "U+009B, a C1 escape introducer, is escaped");
	SHOWN("\xc2\x80\xc2\x9f\xc2\xa0", "\\xc2\\x80\\xc2\\x9f\xc2\xa0",
	    "C1 is U+0080 to U+009F; U+00A0 is shown");
	SHOWN("x\xe2\x80\xaey", "x\\xe2\\x80\\xaey", "U+202E (right-to-left override) is escaped");
	SHOWN("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	    "\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xac\\xe2\\x80\\xad",
	    "U+202A to U+202D are escaped");
	SHOWN("\xe2\x81\xa6\xe2\x81\xa9\xe2\x81\xaa", "\\xe2\\x81\\xa6\\xe2\\x81\\xa9\xe2\x81\xaa",
	    "the isolates U+2066 to U+2069 are escaped, U+206A is not");
	SHOWN("a\xff" "b\xc3", "a\\xffb\\xc3", "bytes that are no UTF-8 are escaped one by one");
	SHOWN("\xc0\xaf\xed\xa0\x80", "\\xc0\\xaf\\xed\\xa0\\x80",
	    "overlong forms and surrogates are escaped");
	SHOWN("\xe2\x80", "\\xe2\\x80", "a sequence cut short is escaped");
	SHOWN("q\"b\\", "q\"b\\", "quotes and backslashes stay without quotes");
	is_str(shown("q\"b\\", 4, true), "q\\x22b\\x5c", "and are escaped with quotes");
	n = text_safe(out, sizeof out, "abcdefghijklmnopqrstuvwxyz", 26, false);
	is_str(out, "abcdefghijkl...", "text that does not fit is cut and marked");
	ok(n == strlen(out), "the length written is returned");
	text_safe(out, sizeof out, "abcdefghij\xe6\x97\xa5\xe6\x9c\xac", 16, false);
	is_str(out, "abcdefghij...", "a cut never splits a character");
	text_safe(out, sizeof out, "abcdefghi\xc2\x9b", 11, false);
	is_str(out, "abcdefghi...", "nor an escape");
	return done();
}
