/* test_rsakey.c: which PEM keys load and which are refused, JWK parts, fingerprints, ASAP names, the secure heap. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdlib.h>

#include "../../src/rsakey.h"
#include "../../src/secret.h"
#include "tap.h"

/* A key's PEM, NUL-terminated, in a buffer the caller frees. */
static char *
pem_of(EVP_PKEY *pk, int how)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*p, *copy;
	long	 n;

	switch (how) {
	case 0: PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL); break;
	case 1: PEM_write_bio_PrivateKey_traditional(bio, pk, NULL, NULL, 0, NULL,
	    NULL); break;
	case 2: PEM_write_bio_PrivateKey(bio, pk, EVP_aes_256_cbc(), NULL, 0, NULL,
	    (void *)"passphrase"); break;
	case 3: PEM_write_bio_PrivateKey_traditional(bio, pk, EVP_aes_256_cbc(),
	    NULL, 0, NULL, (void *)"passphrase"); break;
	case 4: PEM_write_bio_PUBKEY(bio, pk); break;
	default: PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL);
	}
	n = BIO_get_mem_data(bio, &p);
	copy = strndup(p, (size_t)n);
	BIO_free(bio);
	return copy;
}

/* rsakey_private on text: -1 with a reason containing want, or 0. */
static void
private_refused(const char *text, const char *want, const char *what)
{
	EVP_PKEY	*pk = NULL;
	char		 why[256] = "";
	int		 rc = rsakey_private(text, strlen(text), &pk, why, sizeof why);

	if (!ok(rc == -1 && pk == NULL && strstr(why, want) != NULL,
	    "refused: %s", what))
		printf("# rc %d, why: %s\n# want: %s\n", rc, why, want);
	EVP_PKEY_free(pk);
}

static void
private_loads(const char *text, const char *what)
{
	EVP_PKEY	*pk = NULL;
	char		 why[256] = "";

	if (!ok(rsakey_private(text, strlen(text), &pk, why, sizeof why) == 0 &&
	    pk != NULL && EVP_PKEY_get_bits(pk) == 2048, "loads: %s", what))
		printf("# why: %s\n", why);
	EVP_PKEY_free(pk);
}

#ifndef __SANITIZE_ADDRESS__
/* 32-byte windows of a key's DER past its public part, and where they are kept. */
static unsigned char der_copy[8192];
static size_t der_len, der_private;

static int
memfind(const unsigned char *h, size_t hl, const unsigned char *n, size_t nl)
{
	size_t i;

	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0 &&
		    (h + i < der_copy || h + i >= der_copy + sizeof der_copy))
			return 1;
	return 0;
}

/* Windows of the DER found in this process's anonymous readable memory. */
static int
der_pieces_in_memory(void)
{
	FILE		*maps = fopen("/proc/self/maps", "r");
	char		 line[512];
	unsigned long	 lo, hi;
	char		 perm[5];
	size_t		 off;
	int		 hits = 0;

	while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perm) != 3 ||
		    perm[0] != 'r' || strchr(line, '/') != NULL ||
		    strstr(line, "[v") != NULL)
			continue;
		for (off = der_private; off + 32 <= der_len; off += 16)
			hits += memfind((const unsigned char *)lo, hi - lo,
			    der_copy + off, 32);
	}
	if (maps != NULL)
		fclose(maps);
	return hits;
}

/* Keep rsa's DER in der_copy, and where its private numbers start. */
static void
remember_der(EVP_PKEY *rsa)
{
	unsigned char	*der = NULL, d[1024];
	BIGNUM		*bn = NULL;
	int		 n, dlen;
	size_t		 i;

	n = i2d_PrivateKey(rsa, &der);
	if (n <= 0 || (size_t)n > sizeof der_copy ||
	    !EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_D, &bn))
		return;
	memcpy(der_copy, der, (size_t)n);
	der_len = (size_t)n;
	OPENSSL_free(der);
	dlen = BN_bn2bin(bn, d);
	BN_clear_free(bn);
	for (i = 0; i + (size_t)dlen <= der_len; i++)
		if (memcmp(der_copy + i, d, (size_t)dlen) == 0)
			der_private = i;
	sodium_memzero(d, sizeof d);
}
#endif

