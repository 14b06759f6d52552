#!/usr/bin/python3
"""The token subcommand: `chat-admin-server -c CFG token --room R --name N
[...]` prints one token that PyJWT accepts, with the claims asked for; the
validity options, the meeting link, usage errors (exit 64) and refusals
(exit 1, message on stderr, nothing on stdout)."""

import re
import time

from caslib import TAP, decode, raw_header, tempdir, write_config
from adminlib import cas

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def mint(t, cfg, what, *args):
    """Run token with args; check it printed exactly one token line and
    exited 0; return the verified claims (or None)."""
    t0 = int(time.time())
    r = cas(cfg, "token", *args)
    t1 = int(time.time())
    if not t.ok(r.rc == 0 and len(r.lines) == 1 and TOKEN_RE.fullmatch(r.last),
                "%s: exit 0, one token line on stdout" % what):
        t.diag(repr(r))
        return None
    try:
        c = decode(r.last)
    except Exception as e:
        t.ok(False, "%s: PyJWT verifies the token (%s)" % (what, e))
        return None
    t.ok(isinstance(c.get("iat"), int) and t0 - 1 <= c["iat"] <= t1 + 1,
         "%s: PyJWT verifies the token; iat is now" % what)
    return c


def test_plain(t, cfg):
    c = mint(t, cfg, "plain", "--room", "lobby", "--name", "Bob")
    if c is None:
        return
    t.eq((c["iss"], c["aud"], c["sub"], c["room"]),
         ("skotos", "jitsi", "meet.jitsi", "lobby"), "plain: iss, aud, sub, room")
    t.eq(c["exp"] - c["iat"], 3600, "plain: default validity is 3600 s")
    t.eq(c["nbf"], c["iat"] - 10, "plain: nbf is iat - 10")
    t.ok(c["moderator"] is False, "plain: top-level moderator is false")
    t.eq(c["context"]["user"],
         {"name": "Bob", "affiliation": "member", "moderator": "false"},
         "plain: context.user is name, affiliation member, moderator \"false\"")


def test_moderator_and_details(t, cfg):
    c = mint(t, cfg, "moderator", "--room", "lobby", "--name", "Alice",
             "--moderator", "--email", "alice@example.org",
             "--avatar", "https://example.org/a.png", "--id", "u-42")
    if c is None:
        return
    t.ok(c["moderator"] is True, "--moderator: top-level moderator is true")
    user = c["context"]["user"]
    t.eq(user.get("affiliation"), "owner", "--moderator: affiliation owner")
    t.eq(user.get("moderator"), "true",
         "--moderator: context.user.moderator is the string \"true\"")
    t.eq((user.get("name"), user.get("email"), user.get("avatar"), user.get("id")),
         ("Alice", "alice@example.org", "https://example.org/a.png", "u-42"),
         "--email, --avatar, --id land in context.user")


def test_durations(t, cfg):
    for arg, secs in (("600", 600), ("90s", 90), ("10m", 600), ("2h", 7200),
                      ("1d", 86400)):
        c = mint(t, cfg, "--valid-for %s" % arg, "--room", "lobby", "--name",
                 "Bob", "--valid-for", arg)
        if c is not None:
            t.eq(c["exp"] - c["iat"], secs,
                 "--valid-for %s: exp - iat = %d" % (arg, secs))
    until = int(time.time()) + 1234
    c = mint(t, cfg, "--valid-until", "--room", "lobby", "--name", "Bob",
             "--valid-until", str(until))
    if c is not None:
        t.eq(c["exp"], until, "--valid-until EPOCH: exp is EPOCH")


def test_url(t, cfg):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob",
            "--url", "https://meet.example/")
    if not t.ok(r.rc == 0 and len(r.lines) == 2,
                "--url: exit 0, two lines on stdout"):
        t.diag(repr(r))
        return
    tok = r.lines[0]
    t.eq(r.lines[1], "https://meet.example/lobby?jwt=" + tok,
         "--url https://meet.example/: second line is BASE/ROOM?jwt=TOKEN")
    try:
        decode(tok)
        t.ok(True, "--url: the first line is a token PyJWT accepts")
    except Exception as e:
        t.ok(False, "--url: the first line is a token PyJWT accepts (%s)" % e)
    t.eq(raw_header(tok), b'{"alg":"HS256","typ":"JWT"}', "--url: header")
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob",
            "--url", "https://meet.example")
    t.ok(r.rc == 0 and len(r.lines) == 2 and
         r.lines[1] == "https://meet.example/lobby?jwt=" + r.lines[0],
         "--url without a trailing slash: BASE/ROOM?jwt=TOKEN")


def test_usage_errors(t, cfg):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", "--valid-for", "10x")
    t.eq((r.rc, r.out), (64, ""), "--valid-for 10x: exit 64, nothing on stdout")
    t.ok(r.err.strip() != "", "--valid-for 10x: a message on stderr")
    r = cas(cfg, "token", "--name", "Bob")
    t.eq((r.rc, r.out), (64, ""), "missing --room: exit 64, nothing on stdout")
    t.ok(r.err.strip() != "", "missing --room: a message on stderr")


def test_refused(t, cfg):
    r = cas(cfg, "token", "--room", "a room", "--name", "Bob")
    t.eq((r.rc, r.out), (1, ""), "room with a space: exit 1, nothing on stdout")
    t.ok("channel contains U+0020, which XMPP forbids" in r.err,
         "room with a space: the reason on stderr")
    if r.rc != 1:
        t.diag(repr(r))
    past = int(time.time()) - 100
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob",
            "--valid-until", str(past))
    t.eq((r.rc, r.out), (1, ""), "past --valid-until: exit 1, nothing on stdout")
    t.ok("validUntil is in the past" in r.err,
         "past --valid-until: the reason on stderr")
    if r.rc != 1:
        t.diag(repr(r))


def test_bad_names(t, cfg):
    r = cas(cfg, "token", "--room", "lobby", "--name", "")
    t.eq((r.rc, r.out), (1, ""), "empty --name: exit 1, nothing on stdout")
    t.ok("displayName must not be empty" in r.err,
         "empty --name: the reason on stderr")
    # An argument that is not UTF-8 cannot go into a JSON claim: the
    # request is refused (1) or the argument rejected (64), the documented
    # statuses; nothing is printed on stdout.
    for bad in (b"B\xffb", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                b"\xc0\xaf"):
        r = cas(cfg, "token", "--room", "lobby", "--name", bad)
        if not t.ok(r.rc in (1, 64) and r.out == "" and r.err.strip() != "",
                    "--name %r (not UTF-8): exit 1 or 64, message on stderr, "
                    "nothing on stdout" % bad):
            t.diag(repr(r))


def main(t):
    with tempdir() as d:
        cfg = write_config(d, policy={"max_valid_for": 86400})
        test_plain(t, cfg)
        test_moderator_and_details(t, cfg)
        test_durations(t, cfg)
        test_url(t, cfg)
        test_usage_errors(t, cfg)
        test_refused(t, cfg)
        test_bad_names(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
