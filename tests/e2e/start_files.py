#!/usr/bin/python3
"""Nothing at start-up waits forever on a file: a configuration file, a
jwt.secret_file or a jwt-secret credential that is a FIFO nobody writes to,
a directory or a device is refused within bounded time, `check` included,
with a message naming the file; a pipe that a writer feeds, such as
`-c <(cat cfg)` or a FIFO written to a moment later, keeps working, for the
secret as for the configuration.  Every
run is bounded by a timeout, and tokens are checked with PyJWT."""

import json
import os
import subprocess
import threading
import time

from caslib import (SECRET, TAP, base_config, child_env, decode, request,
                    split_responses, tempdir, write_config)
from adminlib import cas

# The program gives a FIFO 5 seconds; a run that takes much longer hangs.
BOUND = 30


def timed(cfg, *args, env=None, stdin=b""):
    t0 = time.monotonic()
    r = cas(cfg, *args, env=env, stdin=stdin, timeout=BOUND)
    return r, time.monotonic() - t0


def expect_refused(t, what, r, secs, status, path, words):
    if not t.ok(r.rc is not None, "%s: exits, within %d s (took %.1f s)" %
                (what, BOUND, secs)):
        return
    t.eq(r.rc, status, "%s: exit status %d" % (what, status))
    if not t.ok(path in r.err and all(w in r.err for w in words),
                "%s: the message names %s and says %s" %
                (what, path, " / ".join(words))):
        t.diag(repr(r))


def feed_fifo_later(path, data, delay):
    """Open the FIFO for writing after delay seconds and write data."""
    def run():
        time.sleep(delay)
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def good_token(r):
    resps = split_responses(r.out.encode())
    try:
        return len(resps) == 1 and decode(resps[0].get("token"))["room"] == "lobby"
    except Exception:
        return False


def token_verifies(tok):
    """The token verifies with SECRET (PyJWT) and names room lobby."""
    try:
        return decode(tok)["room"] == "lobby"
    except Exception:
        return False


