#!/usr/bin/python3
"""The "outbound" connection to a SkotOS game, against a fake game that
talks exactly like SkotOS's avchat.c: it listens, the token server connects
in, requests go one at a time with the name pasted in unescaped, replies are
read with sscanf patterns, each reply must arrive in one piece.  The token
server must reconnect when the game drops the connection, and keep trying
while the game is not up yet."""

import os
import shutil
import signal
import socket
import subprocess
import time

from caslib import CAS_BIN, SECRET, TAP, decode, tempdir, write_config
from netlib import (NotifySocket, Proc, free_port, ipv6_loopback_works,
                    one_shot, skip,
                    skotos_parse, skotos_request, wait_connectable)

HOST = "127.0.0.1"


class FakeGame:
    """SkotOS's side: a listening port the token server connects to."""

    def __init__(self, port=0, host=HOST):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.lsock = socket.socket(family, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, port))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        self.tokens = []

    def accept(self, timeout):
        """The token server's connection, or None within timeout seconds."""
        self.lsock.settimeout(timeout)
        try:
            conn, _ = self.lsock.accept()
        except socket.timeout:
            return None
        conn.settimeout(None)
        return conn

    def ask(self, conn, name, chan, seq, timeout=10):
        """Send one SkotOS request and read the reply like DGD does: the
        first chunk read is the message.  Returns (first chunk, whole reply
        or None if it never completed)."""
        conn.sendall(skotos_request(name, chan, seq))
        conn.settimeout(timeout)
        try:
            first = conn.recv(65536)
        except socket.timeout:
            return None, None
        whole = first
        deadline = time.monotonic() + timeout
        # Keep reading a split reply to stay in step (the split is a failure).
        while whole and not whole.endswith(b"\n\0") and \
                time.monotonic() < deadline:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                more = conn.recv(65536)
            except socket.timeout:
                break
            if not more:
                break
            whole += more
        return first, whole

    def close(self):
        self.lsock.close()


def check_reply(t, game, what, first, whole, name, chan, seq):
    """A valid one-chunk token reply for seq, read SkotOS's way."""
    if not t.ok(first is not None and first == whole and
                first.endswith(b"\n\0") and first.count(b"\n\0") == 1,
                "%s: reply arrives in one piece, ended by \\n\\0" % what):
        t.diag("first chunk: %r" % (first,))
        t.diag("whole reply: %r" % (whole,))
    got_seq, success, token = skotos_parse(whole or b"")
    t.ok(got_seq == seq and success and token,
         "%s: sscanf finds \"seq\":%d, \"success\":true, \"token\"" % (what, seq))
    try:
        claims = decode(token)
    except Exception as e:
        t.ok(False, "%s: PyJWT verifies the token (%s)" % (what, e))
        return
    game.tokens.append(token)
    user = claims.get("context", {}).get("user", {})
    t.ok(claims.get("room") == chan and user.get("name") == name and
         claims.get("moderator") is False and
         claims["exp"] - claims["iat"] == 600,
         "%s: PyJWT verifies it; room, name, non-moderator, 600 s" % what)


def drop_and_reconnect(t, tmp):
    game = FakeGame()
    cfg = write_config(tmp, name="out1.json",
                       outbound={"host": HOST, "port": game.port})
    proc = Proc([CAS_BIN, "-v", "-c", cfg], tmp, "out1")
    conn = None
    try:
        conn = game.accept(5)
        if not t.ok(conn is not None, "token server connects to the game "
                    "within 5 s"):
            t.diag(proc.log_tail())
            return
        seq = 1
        for i in range(4):
            name = "Player%d" % i
            first, whole = game.ask(conn, name, "lobby", seq)
            check_reply(t, game, "request seq %d" % seq, first, whole, name,
                        "lobby", seq)
            seq += 1
        # SkotOS pastes the name in unescaped: a quote makes it malformed.
        first, whole = game.ask(conn, 'Miles O"Brien', "lobby", seq)
        t.ok(first is not None and first == whole and
             first.endswith(b"\n\0") and first.count(b"\n\0") == 1,
             "malformed request: one reply, in one piece")
        got_seq, success, token = skotos_parse(whole or b"")
        if not t.ok(whole and not success and b'"success":false' in whole and
                    b'"message":"malformed JSON: ' in whole and
                    b'"token":""' in whole,
                    "malformed request: success false, malformed JSON"):
            t.diag("reply: %r" % (whole,))
        seq += 1
        first, whole = game.ask(conn, "Player9", "tavern", seq)
        check_reply(t, game, "next request after the malformed one", first,
                    whole, "Player9", "tavern", seq)
        seq += 1

        # The game restarts: the connection drops.
        conn.close()
        conn = None
        t0 = time.monotonic()
        conn = game.accept(6)
        took = time.monotonic() - t0
        if not t.ok(conn is not None, "reconnects after the game dropped the "
                    "connection (within 6 s: %.1f s)" % took):
            t.diag(proc.log_tail())
            return
        for i in range(3):
            name = "Again%d" % i
            first, whole = game.ask(conn, name, "lobby", seq)
            check_reply(t, game, "after reconnecting, seq %d" % seq, first,
                        whole, name, "lobby", seq)
            seq += 1
        t.ok(proc.alive(), "token server still running")
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(8), 0, "SIGTERM: exits 0")
        t.eq(proc.stdout(), b"", "nothing written to stdout")
        log = proc.stderr()
        t.ok(SECRET.encode() not in log and
             not any(tok.encode() in log for tok in game.tokens) and
             not any(tok.split(".")[2].encode() in log for tok in game.tokens),
             "the log (verbose) holds neither the secret nor any token")
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        game.close()


