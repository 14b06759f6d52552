#!/usr/bin/python3
"""The clients table from the shell: on a pipe the client is the user running
the program, and so it is for the token and verify subcommands, run here as
the user running the test (entry ops: root in CI's main run) and, as root,
as nobody and daemon (setpriv); token --client tries a named entry's
powers.  check prints the table and warns about it; broken entries stop the
program with the file and key named; without a clients key everyone is
served under the top-level policy, as before."""

import os

from caslib import CAS_BIN, SECRET, TAP, child_env, decode, tempdir, write_config
from clientlib import (REFUSED, ask, me_entry, me_logged, me_name,
                       open_up, refused_with, served, setpriv_argv,
                       turned_away, why_no_other_users)
from adminlib import Run, cas
from netlib import skip

import subprocess

POLICY = {"allow_moderator": False}
# Entry ops is whoever runs the test; the first entry that matches wins, so
# it is still ops when that is nobody.
ME_KEY, ME_VALUE = me_entry()
ME = me_name()
CLIENTS = [
    {"name": "ops", ME_KEY: ME_VALUE, "policy": {"allow_moderator": True}},
    {"name": "web", "uid": 65534, "policy": {"rooms": ["lobby"]}},
]
AS = {
    "nobody": ("nobody", "nogroup"),
    "daemon": ("daemon", "daemon"),
}


def run_as(who, cfg, *args, stdin=b""):
    """The program run as who (None: the user running the test) with -c
    cfg and args."""
    argv = [CAS_BIN, "-c", cfg] + list(args)
    if who is not None:
        argv = setpriv_argv(*AS[who]) + argv
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=child_env())
    try:
        out, err = p.communicate(stdin, timeout=30)
        return Run(p.returncode, out, err)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return Run(None, out, err)


def readable_config(tmp, name, **sections):
    """A config every user can read (and that draws the warning saying so)."""
    path = write_config(tmp, name=name, **sections)
    os.chmod(path, 0o644)
    return path


def pipes(t, cfg, why):
    r = run_as(None, cfg, stdin=ask(1, moderator=True))
    problem = served(r.out.encode(), 1, moderator=True)
    t.ok(r.rc == 0 and problem is None, "pipe as %s: entry ops, a moderator "
         "token" % ME) or t.diag(problem or repr(r))
    t.ok("client=ops stdin %s: token for" % me_logged() in r.err,
         "pipe as %s: the log names the entry and the user" % ME) or \
        t.diag(r.err)
    if why is not None:
        skip(t, why)
        return
    r = run_as("nobody", cfg, stdin=ask(1, moderator=True) + ask(2) +
               ask(3, channel="hall"))
    raw = r.out.encode()
    t.ok(r.rc == 0 and refused_with(raw, 1, "moderator tokens are not allowed "
                                    "by policy") is None and
         served(raw, 2) is None and
         refused_with(raw, 3, "channel not allowed by policy") is None,
         "pipe as nobody: entry web's policy") or t.diag(repr(r))
    r = run_as("daemon", cfg, stdin=ask(1) + ask(2))
    problem = turned_away(r.out.encode())
    t.ok(r.rc == 0 and problem is None, "pipe as daemon, unlisted: one \"%s\" "
         "reply, exit 0" % REFUSED) or t.diag(problem or repr(r))
    t.ok("stdin uid=1(daemon) gid=1(daemon): refused: matches no entry of "
         "clients" in r.err, "pipe as daemon: the log line names the user") or \
        t.diag(r.err)


def token_checks(t, cfg, why):
    r = run_as(None, cfg, "token", "--room", "game-1", "--name", "Ann",
               "--moderator")
    ok = r.rc == 0 and len(r.lines) == 1
    if ok:
        try:
            ok = decode(r.last).get("moderator") is True
        except Exception:
            ok = False
    t.ok(ok, "token as %s: entry ops mints a moderator token" % ME) or \
        t.diag(repr(r))
    r = run_as(None, cfg, "token", "--room", "game-1", "--name", "Ann",
               "--moderator", "--client", "web")
    t.ok(r.rc == 1 and r.out == "" and
         "moderator tokens are not allowed by policy" in r.err,
         "token --client web as %s: that entry's policy refuses" % ME) or \
        t.diag(repr(r))
    r = run_as(None, cfg, "token", "--room", "lobby", "--name", "Ann",
               "--client", "web")
    t.ok(r.rc == 0 and len(r.lines) == 1, "token --client web: lobby is "
         "served") or t.diag(repr(r))
    r = run_as(None, cfg, "token", "--room", "lobby", "--name", "Ann",
               "--client", "nosuch")
    t.ok(r.rc == 64 and r.out == "" and
         'no entry of clients is named "nosuch"' in r.err,
         "token --client with an unknown name: usage error 64") or \
        t.diag(repr(r))
    if why is not None:
        skip(t, why)
        return
    r = run_as("nobody", cfg, "token", "--room", "lobby", "--name", "Ann",
               "--moderator")
    t.ok(r.rc == 1 and r.out == "" and
         "moderator tokens are not allowed by policy" in r.err,
         "token as nobody: entry web refuses a moderator token") or \
        t.diag(repr(r))
    r = run_as("nobody", cfg, "token", "--room", "lobby", "--name", "Ann")
    t.ok(r.rc == 0 and len(r.lines) == 1, "token as nobody: lobby served") or \
        t.diag(repr(r))
    r = run_as("daemon", cfg, "token", "--room", "lobby", "--name", "Ann")
    t.ok(r.rc == 1 and r.out == "" and REFUSED in r.err and
         "uid=1(daemon)" in r.err,
         "token as daemon, unlisted: refused, exit 1, the user named") or \
        t.diag(repr(r))


