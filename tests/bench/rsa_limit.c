/* Benchmark limit: bare RS256 (SHA-256 + RSA PKCS#1 v1.5 sign) + base64url over token-sized signing inputs, in ops/s. */

/*
 * Usage: rsa_limit COUNT APP_ID AUDIENCE DOMAIN KID KEY.pem
 * Builds COUNT signing inputs (base64url(header) "." base64url(claims)) shaped
 * like the server's RS256 tokens for "Player N" in room "lobby", then times
 * only the digest and the RSA signature of each input plus the base64url of
 * the signature, with the key parsed and the signing context set up once.
 * Prints "ops/s SIGNING_INPUT_BYTES" (best of three rounds).
 * Links the server's own base64url encoder, as hmac_limit does.
 */

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timing.h"
#include "b64url.h"

#define ROUNDS 3

/* base64url of in, NUL-terminated, into b (emptied first). */
static const char *
b64url(struct buf *b, const void *in, size_t inlen)
{
	buf_reset(b);
	if (b64url_append(b, in, inlen) == -1 || buf_append(b, "", 1) == -1)
		exit(71);
	return b->data;
}

int
main(int argc, char **argv)
{
	char header[512], claims[1024], hb64[1024];
	struct buf cb64 = { 0 }, sig64 = { 0 };
	unsigned char dgst[EVP_MAX_MD_SIZE], sig[2048];
	unsigned int dlen;
	EVP_PKEY *key;
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *mdctx;
	EVP_MD *md;
	FILE *f;
	char **inputs;
	size_t *lens, n, i, total = 0, siglen;
	double best = 0.0, t0, dt;
	long iat = (long)time(NULL);
	int round;

	if (argc != 7 || (n = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: rsa_limit COUNT APP_ID AUDIENCE DOMAIN KID "
		    "KEY.pem\n");
		return 64;
	}
	if ((f = fopen(argv[6], "r")) == NULL ||
	    (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "rsa_limit: cannot read the key %s\n", argv[6]);
		return 66;
	}
	fclose(f);
	if ((inputs = calloc(n, sizeof(*inputs))) == NULL ||
	    (lens = calloc(n, sizeof(*lens))) == NULL)
		return 71;
	snprintf(header, sizeof(header),
	    "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", argv[5]);
	snprintf(hb64, sizeof(hb64), "%s", b64url(&cb64, header, strlen(header)));
	for (i = 0; i < n; i++) {
		int len = snprintf(claims, sizeof(claims),
		    "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"%s\","
		    "\"room\":\"lobby\",\"iat\":%ld,\"nbf\":%ld,\"exp\":%ld,"
		    "\"moderator\":false,\"context\":{\"user\":{"
		    "\"name\":\"Player %zu\",\"affiliation\":\"member\","
		    "\"moderator\":\"false\"}}}",
		    argv[2], argv[3], argv[4], iat, iat - 10, iat + 600, i + 1);

		if (len < 0 || (size_t)len >= sizeof(claims))
			return 64;
		b64url(&cb64, claims, (size_t)len);
		lens[i] = strlen(hb64) + 1 + strlen(cb64.data);
		if ((inputs[i] = malloc(lens[i] + 1)) == NULL)
			return 71;
		snprintf(inputs[i], lens[i] + 1, "%s.%s", hb64, cb64.data);
		total += lens[i];
	}

	/* Set up once: the digest, the padding, the key. */
	if ((md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (mdctx = EVP_MD_CTX_new()) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, md) <= 0)
		return 71;

	for (round = 0; round < ROUNDS; round++) {
		unsigned long sink = 0;

		t0 = now();
		for (i = 0; i < n; i++) {
			siglen = sizeof(sig);
			if (!EVP_DigestInit_ex2(mdctx, md, NULL) ||
			    !EVP_DigestUpdate(mdctx, inputs[i], lens[i]) ||
			    !EVP_DigestFinal_ex(mdctx, dgst, &dlen) ||
			    EVP_PKEY_sign(pctx, sig, &siglen, dgst, dlen) <= 0)
				return 71;
			sink += (unsigned char)b64url(&sig64, sig, siglen)[i % 300];
		}
		dt = now() - t0;
		/* Keeps the compiler from dropping the encoding. */
		if (sink == 1)
			fputc('\0', stderr);
		if (dt > 0 && (double)n / dt > best)
			best = (double)n / dt;
	}
	printf("%.0f %zu\n", best, total / n);

	EVP_PKEY_CTX_free(pctx);
	EVP_MD_CTX_free(mdctx);
	EVP_MD_free(md);
	EVP_PKEY_free(key);
	for (i = 0; i < n; i++)
		free(inputs[i]);
	free(inputs);
	free(lens);
	buf_free(&cb64);
	buf_free(&sig64);
	return 0;
}