def game_starts_late(t, tmp):
    port = free_port(HOST)
    cfg = write_config(tmp, name="out2.json",
                       outbound={"host": HOST, "port": port})
    # As chat-admin-server-outbound.service runs it (Type=notify).
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "out2", env=notify.env())
    game = None
    conn = None
    try:
        t.ok(notify.wait_for("READY=1", 3), "game down at start: READY=1 "
             "sent all the same (it is connecting)")
        time.sleep(3)
        t.ok(proc.alive(), "game down at start: token server keeps running")
        game = FakeGame(port)
        t0 = time.monotonic()
        conn = game.accept(20)
        took = time.monotonic() - t0
        if not t.ok(conn is not None, "game up 3 s later: the token server "
                    "connects (%.1f s after the game started)" % took):
            t.diag(proc.log_tail())
            return
        for seq in (1, 2):
            name = "Late%d" % seq
            first, whole = game.ask(conn, name, "lobby", seq)
            check_reply(t, game, "late game, seq %d" % seq, first, whole,
                        name, "lobby", seq)
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        notify.close()
        if game is not None:
            game.close()


def both_ways(t, tmp):
    """"inbound" and "outbound" together: both served at once."""
    game = FakeGame()
    inport = free_port(HOST)
    cfg = write_config(tmp, name="both.json",
                       inbound={"host": HOST, "port": inport},
                       outbound={"host": HOST, "port": game.port})
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "both")
    conn = None
    try:
        conn = game.accept(5)
        if not t.ok(conn is not None, "inbound + outbound: connects to the game"):
            t.diag(proc.log_tail())
            return
        t.ok(wait_connectable(HOST, inport, timeout=5, proc=proc),
             "inbound + outbound: listens too")
        problem = one_shot(HOST, inport)
        if not t.ok(problem is None, "inbound + outbound: a client gets a token"):
            t.diag(problem)
        first, whole = game.ask(conn, "Both", "lobby", 5)
        check_reply(t, game, "inbound + outbound: the game", first, whole,
                    "Both", "lobby", 5)
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        game.close()


def with_hosts(hosts):
    """argv prefix that runs a command with hosts as its /etc/hosts, in a
    private mount namespace; None where namespaces are not allowed."""
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "-rm", "sh", "-c",
              'mount --bind "$0" /etc/hosts && exec "$@"', hosts]
    try:
        r = subprocess.run(prefix + ["getent", "ahosts", "gamehost"],
                           capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if r.returncode == 0 else None


def every_address(t, tmp):
    """A host name with two addresses, the game listening on only the
    second ("localhost" giving ::1 and 127.0.0.1, the game on IPv4 alone):
    the first is refused, the second taken in the same round."""
    hosts = os.path.join(tmp, "hosts")
    with open(hosts, "w") as f:
        f.write("::1 gamehost\n127.0.0.1 gamehost\n")
    prefix = with_hosts(hosts)
    if prefix is None:
        skip(t, "two-address host name: needs unshare -rm and mount "
             "(user and mount namespaces)")
        return
    out = subprocess.run(prefix + ["getent", "ahosts", "gamehost"],
                         capture_output=True, timeout=10).stdout.decode()
    order = []
    for line in out.splitlines():
        if line.split()[:1] and line.split()[0] not in order:
            order.append(line.split()[0])
    if sorted(order) != ["127.0.0.1", "::1"] or not ipv6_loopback_works():
        skip(t, "two-address host name: the resolver does not give both "
             "::1 and 127.0.0.1 (%r)" % order)
        return
    second = order[1]
    game = FakeGame(free_port(HOST), host=second)
    cfg = write_config(tmp, name="out3.json",
                       outbound={"host": "gamehost", "port": game.port})
    proc = Proc(prefix + [CAS_BIN, "-v", "-c", cfg], tmp, "out3")
    conn = None
    try:
        conn = game.accept(5)
        if not t.ok(conn is not None, "gamehost resolves to two addresses, "
                    "the game listens on the second (%s): connected" % second):
            t.diag(proc.log_tail())
            return
        first, whole = game.ask(conn, "Second", "lobby", 7)
        check_reply(t, game, "via the second address", first, whole,
                    "Second", "lobby", 7)
        log = proc.stderr()
        refused = ("game gamehost:%d: Connection refused" % game.port).encode()
        if not t.ok(refused in log and b"retrying" not in log,
                    "the first address's refusal is logged (-v) and no "
                    "backoff is waited before the second"):
            t.diag(proc.log_tail())
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        game.close()


def main(t):
    with tempdir() as tmp:
        drop_and_reconnect(t, tmp)
        game_starts_late(t, tmp)
        both_ways(t, tmp)
        every_address(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
