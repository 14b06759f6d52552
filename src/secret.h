/* secret.h: key material (the HMAC secret, a private key's PEM) in guarded memory, and where it is read from. */
#ifndef CAS_SECRET_H
#define CAS_SECRET_H

#include <stddef.h>
#include <yajl/yajl_common.h>

struct secret {
	unsigned char	*key;		/* sodium_malloc'd; NULL when unset */
	size_t		 len;
	char		 source[320];	/* where it came from, for check and errors */
	int		 exposed;	/* read from a file others may read (secret_mode_exposes) */
};

int	secret_set(struct secret *, const void *, size_t, const char *);
int	secret_read_file(struct secret *, const char *, char *, size_t);
int	secret_credential(const char *, char *, size_t);
struct stat;

int	secret_mode_exposes(const struct stat *);
void	secret_lock(struct secret *);
void	secret_unlock(struct secret *);
void	secret_free(struct secret *);
void	secret_no_core_dumps(void);
yajl_alloc_funcs *secret_wiping_allocator(void);
int	secret_wiping_openssl(void);
void	secret_scrub_stack(void);

#endif
