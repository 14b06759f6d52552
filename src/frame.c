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

/* Bytes of the current request, between terminators. */
static void
take(struct frame *fr, const unsigned char *s, size_t len)
{
	size_t room, n;

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
	/*
	 * Parse up to the limit, then stop feeding the parser, so its buffers
	 * stay bounded and a seq read before the limit is echoed however the
	 * bytes were split into reads.
	 */
	room = fr->max_bytes - fr->nbytes;
	n = len < room ? len : room;
	if (reqparser_feed(&fr->rp, s, n) == -1)
		fr->skipping = true;
	else if (len > room) {
		request_fail(&fr->rp.req, fr->toolarge);
		fr->skipping = true;
	}
	fr->nbytes += n;
}

/* Answer the current request, then ready the next: -1 out of memory, 1 stop. */
static int
end_request(struct frame *fr, enum term t)
{
	bool go_on;

	/* An empty request ended by NUL still tells how the stream is framed. */
	if (!fr->started) {
		if (t == TERM_NUL)
			fr->mode = MODE_NUL;
		return 0;
	}
	if (!fr->skipping)
		reqparser_finish(&fr->rp);
	if (fr->mode == MODE_UNKNOWN || t == TERM_NUL)
		fr->mode = t == TERM_NUL ? MODE_NUL : MODE_LINE;
	go_on = fr->cb(fr->arg, &fr->rp.req, t);
	fr->nbytes = 0;
	fr->started = fr->skipping = fr->multiline = false;
	if (reqparser_next(&fr->rp) == -1)
		return -1;
	return go_on ? 0 : 1;
}

/*
 * On a NUL-framed stream a newline is white space; on a line-framed one it
 * ends the request. Before the framing is known it ends a complete value,
 * and is white space inside an unfinished one (a pretty-printed object);
 * one that breaks the value (in a string, a number) ends it too, as the
 * request never spanned a line. After an error, a request that has
 * spanned lines is skipped to its NUL.
 */
static int
newline(struct frame *fr)
{
	if (!fr->started)
		return 0;
	if (fr->mode == MODE_LINE)
		return end_request(fr, TERM_LF);
	if (fr->skipping)
		return fr->mode == MODE_NUL || fr->multiline ? 0 :
		    end_request(fr, TERM_LF);
	if (fr->mode == MODE_UNKNOWN && fr->rp.complete)
		return end_request(fr, TERM_LF);
	take(fr, (const unsigned char *)"\n", 1);
	if (fr->mode == MODE_UNKNOWN && (fr->rp.complete ||
	    (fr->skipping && !fr->multiline)))
		return end_request(fr, TERM_LF);
	fr->multiline = true;
	return 0;
}

/*
 * 0 when all was consumed, 1 when a callback asked to stop, -1 out of
 * memory. Each byte is searched once for a newline and once for a NUL.
 */
int
frame_feed(struct frame *fr, const unsigned char *p, size_t n)
{
	const unsigned char	*end = p + n, *q, *nl = NULL;
	int			 rc;

	while (p < end) {
		/*
		 * The next newline, kept until it is passed: a stream without
		 * newlines is not searched to its end again for each request.
		 * On a NUL-framed stream a newline is white space, which take()
		 * treats as newline() would, so only NULs are looked for.
		 */
		if (fr->mode == MODE_NUL)
			nl = end;
		else if ((nl == NULL || nl < p) &&
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* The nearer of it and the next NUL (memchr is vectorised). */
		if ((q = memchr(p, '\0', (size_t)(nl - p))) == NULL)
			q = nl;
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
