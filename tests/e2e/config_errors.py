#!/usr/bin/python3
"""The configuration file and the command line: a bad config is reported in
one line naming the file (and line:column, or the key) with exit 78 (66 if it
cannot be read); warnings do not stop the program; options behave."""

import json
import os
import re

from caslib import (OMIT, SECRET, TAP, base_config, decode, raw_header,
                    request, run_filter, split_responses, tempdir,
                    write_config)

PROG = "chat-admin-server"
EX_USAGE, EX_NOINPUT, EX_CONFIG = 64, 66, 78


def lines(err):
    return err.decode("utf-8", "replace").splitlines()


def serves(path, args=None, **decode_args):
    """Run a filter with this config; True if it mints a verifiable token."""
    args = ["-c", path] if args is None else args
    rc, out, err = run_filter(None, request(seq=1) + b"\n", args=args, timeout=15)
    resps = split_responses(out)
    try:
        decode(resps[0].get("token"), **decode_args)
        return rc == 0 and len(resps) == 1, err
    except Exception:
        return False, err


def expect_error(t, path, status, pattern, what, args=("-i",)):
    """The program refuses this config: exit status, nothing on stdout, and
    stderr is exactly one line matching pattern (a regex, anchored)."""
    rc, out, err = run_filter(path, b"", args=args, timeout=10)
    ls = lines(err)
    good = (rc == status and out == b"" and len(ls) == 1
            and re.fullmatch(pattern, ls[0]) is not None)
    if not t.ok(good, "%s: exit %d, the agreed one-line message on stderr" % (what, status)):
        t.diag("expected exit %d and a line matching %s" % (status, pattern))
        t.diag("exit %r, stdout %r" % (rc, out))
        t.diag("stderr: %r" % err.decode("utf-8", "replace"))
    return ls


def test_missing_file(t, d):
    path = os.path.join(d, "no-such-config.json")
    expect_error(t, path, EX_NOINPUT,
                 re.escape("%s: %s: cannot open: No such file or directory" % (PROG, path)),
                 "missing config file")


def test_malformed(t, d):
    # The original's own example: a trailing comma.
    path = write_config(d, "trailing-comma.json", text=(
        '{"jitsi":{"domain":"meet.jitsi"},"jwt":{"app_id":"skotos","secret":"1234567890"},}\n'))
    expect_error(t, path, EX_CONFIG,
                 re.escape("%s: %s:" % (PROG, path)) + r"1:\d+: malformed JSON: .+",
                 "trailing comma (the original's example)")
    text = ('{\n  "jitsi": { "domain": "meet.jitsi" },\n  "jwt": {\n'
            '    "app_id": "skotos"\n    "secret": "%s"\n  }\n}\n' % SECRET)
    path = write_config(d, "missing-comma.json", text=text)
    expect_error(t, path, EX_CONFIG,
                 re.escape("%s: %s:" % (PROG, path)) + r"5:\d+: malformed JSON: .+",
                 "missing comma on line 5: LINE is 5")
    # The column is 1-based and points at the offending character.
    text = '{\n  "jitsi": { "domain": "meet.jitsi" },\n  "jwt": { "app_id": @ }\n}\n'
    path = write_config(d, "bad-char.json", text=text)
    col = text.split("\n")[2].index("@") + 1
    expect_error(t, path, EX_CONFIG,
                 re.escape("%s: %s:3:%d: malformed JSON: " % (PROG, path, col)) + ".+",
                 "stray @ on line 3, column %d: LINE:COL point at it" % col)
    path = write_config(d, "empty.json", text="")
    rc, out, err = run_filter(path, b"", args=["-i"], timeout=10)
    t.ok(rc == EX_CONFIG and path in err.decode("utf-8", "replace"),
         "empty config file: exit 78, message names the file")
    path = write_config(d, "array.json", text="[]\n")
    rc, out, err = run_filter(path, b"", args=["-i"], timeout=10)
    t.ok(rc == EX_CONFIG and path in err.decode("utf-8", "replace"),
         "config that is an array, not an object: exit 78, message names the file")


def test_missing_keys(t, d):
    for name, over, key in [
            ("no-domain", dict(jitsi={"domain": OMIT}), "jitsi.domain"),
            ("no-jitsi", dict(jitsi=OMIT), "jitsi.domain"),
            ("no-app-id", dict(jwt={"app_id": OMIT}), "jwt.app_id")]:
        path = write_config(d, name + ".json", **over)
        expect_error(t, path, EX_CONFIG,
                     re.escape("%s: %s: %s: missing" % (PROG, path, key)),
                     "%s missing (%s)" % (key, name))


