/* admin.h: the operator's subcommands: token, verify, check. */
#ifndef CAS_ADMIN_H
#define CAS_ADMIN_H

struct cas;

int	admin_token(struct cas *, int, char **);
int	admin_verify(struct cas *, int, char **);
int	admin_check(struct cas *);

#endif
