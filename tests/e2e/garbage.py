#!/usr/bin/python3
"""Hostile input over a pipe: thousands of random byte strings, 100000-deep
nesting, enormous numbers, invalid UTF-8 and NULs in odd places.  The
program must answer each with an error (or a valid token), never crash,
and still serve the good request that ends the stream: its answer is the
last response and carries a token PyJWT accepts; exit status 0."""

import random
import sys
import time

from caslib import TAP, decode, request, split_responses, tempdir, write_config
from adminlib import cas

SEED = 20261125
RANDOM_COUNT = 3000
DEPTH = 100000
FINAL_SEQ = "final"


def random_strings(rng, count):
    """count random byte strings of 0-300 bytes, each ended by NUL or
    newline; a third are JSON-ish (built from JSON punctuation and words)."""
    alphabet = b'{}[]:,"\\ \t\r\n0123456789-+.eEtruefalsnl' \
        b'cmdjwt_tokendisplayNamechannelmoderatorvalidForseq\x00\xff\xc3'
    out = []
    for i in range(count):
        n = rng.randint(0, 300)
        if i % 3 == 0:
            body = bytes(rng.choice(alphabet) for _ in range(n))
        else:
            body = bytes(rng.getrandbits(8) for _ in range(n))
        out.append(body + rng.choice((b"\0", b"\n")))
    return out


