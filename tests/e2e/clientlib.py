"""Helpers for the end-to-end tests of who may ask (the clients table):
running a client as another Unix user with setpriv, a client that connects
to a Unix socket or from a chosen TCP source address and reads replies,
and the checks a served or refused reply gets.  Tokens are verified with
PyJWT (caslib.decode), never with the program's own code."""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time

from caslib import decode, request, split_responses

SETPRIV = shutil.which("setpriv")
# Debian's python3, which the user nobody can run (a python3 on PATH may
# live in root's home).
PYTHON = "/usr/bin/python3"
REFUSED = "client not allowed"

# A client as a separate process: connect to argv[1] (a Unix socket path, or
# HOST:PORT[@SOURCE] for TCP), send the bytes hex-encoded in argv[2], read
# until argv[3] newlines arrived or the server closed, print what was read
# as hex.  Bounded by argv[4] seconds.
CLIENT = r"""
import socket, sys, time
where, data, want, limit = sys.argv[1], bytes.fromhex(sys.argv[2]), \
    int(sys.argv[3]), float(sys.argv[4])
if where.startswith("/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(limit)
    s.connect(where)
else:
    addr, _, source = where.partition("@")
    host, _, port = addr.rpartition(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(limit)
    if source:
        s.bind((source, 0))
    s.connect((host, int(port)))
if data:
    s.sendall(data)
got = b""
deadline = time.monotonic() + limit
while got.count(b"\n") < want and time.monotonic() < deadline:
    s.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        chunk = s.recv(65536)
    except (socket.timeout, ConnectionResetError):
        break
    if not chunk:
        break
    got += chunk
s.close()
sys.stdout.write(got.hex())
"""


def me():
    """Who runs this test, by its effective ids: (uid, user name, gid, group
    name), a name None where the system has none."""
    uid, gid = os.geteuid(), os.getegid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = None
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = None
    return uid, user, gid, group


def me_name():
    """The user running this test, for test descriptions: "root"."""
    uid, user, _, _ = me()
    return user or "uid %d" % uid


def me_logged():
    """How the program's log names the user running this test:
    "uid=0(root) gid=0(root)", a name left out where there is none."""
    uid, user, gid, group = me()
    return "uid=%d%s gid=%d%s" % (uid, "(%s)" % user if user else "",
                                  gid, "(%s)" % group if group else "")


def me_entry():
    """The key and value of a clients entry that matches the user running
    this test (by name, or by uid where the user has no name)."""
    uid, user, _, _ = me()
    return ("user", user) if user else ("uid", uid)


def setpriv_argv(user, group, groups=None):
    """The setpriv prefix running a command as user:group, with exactly the
    supplementary groups named (none by default)."""
    argv = [SETPRIV, "--reuid=" + user, "--regid=" + group]
    if groups:
        argv.append("--groups=" + ",".join(str(g) for g in groups))
    else:
        argv.append("--clear-groups")
    return argv


def why_no_other_users():
    """None when this test can run processes as nobody:nogroup, else why
    not (a reason for a skip)."""
    if os.geteuid() != 0:
        return "not root: cannot run a client as another user"
    if SETPRIV is None:
        return "setpriv not installed"
    for user, group in (("nobody", "nogroup"), ("daemon", "daemon")):
        try:
            pwd.getpwnam(user)
            grp.getgrnam(group)
        except KeyError:
            return "no user %s or group %s here" % (user, group)
    if not os.access(PYTHON, os.X_OK):
        return "%s not installed" % PYTHON
    try:
        r = subprocess.run(setpriv_argv("nobody", "nogroup") +
                           [PYTHON, "-c", "pass"], timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except subprocess.TimeoutExpired:
        return "setpriv timed out"
    if r.returncode != 0:
        return "setpriv cannot run %s as nobody: %s" % (
            PYTHON, r.stderr.decode("utf-8", "replace").strip())
    return None


def open_up(path):
    """Let every user reach path: its directories searchable (tests keep
    their files in 0700 temporary directories)."""
    d = os.path.dirname(os.path.abspath(path))
    while d not in ("/", ""):
        st = os.stat(d)
        if st.st_mode & 0o001 == 0:
            os.chmod(d, st.st_mode | 0o011)
        d = os.path.dirname(d)


def talk(where, data=b"", replies=1, user=None, group=None, groups=None,
         timeout=10):
    """Connect to where (a Unix socket path, or "HOST:PORT[@SOURCE]"), as
    user:group when given (setpriv) or as this process's user, send data,
    read until replies replies or the end of the stream; returns (bytes
    read, problem or None)."""
    argv = [PYTHON, "-c", CLIENT, where, data.hex(), str(replies),
            str(timeout)]
    if user is not None:
        argv = setpriv_argv(user, group or user, groups) + argv
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout + 20)
    except subprocess.TimeoutExpired:
        return b"", "client timed out"
    if r.returncode != 0:
        return b"", "client failed: %s" % r.stderr.decode("utf-8", "replace")
    return bytes.fromhex(r.stdout.decode("ascii")), None


def ask(seq, **fields):
    """One newline-ended request with seq."""
    return request(seq=seq, **fields) + b"\n"


def served(raw, seq, room="lobby", moderator=False):
    """None when raw holds a reply to seq that is a token PyJWT accepts,
    for room, moderator as asked; else what is wrong."""
    for r in split_responses(raw):
        if r.get("seq") != seq:
            continue
        if r.get("success") is not True:
            return "refused: %r" % r.raw
        try:
            c = decode(r.get("token"))
        except Exception as e:  # any PyJWT refusal
            return "PyJWT refuses the token: %s" % e
        if c.get("room") != room or c.get("moderator") is not moderator:
            return "claims room=%r moderator=%r" % (c.get("room"),
                                                    c.get("moderator"))
        return None
    return "no reply with seq %r in %r" % (seq, raw[:300])


def refused_with(raw, seq, message):
    """None when raw holds a reply to seq refused with message."""
    for r in split_responses(raw):
        if r.get("seq") == seq:
            if r.get("success") is False and r.get("message") == message \
                    and r.get("token") == "":
                return None
            return "not refused with %r: %r" % (message, r.raw)
    return "no reply with seq %r in %r" % (seq, raw[:300])


def turned_away(raw):
    """None when raw is exactly one reply, "client not allowed" with no
    seq, ended by a newline, and nothing after it; else what is wrong."""
    resps = split_responses(raw)
    if len(resps) != 1:
        return "expected one reply, got %r" % raw[:300]
    r = resps[0]
    if r.obj is None or r.keys != ["success", "message", "token", "time"]:
        return "not the refusal's keys: %r" % raw[:300]
    if r.get("success") is not False or r.get("message") != REFUSED or \
            r.get("token") != "" or r.term != b"\n":
        return "not a refusal ended by a newline: %r" % raw[:300]
    if abs(r.get("time") - time.time()) > 600:
        return "time %r is not now" % r.get("time")
    return None


def clients_config(*entries):
    """A clients array of (name, key, value, policy or None) tuples."""
    out = []
    for name, key, value, policy in entries:
        e = {"name": name, key: value}
        if policy is not None:
            e["policy"] = policy
        out.append(e)
    return out


def log_lines(text, needle):
    """The lines of a log that contain needle."""
    return [l for l in text.splitlines() if needle in l]


def wait_unix(path, timeout=10, proc=None):
    """Poll until a connection to the Unix socket at path succeeds (the probe
    is closed at once); False after timeout seconds or if proc exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(1)
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()
    return False
