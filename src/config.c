/* config.c: loads and validates the JSON configuration file. */
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_parse.h>

#include "clientconf.h"
#include "config.h"
#include "jaas.h"
#include "keys.h"
#include "jsonint.h"
#include "log.h"
#include "nodeprep.h"
#include "policyconf.h"
#include "startfile.h"
#include "textsafe.h"
#include "unixsock.h"
#include "utf8.h"

#define CONFIG_MAX	(1024 * 1024)
#define PATH_DEPTH	32

enum ktype { K_OBJECT, K_STRING, K_SECRET, K_INT, K_BOOL, K_PORT, K_POLICY, K_ALG,
	K_MODE, K_CLIENTS, K_INLINE_KEY, K_KEYLIST, K_PREVKEY };

/* Every key the file may hold: its dotted path, type, and where it goes. */
static const struct key {
	const char	*path;
	enum ktype	 type;
	size_t		 off;
	long long	 min, max;
} keys[] = {
	{ "jitsi", K_OBJECT, 0, 0, 0 },
	{ "jitsi.domain", K_STRING, offsetof(struct config, domain), 0, 0 },
	{ "jitsi.jaas", K_BOOL, offsetof(struct config, jaas), 0, 0 },
	{ "jwt", K_OBJECT, 0, 0, 0 },
	{ "jwt.app_id", K_STRING, offsetof(struct config, app_id), 0, 0 },
	{ "jwt.secret", K_SECRET, 0, 0, 0 },
	{ "jwt.secret_file", K_STRING, offsetof(struct config, secret_file), 0, 0 },
	{ "jwt.audience", K_STRING, offsetof(struct config, audience), 0, 0 },
	{ "jwt.algorithm", K_ALG, 0, 0, 0 },
	{ "jwt.kid", K_STRING, offsetof(struct config, kid), 0, 0 },
	{ "jwt.private_key_file", K_STRING,
	    offsetof(struct config, private_key_file), 0, 0 },
	{ "jwt.private_key", K_INLINE_KEY, 0, 0, 0 },
	{ "jwt.previous_keys", K_KEYLIST, 0, 0, 0 },
	{ "jwt.previous_keys.kid", K_PREVKEY, offsetof(struct pubkey, kid), 0, 0 },
	{ "jwt.previous_keys.public_key_file", K_PREVKEY,
	    offsetof(struct pubkey, source), 0, 0 },
	{ "inbound", K_OBJECT, offsetof(struct config, inbound.set), 0, 0 },
	{ "inbound.host", K_STRING, offsetof(struct config, inbound.host), 0, 0 },
	{ "inbound.port", K_PORT, offsetof(struct config, inbound.port), 1, 65535 },
	{ "outbound", K_OBJECT, offsetof(struct config, outbound.set), 0, 0 },
	{ "outbound.host", K_STRING, offsetof(struct config, outbound.host), 0, 0 },
	{ "outbound.port", K_PORT, offsetof(struct config, outbound.port), 1, 65535 },
	{ "policy", K_POLICY, offsetof(struct config, policy), 0, 0 },
	{ "limits", K_OBJECT, 0, 0, 0 },
	{ "limits.max_request_bytes", K_INT,
	    offsetof(struct config, max_request_bytes), 64, 16 * 1024 * 1024 },
	{ "limits.idle_timeout", K_INT,
	    offsetof(struct config, idle_timeout), 0, 86400 },
	{ "limits.max_connections", K_INT,
	    offsetof(struct config, max_connections), 1, 65536 },
	{ "limits.max_requests_per_connection", K_INT,
	    offsetof(struct config, max_requests_per_connection), 0, LLONG_MAX },
	{ "limits.spare_processes", K_INT,
	    offsetof(struct config, spare_processes), 0, MAX_SPARES },
	{ "inbound.path", K_STRING, offsetof(struct config, inbound_unix.path), 0, 0 },
	{ "inbound.mode", K_MODE, offsetof(struct config, inbound_unix.mode), 0, 0777 },
	{ "inbound.group", K_STRING, offsetof(struct config, inbound_unix.group), 0, 0 },
	{ "outbound.policy", K_POLICY, offsetof(struct config, outbound_policy), 0, 0 },
	{ "clients", K_CLIENTS, 0, 0, 0 },
};
#define NKEYS	(sizeof keys / sizeof keys[0])

