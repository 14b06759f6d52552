#!/usr/bin/python3
"""The verify subcommand checks a token the way Jitsi's Prosody token plugin
does: a good token is `valid` (exit 0) with its decoded header and claims
shown; each broken rule gives `invalid: RULE: why` as the last line and exit
1.  The bad tokens are made with PyJWT (or by hand), not by the program."""

import json
import time

from caslib import SECRET, TAP, tempdir, write_config
from adminlib import b64url, cas, claims, mint

OTHER_SECRET = "Zz8Yy7Xx6Ww5Vv4Uu3Tt2Ss1Rr0QqPpOoNnMmLl"


def shown_json(r, prefix):
    """The JSON value on the stdout line starting with prefix, or None."""
    line = r.line(prefix)
    if line is None:
        return None
    try:
        return json.loads(line[len(prefix):])
    except ValueError:
        return None


def expect_valid(t, cfg, token, what, *args):
    r = cas(cfg, "verify", *args, token)
    if not t.ok(r.rc == 0 and r.last == "valid",
                "%s: exit 0, last line \"valid\"" % what):
        t.diag(repr(r))
    return r


def expect_invalid(t, cfg, token, rule, what, *args, stdin=b""):
    r = cas(cfg, "verify", *args, token, stdin=stdin)
    rules = rule if isinstance(rule, tuple) else (rule,)
    good = r.rc == 1 and any(r.last.startswith("invalid: %s: " % x) for x in rules)
    if not t.ok(good, "%s: exit 1, last line \"invalid: %s: ...\"" %
                (what, " or ".join(rules))):
        t.diag("token:    %r" % token[:200])
        t.diag("got:      %r" % r)
    return r


def test_good(t, cfg):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    token = r.last
    if not t.ok(r.rc == 0 and token, "a token from the token subcommand"):
        t.diag(repr(r))
        return
    r = expect_valid(t, cfg, token, "good token")
    t.ok(r.line("header: {") is not None and r.line("claims: {") is not None,
         "good token: prints header: {...} and claims: {...} lines")
    if not t.eq(shown_json(r, "header: "), {"alg": "HS256", "typ": "JWT"},
                "good token: the header line holds the decoded header JSON"):
        t.diag("header line: %r" % r.line("header:"))
    c = shown_json(r, "claims: ")
    if not t.ok(isinstance(c, dict) and c.get("room") == "lobby" and
                c.get("context", {}).get("user", {}).get("name") == "Bob",
                "good token: the claims line holds the decoded claims JSON"):
        t.diag("claims line: %r" % r.line("claims:"))
    t.ok(SECRET not in r.out + r.err, "good token: the secret is not shown")

    r = cas(cfg, "verify", "-", stdin=token.encode() + b"\n")
    if not t.ok(r.rc == 0 and r.last == "valid",
                "verify - reads the token from stdin (newline-ended)"):
        t.diag(repr(r))
    r = cas(cfg, "verify", "-", stdin=token.encode())
    if not t.ok(r.rc == 0 and r.last == "valid",
                "verify - reads the token from stdin (no newline)"):
        t.diag(repr(r))

    mine = mint(claims())
    expect_valid(t, cfg, mine, "a token made by PyJWT with the same secret")


def test_signature(t, cfg):
    good = mint(claims())
    h, p, s = good.split(".")
    tampered_payload = b64url(claims(room="kitchen"))
    expect_invalid(t, cfg, "%s.%s.%s" % (h, tampered_payload, s), "signature",
                   "tampered payload")
    flipped = s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1]
    expect_invalid(t, cfg, "%s.%s.%s" % (h, p, flipped), "signature",
                   "tampered signature")
    expect_invalid(t, cfg, mint(claims(), secret=OTHER_SECRET), "signature",
                   "signed with another secret")
    r = cas(cfg, "verify", "-", stdin=("%s.%s.%s\n" % (h, tampered_payload, s)).encode())
    t.ok(r.rc == 1 and r.last.startswith("invalid: signature: "),
         "verify - : a tampered token from stdin is invalid: signature")


