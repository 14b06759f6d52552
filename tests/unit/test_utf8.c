/* test_utf8.c: strict UTF-8: well-formed sequences pass, everything else fails. */
#include "../../src/utf8.h"
#include "tap.h"

#define GOOD(lit, what)	ok(utf8_valid(lit, sizeof lit - 1), "accepts %s", what)
#define BAD(lit, what)	ok(!utf8_valid(lit, sizeof lit - 1), "refuses %s", what)

int
main(void)
{
	GOOD("", "the empty string");
	GOOD("plain ASCII", "ASCII");
	GOOD("Zo\xc3\xab", "a 2-byte sequence (U+00EB)");
	GOOD("\xe6\x97\xa5\xe6\x9c\xac", "3-byte sequences (CJK)");
	GOOD("\xf0\x9f\x98\x80", "a 4-byte sequence (U+1F600)");
	GOOD("\xef\xbf\xbf", "U+FFFF");
	GOOD("\xf4\x8f\xbf\xbf", "U+10FFFF, the last code point");
	GOOD("a\0b", "an embedded NUL (U+0000)");
	BAD("\xff", "0xFF");
	BAD("\x80", "a lone continuation byte");
	BAD("\xc3", "a truncated sequence");
	BAD("\xc0\xaf", "an overlong 2-byte form");
	BAD("\xe0\x80\xaf", "an overlong 3-byte form");
	BAD("\xf0\x80\x80\xaf", "an overlong 4-byte form");
	BAD("\xed\xa0\x80", "a surrogate (U+D800)");
	BAD("\xed\xbf\xbf", "a surrogate (U+DFFF)");
	BAD("\xf4\x90\x80\x80", "above U+10FFFF");
	BAD("\xf5\x80\x80\x80", "a 0xF5 lead byte");
	BAD("\xe6\x97", "a 3-byte sequence cut short");
	BAD("\xe6\x41\xa5", "ASCII inside a sequence");
	return done();
}
