/* serve.c: picks how connections arrive: stdin, systemd's sockets, or the listener. */
#include <fcntl.h>
#include <stdbool.h>
#include <sysexits.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "cas.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "serve.h"
#include "signals.h"

/*
 * Sockets passed by systemd: a connected one is served as the one
 * connection (Accept=yes without StandardInput=socket); listening ones go
 * to the listener. Anything else would make accept fail, over and over.
 */
static int
serve_passed(struct cas *cas, int n)
{
	int fds[MAX_LISTEN], nl = 0, fd;

	if (n > MAX_LISTEN)
		fatalx(EX_CONFIG, "systemd passed %d sockets; at most %d are served",
		    n, MAX_LISTEN);
	for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
		if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 0) > 0) {
			signals_connection(cas);
			return conn_serve_fds(cas, fd, fd, false);
		}
		if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
			fatalx(EX_CONFIG, "socket %d from systemd is not a listening "
			    "stream socket", fd);
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		fds[nl++] = fd;
	}
	return listener_run(cas, fds, nl);
}

/*
 * Pick how connections arrive (documented in chat-admin-server(8), MODES):
 * -i, then sockets passed by systemd, then inbound/outbound, then stdin.
 */
int
serve(struct cas *cas, bool force_stdio)
{
	const struct config	*cfg = &cas->cfg;
	int			 n = 0;

	if (force_stdio || ((n = sd_listen_fds(1)) <= 0 &&
	    !cfg->inbound.set && !cfg->outbound.set)) {
		signals_connection(cas);
		return conn_serve_fds(cas, STDIN_FILENO, STDOUT_FILENO, false);
	}
	if (n > 0)
		return serve_passed(cas, n);
	return listener_run(cas, NULL, 0);
}
