#!/usr/bin/python3
"""limits.idle_timeout counts from the last answered request: a client that
trickles white space, or half a request, is still closed on time."""

import subprocess
import time

from caslib import CAS_BIN, TAP, child_env, request, tempdir, write_config


def trickle(t, cfg, what, first, drip):
    """Send first, then drip every 0.3 s for up to 6 s; return seconds until exit."""
    p = subprocess.Popen([CAS_BIN, "-q", "-c", cfg], env=child_env(),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    start = time.monotonic()
    try:
        p.stdin.write(first)
        p.stdin.flush()
        while p.poll() is None and time.monotonic() - start < 6:
            try:
                p.stdin.write(drip)
                p.stdin.flush()
            except BrokenPipeError:
                break
            time.sleep(0.3)
        p.wait(timeout=5)
        took = time.monotonic() - start
        out = p.stdout.read()
        t.ok(took < 4, "%s: closed after %.1f s with idle_timeout 1" % (what, took))
        return out
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main(t):
    with tempdir() as d:
        cfg = write_config(d, limits={"idle_timeout": 1})
        trickle(t, cfg, "white space every 0.3 s", b"", b" ")
        trickle(t, cfg, "half a request, a byte every 0.3 s", b'{"cmd":', b" ")
        out = trickle(t, cfg, "one answered request, then white space",
                      request(seq=1) + b"\n", b" ")
        t.ok(b'"seq":1' in out, "the answered request got its answer first")


if __name__ == "__main__":
    TAP().run(main)
