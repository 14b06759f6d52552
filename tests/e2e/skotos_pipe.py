#!/usr/bin/python3
"""SkotOS's requests, byte for byte, and its way of reading the replies.

SkotOS (~DevSys/sys/avchat.c) sends
  { "cmd": "jwt_token", "displayName": "NAME", "channel": "CHAN",
    "moderator": false, "validFor": 600, "seq": N }
on one line followed by NUL, with NAME pasted in unescaped, and reads each
reply with the LPC sscanf patterns "seq":%d, "success":true and
"token":"%s" (a token up to the next quote)."""

import os
import select
import time

from caslib import TAP, Filter, decode, run_filter, split_responses, tempdir, write_config
from netlib import skotos_parse, skotos_request


def skotos_reads(t, reply, name, chan, seq, what):
    """Check a reply the way SkotOS reads it."""
    got_seq, success, token = skotos_parse(reply)
    t.ok(got_seq == seq, '%s: sscanf "seq":%%d gives %d' % (what, seq))
    t.ok(success, '%s: reply contains "success":true' % what)
    token = token or ""
    try:
        claims = decode(token)
        good = (claims["context"]["user"]["name"] == name and claims["room"] == chan
                and claims["moderator"] is False and claims["exp"] - claims["iat"] == 600)
    except Exception as e:
        t.diag("decode: %s" % e)
        good = False
    t.ok(good, '%s: sscanf "token":"%%s" gives a valid 600 s token for %s in %s'
         % (what, name, chan))
    t.ok(reply.endswith(b"}\n\0") and reply.count(b"\0") == 1,
         "%s: reply ends with \\n\\0" % what)
    if not good:
        t.diag("reply: %r" % reply)


def read_one_chunk(f, timeout=10):
    """The first chunk the program writes after a request (SkotOS hands each
    chunk to its parser as one message)."""
    fd = f.p.stdout.fileno()
    r, _, _ = select.select([fd], [], [], timeout)
    return os.read(fd, 65536) if r else b""


def test_one_at_a_time(t, cfg):
    # Like the game: send a request, wait for its reply, then the next.
    f = Filter(cfg)
    users = [("Bob", "lobby"), ("Alice Smith", "tavern"), ("Zo\u00eb", "game-1"),
             ("\u65e5\u672c", "lobby"), ("Bob", "lobby")]
    for i, (name, chan) in enumerate(users):
        seq = 1000 + i
        start = time.monotonic()
        f.send(skotos_request(name, chan, seq))
        reply = read_one_chunk(f)
        elapsed = time.monotonic() - start
        what = "request %d, one at a time" % seq
        t.ok(reply and elapsed < 5, "%s: answered promptly, before EOF (%.2f s)"
             % (what, elapsed))
        skotos_reads(t, reply, name, chan, seq, what + " (first chunk read)")
    rc, rest, err = f.close()
    t.ok(rc == 0 and rest == b"", "EOF after the last reply: exit status 0, nothing more")


def test_pipelined(t, cfg):
    users = [("Player%d" % i, "room%d" % (i % 3)) for i in range(50)]
    stream = b"".join(skotos_request(n, c, i) for i, (n, c) in enumerate(users))
    rc, out, _ = run_filter(cfg, stream)
    replies = [r.raw + r.term for r in split_responses(out)]
    t.eq(len(replies), len(users), "50 pipelined SkotOS requests: 50 replies")
    ok = len(replies) == len(users)
    for i, reply in enumerate(replies[:len(users)]):
        got_seq, success, token = skotos_parse(reply)
        if not (got_seq == i and success and token is not None
                and reply.endswith(b"\n\0")):
            ok = False
            t.diag("reply %d: %r" % (i, reply))
            break
    t.ok(ok, "50 pipelined SkotOS requests: each reply read by sscanf, in order")
    t.eq(rc, 0, "exit status 0 at EOF")


def test_quote_in_name(t, cfg):
    # A name with a quote arrives malformed; the next request still works.
    f = Filter(cfg)
    f.send(skotos_request('Bo"b', "lobby", 5))
    reply = f.read_response(b"\n\0")
    t.ok(reply is not None and b'"success":false' in reply and b'"token":""' in reply
         and reply.endswith(b"\n\0"),
         "name with a quote: answered with success false, empty token, \\n\\0")
    if reply is None or b'"success":false' not in reply:
        t.diag("reply: %r" % (reply,))
    f.send(skotos_request("Bob", "lobby", 6))
    reply = f.read_response(b"\n\0")
    if reply is None:
        t.ok(False, "the next SkotOS request is answered")
    else:
        skotos_reads(t, reply, "Bob", "lobby", 6, "request after a malformed one")
    rc, _, _ = f.close()
    t.eq(rc, 0, "exit status 0 at EOF")


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_one_at_a_time(t, cfg)
        test_pipelined(t, cfg)
        test_quote_in_name(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
