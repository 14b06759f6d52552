#!/usr/bin/python3
"""Room names as Prosody sees them: a token's room claim is the XMPP
nodeprep of the requested channel, checked against a nodeprep written here
with Python's stringprep and unicodedata modules (the RFC 3454 tables of
Unicode 3.2), over names in several scripts; a channel nodeprep refuses is
refused, saying why.  The policy's room patterns, the log line, token
--url and verify --room use the prepared name too.  Tokens are decoded
with PyJWT."""

import stringprep
import unicodedata
import urllib.parse

from caslib import (TAP, decode, request, run_filter, split_responses,
                    tempdir, write_config)
from adminlib import cas

UCD = unicodedata.ucd_3_2_0
# RFC 3920 appendix A.5: nodeprep's own prohibitions on top of RFC 3454's.
NODEPREP_ASCII = set("\"&'/:<>@")
PROHIBITED = (stringprep.in_table_c11, stringprep.in_table_c12,
              stringprep.in_table_c21, stringprep.in_table_c22,
              stringprep.in_table_c3, stringprep.in_table_c4,
              stringprep.in_table_c5, stringprep.in_table_c6,
              stringprep.in_table_c7, stringprep.in_table_c8,
              stringprep.in_table_c9)

FORBIDS = "which XMPP forbids in a name (nodeprep)"
BIDI = ("channel breaks the bidi rule of XMPP names: right-to-left text must "
        "not mix with left-to-right and must start and end right-to-left "
        "(nodeprep)")
EMPTY = "channel is empty once prepared (nodeprep maps all of it to nothing)"


class Refused(Exception):
    """nodeprep refuses the name: kind is "forbidden", "bidi" or "empty"."""

    def __init__(self, kind, ch=None):
        super().__init__(kind)
        self.kind = kind
        self.ch = ch


def nodeprep(name):
    """RFC 3920 appendix A over RFC 3454, unassigned code points allowed
    (as Prosody asks for): map (B.1 to nothing, B.2 case folding), NFKC,
    prohibit, bidi.  Returns the prepared name or raises Refused."""
    mapped = "".join(stringprep.map_table_b2(ch) for ch in name
                     if not stringprep.in_table_b1(ch))
    prepared = UCD.normalize("NFKC", mapped)
    for ch in prepared:
        if ch in NODEPREP_ASCII or any(table(ch) for table in PROHIBITED):
            raise Refused("forbidden", ch)
    if any(stringprep.in_table_d1(ch) for ch in prepared):
        if (any(stringprep.in_table_d2(ch) for ch in prepared) or
                not stringprep.in_table_d1(prepared[0]) or
                not stringprep.in_table_d1(prepared[-1])):
            raise Refused("bidi")
    if prepared == "":
        raise Refused("empty")
    return prepared


def forbidden_message(ch):
    cp = ord(ch)
    if 0x20 < cp < 0x7f and ch not in '"\\':
        return 'channel contains "%s" (U+%04X), %s' % (ch, cp, FORBIDS)
    return "channel contains U+%04X, %s" % (cp, FORBIDS)


# (what, channel, the room the issue names, or None to take the oracle's word).
NAMES = [
    ("ASCII lowercase", "lobby", "lobby"),
    ("ASCII capitals", "Lobby", "lobby"),
    ("Latin capital with acute", "CAF\u00c9", "caf\u00e9"),
    ("German sharp s", "stra\u00dfe", "strasse"),
    ("full-width Latin", "\uff2c\uff2f\uff22\uff22\uff39", "lobby"),
    ("fi ligature", "\ufb01le", "file"),
    ("ff ligature", "o\ufb00ice", "office"),
    ("Greek capital omega", "\u03a9mega", "\u03c9mega"),
    ("Greek with final sigma", "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3", None),
    ("Greek lowercase", "\u03b1\u03b8\u03ae\u03bd\u03b1", None),
    ("Cyrillic", "\u041c\u043e\u0441\u043a\u0432\u0430", "\u043c\u043e\u0441\u043a\u0432\u0430"),
    ("Cyrillic capitals", "\u041a\u0418\u0415\u0412", None),
    ("zero-width space", "lo\u200bbby", "lobby"),
    ("soft hyphen and zero-width joiner", "lo\u00adb\u200dby", "lobby"),
    ("variation selector", "star\ufe0f", "star"),
    ("Hebrew", "\u05e9\u05dc\u05d5\u05dd", None),
    ("Arabic", "\u0645\u0631\u062d\u0628\u0627", None),
    ("Arabic with digits inside", "\u0645\u0631\u0661\u0662\u062d", None),
    ("CJK", "\u4f1a\u8bae\u5ba4", None),
    ("Japanese half-width katakana", "\uff76\uff80\uff76\uff85", None),
    ("Hangul", "\ud68c\uc758\uc2e4", None),
    ("combining acute after e", "cafe\u0301", "caf\u00e9"),
    ("Angstrom sign", "\u212bngstr\u00f6m", None),
    ("Roman numeral", "room\u216b", "roomxii"),
    ("superscript two", "x\u00b2", "x2"),
    ("numero sign", "\u2116" "5", "no5"),
    ("squared MHz", "\u3392", "mhz"),
    ("dotted capital I", "\u0130stanbul", None),
    ("emoji (unassigned in Unicode 3.2)", "party\U0001f389", None),
    ("the wildcard", "*", "*"),
    ("a full-width asterisk", "\uff0a", "*"),
    ("dashes, dots, digits", "game-7.room_2", "game-7.room_2"),
]

