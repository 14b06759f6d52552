#!/usr/bin/python3
"""Memory safety under valgrind's memcheck: a mixed stream of about 300
requests (good, refused, malformed, oversized, both framings, policy
refusals) and the token, verify and check subcommands run with no memory
errors and no definite leaks, and the answers are still right."""

import json
import random
import re
import shutil
import subprocess

from caslib import (CAS_BIN, TAP, child_env, decode, request, split_responses,
                    tempdir, write_config)
from adminlib import Run, claims, mint, sanitizers
from netlib import skip

VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--track-fds=no",
            "--child-silent-after-fork=yes"]
SEED = 4114


def mixed_stream(rng, count=300):
    """count requests, each of a kind picked at random; returns (bytes,
    list of kinds in order).  Every kind gets exactly one answer."""
    kinds = ["good", "good_nl", "refused", "malformed", "oversized",
             "policy", "seq", "pretty"]
    pieces, order = [], []
    for i in range(count):
        kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
        if kind == "good":
            p = request(seq=i, displayName="User%d" % i) + b"\0"
        elif kind == "good_nl":
            # Newline framing is sticky, so newline-ended requests come at
            # the end only; here a NUL-ended request spanning lines.
            p = request(seq=i).replace(b",", b",\n", 2) + b"\0"
        elif kind == "refused":
            p = rng.choice([request(seq=i, moderator="yes"),
                            request(seq=i, channel="a b"),
                            request(seq=i, validFor=-5),
                            request(seq=i, cmd="other"),
                            request(seq=i, displayName="")]) + b"\0"
        elif kind == "malformed":
            p = rng.choice([b'{"cmd":"jwt_token","displayName":"Bo"b"}',
                            b"[1,2,3]", b"{}{}", b'{"a":', b"nul",
                            bytes(rng.getrandbits(8) for _ in range(40))
                            .replace(b"\0", b"")]) + b"\0"
        elif kind == "oversized":
            p = request(seq=i, displayName="X" * 70000) + b"\0"
        elif kind == "policy":
            p = request(seq=i, channel="kitchen") + b"\0"
        elif kind == "seq":
            p = request(seq=rng.choice(["s%d" % i, 1.5e300, None, True,
                                        "\u00e9\u65e5"])) + b"\0"
        else:
            p = json.dumps({"cmd": "jwt_token", "displayName": "Pretty",
                            "channel": "game-1", "moderator": False,
                            "validFor": 60, "seq": i}, indent=2).encode() + b"\0"
        pieces.append(p)
        order.append(kind)
    # The stream ends with a few requests followed by "\n\0": on a
    # NUL-framed stream the newline is white space, so each is one request.
    for i in range(count, count + 3):
        pieces.append(request(seq=i) + b"\n\0")
        order.append("good_nl_end")
    return b"".join(pieces), order


def grind(cfg, args=(), stdin=b"", timeout=300):
    """Run the program under memcheck; return a Run (stdout as bytes in
    .raw too)."""
    p = subprocess.run(VALGRIND + [CAS_BIN, "-c", cfg] + list(args),
                       input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=child_env(), timeout=timeout)
    r = Run(p.returncode, p.stdout, p.stderr)
    r.raw = p.stdout
    return r


def leak_free(err):
    return ("definitely lost: 0 bytes" in err or
            "no leaks are possible" in err)


def check_valgrind(t, what, r):
    if not t.eq(r.rc, 0, "%s under valgrind: exit 0 (99 = memory errors)" % what):
        t.diag("\n".join(l for l in r.err.splitlines() if l.startswith("==")
                         )[-3000:])
    t.ok(re.search(r"ERROR SUMMARY: 0 errors", r.err),
         "%s: ERROR SUMMARY: 0 errors" % what)
    if not t.ok(leak_free(r.err), "%s: no definite leaks" % what):
        t.diag("\n".join(l for l in r.err.splitlines() if "lost" in l))


def main(t):
    if sanitizers():
        skip(t, "built with sanitizers; valgrind does not mix with ASan")
        return
    if shutil.which("valgrind") is None:
        skip(t, "valgrind is not installed")
        return
    rng = random.Random(SEED)
    with tempdir() as d:
        cfg = write_config(d, policy={"rooms": ["lobby", "game-*"]})
        stream, order = mixed_stream(rng)
        r = grind(cfg, stdin=stream)
        check_valgrind(t, "%d mixed requests" % len(order), r)
        resps = split_responses(r.raw)
        t.eq(len(resps), len(order), "mixed stream: one answer per request")
        good_kinds = {"good", "good_nl", "seq", "pretty", "good_nl_end"}
        wrong = []
        for kind, resp in zip(order, resps):
            if kind in good_kinds:
                try:
                    decode(resp.get("token"))
                except Exception as e:
                    wrong.append((kind, resp, e))
            elif resp.get("success") is not False:
                wrong.append((kind, resp, "should be refused"))
        if not t.ok(not wrong, "mixed stream: good requests get tokens PyJWT "
                    "accepts, the rest are refused"):
            t.diag(repr(wrong[:3]))

        for args, what, want in (
                (["token", "--room", "lobby", "--name", "Bob", "--moderator",
                  "--email", "b@example.org", "--url", "https://meet.example"],
                 "token subcommand", 0),
                (["token", "--room", "kitchen", "--name", "Bob"],
                 "token subcommand, refused by policy", 1),
                (["verify", "--room", "lobby", mint(claims())],
                 "verify subcommand, valid token", 0),
                (["verify", mint(claims(), secret="x" * 40)],
                 "verify subcommand, bad signature", 1),
                (["verify", "a.b"], "verify subcommand, garbage", 1),
                (["check"], "check subcommand", 0)):
            r = grind(cfg, args, timeout=120)
            t.ok("ERROR SUMMARY: 0 errors" in r.err and leak_free(r.err) and
                 r.rc == want,
                 "%s under valgrind: exit %d, 0 errors, no definite leaks" %
                 (what, want))
            if r.rc != want:
                t.diag(r.err[-2000:])

        bad = write_config(d, name="bad.json", text='{"jitsi": [}')
        r = grind(bad, ["check"], timeout=120)
        t.ok(r.rc == 78 and "ERROR SUMMARY: 0 errors" in r.err,
             "malformed config under valgrind: exit 78, 0 errors")


if __name__ == "__main__":
    TAP().run(main)
