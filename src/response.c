/* response.c: writes one compact JSON reply per request, in the protocol's key order. */
#include <stdio.h>
#include <string.h>

#include "request.h"
#include "response.h"

#define APPEND(b, lit)	buf_append(b, lit, sizeof lit - 1)

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
	/* yajl escapes strings straight into the connection's buffer. */
	yajl_gen_config(r->g, yajl_gen_print_callback, print_to_buf, out);
	return 0;
}

void
responder_free(struct responder *r)
{
	if (r->g != NULL)
		yajl_gen_free(r->g);
	memset(r, 0, sizeof *r);
}

/* One JSON string, escaped by yajl: an error message, or a seq sent as a string. */
static int
append_string(struct responder *r, const char *s, size_t len)
{
	yajl_gen_reset(r->g, NULL);
	return yajl_gen_string(r->g, (const unsigned char *)s, len) ==
	    yajl_gen_status_ok ? 0 : -1;
}

/* The time changes once a second: its digits are made once a second too. */
static int
append_time(struct responder *r, long long now)
{
	int n;

	if (now != r->time) {
		n = snprintf(r->timetext, sizeof r->timetext, "%lld", now);
		if (n < 0 || (size_t)n >= sizeof r->timetext)
			return -1;
		r->timelen = (size_t)n;
		r->time = now;
	}
	return buf_append(r->out, r->timetext, r->timelen);
}

/* seq comes back as it was sent: a number as written, a string re-encoded. */
static int
append_seq(struct responder *r, const struct value *seq)
{
	struct buf *out = r->out;

	if (APPEND(out, ",\"seq\":") == -1)
		return -1;
	switch (seq->type) {
	case V_NUMBER:
		return buf_append(out, seq->s, seq->len);
	case V_STRING:
		return append_string(r, seq->s, seq->len);
	case V_BOOL:
		return seq->b ? APPEND(out, "true") : APPEND(out, "false");
	default:
		return APPEND(out, "null");
	}
}

static int
append_status(struct responder *r, const char *err, const char *token,
    size_t tlen)
{
	struct buf *out = r->out;

	if (err == NULL)
		return APPEND(out, "{\"success\":true,\"message\":\"OK\",\"token\":\"") ||
		    buf_append(out, token, tlen);
	return APPEND(out, "{\"success\":false,\"message\":") ||
	    append_string(r, err, strlen(err)) || APPEND(out, ",\"token\":\"");
}

/*
 * {"success":B,"message":M,"token":T,"time":N[,"seq":S]} and the terminator
 * matching the request's: "\n\0" after NUL (as the original wrote), "\n"
 * after newline. err NULL means success. The layout is fixed, so only the
 * strings that may need escaping go through yajl; a token is base64url and
 * dots only. 0, or -1 when out of memory.
 */
int
response_write(struct responder *r, const char *err, const char *token,
    size_t tlen, long long now, const struct value *seq, enum term t)
{
	struct buf	*out = r->out;
	size_t		 start = out->len;
	bool		 echo = seq->type == V_NUMBER || seq->type == V_STRING ||
			    seq->type == V_BOOL || seq->type == V_NULL;

	/* buf_append returns 0 or -1, so || chains stop at the first failure. */
	if (append_status(r, err, token, tlen) ||
	    APPEND(out, "\",\"time\":") || append_time(r, now) ||
	    (echo && append_seq(r, seq)) ||
	    (t == TERM_NUL ? APPEND(out, "}\n\0") : APPEND(out, "}\n")) ||
	    out->failed) {
		/* Never leave half a reply in the stream. */
		out->len = start;
		return -1;
	}
	return 0;
}