static const char *const type_words[] = {
	[K_OBJECT] = "must be an object",
	[K_STRING] = "must be a string",
	[K_SECRET] = "must be a string",
	[K_INT] = "must be an integer",
	[K_BOOL] = "must be true or false",
	[K_PORT] = "must be an integer from 1 to 65535",
	[K_POLICY] = "must be an object",
	[K_ALG] = "must be \"HS256\", \"HS384\", \"HS512\", \"RS256\", "
	    "\"RS384\" or \"RS512\"",
	[K_MODE] = "must be a string of octal digits from \"0\" to \"0777\", such as \"0660\"",
	[K_CLIENTS] = "must be an array of objects",
	[K_INLINE_KEY] = "an inline private key is not accepted: put the PEM in "
	    "a file of mode 0600 named by jwt.private_key_file, or pass the "
	    "systemd credential jwt-private-key",
	[K_KEYLIST] = "must be an array of objects, each with \"kid\" and "
	    "\"public_key_file\"",
	[K_PREVKEY] = "must be a string",
};

/* State of one parse: where in the document we are and what went wrong. */
struct loader {
	struct config	*cfg;
	int		 depth;			/* open objects and arrays */
	char		 kind[PATH_DEPTH + 1];	/* '{' or '[' at each depth */
	size_t		 pathlen[PATH_DEPTH + 1];
	char		 path[256];		/* dotted key of the value at hand */
	const struct key *cur;			/* known key whose value comes next */
	int		 ignore;		/* depth of an unknown key, or 0 */
	struct policy_parser pp;		/* inside a policy object */
	struct clients_parser cp;		/* inside the clients array */
	bool		 in_keylist;		/* in jwt.previous_keys */
	bool		 top_object;
	bool		 seen[NKEYS];
	char		 err[320];
};

static int
fail(struct loader *l, const char *path, const char *problem)
{
	snprintf(l->err, sizeof l->err, "%s: %s", path, problem);
	return 0;
}

static int
wrong_type(struct loader *l)
{
	return fail(l, l->cur->path, type_words[l->cur->type]);
}

static bool
in_object(const struct loader *l)
{
	return l->depth >= 1 && l->kind[l->depth] == '{';
}

/* A value is stored only when it belongs to a known key. */
static bool
wanted(const struct loader *l)
{
	return l->ignore == 0 && l->cur != NULL && in_object(l);
}

static void *
slot(struct loader *l)
{
	return (char *)l->cfg + l->cur->off;
}

/* A key's value is complete: back to the enclosing object's path. */
static int
value_done(struct loader *l)
{
	if (in_object(l)) {
		if (l->ignore == l->depth)
			l->ignore = 0;
		l->path[l->pathlen[l->depth]] = '\0';
		l->cur = NULL;
	}
	return 1;
}

static int
set_integer(struct loader *l, long long n)
{
	const struct key *k = l->cur;
	char word[96];

	if (n < k->min || n > k->max) {
		if (k->type == K_PORT)
			return wrong_type(l);
		if (k->max == LLONG_MAX)
			snprintf(word, sizeof word, "must be at least %lld", k->min);
		else
			snprintf(word, sizeof word,
			    "must be an integer from %lld to %lld", k->min, k->max);
		return fail(l, k->path, word);
	}
	if (k->type == K_PORT)
		snprintf(slot(l), 6, "%lld", n);
	else
		*(long long *)slot(l) = n;
	return value_done(l);
}

