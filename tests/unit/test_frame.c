/* test_frame.c: requests split at NUL or newline, bounded, resynchronised after errors. */
#include <stdlib.h>

#include "../../src/frame.h"
#include "tap.h"

/* What the framer reported: one line per request, "N:" or "L:" and the error or OK. */
static char log_[4096];

static bool
collect(void *arg, struct request *r, enum term t)
{
	size_t n = strlen(log_);

	(void)arg;
	/* A numeric seq is shown, so a request answered on its own merits shows it. */
	snprintf(log_ + n, sizeof log_ - n, "%c:%s%s%.*s|", t == TERM_NUL ? 'N' : 'L',
	    r->error ? r->error : "ok", r->f[F_SEQ].type == V_NUMBER ? "#" : "",
	    r->f[F_SEQ].type == V_NUMBER ? (int)r->f[F_SEQ].len : 0,
	    r->f[F_SEQ].type == V_NUMBER ? r->f[F_SEQ].s : "");
	return true;
}

/* Feed the input whole, and again one byte at a time: the results must agree. */
static void
check(const char *in, size_t len, size_t max, const char *want, const char *what)
{
	struct frame	fr;
	char		whole[4096];
	size_t		i;

	log_[0] = '\0';
	frame_init(&fr, max, collect, NULL);
	frame_feed(&fr, (const unsigned char *)in, len);
	frame_eof(&fr);
	frame_free(&fr);
	snprintf(whole, sizeof whole, "%s", log_);
	is_str(whole, want, what);

	log_[0] = '\0';
	frame_init(&fr, max, collect, NULL);
	for (i = 0; i < len; i++)
		frame_feed(&fr, (const unsigned char *)in + i, 1);
	frame_eof(&fr);
	frame_free(&fr);
	ok(strcmp(whole, log_) == 0, "%s, byte by byte", what);
}

#define S(lit)	lit, sizeof lit - 1

