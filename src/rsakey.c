/* rsakey.c: RSA keys: parsing and checking PEM and JWK, verifying, and their public forms. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "rsakey.h"
#include "secret.h"

/* OpenSSL's secure heap: room for a 16384-bit key's parts and their PEM. */
#define SECURE_HEAP	(128 * 1024)

/* Asked for a passphrase: the key is encrypted, and there is none to give. */
static int
refuse_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

/*
 * Lock OpenSSL's secure heap in place before a private key is parsed: the
 * ASN.1 decoder puts the key's private numbers there (and PEM decoding its
 * buffers). 1 when it is in use, 0 when OpenSSL could not set it up.
 */
int
rsakey_secure_heap(void)
{
	if (CRYPTO_secure_malloc_initialized())
		return 1;
	return CRYPTO_secure_malloc_init(SECURE_HEAP, 16) != 0;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* An RSA key of an accepted size, or why not (never its contents). */
int
rsakey_check(EVP_PKEY *pk, char *why, size_t whylen)
{
	const char	*type;
	int		 bits;

	if (!EVP_PKEY_is_a(pk, "RSA")) {
		type = EVP_PKEY_get0_type_name(pk);
		snprintf(why, whylen, "is a key of type %s: Jitsi verifies RSA "
		    "keys only (RS256, RS384, RS512)", type ? type : "unknown");
		return -1;
	}
	bits = EVP_PKEY_get_bits(pk);
	if (bits < RSAKEY_MIN_BITS) {
		snprintf(why, whylen, "is an RSA key of %d bits: at least %d are "
		    "required", bits, RSAKEY_MIN_BITS);
		return -1;
	}
	if (bits > RSAKEY_MAX_BITS) {
		snprintf(why, whylen, "is an RSA key of %d bits: at most %d are "
		    "accepted", bits, RSAKEY_MAX_BITS);
		return -1;
	}
	return 0;
}

/* A parsed key to *out once rsakey_check accepts it; freed when it does not. */
static int
adopt_checked(EVP_PKEY *pk, EVP_PKEY **out, char *why, size_t whylen)
{
	if (rsakey_check(pk, why, whylen) == -1) {
		EVP_PKEY_free(pk);
		return -1;
	}
	*out = pk;
	return 0;
}

/* Whether the n bytes at p hold the string s (PEM's armour, not its contents). */
static bool
holds(const char *p, size_t n, const char *s)
{
	size_t i, m = strlen(s);

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(p + i, s, m) == 0)
			return true;
	return false;
}

static int
parse_private(const void *pem, size_t len, EVP_PKEY **out, char *why,
    size_t whylen)
{
	EVP_PKEY	*pk;
	BIO		*bio;
	bool		 asked = false;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	pk = PEM_read_bio_PrivateKey_ex(bio, NULL, refuse_passphrase, &asked,
	    NULL, NULL);
	BIO_free(bio);
	/* Its queue says what the parser met; the message below says enough. */
	ERR_clear_error();
	if (pk == NULL) {
		if (asked)
			snprintf(why, whylen, "is encrypted: give the key unencrypted "
			    "(openssl pkey -in KEY -out PLAIN) in a file of mode 0600");
		/* Armour that says private key around contents that do not decode. */
		else if (holds(pem, len, "-----BEGIN ") &&
		    holds(pem, len, "PRIVATE KEY-----"))
			snprintf(why, whylen, "has a PEM private key header, but what "
			    "it holds cannot be decoded: the file is damaged or "
			    "truncated");
		else
			snprintf(why, whylen, "is not a PEM private key (\"BEGIN "
			    "PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\")");
		return -1;
	}
	return adopt_checked(pk, out, why, whylen);
}

/*
 * Parse an unencrypted PEM private key (PKCS#8 or PKCS#1) from memory the
 * caller wipes afterwards, and check it is RSA of an accepted size.
 */
int
rsakey_private(const void *pem, size_t len, EVP_PKEY **out, char *why,
    size_t whylen)
{
	int rc;

	rc = parse_private(pem, len, out, why, whylen);
	/* Where OpenSSL decoded the key, in frames below this one. */
	secret_scrub_stack();
	return rc;
}