/* A port given as a string: decimal digits only, no sign or space. */
static bool
all_digits(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

/* Directly inside the jwt.previous_keys array, where only objects belong. */
static bool
at_keylist(const struct loader *l)
{
	return l->in_keylist && l->kind[l->depth] == '[' && l->ignore == 0;
}

/* Scalars outside any known key (unknown keys, their arrays) are skipped. */
static int
skip_or_fail(struct loader *l)
{
	if (l->depth == 0)
		return fail(l, "(top level)", "must be a JSON object");
	if (at_keylist(l))
		return fail(l, "jwt.previous_keys", type_words[K_KEYLIST]);
	return value_done(l);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	struct loader	*l = ctx;
	long long	 n;

	if (l->cp.active)
		return clients_callbacks.yajl_number(&l->cp, s, len);
	if (l->pp.active)
		return policy_callbacks.yajl_number(&l->pp, s, len);
	if (!wanted(l))
		return skip_or_fail(l);
	if ((l->cur->type != K_INT && l->cur->type != K_PORT) ||
	    jsonint_parse(s, len, &n) == -1)
		return wrong_type(l);
	return set_integer(l, n);
}

/* One more element of jwt.previous_keys: its kid and file come next. */
static int
add_prevkey(struct loader *l)
{
	struct config	*cfg = l->cfg;
	struct pubkey	*k;
	size_t		 i;

	if ((k = reallocarray(cfg->keys, cfg->nkeys + 1, sizeof *k)) == NULL)
		return fail(l, "jwt.previous_keys", "out of memory");
	cfg->keys = k;
	memset(&k[cfg->nkeys++], 0, sizeof *k);
	/* Each element has its own kid and public_key_file. */
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == K_PREVKEY)
			l->seen[i] = false;
	return 1;
}

/*
 * A copy of a non-empty UTF-8 string value (these go into every token's
 * claims, or name files); NULL once fail() said why.
 */
static char *
string_copy(struct loader *l, const unsigned char *s, size_t len)
{
	char *copy;

	if (len == 0) {
		fail(l, l->cur->path, "must not be empty");
		return NULL;
	}
	if (!utf8_valid((const char *)s, len)) {
		fail(l, l->cur->path, "is not valid UTF-8");
		return NULL;
	}
	if ((copy = strndup((const char *)s, len)) == NULL)
		fail(l, l->cur->path, "out of memory");
	return copy;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct loader	*l = ctx;
	struct config	*cfg = l->cfg;
	char		*copy, name[8];
	long long	 n;

	if (l->cp.active)
		return clients_callbacks.yajl_string(&l->cp, s, len);
	if (l->pp.active)
		return policy_callbacks.yajl_string(&l->pp, s, len);
	if (at_keylist(l))
		return fail(l, "jwt.previous_keys", type_words[K_KEYLIST]);
	if (!wanted(l))
		return skip_or_fail(l);
	if (memchr(s, '\0', len) != NULL)
		return fail(l, l->cur->path, "must not contain a NUL character");
	switch (l->cur->type) {
	case K_SECRET:
		/* Straight into guarded memory: no plain copy of the secret. */
		if (len == 0)
			return fail(l, "jwt.secret", "must not be empty");
		if (secret_set(&cfg->secret, s, len, "jwt.secret") == -1)
			return fail(l, "jwt.secret", "out of memory");
		return value_done(l);
	case K_PORT:
		if (!all_digits(s, len) || jsonint_parse((const char *)s, len, &n) == -1)
			return wrong_type(l);
		return set_integer(l, n);
	case K_ALG:
		if (len >= sizeof name)
			return wrong_type(l);
		memcpy(name, s, len);
		name[len] = '\0';
		if (alg_parse(name, &cfg->alg) == -1)
			return wrong_type(l);
		cfg->alg_set = true;
		return value_done(l);
	case K_MODE:
		if (len == 0 || len > 4 || !all_digits(s, len) ||
		    memchr(s, '8', len) || memchr(s, '9', len))
			return wrong_type(l);
		memcpy(name, s, len);
		name[len] = '\0';
		if ((n = strtoll(name, NULL, 8)) > 0777)
			return wrong_type(l);
		return set_integer(l, n);
	case K_STRING:
		if ((copy = string_copy(l, s, len)) == NULL)
			return 0;
		free(*(char **)slot(l));
		*(char **)slot(l) = copy;
		return value_done(l);
	case K_PREVKEY:
		if ((copy = string_copy(l, s, len)) == NULL)
			return 0;
		/* The element add_prevkey made when its object opened. */
		*(char **)((char *)&cfg->keys[cfg->nkeys - 1] + l->cur->off) = copy;
		return value_done(l);
	default:
		return wrong_type(l);
	}
}