def deep_nesting(depth):
    return [
        b"[" * depth + b"\0",
        b"{" * depth + b"\0",
        b'{"displayName":' + b"[" * depth + b"\0",
        # Just under 200000 bytes: parsed to the end with the raised limit.
        b'{"seq":' + b"[" * (depth - 10) + b"]" * (depth - 10) + b"}\0",
        b'{"cmd":"jwt_token","x":' + b'{"a":' * (depth // 5) + b"\0",
    ]


def huge_numbers():
    big = b"9" * 5000
    return [
        request(validFor=1) + b"\0",          # a sane one, for contrast
        request().replace(b'"validFor":600', b'"validFor":1e999999') + b"\0",
        request().replace(b'"validFor":600', b'"validFor":' + big) + b"\0",
        request().replace(b'"validFor":600', b'"validFor":-' + big) + b"\0",
        request().replace(b'"validFor":600', b'"validUntil":' + big) + b"\0",
        request().replace(b'"validFor":600', b'"validFor":1e-999999') + b"\0",
        request(seq=1).replace(b'"seq":1', b'"seq":' + big) + b"\0",
        request(seq=1).replace(b'"seq":1', b'"seq":1e999999') + b"\0",
        request(seq=1).replace(b'"seq":1', b'"seq":-0.0000000000000001e-400') + b"\0",
    ]


def bad_utf8():
    """Byte sequences that are not UTF-8: stray bytes, truncated sequences,
    an encoded surrogate, a code point above U+10FFFF, an overlong form."""
    out = []
    for bad in (b"\xff", b"\xc3", b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                b"\xc0\xaf", b"\xe0\x80\xaf", b"B\x80b", b"\xef\xbf"):
        out.append(request().replace(b'"Bob"', b'"' + bad + b'"') + b"\0")
        out.append(request().replace(b'"lobby"', b'"lob' + bad + b'"') + b"\0")
    return out


def lone_surrogate_escapes():
    """Valid JSON syntax naming no character: may be refused or replaced,
    but a token must never carry invalid UTF-8."""
    return [request().replace(b'"Bob"', b'"\\ud800"') + b"\0",
            request().replace(b'"Bob"', b'"\\udc00\\ud800"') + b"\0",
            request().replace(b'"lobby"', b'"lob\\udfff"') + b"\0"]


def odd_nuls():
    r = request()
    return [
        r[:5] + b"\0" + r[5:] + b"\0",
        r.replace(b"jwt_token", b"jwt_\0token") + b"\0",
        r.replace(b'"Bob"', b'"B\0ob"') + b"\0",
        r.replace(b'":', b'"\0:', 1) + b"\0",
        b"\0\0\0\0",
        b"\0" + r[:-1] + b"\0}\0",
        r.replace(b'"Bob"', b'"B\\u0000ob"') + b"\0",
        r.replace(b'"lobby"', b'"lob\\u0000by"') + b"\0",
    ]


def final_request():
    # The NUL first ends whatever an earlier piece left unfinished.
    return b"\0" + request(seq=FINAL_SEQ, displayName="Final") + b"\0"


def check_run(t, what, r, expect_all_refused=False):
    """The common promises: exit 0, no crash, every response well-formed,
    the last one a valid token for the final request."""
    t.ok(r.rc is not None and r.rc >= 0,
         "%s: no crash (exit status %r, not a signal)" % (what, r.rc))
    if not t.eq(r.rc, 0, "%s: exit 0" % what):
        t.diag(r.err[-1500:])
    resps = split_responses(r.out.encode("utf-8", "surrogateescape"))
    t.ok(len(resps) >= 1, "%s: %d responses" % (what, len(resps)))
    malformed = [x for x in resps if x.obj is None or
                 x.keys[:4] != ["success", "message", "token", "time"]]
    if not t.ok(not malformed, "%s: every response is a JSON object with "
                "success, message, token, time" % what):
        t.diag("first: %r" % (malformed[0],))
    bad_tokens = []
    for x in resps[:-1]:
        if x.get("success") is True:
            # validFor 1 is among them: check each token as of its reply's
            # time, not as of now, which may be seconds later.
            late = max(0, int(time.time()) - int(x.get("time") or 0))
            try:
                decode(x.get("token"), leeway=late + 1)
            except Exception as e:
                bad_tokens.append((x, e))
    if not t.ok(not bad_tokens, "%s: any token served along the way is "
                "valid for PyJWT" % what):
        t.diag(repr(bad_tokens[0]))
    if expect_all_refused:
        accepted = [x for x in resps[:-1] if x.get("success") is not False]
        if not t.ok(not accepted, "%s: every hostile request is refused" % what):
            t.diag(repr(accepted[:3]))
    last = resps[-1] if resps else None
    ok = last is not None and last.get("success") is True and \
        last.get("seq") == FINAL_SEQ
    if ok:
        try:
            c = decode(last.get("token"))
            ok = c["context"]["user"]["name"] == "Final"
        except Exception:
            ok = False
    if not t.ok(ok, "%s: the last response answers the final good request "
                "with a token PyJWT accepts" % what):
        t.diag("last response: %r" % (last,))
    return resps


def run(cfg, pieces):
    return cas(cfg, stdin=b"".join(pieces) + final_request(), timeout=120)


def main(t):
    # The 5000-digit seq comes back as written; let Python read it.
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    rng = random.Random(SEED)
    with tempdir() as d:
        cfg = write_config(d, name="default.json")
        big = write_config(d, name="big.json",
                           limits={"max_request_bytes": 200000})
        randoms = random_strings(rng, RANDOM_COUNT)

        r = run(cfg, randoms)
        check_run(t, "%d random byte strings (seed %d)" % (RANDOM_COUNT, SEED), r,
                  expect_all_refused=True)

        r = run(big, deep_nesting(DEPTH))
        resps = check_run(t, "%d-deep nesting, max_request_bytes 200000" % DEPTH,
                          r, expect_all_refused=True)
        t.eq(len(resps), 6, "%d-deep nesting: one answer per request" % DEPTH)

        r = run(cfg, deep_nesting(DEPTH))
        resps = check_run(t, "%d-deep nesting, default limit" % DEPTH, r,
                          expect_all_refused=True)
        # A bare array or a broken key is refused at once; the three that
        # stay well-formed up to the limit are refused as too large.
        msgs = [x.get("message") for x in resps[:-1]]
        t.eq(msgs[2:], ["request too large (limit 65536 bytes)"] * 3,
             "%d-deep nesting, default limit: well-formed prefixes are refused "
             "as too large" % DEPTH)

        r = run(cfg, huge_numbers())
        resps = check_run(t, "huge numbers", r)
        msgs = [x.get("message") for x in resps]
        t.ok(len(resps) == 10 and resps[0].get("success") is True,
             "huge numbers: one answer each; validFor 1 is served")
        if not t.ok(len(msgs) >= 6 and
                    all(m == "validFor must be a positive integer"
                        for m in msgs[1:4] + msgs[5:6]),
                    "huge numbers: 1e999999, 5000 digits, -5000 digits, "
                    "1e-999999 as validFor: \"validFor must be a positive "
                    "integer\""):
            t.diag("messages: %r" % [(m or "")[:80] for m in msgs[1:6]])

        pieces = bad_utf8()
        r = run(cfg, pieces)
        resps = check_run(t, "invalid UTF-8 in displayName and channel", r)
        for piece, resp in zip(pieces, resps):
            field = "displayName" if b'"Bob"' not in piece else "channel"
            bad = piece.split(b'"lob' if field == "channel" else
                              b'"displayName":"')[1].split(b'"')[0]
            if not t.ok(resp.get("success") is False,
                        "%r in %s (not UTF-8): refused" % (bad, field)):
                t.diag("got: %s" % resp.raw[:60].decode("utf-8", "replace"))

        r = run(cfg, lone_surrogate_escapes())
        check_run(t, "lone surrogate escapes in displayName and channel", r)

        r = run(cfg, odd_nuls())
        check_run(t, "NULs in odd places", r)

        everything = randoms[:500] + deep_nesting(DEPTH) + huge_numbers() + \
            bad_utf8() + lone_surrogate_escapes() + odd_nuls() + randoms[500:1000]
        r = run(big, everything)
        check_run(t, "all of it in one stream", r)


if __name__ == "__main__":
    TAP().run(main)
