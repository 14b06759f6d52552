/* pubkey.c: publishing the public keys (PEM, JWKS, an ASAP directory) and listing them for check. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cas.h"
#include "json.h"
#include "log.h"
#include "pubkey.h"
#include "rsakey.h"

static _Noreturn void
pubkey_usage(void)
{
	fprintf(stderr, "usage: chat-admin-server [-c file | file] pubkey "
	    "[--jwks | --asap dir]\n");
	exit(EX_USAGE);
}

/* A string as JSON, quotes and escapes included, for lines a person reads. */
static int
quoted(struct buf *b, const char *s)
{
	yajl_gen	g;
	int		rc;

	buf_reset(b);
	if ((g = json_gen(b)) == NULL)
		return -1;
	rc = yajl_gen_string(g, (const unsigned char *)s, strlen(s)) ==
	    yajl_gen_status_ok && !b->failed && buf_append(b, "", 1) == 0 ? 0 : -1;
	yajl_gen_free(g);
	return rc;
}

/* check's lines: every key, what it does, and how to recognise it, never private material. */
int
pubkey_list(const struct config *cfg, FILE *out)
{
	struct buf	 q = { 0 };
	char		 asap[RSAKEY_ASAP_NAME], fp[RSAKEY_FINGERPRINT];
	size_t		 i;
	int		 rc = 0;

	fprintf(out, "jwt.private_key: (RSA %d bits from %s)\n",
	    EVP_PKEY_get_bits(cfg->private_key), cfg->keys[0].source);
	for (i = 0; i < cfg->nkeys && rc == 0; i++) {
		const struct pubkey *k = &cfg->keys[i];

		if (quoted(&q, k->kid) == -1 || rsakey_asap_name(k->kid, asap) == -1 ||
		    rsakey_fingerprint(k->pkey, fp) == -1) {
			rc = -1;
			break;
		}
		if (i == 0)
			fprintf(out, "key %s: current, signs: RSA %d bits\n", q.data,
			    EVP_PKEY_get_bits(k->pkey));
		else
			fprintf(out, "key %s: previous, verifies only: RSA %d bits "
			    "from %s\n", q.data, EVP_PKEY_get_bits(k->pkey), k->source);
		fprintf(out, "key %s: ASAP file %s\n", q.data, asap);
		fprintf(out, "key %s: SHA-256 of the public key %s\n", q.data, fp);
	}
	buf_free(&q);
	return rc;
}

/* One JWK: {"kty":"RSA","kid":…,"alg":…,"use":"sig","n":…,"e":…}. */
static int
gen_jwk(yajl_gen g, const struct pubkey *k, enum alg a)
{
	struct buf	 n = { 0 }, e = { 0 };
	const char	*alg = alg_name(a);
	int		 st;

	if (rsakey_jwk_parts(k->pkey, &n, &e) == -1) {
		buf_free(&n);
		buf_free(&e);
		return -1;
	}
	/* yajl_gen_status_ok is 0: OR-ing the statuses tells if any call failed. */
	st = yajl_gen_map_open(g);
	st |= yajl_gen_string(g, (const unsigned char *)"kty", 3);
	st |= yajl_gen_string(g, (const unsigned char *)"RSA", 3);
	st |= yajl_gen_string(g, (const unsigned char *)"kid", 3);
	st |= yajl_gen_string(g, (const unsigned char *)k->kid, strlen(k->kid));
	st |= yajl_gen_string(g, (const unsigned char *)"alg", 3);
	st |= yajl_gen_string(g, (const unsigned char *)alg, strlen(alg));
	st |= yajl_gen_string(g, (const unsigned char *)"use", 3);
	st |= yajl_gen_string(g, (const unsigned char *)"sig", 3);
	st |= yajl_gen_string(g, (const unsigned char *)"n", 1);
	st |= yajl_gen_string(g, (const unsigned char *)n.data, n.len);
	st |= yajl_gen_string(g, (const unsigned char *)"e", 1);
	st |= yajl_gen_string(g, (const unsigned char *)e.data, e.len);
	st |= yajl_gen_map_close(g);
	buf_free(&n);
	buf_free(&e);
	return st == yajl_gen_status_ok ? 0 : -1;
}

