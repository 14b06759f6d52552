#!/usr/bin/python3
"""verify with hostile tokens: nothing it prints from a token can act on a
terminal (C0 and C1 controls, DEL, bidi overrides and isolates, bytes that
are no UTF-8 are all escaped as \\xNN) while printable UTF-8 stays
readable; a key given twice in the header or the claims, at any depth,
makes the token invalid and is named, since Jitsi's JSON reader (lua-cjson)
takes the last one; U+0000 in a key or in a top-level string, which C
strings would cut short, does too.  The tokens are signed here, with
Python's hmac module or PyJWT, never by the program."""

import base64
import hashlib
import hmac
import json
import re
import subprocess

from caslib import SECRET, TAP, child_env, command, tempdir, write_config
from adminlib import claims, mint

# What must never reach the terminal as it is, as regular expressions over bytes.
UNSAFE = [
    (rb"[\x00-\x09\x0b-\x1f\x7f]", "C0 control or DEL"),
    (rb"\xc2[\x80-\x9f]", "C1 control"),
    (rb"\xe2\x80[\xaa-\xae]", "bidi embedding or override"),
    (rb"\xe2\x81[\xa6-\xa9]", "bidi isolate"),
]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(header, payload, secret=SECRET):
    """A token of the exact header and payload bytes, HS256-signed here."""
    head = b64(header) + "." + b64(payload)
    mac = hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest()
    return head + "." + b64(mac)


