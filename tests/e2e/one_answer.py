#!/usr/bin/python3
"""One answer per request, in order, however a request goes wrong: what
follows a request's object never spills into the next request, a first
request that its own newline breaks ends at that newline, and cmd is
compared by length and bytes.  Each stream goes through a pipe, and every
token granted is checked with PyJWT."""

from caslib import (TAP, decode, request, run_filter, split_responses,
                    tempdir, write_config)

MORE_THAN_ONE = "more than one JSON value in the request"
UNKNOWN_CMD = 'unknown cmd: only "jwt_token" is supported'


def answers(t, cfg, data, what):
    rc, out, err = run_filter(cfg, data)
    if not t.ok(rc == 0, "%s: exits 0" % what):
        t.diag(err.decode("utf-8", "replace"))
    return split_responses(out)


def granted(resp, seq):
    """True when resp is a success for seq with a token PyJWT accepts."""
    if resp.get("success") is not True or resp.get("seq") != seq:
        return False
    try:
        return decode(resp.get("token"))["room"] == "lobby"
    except Exception:
        return False


def expect(t, cfg, data, want, what):
    """want: one entry per answer, in order: a message refused with, or
    None for a token granted; answer i carries seq i + 1."""
    got = answers(t, cfg, data, what)
    if not t.eq(len(got), len(want), "%s: %d answers" % (what, len(want))):
        t.diag("answers: %r" % got)
        return
    for i, (resp, msg) in enumerate(zip(got, want)):
        seq = i + 1
        if msg is None:
            good = granted(resp, seq)
            desc = "%s: request %d is granted with its seq" % (what, seq)
        else:
            good = (resp.get("success") is False and resp.get("token") == "" and
                    resp.get("message", "").startswith(msg) and
                    resp.get("seq") == seq)
            desc = "%s: request %d is refused (%s) with its seq" % (what, seq, msg)
        if not t.ok(good, desc):
            t.diag("answer: %r" % resp)


def test_trailing(t, cfg):
    """Item: anything after the object is refused, the next request is
    answered on its own."""
    tails = [(b' "abc', "an unfinished string"),
             (b'"abc', "an unfinished string right after the brace"),
             (b' "x}', "an unfinished string ending in a brace"),
             (b' "a\\"b', "an unfinished string with an escaped quote"),
             (b" 12", "a number"), (b" tru", "an unfinished literal"),
             (b' {"a":"', "an unfinished object"), (b" [", "an open array"),
             (b' "done"', "a whole string")]
    for tail, name in tails:
        for term, framing in ((b"\n", "line"), (b"\0", "NUL")):
            data = (request(seq=1) + tail + term + request(seq=2) + term +
                    request(seq=3) + term)
            expect(t, cfg, data, [MORE_THAN_ONE, None, None],
                   "%s after the object, %s-framed" % (name, framing))


def test_newline_breaks_first(t, cfg):
    """Item: a line-framed stream whose first request its newline breaks."""
    heads = [(b'"x":"abc', "an unterminated string"),
             (b'"x":1.', "a number cut after its point"),
             (b'"x":-', "a lone minus sign"), (b'"x":nul', "a cut literal"),
             (b'"x":"\\u12', "a cut \\u escape")]
    for head, name in heads:
        first = request(seq=1)[:-1] + b"," + head
        data = first + b"\n" + request(seq=2) + b"\n" + request(seq=3) + b"\n"
        expect(t, cfg, data, ["malformed JSON: ", None, None],
               "%s at the first request's newline" % name)
        # One byte earlier the error is not at the newline: the same answers.
        data = first + b"\x01\n" + request(seq=2) + b"\n" + request(seq=3) + b"\n"
        expect(t, cfg, data, ["malformed JSON: ", None, None],
               "%s and a control byte before the newline" % name)


def test_cmd_bytes(t, cfg):
    """Item: cmd is compared by length and bytes."""
    for cmd, name in (("jwt_token\u0000anything", "jwt_token, U+0000, more"),
                      ("jwt_token\u0000", "jwt_token and U+0000"),
                      ("jwt_toke", "a prefix of jwt_token"),
                      ("jwt_token ", "jwt_token and a space")):
        expect(t, cfg, request(cmd=cmd, seq=1) + b"\n" + request(seq=2) + b"\n",
               [UNKNOWN_CMD, None], "cmd %s" % name)


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_trailing(t, cfg)
        test_newline_breaks_first(t, cfg)
        test_cmd_bytes(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