static void
hexof(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int
main(void)
{
	EVP_PKEY	*rsa, *small, *ec, *ed, *pk = NULL, *pub = NULL;
	struct buf	 n = { 0 }, e = { 0 };
	unsigned char	 nbin[512], ebin[8], *der = NULL, md[32];
	size_t		 nlen, elen, used;
	char		*text, why[256], fp[RSAKEY_FINGERPRINT], want[65];
	char		 asap[RSAKEY_ASAP_NAME];
	int		 derlen;

	if (sodium_init() < 0)
		return 1;
	/* As the program does, before OpenSSL's first allocation. */
	ok(secret_wiping_openssl() == 0, "OpenSSL's frees are wiped");
	/* As the program does: the secure heap is there before a key is parsed. */
	ok(rsakey_secure_heap() == 1, "OpenSSL's secure heap is set up");
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!ok(rsa && small && ec && ed, "test keys made"))
		return done();

	private_loads(text = pem_of(rsa, 0), "PKCS#8 \"BEGIN PRIVATE KEY\"");
	free(text);
	private_loads(text = pem_of(rsa, 1), "PKCS#1 \"BEGIN RSA PRIVATE KEY\"");
	free(text);
	private_refused(text = pem_of(rsa, 2), "is encrypted",
	    "an encrypted PKCS#8 key");
	free(text);
	private_refused(text = pem_of(rsa, 3), "is encrypted",
	    "an encrypted PKCS#1 key");
	free(text);
	private_refused(text = pem_of(small, 0),
	    "is an RSA key of 1024 bits: at least 2048 are required",
	    "a 1024-bit key");
	free(text);
	private_refused(text = pem_of(ec, 0), "is a key of type EC: Jitsi "
	    "verifies RSA keys only", "an EC key");
	free(text);
	private_refused(text = pem_of(ed, 0), "is a key of type ED25519",
	    "an Ed25519 key");
	free(text);
	private_refused(text = pem_of(rsa, 4), "is not a PEM private key",
	    "a public key");
	free(text);
	private_refused("not a key at all\n", "is not a PEM private key",
	    "text that is no PEM");

	/* The parsed private numbers live in the secure heap, and only there while parsing. */
	used = CRYPTO_secure_used();
	text = pem_of(rsa, 0);
	rsakey_private(text, strlen(text), &pk, why, sizeof why);
	free(text);
	ok(pk != NULL && CRYPTO_secure_used() >= used + 5 * 128,
	    "the parsed key's private parts are in the secure heap (%zu bytes)",
	    CRYPTO_secure_used() - used);
	EVP_PKEY_free(pk);
	ok(CRYPTO_secure_used() == used, "... and leave it when the key is freed");

	/* Parsing leaves no copy of the DER it decoded, freed or on the stack. */
#ifdef __SANITIZE_ADDRESS__
	/* Reading the whole heap would trip over AddressSanitizer's redzones. */
	ok(1, "# SKIP memory scan under AddressSanitizer");
	ok(1, "# SKIP memory scan under AddressSanitizer");
#else
	remember_der(rsa);
	text = pem_of(rsa, 0);
	ok(der_len > 0 && der_private > 0 && der_pieces_in_memory() == 0,
	    "the key's DER is nowhere in memory before it is parsed");
	pk = NULL;
	rsakey_private(text, strlen(text), &pk, why, sizeof why);
	sodium_memzero(text, strlen(text));
	free(text);
	ok(pk != NULL && der_pieces_in_memory() == 0,
	    "... nor after it is parsed: the blocks OpenSSL freed were wiped");
	EVP_PKEY_free(pk);
#endif

	text = pem_of(rsa, 4);
	ok(rsakey_public(text, strlen(text), &pub, why, sizeof why) == 0 &&
	    EVP_PKEY_eq(pub, rsa) == 1, "a \"BEGIN PUBLIC KEY\" PEM loads");
	free(text);
	EVP_PKEY_free(pub);
	pub = NULL;
	text = pem_of(rsa, 0);
	ok(rsakey_public(text, strlen(text), &pub, why, sizeof why) == -1 &&
	    strstr(why, "is not a PEM public key") != NULL,
	    "a private key is not taken for a public one");
	free(text);
	text = pem_of(ec, 4);
	ok(rsakey_public(text, strlen(text), &pub, why, sizeof why) == -1 &&
	    strstr(why, "type EC") != NULL, "an EC public key is refused");
	free(text);

	/* n and e as a JWK has them, and back to the same key. */
	ok(rsakey_jwk_parts(rsa, &n, &e) == 0 &&
	    sodium_base642bin(nbin, sizeof nbin, n.data, n.len, NULL, &nlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	    sodium_base642bin(ebin, sizeof ebin, e.data, e.len, NULL, &elen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0,
	    "n and e are unpadded base64url");
	ok(nlen == 256 && elen == 3 && memcmp(ebin, "\x01\x00\x01", 3) == 0,
	    "n is 256 bytes, e is 65537");
	ok(rsakey_from_jwk(nbin, nlen, ebin, elen, &pub, why, sizeof why) == 0 &&
	    EVP_PKEY_eq(pub, rsa) == 1, "n and e make the same public key");
	EVP_PKEY_free(pub);
	pub = NULL;
	ok(rsakey_from_jwk(nbin, 128, ebin, elen, &pub, why, sizeof why) == -1 &&
	    strstr(why, "1024 bits") != NULL, "a 1024-bit JWK is refused");

	/* The fingerprint is the SHA-256 of the DER public key. */
	derlen = i2d_PUBKEY(rsa, &der);
	crypto_hash_sha256(md, der, (unsigned long long)derlen);
	OPENSSL_free(der);
	hexof(md, 32, want);
	ok(rsakey_fingerprint(rsa, fp) == 0, "fingerprint made");
	is_str(fp, want, "fingerprint: SHA-256 of the DER SubjectPublicKeyInfo");
	rsakey_asap_name("abc", asap);
	is_str(asap, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.pem",
	    "ASAP name: sha256hex(kid).pem");
	rsakey_asap_name("vpaas-magic-cookie-1f/4f4910", asap);
	crypto_hash_sha256(md, (const unsigned char *)"vpaas-magic-cookie-1f/4f4910", 28);
	hexof(md, 32, want);
	ok(strncmp(asap, want, 64) == 0 && strcmp(asap + 64, ".pem") == 0,
	    "ASAP name of a JaaS kid, slash and all");

	buf_free(&n);
	buf_free(&e);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(small);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
	return done();
}