def test_wrong_types(t, d):
    port_msg = "must be an integer from 1 to 65535"
    cases = [
        ("app-id-5", dict(jwt={"app_id": 5}), "jwt.app_id", None),
        ("domain-true", dict(jitsi={"domain": True}), "jitsi.domain", None),
        ("secret-5", dict(jwt={"secret": 12345}), "jwt.secret", None),
        ("port-abc", dict(inbound={"host": "127.0.0.1", "port": "abc"}), "inbound.port", port_msg),
        ("port-70000", dict(inbound={"host": "127.0.0.1", "port": 70000}), "inbound.port", port_msg),
        ("port-0", dict(inbound={"host": "127.0.0.1", "port": 0}), "inbound.port", port_msg),
        ("port-1.5", dict(inbound={"host": "127.0.0.1", "port": 1.5}), "inbound.port", port_msg),
        ("outbound-port-abc", dict(outbound={"host": "127.0.0.1", "port": "abc"}),
         "outbound.port", port_msg),
        ("inbound-no-port", dict(inbound={"host": "127.0.0.1"}), "inbound.port", "missing"),
        ("algorithm-ES256", dict(jwt={"algorithm": "ES256"}), "jwt.algorithm", None),
        ("max-request-bytes-10", dict(limits={"max_request_bytes": 10}),
         "limits.max_request_bytes", None),
    ]
    for name, over, key, msg in cases:
        path = write_config(d, name + ".json", **over)
        tail = re.escape(msg) if msg else ".+"
        expect_error(t, path, EX_CONFIG,
                     re.escape("%s: %s: %s: " % (PROG, path, key)) + tail,
                     "%s (%s)" % (key, name))


