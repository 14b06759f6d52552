/* gamelink.h: the outbound connection to the game: connecting, backoff, keepalive. */
#ifndef CAS_GAMELINK_H
#define CAS_GAMELINK_H

struct addrinfo;
struct endpoint;

struct gamelink {
	const struct endpoint	*e;
	int			 fd;		/* connect in progress, or -1 */
	struct addrinfo		*ai;		/* this round's addresses, or NULL */
	struct addrinfo		*next;		/* the next of them to try */
	long long		 at;		/* when to try next (ms), or -1 */
	long long		 connect_started;
	long			 backoff;
};

void		 gamelink_init(struct gamelink *, const struct endpoint *);
void		 gamelink_retry(struct gamelink *);
long long	 gamelink_wait(const struct gamelink *, long long);
int		 gamelink_tick(struct gamelink *, long long);
int		 gamelink_ready(struct gamelink *);
void		 gamelink_close(struct gamelink *);

#endif
