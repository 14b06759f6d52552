/* test_b64.c: base64url without padding, RFC 4648 section 10 vectors. */
#include <sodium.h>
#include <string.h>

#include "../../src/buf.h"
#include "../../src/b64url.h"
#include "tap.h"

static void
check(const char *in, size_t len, const char *want)
{
	struct buf b = { 0 };

	b64url_append(&b, in, len);
	buf_append(&b, "", 1);
	is_str(b.data, want, want[0] ? want : "(empty)");
	buf_free(&b);
}

/* Every length up to 100 (the wide loop, the narrow one, each tail), against libsodium's encoder. */
static void
agrees_with_sodium(void)
{
	unsigned char	in[100];
	char		want[140];
	struct buf	b = { 0 };
	size_t		len, i, bad = 0;

	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 151 + 7);
	for (len = 0; len <= sizeof in; len++) {
		sodium_bin2base64(want, sizeof want, in, len,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		buf_reset(&b);
		b64url_append(&b, in, len);
		if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
			bad++;
	}
	ok(bad == 0, "every length from 0 to 100 bytes encodes as libsodium's does");
	/* Each 12-bit value in every 12-bit place of a 12-byte input. */
	bad = 0;
	for (i = 0; i < 4096; i++) {
		unsigned char x[12];

		for (len = 0; len < sizeof x; len += 3) {
			x[len] = (unsigned char)(i >> 4);
			x[len + 1] = (unsigned char)((i & 15) << 4 | i >> 8);
			x[len + 2] = (unsigned char)(i & 255);
		}
		sodium_bin2base64(want, sizeof want, x, sizeof x,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		buf_reset(&b);
		b64url_append(&b, x, sizeof x);
		if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
			bad++;
	}
	ok(bad == 0, "each 12-bit value in each place encodes as libsodium's does");
	buf_free(&b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	check("", 0, "");
	check("f", 1, "Zg");
	check("fo", 2, "Zm8");
	check("foo", 3, "Zm9v");
	check("foob", 4, "Zm9vYg");
	check("fooba", 5, "Zm9vYmE");
	check("foobar", 6, "Zm9vYmFy");
	/* The URL-safe alphabet: 62 and 63 are '-' and '_'. */
	check("\xfb\xff", 2, "-_8");
	check("\xff\xfe\xfd", 3, "__79");
	agrees_with_sodium();
	return done();
}
