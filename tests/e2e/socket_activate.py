#!/usr/bin/python3
"""Sockets handed over by systemd (run here with systemd-socket-activate):
Accept=yes with the connection on stdin/stdout (-i, inetd style), Accept=yes
with the connected socket as fd 3 ($LISTEN_FDS), and Accept=no with a
listening socket the program accepts on, forking a child per connection
(spare processes off and on).  Also what the units rely on: sd_notify readiness (Type=notify) and the
secret handed over as a credential (LoadCredential=jwt-secret:...)."""

import os
import shutil
import signal
import socket

from caslib import OMIT, SECRET, CAS_BIN, TAP, child_env, tempdir, write_config
from netlib import (SPARE_SETTINGS, NotifySocket, Proc, check_serving,
                    free_port, one_shot, skip, wait_for_text)

HOST = "127.0.0.1"


def start(tmp, name, sa_args, cas_args, env=None):
    """systemd-socket-activate on a free loopback port; returns (Proc, port)
    once it listens, or (Proc, None)."""
    port = free_port(HOST)
    argv = (["systemd-socket-activate"] + sa_args +
            ["-l", "%s:%d" % (HOST, port), CAS_BIN] + cas_args)
    proc = Proc(argv, tmp, name, env=env)
    # systemd-socket-activate says so once the socket is bound.
    if not wait_for_text(proc.err_path, "Listening on", timeout=10, proc=proc):
        return proc, None
    return proc, port


def scenario(t, tmp, what, name, sa_args, cas_args, stdout_must_be_empty,
             extra=None):
    proc, port = start(tmp, name, sa_args, cas_args)
    try:
        if not t.ok(port is not None, "%s: systemd-socket-activate listens" % what):
            t.diag(proc.log_tail())
            return
        check_serving(t, what, proc, HOST, port, count=150, time_limit=90)
        t.ok(proc.alive(), "%s: still running afterwards" % what)
        if stdout_must_be_empty:
            # The protocol goes to the passed socket only: nothing on stdout.
            t.eq(proc.stdout(), b"", "%s: nothing written to stdout" % what)
        if extra is not None:
            extra()
    finally:
        proc.stop()


def notify_checks(t, tmp, spares):
    """Accept=no as chat-admin-server-listener.service runs it (Type=notify):
    READY=1 once it accepts, STOPPING=1 and exit 0 on SIGTERM."""
    cfg = write_config(tmp, name="notify%d.json" % spares,
                       limits={"spare_processes": spares})
    what = "notify, spares %d" % spares
    notify = NotifySocket(tmp)
    try:
        # systemd-socket-activate passes only what -E names on to the program.
        proc, port = start(tmp, "notify%d" % spares, ["-E", "NOTIFY_SOCKET"],
                           ["-c", cfg], env=notify.env())
        try:
            if not t.ok(port is not None, "%s: systemd-socket-activate listens" % what):
                t.diag(proc.log_tail())
                return
            # systemd-socket-activate starts the program on the first
            # connection (as systemd does for an Accept=no socket).
            t.ok(one_shot(HOST, port) is None, "%s: first connection served" % what)
            t.ok(notify.wait_for("READY=1", 5), "%s: READY=1 sent" % what)
            t.ok(any(l.startswith("STATUS=") for l in notify.lines),
                 "%s: a STATUS= line sent" % what)
            # Without -a the program replaced systemd-socket-activate: same pid.
            proc.signal(signal.SIGTERM)
            t.ok(notify.wait_for("STOPPING=1", 5), "%s: STOPPING=1 on SIGTERM" % what)
            t.eq(proc.wait(8), 0, "%s: exit 0 after SIGTERM" % what)
        finally:
            proc.stop()
    finally:
        notify.close()


def credential_checks(t, tmp):
    """The units' LoadCredential=jwt-secret: with no secret in the config the
    program signs with $CREDENTIALS_DIRECTORY/jwt-secret."""
    creds = os.path.join(tmp, "credentials")
    os.mkdir(creds, 0o700)
    cfg = write_config(tmp, name="nosecret.json", jwt={"secret": OMIT})
    for what, content in (("credential", SECRET),
                          ("credential with a trailing newline", SECRET + "\n")):
        path = os.path.join(creds, "jwt-secret")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o400)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        env = child_env()
        env["CREDENTIALS_DIRECTORY"] = creds
        proc, port = start(tmp, "cred", ["--inetd", "-a", "-E",
                                         "CREDENTIALS_DIRECTORY"],
                           ["-i", "-c", cfg], env=env)
        try:
            if not t.ok(port is not None, "%s: systemd-socket-activate listens"
                        % what):
                t.diag(proc.log_tail())
                continue
            problem = one_shot(HOST, port)
            if not t.ok(problem is None, "%s: tokens signed with the "
                        "credential's secret" % what):
                t.diag(problem)
                t.diag(proc.log_tail())
        finally:
            proc.stop()
        os.unlink(path)


def accept_no(t, tmp, spares):
    """Accept=no: the program accepts on the listening socket itself. The
    config also names an inbound and an outbound address: the passed
    socket takes precedence, so neither may be used."""
    what = "Accept=no, spares %d" % spares
    unused_in = free_port(HOST)
    game = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        game.bind((HOST, 0))
        game.listen(4)
        cfg = write_config(tmp, name="both%d.json" % spares,
                           inbound={"host": HOST, "port": unused_in},
                           outbound={"host": HOST,
                                     "port": game.getsockname()[1]},
                           limits={"spare_processes": spares})

        def not_used():
            t.ok(one_shot(HOST, unused_in, timeout=2) is not None,
                 "%s: the config's inbound address is not listened on" % what)
            game.settimeout(1.5)
            try:
                c, _ = game.accept()
                c.close()
                connected = True
            except socket.timeout:
                connected = False
            t.ok(not connected,
                 "%s: no connection to the config's outbound address" % what)

        scenario(t, tmp, what, "listen%d" % spares, [], ["-c", cfg],
                 stdout_must_be_empty=True, extra=not_used)
    finally:
        game.close()


def main(t):
    if not shutil.which("systemd-socket-activate"):
        skip(t, "systemd-socket-activate not installed")
        return
    with tempdir() as tmp:
        cfg = write_config(tmp)
        # Accept=yes, StandardInput=socket: the connection on stdin/stdout.
        scenario(t, tmp, "Accept=yes --inetd -i", "inetd", ["--inetd", "-a"],
                 ["-i", "-c", cfg], stdout_must_be_empty=False)
        # Accept=yes without --inetd: the connected socket as fd 3.
        scenario(t, tmp, "Accept=yes fd 3", "fd3", ["-a"], ["-c", cfg],
                 stdout_must_be_empty=True)
        # Accept=no, as the listener service runs it, spares off and on.
        for spares in SPARE_SETTINGS:
            accept_no(t, tmp, spares)
            notify_checks(t, tmp, spares)
        credential_checks(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