def test_config(t, d):
    cfg_text = json.dumps(base_config()).encode()

    fifo = os.path.join(d, "config.fifo")
    os.mkfifo(fifo, 0o600)
    for args in (("check",), ()):
        what = "config a FIFO nobody writes to (%s)" % (" ".join(args) or "serving")
        r, secs = timed(fifo, *args, stdin=request(seq=1) + b"\n")
        expect_refused(t, what, r, secs, 66, fifo, ["FIFO", "nothing was written"])

    th = feed_fifo_later(fifo, cfg_text, 0.5)
    r, secs = timed(fifo, stdin=request(seq=1) + b"\n")
    th.join(5)
    t.ok(r.rc == 0 and good_token(r),
         "config a FIFO written to half a second later: read, a token minted")

    r, secs = timed(d, "check")
    expect_refused(t, "config a directory", r, secs, 66, d, ["is a directory"])
    r, secs = timed("/dev/zero", "check")
    expect_refused(t, "config /dev/zero", r, secs, 66, "/dev/zero", ["is a device"])
    r, secs = timed("/dev/null", "check")
    expect_refused(t, "config /dev/null", r, secs, 66, "/dev/null", ["is a device"])

    # Process substitution: bash hands over a pipe with cat writing into it.
    plain = write_config(d, name="plain.json")
    p = subprocess.run(["bash", "-c", '"$1" -c <(cat "$2") check', "bash",
                        os.environ["CAS_BIN"], plain],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=child_env(), timeout=BOUND)
    t.ok(p.returncode == 0 and b"configuration OK" in p.stdout,
         "-c <(cat cfg) check: the pipe is read, exit 0")
    p = subprocess.run(["bash", "-c", '"$1" -c <(cat "$2")', "bash",
                        os.environ["CAS_BIN"], plain], input=request(seq=1) + b"\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=child_env(), timeout=BOUND)
    resps = split_responses(p.stdout)
    try:
        good = p.returncode == 0 and decode(resps[0].get("token"))["room"] == "lobby"
    except Exception:
        good = False
    t.ok(good, "-c <(cat cfg): serves a request, PyJWT verifies the token")


def test_secret(t, d):
    fifo = os.path.join(d, "secret.fifo")
    os.mkfifo(fifo, 0o600)
    c = base_config()
    del c["jwt"]["secret"]
    c["jwt"]["secret_file"] = fifo
    cfg = write_config(d, name="sf.json", text=json.dumps(c))
    for args in (("check",), ("token", "--room", "lobby", "--name", "Bob")):
        r, secs = timed(cfg, *args)
        expect_refused(t, "jwt.secret_file a FIFO nobody writes to (%s)"
                       % args[0], r, secs, 78, fifo,
                       ["jwt.secret_file", "FIFO", "nothing was written"])
    th = feed_fifo_later(fifo, SECRET.encode() + b"\n", 0.5)
    r, secs = timed(cfg, "token", "--room", "lobby", "--name", "Bob")
    th.join(5)
    t.ok(r.rc == 0 and token_verifies(r.out.strip()),
         "jwt.secret_file a FIFO written to half a second later: read, "
         "PyJWT verifies the token with that secret")
    # Process substitution: the child's descriptor 3 is a pipe printf feeds.
    pcfg = write_config(d, name="sp.json", text=json.dumps(
        dict(c, jwt=dict(c["jwt"], secret_file="/dev/fd/3"))))
    p = subprocess.run(["bash", "-c", '"$1" -c "$2" token --room lobby '
                        '--name Bob 3< <(printf "%s\\n" "$3")', "bash",
                        os.environ["CAS_BIN"], pcfg, SECRET],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=child_env(), timeout=BOUND)
    t.ok(p.returncode == 0 and token_verifies(p.stdout.decode().strip()),
         "jwt.secret_file a pipe from process substitution: PyJWT verifies "
         "the token") or t.diag(repr(p.stderr[:300]))
    c["jwt"]["secret_file"] = d
    cfg = write_config(d, name="sd.json", text=json.dumps(c))
    r, secs = timed(cfg, "check")
    expect_refused(t, "jwt.secret_file a directory", r, secs, 78, d,
                   ["is a directory, not a regular file"])
    c["jwt"]["secret_file"] = "/dev/zero"
    cfg = write_config(d, name="sz.json", text=json.dumps(c))
    r, secs = timed(cfg, "check")
    expect_refused(t, "jwt.secret_file /dev/zero", r, secs, 78, "/dev/zero",
                   ["is a device, not a regular file"])

    # The systemd credential, as a FIFO.
    creds = os.path.join(d, "creds")
    os.mkdir(creds, 0o700)
    os.mkfifo(os.path.join(creds, "jwt-secret"), 0o600)
    c = base_config()
    del c["jwt"]["secret"]
    cfg = write_config(d, name="cred.json", text=json.dumps(c))
    r, secs = timed(cfg, "check", env={"CREDENTIALS_DIRECTORY": creds})
    expect_refused(t, "the jwt-secret credential a FIFO nobody writes to",
                   r, secs, 78, os.path.join(creds, "jwt-secret"),
                   ["FIFO", "nothing was written"])
    th = feed_fifo_later(os.path.join(creds, "jwt-secret"), SECRET.encode(), 0.5)
    r, secs = timed(cfg, "token", "--room", "lobby", "--name", "Bob",
                    env={"CREDENTIALS_DIRECTORY": creds})
    th.join(5)
    t.ok(r.rc == 0 and token_verifies(r.out.strip()),
         "the jwt-secret credential a FIFO written to: PyJWT verifies the token")
    t.ok(SECRET not in r.out + r.err, "no secret is shown in these messages")


def main(t):
    with tempdir() as d:
        test_config(t, d)
        test_secret(t, d)


if __name__ == "__main__":
    TAP().run(main)
