#!/usr/bin/python3
"""The limits of the configuration bound every input: limits.
max_request_bytes (an oversized request gets one error and the stream goes
on), limits.idle_timeout (a silent connection or pipe is closed),
limits.max_requests_per_connection (answers stop after N) and
limits.max_connections (further connections wait until a served one
closes); the listener's limits with spare processes off and on."""

import subprocess
import time

from caslib import (CAS_BIN, TAP, child_env, decode, request, split_responses,
                    tempdir, write_config)
from adminlib import cas
from netlib import SPARE_SETTINGS, Conn, start_listener

HOST = "127.0.0.1"


def good_token(resp, seq=None):
    """True if resp is a success carrying seq and a token PyJWT accepts."""
    if resp is None or resp.get("success") is not True:
        return False
    if seq is not None and resp.get("seq") != seq:
        return False
    try:
        decode(resp.get("token"))
        return True
    except Exception:
        return False


def one_response(raw):
    resps = split_responses(raw) if raw else []
    return resps[0] if len(resps) == 1 else None


def test_request_bytes(t, d):
    cfg = write_config(d, name="bytes.json", limits={"max_request_bytes": 1024})
    big = request(seq=1, displayName="B" * 1900)
    small = request(seq=3, displayName="S" * 800)
    t.ok(len(big) >= 1950 and len(small) < 1024,
         "request sizes: %d and %d bytes" % (len(big), len(small)))
    for term, what in ((b"\0", "NUL-ended"), (b"\n", "newline-ended")):
        stream = big + term + request(seq=2) + term + small + term
        r = cas(cfg, stdin=stream)
        resps = split_responses(r.out.encode())
        if not t.ok(r.rc == 0 and len(resps) == 3,
                    "max_request_bytes 1024, %s: exit 0, three responses" % what):
            t.diag(repr(r))
            continue
        t.ok(resps[0].get("success") is False and
             resps[0].get("message") == "request too large (limit 1024 bytes)",
             "%s: the 2000-byte request is refused with \"request too large "
             "(limit 1024 bytes)\"" % what)
        if resps[0].get("message") != "request too large (limit 1024 bytes)":
            t.diag("got: %r" % resps[0])
        t.ok(good_token(resps[1], 2),
             "%s: the next request is served (PyJWT verifies)" % what)
        t.ok(good_token(resps[2], 3),
             "%s: a %d-byte request is served (PyJWT verifies)" % (what, len(small)))


def test_idle_listener(t, d, spares):
    proc, port = start_listener(d, "idle%d" % spares, HOST, settle=5,
                                limits={"idle_timeout": 1,
                                        "spare_processes": spares})
    what = "spares %d, idle_timeout 1" % spares
    try:
        if not t.ok(port is not None, "%s: listening" % what):
            t.diag(proc.log_tail())
            return
        conn = Conn(HOST, port)
        t0 = time.monotonic()
        data = conn.read_to_eof(timeout=6)
        took = time.monotonic() - t0
        conn.close()
        if not t.ok(data == b"" and 0.5 <= took <= 3.5,
                    "%s: a silent connection is closed by the "
                    "server within 1-3 s (took %.2f s)" % (what, took)):
            t.diag("received %r" % (data,))

        conn = Conn(HOST, port)
        conn.send(request(seq=5) + b"\0")
        resp = one_response(conn.read_until(b"\n\0", timeout=5))
        t.ok(good_token(resp, 5), "%s: a request is answered" % what)
        t0 = time.monotonic()
        data = conn.read_to_eof(timeout=6)
        took = time.monotonic() - t0
        conn.close()
        t.ok(data == b"" and took <= 3.5,
             "%s: after the answer, silence closes the connection "
             "(%.2f s)" % (what, took))

        conn = Conn(HOST, port)
        served = 0
        for i in range(4):
            conn.send(request(seq=10 + i) + b"\0")
            if good_token(one_response(conn.read_until(b"\n\0", timeout=5)),
                          10 + i):
                served += 1
            time.sleep(0.6)
        conn.close()
        t.eq(served, 4, "%s: requests 0.6 s apart keep the "
             "connection open (4 served over 2.4 s)" % what)
        t.ok(proc.alive(), "%s: the listener is still running" % what)
    finally:
        proc.stop()


