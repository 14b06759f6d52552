#!/usr/bin/python3
"""limits.max_connections is a hard cap even when several listening sockets
are ready at the same moment (systemd passing two sockets, Accept=no)."""

import os
import signal
import subprocess
import time

from caslib import CAS_BIN, TAP, child_env, request, tempdir, write_config
from netlib import (NUL_TERM, Conn, answered, children_of, free_port,
                    token_problem)


def main(t):
    with tempdir() as d:
        cfg = write_config(d, limits={"max_connections": 2})
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
                 "the first connection is served")
            # Paused, both sockets get a connection; resumed, both are ready at once.
            os.kill(proc.pid, signal.SIGSTOP)
            conns = [Conn("127.0.0.1", p1), Conn("127.0.0.1", p2)]
            for i, c in enumerate(conns, 1):
                c.send(request(seq=i) + b"\0")
            time.sleep(0.2)
            os.kill(proc.pid, signal.SIGCONT)
            got = answered(conns, 2.0)
            t.eq(len(got), 1, "one slot left: exactly one of the two is served")
            t.ok(len(children_of(proc.pid)) <= 2, "never more than 2 children")
            first.close()
            got2 = answered([c for i, c in enumerate(conns) if i not in got], 5.0)
            t.eq(len(got2), 1, "a closed connection lets the waiting one in")
            t.ok(proc.poll() is None, "the listener is still running")
        finally:
            for c in conns:
                c.close()
            proc.terminate()
            try:
                t.eq(proc.wait(timeout=10), 0, "SIGTERM: exit 0")
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                t.ok(False, "SIGTERM: exit 0")


if __name__ == "__main__":
    TAP().run(main)
