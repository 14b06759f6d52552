#!/usr/bin/python3
"""The lifetime counters: tokens minted, requests refused by rule,
connections.  Children serve the connections; the listener adds them up and
shows them in its STATUS= line (seen here through a NOTIFY_SOCKET this test
listens on), a modest number of times rather than once per request; a
reload does not reset them; the per-connection close lines keep their
figures, and the listener's stop line has the totals.  Spare processes off
and on, and the outbound link."""

import re
import signal
import socket
import time

from caslib import CAS_BIN, OMIT, TAP, request, split_responses, tempdir, write_config
from netlib import NUL_TERM, Conn, NotifySocket, Proc, free_port
from outbound import FakeGame

HOST = "127.0.0.1"
POLICY = {"max_valid_for": 600, "allow_moderator": False, "rooms": ["lobby"]}

def mix():
    """Three connections' requests: (bytes, rule or None), 6 tokens and one
    refusal by each of the 8 rules a request can break."""
    return [
        [(request(seq=1), None), (b'{"cmd":"jwt_token",', "malformed"),
         (request(seq=2), None), (request(seq=3, moderator=OMIT), "invalid"),
         (request(seq=4), None)],
        [(request(seq=5, validFor=601), "validity"),
         (request(seq=6, moderator=True), "moderator"),
         (request(seq=7, channel="kitchen"), "room"),
         (request(seq=8), None)],
        [(request(seq=9), None), (request(seq=10, lobbyBypass=True), "bypass"),
         (request(seq=11, tenant="acme"), "tenant"),
         (request(seq=12, features={"recording": True}), "feature"),
         (request(seq=13), None)],
    ]


ALL_RULES = ("(malformed 1, invalid 1, validity 1, moderator 1, room 1, "
             "bypass 1, tenant 1, feature 1)")


def serve(conn, reqs, pipelined=False):
    """Send reqs on conn (one at a time, or all in one write) and read every
    reply; the list of problems."""
    problems = []
    if pipelined:
        conn.send(b"".join(r + b"\0" for r, _ in reqs))
    for r, rule in reqs:
        if not pipelined:
            conn.send(r + b"\0")
        raw = conn.read_until(NUL_TERM, 10)
        if raw is None:
            problems.append("no reply to %r" % r[:60])
            continue
        got = split_responses(raw)[0].get("success")
        if got is not (rule is None):
            problems.append("%r: success %r" % (r[:60], got))
    return problems


def status_with(notify, text, timeout=15, start=0):
    """The first STATUS= from messages[start] on that holds text, or None."""
    msg = notify.wait_message(
        lambda m: any(l.startswith("STATUS=") and text in l for l in m),
        timeout, start)
    if msg is None:
        return None
    return next(l for l in msg if l.startswith("STATUS=") and text in l)


def listener(t, tmp, spares):
    what = "spares %d" % spares
    port = free_port(HOST)
    name = "count%d" % spares
    cfg = write_config(tmp, name=name + ".json",
                       inbound={"host": HOST, "port": port}, policy=POLICY,
                       limits={"spare_processes": spares})
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, name, env=notify.env())
    conns = []
    try:
        # No probe connection: it would count.
        if not t.ok(notify.wait_for("READY=1", 10), "%s: READY=1" % what):
            t.diag(proc.log_tail())
            return
        t.ok(status_with(notify, "connections 0, tokens 0, refused 0", 1)
             is not None, "%s: READY=1's STATUS= starts the counters at 0"
             % what)
        problems = []
        for i, reqs in enumerate(mix()):
            c = Conn(HOST, port)
            conns.append(c)
            problems += serve(c, reqs, pipelined=(i == 2))
        if not t.ok(not problems, "%s: three connections, 14 requests, each "
                    "answered as expected" % what):
            t.diag("\n".join(problems))
        want = "connections 3 (3 open), tokens 6, refused 8 " + ALL_RULES
        if not t.ok(status_with(notify, want) is not None,
                    "%s: while open, STATUS= shows %r" % (what, want)):
            t.diag("last STATUS=%r" % notify.status())
        start = len(notify.messages)
        for c in conns:
            c.close()
        conns = []
        want = "connections 3, tokens 6, refused 8 " + ALL_RULES
        if not t.ok(status_with(notify, want, start=start) is not None,
                    "%s: once closed, STATUS= shows %r" % (what, want)):
            t.diag("last STATUS=%r" % notify.status())
        log = proc.stderr().decode("utf-8", "replace")
        closes = sorted(re.findall(r"closed after (\d+) requests, (\d+) tokens",
                                   log))
        t.eq(closes, [("4", "1"), ("5", "2"), ("5", "3")],
             "%s: each connection's close line keeps its own figures" % what)

        # A burst of requests draws a few STATUS= lines, not one each.
        start = len(notify.messages)
        t0 = time.monotonic()
        c = Conn(HOST, port)
        conns.append(c)
        burst = [(request(seq=100 + i), None) for i in range(200)]
        problems = serve(c, burst, pipelined=True)
        c.close()
        conns = []
        want = "connections 4, tokens 206,"
        found = status_with(notify, want, start=start)
        took = time.monotonic() - t0
        sent = sum(1 for m in notify.messages[start:]
                   if any(l.startswith("STATUS=") for l in m))
        if not t.ok(not problems and found is not None and
                    sent <= 2 + took / 2,
                    "%s: 200 requests: the counters arrive (%r) in %d STATUS= "
                    "lines over %.1f s, at most one per 2 s"
                    % (what, want, sent, took)):
            t.diag("\n".join(problems[:5]))
            t.diag("last STATUS=%r" % notify.status())

        # A reload keeps the counts.
        start = len(notify.messages)
        proc.signal(signal.SIGHUP)
        ready = notify.wait_message(lambda m: "READY=1" in m, 10, start)
        line = next((l for l in ready or [] if l.startswith("STATUS=")), "")
        if not t.ok("connections 4, tokens 206, refused 8 " + ALL_RULES in line
                    and "configuration reloaded" in line,
                    "%s: after a reload, READY=1's STATUS= has the same "
                    "counts" % what):
            t.diag("STATUS: %r" % line)
        c = Conn(HOST, port)
        problems = serve(c, [(request(seq=500), None),
                             (request(seq=501, channel="kitchen"), "room")])
        c.close()
        want = "connections 5, tokens 207, refused 9 (malformed 1, invalid 1, " \
               "validity 1, moderator 1, room 2,"
        if not t.ok(not problems and status_with(notify, want) is not None,
                    "%s: and counts on from there" % what):
            t.diag("last STATUS=%r" % notify.status())
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(10), 0, "%s: SIGTERM: exit 0" % what)
        log = proc.stderr().decode("utf-8", "replace")
        want = ("stopped: connections 5, tokens 207, refused 9 (malformed 1, "
                "invalid 1, validity 1, moderator 1, room 2, bypass 1, "
                "tenant 1, feature 1)")
        if not t.ok(want in log, "%s: the stop line has the totals" % what):
            t.diag(proc.log_tail(3))
    finally:
        for c in conns:
            c.close()
        proc.stop()
        notify.close()