int
main(void)
{
	char big[300];

	check(S("{\"a\":1}\n{\"b\":2}\n"), 1024, "L:ok|L:ok|",
	    "newline ends each request");
	check(S("{\"a\":1}\0{\"b\":2}\0"), 1024, "N:ok|N:ok|",
	    "NUL ends each request");
	check(S("{\n  \"a\": 1,\n  \"b\": [1,\n 2]\n}\0{\"c\":3}\0"), 1024,
	    "N:ok|N:ok|", "a pretty-printed object ended by NUL is one request");
	check(S("\n\n{\"a\":1}\n\n  \n{\"b\":2}\n"), 1024, "L:ok|L:ok|",
	    "blank lines get no answer");
	check(S("{\"a\":1}"), 1024, "L:ok|", "an unterminated request at EOF is answered");
	check(S("{\"a\":1}\0{\"b\":2}"), 1024, "N:ok|N:ok|",
	    "at EOF, a NUL-framed stream keeps NUL framing");
	check(S("{\"a\":\"Bo\"b\"}\0{\"a\":1}\0"), 1024,
	    "N:malformed JSON: lexical error: invalid char in json text.|N:ok|",
	    "malformed JSON is answered and the next request served");
	check(S("{\"a\":1}\n{\"a\":\n{\"b\":2}\n"), 1024,
	    "L:ok|L:malformed JSON: premature end of request|L:ok|",
	    "on a line-framed stream a truncated line is its own request");
	check(S("{\"a\":1}\0{\"a\":\"x\ny\"}\0{\"b\":2}\0"), 1024,
	    "N:ok|N:malformed JSON: lexical error: invalid character inside string.|N:ok|",
	    "on a NUL-framed stream an error skips to the NUL, past newlines");
	check(S("42\n"), 1024, "L:request must be a JSON object|",
	    "a top-level number is not a request");
	check(S("{\"a\":1} 5\0{\"b\":2}\0"), 1024,
	    "N:more than one JSON value in the request|N:ok|",
	    "a trailing number does not leak into the next request");
	check(S("{\"a\":1}\0{\"b\":2}\n\0{\"c\":\n3}\n\0"), 1024,
	    "N:ok|N:ok|N:ok|", "on a NUL-framed stream a newline is white space");
	check(S("{\"a\":1}\n\0{\"b\":\n2}\0"), 1024, "L:ok|N:ok|",
	    "a bare NUL makes a line-framed stream NUL-framed");
	check(S("{\n\"a\":\"Bo\"b\",\n\"c\":1\n}\0{\"d\":2}\0"), 1024,
	    "N:malformed JSON: lexical error: invalid char in json text.|N:ok|",
	    "a malformed first request that spans lines is skipped to its NUL");
	check(S("{} {}\n"), 1024, "L:more than one JSON value in the request|",
	    "two values in one request");
	check(S("{\"a\":1}   4\0{\"b\":2}\0"), 11,
	    "N:more than one JSON value in the request|N:ok|",
	    "a trailing number that ends exactly at the limit does not leak");
	check(S("{\"a\":1} 123456789\0{\"b\":2}\0"), 12,
	    "N:request too large (limit 12 bytes)|N:ok|",
	    "a number cut by the limit does not leak into the next request");

	/* Whatever follows the object is refused, and yajl keeps none of it. */
	check(S("{\"seq\":1} \"abc\n{\"seq\":2}\n"), 1024,
	    "L:more than one JSON value in the request#1|L:ok#2|",
	    "an unfinished string after the object does not spill into the next line");
	check(S("{\"seq\":1} \"abc\0{\"seq\":2}\0"), 1024,
	    "N:more than one JSON value in the request#1|N:ok#2|",
	    "an unfinished string after the object does not spill past the NUL");
	check(S("{\"seq\":1} \"x}\0{\"seq\":2}\0"), 1024,
	    "N:more than one JSON value in the request#1|N:ok#2|",
	    "an unfinished string ending in a brace is not taken for the object's end");
	check(S("{\"seq\":1} {\"a\":\"}\0{\"seq\":2}\0"), 1024,
	    "N:more than one JSON value in the request#1|N:ok#2|",
	    "an unfinished second object does not spill past the NUL");
	check(S("{\"seq\":1}\"\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:more than one JSON value in the request#1|L:ok#2|L:ok#3|",
	    "a quote right after the brace does not swallow the lines after it");
	check(S("{\"seq\":1} tru\n{\"seq\":2}\n"), 1024,
	    "L:more than one JSON value in the request#1|L:ok#2|",
	    "an unfinished literal after the object");
	check(S("{\"seq\":1} -\0{\"seq\":2}\0"), 1024,
	    "N:more than one JSON value in the request#1|N:ok#2|",
	    "an unfinished number after the object");

	/* A first request broken by its newline ends there, and the lines after it count. */
	check(S("{\"seq\":1,\"a\":\"abc\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: invalid character inside string.#1|"
	    "L:ok#2|L:ok#3|",
	    "an unterminated string in a first request ends at its newline");
	check(S("{\"seq\":1,\"a\":1.\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: malformed number, a digit is "
	    "required after the decimal point.#1|L:ok#2|L:ok#3|",
	    "a number cut after its point by the newline");
	check(S("{\"seq\":1,\"a\":-\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: malformed number, a digit is "
	    "required after the minus sign.#1|L:ok#2|L:ok#3|",
	    "a lone minus sign cut by the newline");
	check(S("{\"seq\":1,\"a\":nul\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: invalid string in json text.#1|"
	    "L:ok#2|L:ok#3|",
	    "a literal cut by the newline");
	check(S("{\"seq\":1,\"a\":\"\\u12\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: invalid (non-hex) character "
	    "occurs after '\\u' inside string.#1|L:ok#2|L:ok#3|",
	    "a \\u escape cut by the newline");
	check(S("1.\n{\"seq\":2}\n{\"seq\":3}\n"), 1024,
	    "L:malformed JSON: lexical error: malformed number, a digit is "
	    "required after the decimal point.|L:ok#2|L:ok#3|",
	    "a bare number cut after its point by the newline");
	check(S("{\"a\":\"xxxxx\n{\"seq\":2}\n"), 11,
	    "L:request too large (limit 11 bytes)|L:ok#2|",
	    "a first request that reaches the limit at its newline ends there");
	check(S("{\"seq\":1,\n\"a\":\"abc\n}\n{\"seq\":2}\n\0{\"seq\":3}\0"), 1024,
	    "N:malformed JSON: lexical error: invalid character inside string.#1|"
	    "N:ok#3|",
	    "a first request that spanned a line before its error is still skipped to its NUL");

	/* The framer remembers its newline search; the answers stay the same. */
	check(S("{\"seq\":1}\0{\"seq\":2}\0{\"seq\":3}\0\n"), 1024,
	    "N:ok#1|N:ok#2|N:ok#3|",
	    "NUL-framed requests with a newline only at the end of the input");
	check(S("{\"seq\":1}\n{\"seq\":2}\0{\n\"seq\":3}\n\0{\"seq\":4}\n"), 1024,
	    "L:ok#1|N:ok#2|N:ok#3|N:ok#4|",
	    "newlines after the stream turned NUL-framed are white space");
	check(S("{\"seq\":1}\n\n{\"seq\":2}\0\n{\"seq\":3}\0"), 1024,
	    "L:ok#1|N:ok#2|N:ok#3|",
	    "a NUL before the next newline ends its request first");

	memset(big, 'x', sizeof big);
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + sizeof big - 3, "\"}\0", 3);
	{
		char in[400];

		memcpy(in, big, sizeof big);
		memcpy(in + sizeof big, "{\"b\":2}\0", 8);
		check(in, sizeof big + 8, 100,
		    "N:request too large (limit 100 bytes)|N:ok|",
		    "an oversized request is refused and the stream resyncs");
		check(big, sizeof big, sizeof big, "N:ok|",
		    "a request of exactly the limit is accepted");
	}
	return done();
}
