#!/usr/bin/python3
"""The listener configured by "inbound", with spare processes off and on:
IPv4 and IPv6 loopback, concurrent and sequential connections, and
limits.max_connections holding further connections back until a served one
closes."""

import time

from caslib import TAP, request, tempdir
from netlib import (NUL_TERM, SPARE_SETTINGS, Conn, answered, check_serving,
                    ipv6_loopback_works, skip, start_listener, token_problem,
                    wait_children)


def serving(t, tmp, family, host, spares):
    what = "spares %d, %s" % (spares, family)
    # settle: let the readiness probe's child go before counting connections.
    proc, port = start_listener(tmp, "%s-%d" % (family, spares), host,
                                settle=3, limits={"spare_processes": spares})
    try:
        if not t.ok(port is not None, "%s: listens on [%s]:port" % (what, host)):
            t.diag(proc.log_tail())
            return
        check_serving(t, what, proc, host, port, count=100, time_limit=60)
        t.ok(proc.alive(), "%s: listener still running" % what)
        t.eq(proc.stdout(), b"", "%s: nothing on the listener's stdout" % what)
    finally:
        proc.stop()


def connection_limit(t, tmp, spares):
    host = "127.0.0.1"
    what = "spares %d, max_connections 2" % spares
    proc, port = start_listener(tmp, "limit%d" % spares, host, settle=3,
                                limits={"max_connections": 2,
                                        "spare_processes": spares})
    conns = []
    try:
        if not t.ok(port is not None, what + ": listening"):
            t.diag(proc.log_tail())
            return
        for _ in range(4):
            conns.append(Conn(host, port))
            time.sleep(0.1)
        t.ok(True, what + ": 4 connections opened (the rest wait "
             "in the backlog)")
        time.sleep(0.5)
        for i, c in enumerate(conns):
            c.send(request(seq=i) + b"\0")
        first = answered(conns, 2.5)
        if not t.eq(len(first), 2, what + ": exactly 2 of 4 idle "
                    "connections are served"):
            t.diag("answered: %r" % sorted(first))
            t.diag(proc.log_tail())
        rows, _ = wait_children(proc.pid, lambda r: len(r) == 2, timeout=1)
        t.ok(len(rows) <= 2, what + ": at most 2 children (%d)"
             % len(rows))
        ok_tokens = all(token_problem(conns[i].read_until(NUL_TERM, 1), i)
                        is None for i in first)
        t.ok(ok_tokens and first, what + ": the served ones got "
             "valid tokens")
        waiting = [i for i in range(4) if i not in first]
        served_later = []
        # Close the served connections one at a time: each frees a slot for
        # one waiting connection, whose pending request is then answered.
        for k, i in enumerate(sorted(first)):
            conns[i].close()
            conns[i] = None
            rest = [conns[j] if j in waiting and j not in served_later else None
                    for j in range(4)]
            got = answered(rest, 3.0)
            if not t.eq(len(got), 1, what + ": closing a served "
                        "connection lets exactly one waiting one in (%d)" % (k + 1)):
                t.diag("answered now: %r, waiting were %r" % (sorted(got), waiting))
                t.diag(proc.log_tail())
            served_later.extend(sorted(got))
        problems = [token_problem(conns[j].read_until(NUL_TERM, 1), j)
                    for j in served_later]
        t.ok(sorted(served_later) == sorted(waiting) and
             not any(problems),
             what + ": the waiting connections got valid tokens "
             "in the end")
        if any(problems):
            t.diag(repr(problems))
        t.ok(proc.alive(), what + ": listener still running")
    finally:
        for c in conns:
            if c is not None:
                c.close()
        proc.stop()


def main(t):
    with tempdir() as tmp:
        for spares in SPARE_SETTINGS:
            serving(t, tmp, "IPv4", "127.0.0.1", spares)
            if ipv6_loopback_works():
                serving(t, tmp, "IPv6", "::1", spares)
            else:
                for what in ("listens", "concurrent", "sequential", "running",
                             "stdout"):
                    skip(t, "IPv6 loopback does not work here (%s)" % what)
            connection_limit(t, tmp, spares)


if __name__ == "__main__":
    TAP().run(main)
