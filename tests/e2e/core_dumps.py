#!/usr/bin/python3
"""A serving process holds the key: it runs with core dumps off, and a crash
signal leaves no core file behind."""

import os
import signal
import subprocess

from caslib import CAS_BIN, TAP, child_env, request, tempdir, write_config


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        p = subprocess.Popen([CAS_BIN, "-q", "-c", cfg], cwd=d, env=child_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        try:
            p.stdin.write(request(seq=1) + b"\n")
            p.stdin.flush()
            t.ok(b'"success":true' in p.stdout.readline(), "the filter is serving")
            with open("/proc/%d/limits" % p.pid) as f:
                core = [line.split() for line in f if line.startswith("Max core file size")]
            t.ok(core and core[0][4:6] == ["0", "0"],
                 "RLIMIT_CORE is 0 (soft and hard) while serving")
            if core:
                t.diag("limits: %r" % (core[0],))
            os.kill(p.pid, signal.SIGABRT)
            p.wait(timeout=10)
            t.eq(p.returncode, -signal.SIGABRT, "SIGABRT ends it")
            leftovers = [n for n in os.listdir(d) if n.startswith("core")]
            t.eq(leftovers, [], "no core file is written")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    TAP().run(main)
