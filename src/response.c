/* response.c: writes one compact JSON reply per request, in the protocol's key order. */
#include <string.h>

#include "json.h"
#include "request.h"
#include "response.h"

int
responder_init(struct responder *r, struct buf *out)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	/* yajl escapes strings straight into the connection's buffer. */
	return (r->g = json_gen(out)) == NULL ? -1 : 0;
}

void
responder_free(struct responder *r)
{
	if (r->g != NULL)
		yajl_gen_free(r->g);
	buf_free(&r->time);
	memset(r, 0, sizeof *r);
}

/* The time's text changes once a second; the replies between share it. */
static int
append_time(struct responder *r, long long now)
{
	struct buf *t = &r->time;

	if (t->len == 0 || r->time_now != now) {
		buf_reset(t);
		if (APPEND_LIT(t, "\",\"time\":") == -1 || json_int(t, now) == -1) {
			buf_reset(t);
			return -1;
		}
		r->time_now = now;
	}
	return buf_append(r->out, t->data, t->len);
}

/* One JSON string: an error message, or a seq sent as a string. */
static int
append_string(struct responder *r, const char *s, size_t len)
{
	return json_string(r->g, r->out, s, len);
}

/* seq comes back as it was sent: a number as written, a string re-encoded. */
static int
append_seq(struct responder *r, const struct value *seq)
{
	struct buf *out = r->out;

	if (APPEND_LIT(out, ",\"seq\":") == -1)
		return -1;
	switch (seq->type) {
	case V_NUMBER:
		return buf_append(out, seq->s, seq->len);
	case V_STRING:
		return append_string(r, seq->s, seq->len);
	case V_BOOL:
		return seq->b ? APPEND_LIT(out, "true") : APPEND_LIT(out, "false");
	default:
		return APPEND_LIT(out, "null");
	}
}

static int
append_status(struct responder *r, const char *err, const char *token,
    size_t tlen)
{
	struct buf *out = r->out;

	if (err == NULL)
		return APPEND_LIT(out, "{\"success\":true,\"message\":\"OK\",\"token\":\"") ||
		    buf_append(out, token, tlen);
	return APPEND_LIT(out, "{\"success\":false,\"message\":") ||
	    append_string(r, err, strlen(err)) || APPEND_LIT(out, ",\"token\":\"");
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
	    append_time(r, now) ||
	    (echo && append_seq(r, seq)) ||
	    (t == TERM_NUL ? APPEND_LIT(out, "}\n\0") : APPEND_LIT(out, "}\n")) ||
	    out->failed) {
		/* Never leave half a reply in the stream. */
		out->len = start;
		return -1;
	}
	return 0;
}