def test_secret_sources(t, d):
    sfile = os.path.join(d, "secret.txt")
    with open(os.open(sfile, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(SECRET + "\n")
    path = write_config(d, "both.json", jwt={"secret_file": sfile})
    ls = expect_error(t, path, EX_CONFIG, re.escape("%s: %s: " % (PROG, path)) + ".*secret.*",
                      "both jwt.secret and jwt.secret_file")
    path = write_config(d, "no-secret.json", jwt={"secret": OMIT})
    expect_error(t, path, EX_CONFIG, re.escape("%s: %s: " % (PROG, path)) + ".*secret.*",
                 "no secret at all")
    path = write_config(d, "empty-secret.json", jwt={"secret": ""})
    expect_error(t, path, EX_CONFIG, re.escape("%s: %s: " % (PROG, path)) + ".*secret.*",
                 "empty jwt.secret")
    missing = os.path.join(d, "no-such-secret")
    path = write_config(d, "missing-secret-file.json",
                        jwt={"secret": OMIT, "secret_file": missing})
    rc, out, err = run_filter(path, b"", args=["-i"], timeout=10)
    t.ok(rc == EX_NOINPUT and missing in err.decode("utf-8", "replace"),
         "unreadable jwt.secret_file: exit 66, message names that file")
    path = write_config(d, "secret-file.json", jwt={"secret": OMIT, "secret_file": sfile})
    good, err = serves(path)
    t.ok(good, "jwt.secret_file (one trailing newline stripped) signs the tokens")
    path = write_config(d, "short-secret.json", jwt={"secret": "shortsecret1"})
    good, err = serves(path, secret="shortsecret1")
    t.ok(good and "warning" in err.decode("utf-8", "replace"),
         "a secret shorter than 32 bytes draws a warning but works")


def test_warnings(t, d):
    path = write_config(d, "unknown-key.json", jitsi={"colour": "blue"})
    good, err = serves(path)
    want = '%s: warning: %s: unknown key "jitsi.colour" ignored' % (PROG, path)
    if not t.ok(good and want in lines(err),
                "unknown key jitsi.colour: warning naming it, filter still works"):
        t.diag("stderr: %r" % err)
    path = write_config(d, "unknown-section.json", extras={"a": 1})
    good, err = serves(path)
    t.ok(good and "extras" in err.decode("utf-8", "replace") and "warning" in err.decode(),
         "unknown section extras: warning naming it, filter still works")
    # Keys as written reach the log escaped: a NUL, a terminal escape, a C1.
    hostile = [("jitsi", "col\\u0000our", "jitsi.col\\x00our"),
               ("policy", "x\\u001b[31my", "policy.x\\x1b[31my"),
               ("clients", "\\u009bz", "clients[0].\\xc2\\x9bz")]
    for section, key, shown in hostile:
        c = base_config()
        if section == "clients":
            inner = '[{"name":"me","uid":%d,"%s":1}]' % (os.geteuid(), key)
        else:
            inner = json.dumps(c.get(section, {}))[:-1]
            inner += (", " if inner != "{" else "") + '"%s": 1}' % key
        c.pop(section, None)
        text = json.dumps(c)[:-1] + ', "%s": %s}' % (section, inner)
        path = write_config(d, "hostile-key.json", text=text)
        good, err = serves(path)
        want = '%s: warning: %s: unknown key "%s" ignored' % (PROG, path, shown)
        if not t.ok(good and want in lines(err) and b"\x1b" not in err and
                    b"\xc2\x9b" not in err,
                    "unknown key %r in %s: shown escaped, filter still works"
                    % (key, section)):
            t.diag("stderr: %r" % err)
    path = write_config(d, "readable.json")
    os.chmod(path, 0o644)
    good, err = serves(path)
    want = "%s: warning: %s is readable by group or others and holds the secret" % (PROG, path)
    if not t.ok(good and want in lines(err),
                "config holding the secret readable by others: warning, still works"):
        t.diag("stderr: %r" % err)
    path = write_config(d, "private.json")
    good, err = serves(path)
    t.ok(good and "warning" not in err.decode("utf-8", "replace"),
         "a valid 0600 config draws no warning")


def test_jwt_options(t, d):
    path = write_config(d, "aud.json", jwt={"audience": "other-aud"})
    good, _ = serves(path, audience="other-aud")
    t.ok(good, "jwt.audience becomes the aud claim")
    for alg in ("HS384", "HS512"):
        path = write_config(d, alg + ".json", jwt={"algorithm": alg})
        rc, out, _ = run_filter(path, request() + b"\n")
        resps = split_responses(out)
        tok = resps[0].get("token") if resps else None
        try:
            decode(tok, algorithms=[alg])
            good = raw_header(tok) == b'{"alg":"%s","typ":"JWT"}' % alg.encode()
        except Exception:
            good = False
        t.ok(good, "jwt.algorithm %s: header alg %s, verifies with PyJWT" % (alg, alg))
    path = write_config(d, "small-limit.json", limits={"max_request_bytes": 1024})
    rc, out, _ = run_filter(path, request(displayName="x" * 2000) + b"\n"
                            + request(seq=2) + b"\n")
    resps = split_responses(out)
    t.ok(len(resps) == 2 and resps[0].get("message") == "request too large (limit 1024 bytes)"
         and resps[1].get("success") is True,
         "limits.max_request_bytes 1024: a 2000-byte request is refused with that limit")


def test_options(t, d):
    path = write_config(d)
    for args in (["-c", path], ["--config", path], [path]):
        good, err = serves(path, args=args)
        if not t.ok(good, "config given as %s" % " ".join(
                a if a != path else "FILE" for a in args)):
            t.diag("stderr: %r" % err)
    for opt in ("-h", "--help"):
        rc, out, err = run_filter(None, b"", args=[opt], timeout=10)
        t.ok(rc == 0 and PROG.encode() in out, "%s: exit 0, usage on stdout" % opt)
    for opt in ("-V", "--version"):
        rc, out, err = run_filter(None, b"", args=[opt], timeout=10)
        if not t.ok(rc == 0 and re.fullmatch(rb"chat-admin-server \S+\n", out),
                    "%s: exit 0, 'chat-admin-server VERSION' on stdout" % opt):
            t.diag("exit %r, stdout %r" % (rc, out))
    for opt in ("--no-such-option", "-Z"):
        rc, out, err = run_filter(path, b"", args=[opt], timeout=10)
        t.ok(rc == EX_USAGE and out == b"" and err != b"",
             "bad option %s: exit 64, message on stderr, nothing on stdout" % opt)
    rc, out, err = run_filter(None, b"", args=["-c"], timeout=10)
    t.ok(rc == EX_USAGE and out == b"", "-c without its argument: exit 64")


def main(t):
    with tempdir() as d:
        test_missing_file(t, d)
        test_malformed(t, d)
        test_missing_keys(t, d)
        test_wrong_types(t, d)
        test_secret_sources(t, d)
        test_warnings(t, d)
        test_jwt_options(t, d)
        test_options(t, d)


if __name__ == "__main__":
    TAP().run(main)
