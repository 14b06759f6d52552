#!/usr/bin/python3
"""Unix sockets passed by systemd (run here with systemd-socket-activate -l
PATH): Accept=yes with the connection on stdin/stdout (--inetd -a, the
program with -i), Accept=yes with the connection as fd 3 (-a), and Accept=no
with the listening socket (the program accepts and forks).  In each, real
clients of different users (setpriv) are served under their own entry of
the clients table and an unlisted one is turned away; the config's own
inbound.path is not used when systemd passes a socket.  Last, the worked
example of chat-admin-server(8) as an operator would follow it: the Unix
socket unit pair of contrib/systemd and the example's configuration, the
game's user played by nobody and its group by nogroup."""

import grp
import json
import os
import re
import shutil

from caslib import APP_ID, CAS_BIN, SECRET, TAP, tempdir, write_config
from clientlib import (ask, me_entry, me_name, open_up, refused_with, served,
                       talk, turned_away, why_no_other_users)
from netlib import TOP, Proc, skip, wait_for_text

POLICY = {"allow_moderator": False}
# Entry game is whoever runs the test (root in CI's main run); the first
# entry that matches wins, so it is still game when that is nobody.
ME_KEY, ME_VALUE = me_entry()
ME = me_name()
CLIENTS = [
    {"name": "game", ME_KEY: ME_VALUE,
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
        t.ok(problem is None, "%s: %s, entry game: a moderator token"
             % (what, ME)) or t.diag(problem)
        problem = err or refused_with(raw, 2, "channel not allowed by policy")
        t.ok(problem is None, "%s: %s: not lobby" % (what, ME)) or \
            t.diag(problem)
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


def unit(name):
    """{key: [values]} of a contrib/systemd unit, or of its .in template
    with the paths of a Debian package; sections ignored."""
    out = {}
    path = os.path.join(TOP, "contrib", "systemd", name)
    if os.path.exists(path + ".in"):
        path += ".in"
    with open(path) as f:
        text = f.read().replace("@sbindir@", "/usr/sbin").replace(
            "@sysconfdir@", "/etc")
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "[")):
                k, _, v = line.partition("=")
                out.setdefault(k, []).append(v)
    return out


def example_config():
    """The configuration of the man page's worked example: the literal
    block of chat-admin-server(8) that is JSON and has a clients table."""
    with open(os.path.join(TOP, "man", "chat-admin-server.8")) as f:
        page = f.read()
    for block in re.findall(r"(?ms)^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", page):
        try:
            cfg = json.loads(block)
        except ValueError:
            continue
        if isinstance(cfg, dict) and "clients" in cfg:
            return cfg
    return None


def worked_example(t, tmp, why):
    sock, svc = unit("chat-admin-server-unix.socket"), \
        unit("chat-admin-server-unix.service")
    cfg = example_config()
    if not t.ok(cfg is not None, "chat-admin-server(8) has the worked "
                "example's configuration"):
        return
    if why is not None:
        skip(t, why)
        return
    game_user, game_group = cfg["clients"][0]["user"], sock["SocketGroup"][0]
    t.eq(game_user, game_group, "the example's user and the unit's "
         "SocketGroup are the game's")
    cfg["clients"][0]["user"] = "nobody"
    cfg["jwt"].update(app_id=APP_ID, secret=SECRET)
    path = write_config(tmp, name="example.json", text=json.dumps(cfg))
    argv = svc["ExecStart"][0].split()
    t.eq(argv[1:], ["-c", "/etc/chat-admin-server.json"],
         "the unit runs the program with -c /etc/chat-admin-server.json")
    sockpath = os.path.join(tmp, "run", "example.sock")
    t.eq(sock["ListenStream"], ["/run/chat-admin-server/socket"],
         "the unit's socket is /run/chat-admin-server/socket")
    proc = Proc(["systemd-socket-activate", "-l", sockpath, CAS_BIN, "-c",
                 path], tmp, "example")
    try:
        if not t.ok(wait_for_text(proc.err_path, "Listening on", 10, proc),
                    "example: systemd-socket-activate listens"):
            t.diag(proc.log_tail())
            return
        # What systemd does with SocketMode= and SocketGroup=.
        os.chown(sockpath, 0, grp.getgrnam("nogroup").gr_gid)
        os.chmod(sockpath, int(sock["SocketMode"][0], 8))
        nogroup = grp.getgrnam("nogroup").gr_gid
        raw, err = talk(sockpath, ask(1, channel="game-1", moderator=True) +
                        ask(2, channel="lobby", moderator=True) +
                        ask(3, channel="hall"), replies=3, user="nobody",
                        group="nogroup")
        problem = err or served(raw, 1, room="game-1", moderator=True) or \
            served(raw, 2, room="lobby", moderator=True)
        t.ok(problem is None, "example: the game's user gets moderator "
             "tokens for its rooms") or t.diag(problem)
        problem = err or refused_with(raw, 3, "channel not allowed by policy")
        t.ok(problem is None, "example: and none for another room") or \
            t.diag(problem)
        raw, err = talk(sockpath, ask(1), replies=3, user="daemon",
                        group="daemon", groups=[nogroup])
        problem = err or turned_away(raw)
        t.ok(problem is None, "example: another user of the group: turned "
             "away") or t.diag(problem)
        raw, err = talk(sockpath, ask(1), replies=3)
        problem = err or turned_away(raw)
        t.ok(problem is None, "example: root: turned away") or t.diag(problem)
        raw, err = talk(sockpath, ask(1), user="daemon", group="daemon")
        t.ok(err is not None and "Permission denied" in err,
             "example: a user outside the group cannot connect at all")
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
        worked_example(t, tmp, why)


if __name__ == "__main__":
    TAP().run(main)
