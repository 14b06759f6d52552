/* test_sign.c: HMAC and RSA signing: RFC 4231 vectors, known HS256 and RS256 JWS signatures, the headers. */
#include <sodium.h>
#include <stdlib.h>

#include "../../src/secret.h"
#include "../../src/b64url.h"
#include "../../src/json.h"
#include "../../src/rsakey.h"
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

/* The RSA key of RFC 7515 appendix A.2, whose RS256 example is signed with it. */
static const char rfc7515_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCh+BYK4uPJtGXO\n"
    "jS1lYmM2K5J9vinh8CR3/BYlzJChNuOL2TSXxbbqY913EeZ8dCn5VrD7io8ImtxL\n"
    "aYk8wTM/U+3QGbh3hCUv7JFP5IV3aVlL6kKA0ywPVb9ilE8TA5a8bpvfbr3SvaNn\n"
    "juygxmj3AbONv/s4yDQs4v5tJ/reSlpIdJed1LnPmt7Ex1sFhSwsD174pcF1A5L5\n"
    "ROjtZMEQxrZHYJqkeDrrnGya11UxMFBji4NmXG9veoKjlnAqH2QbgtPr8jkiGUkf\n"
    "toaHLFcW9Qr4NY2ai50Xw0Byj3+H2JoY2PyrZ62EWQwuz3WTOTY8BwNNb2BvniHg\n"
    "VFbK5emhAgMBAAECggEAEq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyW\n"
    "PEAeP88vLNO97IjlA7/GQ5sLKMgvfTeXZx9SE+7YwVol2NXOoAJe46sui395IW/G\n"
    "O+pWJ1O0BkTGoVEn2bKVRUCgu+GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzj\n"
    "kn439X0M/V51gfpRLI9JYanrC4D4qAdGcopV/0ZHHzQlBjudU2QvXt4ehNYTCBr6\n"
    "XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl/x/jTj3ccPDVZFD9pIuhLhBOneufuBiB\n"
    "4cS98l2SR/RQyGWSeWjnczT0QU91p1DhOVRuOopznQKBgQDgHMQQ60imZV1URk0K\n"
    "pLttoLhyt3SmqdEf/kgHePDdtzEafpAu+cS191R2JiuoF2yzWXnwFDcqGigp5BNr\n"
    "0AHQfD8/Lk8l1Mk09jxxCfui5nYooNyac8YFjm3vItzVCVDnEd3BbVWG8qf6deqE\n"
    "lMGAg+C2V0L4oNXnP7LZcPAZRwKBgQC5A8R+CZW2MvRTLLHzwZkUXV866cff7tx6\n"
    "kqa0finGG0KgeqlaZPxgCZnFp7AeAcCMtiynVlJ7vMVgePsLq6XtON4tB5kP9jAP\n"
    "rq3rbAOal78eUH5OcED6eNuCV8ixEu1eWcPNCS/l1OW1EnXUEoEHKl54Xrrz2uNw\n"
    "kgMTP1FZ1wKBgAcCn1dwJKufzBWQxWQp1vsM5fggqPN1qGb5y0MAk3g7/Ls5bkUp\n"
    "5u9SN0Ai3Ya6hNnvWJMb7sXQX6U/zyO2M/hTip7tUeh7CXgwo59dkpN75gJLVds2\n"
    "9+DAncu3KXU4f2Fa+7bLNrur53k8KwPOq2bbuTG69QtV7Jr5MR0AHWKNAoGBAIf/\n"
    "evpitUf+4JYbLpvNXWcY052Mpz22aR84mY3nh3F2LF2mjMJDpTg7FmuyPcVw6EcG\n"
    "yoAe9fa65iNqCq+jdw6PVNGo2hxfjSiZ8IIzHdsPXI89//pMjZcQK9r+CCoRjaZj\n"
    "OYiIDktVWZzmevJuv6WywUqd57LE3Zar3dLSIkx1AoGAIYd7DHOhrWvxkwPQsRM2\n"
    "tOgrjbcrfvtQJipd+DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd/QJQ3\n"
    "ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp/gh6A56\n"
    "03k2+ZQwVK0JKSHuLFkuQ3U=\n"
    "-----END PRIVATE KEY-----\n";

static const char rfc7515_input[] = "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char rfc7515_sig[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4B"
    "h-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZ"
    "LgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_d"
    "O--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/* The header signer_init_rsa encodes for kid, against the JSON expected. */
