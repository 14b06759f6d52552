/* test_sign.c: HMAC signing, RFC 4231 vectors, and a known HS256 JWT signature. */
#include <sodium.h>
#include <stdlib.h>

#include "../../src/secret.h"
#include "../../src/b64url.h"
#include "../../src/sign.h"
#include "tap.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
vector(enum alg a, const void *key, size_t klen, const void *data, size_t dlen,
    const char *want, const char *what)
{
	struct secret	s = { 0 };
	struct signer	sg;
	unsigned char	mac[EVP_MAX_MD_SIZE];
	size_t		len = 0;
	char		got[2 * EVP_MAX_MD_SIZE + 1] = "";

	secret_set(&s, key, klen, "test");
	if (signer_init(&sg, a, &s) == 0) {
		/* Twice: the key state must survive reuse. */
		signer_mac(&sg, "x", 1, mac, &len);
		if (signer_mac(&sg, data, dlen, mac, &len) == 0)
			hex(mac, len, got);
		signer_free(&sg);
	}
	is_str(got, want, what);
	secret_free(&s);
}

int
main(void)
{
	unsigned char	k0b[20], kaa[131], k4[25], dd[50], cd[50];
	struct secret	s = { 0 };
	struct signer	sg;
	struct buf	b = { 0 };
	unsigned char	mac[EVP_MAX_MD_SIZE];
	size_t		len, i;
	const char	*input = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ";

	if (sodium_init() < 0)
		return 1;
	memset(k0b, 0x0b, sizeof k0b);
	memset(kaa, 0xaa, sizeof kaa);
	memset(dd, 0xdd, sizeof dd);
	memset(cd, 0xcd, sizeof cd);
	for (i = 0; i < sizeof k4; i++)
		k4[i] = (unsigned char)(i + 1);

	vector(ALG_HS256, k0b, 20, "Hi There", 8,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "RFC 4231 case 1, SHA-256");
	vector(ALG_HS256, "Jefe", 4, "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "RFC 4231 case 2, SHA-256");
	vector(ALG_HS384, "Jefe", 4, "what do ya want for nothing?", 28,
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649", "RFC 4231 case 2, SHA-384");
	vector(ALG_HS512, "Jefe", 4, "what do ya want for nothing?", 28,
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
	    "RFC 4231 case 2, SHA-512");
	vector(ALG_HS256, kaa, 20, dd, 50,
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "RFC 4231 case 3, SHA-256");
	vector(ALG_HS256, k4, 25, cd, 50,
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "RFC 4231 case 4, SHA-256");
	vector(ALG_HS256, kaa, 131,
	    "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "RFC 4231 case 6, SHA-256 (key longer than a block)");

	/* The well-known example token signed with "your-256-bit-secret". */
	secret_set(&s, "your-256-bit-secret", 19, "test");
	ok(signer_init(&sg, ALG_HS256, &s) == 0, "signer set up");
	ok(strcmp(sg.header64, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") == 0,
	    "HS256 header encodes {\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	signer_mac(&sg, input, strlen(input), mac, &len);
	b64url_append(&b, mac, len);
	buf_append(&b, "", 1);
	is_str(b.data, "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
	    "known JWT signature");
	signer_free(&sg);
	secret_free(&s);
	buf_free(&b);
	return done();
}
