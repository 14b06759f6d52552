"""Shared helpers for the end-to-end tests of chat-admin-server.

Every test is an executable script that runs the built program the way its
users do and prints TAP.  Environment (set by the Makefile):

  CAS_BIN     absolute path of the built chat-admin-server
  top_srcdir  top of the source tree (for config-example.json)

Tokens are verified with PyJWT (Debian's python3-jwt), never with our own
code, so a test passing means an independent implementation accepts them.
"""

import base64
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback

import jwt

CAS_BIN = os.environ.get("CAS_BIN", "")
TOP_SRCDIR = os.environ.get("top_srcdir", "")

DOMAIN = "meet.jitsi"
APP_ID = "skotos"
AUDIENCE = "jitsi"
# 40 characters, long enough not to draw the short-secret warning.
SECRET = "kT9vQ2xLm4Pz8Rw1Ny6Hs3Jd5Fb7Gc0AeUoViWqX"
assert len(SECRET) == 40

# The default request: a valid non-moderator token for room "lobby".
DEFAULT_REQUEST = {
    "cmd": "jwt_token",
    "displayName": "Bob",
    "channel": "lobby",
    "moderator": False,
    "validFor": 600,
}


class _Omit:
    def __repr__(self):
        return "OMIT"


# Pass a field as OMIT to request() to leave it out of the request.
OMIT = _Omit()


class TAP:
    """Minimal TAP producer.  The plan is printed at the end by done()
    (trailing plans are valid TAP), so a test that dies half-way still
    produces a consistent report; run() turns an exception into a failure."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, cond, desc):
        """Record one test; returns cond so callers can chain diagnostics."""
        self.count += 1
        if not cond:
            self.failed += 1
        desc = " ".join(str(desc).split())
        print("%s %d - %s" % ("ok" if cond else "not ok", self.count, desc),
              flush=True)
        return bool(cond)

    def eq(self, got, expected, desc):
        """ok(got == expected) with a diagnostic showing both on failure."""
        if not self.ok(got == expected, desc):
            self.diag("expected: %r" % (expected,))
            self.diag("got:      %r" % (got,))
        return got == expected

    def diag(self, msg):
        for line in str(msg).splitlines() or [""]:
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.count, flush=True)
        sys.exit(0)

    def run(self, main):
        """Call main(self), report an exception as a failure, then done()."""
        try:
            if not CAS_BIN or not os.access(CAS_BIN, os.X_OK):
                self.ok(False, "CAS_BIN names an executable (got %r)" % CAS_BIN)
            else:
                main(self)
        except Exception:
            self.ok(False, "test script ran to completion")
            self.diag(traceback.format_exc())
        self.done()


# ---------------------------------------------------------------- config

def base_config():
    """The minimal valid configuration as a dict (stdin/stdout mode)."""
    return {
        "jitsi": {"domain": DOMAIN},
        "jwt": {"app_id": APP_ID, "secret": SECRET},
    }


def write_config(tmpdir, name="config.json", text=None, **overrides):
    """Write a configuration file (mode 0600) in tmpdir; return its path.

    With text, that exact text is written.  Otherwise base_config() is used,
    each keyword merged in as a section: a dict is merged key by key into the
    section (a value of OMIT removes that key), OMIT removes the section, any
    other value replaces it.  E.g. write_config(d, jwt={"app_id": OMIT},
    limits={"max_request_bytes": 1024})."""
    if text is None:
        cfg = base_config()
        for section, value in overrides.items():
            if value is OMIT:
                cfg.pop(section, None)
            elif isinstance(value, dict) and isinstance(cfg.get(section), dict):
                for k, v in value.items():
                    if v is OMIT:
                        cfg[section].pop(k, None)
                    else:
                        cfg[section][k] = v
            else:
                cfg[section] = value
        text = json.dumps(cfg, indent=2) + "\n"
    path = os.path.join(tmpdir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def tempdir():
    """A TemporaryDirectory for config files; use it in a with statement."""
    return tempfile.TemporaryDirectory(prefix="cas-e2e-")


# ---------------------------------------------------------------- running

def child_env():
    """The environment for the program: without anything that would make it
    log to the journal, take systemd sockets or read a systemd credential."""
    env = dict(os.environ)
    for var in ("JOURNAL_STREAM", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                "NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY"):
        env.pop(var, None)
    return env


def command(config_path=None, args=()):
    cmd = [CAS_BIN]
    if config_path is not None:
        cmd += ["-c", config_path]
    return cmd + list(args)


def run_filter(config_path, input_bytes, args=(), timeout=30):
    """Run the program with stdin/stdout as pipes, feed input_bytes, close
    stdin; return (returncode, stdout bytes, stderr bytes).  With
    config_path None no -c is given (args then carry everything).  If it
    does not finish within timeout seconds it is killed and returncode is
    None."""
    p = subprocess.Popen(command(config_path, args), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=child_env())
    try:
        out, err = p.communicate(input_bytes, timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out, err


class Filter:
    """The program running on pipes, driven one request at a time (the way
    SkotOS talks to it: send, wait for the answer, send the next)."""

    def __init__(self, config_path, args=()):
        self.p = subprocess.Popen(command(config_path, args),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=child_env())
        self.pending = b""

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def read_response(self, term=b"\n\0", timeout=10):
        """Bytes up to and including the next term; None if that does not
        arrive within timeout seconds."""
        deadline = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while True:
            i = self.pending.find(term)
            if i >= 0:
                n = i + len(term)
                resp, self.pending = self.pending[:n], self.pending[n:]
                return resp
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self.pending += chunk

    def close(self, timeout=10):
        """Close stdin; return (returncode or None, rest of stdout, stderr)."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        else:
            rc = self.p.returncode
        rest = self.pending + self.p.stdout.read()
        err = self.p.stderr.read()
        return rc, rest, err