/* A PEM public key ("BEGIN PUBLIC KEY" or "BEGIN RSA PUBLIC KEY"), RSA of an accepted size. */
int
rsakey_public(const void *pem, size_t len, EVP_PKEY **out, char *why,
    size_t whylen)
{
	OSSL_DECODER_CTX	*dc;
	EVP_PKEY		*pk = NULL;
	const unsigned char	*p = pem;
	int			 ok;

	if ((dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL, NULL,
	    EVP_PKEY_PUBLIC_KEY, NULL, NULL)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	ok = OSSL_DECODER_from_data(dc, &p, &len);
	OSSL_DECODER_CTX_free(dc);
	ERR_clear_error();
	if (!ok || pk == NULL) {
		EVP_PKEY_free(pk);
		snprintf(why, whylen, "is not a PEM public key (\"BEGIN PUBLIC "
		    "KEY\"): make one with openssl pkey -in KEY -pubout");
		return -1;
	}
	return adopt_checked(pk, out, why, whylen);
}

/* An RSA public key from a JWK's modulus and exponent (big-endian bytes). */
int
rsakey_from_jwk(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, EVP_PKEY **out, char *why, size_t whylen)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pk = NULL;
	BIGNUM		*bn = NULL, *be = NULL;
	int		 rc = -1;

	snprintf(why, whylen, "is not a valid RSA public key");
	if (nlen > INT_MAX || elen > INT_MAX ||
	    (bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto done;
	if (rsakey_check(pk, why, whylen) == -1)
		goto done;
	*out = pk;
	pk = NULL;
	rc = 0;
done:
	ERR_clear_error();
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return rc;
}

/* 0 when sig is data's RSASSA-PKCS1-v1_5 signature with alg's digest. */
int
rsakey_verify(EVP_PKEY *pk, enum alg a, const void *data, size_t n,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*ctx;
	EVP_PKEY_CTX	*pctx = NULL;
	int		 ok;

	if (!alg_is_rsa(a) || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestVerifyInit_ex(ctx, &pctx, alg_digest(a), NULL, NULL, pk,
	    NULL) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_DigestVerify(ctx, sig, siglen, data, n) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo, as openssl pkey -pubout -outform DER | sha256sum. */
int
rsakey_fingerprint(EVP_PKEY *pk, char *out)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 len, ok;

	if ((len = i2d_PUBKEY(pk, &der)) <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok)
		return -1;
	hex(md, mdlen, out);
	return 0;
}

/* The name Prosody's asap_key_server fetches: sha256hex(kid) ".pem". */
int
rsakey_asap_name(const char *kid, char *out)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	if (!EVP_Digest(kid, strlen(kid), md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		return -1;
	hex(md, mdlen, out);
	memcpy(out + 64, ".pem", 5);
	return 0;
}

static int
append_param(EVP_PKEY *pk, const char *name, struct buf *b)
{
	BIGNUM		*bn = NULL;
	unsigned char	*bin;
	int		 len, rc = -1;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn))
		return -1;
	len = BN_num_bytes(bn);
	if ((bin = malloc(len > 0 ? (size_t)len : 1)) != NULL &&
	    BN_bn2bin(bn, bin) == len)
		rc = b64url_append(b, bin, (size_t)len);
	free(bin);
	BN_free(bn);
	return rc;
}

/* The JWK's "n" and "e": modulus and exponent, big-endian, base64url. */
int
rsakey_jwk_parts(EVP_PKEY *pk, struct buf *n, struct buf *e)
{
	return append_param(pk, OSSL_PKEY_PARAM_RSA_N, n) == -1 ||
	    append_param(pk, OSSL_PKEY_PARAM_RSA_E, e) == -1 ? -1 : 0;
}

/* The public half as "BEGIN PUBLIC KEY" PEM, never the private one. */
int
rsakey_write_pem(EVP_PKEY *pk, FILE *f)
{
	BIO	*bio;
	int	 ok;

	if ((bio = BIO_new_fp(f, BIO_NOCLOSE)) == NULL)
		return -1;
	ok = PEM_write_bio_PUBKEY(bio, pk);
	BIO_free(bio);
	return ok ? 0 : -1;
}

void
pubkeys_free(struct pubkey *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(k[i].kid);
		free(k[i].source);
		EVP_PKEY_free(k[i].pkey);
	}
	free(k);
}
