#!/usr/bin/python3
"""Memory stays flat however long a connection lasts: the peak resident set
of the program serving 100000 requests through a pipe is within 1 MiB of
its peak serving 100 (nothing accumulates per request: not the parse
state, not the output buffer, not the log)."""

import os
import select
import subprocess
import threading
import time

from caslib import (CAS_BIN, TAP, child_env, decode, request, split_responses,
                    tempdir, write_config)
from adminlib import sanitizers
from netlib import skip

SMALL = 100
LARGE = 100000
SLACK_KIB = 1024


def stream(n):
    """n requests: mostly good ones, with refused and malformed ones mixed
    in at a fixed ratio so that every path runs in both sizes."""
    out = []
    for i in range(n):
        if i % 10 == 3:
            out.append(b'{"cmd":"jwt_token","displayName":"Bo"b"}\0')
        elif i % 10 == 7:
            out.append(request(seq=i, channel="no room") + b"\0")
        else:
            out.append(request(seq=i, displayName="User%d" % (i % 1000)) + b"\0")
    return b"".join(out)


def vm_hwm(pid):
    """The peak resident set (VmHWM, KiB) of a running process: the
    program's own, from its exec on (a child's rusage would also count the
    test's memory, inherited at fork)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def peak_rss(cfg, n, timeout=300):
    """Serve n requests through pipes; once all are answered, and before
    stdin is closed, read the program's peak RSS.  Returns (peak KiB, exit
    status, number of answers, last answer)."""
    data = stream(n)
    p = subprocess.Popen([CAS_BIN, "-c", cfg, "-q"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=child_env())

    def feed():
        try:
            p.stdin.write(data)
            p.stdin.flush()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    deadline = time.monotonic() + timeout
    count, tail = 0, b""
    fd = p.stdout.fileno()
    while count < n and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 1)
        if not r:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        # Count across reads too: a terminator may be split between two.
        count += (tail[-1:] + chunk).count(b"\n\0")
        tail = (tail + chunk)[-4096:]
    peak = vm_hwm(p.pid) if p.poll() is None else None
    writer.join(timeout=10)
    p.stdin.close()
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    p.stdout.close()
    i = tail.rfind(b"}\n\0", 0, len(tail) - 3)
    return peak, rc, count, tail[i + 3:] if i >= 0 else tail


def main(t):
    if sanitizers():
        skip(t, "built with sanitizers: their shadow memory makes RSS "
             "meaningless")
        return
    with tempdir() as d:
        cfg = write_config(d)
        small, rc_s, n_s, _ = peak_rss(cfg, SMALL)
        t.ok(rc_s == 0 and n_s == SMALL,
             "%d requests: exit 0, %d answers (%r)" % (SMALL, SMALL, n_s))
        t0 = time.monotonic()
        large, rc_l, n_l, last = peak_rss(cfg, LARGE)
        took = time.monotonic() - t0
        t.ok(rc_l == 0 and n_l == LARGE,
             "%d requests: exit 0, %d answers (%r, %.1f s)" %
             (LARGE, LARGE, n_l, took))
        resp = split_responses(last)
        ok = len(resp) == 1 and resp[0].get("seq") == LARGE - 1
        if ok:
            try:
                decode(resp[0].get("token"))
            except Exception:
                ok = False
        t.ok(ok, "the %dth answer carries a token PyJWT accepts" % LARGE)
        t.ok(small and large and abs(large - small) <= SLACK_KIB,
             "peak RSS for %d requests within %d KiB of that for %d "
             "(%s vs %s KiB)" % (LARGE, SLACK_KIB, SMALL, large, small))


if __name__ == "__main__":
    TAP().run(main)