def run_raw(cfg, *args):
    """(exit status, raw stdout bytes) of the program."""
    p = subprocess.run(command(cfg, args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=child_env(), timeout=30)
    return p.returncode, p.stdout


def check_safe(t, out, what):
    """out (bytes) is strict UTF-8 and holds nothing of UNSAFE."""
    try:
        out.decode("utf-8", "strict")
        good = True
    except UnicodeDecodeError as e:
        good = False
        t.diag("not UTF-8: %s" % e)
    t.ok(good, "%s: everything printed is valid UTF-8" % what)
    for pattern, name in UNSAFE:
        m = re.search(pattern, out)
        if not t.ok(m is None, "%s: no %s is printed as it is" % (what, name)):
            t.diag("at %d: %r" % (m.start(), out[max(0, m.start() - 20):m.end() + 20]))


HEADER = b'{"alg":"HS256","typ":"JWT"}'


def hostile_payload(name_bytes, iss=b'"skotos"'):
    """The claims of a good token as JSON bytes, context.user.name raw."""
    c = claims()
    text = json.dumps(c, separators=(",", ":"))
    text = text.replace('"iss":"skotos"', '"iss":' + iss.decode("latin-1"))
    return text.encode("latin-1").replace(b'"name":"Bob"', b'"name":"' + name_bytes + b'"')


def test_escaped(t, cfg):
    cases = [
        (b"\xc2\x9b31mred", rb"\xc2\x9b31mred", "U+009B (CSI) in a claim"),
        (b"\xc2\x85next", rb"\xc2\x85next", "U+0085 (NEL) in a claim"),
        (b"abc\xe2\x80\xaecba", rb"abc\xe2\x80\xaecba", "U+202E in a claim"),
        (b"x\xe2\x81\xa6y\xe2\x81\xa9", rb"x\xe2\x81\xa6y\xe2\x81\xa9",
         "U+2066 and U+2069 in a claim"),
        # yajl refuses these claims: they are not shown at all, or escaped.
        (b"bad\xffbyte", None, "an invalid byte in a claim"),
        (b"cut\xe6\x97", None, "a cut sequence in a claim"),
        # yajl lets these through: they are shown, escaped.
        (b"sur\xed\xa0\x80", rb"sur\xed\xa0\x80", "a surrogate in a claim"),
        (b"long\xc0\xaf", rb"long\xc0\xaf", "an overlong form in a claim"),
        (b"esc\x1b[2J", None, "a raw ESC in a claim"),
    ]
    for raw, shown, what in cases:
        token = signed(HEADER, hostile_payload(raw))
        rc, out = run_raw(cfg, "verify", token)
        check_safe(t, out, what)
        if shown is not None:
            line = [l for l in out.split(b"\n") if l.startswith(b"claims: ")]
            if not t.ok(line and shown in line[0],
                        "%s: the claims line shows it escaped as %s" %
                        (what, shown.decode())):
                t.diag("stdout: %r" % out[:600])

    # An escape in the header too.
    token = signed(b'{"alg":"HS256","typ":"JWT","x":"\xc2\x9b\xe2\x80\xae"}',
                   hostile_payload(b"Bob"))
    rc, out = run_raw(cfg, "verify", token)
    check_safe(t, out, "C1 and U+202E in the header")
    t.ok(b"header: " in out and rb"\xc2\x9b\xe2\x80\xae" in out,
         "C1 and U+202E in the header: shown escaped on the header line")

    # Printable UTF-8 stays readable.
    name = "Zoë 日本 Ωmega café \u00a0😀"
    token = signed(HEADER, hostile_payload(name.encode()))
    rc, out = run_raw(cfg, "verify", token)
    t.ok(rc == 0 and name.encode() in out,
         "printable UTF-8 in a claim is shown as it is (exit 0)")

    # What a verdict quotes from a token is escaped too.
    token = mint(claims(iss="evil\u009b\u202eissuer"))
    rc, out = run_raw(cfg, "verify", token)
    check_safe(t, out, "C1 and U+202E in a wrong iss")
    last = out.rstrip(b"\n").split(b"\n")[-1]
    t.ok(rc == 1 and last.startswith(b"invalid: iss: ") and
         rb"evil\xc2\x9b\xe2\x80\xaeissuer" in last,
         "a wrong iss is quoted escaped in the verdict")
    token = mint(claims(room="r\u009b"))
    rc, out = run_raw(cfg, "verify", "--room", "lobby", token)
    check_safe(t, out, "C1 in a room that does not match")
    token = signed(b'{"alg":"HS256\xc2\x9b","typ":"JWT"}', hostile_payload(b"Bob"))
    rc, out = run_raw(cfg, "verify", token)
    check_safe(t, out, "C1 in alg")
    last = out.rstrip(b"\n").split(b"\n")[-1]
    t.ok(rc == 1 and last.startswith(b"invalid: alg: ") and rb"HS256\xc2\x9b" in last,
         "a wrong alg is quoted escaped in the verdict")


TWICE = ("given more than once (Jitsi reads the last one, other readers may "
         "read the first)")


def test_duplicates(t, cfg):
    body = json.dumps(claims(), separators=(",", ":")).encode()
    cases = [
        (b'{"alg":"HS256","alg":"none","typ":"JWT"}', body, "header",
         'key "alg" ' + TWICE, "alg twice, the last none"),
        (b'{"alg":"none","typ":"JWT","alg":"HS256"}', body, "header",
         'key "alg" ' + TWICE, "alg twice, the last HS256"),
        (b'{"alg":"HS256","typ":"JWT","typ":"JWS"}', body, "header",
         'key "typ" ' + TWICE, "typ twice"),
        (HEADER, body.replace(b'"room":"lobby"', b'"room":"lobby","room":"kitchen"'),
         "claims", 'key "room" ' + TWICE, "room twice"),
        (HEADER, body.replace(b'"iss":"skotos"', b'"iss":"skotos","\\u0069ss":"x"'),
         "claims", 'key "iss" ' + TWICE, "iss twice, once escaped"),
        (HEADER, body.replace(b'"name":"Bob"', b'"name":"Bob","name":"Eve"'),
         "claims", 'key "context.user.name" ' + TWICE, "a nested claim twice"),
        (HEADER, body.replace(b'"iss":"skotos"', b'"iss":"skotos\\u0000x"'),
         "claims", 'key "iss" holds U+0000 in its value, which C strings cut short',
         "iss holding U+0000 after the app_id"),
        (b'{"alg":"HS256\\u0000x","typ":"JWT"}', body, "header",
         'key "alg" holds U+0000 in its value, which C strings cut short',
         "alg holding U+0000 after HS256"),
        (b'{"alg\\u0000x":"HS256","alg":"none","typ":"JWT"}', body, "header",
         'key "alg\\x00x" holds U+0000, which C strings cut short',
         "a key holding U+0000 before alg"),
    ]
    for header, payload, rule, why, what in cases:
        rc, out = run_raw(cfg, "verify", "--room", "lobby", signed(header, payload))
        last = out.rstrip(b"\n").split(b"\n")[-1].decode("utf-8", "replace")
        want = "invalid: %s: %s" % (rule, why)
        if not t.ok(rc == 1 and last == want,
                    "%s: exit 1, \"%s\"" % (what, want)):
            t.diag("got: rc %r, last line %r" % (rc, last))
    # A string deeper down may hold U+0000: only what Jitsi compares is refused.
    payload = body.replace(b'"name":"Bob"', b'"name":"Bo\\u0000b"')
    rc, out = run_raw(cfg, "verify", signed(HEADER, payload))
    t.ok(rc == 0 and out.endswith(b"valid\n"),
         "a name holding U+0000 in context.user: still valid")
    rc, out = run_raw(cfg, "verify", signed(HEADER, body))
    t.ok(rc == 0 and out.endswith(b"valid\n"), "the same token without duplicates is valid")


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_escaped(t, cfg)
        test_duplicates(t, cfg)


if __name__ == "__main__":
    TAP().run(main)
