#!/usr/bin/python3
"""The listener's own Unix socket (inbound.path) and who may ask on it.  The
socket gets the configured mode and group; a stale socket file is replaced,
a live one is not, nor a file that is not a socket; the listener removes
the socket at exit, its children never do.  Real clients of different Unix
users (setpriv) each get their own entry of the clients table: moderator
tokens for the entry of the user running the test (root) and not for
nobody's, rooms limited per entry, a supplementary group matched, and a
user no entry lists turned away with one reply before its first request
is read.  SIGHUP reloads such a listener: the socket stays, the new
clients table applies."""

import grp
import os
import signal
import socket
import stat
import time

from adminlib import cas
from caslib import CAS_BIN, TAP, tempdir, write_config
from clientlib import (REFUSED, ask, log_lines, me_entry, me_logged, open_up,
                       refused_with, served, talk, turned_away, wait_unix,
                       why_no_other_users)
from netlib import Proc, skip, wait_for_text

NOGROUP = "nogroup"
# A group no file names: setpriv can still put a process in it.
STAFF_GID = 4242

POLICY = {"max_valid_for": 3600, "allow_moderator": False}
# Entry game is whoever runs the test; the first entry that matches wins,
# so it is still game when that is nobody.
ME_KEY, ME_VALUE = me_entry()
CLIENTS = [
    {"name": "game", ME_KEY: ME_VALUE,
     "policy": {"allow_moderator": True, "rooms": ["game-*"]}},
    {"name": "web", "uid": 65534, "policy": {"rooms": ["lobby"]}},
    {"name": "staff", "gid": STAFF_GID, "policy": {"max_valid_for": 60}},
]


def start(tmp, name, path, **inbound):
    """The program listening on path only; (proc, listening?)."""
    cfg = write_config(tmp, name=name + ".json", policy=POLICY, clients=CLIENTS,
                       inbound=dict(path=path, **inbound))
    proc = Proc([CAS_BIN, "-c", cfg], tmp, name)
    return proc, cfg, wait_unix(path, timeout=10, proc=proc)


