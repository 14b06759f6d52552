#!/usr/bin/python3
"""Every answer written reaches the client, however the server ends the
connection: at limits.max_requests_per_connection, at the idle timeout and
on SIGTERM.  The client has a small receive buffer (SO_RCVBUF), so answers
wait in the server's send buffer when it closes, and it is still sending;
it must receive every answer and then a clean end of stream, never
ECONNRESET.  Under the listener (fork per connection) and under
systemd-socket-activate --inetd -a (Accept=yes, the connection on stdin
and stdout)."""

import os
import shutil
import signal
import socket
import threading
import time

from caslib import CAS_BIN, TAP, decode, request, tempdir, write_config
from netlib import Proc, children_of, free_port, skip, start_listener, wait_for_text

HOST = "127.0.0.1"
RCVBUF = 4096


class Client:
    """A connection with a small receive buffer: sends in a thread of its
    own while the main thread reads."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        self.sock.settimeout(20)
        self.sock.connect((HOST, port))
        self.send_error = None
        self.sender = None

    def send_in_background(self, data, trickle_for=0.0, then_close=True,
                           flood=0):
        """Send data, then a space every 50 ms for trickle_for seconds (the
        client is still sending when the server closes), then flood bytes
        of spaces as fast as the server takes them, then half-close."""
        def run():
            try:
                self.sock.sendall(data)
                end = time.monotonic() + trickle_for
                while time.monotonic() < end:
                    self.sock.sendall(b" ")
                    time.sleep(0.05)
                for _ in range(flood // 65536):
                    self.sock.sendall(b" " * 65536)
                if then_close:
                    self.sock.shutdown(socket.SHUT_WR)
            except OSError as e:
                self.send_error = e
        self.sender = threading.Thread(target=run, daemon=True)
        self.sender.start()

    def read_all(self, timeout=60):
        """(bytes received, the error that ended the stream or None for a
        clean end), reading small pieces."""
        data = []
        deadline = time.monotonic() + timeout
        err = None
        while True:
            if time.monotonic() > deadline:
                err = "no end of stream within %d s" % timeout
                break
            try:
                chunk = self.sock.recv(1024)
            except socket.timeout:
                continue
            except OSError as e:
                err = e
                break
            if not chunk:
                break
            data.append(chunk)
        if self.sender is not None:
            self.sender.join(10)
        self.sock.close()
        return b"".join(data), err


def answers(data):
    """The whole answers in data: each ended by its terminator."""
    return data.split(b"\n\0")[:-1]


def check(t, what, data, err, client, want, flooding=False):
    got = answers(data)
    if not t.eq(len(got), want, "%s: exactly %d answers arrive" % (what, want)):
        t.diag("stream ended by: %r" % (err,))
    if not t.ok(err is None, "%s: then a clean end of stream, no reset" % what):
        t.diag("error: %r" % (err,))
    # A client that never stops sending is reset once the drain's time is up.
    if not flooding:
        t.ok(client.send_error is None, "%s: the client's sending never "
             "fails (%r)" % (what, client.send_error))
    seqs_ok = True
    for i, a in enumerate(got):
        if (b'"seq":%d}' % i) not in a or b'"success":true' not in a:
            seqs_ok = False
            t.diag("answer %d: %r" % (i, a[:120]))
            break
    t.ok(seqs_ok, "%s: the answers are in order, every one a success" % what)
    # A sample of the tokens, checked by PyJWT.
    problems = []
    for a in got[::max(1, len(got) // 10)]:
        tok = a.split(b'"token":"')[1].split(b'"')[0].decode()
        try:
            decode(tok, leeway=600)
        except Exception as e:
            problems.append(str(e))
    t.ok(not problems, "%s: sampled tokens verify with PyJWT (%s)" %
         (what, problems[:1]))


def limit_case(t, what, port, n=3000, limit=1000):
    c = Client(port)
    c.send_in_background(b"".join(request(seq=i) + b"\0" for i in range(n)))
    # The server reaches the limit while the client is not reading yet.
    time.sleep(1.0)
    data, err = c.read_all()
    check(t, "%s: %d pipelined, limit %d" % (what, n, limit), data, err, c, limit)


def flood_case(t, what, port, n, trickle_for=0.0, flood=16 << 20):
    """The client goes on sending, faster and more than the drain's byte
    bound, and reads only later: the drain must outlast the bytes while
    answers are still unsent, since a close then would drop them."""
    c = Client(port)
    c.send_in_background(b"".join(request(seq=i) + b"\0" for i in range(n)),
                         trickle_for=trickle_for, flood=flood, then_close=False)
    time.sleep(2.5)
    data, err = c.read_all()
    check(t, "%s: %d answers while the client floods" % (what, n), data, err,
          c, n, flooding=True)


def idle_case(t, what, port, n=10):
    """Answers are written at once; the client reads nothing and keeps
    sending spaces past the 1 s idle timeout, then reads."""
    c = Client(port)
    c.send_in_background(b"".join(request(seq=i) + b"\0" for i in range(n)),
                         trickle_for=1.8)
    time.sleep(2.0)
    data, err = c.read_all()
    check(t, "%s: idle timeout while the client still sends" % what, data, err,
          c, n)


def stop_case(t, what, port, stop, n=10):
    """As idle_case, with SIGTERM half a second in."""
    c = Client(port)
    c.send_in_background(b"".join(request(seq=i) + b"\0" for i in range(n)),
                         trickle_for=1.5)
    time.sleep(0.5)
    stop()
    time.sleep(1.5)
    data, err = c.read_all()
    check(t, "%s: SIGTERM while the client still sends" % what, data, err, c, n)


def test_listener(t, d):
    proc, port = start_listener(d, "limit", settle=5,
                                limits={"max_requests_per_connection": 1000})
    try:
        if t.ok(port is not None, "listener with a limit of 1000 listens"):
            limit_case(t, "listener", port)
            flood_case(t, "listener: limit 1000", port, 1000)
    finally:
        proc.stop()
    proc, port = start_listener(d, "idle", settle=5, limits={"idle_timeout": 1})
    try:
        if t.ok(port is not None, "listener with a 1 s idle timeout listens"):
            idle_case(t, "listener", port)
            flood_case(t, "listener: idle timeout", port, 300, trickle_for=1.2)
    finally:
        proc.stop()
    proc, port = start_listener(d, "stop", settle=5)
    try:
        if t.ok(port is not None, "listener listens"):
            stop_case(t, "listener", port, lambda: proc.signal(signal.SIGTERM))
            t.eq(proc.wait(10), 0, "listener: exit 0 after SIGTERM")
    finally:
        proc.stop()


def start_inetd(d, name, **limits):
    port = free_port(HOST)
    cfg = write_config(d, name=name + ".json", limits=limits)
    proc = Proc(["systemd-socket-activate", "--inetd", "-a", "-l",
                 "%s:%d" % (HOST, port), CAS_BIN, "-i", "-c", cfg], d, name)
    if not wait_for_text(proc.err_path, "Listening on", timeout=10, proc=proc):
        return proc, None
    return proc, port


def signal_children(proc):
    """SIGTERM to the program serving the connection, as systemd stops it."""
    def stop():
        for pid, _ in children_of(proc.pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    return stop


def test_inetd(t, d):
    if shutil.which("systemd-socket-activate") is None:
        skip(t, "systemd-socket-activate is not installed")
        return
    for name, limits, case in (
            ("inetd-limit", {"max_requests_per_connection": 1000},
             lambda p, port: limit_case(t, "socket-activate --inetd", port)),
            ("inetd-idle", {"idle_timeout": 1},
             lambda p, port: idle_case(t, "socket-activate --inetd", port)),
            ("inetd-stop", {},
             lambda p, port: stop_case(t, "socket-activate --inetd", port,
                                       signal_children(p)))):
        proc, port = start_inetd(d, name, **limits)
        try:
            if t.ok(port is not None, "%s: systemd-socket-activate listens" % name):
                case(proc, port)
        finally:
            proc.stop()


def main(t):
    with tempdir() as d:
        test_listener(t, d)
        test_inetd(t, d)


if __name__ == "__main__":
    TAP().run(main)
