#!/usr/bin/python3
"""The listener's life, with spare processes off and on: SIGTERM ends it
(exit 0) within the 5 s grace time even with an idle client connected, and
so does SIGINT; children are reaped; a child killed with SIGKILL does not
take the listener down; SIGHUP (a reload) does not stop it."""

import os
import signal
import time

from caslib import TAP, request, tempdir
from netlib import (NUL_TERM, SPARE_SETTINGS, Conn, NotifySocket, exited,
                    fds_hidden, ok_seen, one_shot, seen, sequential_clients,
                    serving_child, skip, start_listener, token_problem,
                    wait_children, wait_connectable, wait_settled)

HOST = "127.0.0.1"
GRACE = 5.0


def zombies(rows):
    return [pid for pid, stat in rows if stat.startswith("Z")]


def limits(spares):
    return {"spare_processes": spares}


def reaping_and_kill(t, tmp, spares):
    what = "spares %d" % spares
    proc, port = start_listener(tmp, "reap%d" % spares, HOST,
                                limits=limits(spares))
    idle = None
    try:
        if not t.ok(port is not None, "%s: listener starts" % what):
            t.diag(proc.log_tail())
            return
        served, problems = sequential_clients(HOST, port, count=200,
                                              time_limit=90)
        if not t.eq(served, 200, "%s: 200 sequential connections served"
                    % what):
            t.diag("\n".join(problems[:10]))
        # Children exit as their clients close; each must be reaped.
        rows, fine = wait_children(proc.pid, lambda r: not zombies(r),
                                   timeout=3)
        if not t.ok(fine, "%s: no zombie children after 200 connections"
                    % what):
            t.diag("children (pid, stat): %r" % rows)
        kids, found, fine = wait_settled(proc.pid, spares, timeout=5)
        if ok_seen(t, fine, "%s: once all clients closed, only the %d "
                   "spare(s) are left" % (what, spares)) is False:
            t.diag("children %r, spares among them %r" % (kids, found))

        # A child killed by SIGKILL: the listener carries on.
        idle = Conn(HOST, port)
        idle.send(request(seq=1) + b"\0")
        t.ok(token_problem(idle.read_until(NUL_TERM, 10), 1) is None,
             "%s: a connection is served (its child then kept alive)" % what)
        child = serving_child(proc.pid, idle)
        known = ok_seen(t, seen(lambda: child is not None), "%s: a child "
                        "serves the open connection" % what)
        # Which child to kill is out of sight: so is what follows from it.
        if known is None:
            for desc in ("the killed child's connection is closed",
                         "the killed child is reaped (no zombie)",
                         "%d spare(s) and no other child left" % spares):
                skip(t, "%s: %s: %s" % (what, desc, fds_hidden()))
        if known:
            proc_kill(child)
            got = idle.read_to_eof(5)
            t.ok(got is not None, "%s: the killed child's connection is "
                 "closed" % what)
            rows, fine = wait_children(
                proc.pid, lambda r: child not in [p for p, _ in r], timeout=3)
            if not t.ok(fine, "%s: the killed child is reaped (no zombie)"
                        % what):
                t.diag("children (pid, stat): %r" % rows)
            kids, found, fine = wait_settled(proc.pid, spares, timeout=5)
            if not t.ok(fine, "%s: %d spare(s) and no other child left"
                        % (what, spares)):
                t.diag("children %r, spares among them %r" % (kids, found))
        t.ok(proc.alive(), "%s: the listener survives a child killed by "
             "SIGKILL" % what)
        t.ok(one_shot(HOST, port, seq=7) is None,
             "%s: the next connection is served" % what)

        # SIGHUP reloads the listener; it does not stop it.
        proc.signal(signal.SIGHUP)
        time.sleep(0.5)
        t.ok(proc.alive(), "%s: SIGHUP does not stop the listener" % what)
        t.ok(one_shot(HOST, port, seq=8) is None,
             "%s: after SIGHUP connections are still served" % what)
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(GRACE + 3), 0, "%s: SIGTERM with no clients: exit 0"
             % what)
        t.eq(proc.stdout(), b"", "%s: nothing written to stdout" % what)
    finally:
        if idle is not None:
            idle.close()
        proc.stop()


def proc_kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def term_with_idle_client(t, tmp, spares):
    what = "spares %d" % spares
    notify = NotifySocket(tmp)
    proc, port = start_listener(tmp, "term%d" % spares, HOST,
                                env=notify.env(), limits=limits(spares))
    idle = None
    try:
        if not t.ok(port is not None, "%s: listener starts (for SIGTERM)"
                    % what):
            t.diag(proc.log_tail())
            return
        t.ok(notify.wait_for("READY=1", 3), "%s: sd_notify READY=1 once "
             "listening" % what)
        idle = Conn(HOST, port)
        # Make sure the idle connection has its child before the signal.
        idle.send(request(seq=1) + b"\0")
        t.ok(token_problem(idle.read_until(NUL_TERM, 10), 1) is None,
             "%s: an idle client is connected (served once)" % what)
        kids, _, _ = wait_settled(proc.pid, spares, timeout=3, busy=1)
        t0 = time.monotonic()
        proc.signal(signal.SIGTERM)
        status = proc.wait(GRACE + 5)
        took = time.monotonic() - t0
        t.eq(status, 0, "%s: SIGTERM with an idle client connected: exit 0"
             % what)
        t.ok(notify.wait_for("STOPPING=1", 1), "%s: sd_notify STOPPING=1"
             % what)
        if not t.ok(status is not None and took <= GRACE + 1.0,
                    "%s: SIGTERM: gone within the %g s grace time (took "
                    "%.2f s)" % (what, GRACE, took)):
            t.diag(proc.log_tail())
        t.ok(len(kids) == spares + 1 and all(exited(pid) for pid in kids),
             "%s: its %d child(ren) are gone too" % (what, spares + 1))
        got = idle.read_to_eof(GRACE + 2)
        t.ok(got is not None, "%s: the idle client's connection is closed"
             % what)
        # Nothing listens any more.
        t.ok(not wait_connectable(HOST, port, timeout=0.5),
             "%s: the listening socket is closed" % what)
    finally:
        if idle is not None:
            idle.close()
        proc.stop()
        notify.close()


def interrupt(t, tmp, spares):
    what = "spares %d" % spares
    proc, port = start_listener(tmp, "int%d" % spares, HOST,
                                limits=limits(spares))
    try:
        if not t.ok(port is not None, "%s: listener starts (for SIGINT)"
                    % what):
            t.diag(proc.log_tail())
            return
        t.ok(one_shot(HOST, port, seq=1) is None, "%s: serves before SIGINT"
             % what)
        proc.signal(signal.SIGINT)
        t.eq(proc.wait(GRACE + 3), 0, "%s: SIGINT: exit 0" % what)
    finally:
        proc.stop()


def main(t):
    with tempdir() as tmp:
        for spares in SPARE_SETTINGS:
            reaping_and_kill(t, tmp, spares)
            term_with_idle_client(t, tmp, spares)
            interrupt(t, tmp, spares)


if __name__ == "__main__":
    TAP().run(main)
