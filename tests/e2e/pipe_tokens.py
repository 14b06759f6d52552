#!/usr/bin/python3
"""Tokens minted through a pipe: every claim, the header, the response
format, seq echo and request framing, checked against PyJWT."""

import json
import os
import re
import time

from caslib import (OMIT, TAP, claims_in_order, decode, raw_header, request,
                    run_filter, split_responses, tempdir, write_config,
                    TOP_SRCDIR)

HEADER = b'{"alg":"HS256","typ":"JWT"}'
CLAIM_ORDER = ["iss", "aud", "sub", "room", "iat", "nbf", "exp", "moderator",
               "context"]
RESPONSE_KEYS = ["success", "message", "token", "time"]
TRICKY_NAME = 'Bo"b \\o/ \'x\' caf\u00e9 \u65e5\u672c <&>'


def check_token(t, token, what, t0, t1, room="lobby", name="Bob",
                moderator=False, valid_for=600, valid_until=None,
                email=None, avatar=None, user_id=None):
    """Check one token against everything the request asked for."""
    t.ok(isinstance(token, str) and token.count(".") == 2,
         "%s: token has three segments" % what)
    if not isinstance(token, str) or token.count(".") != 2:
        t.diag("token: %r" % (token,))
        return
    t.ok("=" not in token and re.fullmatch(r"[A-Za-z0-9_.-]+", token),
         "%s: token is unpadded base64url" % what)
    t.eq(raw_header(token), HEADER, "%s: header is exactly %s" % (what, HEADER.decode()))
    try:
        claims = decode(token)
    except Exception as e:
        t.ok(False, "%s: PyJWT verifies the token (%s)" % (what, e))
        return
    t.ok(True, "%s: PyJWT verifies signature, iss, aud, exp, nbf" % what)
    pairs = claims_in_order(token)
    t.eq([k for k, _ in pairs], CLAIM_ORDER, "%s: claims in the agreed order" % what)
    t.eq((claims.get("iss"), claims.get("aud"), claims.get("sub"), claims.get("room")),
         ("skotos", "jitsi", "meet.jitsi", room),
         "%s: iss, aud, sub, room" % what)
    iat = claims.get("iat")
    t.ok(isinstance(iat, int) and t0 - 1 <= iat <= t1 + 1,
         "%s: iat is now (%r in [%d, %d])" % (what, iat, t0, t1))
    if isinstance(iat, int):
        t.eq(claims.get("nbf"), iat - 10, "%s: nbf is iat - 10" % what)
        want_exp = valid_until if valid_until is not None else iat + valid_for
        t.eq(claims.get("exp"), want_exp, "%s: exp is %s" % (
            what, "validUntil" if valid_until is not None else "iat + validFor"))
    t.ok(claims.get("moderator") is moderator,
         "%s: top-level moderator is JSON %s" % (what, json.dumps(moderator)))
    user = [("name", name)]
    if email is not None:
        user.append(("email", email))
    if avatar is not None:
        user.append(("avatar", avatar))
    if user_id is not None:
        user.append(("id", user_id))
    user += [("affiliation", "owner" if moderator else "member"),
             ("moderator", "true" if moderator else "false")]
    context = dict(pairs).get("context")
    t.eq(context, [("user", user)],
         "%s: context.user is exactly %s" % (what, json.dumps(dict(user), ensure_ascii=False)))


def check_response_shape(t, resp, what, t0, t1, seq=OMIT):
    keys = RESPONSE_KEYS + ([] if seq is OMIT else ["seq"])
    t.eq(resp.keys, keys, "%s: response keys in order %s" % (what, ",".join(keys)))
    t.eq((resp.get("success"), resp.get("message")), (True, "OK"),
         "%s: success true, message OK" % what)
    tm = resp.get("time")
    t.ok(isinstance(tm, int) and t0 - 1 <= tm <= t1 + 1,
         "%s: time is now (%r)" % (what, tm))
    if resp.obj is not None:
        compact = json.dumps(resp.obj, separators=(",", ":")).encode()
        t.eq(resp.raw, compact, "%s: response is compact JSON" % what)


