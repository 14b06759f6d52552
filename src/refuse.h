/* refuse.h: turning away a peer the clients table does not list: one error reply, then close. */
#ifndef CAS_REFUSE_H
#define CAS_REFUSE_H

void	refuse_client(int, int, const char *);

#endif
