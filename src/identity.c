/* identity.c: who is asking: a Unix peer's credentials, a TCP peer's address, or the user running the program. */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "identity.h"
#include "log.h"

/* NSS may ask for a larger buffer (a group with many members); this much at most. */
#define NSS_BUF_MAX	(1024 * 1024)

enum nss_query { Q_UID, Q_GID, Q_USER, Q_GROUP };

/*
 * One look-up in the user or group database, by id or by name: 0 with the
 * name copied to name (when given) and the id to idp (when given), or -1
 * when there is no such entry or it cannot be read.
 */
static int
nss(enum nss_query q, const char *key, unsigned long id, char *name,
    size_t namelen, unsigned long *idp)
{
	struct passwd	 pw, *pwr = NULL;
	struct group	 gr, *grr = NULL;
	const char	*found;
	char		*buf = NULL, *grown;
	size_t		 size = 1024;
	unsigned long	 fid;
	int		 e = 0;

	for (;;) {
		if ((grown = realloc(buf, size)) == NULL)
			break;
		buf = grown;
		switch (q) {
		case Q_UID: e = getpwuid_r((uid_t)id, &pw, buf, size, &pwr); break;
		case Q_USER: e = getpwnam_r(key, &pw, buf, size, &pwr); break;
		case Q_GID: e = getgrgid_r((gid_t)id, &gr, buf, size, &grr); break;
		case Q_GROUP: e = getgrnam_r(key, &gr, buf, size, &grr); break;
		}
		if (e != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 2;
	}
	if (pwr == NULL && grr == NULL) {
		free(buf);
		return -1;
	}
	found = pwr ? pwr->pw_name : grr->gr_name;
	fid = pwr ? (unsigned long)pwr->pw_uid : (unsigned long)grr->gr_gid;
	/* A name too long to keep is no name: only the log shows it. */
	if (name != NULL && snprintf(name, namelen, "%s", found) >= (int)namelen)
		name[0] = '\0';
	if (idp != NULL)
		*idp = fid;
	free(buf);
	return 0;
}

/* The uid of the user named name: 0, or -1 when there is none. */
int
identity_uid_named(const char *name, uid_t *uid)
{
	unsigned long id;

	if (nss(Q_USER, name, 0, NULL, 0, &id) == -1)
		return -1;
	*uid = (uid_t)id;
	return 0;
}

/* The gid of the group named name: 0, or -1 when there is none. */
int
identity_gid_named(const char *name, gid_t *gid)
{
	unsigned long id;

	if (nss(Q_GROUP, name, 0, NULL, 0, &id) == -1)
		return -1;
	*gid = (gid_t)id;
	return 0;
}

static void
names(struct identity *id)
{
	if (nss(Q_UID, NULL, id->uid, id->user, sizeof id->user, NULL) == -1)
		id->user[0] = '\0';
	if (nss(Q_GID, NULL, id->gid, id->group, sizeof id->group, NULL) == -1)
		id->group[0] = '\0';
}

/* "uid=1000(alice) gid=1000(alice)", the names left out when there are none. */
static void
describe_ids(const struct identity *id, const char *prefix, char *dst,
    size_t len)
{
	char u[80], g[80];

	log_clean(u, sizeof u, id->user, strlen(id->user));
	log_clean(g, sizeof g, id->group, strlen(id->group));
	snprintf(dst, len, "%suid=%lu%s%s%s gid=%lu%s%s%s", prefix,
	    (unsigned long)id->uid, *u ? "(" : "", u, *u ? ")" : "",
	    (unsigned long)id->gid, *g ? "(" : "", g, *g ? ")" : "");
}

/* The kernel's record of a Unix peer: uid, gid and pid as it connected, and its groups. */
static void
unix_peer(int fd, struct identity *id)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	char		 ids[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    len != sizeof cred) {
		id->kind = PEER_UNKNOWN;
		snprintf(id->desc, sizeof id->desc, "local (credentials unknown: %s)",
		    strerror(errno));
		return;
	}
	id->kind = PEER_UNIX;
	id->uid = cred.uid;
	id->gid = cred.gid;
	id->pid = cred.pid;
	/* The groups it had when it connected; SO_PEERGROUPS says how many. */
	len = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, NULL, &len) == -1 &&
	    errno == ERANGE && len > 0 &&
	    (id->groups = malloc(len)) != NULL) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, id->groups,
		    &len) == 0)
			id->ngroups = len / sizeof *id->groups;
	}
	names(id);
	describe_ids(id, "", ids, sizeof ids);
	snprintf(id->desc, sizeof id->desc, "%s pid=%ld", ids, (long)id->pid);
}

/* The real user and groups of this process, described after prefix. */
static void
running_user(struct identity *id, const char *prefix)
{
	int n;

	memset(id, 0, sizeof *id);
	id->kind = PEER_USER;
	id->uid = getuid();
	id->gid = getgid();
	if ((n = getgroups(0, NULL)) > 0 &&
	    (id->groups = calloc((size_t)n, sizeof *id->groups)) != NULL &&
	    (n = getgroups(n, id->groups)) > 0)
		id->ngroups = (size_t)n;
	names(id);
	describe_ids(id, prefix, id->desc, sizeof id->desc);
}

/* The real user and groups of this process: whoever ran it from a shell or pipe. */
void
identity_running_user(struct identity *id)
{
	running_user(id, "");
}

/*
 * Who is on the other end of fd, a connection's input: on a Unix socket
 * the peer's credentials, on TCP its address, and on anything that is not
 * a socket (a pipe, a terminal) the user running the program.
 */
void
identity_of(int fd, struct identity *id)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;

	memset(id, 0, sizeof *id);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		if (errno != ENOTSOCK) {
			id->kind = PEER_UNKNOWN;
			snprintf(id->desc, sizeof id->desc, "socket");
			return;
		}
		running_user(id, "stdin ");
		return;
	}
	if (ss.ss_family == AF_UNIX) {
		unix_peer(fd, id);
		return;
	}
	peer_describe(fd, id->desc, sizeof id->desc);
	id->addrlen = sizeof id->addr;
	if ((ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getpeername(fd, (struct sockaddr *)&id->addr, &id->addrlen) == -1) {
		id->kind = PEER_UNKNOWN;
		return;
	}
	id->kind = PEER_INET;
}

void
identity_free(struct identity *id)
{
	free(id->groups);
	id->groups = NULL;
	id->ngroups = 0;
}

/* Whether gid is the identity's primary group or one of its supplementary groups. */
bool
identity_in_group(const struct identity *id, gid_t gid)
{
	size_t i;

	if (id->kind != PEER_UNIX && id->kind != PEER_USER)
		return false;
	if (id->gid == gid)
		return true;
	for (i = 0; i < id->ngroups; i++)
		if (id->groups[i] == gid)
			return true;
	return false;
}
