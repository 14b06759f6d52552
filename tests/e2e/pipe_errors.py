#!/usr/bin/python3
"""Bad requests through a pipe: each is answered with success:false, an
empty token and the agreed message, and the stream goes on: the next good
request in the same stream still gets a valid token."""

import time

from caslib import (OMIT, TAP, decode, request, run_filter, split_responses,
                    tempdir, write_config)

SKOTOS_QUOTE = (b'{ "cmd": "jwt_token", "displayName": "Bo"b", "channel": "lobby", '
                b'"moderator": false, "validFor": 600, "seq": 5 }')
MALFORMED = "malformed JSON: "
NOT_OBJECT = "request must be a JSON object"
BAD_VALIDITY = "validFor must be a positive integer"
ONE_OF = "give exactly one of validFor and validUntil"
MORE_THAN_ONE = "more than one JSON value in the request"


def bad_channel(ch):
    """The refusal of a channel holding ch, which nodeprep forbids."""
    shown = ('"%s" (U+%04X)' % (ch, ord(ch)) if " " < ch < "\x7f" and ch not in '"\\'
             else "U+%04X" % ord(ch))
    return "channel contains %s, which XMPP forbids in a name (nodeprep)" % shown


def cases():
    """(description, request bytes without terminator, expected message;
    a message ending in ": " is a prefix, a tuple lists the acceptable ones)."""
    past = int(time.time()) - 100
    return [
        ("malformed JSON (SkotOS's unescaped quote)", SKOTOS_QUOTE, MALFORMED),
        ("malformed JSON (trailing comma)", b'{"cmd":"jwt_token",}', MALFORMED),
        ("malformed JSON (bare word)", b"hello", MALFORMED),
        ("cmd missing", request(cmd=OMIT), "cmd missing"),
        ("displayName missing", request(displayName=OMIT), "displayName missing"),
        ("channel missing", request(channel=OMIT), "channel missing"),
        ("moderator missing", request(moderator=OMIT), "moderator missing"),
        ("moderator the string \"false\"", request(moderator="false"),
         "moderator must be true or false"),
        ("moderator 0", request(moderator=0), "moderator must be true or false"),
        ("moderator null", request(moderator=None), "moderator must be true or false"),
        ("cmd 5", request(cmd=5), "cmd must be a string"),
        ("displayName 42", request(displayName=42), "displayName must be a string"),
        ("channel []", request(channel=[]), "channel must be a string"),
        ("email 5", request(email=5), "email must be a string"),
        ("avatar false", request(avatar=False), "avatar must be a string"),
        ("id {}", request(id={}), "id must be a string"),
        ("validFor \"600\"", request(validFor="600"), BAD_VALIDITY),
        ("validFor 0", request(validFor=0), BAD_VALIDITY),
        ("validFor -5", request(validFor=-5), BAD_VALIDITY),
        ("validFor 1.5", request(validFor=1.5), BAD_VALIDITY),
        ("validFor null", request(validFor=None), BAD_VALIDITY),
        ("validUntil \"x\"", request(validFor=OMIT, validUntil="x"),
         "validUntil must be an integer (epoch seconds)"),
        ("both validFor and validUntil", request(validUntil=past + 10000), ONE_OF),
        ("neither validFor nor validUntil", request(validFor=OMIT), ONE_OF),
        ("validUntil in the past", request(validFor=OMIT, validUntil=past),
         "validUntil is in the past"),
        ("unknown cmd", request(cmd="jwt_tokens"),
         'unknown cmd: only "jwt_token" is supported'),
        ("non-object 42", b"42", NOT_OBJECT),
        ("non-object [1]", b"[1]", NOT_OBJECT),
        ("non-object \"x\"", b'"x"', NOT_OBJECT),
        ("non-object null", b"null", NOT_OBJECT),
        ("empty displayName", request(displayName=""), "displayName must not be empty"),
        ("empty channel", request(channel=""), "channel must not be empty"),
        ("channel with a space", request(channel="a b"), bad_channel(' ')),
        ("channel with a slash", request(channel="a/b"), bad_channel('/')),
        ("channel with @", request(channel="a@b"), bad_channel('@')),
        ("channel with a colon", request(channel="a:b"), bad_channel(':')),
        ("channel with a quote", request(channel='a"b'), bad_channel('"')),
        ("channel with a control character", request(channel="a\tb"), bad_channel('\t')),
        ("channel with &", request(channel="a&b"), bad_channel('&')),
        ("channel with <", request(channel="a<b"), bad_channel('<')),
        ("displayName given twice",
         b'{"cmd":"jwt_token","displayName":"A","displayName":"B","channel":"lobby",'
         b'"moderator":false,"validFor":60}', "displayName given more than once"),
        ("channel given twice",
         b'{"cmd":"jwt_token","displayName":"A","channel":"x","channel":"lobby",'
         b'"moderator":false,"validFor":60}', "channel given more than once"),
        ("seq an array", request(seq=[1]), "seq must be a string, number, boolean or null"),
        # A number ends only at a delimiter: the terminator must end it, not
        # carry it over into the next request.
        ("an object then a number", request() + b" 5", MORE_THAN_ONE),
        ("an object then a string", request() + b' "x"', MORE_THAN_ONE),
        ("a string then a number", b'"x" 5', (NOT_OBJECT, MORE_THAN_ONE)),
        ("two numbers", b"5 5", (NOT_OBJECT, MORE_THAN_ONE)),
        ("an array then a number", b"[1] 5", (NOT_OBJECT, MORE_THAN_ONE)),
        ("an object then a cut-off literal", request() + b" tru", (MORE_THAN_ONE, MALFORMED)),
        ("an object then a lone minus", request() + b" -", (MORE_THAN_ONE, MALFORMED)),
    ]


