#!/usr/bin/python3
"""limits.max_connections is a hard cap even when several listening sockets
are ready at the same moment (systemd passing two sockets, Accept=no), with
spare processes off and on."""

import subprocess
import time

from caslib import CAS_BIN, TAP, child_env, request, tempdir, write_config
from netlib import (NUL_TERM, SPARE_SETTINGS, Conn, answered, children_of,
                    continue_processes, free_port, live_children,
                    stop_processes, token_problem)


def scenario(t, d, spares):
    what = "spares %d" % spares
    cfg = write_config(d, name="limit%d.json" % spares,
                       limits={"max_connections": 2,
                               "spare_processes": spares})
    p1, p2 = free_port(), free_port()
    proc = subprocess.Popen(["systemd-socket-activate", "-l", "127.0.0.1:%d" % p1,
                             "-l", "127.0.0.1:%d" % p2, CAS_BIN, "-q", "-c", cfg],
                            env=child_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    conns = []
    try:
        time.sleep(0.5)
        # The first connection starts the program and holds one slot.
        first = Conn("127.0.0.1", p1)
        first.send(request(seq=0) + b"\0")
        t.ok(token_problem(first.read_until(NUL_TERM, 10), 0) is None,
             "%s: the first connection is served" % what)
        # Paused (the listener first, then any spare), both sockets get a
        # connection; resumed, both are ready at once.
        time.sleep(0.2)
        stop_processes([proc.pid])
        paused = [proc.pid] + live_children(proc.pid)
        stop_processes(paused)
        conns = [Conn("127.0.0.1", p1), Conn("127.0.0.1", p2)]
        for i, c in enumerate(conns, 1):
            c.send(request(seq=i) + b"\0")
        time.sleep(0.2)
        continue_processes(paused[1:] + paused[:1])
        got = answered(conns, 2.0)
        t.eq(len(got), 1, "%s: one slot left: exactly one of the two is served"
             % what)
        t.ok(len(children_of(proc.pid)) <= 2, "%s: never more than 2 children"
             % what)
        first.close()
        got2 = answered([c for i, c in enumerate(conns) if i not in got], 5.0)
        t.eq(len(got2), 1, "%s: a closed connection lets the waiting one in"
             % what)
        t.ok(proc.poll() is None, "%s: the listener is still running" % what)
    finally:
        for c in conns:
            c.close()
        proc.terminate()
        try:
            t.eq(proc.wait(timeout=10), 0, "%s: SIGTERM: exit 0" % what)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            t.ok(False, "%s: SIGTERM: exit 0" % what)


def main(t):
    with tempdir() as d:
        for spares in SPARE_SETTINGS:
            scenario(t, d, spares)


if __name__ == "__main__":
    TAP().run(main)
