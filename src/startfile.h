/* startfile.h: opens and reads the files read at start-up without ever waiting forever on one. */
#ifndef CAS_STARTFILE_H
#define CAS_STARTFILE_H

#include <sys/stat.h>

#include <stddef.h>

/* How long a pipe's writer may take to send all it has, in milliseconds. */
#define STARTFILE_WAIT_MS	5000

int		 startfile_open(const char *, struct stat *, char *, size_t);
const char	*startfile_kind(const struct stat *);
int		 startfile_read(int, const struct stat *, char *, size_t, size_t *,
		    char *, size_t);

#endif
