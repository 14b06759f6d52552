/* Benchmark limit: bare HMAC-SHA256 + base64url of the MAC over token-sized signing inputs, in ops/s. */

/*
 * Usage: hmac_limit COUNT APP_ID AUDIENCE DOMAIN SECRET
 * Builds COUNT signing inputs (base64url(header) "." base64url(claims)) shaped
 * like the server's tokens for "Player N" in room "lobby", then times only
 * the MAC over each input plus the base64url of the MAC, with the key set
 * once.  Prints "ops/s SIGNING_INPUT_BYTES" (best of three rounds).
 * Links the server's own base64url encoder, so the limit is never slower
 * than what the server does.
 */

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
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
	const char *header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char claims[1024], hb64[128];
	struct buf cb64 = { 0 }, sig64 = { 0 };
	unsigned char mac[EVP_MAX_MD_SIZE];
	OSSL_PARAM params[2];
	EVP_MAC *alg;
	EVP_MAC_CTX *ctx;
	char **inputs;
	size_t *lens, n, i, total = 0, maclen;
	double best = 0.0, t0, dt;
	long iat = (long)time(NULL);
	int round;

	if (argc != 6 || (n = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: hmac_limit COUNT APP_ID AUDIENCE DOMAIN "
		    "SECRET\n");
		return 64;
	}
	if ((inputs = calloc(n, sizeof(*inputs))) == NULL ||
	    (lens = calloc(n, sizeof(*lens))) == NULL)
		return 71;
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

	alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (alg == NULL || (ctx = EVP_MAC_CTX_new(alg)) == NULL)
		return 71;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* The key is set once; each operation re-initialises with a NULL key. */
	if (!EVP_MAC_init(ctx, (const unsigned char *)argv[5], strlen(argv[5]),
	    params))
		return 71;

	for (round = 0; round < ROUNDS; round++) {
		unsigned long sink = 0;

		t0 = now();
		for (i = 0; i < n; i++) {
			if (!EVP_MAC_init(ctx, NULL, 0, NULL) ||
			    !EVP_MAC_update(ctx, (unsigned char *)inputs[i],
			    lens[i]) ||
			    !EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)))
				return 71;
			sink += (unsigned char)b64url(&sig64, mac, maclen)[i % 43];
		}
		dt = now() - t0;
		/* Keeps the compiler from dropping the encoding. */
		if (sink == 1)
			fputc('\0', stderr);
		if (dt > 0 && (double)n / dt > best)
			best = (double)n / dt;
	}
	printf("%.0f %zu\n", best, total / n);

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	for (i = 0; i < n; i++)
		free(inputs[i]);
	free(inputs);
	free(lens);
	buf_free(&cb64);
	buf_free(&sig64);
	return 0;
}
