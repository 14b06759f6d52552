/* frame.c: splits a byte stream into requests at NUL or newline, bounded in size. */
#include <stdio.h>
#include <string.h>

#include "frame.h"

int
frame_init(struct frame *fr, size_t max_bytes, frame_cb cb, void *arg)
{
	memset(fr, 0, sizeof *fr);
	fr->max_bytes = max_bytes;
	fr->cb = cb;
	fr->arg = arg;
	snprintf(fr->toolarge, sizeof fr->toolarge,
	    "request too large (limit %zu bytes)", max_bytes);
	return reqparser_init(&fr->rp, max_bytes);
}

void
frame_free(struct frame *fr)
{
	reqparser_free(&fr->rp);
}

static bool
json_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Bytes of the current request, between terminators. */
static void
take(struct frame *fr, const unsigned char *s, size_t len)
{
	if (fr->skipping)
		return;
	if (!fr->started) {
		while (len > 0 && json_space(*s)) {
			s++;
			len--;
		}
		if (len == 0)
			return;
		fr->started = true;
	}
	/* Stop feeding the parser at the limit: its buffers stay bounded. */
	if (len > fr->max_bytes - fr->nbytes) {
		request_fail(&fr->rp.req, fr->toolarge);
		fr->skipping = true;
		return;
	}
	fr->nbytes += len;
	if (reqparser_feed(&fr->rp, s, len) == -1)
		fr->skipping = true;
}

/* Answer the current request, then ready the next: -1 out of memory, 1 stop. */
static int
end_request(struct frame *fr, enum term t)
{
	bool go_on;

	if (!fr->started)
		return 0;
	if (!fr->skipping)
		reqparser_finish(&fr->rp);
	if (fr->mode == MODE_UNKNOWN)
		fr->mode = t == TERM_NUL ? MODE_NUL : MODE_LINE;
	go_on = fr->cb(fr->arg, &fr->rp.req, t);
	fr->nbytes = 0;
	fr->started = fr->skipping = false;
	if (reqparser_next(&fr->rp) == -1)
		return -1;
	return go_on ? 0 : 1;
}

/*
 * A newline ends a complete value, and any request on a line-framed
 * stream; inside an unfinished value it is whitespace, so a pretty-printed
 * object ended by NUL stays one request. After an error, a NUL-framed
 * stream skips to the NUL; others stop at the newline.
 */
static int
newline(struct frame *fr)
{
	if (!fr->started)
		return 0;
	if (fr->mode == MODE_LINE)
		return end_request(fr, TERM_LF);
	if (!fr->skipping && !fr->rp.complete)
		take(fr, (const unsigned char *)"\n", 1);
	if (fr->skipping)
		return fr->mode == MODE_NUL ? 0 : end_request(fr, TERM_LF);
	return fr->rp.complete ? end_request(fr, TERM_LF) : 0;
}

/* 0 when all was consumed, 1 when a callback asked to stop, -1 out of memory. */
int
frame_feed(struct frame *fr, const unsigned char *p, size_t n)
{
	const unsigned char	*end = p + n, *q;
	int			 rc;

	while (p < end) {
		for (q = p; q < end && *q != '\0' && *q != '\n'; q++)
			;
		if (q > p)
			take(fr, p, (size_t)(q - p));
		if (q == end)
			break;
		p = q + 1;
		rc = *q == '\0' ? end_request(fr, TERM_NUL) : newline(fr);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* An unterminated request at the end of the stream is answered all the same. */
int
frame_eof(struct frame *fr)
{
	return end_request(fr, fr->mode == MODE_NUL ? TERM_NUL : TERM_LF);
}