def test_idle_pipe(t, d):
    cfg = write_config(d, name="idle-pipe.json", limits={"idle_timeout": 1})
    p = subprocess.Popen([CAS_BIN, "-c", cfg], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=child_env())
    t0 = time.monotonic()
    try:
        rc = p.wait(timeout=6)
    except subprocess.TimeoutExpired:
        rc = None
    took = time.monotonic() - t0
    if rc is None:
        p.kill()
        p.wait()
    p.stdin.close()
    out = p.stdout.read()
    p.stdout.close()
    p.stderr.close()
    t.ok(rc is not None and took <= 3.5,
         "idle_timeout 1, stdin mode, a silent pipe: the program ends within "
         "~3 s (%.2f s)" % took)
    t.eq(rc, 0, "idle_timeout 1, stdin mode: exit 0")
    t.eq(out, b"", "idle_timeout 1, stdin mode: nothing on stdout")


def test_requests_per_connection(t, d):
    cfg = write_config(d, name="per-conn.json",
                       limits={"max_requests_per_connection": 3})
    stream = b"".join(request(seq=i) + b"\0" for i in range(5))
    r = cas(cfg, stdin=stream)
    resps = split_responses(r.out.encode())
    if not t.eq(len(resps), 3, "max_requests_per_connection 3: a pipe with 5 "
                "requests gets exactly 3 answers"):
        t.diag(repr(r))
    t.ok(all(good_token(resps[i], i) for i in range(min(3, len(resps)))),
         "max_requests_per_connection 3: the 3 answers are tokens for seq 0-2")
    t.ok(r.rc is not None and r.rc >= 0,
         "max_requests_per_connection 3: the program ends (status %r)" % r.rc)


def test_requests_per_listened_connection(t, d, spares):
    stream = b"".join(request(seq=i) + b"\0" for i in range(5))
    what = "spares %d, max_requests_per_connection 3" % spares
    proc, port = start_listener(d, "per-conn-listen%d" % spares, HOST,
                                settle=5,
                                limits={"max_requests_per_connection": 3,
                                        "spare_processes": spares})
    try:
        if not t.ok(port is not None, "%s: listening" % what):
            t.diag(proc.log_tail())
            return
        conn = Conn(HOST, port)
        conn.send(stream)
        data = conn.read_to_eof(timeout=10)
        conn.close()
        resps = split_responses(data or b"")
        t.eq(len(resps), 3, "%s: a connection sending 5 requests gets 3 "
             "answers, then is closed" % what)
        conn = Conn(HOST, port)
        conn.send(request(seq=9) + b"\0")
        resp = one_response(conn.read_until(b"\n\0", timeout=5))
        conn.close()
        t.ok(good_token(resp, 9), "%s: a new connection is served" % what)
    finally:
        proc.stop()


def test_max_connections(t, d, spares):
    proc, port = start_listener(d, "maxconn%d" % spares, HOST, settle=5,
                                limits={"max_connections": 1,
                                        "idle_timeout": 30,
                                        "spare_processes": spares})
    what = "spares %d, max_connections 1" % spares
    first = second = None
    try:
        if not t.ok(port is not None, "%s: listening" % what):
            t.diag(proc.log_tail())
            return
        first = Conn(HOST, port)
        first.send(request(seq=1) + b"\0")
        resp = one_response(first.read_until(b"\n\0", timeout=5))
        t.ok(good_token(resp, 1), "%s: the first connection "
             "is served and held open" % what)
        second = Conn(HOST, port)
        second.send(request(seq=2) + b"\0")
        waiting = not second.has_data(1.5)
        t.ok(waiting, "%s: a second connection gets no answer "
             "while the first is open" % what)
        first.send(request(seq=3) + b"\0")
        resp = one_response(first.read_until(b"\n\0", timeout=5))
        t.ok(good_token(resp, 3), "%s: the first connection "
             "is still served meanwhile" % what)
        first.close()
        first = None
        t0 = time.monotonic()
        resp = one_response(second.read_until(b"\n\0", timeout=8))
        took = time.monotonic() - t0
        t.ok(good_token(resp, 2), "%s: once the first closes, "
             "the second is served (%.2f s)" % (what, took))
        t.ok(proc.alive(), "%s: the listener is still running" % what)
    finally:
        for c in (first, second):
            if c is not None:
                c.close()
        proc.stop()


def main(t):
    with tempdir() as d:
        test_request_bytes(t, d)
        test_idle_pipe(t, d)
        test_requests_per_connection(t, d)
        for spares in SPARE_SETTINGS:
            test_idle_listener(t, d, spares)
            test_requests_per_listened_connection(t, d, spares)
            test_max_connections(t, d, spares)


if __name__ == "__main__":
    TAP().run(main)