static int
cb_boolean(void *ctx, int b)
{
	struct loader *l = ctx;

	if (l->cp.active)
		return clients_callbacks.yajl_boolean(&l->cp, b);
	if (l->pp.active)
		return policy_callbacks.yajl_boolean(&l->pp, b);
	if (!wanted(l))
		return skip_or_fail(l);
	if (l->cur->type != K_BOOL)
		return wrong_type(l);
	*(bool *)slot(l) = b != 0;
	return value_done(l);
}

static int
cb_null(void *ctx)
{
	struct loader *l = ctx;

	if (l->cp.active)
		return clients_callbacks.yajl_null(&l->cp);
	if (l->pp.active)
		return policy_callbacks.yajl_null(&l->pp);
	return wanted(l) ? wrong_type(l) : skip_or_fail(l);
}

static int
push(struct loader *l, char kind)
{
	if (l->depth == PATH_DEPTH)
		return fail(l, l->path, "nested too deeply");
	l->depth++;
	l->kind[l->depth] = kind;
	l->pathlen[l->depth] = strlen(l->path);
	return 1;
}

static int
cb_start_map(void *ctx)
{
	struct loader *l = ctx;

	if (l->cp.active)
		return clients_callbacks.yajl_start_map(&l->cp);
	if (l->pp.active)
		return policy_callbacks.yajl_start_map(&l->pp);
	if (l->depth == 0)
		l->top_object = true;
	else if (wanted(l) && l->cur->type == K_POLICY) {
		/* A policy object's members are its own parser's to read. */
		policy_parse_begin(&l->pp, slot(l), l->cfg->path, l->path, l->err,
		    sizeof l->err);
		return push(l, '{');
	} else if (at_keylist(l)) {
		if (add_prevkey(l) == 0)
			return 0;
	} else if (wanted(l)) {
		if (l->cur->type != K_OBJECT)
			return wrong_type(l);
		if (l->cur->off != 0)
			*(bool *)slot(l) = true;
	}
	return push(l, '{');
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct loader	*l = ctx;
	size_t		 base = l->pathlen[l->depth], i;
	int		 n;

	if (l->cp.active)
		return clients_callbacks.yajl_map_key(&l->cp, key, len);
	if (l->pp.active)
		return policy_callbacks.yajl_map_key(&l->pp, key, len);
	n = snprintf(l->path + base, sizeof l->path - base, "%s%.*s",
	    base ? "." : "", (int)len, (const char *)key);
	if (n < 0 || (size_t)n >= sizeof l->path - base)
		return fail(l, "(key)", "key too long");
	l->cur = NULL;
	if (l->ignore)
		return 1;
	i = NKEYS;
	/* A dot or NUL inside a key must not make "jitsi.domain" an alias. */
	if (memchr(key, '.', len) == NULL && memchr(key, '\0', len) == NULL)
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].path, l->path) == 0)
				break;
	if (i == NKEYS) {
		/* A typo must not pass silently, yet old files must keep working. */
		char safe[4 * 64 + 4];

		/* As written, escaped: a key may hold a NUL or a terminal escape. */
		text_safe(safe, sizeof safe, (const char *)key, len, true);
		log_warn("%s: unknown key \"%.*s%s%s\" ignored", l->cfg->path,
		    (int)base, l->path, base ? "." : "", safe);
		l->ignore = l->depth;
		return 1;
	}
	if (l->seen[i])
		return fail(l, keys[i].path, "given more than once");
	l->seen[i] = true;
	l->cur = &keys[i];
	return 1;
}

static int
cb_start_array(void *ctx)
{
	struct loader *l = ctx;

	if (l->cp.active)
		return clients_callbacks.yajl_start_array(&l->cp);
	if (l->pp.active)
		return policy_callbacks.yajl_start_array(&l->pp);
	if (l->depth == 0)
		return fail(l, "(top level)", "must be a JSON object");
	if (at_keylist(l))
		return fail(l, "jwt.previous_keys", type_words[K_KEYLIST]);
	if (wanted(l) && l->cur->type == K_KEYLIST) {
		l->in_keylist = true;
		return push(l, '[');
	}
	if (wanted(l) && l->cur->type == K_CLIENTS) {
		/* The entries are their own parser's to read. */
		clients_parse_begin(&l->cp, l->cfg, l->err, sizeof l->err);
		return push(l, '[');
	}
	if (wanted(l))
		return wrong_type(l);
	return push(l, '[');
}

