"""Helpers for the end-to-end tests of the admin subcommands (token, verify,
check), the secret sources, the algorithms, the policy and the limits:
running a subcommand, minting reference tokens with PyJWT, the claims a
token for the default test configuration carries, and a few small checks
on what a run printed.  Everything else comes from caslib."""

import base64
import json
import os
import subprocess
import time

import jwt

from caslib import APP_ID, AUDIENCE, DOMAIN, SECRET, child_env, command


class Run:
    """One finished run of the program: rc (None if it had to be killed),
    out and err as text, and the stdout lines."""

    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out.decode("utf-8", "replace")
        self.err = err.decode("utf-8", "replace")
        self.lines = self.out.splitlines()

    @property
    def last(self):
        return self.lines[-1] if self.lines else ""

    def line(self, prefix):
        """The first stdout line starting with prefix, or None."""
        for l in self.lines:
            if l.startswith(prefix):
                return l
        return None

    def __repr__(self):
        return "Run(rc=%r, out=%r, err=%r)" % (self.rc, self.out[:400],
                                                self.err[:400])


def cas(config_path, *args, stdin=b"", env=None, timeout=30):
    """Run the program with -c config_path (unless None) and args, feed
    stdin, wait; return a Run.  env: extra variables for the child."""
    e = child_env()
    if env:
        e.update(env)
    p = subprocess.Popen(command(config_path, args), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    try:
        out, err = p.communicate(stdin, timeout=timeout)
        return Run(p.returncode, out, err)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return Run(None, out, err)


def claims(room="lobby", name="Bob", valid_for=600, moderator=False,
           now=None, **changes):
    """The claims the program would mint for room and name, as a dict a
    reference token can be made of; changes replace (or, given as None,
    remove) top-level claims."""
    now = int(time.time()) if now is None else now
    c = {
        "iss": APP_ID, "aud": AUDIENCE, "sub": DOMAIN, "room": room,
        "iat": now, "nbf": now - 10, "exp": now + valid_for,
        "moderator": moderator,
        "context": {"user": {"name": name,
                             "affiliation": "owner" if moderator else "member",
                             "moderator": "true" if moderator else "false"}},
    }
    for k, v in changes.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def mint(claim_set, secret=SECRET, algorithm="HS256", headers=None):
    """A reference token made by PyJWT (not by the program)."""
    tok = jwt.encode(claim_set, secret, algorithm=algorithm, headers=headers)
    return tok.decode("ascii") if isinstance(tok, bytes) else tok


def b64url(data):
    """Unpadded base64url of bytes or of a JSON-serialisable value."""
    if not isinstance(data, bytes):
        data = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sanitizers():
    """True when the program under test was built with ASan/UBSan."""
    return bool(os.environ.get("CAS_SANITIZERS", ""))