REFUSED = [
    ("no-break space U+00A0", "a\u00a0b"),
    ("next line U+0085", "a\u0085b"),
    ("line separator U+2028", "a\u2028b"),
    ("ideographic space U+3000", "a\u3000b"),
    ("ASCII space", "a b"),
    ("tab", "a\tb"),
    ("at sign", "a@b"),
    ("full-width colon, a colon after NFKC", "a\uff1ab"),
    ("private use U+E000", "a\ue000"),
    ("right-to-left override U+202E", "a\u202eb"),
    ("non-character U+FFFF", "a\uffff"),
    ("Hebrew then Latin (bidi)", "\u05e9\u05dc\u05d5\u05ddx"),
    ("Arabic ending in a digit (bidi)", "\u0645\u0631\u062d1"),
    ("Latin, Hebrew, Latin (bidi)", "a\u05e9b"),
    ("only a zero-width space (empty)", "\u200b"),
    ("only soft hyphens and a variation selector (empty)", "\u00ad\u00ad\ufe0f"),
]


def expected_refusal(name):
    try:
        nodeprep(name)
    except Refused as e:
        if e.kind != "forbidden":
            return BIDI if e.kind == "bidi" else EMPTY
        # The message names the character as written: the first one that
        # nodeprep forbids on its own (U+00A0, which NFKC makes a space).
        for ch in name:
            try:
                nodeprep(ch)
            except Refused as one:
                if one.kind == "forbidden":
                    return forbidden_message(ch)
        return None
    return None


def test_claims(t, cfg):
    stream = b"".join(request(seq=i, channel=name) + b"\n"
                      for i, (_, name, _) in enumerate(NAMES))
    rc, out, err = run_filter(cfg, stream)
    resps = split_responses(out)
    log = err.decode("utf-8", "replace")
    t.eq(len(resps), len(NAMES), "one answer per channel")
    for i, (what, name, issue) in enumerate(NAMES):
        want = nodeprep(name)
        if issue is not None and not t.eq(want, issue, "%s: the test's nodeprep "
                                          "gives %r" % (what, issue)):
            continue
        resp = resps[i] if i < len(resps) else None
        try:
            room = decode(resp.get("token"))["room"]
        except Exception as e:
            t.ok(False, "%s: %r is granted a token PyJWT accepts (%s; %r)" %
                 (what, name, e, resp))
            continue
        t.eq(room, want, "%s: %r gets the room claim %r" % (what, name, want))
        t.ok(" room=%s moderator=" % want in log,
             "%s: the log line shows the room %r" % (what, want))


def test_refusals(t, cfg):
    stream = b"".join(request(seq=i, channel=name) + b"\n"
                      for i, (_, name) in enumerate(REFUSED))
    rc, out, err = run_filter(cfg, stream)
    resps = split_responses(out)
    t.eq(len(resps), len(REFUSED), "one answer per refused channel")
    for i, (what, name) in enumerate(REFUSED):
        want = expected_refusal(name)
        if not t.ok(want is not None, "%s: the test's nodeprep refuses %r" %
                    (what, name)):
            continue
        resp = resps[i] if i < len(resps) else None
        if not t.ok(resp is not None and resp.get("success") is False and
                    resp.get("token") == "" and resp.get("seq") == i and
                    resp.get("message") == want,
                    "%s: refused with %r" % (what, want)):
            t.diag("answer: %r" % resp)


