/* refuse.c: turning away a peer the clients table does not list: one error reply, then close. */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clients.h"
#include "linger.h"
#include "log.h"
#include "refuse.h"
#include "request.h"
#include "response.h"

/*
 * The peer matches no entry of the clients table: before reading any
 * request, log one line naming it, answer with one error reply, which
 * carries no seq, ended by a newline, and end the stream so that the
 * peer reads the reply whatever it had sent.
 */
void
refuse_client(int in_fd, int out_fd, const char *peer)
{
	static const struct value	 none = { .type = V_ABSENT };
	struct responder		 r;
	struct buf			 out = { 0 };
	size_t				 off = 0;
	ssize_t				 n;

	log_warn("%s: refused: matches no entry of clients", peer);
	if (responder_init(&r, &out) == -1 ||
	    response_write(&r, CLIENT_REFUSED, "", 0, (long long)time(NULL),
	    &none, TERM_LF) == -1) {
		log_err("%s: out of memory writing a reply", peer);
		out.len = 0;
	}
	while (off < out.len) {
		n = write(out_fd, out.data + off, out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		off += (size_t)n;
	}
	linger_drain(in_fd, out_fd);
	responder_free(&r);
	buf_free(&out);
}