def turned_away(t, tmp):
    """A client the clients table lists nowhere is counted as turned away,
    not as a connection served."""
    what = "clients"
    port = free_port(HOST)
    cfg = write_config(tmp, name="countaway.json",
                       inbound={"host": HOST, "port": port}, policy=POLICY,
                       clients=[{"name": "two", "address": "127.0.0.2/32"}])
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "countaway", env=notify.env())
    try:
        if not t.ok(notify.wait_for("READY=1", 10), "%s: READY=1" % what):
            t.diag(proc.log_tail())
            return
        for _ in range(2):
            c = Conn(HOST, port)
            raw = c.read_until(b"\n", 10)
            c.close()
        t.ok(raw is not None and b"client not allowed" in raw,
             "%s: a client from 127.0.0.1 is turned away" % what)
        s = socket.create_connection((HOST, port), timeout=5,
                                     source_address=("127.0.0.2", 0))
        c = Conn(HOST, port, sock=s)
        problems = serve(c, [(request(seq=1), None)])
        c.close()
        t.ok(not problems, "%s: one from 127.0.0.2 is served" % what)
        want = "connections 1, turned away 2, tokens 1, refused 0"
        if not t.ok(status_with(notify, want) is not None,
                    "%s: STATUS= shows %r" % (what, want)):
            t.diag("last STATUS=%r" % notify.status())
        proc.signal(signal.SIGTERM)
        proc.wait(10)
        t.ok("stopped: " + want in proc.stderr().decode("utf-8", "replace"),
             "%s: and so does the stop line" % what)
    finally:
        proc.stop()
        notify.close()


def outbound(t, tmp):
    what = "outbound"
    game = FakeGame()
    cfg = write_config(tmp, name="countout.json", policy=POLICY,
                       outbound={"host": HOST, "port": game.port})
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "countout", env=notify.env())
    conn = None
    try:
        conn = game.accept(10)
        if not t.ok(conn is not None, "%s: connects to the game" % what):
            t.diag(proc.log_tail())
            return
        replies = [game.ask(conn, "Ann", "lobby", 1)[1],
                   game.ask(conn, 'Miles O"Brien', "lobby", 2)[1],
                   game.ask(conn, "Bob", "kitchen", 3)[1],
                   game.ask(conn, "Cid", "lobby", 4)[1]]
        t.ok(all(replies), "%s: four requests answered" % what)
        want = "connections 1 (1 open), tokens 2, refused 2 (malformed 1, room 1)"
        if not t.ok(status_with(notify, want) is not None,
                    "%s: STATUS= counts the game link's requests: %r"
                    % (what, want)):
            t.diag("last STATUS=%r" % notify.status())
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        notify.close()
        game.close()


def main(t):
    with tempdir() as tmp:
        for spares in (0, 3):
            listener(t, tmp, spares)
        turned_away(t, tmp)
        outbound(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
