#!/usr/bin/python3
"""The minting policy of the configuration: policy.max_valid_for (86400
seconds unless set), policy.allow_moderator, policy.rooms (globs over nodeprepped names) and
policy.allow_all_rooms.  Over a pipe every refusal is one error response
with the agreed message and the stream goes on (each refusal is followed by
a good request, served); the token subcommand obeys the same policy and
exits 1."""

import time

from caslib import OMIT, TAP, decode, request, split_responses, tempdir, write_config
from adminlib import cas

REFUSED_VALIDITY = "validity exceeds the policy limit of %d seconds"
REFUSED_MODERATOR = "moderator tokens are not allowed by policy"
REFUSED_ROOM = "channel not allowed by policy"


def run_stream(t, cfg, what, cases):
    """cases: [(description, request fields, None for "served" or the
    expected refusal message)].  Each refused case is followed by a good
    request in the same stream; one run of the program serves them all."""
    reqs = []
    for desc, fields, refusal in cases:
        reqs.append((desc, fields, refusal))
        if refusal is not None:
            reqs.append(("good request after \"%s\"" % desc, {}, None))
    stream = b"".join(request(seq=i, **f) + b"\0"
                      for i, (_, f, _) in enumerate(reqs))
    r = cas(cfg, stdin=stream)
    resps = split_responses(r.out.encode())
    if not t.ok(r.rc == 0 and len(resps) == len(reqs),
                "%s: exit 0, one response for each of %d requests" %
                (what, len(reqs))):
        t.diag(repr(r))
    for i, (desc, fields, refusal) in enumerate(reqs):
        resp = resps[i] if i < len(resps) else None
        label = "%s: %s" % (what, desc)
        if resp is None or resp.get("seq") != i:
            t.ok(False, "%s: answered (seq %d)" % (label, i))
            continue
        if refusal is not None:
            ok = (resp.get("success") is False and
                  resp.get("message") == refusal and resp.get("token") == "")
            if not t.ok(ok, "%s: refused with \"%s\"" % (label, refusal)):
                t.diag("got: %r" % resp)
            continue
        try:
            c = decode(resp.get("token"))
        except Exception as e:
            t.ok(False, "%s: served, PyJWT verifies the token (%s; %r)" %
                 (label, e, resp))
            continue
        # The room claim is the channel's nodeprep: ASCII lowered, here.
        want_room = fields.get("channel", "lobby").lower()
        want_mod = fields.get("moderator", False)
        t.ok(resp.get("success") is True and c.get("room") == want_room
             and c.get("moderator") is want_mod,
             "%s: served, PyJWT verifies the token (room %s)" % (label, want_room))


def refused_token(t, cfg, what, args, message):
    r = cas(cfg, "token", "--name", "Bob", *args)
    if not t.ok(r.rc == 1 and r.out == "" and message in r.err,
                "token subcommand, %s: exit 1, nothing on stdout, \"%s\" on "
                "stderr" % (what, message)):
        t.diag(repr(r))


def served_token(t, cfg, what, args):
    r = cas(cfg, "token", "--name", "Bob", *args)
    ok = r.rc == 0 and len(r.lines) == 1
    if ok:
        try:
            decode(r.last)
        except Exception:
            ok = False
    if not t.ok(ok, "token subcommand, %s: exit 0, PyJWT verifies" % what):
        t.diag(repr(r))


def test_max_valid_for(t, d):
    cfg = write_config(d, name="maxvalid.json", policy={"max_valid_for": 600})
    # validUntil is judged against the clock when the request arrives: keep
    # a margin so a slow run (sanitizers) cannot cross a second boundary.
    now = int(time.time())
    run_stream(t, cfg, "max_valid_for 600", [
        ("validFor 601", {"validFor": 601}, REFUSED_VALIDITY % 600),
        ("validFor 600", {"validFor": 600}, None),
        ("validFor 86400", {"validFor": 86400}, REFUSED_VALIDITY % 600),
        ("validUntil now+660", {"validFor": OMIT, "validUntil": now + 660},
         REFUSED_VALIDITY % 600),
        ("validUntil now+500", {"validFor": OMIT, "validUntil": now + 500}, None),
    ])
    refused_token(t, cfg, "--valid-for 601", ["--room", "lobby", "--valid-for",
                                              "601"], REFUSED_VALIDITY % 600)
    refused_token(t, cfg, "--valid-for 1h", ["--room", "lobby", "--valid-for",
                                             "1h"], REFUSED_VALIDITY % 600)
    refused_token(t, cfg, "default validity (3600)", ["--room", "lobby"],
                  REFUSED_VALIDITY % 600)
    refused_token(t, cfg, "--valid-until now+660",
                  ["--room", "lobby", "--valid-until", str(int(time.time()) + 660)],
                  REFUSED_VALIDITY % 600)
    served_token(t, cfg, "--valid-for 10m", ["--room", "lobby", "--valid-for",
                                             "10m"])