def is_match(msg, want):
    if isinstance(want, tuple):
        return any(is_match(msg, w) for w in want)
    if not isinstance(msg, str):
        return False
    if want.endswith(": "):
        return msg.startswith(want) and len(msg) > len(want)
    return msg == want


def check_error(t, r, want, what):
    good = (r is not None and r.get("success") is False and r.get("token") == ""
            and is_match(r.get("message"), want))
    shown = " or ".join(repr(w) for w in want) if isinstance(want, tuple) else repr(want)
    if not t.ok(good, "%s: success false, token \"\", message %s" % (what, shown)):
        t.diag("got: %r" % (r,))
    return good


def check_good(t, r, seq, what):
    good = False
    if r is not None and r.get("success") is True and r.get("seq") == seq:
        try:
            decode(r.get("token"))
            good = True
        except Exception as e:
            t.diag("token does not verify: %s" % e)
    if not t.ok(good, "%s: the next good request gets a valid token" % what):
        t.diag("got: %r" % (r,))


def test_each_error(t, cfg, term):
    framing = "NUL" if term == b"\0" else "newline"
    for what, bad, want in cases():
        what = "%s (%s-ended)" % (what, framing)
        rc, out, err = run_filter(cfg, bad + term + request(seq=99) + term)
        resps = split_responses(out)
        check_error(t, resps[0] if resps else None, want, what)
        check_good(t, resps[1] if len(resps) > 1 else None, 99, what)
        if len(resps) != 2 or rc != 0:
            t.ok(False, "%s: exactly two responses, exit status 0" % what)
            t.diag("rc %r, stdout %r, stderr %r" % (rc, out, err[-1000:]))


def test_all_in_one_stream(t, cfg):
    # Every bad request in one NUL-ended stream, each followed by a good one.
    cs = cases()
    stream = b"".join(bad + b"\0" + request(seq=i) + b"\0"
                      for i, (_, bad, _) in enumerate(cs))
    rc, out, _ = run_filter(cfg, stream)
    resps = split_responses(out)
    t.eq(len(resps), 2 * len(cs), "one stream of all bad requests: every request answered")
    ok = len(resps) == 2 * len(cs)
    for i, (what, _, want) in enumerate(cs):
        if not ok:
            break
        e, g = resps[2 * i], resps[2 * i + 1]
        if not (e.get("success") is False and is_match(e.get("message"), want)
                and g.get("success") is True and g.get("seq") == i):
            ok = False
            t.diag("at %s: got %r then %r" % (what, e, g))
    t.ok(ok, "one stream of all bad requests: answers in order")
    t.eq(rc, 0, "one stream of all bad requests: exit status 0 at EOF")


def test_more_than_one_value(t, cfg):
    rc, out, _ = run_filter(cfg, request(seq=1) + b" " + request(seq=2) + b"\0"
                            + request(seq=3) + b"\0")
    resps = split_responses(out)
    check_error(t, resps[0] if resps else None, MORE_THAN_ONE, "two objects before one NUL")
    t.eq(resps[0].get("seq") if resps else None, 1,
         "two objects before one NUL: the seq read before the error is echoed")
    check_good(t, resps[1] if len(resps) > 1 else None, 3, "two objects before one NUL")


def test_oversized(t, cfg):
    for term in (b"\0", b"\n"):
        framing = "NUL" if term == b"\0" else "newline"
        big = request(displayName="x" * 70000, seq=1)
        assert len(big) > 70000
        rc, out, err = run_filter(cfg, big + term + request(seq=2) + term)
        resps = split_responses(out)
        what = "70000-byte request (%s-ended)" % framing
        check_error(t, resps[0] if resps else None,
                    "request too large (limit 65536 bytes)", what)
        check_good(t, resps[1] if len(resps) > 1 else None, 2, what)
        t.ok(len(resps) == 2 and rc == 0, "%s: two responses, exit status 0" % what)
    # Just under the limit is served.
    pad = 65000 - len(request(displayName="", seq=1))
    rc, out, _ = run_filter(cfg, request(displayName="y" * pad, seq=1) + b"\0")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].get("success") is True,
         "a 65000-byte request is served")
    # An oversized request with no terminator at all, then EOF.
    rc, out, _ = run_filter(cfg, b'{"displayName":"' + b"z" * 200000)
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].get("message") == "request too large (limit 65536 bytes)"
         and rc == 0, "an unterminated 200000-byte request at EOF: one error, exit 0")


def test_seq_on_errors(t, cfg):
    stream = (b'{"seq":7,"cmd":"nope","displayName":"A","channel":"lobby","moderator":false,"validFor":60}\0'
              b'{"seq":"s8","cmd":"jwt_token","displayName":42,"channel":"lobby","moderator":false,"validFor":60}\0'
              b'{"seq":9,"cmd":"jwt_token","displayName":"Bo"b","channel":"lobby"}\0'
              + request(seq=10) + b"\0")
    rc, out, _ = run_filter(cfg, stream)
    resps = split_responses(out)
    t.eq([r.get("seq") for r in resps], [7, "s8", 9, 10],
         "seq read before the error is echoed on the error response")
    t.ok(len(resps) == 4 and resps[0].raw.endswith(b',"seq":7}')
         and [r.get("success") for r in resps] == [False, False, False, True],
         "error responses carry seq last, as on success")
    rc, out, _ = run_filter(cfg, SKOTOS_QUOTE + b"\0")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].term == b"\n\0" and rc == 0,
         "an error on a NUL-ended request is answered with \\n\\0")


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_each_error(t, cfg, b"\0")
        test_each_error(t, cfg, b"\n")
        test_all_in_one_stream(t, cfg)
        test_more_than_one_value(t, cfg)
        test_oversized(t, cfg)
        test_seq_on_errors(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
