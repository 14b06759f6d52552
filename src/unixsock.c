/* unixsock.c: the listener's own Unix-domain socket: bound at inbound.path with its mode and group, removed at exit. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "unixsock.h"

static void
address(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	/* The configuration checked that it fits. */
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s", path);
}

/*
 * A socket file left by a listener that died is replaced; one that a
 * process still listens on, or a file of any other kind, is not.
 */
static void
clear_stale(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, rc, saved;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return;
		fatal(EX_OSERR, "inbound.path %s", path);
	}
	if (!S_ISSOCK(st.st_mode))
		fatalx(EX_CONFIG, "inbound.path %s: exists and is not a socket; "
		    "it is left alone", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal(EX_OSERR, "inbound.path %s: socket", path);
	address(&sun, path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	saved = errno;
	close(fd);
	/* A full backlog (EAGAIN) is a listener too. */
	if (rc == 0 || saved == EAGAIN)
		fatalx(EX_OSERR, "inbound.path %s: another process listens on it",
		    path);
	if (saved == ENOENT)
		return;
	if (saved != ECONNREFUSED) {
		errno = saved;
		fatal(EX_OSERR, "inbound.path %s: cannot tell whether a process "
		    "listens on it", path);
	}
	if (unlink(path) == -1 && errno != ENOENT)
		fatal(EX_OSERR, "inbound.path %s: cannot remove the stale socket",
		    path);
	log_info("inbound.path %s: replaced a stale socket nothing listened on",
	    path);
}

/* inbound.group: a group's name, or its number; 0, or -1 when there is none. */
int
unixsock_group(const char *group, gid_t *gid)
{
	char		*end;
	unsigned long	 n;

	if (identity_gid_named(group, gid) == 0)
		return 0;
	errno = 0;
	n = strtoul(group, &end, 10);
	if (group[0] >= '0' && group[0] <= '9' && *end == '\0' && errno == 0 &&
	    n < (gid_t)-1) {
		*gid = (gid_t)n;
		return 0;
	}
	return -1;
}

/* A failure after bind: the file made is no use to anyone. */
static _Noreturn void
bail(const char *path, const char *what)
{
	int saved = errno;

	(void)unlink(path);
	errno = saved;
	fatal(EX_OSERR, "inbound.path %s: %s", path, what);
}

/*
 * Listen on u's path, its permissions set before any client can connect
 * (none can before listen); the listening descriptor, non-blocking.
 * Start-up failures are fatal. The mode comes from the umask at bind, and
 * the group from lchown, so no path is ever followed to another file.
 */
int
unixsock_listen(struct unixsock *us, const struct unixaddr *u)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd, rc, saved;

	memset(us, 0, sizeof *us);
	clear_stale(u->path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal(EX_OSERR, "inbound.path %s: socket", u->path);
	address(&sun, u->path);
	old = umask(0777 & ~(mode_t)u->mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	saved = errno;
	umask(old);
	if (rc == -1) {
		errno = saved;
		fatal(EX_OSERR, "inbound.path %s", u->path);
	}
	if ((us->path = strdup(u->path)) == NULL)
		bail(u->path, "out of memory");
	if (lstat(u->path, &st) == 0) {
		us->dev = st.st_dev;
		us->ino = st.st_ino;
	}
	if (u->group != NULL && lchown(u->path, (uid_t)-1, u->gid) == -1)
		bail(u->path, "cannot give it to inbound.group");
	if (listen(fd, 128) == -1)
		bail(u->path, "listen");
	return fd;
}

/* At exit: remove the socket file, if it is still the one made here. */
void
unixsock_remove(struct unixsock *us)
{
	struct stat st;

	if (us->path == NULL)
		return;
	if (lstat(us->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == us->dev && st.st_ino == us->ino &&
	    unlink(us->path) == -1)
		log_warn("inbound.path %s: cannot remove it: %s", us->path,
		    strerror(errno));
	free(us->path);
	us->path = NULL;
}