# ---------------------------------------------------------------- protocol

def request(**fields):
    """A compact JSON request (bytes, no terminator): DEFAULT_REQUEST with
    the given fields replacing or adding to it; a field given as OMIT is
    left out."""
    req = dict(DEFAULT_REQUEST)
    for k, v in fields.items():
        if v is OMIT:
            req.pop(k, None)
        else:
            req[k] = v
    return json.dumps(req, separators=(",", ":"), ensure_ascii=False).encode()


class Response:
    """One response: raw (the JSON text, bytes), term (b"\\n\\0", b"\\n" or
    b"" if the output ended without one), obj (parsed with key order kept,
    or None if it is not JSON), keys (key order)."""

    def __init__(self, raw, term):
        self.raw = raw
        self.term = term
        try:
            pairs = json.loads(raw.decode("utf-8"), object_pairs_hook=list)
            self.keys = [k for k, _ in pairs] if isinstance(pairs, list) else []
            self.obj = dict(pairs) if isinstance(pairs, list) else None
        except (ValueError, UnicodeDecodeError):
            self.keys = []
            self.obj = None

    def get(self, key, default=None):
        return self.obj.get(key, default) if isinstance(self.obj, dict) else default

    def __repr__(self):
        return "Response(%r + %r)" % (self.raw, self.term)


def split_responses(stdout):
    """Split the program's output into a list of Response, each ended by
    "\\n\\0" or "\\n" (the terminator is kept in Response.term)."""
    out = []
    i = 0
    n = len(stdout)
    while i < n:
        j = stdout.find(b"\n", i)
        if j < 0:
            out.append(Response(stdout[i:], b""))
            break
        if stdout[j + 1:j + 2] == b"\0":
            out.append(Response(stdout[i:j], b"\n\0"))
            i = j + 2
        else:
            out.append(Response(stdout[i:j], b"\n"))
            i = j + 1
    return out


# ---------------------------------------------------------------- tokens

def b64url_decode(segment):
    """Decode one unpadded base64url segment (str or bytes) strictly."""
    if isinstance(segment, str):
        segment = segment.encode("ascii")
    if not re.fullmatch(rb"[A-Za-z0-9_-]*", segment):
        raise ValueError("not unpadded base64url: %r" % segment[:40])
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


def decode(token, secret=SECRET, audience=AUDIENCE, algorithms=("HS256",),
           issuer=APP_ID, leeway=0):
    """Verify token with PyJWT (signature, exp, nbf, iat, aud, iss) and return
    its claims; raises a jwt.InvalidTokenError if it does not verify.
    leeway (seconds) lets a short-lived token be checked as of when it was
    minted rather than now, which a slow (sanitizer) build may be far from."""
    return jwt.decode(token, secret, algorithms=list(algorithms),
                      audience=audience, issuer=issuer, leeway=leeway,
                      options={"require": ["exp", "iat", "nbf", "iss", "aud"]})


def raw_header(token):
    """The decoded bytes of the token's header segment."""
    return b64url_decode(token.split(".")[0])


def claims_in_order(token):
    """The payload as a list of (key, value) pairs in the order written;
    nested objects likewise."""
    return json.loads(b64url_decode(token.split(".")[1]).decode("utf-8"),
                      object_pairs_hook=list)