def test_claims(t, cfg):
    now = int(time.time())
    until = now + 1234
    cases = [
        ("non-moderator", dict(), {}),
        ("moderator", dict(moderator=True), dict(moderator=True)),
        ("non-moderator with email, avatar, id",
         dict(email="bob@example.org", avatar="https://example.org/b.png", id="u-42"),
         dict(email="bob@example.org", avatar="https://example.org/b.png", user_id="u-42")),
        ("moderator with email, avatar, id",
         dict(moderator=True, email="al@example.org", avatar="https://e.org/a", id="7"),
         dict(moderator=True, email="al@example.org", avatar="https://e.org/a", user_id="7")),
        ("moderator with email only", dict(moderator=True, email="m@e.org"),
         dict(moderator=True, email="m@e.org")),
        ("non-moderator with avatar only", dict(avatar="https://e.org/x"),
         dict(avatar="https://e.org/x")),
        ("validFor 7200", dict(validFor=7200), dict(valid_for=7200)),
        ("validUntil", dict(validFor=OMIT, validUntil=until), dict(valid_until=until)),
        ("name with quotes, backslash, UTF-8", dict(displayName=TRICKY_NAME),
         dict(name=TRICKY_NAME)),
        ("channel *", dict(channel="*"), dict(room="*")),
        # The room claim is the channel as Prosody names the room: nodeprep.
        ("mixed-case channel", dict(channel="Game-Room_1"), dict(room="game-room_1")),
    ]
    stream = b"".join(request(seq=i, **fields) + b"\n"
                      for i, (_, fields, _) in enumerate(cases))
    t0 = int(time.time())
    rc, out, err = run_filter(cfg, stream)
    t1 = int(time.time())
    t.eq(rc, 0, "exit status 0 at EOF")
    resps = split_responses(out)
    t.eq(len(resps), len(cases), "one response per request")
    for i, (what, _, expect) in enumerate(cases):
        if i >= len(resps):
            t.ok(False, "%s: answered" % what)
            continue
        r = resps[i]
        check_response_shape(t, r, what, t0, t1, seq=i)
        t.eq(r.get("seq"), i, "%s: seq echoed" % what)
        check_token(t, r.get("token"), what, t0, t1, **expect)
    if rc != 0 or len(resps) != len(cases):
        t.diag("stderr: %r" % err[-2000:])


def test_escaped_name(t, cfg):
    # JSON escapes, including a surrogate pair, arrive decoded in the token.
    raw = (b'{"cmd":"jwt_token","displayName":"J\\u00e9r\\u00f4me \\ud83d\\ude00 \\"q\\" \\\\ \\/",'
           b'"channel":"lobby","moderator":false,"validFor":60}\n')
    rc, out, _ = run_filter(cfg, raw)
    resps = split_responses(out)
    ok = len(resps) == 1 and resp_ok(resps[0])
    if t.ok(ok, "escaped name: answered with a token"):
        name = decode(resps[0].get("token"))["context"]["user"]["name"]
        t.eq(name, 'J\u00e9r\u00f4me \U0001F600 "q" \\ /', "escaped name decoded exactly")
    else:
        t.diag("got: %r" % out)


def resp_ok(r):
    return r.get("success") is True and isinstance(r.get("token"), str) and r.get("token") != ""


def test_no_seq(t, cfg):
    t0 = int(time.time())
    rc, out, _ = run_filter(cfg, request() + b"\n")
    t1 = int(time.time())
    resps = split_responses(out)
    if t.eq(len(resps), 1, "request without seq: one response"):
        check_response_shape(t, resps[0], "no seq", t0, t1)
        t.ok(b'"seq"' not in resps[0].raw, "no seq key when the request has none")


