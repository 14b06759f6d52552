#!/usr/bin/python3
"""TCP clients matched by address: connections from 127.0.0.1 and from
127.0.0.2 (the client's source bound, both loopback) each get their own
entry of the clients table, one from 127.0.0.3 that no entry lists is
turned away before its first request, and entries by Unix user never match
a TCP peer.  IPv4 peers of a dual-stack socket (::ffff:127.0.0.2, from
systemd) match IPv4 entries; ::1 matches an IPv6 one.  The outbound game
link is served under outbound.policy, whatever the table says."""

import shutil
import socket

from caslib import CAS_BIN, TAP, tempdir, write_config
from clientlib import (REFUSED, ask, log_lines, refused_with, served, talk,
                       turned_away)
from netlib import (Proc, free_port, ipv6_loopback_works, skip,
                    start_listener, wait_for_text)

POLICY = {"allow_moderator": False}
CLIENTS = [
    # A Unix user: never a TCP peer, though the tests run as root.
    {"name": "root-user", "user": "root",
     "policy": {"allow_moderator": True, "allow_all_rooms": True,
                "rooms": []}},
    {"name": "one", "address": "127.0.0.1",
     "policy": {"allow_moderator": True}},
    {"name": "two", "address": "127.0.0.2/32", "policy": {"rooms": ["lobby"]}},
    {"name": "six", "address": "::1/128", "policy": {"rooms": ["six-*"]}},
]


def by_address(t, what, port, proc, host="127.0.0.1"):
    where = "%s:%d" % (host, port)
    raw, err = talk(where + "@127.0.0.1", ask(1, channel="game-1",
                                             moderator=True))
    problem = err or served(raw, 1, room="game-1", moderator=True)
    t.ok(problem is None, "%s: from 127.0.0.1, entry one: a moderator token"
         % what) or t.diag(problem)
    raw, err = talk(where + "@127.0.0.2", ask(1, moderator=True) +
                    ask(2, channel="game-1") + ask(3), replies=3)
    problem = err or refused_with(raw, 1, "moderator tokens are not allowed "
                                  "by policy")
    t.ok(problem is None, "%s: from 127.0.0.2, entry two: no moderator "
         "token" % what) or t.diag(problem)
    problem = err or refused_with(raw, 2, "channel not allowed by policy")
    t.ok(problem is None, "%s: from 127.0.0.2: not game-1" % what) or \
        t.diag(problem)
    problem = err or served(raw, 3)
    t.ok(problem is None, "%s: from 127.0.0.2: lobby" % what) or \
        t.diag(problem)
    raw, err = talk(where + "@127.0.0.3", ask(1), replies=3)
    problem = err or turned_away(raw)
    t.ok(problem is None, "%s: from 127.0.0.3, in no entry: \"%s\", the "
         "request never read" % (what, REFUSED)) or t.diag(problem)
    log = proc.stderr().decode("utf-8", "replace")
    refusals = [l for l in log_lines(log, "127.0.0.3")
                if "refused: matches no entry of clients" in l]
    t.eq(len(refusals), 1, "%s: one log line names the refused peer" % what)
    t.ok(log_lines(log, "client=one ") and log_lines(log, "client=two ") and
         not log_lines(log, "client=root-user"),
         "%s: the log names entries one and two, never the Unix user's" % what) \
        or t.diag(log)


def listener(t, tmp):
    proc, port = start_listener(tmp, "tcp", policy=POLICY, clients=CLIENTS)
    try:
        if not t.ok(port is not None, "listener on 127.0.0.1"):
            t.diag(proc.log_tail())
            return
        by_address(t, "listener", port, proc)
    finally:
        proc.stop()


def mapped(t, tmp):
    """A dual-stack socket systemd passes: IPv4 peers as ::ffff:a.b.c.d."""
    if not shutil.which("systemd-socket-activate"):
        skip(t, "systemd-socket-activate not installed")
        return
    if not ipv6_loopback_works():
        skip(t, "no IPv6 here")
        return
    cfg = write_config(tmp, name="mapped.json", policy=POLICY, clients=CLIENTS)
    port = free_port()
    proc = Proc(["systemd-socket-activate", "-l", "[::ffff:127.0.0.1]:%d" % port,
                 CAS_BIN, "-c", cfg], tmp, "mapped")
    try:
        if not t.ok(wait_for_text(proc.err_path, "Listening on", 10, proc),
                    "systemd-socket-activate on ::ffff:127.0.0.1"):
            t.diag(proc.log_tail())
            return
        by_address(t, "IPv4-mapped", port, proc)
        log = proc.stderr().decode("utf-8", "replace")
        t.ok(log_lines(log, "client=two [::ffff:127.0.0.2]:"),
             "IPv4-mapped: the peer is logged as the kernel gave it") or \
            t.diag(log)
    finally:
        proc.stop()


def six(t, tmp):
    if not ipv6_loopback_works():
        skip(t, "no IPv6 here")
        return
    proc, port = start_listener(tmp, "six", host="::1", policy=POLICY,
                                clients=CLIENTS)
    try:
        if not t.ok(port is not None, "listener on ::1"):
            t.diag(proc.log_tail())
            return
        c = socket.create_connection(("::1", port), timeout=10)
        c.sendall(ask(1, channel="six-a") + ask(2))
        raw = b""
        while raw.count(b"\n") < 2:
            chunk = c.recv(65536)
            if not chunk:
                break
            raw += chunk
        c.close()
        t.ok(served(raw, 1, room="six-a") is None and
             refused_with(raw, 2, "channel not allowed by policy") is None,
             "from ::1: entry six's rooms") or t.diag(raw)
    finally:
        proc.stop()


def outbound(t, tmp):
    """The game is the one client of the link: outbound.policy applies and
    the table, which lists no such address, does not."""
    game = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    game.bind(("127.0.0.1", 0))
    game.listen(2)
    cfg = write_config(tmp, name="out.json", policy=POLICY, clients=CLIENTS[:1],
                       outbound={"host": "127.0.0.1",
                                 "port": game.getsockname()[1],
                                 "policy": {"allow_moderator": True,
                                            "rooms": ["game-*"]}})
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "out")
    try:
        game.settimeout(15)
        try:
            conn, _ = game.accept()
        except socket.timeout:
            t.ok(False, "outbound: the program connects to the game")
            t.diag(proc.log_tail())
            return
        conn.settimeout(10)
        conn.sendall(ask(1, channel="game-1", moderator=True)[:-1] + b"\0")
        first = conn.recv(65536)
        conn.sendall(ask(2, channel="lobby")[:-1] + b"\0")
        second = conn.recv(65536)
        conn.close()
        problem = served(first, 1, room="game-1", moderator=True)
        t.ok(problem is None, "outbound: a moderator token for game-1 by "
             "outbound.policy") or t.diag(problem)
        problem = refused_with(second, 2, "channel not allowed by policy")
        t.ok(problem is None, "outbound: lobby refused by outbound.policy's "
             "rooms") or t.diag(problem)
    finally:
        proc.stop()
        game.close()


def main(t):
    with tempdir() as tmp:
        listener(t, tmp)
        mapped(t, tmp)
        six(t, tmp)
        outbound(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
