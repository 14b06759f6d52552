/* startfile.c: opens and reads the files read at start-up without ever waiting forever on one. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "startfile.h"

/*
 * Open path for reading. O_NONBLOCK keeps open() from waiting for a
 * FIFO's writer (or a device's carrier); a terminal never becomes the
 * controlling one. The descriptor, with st filled in, or -1 with why.
 */
int
startfile_open(const char *path, struct stat *st, char *why, size_t whylen)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* What st is, for a message, when it is no regular file; NULL when it is one. */
const char *
startfile_kind(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return NULL;
	if (S_ISDIR(st->st_mode))
		return "a directory";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO (named pipe)";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "no regular file";
}

/*
 * Read what fd holds into buf, at most cap bytes (a byte more tells the
 * caller there was more): a regular file as it is, a pipe or FIFO until
 * its writer closes it, within STARTFILE_WAIT_MS in all, so that a FIFO
 * nobody writes to is given up on. Directories and devices are refused.
 * 0 with *lenp, or -1 with why.
 */
int
startfile_read(int fd, const struct stat *st, char *buf, size_t cap,
    size_t *lenp, char *why, size_t whylen)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	long long	 deadline = now_ms() + STARTFILE_WAIT_MS, left;
	const char	*kind = startfile_kind(st);
	size_t		 len = 0;
	ssize_t		 r;
	int		 n;

	if (kind != NULL && !S_ISFIFO(st->st_mode)) {
		snprintf(why, whylen, "is %s, not a file", kind);
		return -1;
	}
	while (len < cap) {
		/* A FIFO with no writer yet reads as its end: wait for data first. */
		if (kind != NULL) {
			if ((left = deadline - now_ms()) <= 0) {
				snprintf(why, whylen, "is a FIFO (named pipe) that nothing "
				    "was written to, or not to its end, within %d seconds",
				    STARTFILE_WAIT_MS / 1000);
				return -1;
			}
			if ((n = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR) {
				snprintf(why, whylen, "cannot read: %s", strerror(errno));
				return -1;
			}
			if (n <= 0)
				continue;
		}
		if ((r = read(fd, buf + len, cap - len)) == 0)
			break;
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, whylen, "cannot read: %s", strerror(errno));
			return -1;
		}
		len += (size_t)r;
	}
	*lenp = len;
	return 0;
}
