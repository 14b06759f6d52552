/* jwks.c: public keys from a file for verify: a JWKS document (or Prosody's {kid: PEM} map), or one PEM key. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "jwks.h"
#include "rsakey.h"
#include "secret.h"

/* A key set larger than this is surely the wrong file. */
#define JWKS_MAX	(1024 * 1024)
/* The largest modulus accepted, in bytes, with room to spare. */
#define PART_MAX	(RSAKEY_MAX_BITS / 8 + 16)

/* The whole file, NUL-terminated, or NULL with why. */
static char *
slurp(const char *path, char *why, size_t whylen)
{
	struct stat	 st;
	char		*text;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > JWKS_MAX || (text = malloc(JWKS_MAX + 1)) == NULL) {
		snprintf(why, whylen, "not a regular file of at most %d bytes",
		    JWKS_MAX);
		close(fd);
		return NULL;
	}
	while (len < JWKS_MAX && (r = read(fd, text + len, JWKS_MAX - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(why, whylen, "cannot read: %s", strerror(errno));
			close(fd);
			free(text);
			return NULL;
		}
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	return text;
}

static const char *
member(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v = yajl_tree_get(obj, path, yajl_t_string);

	return v != NULL ? YAJL_GET_STRING(v) : NULL;
}

static int
add(struct pubkey **keys, size_t *n, const char *kid, const char *source,
    EVP_PKEY *pk, const char *alg)
{
	struct pubkey *k;

	if ((k = reallocarray(*keys, *n + 1, sizeof *k)) == NULL)
		return -1;
	*keys = k;
	k += *n;
	memset(k, 0, sizeof *k);
	if ((kid != NULL && (k->kid = strdup(kid)) == NULL) ||
	    (k->source = strdup(source)) == NULL) {
		free(k->kid);
		free(k->source);
		return -1;
	}
	k->pkey = pk;
	k->has_alg = alg != NULL && alg_parse(alg, &k->alg) == 0;
	(*n)++;
	return 0;
}

/* One unpadded base64url member of a JWK, decoded. */
static int
b64(yajl_val jwk, const char *name, unsigned char *out, size_t *len)
{
	const char *s = member(jwk, name);

	return s != NULL && sodium_base642bin(out, PART_MAX, s, strlen(s), NULL,
	    len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 ? 0 : -1;
}

/* {"keys":[…]}: the RSA keys for signatures; other kinds of key are skipped. */
static int
from_jwks(yajl_val keys, const char *path, struct pubkey **out, size_t *nout,
    char *why, size_t whylen)
{
	unsigned char	 n[PART_MAX], e[PART_MAX];
	size_t		 i, nlen, elen;
	EVP_PKEY	*pk;
	char		 keywhy[160];

	for (i = 0; i < YAJL_GET_ARRAY(keys)->len; i++) {
		yajl_val	 jwk = YAJL_GET_ARRAY(keys)->values[i];
		const char	*kty = member(jwk, "kty"), *kid = member(jwk, "kid"),
				*use = member(jwk, "use"), *alg = member(jwk, "alg");
		enum alg	 a;

		if (!YAJL_IS_OBJECT(jwk) || kty == NULL || strcmp(kty, "RSA") != 0 ||
		    (use != NULL && strcmp(use, "sig") != 0))
			continue;
		if (kid == NULL) {
			snprintf(why, whylen, "keys[%zu]: kid missing", i);
			return -1;
		}
		if (alg != NULL && alg_parse(alg, &a) == -1) {
			snprintf(why, whylen, "keys[%zu]: alg is not one Jitsi knows", i);
			return -1;
		}
		if (b64(jwk, "n", n, &nlen) == -1 || b64(jwk, "e", e, &elen) == -1) {
			snprintf(why, whylen, "keys[%zu]: n and e must be unpadded "
			    "base64url", i);
			return -1;
		}
		if (rsakey_from_jwk(n, nlen, e, elen, &pk, keywhy,
		    sizeof keywhy) == -1) {
			snprintf(why, whylen, "keys[%zu]: %s", i, keywhy);
			return -1;
		}
		if (add(out, nout, kid, path, pk, alg) == -1) {
			EVP_PKEY_free(pk);
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* {"kid": "PEM", …}: the other document cache_keys_url may serve. */
static int
from_pem_map(yajl_val map, const char *path, struct pubkey **out,
    size_t *nout, char *why, size_t whylen)
{
	EVP_PKEY	*pk;
	size_t		 i;
	char		 keywhy[160];

	for (i = 0; i < YAJL_GET_OBJECT(map)->len; i++) {
		const char	*kid = YAJL_GET_OBJECT(map)->keys[i];
		yajl_val	 v = YAJL_GET_OBJECT(map)->values[i];
		const char	*pem = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;

		if (pem == NULL || rsakey_public(pem, strlen(pem), &pk, keywhy,
		    sizeof keywhy) == -1) {
			snprintf(why, whylen, "the value of member %zu %s", i,
			    pem != NULL ? keywhy : "is not a PEM string");
			return -1;
		}
		if (add(out, nout, kid, path, pk, NULL) == -1) {
			EVP_PKEY_free(pk);
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The RSA signature keys of a key set file; 0, or -1 with why. */
int
jwks_read(const char *path, struct pubkey **out, size_t *nout, char *why,
    size_t whylen)
{
	const char	*kpath[] = { "keys", NULL };
	struct pubkey	*keys = NULL;
	size_t		 n = 0;
	yajl_val	 root, list;
	char		*text, err[128];
	int		 rc;

	if ((text = slurp(path, why, whylen)) == NULL)
		return -1;
	root = yajl_tree_parse(text, err, sizeof err);
	free(text);
	if (!YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if ((list = yajl_tree_get(root, kpath, yajl_t_any)) != NULL) {
		if (YAJL_IS_ARRAY(list))
			rc = from_jwks(list, path, &keys, &n, why, whylen);
		else {
			snprintf(why, whylen, "\"keys\" is not an array");
			rc = -1;
		}
	} else
		rc = from_pem_map(root, path, &keys, &n, why, whylen);
	yajl_tree_free(root);
	if (rc == 0 && n == 0) {
		snprintf(why, whylen, "holds no RSA signature key");
		rc = -1;
	}
	if (rc == -1) {
		pubkeys_free(keys, n);
		return -1;
	}
	*out = keys;
	*nout = n;
	return 0;
}

/* One PEM public key, for tokens of any kid. */
int
jwks_read_pem(const char *path, struct pubkey **out, size_t *nout, char *why,
    size_t whylen)
{
	struct secret	 pem = { 0 };
	struct pubkey	*keys = NULL;
	size_t		 n = 0;
	EVP_PKEY	*pk;
	int		 rc;

	if (secret_read_file(&pem, path, why, whylen) != 0)
		return -1;
	rc = rsakey_public(pem.key, pem.len, &pk, why, whylen);
	secret_free(&pem);
	if (rc == -1)
		return -1;
	if (add(&keys, &n, NULL, path, pk, NULL) == -1) {
		EVP_PKEY_free(pk);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	*out = keys;
	*nout = n;
	return 0;
}
