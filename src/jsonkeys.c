/* jsonkeys.c: finds JSON that readers read differently: a key given twice, U+0000 in a key or a top-level string. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "jsonkeys.h"
#include "textsafe.h"

/* One open object or array; for an object, its keys so far. */
struct frame {
	bool	 object;
	size_t	 first;		/* its first key in keys[] */
	size_t	 cur;		/* its current key, or (size_t)-1 */
};

struct key {
	const unsigned char	*s;	/* a copy, owned here */
	size_t			 len;
};

struct walk {
	struct frame	*frames;
	size_t		 depth, fcap;
	struct key	*keys;
	size_t		 nkeys, kcap;
	char		*why;
	size_t		 whylen;
	bool		 failed;
};

/* The dotted path of the key at hand, shown safely, with key appended when given. */
static void
path(struct walk *w, char *dst, size_t dstlen, const struct key *last)
{
	char	seg[80];
	size_t	i, o = 0;
	int	n;

	dst[0] = '\0';
	for (i = 0; i <= w->depth && o < dstlen; i++) {
		const struct key *k = NULL;

		if (i < w->depth && w->frames[i].object &&
		    w->frames[i].cur != (size_t)-1)
			k = &w->keys[w->frames[i].cur];
		else if (i < w->depth && !w->frames[i].object) {
			n = snprintf(dst + o, dstlen - o, "[]");
			o += n > 0 ? (size_t)n : 0;
			continue;
		} else if (i == w->depth)
			k = last;
		if (k == NULL)
			continue;
		text_safe(seg, sizeof seg, (const char *)k->s, k->len, true);
		n = snprintf(dst + o, dstlen - o, "%s%s", o > 0 ? "." : "", seg);
		o += n > 0 ? (size_t)n : 0;
	}
}

static int
fail(struct walk *w, const struct key *k, const char *problem)
{
	char p[200];

	path(w, p, sizeof p, k);
	snprintf(w->why, w->whylen, "key \"%s\" %s", p, problem);
	w->failed = true;
	return 0;
}

static int
push(struct walk *w, bool object)
{
	struct frame *f;

	if (w->depth == w->fcap) {
		w->fcap = w->fcap ? 2 * w->fcap : 16;
		if ((f = reallocarray(w->frames, w->fcap, sizeof *f)) == NULL)
			return 0;
		w->frames = f;
	}
	w->frames[w->depth++] = (struct frame){ object, w->nkeys, (size_t)-1 };
	return 1;
}

static int
pop(void *ctx)
{
	struct walk	*w = ctx;
	size_t		 i;

	if (w->depth == 0)
		return 1;
	w->depth--;
	for (i = w->frames[w->depth].first; i < w->nkeys; i++)
		free((void *)w->keys[i].s);
	w->nkeys = w->frames[w->depth].first;
	return 1;
}

static int
start_map(void *ctx)
{
	return push(ctx, true);
}

static int
start_array(void *ctx)
{
	return push(ctx, false);
}

/* Keys are compared as decoded, by length and bytes, as lua-cjson compares them. */
static int
map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct walk	*w = ctx;
	struct frame	*f = &w->frames[w->depth - 1];
	struct key	 k = { s, len }, *keys;
	unsigned char	*copy;
	size_t		 i;

	f->cur = (size_t)-1;
	if (memchr(s, '\0', len) != NULL)
		return fail(w, &k, "holds U+0000, which C strings cut short");
	for (i = f->first; i < w->nkeys; i++)
		if (w->keys[i].len == len && memcmp(w->keys[i].s, s, len) == 0)
			return fail(w, &k, "given more than once (Jitsi reads the "
			    "last one, other readers may read the first)");
	if (w->nkeys == w->kcap) {
		w->kcap = w->kcap ? 2 * w->kcap : 32;
		if ((keys = reallocarray(w->keys, w->kcap, sizeof *keys)) == NULL)
			return 0;
		w->keys = keys;
	}
	if ((copy = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(copy, s, len);
	w->keys[w->nkeys] = (struct key){ copy, len };
	f->cur = w->nkeys++;
	return 1;
}

/* A top-level string is what Jitsi compares (alg, iss, room...): no U+0000 in it. */
static int
string(void *ctx, const unsigned char *s, size_t len)
{
	struct walk *w = ctx;

	if (w->depth == 1 && w->frames[0].object && memchr(s, '\0', len) != NULL)
		return fail(w, NULL, "holds U+0000 in its value, which C strings "
		    "cut short");
	return 1;
}

static const yajl_callbacks callbacks = {
	NULL, NULL, NULL, NULL, NULL, string,
	start_map, map_key, pop, start_array, pop
};

/*
 * NULL when the JSON text reads the same to every reader: no object holds
 * a key twice, and no key nor top-level string holds U+0000. Otherwise
 * what is wrong, naming the key by its dotted path, in why. Text that is
 * no JSON is left for the caller's parser to refuse: NULL.
 */
const char *
json_ambiguity(const unsigned char *text, size_t len, char *why,
    size_t whylen)
{
	struct walk	w;
	yajl_handle	h;
	const char	*rc = NULL;

	memset(&w, 0, sizeof w);
	w.why = why;
	w.whylen = whylen;
	if ((h = yajl_alloc(&callbacks, NULL, &w)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return why;
	}
	if (yajl_parse(h, text, len) == yajl_status_client_canceled ||
	    yajl_complete_parse(h) == yajl_status_client_canceled) {
		if (!w.failed)
			snprintf(why, whylen, "out of memory");
		rc = why;
	}
	yajl_free(h);
	while (w.depth > 0)
		pop(&w);
	free(w.frames);
	free(w.keys);
	return rc;
}
