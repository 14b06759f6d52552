/* response.c: writes one compact JSON reply per request, in the protocol's key order. */
#include <stdio.h>
#include <string.h>

#include "request.h"
#include "response.h"

static void
print_to_buf(void *ctx, const char *s, size_t len)
{
	(void)buf_append(ctx, s, len);
}

int
responder_init(struct responder *r, struct buf *out)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	r->time = -1;
	if ((r->g = yajl_gen_alloc(NULL)) == NULL)
		return -1;
	/* No copy between yajl's output and the connection's buffer. */
	yajl_gen_config(r->g, yajl_gen_print_callback, print_to_buf, out);
	return 0;
}

void
responder_free(struct responder *r)
{
	if (r->g != NULL)
		yajl_gen_free(r->g);
	buf_free(&r->quoted);
	memset(r, 0, sizeof *r);
}

/* seq comes back as it was sent: a number as written, a string re-encoded. */
static int
gen_seq(yajl_gen g, const struct value *seq)
{
	int st = yajl_gen_string(g, (const unsigned char *)"seq", 3);

	switch (seq->type) {
	case V_NUMBER:
		return st | yajl_gen_number(g, seq->s, seq->len);
	case V_STRING:
		return st | yajl_gen_string(g, (const unsigned char *)seq->s,
		    seq->len);
	case V_BOOL:
		return st | yajl_gen_bool(g, seq->b);
	default:
		return st | yajl_gen_null(g);
	}
}

/* The time changes once a second: its digits are made once a second too. */
static int
gen_time(struct responder *r, long long now)
{
	int n;

	if (now != r->time) {
		n = snprintf(r->timetext, sizeof r->timetext, "%lld", now);
		if (n < 0 || (size_t)n >= sizeof r->timetext)
			return yajl_gen_invalid_number;
		r->timelen = (size_t)n;
		r->time = now;
	}
	return yajl_gen_number(r->g, r->timetext, r->timelen);
}

/*
 * A token is base64url and dots only: nothing to escape. yajl_gen_number
 * writes its text verbatim, so the quoted token goes out without a per-byte
 * scan of its ~500 characters.
 */
static int
gen_token(yajl_gen g, struct buf *quoted, const char *token, size_t len)
{
	buf_reset(quoted);
	if (buf_append(quoted, "\"", 1) == -1 ||
	    buf_append(quoted, token, len) == -1 ||
	    buf_append(quoted, "\"", 1) == -1)
		return yajl_gen_invalid_string;
	return yajl_gen_number(g, quoted->data, quoted->len);
}

/*
 * {"success":B,"message":M,"token":T,"time":N[,"seq":S]} and the terminator
 * matching the request's: "\n\0" after NUL (as the original wrote), "\n" after
 * newline. err NULL means success. 0, or -1 when out of memory.
 */
int
response_write(struct responder *r, const char *err, const char *token,
    size_t tlen, long long now, const struct value *seq, enum term t)
{
	yajl_gen	 g = r->g;
	struct buf	*out = r->out;
	const char	*msg = err ? err : "OK";
	size_t		 start = out->len;
	int		 st = 0;

	yajl_gen_reset(g, NULL);
	/* yajl_gen_status_ok is 0: OR-ing the statuses tells if any call failed. */
	st |= yajl_gen_map_open(g);
	st |= yajl_gen_string(g, (const unsigned char *)"success", 7);
	st |= yajl_gen_bool(g, err == NULL);
	st |= yajl_gen_string(g, (const unsigned char *)"message", 7);
	st |= yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
	st |= yajl_gen_string(g, (const unsigned char *)"token", 5);
	st |= gen_token(g, &r->quoted, err ? "" : token, err ? 0 : tlen);
	st |= yajl_gen_string(g, (const unsigned char *)"time", 4);
	st |= gen_time(r, now);
	if (seq->type == V_NUMBER || seq->type == V_STRING ||
	    seq->type == V_BOOL || seq->type == V_NULL)
		st |= gen_seq(g, seq);
	st |= yajl_gen_map_close(g);
	if (st == yajl_gen_status_ok)
		buf_append(out, t == TERM_NUL ? "\n\0" : "\n",
		    t == TERM_NUL ? 2 : 1);
	if (st != yajl_gen_status_ok || out->failed) {
		/* Never leave half a reply in the stream. */
		out->len = start;
		return -1;
	}
	return 0;
}
