#!/usr/bin/python3
"""Unix sockets passed by systemd (run here with systemd-socket-activate -l
PATH): Accept=yes with the connection on stdin/stdout (--inetd -a, the
program with -i), Accept=yes with the connection as fd 3 (-a), and Accept=no
with the listening socket (the program accepts and forks).  In each, real
clients of different users (setpriv) are served under their own entry of
the clients table and an unlisted one is turned away; the config's own
inbound.path is not used when systemd passes a socket."""

import os
import shutil

from caslib import CAS_BIN, TAP, tempdir, write_config
from clientlib import (ask, open_up, refused_with, served, talk, turned_away,
                       why_no_other_users)
from netlib import Proc, skip, wait_for_text

POLICY = {"allow_moderator": False}
CLIENTS = [
    {"name": "game", "user": "root",
     "policy": {"allow_moderator": True, "rooms": ["game-*"]}},
    {"name": "web", "user": "nobody", "policy": {"rooms": ["lobby"]}},
]


def scenario(t, tmp, what, name, sa_args, cas_args, why):
    path = os.path.join(tmp, "run", name + ".sock")
    proc = Proc(["systemd-socket-activate"] + sa_args + ["-l", path, CAS_BIN] +
                cas_args, tmp, name)
    try:
        if not t.ok(wait_for_text(proc.err_path, "Listening on", 10, proc),
                    "%s: systemd-socket-activate listens on a path" % what):
            t.diag(proc.log_tail())
            return
        # What SocketMode=0666 would do: every user may connect.
        os.chmod(path, 0o666)
        raw, err = talk(path, ask(1, channel="game-1", moderator=True) +
                        ask(2, channel="lobby"), replies=2)
        problem = err or served(raw, 1, room="game-1", moderator=True)
        t.ok(problem is None, "%s: root, entry game: a moderator token" % what) \
            or t.diag(problem)
        problem = err or refused_with(raw, 2, "channel not allowed by policy")
        t.ok(problem is None, "%s: root: not lobby" % what) or t.diag(problem)
        if why is not None:
            skip(t, why)
            return
        raw, err = talk(path, ask(1, channel="lobby", moderator=True) +
                        ask(2, channel="lobby"), replies=2, user="nobody",
                        group="nogroup")
        problem = err or refused_with(raw, 1, "moderator tokens are not "
                                      "allowed by policy")
        t.ok(problem is None, "%s: nobody, entry web: no moderator token" %
             what) or t.diag(problem)
        problem = err or served(raw, 2, room="lobby")
        t.ok(problem is None, "%s: nobody: a token for lobby" % what) or \
            t.diag(problem)
        raw, err = talk(path, ask(1), replies=3, user="daemon", group="daemon")
        problem = err or turned_away(raw)
        t.ok(problem is None, "%s: daemon, unlisted: turned away" % what) or \
            t.diag(problem)
        log = proc.stderr().decode("utf-8", "replace")
        t.ok("client=web uid=65534(nobody)" in log and
             "uid=1(daemon) gid=1(daemon) pid=" in log,
             "%s: the log names each peer by its credentials" % what) or \
            t.diag(log)
    finally:
        proc.stop()


def main(t):
    if not shutil.which("systemd-socket-activate"):
        skip(t, "systemd-socket-activate not installed")
        return
    why = why_no_other_users()
    with tempdir() as tmp:
        os.mkdir(os.path.join(tmp, "run"))
        open_up(os.path.join(tmp, "run", "x"))
        unused = os.path.join(tmp, "run", "config.sock")
        cfg = write_config(tmp, policy=POLICY, clients=CLIENTS,
                           inbound={"path": unused})
        scenario(t, tmp, "Accept=yes --inetd -i", "inetd", ["--inetd", "-a"],
                 ["-i", "-c", cfg], why)
        scenario(t, tmp, "Accept=yes fd 3", "fd3", ["-a"], ["-c", cfg], why)
        scenario(t, tmp, "Accept=no", "listen", [], ["-c", cfg], why)
        t.ok(not os.path.lexists(unused),
             "with a socket from systemd the config's inbound.path is not used")


if __name__ == "__main__":
    TAP().run(main)