def test_times(t, cfg):
    now = int(time.time())
    expired = mint(claims(iat=now - 1000, nbf=now - 1010, exp=now - 100))
    expect_invalid(t, cfg, expired, "exp", "expired (exp in the past)")
    early = mint(claims(iat=now, nbf=now + 600, exp=now + 1200))
    expect_invalid(t, cfg, early, "nbf", "not yet valid (nbf in the future)")

    no_exp = mint(claims(exp=None))
    r = expect_valid(t, cfg, no_exp, "no exp claim (Jitsi accepts it)")
    t.ok(any(l.startswith("note:") for l in r.lines),
         "no exp claim: a note: line says so")


def test_claims(t, cfg):
    good = mint(claims())
    expect_invalid(t, cfg, good, "room", "--room other", "--room", "other")
    expect_invalid(t, cfg, mint(claims(iss="someone-else")), "iss",
                   "wrong issuer")
    expect_invalid(t, cfg, mint(claims(iss=None)), "iss", "no issuer")
    expect_invalid(t, cfg, mint(claims(aud=None)), "aud", "missing aud")
    expect_invalid(t, cfg, mint(claims(sub="meet.other.example")), "sub",
                   "sub is another domain")
    expect_valid(t, cfg, mint(claims(sub="MEET.Jitsi")),
                 "sub differing only in case", "--room", "lobby")
    expect_valid(t, cfg, mint(claims(sub="*")), "sub \"*\"")
    expect_invalid(t, cfg, mint(claims(room=None)), "room", "missing room")

    star = mint(claims(room="*"))
    expect_valid(t, cfg, star, "room \"*\" with --room kitchen",
                 "--room", "kitchen")
    expect_valid(t, cfg, star, "room \"*\" with --room lobby", "--room", "lobby")
    expect_valid(t, cfg, mint(claims(room="Lobby")),
                 "room \"Lobby\" with --room lobby (case-insensitive)",
                 "--room", "lobby")
    expect_valid(t, cfg, good, "room \"lobby\" with --room LOBBY "
                 "(case-insensitive)", "--room", "LOBBY")
    expect_valid(t, cfg, good, "room \"lobby\" with --room lobby",
                 "--room", "lobby")


def test_header(t, cfg):
    expect_invalid(t, cfg, mint(claims(), algorithm="HS384"), "alg",
                   "header alg HS384 while the config says HS256")
    none_header = b64url({"alg": "none", "typ": "JWT"})
    payload = b64url(claims())
    expect_invalid(t, cfg, "%s.%s." % (none_header, payload), "alg",
                   "alg none, empty signature")
    expect_invalid(t, cfg, mint(claims(), headers={"typ": None}), "typ",
                   "typ missing")
    expect_invalid(t, cfg, mint(claims(), headers={"typ": "JWS"}), "typ",
                   "typ \"JWS\"")


def test_garbage(t, cfg):
    for token, what in (("abc", "abc"), ("a.b", "a.b"), ("", "empty"),
                        (".", "."),
                        ("..", ".."), ("a.b.c", "a.b.c"),
                        ("a.b.c.d", "four parts"), ("!!!.???.***", "not base64url"),
                        (b64url(b"[1,2]") + "." + b64url(claims()) + ".AAAA",
                         "header is a JSON array")):
        expect_invalid(t, cfg, token, ("format", "header"), "garbage %r" % what)
    r = cas(cfg, "verify", "-", stdin=b"")
    # No token at all: either a usage error (64) or an invalid token (1);
    # both are documented exit statuses.
    if not t.ok((r.rc == 1 and (r.last.startswith("invalid: format: ") or
                                r.last.startswith("invalid: header: "))) or
                (r.rc == 64 and r.err.strip() != ""),
                "verify - with nothing on stdin: invalid: format (exit 1) "
                "or a usage error (exit 64)"):
        t.diag(repr(r))


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_good(t, cfg)
        test_signature(t, cfg)
        test_times(t, cfg)
        test_claims(t, cfg)
        test_header(t, cfg)
        test_garbage(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