def test_seq_echo(t, cfg):
    base = b'{"cmd":"jwt_token","displayName":"S","channel":"lobby","moderator":false,"validFor":60,"seq":'
    cases = [
        (b"12345678901234", b"12345678901234", "14-digit integer"),
        (b"0", b"0", "zero"),
        (b"-7", b"-7", "negative integer"),
        (b"1.5e3", b"1.5e3", "number 1.5e3 as written"),
        (b"2.50", b"2.50", "number 2.50 as written"),
        (b"123456789012345678901234567890", b"123456789012345678901234567890",
         "30-digit integer as written"),
        (b'"abc-1"', b'"abc-1"', "string"),
        (b'"a\\"b"', b'"a\\"b"', "string with a quote, re-encoded"),
        (b"null", b"null", "null"),
        (b"true", b"true", "true"),
        (b"false", b"false", "false"),
    ]
    stream = b"".join(base + s + b"}\0" for s, _, _ in cases)
    rc, out, _ = run_filter(cfg, stream)
    resps = split_responses(out)
    t.eq(len(resps), len(cases), "seq echo: one response per request")
    for i, (sent, want, what) in enumerate(cases):
        got = resps[i].raw if i < len(resps) else b""
        t.ok(got.endswith(b',"seq":' + want + b"}") and b'"success":true' in got,
             "seq %s comes back as %s" % (what, want.decode()))
        if not got.endswith(b',"seq":' + want + b"}"):
            t.diag("got: %r" % got)
    # A string seq is re-encoded: whatever the escaping, it decodes the same.
    rc, out, _ = run_filter(cfg, request(seq="caf\u00e9 \u65e5 \\ \" \n") + b"\0")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].get("seq") == "caf\u00e9 \u65e5 \\ \" \n",
         "seq string with UTF-8, backslash, quote, newline echoed as the same string")


