/* log.c: where log lines go (journal, syslog or stderr), and the fatal start-up exits. */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"
#include "textsafe.h"

enum log_dest { DEST_STDERR, DEST_SYSLOG, DEST_JOURNAL };

static enum log_dest	dest = DEST_STDERR;
static int		max_prio = LOG_INFO;

/* JOURNAL_STREAM names the journal's stream only if stderr is still that stream. */
static int
stderr_is_journal(void)
{
	const char		*env = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* Under inetd and xinetd stderr may be the client's socket: never write there. */
static int
stderr_is_socket_or_closed(void)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st) == -1)
		return 1;
	return S_ISSOCK(st.st_mode);
}

/* verbosity: -1 quiet (warnings and worse), 0 info, 1 debug. */
void
log_init(int verbosity)
{
	max_prio = verbosity < 0 ? LOG_WARNING :
	    verbosity > 0 ? LOG_DEBUG : LOG_INFO;
	if (stderr_is_journal())
		dest = DEST_JOURNAL;
	else if (stderr_is_socket_or_closed()) {
		dest = DEST_SYSLOG;
		openlog("chat-admin-server", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	} else
		dest = DEST_STDERR;
}

/* Lets a caller skip building a line nobody will see. */
int
log_enabled(int prio)
{
	return prio <= max_prio;
}

static void CAS_PRINTF(2, 0)
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char		 line[1024];
	const char	*label;

	if (prio > max_prio)
		return;
	/* A truncated log line is still worth having. */
	(void)vsnprintf(line, sizeof line, fmt, ap);
	switch (dest) {
	case DEST_JOURNAL:
		sd_journal_print(prio, "%s", line);
		break;
	case DEST_SYSLOG:
		syslog(prio, "%s", line);
		break;
	case DEST_STDERR:
		label = prio <= LOG_ERR ? "" : prio == LOG_WARNING ?
		    "warning: " : prio == LOG_DEBUG ? "debug: " : "";
		fprintf(stderr, "chat-admin-server: %s%s\n", label, line);
		break;
	}
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/*
 * Copy untrusted text (a display name, a room) for a log line: control
 * characters (C0 and C1), bidi overrides, bytes that are no UTF-8, quotes
 * and backslashes are escaped so a name cannot forge lines or act on a
 * terminal. Returns the length written; dst is always terminated.
 */
size_t
log_clean(char *dst, size_t dstlen, const char *src, size_t len)
{
	return text_safe(dst, dstlen, src, len, true);
}

_Noreturn void
fatal(int status, const char *fmt, ...)
{
	char	msg[768];
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_err("%s: %s", msg, strerror(saved));
	exit(status);
}

_Noreturn void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(status);
}
