/* frame.h: splits a byte stream into requests at NUL or newline, bounded in size. */
#ifndef CAS_FRAME_H
#define CAS_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/* How a request ended decides how its answer ends. */
enum term { TERM_NUL, TERM_LF };

/* Called once per request, in order; returns false to stop reading the stream. */
typedef bool	(*frame_cb)(void *, struct request *, enum term);

/* A stream's framing is set by how its first request ends. */
enum frame_mode { MODE_UNKNOWN, MODE_NUL, MODE_LINE };

struct frame {
	struct reqparser rp;
	size_t		 max_bytes;
	size_t		 nbytes;	/* bytes of the current request so far */
	bool		 started;	/* the current request has non-blank bytes */
	bool		 skipping;	/* after an error, up to the next terminator */
	bool		 multiline;	/* the current request has spanned a newline */
	enum frame_mode	 mode;
	frame_cb	 cb;
	void		*arg;
	char		 toolarge[64];
};

int	frame_init(struct frame *, size_t, frame_cb, void *);
void	frame_free(struct frame *);
int	frame_feed(struct frame *, const unsigned char *, size_t);
int	frame_eof(struct frame *);

#endif