def test_framing(t, cfg):
    rc, out, _ = run_filter(cfg, request(seq=1) + b"\0")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].term == b"\n\0" and resp_ok(resps[0])
         and out.endswith(b"}\n\0"),
         "NUL-ended request answered with JSON + \\n\\0")
    t.eq(rc, 0, "exit status 0 at EOF after a NUL-ended request")

    rc, out, _ = run_filter(cfg, request(seq=2) + b"\n")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].term == b"\n" and resp_ok(resps[0])
         and out.endswith(b"}\n") and b"\0" not in out,
         "newline-ended request answered with JSON + \\n")

    pretty = json.dumps(json.loads(request(seq=3)), indent=2).encode()
    assert pretty.count(b"\n") > 3
    rc, out, _ = run_filter(cfg, pretty + b"\0")
    resps = split_responses(out)
    if not t.ok(len(resps) == 1 and resps[0].term == b"\n\0" and resp_ok(resps[0])
                and resps[0].get("seq") == 3,
                "pretty-printed multi-line object ended by NUL answered once"):
        t.diag("got: %r" % out)

    two = pretty + b"\0" + pretty.replace(b'"seq": 3', b'"seq": 4') + b"\0"
    rc, out, _ = run_filter(cfg, two)
    resps = split_responses(out)
    t.ok([r.get("seq") for r in resps] == [3, 4] and all(map(resp_ok, resps)),
         "two pretty-printed NUL-ended objects answered once each, in order")

    # A request ended by NUL makes the stream NUL-framed: newlines are then
    # white space, and the last request is answered at end of input.
    rc, out, _ = run_filter(cfg, request(seq=8) + b"\n" + request(seq=9) + b"\0"
                            + request(seq=10) + b"\n")
    resps = split_responses(out)
    if not t.eq([(r.get("seq"), r.term) for r in resps],
                [(8, b"\n"), (9, b"\n\0"), (10, b"\n\0")],
                "newline-, NUL-, newline-ended: NUL framing from the NUL on"):
        t.diag("got: %r" % out)

    # On a NUL-framed stream, "\n\0" after an object is one terminator.
    rc, out, _ = run_filter(cfg, request(seq=11) + b"\0" + request(seq=12) + b"\n\0"
                            + pretty.replace(b'"seq": 3', b'"seq": 13') + b"\n\0")
    resps = split_responses(out)
    if not t.eq([(r.get("seq"), r.term) for r in resps],
                [(11, b"\n\0"), (12, b"\n\0"), (13, b"\n\0")],
                "after a NUL-ended request, objects followed by \\n\\0 are "
                "answered once each with \\n\\0"):
        t.diag("got: %r" % out)

    # A first request that spans lines and is malformed is skipped to its NUL.
    bad = pretty.replace(b'"displayName": "', b'"displayName": "Bo"b')
    rc, out, _ = run_filter(cfg, bad + b"\0" + request(seq=14) + b"\0")
    resps = split_responses(out)
    if not t.ok(len(resps) == 2 and not resps[0].get("success")
                and resp_ok(resps[1]) and resps[1].get("seq") == 14,
                "a malformed pretty-printed first request gets one answer"):
        t.diag("got: %r" % out)

    rc, out, _ = run_filter(cfg, request(seq=5))
    resps = split_responses(out)
    if not t.ok(len(resps) == 1 and resp_ok(resps[0]) and resps[0].get("seq") == 5
                and out.endswith(b"\n"),
                "object at EOF with no terminator answered"):
        t.diag("got: %r" % out)
    t.eq(rc, 0, "exit status 0 after an unterminated request at EOF")

    rc, out, _ = run_filter(cfg, b"\n\n" + request(seq=6) + b"\n\n\n" + b"   \n")
    resps = split_responses(out)
    if not t.ok(len(resps) == 1 and resps[0].get("seq") == 6,
                "blank lines get no answer"):
        t.diag("got: %r" % out)

    rc, out, _ = run_filter(cfg, b"\0" + request(seq=7) + b"\0\0\0")
    resps = split_responses(out)
    t.ok(len(resps) == 1 and resps[0].get("seq") == 7,
         "empty NUL-ended requests get no answer")

    rc, out, _ = run_filter(cfg, b"")
    t.ok(rc == 0 and out == b"", "empty input: no output, exit status 0")


def test_config_example(t):
    path = os.path.join(TOP_SRCDIR, "config-example.json")
    if not t.ok(os.path.isfile(path), "config-example.json exists in the source tree"):
        return
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    t.ok(True, "config-example.json is valid JSON")
    jw = cfg.get("jwt", {})
    secret = jw.get("secret")
    if not t.ok(isinstance(secret, str) and secret,
                "config-example.json holds an inline jwt.secret"):
        return
    # -i: serve the pipe even though the example may name inbound/outbound.
    rc, out, err = run_filter(path, request(seq=1) + b"\n", args=["-i"])
    resps = split_responses(out)
    if not t.ok(len(resps) == 1 and resp_ok(resps[0]),
                "config-example.json mints a token"):
        t.diag("rc %r stdout %r stderr %r" % (rc, out, err))
        return
    try:
        claims = decode(resps[0].get("token"), secret=secret,
                        audience=jw.get("audience", "jitsi"),
                        algorithms=[jw.get("algorithm", "HS256")],
                        issuer=jw.get("app_id"))
        t.ok(claims.get("sub") == cfg["jitsi"]["domain"],
             "its token verifies with the example's own secret, sub is its domain")
    except Exception as e:
        t.ok(False, "its token verifies with the example's own secret (%s)" % e)


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_claims(t, cfg)
        test_escaped_name(t, cfg)
        test_no_seq(t, cfg)
        test_seq_echo(t, cfg)
        test_framing(t, cfg)
    test_config_example(t)


if __name__ == "__main__":
    TAP().run(main)