static void
header_is(EVP_PKEY *key, enum alg a, const char *kid, const char *json,
    const char *what)
{
	struct signer	sg;
	struct buf	want = { 0 };

	b64url_append(&want, json, strlen(json));
	buf_append(&want, "", 1);
	if (signer_init_rsa(&sg, a, key, kid) == 0) {
		ok(sg.header64len == want.len - 1, "%s: length", what);
		is_str(sg.header64, want.data, what);
		signer_free(&sg);
	} else
		ok(0, "%s: signer set up", what);
	buf_free(&want);
}

static void
test_rsa(void)
{
	struct signer	 sg;
	struct buf	 b = { 0 }, json = { 0 };
	EVP_PKEY	*key = NULL;
	unsigned char	 sig[SIG_MAX];
	size_t		 len = 0, i;
	char		 why[256], kid[1001];
	enum alg	 a;

	ok(rsakey_private(rfc7515_key, strlen(rfc7515_key), &key, why,
	    sizeof why) == 0, "the RFC 7515 A.2 key loads");
	if (key == NULL)
		return;
	ok(signer_init(&sg, ALG_RS256, NULL) == -1,
	    "signer_init refuses an RSA algorithm");
	ok(signer_init_rsa(&sg, ALG_HS256, key, "k") == -1,
	    "signer_init_rsa refuses an HMAC algorithm");
	ok(signer_init_rsa(&sg, ALG_RS256, key, NULL) == -1,
	    "signer_init_rsa wants a kid");
	ok(signer_init_rsa(&sg, ALG_RS256, key, "2010-12-29") == 0,
	    "RS256 signer set up");
	/* Twice: the context must survive reuse. */
	signer_sign(&sg, "x", 1, sig, &len);
	len = 0;
	if (signer_sign(&sg, rfc7515_input, strlen(rfc7515_input), sig,
	    &len) == 0)
		b64url_append(&b, sig, len);
	buf_append(&b, "", 1);
	is_str(b.data, rfc7515_sig, "RS256 signature of RFC 7515 A.2");
	ok(len == 256 && rsakey_verify(key, ALG_RS256, rfc7515_input,
	    strlen(rfc7515_input), sig, len) == 0, "... and it verifies");
	ok(rsakey_verify(key, ALG_RS384, rfc7515_input, strlen(rfc7515_input),
	    sig, len) == -1, "... but not as RS384");
	sig[10] ^= 1;
	ok(rsakey_verify(key, ALG_RS256, rfc7515_input, strlen(rfc7515_input),
	    sig, len) == -1, "... nor with a bit changed");
	signer_free(&sg);

	for (a = ALG_RS384; a <= ALG_RS512; a++) {
		ok(signer_init_rsa(&sg, a, key, "k") == 0 &&
		    signer_sign(&sg, "data", 4, sig, &len) == 0 &&
		    rsakey_verify(key, a, "data", 4, sig, len) == 0 &&
		    rsakey_verify(key, ALG_RS256, "data", 4, sig, len) == -1,
		    "%s signs, verifies as %s only", alg_name(a), alg_name(a));
		signer_free(&sg);
	}

	header_is(key, ALG_RS256, "2010-12-29",
	    "{\"alg\":\"RS256\",\"kid\":\"2010-12-29\",\"typ\":\"JWT\"}",
	    "RS256 header with the kid between alg and typ");
	header_is(key, ALG_RS512, "vpaas-magic-cookie-1f/4f4910",
	    "{\"alg\":\"RS512\",\"kid\":\"vpaas-magic-cookie-1f/4f4910\",\"typ\":\"JWT\"}",
	    "a slash in the kid is not escaped");
	header_is(key, ALG_RS256, "a\"b\\c",
	    "{\"alg\":\"RS256\",\"kid\":\"a\\\"b\\\\c\",\"typ\":\"JWT\"}",
	    "a quote and a backslash in the kid are escaped");
	for (i = 0; i < sizeof kid - 1; i++)
		kid[i] = (char)('a' + i % 26);
	kid[sizeof kid - 1] = '\0';
	APPEND_LIT(&json, "{\"alg\":\"RS256\",\"kid\":\"");
	buf_append(&json, kid, strlen(kid));
	APPEND_LIT(&json, "\",\"typ\":\"JWT\"}");
	buf_append(&json, "", 1);
	header_is(key, ALG_RS256, kid, json.data, "a 1000-byte kid");
	EVP_PKEY_free(key);
	buf_free(&b);
	buf_free(&json);
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

	test_rsa();
	return done();
}