def test_moderator(t, d):
    cfg = write_config(d, name="nomod.json", policy={"allow_moderator": False})
    run_stream(t, cfg, "allow_moderator false", [
        ("moderator true", {"moderator": True}, REFUSED_MODERATOR),
        ("moderator false", {"moderator": False}, None),
    ])
    refused_token(t, cfg, "--moderator", ["--room", "lobby", "--moderator"],
                  REFUSED_MODERATOR)
    served_token(t, cfg, "no --moderator", ["--room", "lobby"])

    cfg = write_config(d, name="mod.json", policy={"allow_moderator": True})
    run_stream(t, cfg, "allow_moderator true", [
        ("moderator true", {"moderator": True}, None),
    ])


def test_rooms(t, d):
    rooms = ["lobby", "game-*"]
    cfg = write_config(d, name="rooms.json", policy={"rooms": rooms})
    run_stream(t, cfg, "rooms [lobby, game-*]", [
        ("GAME-7", {"channel": "GAME-7"}, None),
        ("game-42", {"channel": "game-42"}, None),
        ("LOBBY", {"channel": "LOBBY"}, None),
        ("kitchen", {"channel": "kitchen"}, REFUSED_ROOM),
        ("lobby2", {"channel": "lobby2"}, REFUSED_ROOM),
        ("a-game-1", {"channel": "a-game-1"}, REFUSED_ROOM),
        ("*", {"channel": "*"}, REFUSED_ROOM),
    ])
    refused_token(t, cfg, "--room kitchen", ["--room", "kitchen"], REFUSED_ROOM)
    refused_token(t, cfg, "--room *", ["--room", "*"], REFUSED_ROOM)
    served_token(t, cfg, "--room Game-9", ["--room", "Game-9"])

    cfg = write_config(d, name="rooms-all.json",
                       policy={"rooms": rooms, "allow_all_rooms": True})
    run_stream(t, cfg, "rooms with allow_all_rooms true", [
        ("*", {"channel": "*"}, None),
        ("kitchen", {"channel": "kitchen"}, REFUSED_ROOM),
        ("game-1", {"channel": "game-1"}, None),
    ])
    served_token(t, cfg, "allow_all_rooms, --room *", ["--room", "*"])

    cfg = write_config(d, name="no-policy.json")
    run_stream(t, cfg, "no policy", [
        ("*", {"channel": "*"}, None),
        ("kitchen, moderator, validFor 1 day",
         {"channel": "kitchen", "moderator": True, "validFor": 86400}, None),
        ("validFor 1 day and 1 s, past the default limit",
         {"validFor": 86401}, REFUSED_VALIDITY % 86400),
    ])
    cfg = write_config(d, name="week.json", policy={"max_valid_for": 604800})
    run_stream(t, cfg, "max_valid_for raised to a week", [
        ("validFor 1 week", {"validFor": 604800}, None),
        ("validFor 1 week and 1 s", {"validFor": 604801},
         REFUSED_VALIDITY % 604800),
    ])


def test_combined(t, d):
    cfg = write_config(d, name="combined.json",
                       policy={"max_valid_for": 900, "allow_moderator": False,
                               "rooms": ["lobby"]})
    run_stream(t, cfg, "all three rules", [
        ("kitchen", {"channel": "kitchen"}, REFUSED_ROOM),
        ("moderator", {"moderator": True}, REFUSED_MODERATOR),
        ("validFor 901", {"validFor": 901}, REFUSED_VALIDITY % 900),
        ("lobby, 900 s", {"validFor": 900}, None),
    ])


def main(t):
    with tempdir() as d:
        test_max_valid_for(t, d)
        test_moderator(t, d)
        test_rooms(t, d)
        test_combined(t, d)


if __name__ == "__main__":
    TAP().run(main)