/* The JWKS document for cache_keys_url: every key, current first. */
static int
print_jwks(const struct config *cfg)
{
	struct buf	 b = { 0 };
	yajl_gen	 g;
	size_t		 i;
	int		 st, rc = -1;

	if ((g = json_gen(&b)) == NULL)
		return -1;
	st = yajl_gen_map_open(g);
	st |= yajl_gen_string(g, (const unsigned char *)"keys", 4);
	st |= yajl_gen_array_open(g);
	for (i = 0; i < cfg->nkeys && st == yajl_gen_status_ok; i++)
		if (gen_jwk(g, &cfg->keys[i], cfg->alg) == -1)
			st = yajl_gen_generation_complete;
	st |= yajl_gen_array_close(g);
	st |= yajl_gen_map_close(g);
	yajl_gen_free(g);
	if (st == yajl_gen_status_ok && !b.failed &&
	    fwrite(b.data, 1, b.len, stdout) == b.len && putchar('\n') != EOF)
		rc = 0;
	buf_free(&b);
	return rc;
}

/*
 * Write one key's PEM as dir/name, through a temporary file renamed over
 * it. The directory is often another user's (a web server's): the
 * temporary file gets a fresh random name and is created, never opened if
 * it exists, and no symbolic link is followed, so nothing planted there
 * makes this write through to another file.
 */
static int
write_asap(const char *dir, const char *name, EVP_PKEY *pk)
{
	char	 tmp[NAME_MAX + 1];
	FILE	*f;
	int	 dfd, fd = -1, ok, i, saved;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	for (i = 0; i < 8 && fd == -1; i++) {
		if (snprintf(tmp, sizeof tmp, ".%s.%08" PRIx32 ".tmp", name,
		    randombytes_random()) >= (int)sizeof tmp) {
			close(dfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	/* A web server serves these: readable by all, whatever the umask. */
	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		errno = saved;
		return -1;
	}
	ok = rsakey_write_pem(pk, f) == 0;
	/* rename replaces whatever has the name, a planted link included. */
	if (fclose(f) != 0 || !ok || renameat(dfd, tmp, dfd, name) == -1) {
		saved = errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		errno = saved;
		return -1;
	}
	close(dfd);
	return 0;
}

/* dir and its missing parents, as mkdir -p makes them. */
static void
make_dirs(const char *dir)
{
	char	path[PATH_MAX];
	size_t	i, len;

	if ((len = strlen(dir)) >= sizeof path)
		fatalx(EX_CANTCREAT, "pubkey: %s: path too long", dir);
	memcpy(path, dir, len + 1);
	/* Each prefix that ends before a slash, then the whole path. */
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			fatal(EX_CANTCREAT, "pubkey: %s", path);
		if (i < len)
			path[i] = '/';
	}
}

/* An asap_key_server directory: <sha256hex(kid)>.pem for every key. */
static int
write_asap_dir(const struct config *cfg, const char *dir)
{
	char	asap[RSAKEY_ASAP_NAME];
	size_t	i;

	make_dirs(dir);
	for (i = 0; i < cfg->nkeys; i++) {
		const struct pubkey *k = &cfg->keys[i];

		if (rsakey_asap_name(k->kid, asap) == -1)
			return -1;
		if (write_asap(dir, asap, k->pkey) == -1)
			fatal(EX_CANTCREAT, "pubkey: %s/%s", dir, asap);
		printf("%s/%s\n", dir, asap);
	}
	return 0;
}

/* Print or write the public keys of an RS* configuration. */
int
admin_pubkey(struct cas *cas, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jwks", no_argument, NULL, 'j' },
		{ "asap", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const struct config	*cfg = &cas->cfg;
	const char		*dir = NULL;
	char			 trimmed[PATH_MAX];
	size_t			 n;
	int			 ch, jwks = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': jwks = 1; break;
		case 'a': dir = optarg; break;
		default: pubkey_usage();
		}
	}
	if (optind != argc || (jwks && dir != NULL))
		pubkey_usage();
	if (!alg_is_rsa(cfg->alg))
		fatalx(EX_CONFIG, "pubkey: jwt.algorithm is %s: an HMAC secret has "
		    "no public key; set an RS algorithm and jwt.private_key_file",
		    alg_name(cfg->alg));
	if (jwks)
		rc = print_jwks(cfg);
	else if (dir != NULL) {
		/* dir/ and dir name the same files. */
		if (snprintf(trimmed, sizeof trimmed, "%s", dir) >= (int)sizeof trimmed)
			fatalx(EX_CANTCREAT, "pubkey: %s: path too long", dir);
		for (n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
			trimmed[n - 1] = '\0';
		rc = write_asap_dir(cfg, trimmed);
	} else
		rc = rsakey_write_pem(cfg->keys[0].pkey, stdout);
	if (rc == -1)
		fatalx(EX_OSERR, "pubkey: could not encode the keys");
	return fflush(stdout) == 0 ? 0 : EX_OSERR;
}