def test_policy(t, d):
    cfg = write_config(d, name="rooms.json",
                       policy={"rooms": ["CAF\u00c9*", "\uff2c\uff2f\uff22\uff22\uff39",
                                         "stra\u00dfe-?"]})
    cases = [("caf\u00e9-1", True), ("Caf\u00e9-2", True), ("CAF\u00c9", True),
             ("lobby", True), ("LOBBY", True), ("\uff2c\uff4f\uff42\uff42\uff59", True),
             ("strasse-1", True), ("STRASSE-2", True), ("kitchen", False),
             # "?" is one character of the prepared name, not one byte.
             ("STRASSE-\u00c9", True), ("strasse-\u65e5", True),
             ("strasse-\U0001f600", True), ("strasse-12", False),
             ("cafe-1", False), ("*", False), ("\uff0a", False)]
    stream = b"".join(request(seq=i, channel=name) + b"\n"
                      for i, (name, _) in enumerate(cases))
    rc, out, err = run_filter(cfg, stream)
    resps = split_responses(out)
    for i, (name, allowed) in enumerate(cases):
        resp = resps[i] if i < len(resps) else None
        if allowed:
            good = resp is not None and resp.get("success") is True
            what = "allowed"
        else:
            good = (resp is not None and resp.get("success") is False and
                    resp.get("message") == "channel not allowed by policy")
            what = "refused"
        if not t.ok(good, "rooms [CAF\u00c9*, \uff2c\uff2f\uff22\uff22\uff39, "
                    "stra\u00dfe-?]: %r is %s" % (name, what)):
            t.diag("answer: %r" % resp)
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and r.line("policy.rooms: caf\u00e9* lobby strasse-?") is not None,
         "check shows the patterns as they are matched, prepared")

    for pattern, shown in (("bad room", "U+0020"), ("a\u00a0b", "U+00A0"),
                           ("x@y", '"@" (U+0040)')):
        cfg = write_config(d, name="bad.json", policy={"rooms": ["lobby", pattern]})
        r = cas(cfg, "check")
        if not t.ok(r.rc == 78 and ("%s: policy.rooms: \"%s\" contains %s, %s"
                                    % (cfg, pattern, shown, FORBIDS)) in r.err,
                    "a pattern nodeprep refuses (%r) is a config error naming "
                    "the file, the key and the character (exit 78)" % pattern):
            t.diag(repr(r))


def test_admin(t, cfg):
    r = cas(cfg, "token", "--room", "CAF\u00c9", "--name", "Bob", "--url",
            "https://meet.example.org/")
    lines = r.lines
    good = r.rc == 0 and len(lines) == 2
    t.ok(good, "token --room CAF\u00c9 --url: a token and a link")
    if not good:
        t.diag(repr(r))
        return
    t.eq(decode(lines[0])["room"], "caf\u00e9", "token --room CAF\u00c9: room claim caf\u00e9")
    t.eq(lines[1], "https://meet.example.org/%s?jwt=%s" %
         (urllib.parse.quote("caf\u00e9", safe=""), lines[0]),
         "token --url links the prepared room, percent-encoded")
    r = cas(cfg, "token", "--room", "a\u3000b", "--name", "Bob")
    t.ok(r.rc == 1 and r.out == "" and
         forbidden_message("\u3000") in r.err,
         "token --room with U+3000: refused, saying which character")

    token = lines[0]
    for room in ("CAF\u00c9", "caf\u00e9", "Caf\u00e9", "cafe\u0301"):
        r = cas(cfg, "verify", "--room", room, token)
        t.ok(r.rc == 0 and r.last == "valid",
             "verify --room %r: valid for the room Prosody makes of it" % room)
    r = cas(cfg, "verify", "--room", "cafe", token)
    t.ok(r.rc == 1 and r.last.startswith("invalid: room: "),
         "verify --room cafe: another room")
    r = cas(cfg, "verify", "--room", "a\u00a0b", token)
    t.ok(r.rc == 1 and r.last.startswith("invalid: room: no room can be named ") and
         "U+00A0" in r.last, "verify --room with U+00A0: no room has that name")


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_claims(t, cfg)
        test_refusals(t, cfg)
        test_policy(t, d)
        test_admin(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
