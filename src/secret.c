/* secret.c: key material (the HMAC secret, a private key's PEM) in guarded memory, and where it is read from. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "secret.h"
#include "startfile.h"

/* A secret or key file larger than this is surely the wrong file (a 16384-bit RSA key's PEM is 12.7 KB). */
#define SECRET_FILE_MAX	16384

/* Take over a freshly filled guarded key, dropping (and wiping) any older one. */
static void
adopt(struct secret *s, unsigned char *key, size_t len, const char *source)
{
	secret_free(s);
	s->key = key;
	s->len = len;
	s->exposed = 0;
	if (snprintf(s->source, sizeof s->source, "%s", source) >=
	    (int)sizeof s->source)
		memcpy(s->source + sizeof s->source - 4, "...", 4);
}

/* Copy n bytes of secret into fresh guarded memory; 0 or -1 (errno set). */
int
secret_set(struct secret *s, const void *p, size_t n, const char *source)
{
	unsigned char *key;

	if ((key = sodium_malloc(n ? n : 1)) == NULL)
		return -1;
	memcpy(key, p, n);
	adopt(s, key, n, source);
	return 0;
}

/*
 * Read a secret file straight into guarded memory, dropping one trailing
 * newline. A FIFO is read when a writer feeds it (process substitution),
 * and given up on when none does within STARTFILE_WAIT_MS. 0, or the exit
 * status the failure calls for: EX_NOINPUT when the file cannot be opened
 * or read, else EX_CONFIG; a reason (never the contents) goes to err.
 */
int
secret_read_file(struct secret *s, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	unsigned char	*key;
	const char	*kind;
	size_t		 len = 0;
	int		 fd;

	/* Opened without waiting: a FIFO would block open() until a writer came. */
	if ((fd = startfile_open(path, &st, err, errlen)) == -1)
		return EX_NOINPUT;
	kind = startfile_kind(&st);
	if ((kind != NULL && !S_ISFIFO(st.st_mode)) ||
	    (kind == NULL && st.st_size > SECRET_FILE_MAX)) {
		if (kind != NULL)
			snprintf(err, errlen, "is %s, not a regular file", kind);
		else
			snprintf(err, errlen, "not a regular file of at most %d bytes",
			    SECRET_FILE_MAX);
		close(fd);
		return EX_CONFIG;
	}
	if ((key = sodium_malloc(SECRET_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return EX_CONFIG;
	}
	if (startfile_read(fd, &st, (char *)key, SECRET_FILE_MAX + 1, &len, err,
	    errlen) == -1) {
		close(fd);
		sodium_free(key);
		/* A FIFO nobody wrote to is the configuration's mistake. */
		return kind != NULL ? EX_CONFIG : EX_NOINPUT;
	}
	close(fd);
	if (len > SECRET_FILE_MAX) {
		snprintf(err, errlen, "longer than %d bytes", SECRET_FILE_MAX);
		sodium_free(key);
		return EX_CONFIG;
	}
	if (len > 0 && key[len - 1] == '\n')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty");
		sodium_free(key);
		return EX_CONFIG;
	}
	adopt(s, key, len, path);
	/* Of the file opened, not of whatever the path names by now. */
	s->exposed = secret_mode_exposes(&st);
	return 0;
}

/*
 * 1 when a file of this mode lets others than the program read it: anyone
 * at all, or its group, unless that group is how the program itself reads
 * the file (the file's group is the program's own, the program is neither
 * its owner nor root). The packaged layout, 0640 owned by root and the
 * service's group, read by the service, is not warned about; the same file
 * checked by root is, since there only the group's other members gain.
 */
int
secret_mode_exposes(const struct stat *st)
{
	uid_t	euid = geteuid();

	if (st->st_mode & S_IROTH)
		return 1;
	if ((st->st_mode & S_IRGRP) == 0)
		return 0;
	return st->st_gid != getegid() || st->st_uid == euid || euid == 0;
}

/*
 * The systemd credential called name, when systemd passed one: its path in
 * buf, and 1; else 0.
 */
int
secret_credential(const char *name, char *buf, size_t len)
{
	const char *dir;

	if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL)
		return 0;
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return 0;
	return access(buf, F_OK) == 0;
}