static int
cb_end(void *ctx)
{
	struct loader *l = ctx;

	if (l->cp.active) {
		if (!clients_callbacks.yajl_end_array(&l->cp))
			return 0;
		/* The array's own closing bracket closes it here too. */
		if (l->cp.active)
			return 1;
	}
	if (l->pp.active) {
		if (!policy_callbacks.yajl_end_map(&l->pp))
			return 0;
		/* The policy object's own closing brace closes it here too. */
		if (l->pp.active)
			return 1;
	}
	if (at_keylist(l))
		l->in_keylist = false;
	l->depth--;
	return value_done(l);
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

static void
position(const char *text, size_t off, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

/*
 * Read the whole file into guarded memory: it may hold the secret. A pipe
 * (-c <(...)) is read to its end; nothing is waited on forever (startfile.c).
 * NULL on failure.
 */
static char *
read_text(const char *path, size_t *lenp, int *readable_by_others,
    struct cfgerr *e)
{
	struct stat	 st;
	char		*text, why[160];
	size_t		 len = 0, cap;
	int		 fd;

	if ((fd = startfile_open(path, &st, why, sizeof why)) == -1)
		return cfgerr_set(e, EX_NOINPUT, "%s: %s", path, why), NULL;
	if (st.st_size > CONFIG_MAX) {
		cfgerr_set(e, EX_CONFIG, "%s: larger than %d bytes", path,
		    CONFIG_MAX);
		close(fd);
		return NULL;
	}
	*readable_by_others = secret_mode_exposes(&st);
	/* Locked memory is scarce: a regular file gets what it holds; a pipe the cap and a byte to see more. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size : CONFIG_MAX + 1;
	if ((text = sodium_malloc(cap + 1)) == NULL) {
		cfgerr_sys(e, EX_OSERR, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	if (startfile_read(fd, &st, text, cap, &len, why, sizeof why) == -1) {
		cfgerr_set(e, EX_NOINPUT, "%s: %s", path, why);
		close(fd);
		sodium_free(text);
		return NULL;
	}
	close(fd);
	if (len > CONFIG_MAX) {
		cfgerr_set(e, EX_CONFIG, "%s: larger than %d bytes", path,
		    CONFIG_MAX);
		sodium_free(text);
		return NULL;
	}
	text[len] = '\0';
	*lenp = len;
	return text;
}

static int
parse(struct config *cfg, const char *text, size_t len, struct cfgerr *e)
{
	struct loader	 l;
	yajl_handle	 h;
	yajl_status	 st;
	unsigned char	*msg;
	unsigned	 line, col;
	size_t		 off;

	memset(&l, 0, sizeof l);
	l.cfg = cfg;
	if ((h = yajl_alloc(&callbacks, secret_wiping_allocator(), &l)) == NULL)
		return cfgerr_sys(e, EX_OSERR, "%s", cfg->path);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_client_canceled) {
		yajl_free(h);
		return cfgerr_set(e, EX_CONFIG, "%s: %s", cfg->path, l.err);
	}
	if (st != yajl_status_ok) {
		/* Not the verbose form: it would quote the file, secret and all. */
		msg = yajl_get_error(h, 0, NULL, 0);
		/* yajl counts the offending byte as consumed. */
		off = yajl_get_bytes_consumed(h);
		position(text, off > 0 ? off - 1 : 0, &line, &col);
		cfgerr_set(e, EX_CONFIG, "%s:%u:%u: malformed JSON: %.*s",
		    cfg->path, line, col, (int)strcspn((char *)msg, "\n"),
		    (char *)msg);
		yajl_free_error(h, msg);
		yajl_free(h);
		return EX_CONFIG;
	}
	yajl_free(h);
	if (!l.top_object)
		return cfgerr_set(e, EX_CONFIG,
		    "%s: the top level must be a JSON object", cfg->path);
	return 0;
}

static int
require(const struct config *cfg, const void *p, const char *key,
    struct cfgerr *e)
{
	if (p == NULL)
		return cfgerr_set(e, EX_CONFIG, "%s: %s: missing", cfg->path, key);
	return 0;
}

static int
endpoint_defaults(const struct config *cfg, struct endpoint *ep,
    const char *name, struct cfgerr *e)
{
	if (!ep->set)
		return 0;
	/* inbound may be a Unix socket alone. */
	if (ep == &cfg->inbound && cfg->inbound_unix.path != NULL &&
	    ep->host == NULL && ep->port[0] == '\0')
		return 0;
	if (ep->port[0] == '\0')
		return cfgerr_set(e, EX_CONFIG, "%s: %s.port: missing", cfg->path,
		    name);
	if (ep->host == NULL && (ep->host = strdup("127.0.0.1")) == NULL)
		return cfgerr_sys(e, EX_OSERR, "%s", cfg->path);
	return 0;
}

/* inbound.mode and inbound.group are about inbound.path, which must fit a socket address. */
static int
unix_defaults(struct config *cfg, struct cfgerr *e)
{
	struct unixaddr		*u = &cfg->inbound_unix;
	struct sockaddr_un	 sun;
	struct stat		 st;

	if (u->path == NULL) {
		if (u->mode != -1 || u->group != NULL)
			return cfgerr_set(e, EX_CONFIG, "%s: %s: needs inbound.path",
			    cfg->path, u->mode != -1 ? "inbound.mode" :
			    "inbound.group");
		return 0;
	}
	if (strlen(u->path) >= sizeof sun.sun_path)
		return cfgerr_set(e, EX_CONFIG,
		    "%s: inbound.path: longer than %zu bytes", cfg->path,
		    sizeof sun.sun_path - 1);
	if (u->mode == -1)
		u->mode = 0660;
	/* What check cannot see here, the listener would find only at start. */
	if (u->group != NULL && unixsock_group(u->group, &u->gid) == -1)
		return cfgerr_set(e, EX_CONFIG, "%s: inbound.group: no group \"%s\" "
		    "on this system", cfg->path, u->group);
	if (lstat(u->path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return cfgerr_set(e, EX_CONFIG, "%s: inbound.path %s: exists and is "
		    "not a socket; it is left alone", cfg->path, u->path);
	return 0;
}

/* The policies of the game link and of the clients: their own keys over policy. */
static int
merge_policies(struct config *cfg, struct cfgerr *e)
{
	if (policy_merge(&cfg->outbound_policy, &cfg->outbound_policy,
	    &cfg->policy) == -1 || clients_merge(cfg) == -1)
		return cfgerr_sys(e, EX_OSERR, "%s", cfg->path);
	return 0;
}

/* The secret's sources, in order: the systemd credential, a file, the config itself. */
static int
load_secret(struct config *cfg, int config_readable, struct cfgerr *e)
{
	char		 path[PATH_MAX], why[160];
	int		 rc;

	if (cfg->secret.key != NULL && cfg->secret_file != NULL)
		return cfgerr_set(e, EX_CONFIG,
		    "%s: jwt.secret and jwt.secret_file: give only one", cfg->path);
	if (cfg->secret.key != NULL) {
		if (config_readable)
			log_warn("%s is readable by group or others and holds the secret",
			    cfg->path);
	} else if (cfg->secret_file != NULL) {
		if ((rc = secret_read_file(&cfg->secret, cfg->secret_file, why,
		    sizeof why)) != 0)
			return cfgerr_set(e, rc, "%s: jwt.secret_file: %s: %s",
			    cfg->path, cfg->secret_file, why);
		if (cfg->secret.exposed)
			log_warn("%s is readable by group or others and holds the secret",
			    cfg->secret_file);
	} else if (secret_credential("jwt-secret", path, sizeof path)) {
		if ((rc = secret_read_file(&cfg->secret, path, why, sizeof why)) != 0)
			return cfgerr_set(e, rc, "credential %s: %s", path, why);
	} else
		return cfgerr_set(e, EX_CONFIG,
		    "%s: no secret: set jwt.secret or jwt.secret_file, "
		    "or pass the systemd credential jwt-secret", cfg->path);
	/* RFC 7518 3.2: a key at least as long as the hash output. */
	if (cfg->secret.len < alg_digest_len(cfg->alg))
		log_warn("%s: the secret is only %zu bytes; %s wants at least %zu",
		    cfg->path, cfg->secret.len, alg_name(cfg->alg),
		    alg_digest_len(cfg->alg));
	secret_lock(&cfg->secret);
	return 0;
}

static int
load(struct config *cfg, const char *path, struct cfgerr *e)
{
	char	*text;
	size_t	 len;
	int	 readable = 0, rc;

	if ((text = read_text(path, &len, &readable, e)) == NULL)
		return e->status;
	rc = parse(cfg, text, len, e);
	sodium_free(text);
	if (rc != 0)
		return rc;
	if (cfg->jaas && (rc = jaas_apply(cfg, e)) != 0)
		return rc;
	if ((rc = require(cfg, cfg->domain, "jitsi.domain", e)) != 0 ||
	    (rc = require(cfg, cfg->app_id, "jwt.app_id", e)) != 0)
		return rc;
	if (cfg->audience == NULL && (cfg->audience = strdup("jitsi")) == NULL)
		return cfgerr_sys(e, EX_OSERR, "%s", path);
	if ((rc = unix_defaults(cfg, e)) != 0 ||
	    (rc = endpoint_defaults(cfg, &cfg->inbound, "inbound", e)) != 0 ||
	    (rc = endpoint_defaults(cfg, &cfg->outbound, "outbound", e)) != 0 ||
	    (rc = merge_policies(cfg, e)) != 0)
		return rc;
	if ((rc = keys_check_mix(cfg, e)) != 0)
		return rc;
	if (alg_is_rsa(cfg->alg))
		return keys_load(cfg, e);
	return load_secret(cfg, readable, e);
}

/*
 * Load path into cfg: 0, or the exit status the failure calls for with a
 * one-line message naming the file and the problem in e: EX_NOINPUT when
 * it cannot be read, EX_CONFIG when it is wrong. cfg holds nothing then.
 * Warnings are logged as they are found.
 */
int
config_load(struct config *cfg, const char *path, struct cfgerr *e)
{
	int rc;

	memset(cfg, 0, sizeof *cfg);
	cfg->path = path;
	cfg->alg = ALG_HS256;
	policy_defaults(&cfg->policy);
	cfg->max_request_bytes = 65536;
	cfg->idle_timeout = 60;
	cfg->max_connections = 64;
	cfg->spare_processes = DEFAULT_SPARES;
	cfg->inbound_unix.mode = -1;
	e->status = 0;
	e->msg[0] = '\0';
	if ((rc = load(cfg, path, e)) != 0)
		config_free(cfg);
	return rc;
}

/* An error with a message: returns the status, for return cfgerr_set(...). */
int
cfgerr_set(struct cfgerr *e, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->status = status;
	return status;
}

/* The same, with errno's text appended as fatal() does. */
int
cfgerr_sys(struct cfgerr *e, int status, const char *fmt, ...)
{
	char	msg[sizeof e->msg];
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cfgerr_set(e, status, "%s: %s", msg, strerror(saved));
}

void
config_free(struct config *cfg)
{
	free(cfg->domain);
	free(cfg->app_id);
	free(cfg->audience);
	free(cfg->secret_file);
	free(cfg->jaas_app_id);
	free(cfg->kid);
	free(cfg->private_key_file);
	EVP_PKEY_free(cfg->private_key);
	pubkeys_free(cfg->keys, cfg->nkeys);
	free(cfg->inbound.host);
	free(cfg->outbound.host);
	policy_free(&cfg->policy);
	free(cfg->inbound_unix.path);
	free(cfg->inbound_unix.group);
	policy_free(&cfg->outbound_policy);
	clients_free(cfg->clients, cfg->nclients);
	secret_free(&cfg->secret);
	memset(cfg, 0, sizeof *cfg);
}
