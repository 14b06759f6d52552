#!/usr/bin/python3
"""Long pipelined streams: every request answered, once, in order."""

import random
import time

from caslib import TAP, decode, request, run_filter, split_responses, tempdir, write_config

TIMEOUT = 120


def check_stream(t, cfg, count, term, what):
    stream = b"".join(request(displayName="user%d" % i, seq=i) + term
                      for i in range(count))
    start = time.monotonic()
    rc, out, err = run_filter(cfg, stream, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    t.diag("%s: %d requests, %d bytes in, %d bytes out, %.1f s"
           % (what, count, len(stream), len(out), elapsed))
    if not t.eq(rc, 0, "%s: finishes within %d s with exit status 0" % (what, TIMEOUT)):
        t.diag("stderr tail: %r" % err[-1000:])
    resps = split_responses(out)
    t.eq(len(resps), count, "%s: exactly %d responses" % (what, count))
    want_term = b"\n\0" if term == b"\0" else b"\n"
    bad = [(i, r) for i, r in enumerate(resps)
           if r.get("seq") != i or r.get("success") is not True or r.term != want_term]
    if not t.ok(not bad, "%s: every response in order, seq 0..%d, success, right terminator"
                % (what, count - 1)):
        for i, r in bad[:5]:
            t.diag("response %d: %r" % (i, r))
    fails = []
    for i in random.Random(count).sample(range(min(count, len(resps))), min(100, len(resps))):
        try:
            claims = decode(resps[i].get("token"))
            if claims["context"]["user"]["name"] != "user%d" % i:
                fails.append((i, "name %r" % claims["context"]["user"]["name"]))
        except Exception as e:
            fails.append((i, str(e)))
    t.ok(len(resps) >= 100 and not fails,
         "%s: a sample of 100 tokens verifies with PyJWT, each for its own request" % what)
    for i, why in fails[:5]:
        t.diag("token %d: %s" % (i, why))


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        check_stream(t, cfg, 100000, b"\n", "100000 newline-ended requests")
        check_stream(t, cfg, 10000, b"\0", "10000 NUL-ended requests")


if __name__ == "__main__":
    TAP().run(main)
