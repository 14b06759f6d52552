#!/usr/bin/python3
"""Spare processes (limits.spare_processes): the listener keeps children
forked ahead, each takes one connection that arrived after it was ready and
exits; a taken or killed spare is replaced; READY=1 waits for the spares;
spares and busy children stay within limits.max_connections; no zombies;
SIGTERM ends spares and busy children alike; spares do not outlive a killed
listener; several listening sockets are served at once."""

import contextlib
import os
import re
import shutil
import signal
import time

from caslib import CAS_BIN, TAP, request, tempdir, write_config
from netlib import (DEFAULT_SPARES, NUL_TERM, Conn, NotifySocket, Proc,
                    answered, children_of, concurrent_clients,
                    continue_processes, exchange, exited, fds_hidden,
                    free_port, ok_seen, one_shot, seen, serving_child,
                    skip, spares_of, start_listener, stop_processes,
                    token_problem, wait_children, wait_connectable,
                    wait_for_text, wait_refused, wait_settled)

HOST = "127.0.0.1"
GRACE = 5.0


def wait_gone(pids, timeout):
    """True once every one of pids has ended, within timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(exited(p) for p in pids):
            return True
        time.sleep(0.05)
    return all(exited(p) for p in pids)


@contextlib.contextmanager
def listening(t, tmp, name, what, **limits):
    """start_listener with these limits, settled, and one test that it
    listens; yields (proc, port, conns), port None if it does not.  The
    connections put in conns are closed and the listener stopped after."""
    proc, port = start_listener(tmp, name, HOST, settle=5, limits=limits)
    conns = []
    try:
        if not t.ok(port is not None, "%s: listening" % what):
            t.diag(proc.log_tail())
        yield proc, port, conns
    finally:
        for c in conns:
            c.close()
        proc.stop()


def kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def ready_before_readiness(t, tmp):
    """With the default setting, READY=1 comes only after every spare said
    it was ready, and those spares are the listener's children waiting on
    its socket."""
    notify = NotifySocket(tmp)
    port = free_port(HOST)
    cfg = write_config(tmp, name="ready.json",
                       inbound={"host": HOST, "port": port})
    proc = Proc([CAS_BIN, "-v", "-c", cfg], tmp, "ready", env=notify.env())
    try:
        if not t.ok(notify.wait_for("READY=1", 10), "READY=1 is sent"):
            t.diag(proc.log_tail())
            return
        said = set(int(p) for p in re.findall(
            rb"spare process (\d+) ready", proc.stderr()))
        if not t.eq(len(said), DEFAULT_SPARES, "when READY=1 came, all %d "
                    "spares (the default) had said they were ready"
                    % DEFAULT_SPARES):
            t.diag(proc.log_tail())
        waiting = spares_of(proc.pid)
        ok_seen(t, seen(lambda: bool(said) and said <= set(waiting)),
                "those spares are children waiting on the listening socket "
                "(%r, %r)" % (sorted(said), waiting and sorted(waiting)))
        t.ok(one_shot(HOST, port) is None, "after READY=1 a connection is "
             "served")
    finally:
        proc.stop()
        notify.close()


def taken_and_replaced(t, tmp):
    """A connection is served by a child forked before it arrived, which is
    replaced while the connection is still open, serves only that one
    connection and exits after it."""
    with listening(t, tmp, "replace", "spares 3",
                   spare_processes=3) as (proc, port, _):
        if port is None:
            return
        _, before, fine = wait_settled(proc.pid, 3, timeout=5)
        ok_seen(t, fine, "spares 3: three spares wait while idle (%r)"
                % before)
        servers = []
        for i in range(5):
            conn = Conn(HOST, port)
            try:
                problem = exchange(conn, seq=i)
                child = serving_child(proc.pid, conn)
                if i == 0:
                    t.ok(problem is None, "the first connection gets a valid "
                         "token")
                    ok_seen(t, seen(lambda: child in before), "it is served "
                            "by a spare that was waiting before it arrived "
                            "(%r in %r)" % (child, before))
                    kids, now, fine = wait_settled(proc.pid, 3, timeout=5,
                                                   busy=1)
                    ok_seen(t, fine and child not in now and
                            len(set(now) - set(before)) == 1,
                            "the spare taken is replaced while its connection "
                            "is open: 3 spares again, one of them new (%r)"
                            % now)
                    t.ok(exchange(conn, seq=100) is None,
                         "the open connection is still served")
                servers.append((child, problem))
            finally:
                conn.close()
            if child is not None:
                wait_gone([child], 5)
        t.ok(all(p is None for _, p in servers), "5 connections one after "
             "another: all get valid tokens")
        pids = [c for c, _ in servers]
        ok_seen(t, seen(lambda: None not in pids and len(set(pids)) == 5),
                "each was served by a child of its own (%r)" % pids)
        ok_seen(t, seen(lambda: all(exited(p) for p in pids
                                    if p is not None)),
                "each child exited once its connection closed")
        kids, now, fine = wait_settled(proc.pid, 3, timeout=5)
        ok_seen(t, fine and not set(now) & set(pids), "afterwards 3 fresh "
                "spares wait, none of them a child that served (%r)" % now)


def killed_spare(t, tmp):
    with listening(t, tmp, "killed", "spares 2",
                   spare_processes=2) as (proc, port, _):
        if port is None:
            return
        _, before, fine = wait_settled(proc.pid, 2, timeout=5)
        if before is None:
            # Which child is a spare is out of sight: none to kill.
            ok_seen(t, fine, "spares 2: two spares wait")
            for desc in ("a spare killed by SIGKILL is reaped (no zombie)",
                         "it is replaced: two spares wait again",
                         "the listener logs the child killed by the signal"):
                skip(t, "%s: %s" % (desc, fds_hidden()))
            t.ok(proc.alive() and one_shot(HOST, port) is None,
                 "the listener serves on")
            return
        if not t.eq(len(before), 2, "spares 2: two spares wait"):
            return
        victim = before[0]
        kill(victim, signal.SIGKILL)
        rows, fine = wait_children(
            proc.pid, lambda r: victim not in [p for p, _ in r], timeout=3)
        t.ok(fine, "a spare killed by SIGKILL is reaped (no zombie)")
        _, now, fine = wait_settled(proc.pid, 2, timeout=5)
        t.ok(fine and victim not in now, "it is replaced: two spares wait "
             "again (%r)" % now)
        t.ok(wait_for_text(proc.err_path, "killed by signal 9", timeout=2),
             "the listener logs the child killed by the signal")
        t.ok(proc.alive() and one_shot(HOST, port) is None,
             "the listener serves on")


def limit_with_spares(t, tmp):
    """max_connections 2 with 4 spares asked for: never more than 2
    children, yet 2 connections served at once."""
    with listening(t, tmp, "limit", "max_connections 2, spares 4",
                   spare_processes=4, max_connections=2,
                   idle_timeout=30) as (proc, port, conns):
        if port is None:
            return
        kids, found, fine = wait_settled(proc.pid, 2, timeout=5)
        ok_seen(t, fine, "while idle only 2 spares wait, not 4 (%r)" % kids)
        most = len(kids)
        for i in range(2):
            conns.append(Conn(HOST, port))
            t.ok(exchange(conns[i], seq=i) is None,
                 "connection %d of 2 is served" % (i + 1))
        kids, found, fine = wait_settled(proc.pid, 0, timeout=5, busy=2)
        ok_seen(t, fine, "with 2 connections open: 2 busy children, no spare "
                "(%r, spares %r)" % (kids, found))
        most = max(most, len(kids))
        third = Conn(HOST, port)
        conns.append(third)
        third.send(request(seq=3) + b"\0")
        t.ok(not third.has_data(1.5), "a third connection waits while both "
             "slots are taken")
        most = max(most, len(children_of(proc.pid)))
        conns[0].close()
        got = answered([None, None, third], 8.0)
        t.ok(got == {2} and token_problem(third.read_until(NUL_TERM, 1), 3)
             is None, "closing one lets the third in, with a valid token")
        most = max(most, len(children_of(proc.pid)))
        t.ok(most <= 2, "never more than 2 children seen (%d)" % most)


def burst_no_zombies(t, tmp):
    with listening(t, tmp, "burst", "spares 3 (burst)",
                   spare_processes=3) as (proc, port, _):
        if port is None:
            return
        problems = concurrent_clients(HOST, port, clients=12, interactive=2,
                                      pipelined=2)
        if not t.ok(not problems, "12 connections at once with 3 spares: all "
                    "answered with valid tokens"):
            t.diag("\n".join(problems[:10]))
        rows, fine = wait_children(
            proc.pid, lambda r: not [p for p, s in r if s.startswith("Z")],
            timeout=3)
        t.ok(fine, "no zombie children after the burst (%r)" % rows)
        kids, found, fine = wait_settled(proc.pid, 3, timeout=5)
        ok_seen(t, fine, "then 3 spares and nothing else (%r)" % kids)


def term_with_spares_and_busy(t, tmp):
    with listening(t, tmp, "term", "spares 3 (SIGTERM)",
                   spare_processes=3) as (proc, port, conns):
        if port is None:
            return
        for i in range(2):
            conns.append(Conn(HOST, port))
            t.ok(exchange(conns[i], seq=i) is None,
                 "busy connection %d is served and held open" % (i + 1))
        kids, _, fine = wait_settled(proc.pid, 3, timeout=5, busy=2)
        ok_seen(t, fine, "3 spares and 2 busy children before SIGTERM (%r)"
                % kids)
        t0 = time.monotonic()
        proc.signal(signal.SIGTERM)
        status = proc.wait(GRACE + 5)
        took = time.monotonic() - t0
        t.eq(status, 0, "SIGTERM with spares and busy children: exit 0")
        t.ok(status is not None and took <= GRACE + 1.0,
             "gone within the %g s grace time (took %.2f s)" % (GRACE, took))
        t.ok(wait_gone(kids, 2), "all 5 children are gone too")
        t.ok(all(c.read_to_eof(GRACE) is not None for c in conns),
             "both busy connections are closed")
        t.ok(not wait_connectable(HOST, port, timeout=0.5),
             "nothing listens any more")


def listener_killed(t, tmp):
    """Spares wait only while their listener lives: killed with SIGKILL, it
    leaves no process accepting; a busy child finishes its connection."""
    with listening(t, tmp, "orphan", "spares 3 (SIGKILL)",
                   spare_processes=3) as (proc, port, conns):
        if port is None:
            return
        conn = Conn(HOST, port)
        conns.append(conn)
        t.ok(exchange(conn, seq=1) is None, "a connection is served and held")
        _, spares, _ = wait_settled(proc.pid, 3, timeout=5, busy=1)
        busy = serving_child(proc.pid, conn)
        proc.signal(signal.SIGKILL)
        proc.wait(5)
        ok_seen(t, seen(lambda: len(spares) == 3 and wait_gone(spares, 3)),
                "the listener killed by SIGKILL: its 3 spares exit by "
                "themselves")
        # The spares see the listener gone and exit by themselves: where
        # they cannot be watched (not root), give them the same 3 s.
        t.ok(wait_refused(HOST, port, timeout=3),
             "no process accepts on the port any more")
        # Out of sight, which child serves is not known; that one does is.
        t.ok(seen(lambda: busy is not None) is not False and
             exchange(conn, seq=2) is None,
             "the busy child still serves its connection")
        conn.close()
        ok_seen(t, seen(lambda: busy is not None and wait_gone([busy], 5)),
                "and exits when it closes")


def two_sockets(t, tmp):
    """Sockets from systemd (Accept=no): spares wait on both, and
    connections arriving on both at once are both served."""
    if not shutil.which("systemd-socket-activate"):
        skip(t, "systemd-socket-activate not installed")
        return
    cfg = write_config(tmp, name="two.json", limits={"spare_processes": 2})
    p1, p2 = free_port(), free_port()
    proc = Proc(["systemd-socket-activate", "-l", "%s:%d" % (HOST, p1),
                 "-l", "%s:%d" % (HOST, p2), CAS_BIN, "-c", cfg], tmp, "two")
    conns = []
    try:
        if not t.ok(wait_for_text(proc.err_path, "Listening on", timeout=10,
                                  proc=proc), "two sockets: "
                    "systemd-socket-activate listens"):
            return
        t.ok(one_shot(HOST, p2) is None, "two sockets: a connection to the "
             "second starts the program and is served")
        kids, spares, fine = wait_settled(proc.pid, 2, timeout=5)
        ok_seen(t, fine, "two sockets: 2 spares wait (%r)" % spares)
        # Out of sight, the spares of an idle listener are its children.
        if spares is None:
            spares = kids
        t.ok(stop_processes(spares), "two sockets: both spares paused")
        conns = [Conn(HOST, p1), Conn(HOST, p2)]
        for i, c in enumerate(conns):
            c.send(request(seq=i) + b"\0")
        time.sleep(0.2)
        continue_processes(spares)
        got = answered(conns, 3.0)
        t.eq(len(got), 2, "two sockets: connections on both at once are both "
             "served")
        t.ok(all(token_problem(c.read_until(NUL_TERM, 1), i) is None
                 for i, c in enumerate(conns)), "two sockets: with valid "
             "tokens")
        # Which spare takes which is the scheduler's choice: a spare
        # forked meanwhile may win the race for the second.
        servers = [serving_child(proc.pid, c) for c in conns]
        if ok_seen(t, seen(lambda: None not in servers and
                           len(set(servers)) == 2),
                   "two sockets: each by a child of its own") is False:
            t.diag("served by %r, spares were %r, children now %r"
                   % (servers, spares, children_of(proc.pid)))
    finally:
        for c in conns:
            c.close()
        proc.stop()


def main(t):
    with tempdir() as tmp:
        ready_before_readiness(t, tmp)
        taken_and_replaced(t, tmp)
        killed_spare(t, tmp)
        limit_with_spares(t, tmp)
        burst_no_zombies(t, tmp)
        term_with_spares_and_busy(t, tmp)
        listener_killed(t, tmp)
        two_sockets(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