def refused_within(path, timeout):
    """True once connecting to path is refused, polling up to timeout s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(0.05)
    return False


def check_file(t, path, mode, gid, what):
    st = os.lstat(path)
    t.ok(stat.S_ISSOCK(st.st_mode), "%s: a socket at inbound.path" % what)
    t.eq(oct(stat.S_IMODE(st.st_mode)), oct(mode), "%s: mode %o" % (what, mode))
    t.eq(st.st_gid, gid, "%s: group %d" % (what, gid))


def policies(t, path, proc):
    """Each user under its own entry, over real connections."""
    # root: the game's entry, moderators allowed in its rooms only.
    raw, err = talk(path, ask(1, channel="game-1", moderator=True) +
                    ask(2, channel="lobby"), replies=2)
    problem = err or served(raw, 1, room="game-1", moderator=True)
    if not t.ok(problem is None, "root: a moderator token for game-1, which "
                "PyJWT verifies"):
        t.diag(problem)
    problem = err or refused_with(raw, 2, "channel not allowed by policy")
    t.ok(problem is None, "root: lobby is not one of its entry's rooms") or \
        t.diag(problem)

    # nobody: the web entry, no moderators (inherited), lobby only.
    raw, err = talk(path, ask(1, channel="lobby", moderator=True) +
                    ask(2, channel="lobby") + ask(3, channel="game-1"),
                    replies=3, user="nobody", group=NOGROUP)
    problem = err or refused_with(raw, 1,
                                  "moderator tokens are not allowed by policy")
    t.ok(problem is None, "nobody: no moderator token, the top-level policy "
         "its entry inherits") or t.diag(problem)
    problem = err or served(raw, 2, room="lobby")
    t.ok(problem is None, "nobody: a member token for lobby") or t.diag(problem)
    problem = err or refused_with(raw, 3, "channel not allowed by policy")
    t.ok(problem is None, "nobody: game-1 is not one of its entry's rooms") or \
        t.diag(problem)

    # daemon, let in by the socket's group: no entry lists it.
    before = proc.stderr()
    raw, err = talk(path, b"", replies=5, user="daemon", group="daemon",
                    groups=[grp.getgrnam(NOGROUP).gr_gid])
    problem = err or turned_away(raw)
    t.ok(problem is None, "daemon, unlisted: one \"%s\" reply before it sent "
         "anything, then the end of the stream" % REFUSED) or t.diag(problem)
    raw, err = talk(path, ask(7, channel="lobby"), replies=5, user="daemon",
                    group="daemon", groups=[grp.getgrnam(NOGROUP).gr_gid])
    problem = err or turned_away(raw)
    t.ok(problem is None, "daemon, unlisted, with a request sent: still the "
         "one refusal without its seq: the request is never read") or \
        t.diag(problem)
    new = proc.stderr()[len(before):].decode("utf-8", "replace")
    lines = log_lines(new, "uid=1(daemon)")
    t.ok(len(lines) == 2 and all("refused: matches no entry of clients" in l
                                 for l in lines),
         "daemon: one log line per refused connection, naming the peer") or \
        t.diag(new)

    # daemon in the staff group too: a supplementary group matches.
    raw, err = talk(path, ask(1, validFor=600) + ask(2, validFor=30),
                    replies=2, user="daemon", group="daemon",
                    groups=[grp.getgrnam(NOGROUP).gr_gid, STAFF_GID])
    problem = err or refused_with(raw, 1, "validity exceeds the policy limit "
                                  "of 60 seconds")
    t.ok(problem is None, "daemon in group %d: the staff entry's limit" %
         STAFF_GID) or t.diag(problem)
    problem = err or served(raw, 2)
    t.ok(problem is None, "daemon in group %d: served within it" % STAFF_GID) \
        or t.diag(problem)

    log = proc.stderr().decode("utf-8", "replace")
    for who, name in ((me_logged(), "game"), ("uid=65534(nobody)", "web"),
                      ("uid=1(daemon) gid=1(daemon)", "staff")):
        lines = [l for l in log_lines(log, who) if "refused: matches" not in l]
        bad = [l for l in lines if ("client=%s %s" % (name, who)) not in l]
        t.ok(lines and not bad, "every log line of %s's connections names "
             "the entry %s and the peer" % (who.split()[0], name)) or \
            t.diag("\n".join(bad or lines))


def lifecycle(t, tmp, sockdir, why):
    path = os.path.join(sockdir, "cas.sock")
    proc, cfg, up = start(tmp, "unix", path, mode="0660", group=NOGROUP)
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and "inbound: (no TCP: inbound.path only)" in r.lines and
         "inbound.path: " + path in r.lines and "inbound.mode: 0660" in r.lines
         and "inbound.group: " + NOGROUP in r.lines,
         "check shows the socket's path, mode and group") or t.diag(repr(r))
    try:
        if not t.ok(up, "listens on inbound.path"):
            t.diag(proc.log_tail())
            return
        check_file(t, path, 0o660, grp.getgrnam(NOGROUP).gr_gid,
                   "mode 0660, group nogroup")
        ino = os.lstat(path).st_ino
        if why is None:
            policies(t, path, proc)
        else:
            skip(t, why)
        t.ok(os.path.exists(path), "children that served connections left "
             "the socket in place")

        # A second listener must not take a live socket over.
        second = Proc([CAS_BIN, "-c", cfg], tmp, "second")
        rc = second.wait(15)
        t.eq(rc, 71, "a second listener on the live socket exits 71")
        t.ok("another process listens on it" in
             second.stderr().decode("utf-8", "replace"),
             "... saying another process listens on it") or \
            t.diag(second.log_tail())
        second.stop()
        t.ok(os.lstat(path).st_ino == ino and proc.alive(),
             "the live socket is untouched and its listener goes on")
        raw, err = talk(path, ask(9, channel="game-2"))
        t.ok(err is None and served(raw, 9, room="game-2") is None,
             "the first listener still serves")

        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(10), 0, "SIGTERM: exit 0")
        t.ok(not os.path.lexists(path), "the socket file is removed at exit")
    finally:
        proc.stop()

    # A socket file nothing listens on, as a killed listener leaves it.
    old = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old.bind(path)
    old.close()
    # A second name keeps the old inode from being reused for the new socket.
    keep = os.path.join(tmp, "old.sock")
    os.link(path, keep)
    ino = os.lstat(path).st_ino
    proc, cfg, up = start(tmp, "stale", path)
    try:
        t.ok(up, "a stale socket file: listens all the same")
        t.ok(os.lstat(path).st_ino != ino, "... on a socket of its own")
        t.ok("replaced a stale socket" in proc.stderr().decode(),
             "... and says it replaced the stale one")
        check_file(t, path, 0o660, os.getgid(), "no mode or group given: "
                   "mode 0660, the listener's group")
        if why is None:
            raw, err = talk(path, ask(1), user="nobody", group=NOGROUP)
            t.ok(err is not None and "Permission denied" in err,
                 "mode 0660 of another group: nobody cannot connect at all")
        else:
            skip(t, why)
    finally:
        proc.stop()

    # Killed without its cleanup: the next start replaces what it left.
    proc, cfg, up = start(tmp, "killed", path)
    t.ok(up, "listens again")
    proc.signal(signal.SIGKILL)
    proc.wait(10)
    proc.stop()
    t.ok(os.path.lexists(path), "SIGKILL leaves the socket file behind")
    # Its spare processes die with it, but not in the same instant: the file
    # is stale only once nothing accepts on it any more.
    t.ok(refused_within(path, 10), "... and once its spares are gone, "
         "nothing listens on it")
    proc, cfg, up = start(tmp, "after-kill", path)
    try:
        t.ok(up, "the next start replaces it and listens")
    finally:
        proc.stop()

    # Not a socket: never removed.
    with open(path, "w") as f:
        f.write("keep me\n")
    proc, cfg, up = start(tmp, "file", path)
    rc = proc.wait(15)
    t.eq(rc, 78, "a regular file at inbound.path: exit 78")
    t.ok("exists and is not a socket" in proc.stderr().decode(),
         "... saying it is not a socket") or t.diag(proc.log_tail())
    with open(path) as f:
        t.eq(f.read(), "keep me\n", "... and the file is left alone")
    proc.stop()
    os.unlink(path)


def reloads(t, tmp, sockdir):
    """SIGHUP on a listener of inbound.path alone: it goes on, the socket
    stays where it was (a changed path is logged as needing a restart), the
    new clients table applies, and the socket is still removed at exit."""
    path = os.path.join(sockdir, "reload.sock")
    moved = os.path.join(sockdir, "moved.sock")
    proc, cfg, up = start(tmp, "reload", path)
    try:
        if not t.ok(up, "reload: listens on inbound.path"):
            t.diag(proc.log_tail())
            return
        proc.signal(signal.SIGHUP)
        t.ok(wait_for_text(proc.err_path, "reloaded", 10, proc) and proc.alive(),
             "reload: SIGHUP with the file unchanged: reloaded, still running") \
            or t.diag(proc.log_tail())
        raw, err = talk(path, ask(1, channel="game-1", moderator=True))
        t.ok(err is None and served(raw, 1, room="game-1", moderator=True) is None,
             "reload: still serves the game entry on the socket")
        clients = [dict(CLIENTS[0], policy={"rooms": ["game-*"]})] + CLIENTS[1:]
        write_config(tmp, name="reload.json", policy=POLICY, clients=clients,
                     inbound={"path": moved})
        mark = len(proc.stderr())
        proc.signal(signal.SIGHUP)
        wait_for_text(proc.err_path, "still listening on", 10, proc)
        log = proc.stderr()[mark:].decode("utf-8", "replace")
        t.ok("inbound changed: that needs a restart; still listening on %s"
             % path in log, "reload: a changed inbound.path is logged as "
             "needing a restart") or t.diag(proc.log_tail())
        t.ok(not os.path.lexists(moved), "reload: ... and nothing is made there")
        raw, err = talk(path, ask(2, channel="game-1", moderator=True))
        t.ok(err is None and refused_with(raw, 2, "moderator tokens are not "
             "allowed by policy") is None,
             "reload: the new clients table applies on the old socket") \
            or t.diag(repr((raw, err)))
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(10), 0, "reload: SIGTERM: exit 0")
        t.ok(not os.path.lexists(path), "reload: the socket file is still "
             "removed at exit")
    finally:
        proc.stop()


def main(t):
    why = why_no_other_users()
    with tempdir() as tmp:
        sockdir = os.path.join(tmp, "run")
        os.mkdir(sockdir)
        open_up(os.path.join(sockdir, "x"))
        lifecycle(t, tmp, sockdir, why)
        reloads(t, tmp, sockdir)


if __name__ == "__main__":
    TAP().run(main)
