#!/usr/bin/python3
"""The listener's life: SIGTERM ends it (exit 0) within the 5 s grace time
even with an idle client connected, and so does SIGINT; children are
reaped; a child killed with SIGKILL does not take the listener down; SIGHUP
does not stop it."""

import os
import signal
import time

from caslib import TAP, request, tempdir
from netlib import (NUL_TERM, Conn, NotifySocket, one_shot, sequential_clients,
                    start_listener, token_problem, wait_children,
                    wait_connectable)

HOST = "127.0.0.1"
GRACE = 5.0


def zombies(rows):
    return [pid for pid, stat in rows if stat.startswith("Z")]


def reaping_and_kill(t, tmp):
    proc, port = start_listener(tmp, "reap", HOST)
    idle = None
    try:
        if not t.ok(port is not None, "listener starts"):
            t.diag(proc.log_tail())
            return
        served, problems = sequential_clients(HOST, port, count=200,
                                              time_limit=90)
        if not t.eq(served, 200, "200 sequential connections served"):
            t.diag("\n".join(problems[:10]))
        # Children exit as their clients close; each must be reaped.
        rows, fine = wait_children(proc.pid, lambda r: not zombies(r),
                                   timeout=3)
        if not t.ok(fine, "no zombie children after 200 connections"):
            t.diag("children (pid, stat): %r" % rows)
        rows, fine = wait_children(proc.pid, lambda r: not r, timeout=5)
        if not t.ok(fine, "no children left once all clients closed"):
            t.diag("children (pid, stat): %r" % rows)

        # A child killed by SIGKILL: the listener carries on.
        idle = Conn(HOST, port)
        idle.send(request(seq=1) + b"\0")
        t.ok(token_problem(idle.read_until(NUL_TERM, 10), 1) is None,
             "a connection is served (its child then kept alive)")
        rows, fine = wait_children(proc.pid, lambda r: len(r) == 1, timeout=3)
        if t.ok(fine, "one child serves the open connection"):
            child = rows[0][0]
            proc_kill(child)
            got = idle.read_to_eof(5)
            t.ok(got is not None, "the killed child's connection is closed")
            rows, fine = wait_children(proc.pid, lambda r: not r, timeout=3)
            t.ok(fine, "the killed child is reaped (no zombie)")
        t.ok(proc.alive(), "the listener survives a child killed by SIGKILL")
        t.ok(one_shot(HOST, port, seq=7) is None,
             "the next connection is served")

        # SIGHUP is ignored by the listener.
        proc.signal(signal.SIGHUP)
        time.sleep(0.5)
        t.ok(proc.alive(), "SIGHUP does not stop the listener")
        t.ok(one_shot(HOST, port, seq=8) is None,
             "after SIGHUP connections are still served")
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(GRACE + 3), 0, "SIGTERM with no clients: exit 0")
        t.eq(proc.stdout(), b"", "nothing written to stdout")
    finally:
        if idle is not None:
            idle.close()
        proc.stop()


def proc_kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def term_with_idle_client(t, tmp):
    notify = NotifySocket(tmp)
    proc, port = start_listener(tmp, "term", HOST, env=notify.env())
    idle = None
    try:
        if not t.ok(port is not None, "listener starts (for SIGTERM)"):
            t.diag(proc.log_tail())
            return
        t.ok(notify.wait_for("READY=1", 3), "sd_notify READY=1 once listening")
        idle = Conn(HOST, port)
        # Make sure the idle connection has its child before the signal.
        idle.send(request(seq=1) + b"\0")
        t.ok(token_problem(idle.read_until(NUL_TERM, 10), 1) is None,
             "an idle client is connected (served once)")
        kids, _ = wait_children(proc.pid, lambda r: len(r) == 1, timeout=3)
        t0 = time.monotonic()
        proc.signal(signal.SIGTERM)
        status = proc.wait(GRACE + 5)
        took = time.monotonic() - t0
        t.eq(status, 0, "SIGTERM with an idle client connected: exit 0")
        t.ok(notify.wait_for("STOPPING=1", 1), "sd_notify STOPPING=1")
        if not t.ok(status is not None and took <= GRACE + 1.0,
                    "SIGTERM: gone within the %g s grace time (took %.2f s)"
                    % (GRACE, took)):
            t.diag(proc.log_tail())
        t.ok(kids and all(exited(pid) for pid, _ in kids),
             "its child is gone too")
        got = idle.read_to_eof(GRACE + 2)
        t.ok(got is not None, "the idle client's connection is closed")
        # Nothing listens any more.
        t.ok(not wait_connectable(HOST, port, timeout=0.5),
             "the listening socket is closed")
    finally:
        if idle is not None:
            idle.close()
        proc.stop()


def exited(pid):
    """True if pid is gone or a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def interrupt(t, tmp):
    proc, port = start_listener(tmp, "int", HOST)
    try:
        if not t.ok(port is not None, "listener starts (for SIGINT)"):
            t.diag(proc.log_tail())
            return
        t.ok(one_shot(HOST, port, seq=1) is None, "serves before SIGINT")
        proc.signal(signal.SIGINT)
        t.eq(proc.wait(GRACE + 3), 0, "SIGINT: exit 0")
    finally:
        proc.stop()


def main(t):
    with tempdir() as tmp:
        reaping_and_kill(t, tmp)
        term_with_idle_client(t, tmp)
        interrupt(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
