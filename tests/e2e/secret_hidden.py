#!/usr/bin/python3
"""The secret never leaves the program: not on stdout, not on stderr, not in
any form (raw, hex, base64, a long piece of it), whatever the requests, the
log level or the mistakes in the configuration."""

import base64
import os

from caslib import SECRET, TAP, request, run_filter, split_responses, tempdir, write_config

BAD_SECRET = "TOPSECRETVALUE123"


def forms(secret):
    """Byte strings that would betray the secret if they appeared."""
    s = secret.encode()
    out = {s, s.hex().encode(), s.hex().upper().encode(), s[::-1]}
    # Base64 of the secret at each of the three alignments inside a longer blob.
    for k in range(3):
        chunk = s[k:]
        chunk = chunk[:len(chunk) // 3 * 3]
        if chunk:
            out.add(base64.b64encode(chunk).rstrip(b"="))
            out.add(base64.urlsafe_b64encode(chunk).rstrip(b"="))
    # Any long enough piece of it (a truncated message would still leak).
    n = min(len(s), max(8, len(s) // 3))
    out.update(s[i:i + n] for i in range(len(s) - n + 1))
    return out


def leaks(secret, *outputs):
    """The forms of secret found in outputs (empty if none)."""
    blob = b"\n".join(outputs)
    return [f for f in forms(secret) if f in blob]


def check(t, secret, what, rc, out, err):
    found = leaks(secret, out, err)
    if not t.ok(not found, "%s: secret absent from stdout and stderr" % what):
        t.diag("found %r (exit %r)" % (found, rc))
        t.diag("stderr: %r" % err[-2000:])


def bad_requests():
    return [
        b'{ "cmd": "jwt_token", "displayName": "Bo"b", "channel": "lobby", "moderator": false }\0',
        request(cmd="x") + b"\0",
        request(displayName=42) + b"\0",
        request(channel="a b") + b"\0",
        request(validFor=-1) + b"\0",
        request(validFor=None, validUntil=1) + b"\0",
        b"[1]\0",
        b"\xff\xfe\0",
        b"{" * 5000 + b"\0",
        request(displayName="x" * 70000) + b"\0",
    ]


def test_requests(t, cfg):
    stream = b"".join(r + request(seq=i) + b"\0" for i, r in enumerate(bad_requests()))
    for args in ([], ["-v"]):
        what = "good and bad requests%s" % (" with -v" if args else "")
        rc, out, err = run_filter(cfg, stream, args=args)
        resps = split_responses(out)
        t.ok(len(resps) == 2 * len(bad_requests()) and rc == 0,
             "%s: every request answered, exit 0" % what)
        check(t, SECRET, what, rc, out, err)


def test_subcommands(t, cfg):
    rc, out, err = run_filter(cfg, b"", args=["-v", "check"], timeout=10)
    t.ok(rc == 0 and b"40 bytes" in out, "check: reports the secret as 40 bytes")
    check(t, SECRET, "check -v", rc, out, err)
    rc, out, err = run_filter(cfg, b"", args=["-v", "token", "--room", "lobby",
                                              "--name", "Bob", "--url", "https://meet.example"],
                              timeout=10)
    t.ok(rc == 0 and out.count(b".") >= 2, "token: prints a token")
    check(t, SECRET, "token -v", rc, out, err)
    token = out.split(b"\n")[0]
    rc, out2, err2 = run_filter(cfg, token + b"\n", args=["-v", "verify", "-"], timeout=10)
    t.ok(rc == 0, "verify: its own token is valid")
    check(t, SECRET, "verify -v of a good token", rc, out2, err2)
    forged = token[:-4] + (b"AAAA" if not token.endswith(b"AAAA") else b"BBBB")
    rc, out, err = run_filter(cfg, b"", args=["-v", "verify", forged.decode()], timeout=10)
    t.ok(rc == 1, "verify: a forged signature is invalid")
    check(t, SECRET, "verify -v of a forged token", rc, out, err)


def test_bad_configs(t, d):
    head = '{"jitsi":{"domain":"meet.jitsi"},"jwt":{"app_id":"skotos",'
    texts = [
        ("secret before two commas", '{"jwt":{"secret":"%s" ,,}}' % BAD_SECRET),
        ("secret before a missing comma", head + '"secret":"%s"\n"x":1}}\n' % BAD_SECRET),
        ("secret in an unterminated string", head + '"secret":"%s' % BAD_SECRET),
        ("secret with a bad escape", head + '"secret":"TOPSECRET\\qVALUE123"}}\n'),
        ("secret with a raw newline", head + '"secret":"%s\n"}}\n' % BAD_SECRET),
        ("secret with a raw control character",
         head + '"secret":"TOPSECRET\x01VALUE123"}}\n'),
        ("secret followed by a trailing comma", head + '"secret":"%s",}}\n' % BAD_SECRET),
        ("secret and secret_file both",
         head + '"secret":"%s","secret_file":"/nonexistent"}}\n' % BAD_SECRET),
        ("secret beside a wrong type", head + '"secret":"%s","audience":5}}\n' % BAD_SECRET),
        ("secret beside an unknown key", head + '"secret":"%s","secrett":"y"}}\n' % BAD_SECRET),
        ("secret with no domain", '{"jwt":{"app_id":"skotos","secret":"%s"}}' % BAD_SECRET),
        ("short secret (warning)", head + '"secret":"%s"}}\n' % BAD_SECRET),
    ]
    for i, (what, text) in enumerate(texts):
        path = write_config(d, "bad%d.json" % i, text=text)
        for args in (["-i"], ["-v", "-i"], ["-v", "check"]):
            rc, out, err = run_filter(path, request() + b"\n", args=args, timeout=10)
            found = [p for p in (BAD_SECRET.encode(), b"TOPSECRET", b"VALUE123",
                                 b"SECRETVAL", b"ECRET\\qVAL", b"ECRET\x01VAL")
                     if p in out + err]
            if what == "short secret (warning)":
                # Valid: its tokens carry the signature, never the key itself.
                found += leaks(BAD_SECRET, out, err)
            if not t.ok(not found, "bad config, %s (%s): secret absent from output"
                        % (what, " ".join(args))):
                t.diag("found %r; exit %r; stderr %r" % (found, rc, err[-1000:]))
    # A secret file readable by others, and a number where the secret goes.
    sfile = os.path.join(d, "secret.txt")
    with open(sfile, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(sfile, 0o644)
    path = write_config(d, "secret-file.json",
                        text=head + '"secret_file":"%s"}}\n' % sfile)
    rc, out, err = run_filter(path, request() + b"\n", args=["-v"], timeout=10)
    check(t, SECRET, "readable jwt.secret_file", rc, out, err)
    path = write_config(d, "secret-number.json",
                        text=head + '"secret":98765432109876543210}}\n')
    rc, out, err = run_filter(path, b"", args=["-v", "-i"], timeout=10)
    t.ok(rc == 78 and b"98765432109876543210" not in err + out and b"9876543210" not in err,
         "a number given as the secret: exit 78, the number not shown")


def main(t):
    with tempdir() as d:
        cfg = write_config(d)
        test_requests(t, cfg)
        test_subcommands(t, cfg)
        test_bad_configs(t, d)


if __name__ == "__main__":
    TAP().run(main)
