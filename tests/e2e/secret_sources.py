#!/usr/bin/python3
"""Where the secret comes from: jwt.secret_file (one trailing newline
stripped), the systemd credential "jwt-secret" in $CREDENTIALS_DIRECTORY
(used only when the config names no secret), inline jwt.secret; both
secret and secret_file, or none at all, is a configuration error (exit 78);
a short secret draws a warning but works.  Every token is checked by PyJWT
with the secret the test expects."""

import os

from caslib import (OMIT, SECRET, TAP, decode, request, split_responses,
                    tempdir, write_config)
from adminlib import cas

FILE_SECRET = "Fs1Gt2Hu3Iv4Jw5Kx6Ly7Mz8Na9Ob0PcQdReSfTg"
CRED_SECRET = "Cr3dS3cr3t-0123456789-abcdefghijklmnopqrs"
SHORT_SECRET = "0123456789"


def write_secret(d, name, data, mode=0o600):
    path = os.path.join(d, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def verifies_with(token, secret):
    try:
        decode(token, secret=secret)
        return True
    except Exception:
        return False


def token_via_subcommand(cfg, env=None):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", env=env)
    return r, (r.last if r.rc == 0 else None)


def token_via_pipe(cfg, env=None):
    r = cas(cfg, stdin=request(seq=1) + b"\0", env=env)
    resps = split_responses(r.out.encode())
    tok = resps[0].get("token") if len(resps) == 1 else None
    return r, tok


def check_secret(t, cfg, secret, what, env=None, wrong=SECRET):
    """Both ways of minting give tokens PyJWT verifies with secret (and
    not with wrong)."""
    for how, fn in (("token subcommand", token_via_subcommand),
                    ("pipe request", token_via_pipe)):
        r, tok = fn(cfg, env)
        good = tok is not None and verifies_with(tok, secret)
        if not t.ok(good, "%s, %s: PyJWT verifies the token with the expected "
                    "secret" % (what, how)):
            t.diag(repr(r))
        if good and wrong is not None:
            t.ok(not verifies_with(tok, wrong),
                 "%s, %s: ... and not with another one" % (what, how))


def test_secret_file(t, d):
    sf = write_secret(d, "secret-nl", FILE_SECRET.encode() + b"\n")
    cfg = write_config(d, name="file-nl.json",
                       jwt={"secret": OMIT, "secret_file": sf})
    check_secret(t, cfg, FILE_SECRET,
                 "secret_file with a trailing newline (stripped)")
    r, tok = token_via_subcommand(cfg)
    if tok:
        t.ok(not verifies_with(tok, FILE_SECRET + "\n"),
             "secret_file: the newline is not part of the key")

    sf = write_secret(d, "secret-bare", FILE_SECRET.encode())
    cfg = write_config(d, name="file-bare.json",
                       jwt={"secret": OMIT, "secret_file": sf})
    check_secret(t, cfg, FILE_SECRET, "secret_file without a newline")

    sf = write_secret(d, "secret-2nl", FILE_SECRET.encode() + b"\n\n")
    cfg = write_config(d, name="file-2nl.json",
                       jwt={"secret": OMIT, "secret_file": sf})
    r, tok = token_via_subcommand(cfg)
    t.ok(tok is not None and verifies_with(tok, FILE_SECRET + "\n"),
         "secret_file ending in two newlines: only one is stripped")

    cfg = write_config(d, name="file-missing.json",
                       jwt={"secret": OMIT,
                            "secret_file": os.path.join(d, "no-such-secret")})
    r = cas(cfg, "check")
    t.eq(r.rc, 66, "secret_file that does not exist: exit 66")
    t.ok("no-such-secret" in r.err, "secret_file that does not exist: named")


def test_credential(t, d):
    creds = os.path.join(d, "credentials")
    os.mkdir(creds, 0o700)
    write_secret(creds, "jwt-secret", CRED_SECRET.encode() + b"\n")
    env = {"CREDENTIALS_DIRECTORY": creds}
    cfg = write_config(d, name="cred.json", jwt={"secret": OMIT})
    check_secret(t, cfg, CRED_SECRET,
                 "systemd credential jwt-secret (no secret in the config)",
                 env=env)
    r = cas(cfg, "check", env=env)
    t.ok(r.rc == 0 and CRED_SECRET not in r.out + r.err,
         "check with the credential: exit 0, its value not shown")

    cfg = write_config(d, name="cred-inline.json")
    check_secret(t, cfg, SECRET, "inline secret wins over the credential",
                 env=env, wrong=CRED_SECRET)

    r = cas(write_config(d, name="cred-none.json", jwt={"secret": OMIT}),
            "check", env={"CREDENTIALS_DIRECTORY": os.path.join(d, "empty")})
    t.eq(r.rc in (66, 78), True,
         "CREDENTIALS_DIRECTORY without jwt-secret and no secret: exit 66 or 78")


def test_errors(t, d):
    sf = write_secret(d, "secret-both", FILE_SECRET.encode())
    cfg = write_config(d, name="both.json", jwt={"secret_file": sf})
    for args in (("check",), ("token", "--room", "lobby", "--name", "Bob"), ()):
        r = cas(cfg, *args, stdin=request() + b"\0")
        what = "both secret and secret_file (%s)" % (" ".join(args[:1]) or "pipe")
        t.eq(r.rc, 78, "%s: exit 78" % what)
        if not t.ok("secret_file" in r.err and "secret" in
                    r.err.replace("secret_file", ""),
                    "%s: the message names both" % what):
            t.diag(repr(r))
        t.eq(r.out, "", "%s: nothing on stdout" % what)
        t.ok(SECRET not in r.err and FILE_SECRET not in r.err,
             "%s: neither secret's value shown" % what)

    cfg = write_config(d, name="none.json", jwt={"secret": OMIT})
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "no secret anywhere: check exits 78")
    t.ok("secret" in r.err, "no secret anywhere: the message says so")
    r = cas(cfg, stdin=request() + b"\0")
    t.eq((r.rc, r.out), (78, ""), "no secret anywhere: serving exits 78, "
         "nothing on stdout")

    cfg = write_config(d, name="empty.json", jwt={"secret": ""})
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "empty inline secret: exit 78")
    sf = write_secret(d, "secret-empty", b"\n")
    cfg = write_config(d, name="empty-file.json",
                       jwt={"secret": OMIT, "secret_file": sf})
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "secret_file holding only a newline: exit 78")


def test_short(t, d):
    cfg = write_config(d, name="short.json", jwt={"secret": SHORT_SECRET})
    r, tok = token_via_subcommand(cfg)
    t.ok("at least 32" in r.err,
         "10-byte secret: a warning with \"at least 32\" on stderr")
    t.ok(SHORT_SECRET not in r.err, "10-byte secret: the warning does not "
         "show it")
    t.ok(r.rc == 0 and tok is not None and verifies_with(tok, SHORT_SECRET),
         "10-byte secret: the token subcommand still works (PyJWT verifies)")
    r, tok = token_via_pipe(cfg)
    t.ok(r.rc == 0 and tok is not None and verifies_with(tok, SHORT_SECRET),
         "10-byte secret: a pipe request still works (PyJWT verifies)")
    t.ok("at least 32" in r.err, "10-byte secret: warned when serving too")
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and "at least 32" in r.err,
         "10-byte secret: check warns and exits 0")


def main(t):
    with tempdir() as d:
        test_secret_file(t, d)
        test_credential(t, d)
        test_errors(t, d)
        test_short(t, d)


if __name__ == "__main__":
    TAP().run(main)