def verify_checks(t, cfg, why):
    tok = cas(cfg, "token", "--room", "lobby", "--name", "Ann").last
    r = run_as(None, cfg, "verify", tok)
    t.ok(r.rc == 0 and r.last == "valid", "verify as %s: valid" % ME) or \
        t.diag(repr(r))
    if why is not None:
        skip(t, why)
        return
    r = run_as("nobody", cfg, "verify", tok)
    t.ok(r.rc == 0 and r.last == "valid", "verify as nobody: valid") or \
        t.diag(repr(r))
    r = run_as("daemon", cfg, "verify", tok)
    t.ok(r.rc == 1 and r.out == "" and REFUSED in r.err,
         "verify as daemon, unlisted: refused like a connection, exit 1") or \
        t.diag(repr(r))


def no_table(t, tmp, why):
    """The earlier behaviour: no clients key, everyone under policy."""
    cfg = readable_config(tmp, "open.json")
    if why is not None:
        skip(t, why)
        return
    r = run_as("daemon", cfg, stdin=ask(1, moderator=True))
    t.ok(r.rc == 0 and served(r.out.encode(), 1, moderator=True) is None,
         "no clients key: any user is served under the top-level policy") or \
        t.diag(repr(r))
    t.ok("stdin uid=1(daemon) gid=1(daemon): token for" in r.err,
         "no clients key: the log names the user") or t.diag(r.err)
    r = run_as("daemon", cfg, "token", "--room", "x", "--name", "y")
    t.ok(r.rc == 0 and len(r.lines) == 1, "no clients key: token as any user")


def check_checks(t, tmp, cfg):
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and r.last == "configuration OK", "check: exit 0")
    for line in ("clients[0].name: ops",
                 "clients[0].%s: %s" % (ME_KEY, ME_VALUE),
                 "clients[0].policy.allow_moderator: true",
                 "clients[0].policy.rooms: (any room)",
                 "clients[1].name: web", "clients[1].uid: 65534",
                 "clients[1].policy.allow_moderator: false",
                 "clients[1].policy.rooms: lobby",
                 "policy.allow_moderator: false"):
        t.ok(line in r.lines, "check prints %s" % line) or t.diag(r.out)
    t.ok("clients[0].policy allows moderator tokens for every room" in r.err
         and "clients[1].policy allows" not in r.err,
         "check warns about the entry whose policy allows moderators "
         "everywhere") or t.diag(r.err)
    t.ok(SECRET not in r.out + r.err, "check: the secret is not shown")

    path = write_config(tmp, name="odd.json", clients=[
        {"name": "ghost", "user": "no-such-user-cas"},
        {"name": "crowd", "group": "no-such-group-cas"}])
    r = cas(path, "check")
    t.ok(r.rc == 0 and 'clients[0].user: no user "no-such-user-cas"' in r.err
         and 'clients[1].group: no group "no-such-group-cas"' in r.err,
         "check warns about a user or group this system does not know") or \
        t.diag(repr(r))
    t.ok("odd.json: policy allows moderator tokens" not in r.err and
         "odd.json: clients[0].policy allows moderator tokens" in r.err,
         "with a clients table the entries' policies are warned about, not "
         "the top-level one they inherit from") or t.diag(r.err)
    path = write_config(tmp, name="empty.json", clients=[])
    r = cas(path, "check")
    t.ok(r.rc == 0 and "clients is empty: every connection is refused" in r.err
         and "clients: (empty: every connection is refused)" in r.lines,
         "an empty table: check says everyone is refused") or t.diag(repr(r))
    path = write_config(tmp, name="plain.json",
                        outbound={"host": "127.0.0.1", "port": 11091,
                                  "policy": {"rooms": ["game-*"]}})
    r = cas(path, "check")
    t.ok("clients: (none: every peer is served under policy)" in r.lines and
         "outbound.policy.rooms: game-*" in r.lines and
         "outbound.policy.max_valid_for: 86400" in r.lines,
         "no table: said so; outbound.policy printed with what it inherits") \
        or t.diag(repr(r))


def config_errors(t, tmp):
    for clients, message in (
            ([{"uid": 0}], "clients[0].name: missing"),
            ([{"name": "a"}], "clients[0]: give exactly one of user, uid, "
             "group, gid and address"),
            ([{"name": "a", "address": "127.0.0.1/8"}],
             "clients[0].address: has bits set beyond its prefix length"),
            ([{"name": "a", "uid": 0, "policy": {"rooms": "lobby"}}],
             "clients[0].policy.rooms: must be an array of strings"),
            ({"name": "a"}, "clients: must be an array of objects")):
        path = write_config(tmp, name="bad.json", clients=clients)
        r = cas(path, stdin=ask(1))
        t.ok(r.rc == 78 and r.out == "" and "bad.json: " + message in r.err,
             "exit 78, the file and the key named: %s" % message) or \
            t.diag(repr(r))
    path = write_config(tmp, name="typo.json",
                        clients=[{"name": "a", "uid": 0, "polcy": {}}])
    r = cas(path, "check")
    t.ok(r.rc == 0 and 'unknown key "clients[0].polcy" ignored' in r.err,
         "a misspelt key of an entry is warned about") or t.diag(repr(r))


def main(t):
    why = why_no_other_users()
    with tempdir() as tmp:
        open_up(os.path.join(tmp, "x"))
        cfg = readable_config(tmp, "clients.json", policy=POLICY,
                              clients=CLIENTS)
        pipes(t, cfg, why)
        token_checks(t, cfg, why)
        verify_checks(t, cfg, why)
        no_table(t, tmp, why)
        check_checks(t, tmp, cfg)
        config_errors(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