/* Between uses the key pages are inaccessible: a stray read faults, not leaks. */
void
secret_lock(struct secret *s)
{
	if (s->key != NULL)
		sodium_mprotect_noaccess(s->key);
}

void
secret_unlock(struct secret *s)
{
	if (s->key != NULL)
		sodium_mprotect_readonly(s->key);
}

/* sodium_free zeroes the pages before releasing them. */
void
secret_free(struct secret *s)
{
	if (s->key != NULL) {
		sodium_mprotect_readwrite(s->key);
		sodium_free(s->key);
	}
	s->key = NULL;
	s->len = 0;
}

/*
 * Before any secret is read: no core dumps. OpenSSL keeps its own copy of
 * the HMAC key and the derived pad states on its ordinary heap (it does
 * not treat HMAC keys as long-term secrets), so the whole process must stay
 * out of dumps and unreadable by ptrace.
 */
void
secret_no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * The config parser copies escaped strings (the secret among them) into
 * its own heap buffers; this allocator zeroes every block before freeing it.
 * Each block carries its size in front.
 */
struct wipe_hdr {
	size_t size;
	size_t pad;	/* keeps the payload 16-byte aligned */
};

static void *
wipe_malloc(void *ctx, size_t n)
{
	struct wipe_hdr *h;

	(void)ctx;
	if (n > (size_t)-1 - sizeof *h || (h = malloc(sizeof *h + n)) == NULL)
		return NULL;
	h->size = n;
	return h + 1;
}

static void
wipe_free(void *ctx, void *p)
{
	struct wipe_hdr *h;

	(void)ctx;
	if (p == NULL)
		return;
	h = (struct wipe_hdr *)p - 1;
	sodium_memzero(p, h->size);
	free(h);
}

static void *
wipe_realloc(void *ctx, void *p, size_t n)
{
	struct wipe_hdr	*h;
	void		*q;

	if (p == NULL)
		return wipe_malloc(ctx, n);
	if ((q = wipe_malloc(ctx, n)) == NULL)
		return NULL;
	h = (struct wipe_hdr *)p - 1;
	memcpy(q, p, h->size < n ? h->size : n);
	wipe_free(ctx, p);
	return q;
}

yajl_alloc_funcs *
secret_wiping_allocator(void)
{
	/* yajl_alloc takes a non-const pointer, though it only reads it. */
	static yajl_alloc_funcs funcs = {
		wipe_malloc, wipe_realloc, wipe_free, NULL
	};

	return &funcs;
}

/*
 * OpenSSL frees the DER copies of a private key it decodes without wiping
 * them; with these allocation functions every block it frees is zeroed
 * first. They can only be installed before OpenSSL's first allocation.
 */
static void *
ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	/* As OpenSSL's own: nothing for a zero size. */
	return n == 0 ? NULL : wipe_malloc(NULL, n);
}

static void *
ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	if (n == 0) {
		wipe_free(NULL, p);
		return NULL;
	}
	return wipe_realloc(NULL, p, n);
}

static void
ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	wipe_free(NULL, p);
}

/* 0, or -1 when OpenSSL had allocated already and keeps its own functions. */
int
secret_wiping_openssl(void)
{
	return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) ?
	    0 : -1;
}

/*
 * OpenSSL's decoding leaves pieces of a private key it parsed in the stack
 * frames it has returned from, and in the vector registers its copies went
 * through, which the dynamic linker or a signal later spills to the stack.
 * Zero the stack below the caller's frame, then copy zeros the way those
 * copies went, through memcpy.
 */
__attribute__((noinline)) void
secret_scrub_stack(void)
{
	/* Called through a volatile pointer, the copy of zeros cannot be dropped. */
	static void *(*const volatile copy)(void *, const void *, size_t) = memcpy;
	unsigned char below[64 * 1024];
	size_t n;

	sodium_memzero(below, sizeof below);
	/* Each size takes another path through memcpy's registers. */
	for (n = 16; n <= 4096; n *= 2)
		copy(below, below + 8192, n + n / 2);
}
