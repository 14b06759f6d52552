/* test_b64.c: base64url without padding, RFC 4648 section 10 vectors. */
#include <sodium.h>

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
	return done();
}
