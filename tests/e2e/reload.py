#!/usr/bin/python3
"""SIGHUP reloads the listener and the outbound link, as sshd and nginx do:
the configuration and the secret are read again; connections already open
keep the old secret, new ones get the new one (spare processes off and on,
own sockets and systemd's); the game link stays the same TCP connection, a
request half sent across the reload is answered, and its next tokens use the
new secret; a port change moves the link; a listener on a Unix socket alone
reloads too, keeps its socket when inbound.path changes and removes it at
exit; a configuration that does not
load changes nothing and is logged; systemd hears RELOADING=1 (with
MONOTONIC_USEC=), READY=1 and a STATUS= line.  Serving standard input,
SIGHUP still ends the program.  Tokens are checked with PyJWT against the
old and the new secret; the secret is read again from a secret file or
the systemd credential, and a new algorithm gets a new signer."""

import os
import signal
import socket

from caslib import (CAS_BIN, OMIT, SECRET, TAP, Filter, decode, request,
                    split_responses, tempdir, write_config)
from netlib import (NUL_TERM, Conn, NotifySocket, Proc, free_port, ok_seen,
                    seen, skip, spares_of, wait_connectable, wait_for_text,
                    wait_settled)
from outbound import FakeGame

HOST = "127.0.0.1"
OLD = SECRET
NEW = "Zr8mW2qLx5Tn0Vb7Kc3Hy9Pd4Fs6Gj1AeUoQiRwE"
assert len(NEW) == 40 and NEW != OLD


def signed_with(token):
    """"old" or "new": the secret PyJWT verifies token with; None if
    neither (or no token)."""
    if not token:
        return None
    for name, key in (("old", OLD), ("new", NEW)):
        try:
            decode(token, secret=key)
            return name
        except Exception:  # any PyJWT refusal
            pass
    return None


def ask(conn, seq, timeout=10):
    """One request on conn; the secret its token is signed with, or what
    went wrong."""
    try:
        conn.send(request(seq=seq) + b"\0")
        raw = conn.read_until(NUL_TERM, timeout)
    except OSError as e:
        return "socket error: %s" % e
    if raw is None:
        return "no reply"
    r = split_responses(raw)[0]
    if r.get("seq") != seq or r.get("success") is not True:
        return "reply %r" % raw[:200]
    return signed_with(r.get("token")) or "a token neither secret verifies"


def fresh(port, seq):
    """A new connection's token: "old", "new" or what went wrong."""
    try:
        conn = Conn(HOST, port)
    except OSError as e:
        return "connect: %s" % e
    try:
        return ask(conn, seq)
    finally:
        conn.close()


def reloaded(t, what, proc, notify, timeout=10):
    """SIGHUP proc; the notify messages RELOADING=1 then READY=1 must follow.
    Returns the STATUS= sent with READY=1 (or None)."""
    start = len(notify.messages)
    proc.signal(signal.SIGHUP)
    rel = notify.wait_message(lambda m: "RELOADING=1" in m, timeout, start)
    if not t.ok(rel is not None and
                any(l.startswith("MONOTONIC_USEC=") and l[15:].isdigit()
                    for l in rel),
                "%s: SIGHUP: RELOADING=1 with MONOTONIC_USEC=" % what):
        t.diag("messages: %r" % notify.messages[start:])
        t.diag(proc.log_tail())
        return None
    after = notify.messages.index(rel) + 1
    ready = notify.wait_message(lambda m: "READY=1" in m, timeout, after)
    if not t.ok(ready is not None, "%s: then READY=1" % what):
        t.diag("messages: %r" % notify.messages[start:])
        t.diag(proc.log_tail())
        return None
    return next((l[len("STATUS="):] for l in ready
                 if l.startswith("STATUS=")), None)


def listener_config(tmp, name, port, secret, **more):
    return write_config(tmp, name=name + ".json",
                        inbound={"host": HOST, "port": port},
                        jwt={"secret": secret}, **more)


def started(t, desc, notify, proc, port=None):
    """Check (as desc) that proc sent READY=1 and, with a port, takes
    connections there; the log on failure.  Whether it did."""
    up = notify.wait_for("READY=1", 10) and \
        (port is None or wait_connectable(HOST, port, 10, proc))
    if not t.ok(up, desc):
        t.diag(proc.log_tail())
    return up


def rotate_listener(t, tmp, spares):
    what = "listener, spares %d" % spares
    port = free_port(HOST)
    limits = {"spare_processes": spares}
    cfg = listener_config(tmp, "rot%d" % spares, port, OLD, limits=limits)
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "rot%d" % spares,
                env=notify.env())
    held = None
    try:
        if not started(t, "%s: starts, READY=1" % what, notify, proc, port):
            return
        held = Conn(HOST, port)
        t.eq(ask(held, 1), "old", "%s: a connection gets the old secret" % what)
        wait_settled(proc.pid, spares, timeout=5, busy=1)
        before = seen(lambda: set(spares_of(proc.pid)))
        listener_config(tmp, "rot%d" % spares, port, NEW, limits=limits)
        status = reloaded(t, what, proc, notify)
        if not t.ok(status is not None and "configuration reloaded" in status,
                    "%s: STATUS= says the configuration was reloaded" % what):
            t.diag("STATUS=%r" % status)
        t.eq(ask(held, 2), "old", "%s: the connection open across the "
             "reload keeps the old secret" % what)
        t.eq(fresh(port, 3), "new", "%s: a new connection gets the new "
             "secret" % what)
        t.eq(ask(held, 4), "old", "%s: the open connection still has the "
             "old one" % what)
        for i in range(5):
            got = fresh(port, 10 + i)
            if got != "new":
                break
        t.eq(got, "new", "%s: five more new connections: all the new "
             "secret" % what)
        if spares:
            kids, after, fine = wait_settled(proc.pid, spares, timeout=5,
                                             busy=1)
            if ok_seen(t, fine and not (set(after) & before),
                       "%s: %d fresh spares, none of the old ones left"
                       % (what, spares)) is False:
                t.diag("before %r, after %r, children %r"
                       % (before and sorted(before), after, kids))
        log = proc.stderr()
        t.ok(b"reloaded " + cfg.encode() in log,
             "%s: the log says the configuration was reloaded" % what)
        t.ok(OLD.encode() not in log and NEW.encode() not in log,
             "%s: neither secret in the log" % what)
        held.close()
        held = None
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(10), 0, "%s: SIGTERM after the reload: exit 0" % what)
    finally:
        if held is not None:
            held.close()
        proc.stop()
        notify.close()


def broken_configs(t, tmp):
    """A reload that fails keeps what is in force, and says why."""
    what = "broken config"
    port = free_port(HOST)
    cfg = listener_config(tmp, "broken", port, OLD)
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "broken", env=notify.env())
    try:
        if not started(t, "%s: listener starts" % what, notify, proc, port):
            return
        missing = os.path.join(tmp, "no-such-secret")
        cases = (
            ("bad JSON", '{ "jitsi": { "domain": "meet.jitsi" }, "jwt": '
             '{ "app_id": "skotos", "secret": "%s" },\n' % NEW,
             "malformed JSON"),
            ("missing secret file", None, missing),
        )
        for name, text, problem in cases:
            if text is None:
                write_config(tmp, name="broken.json",
                             inbound={"host": HOST, "port": port},
                             jwt={"secret": OMIT, "secret_file": missing})
            else:
                write_config(tmp, name="broken.json", text=text)
            mark = len(proc.stderr())
            status = reloaded(t, "%s (%s)" % (what, name), proc, notify)
            if not t.ok(status is not None and "reload failed" in status and
                        cfg in status and problem in status,
                        "%s (%s): STATUS= says the reload failed, naming the "
                        "file and the problem" % (what, name)):
                t.diag("STATUS=%r" % status)
            log = proc.stderr()[mark:].decode("utf-8", "replace")
            if not t.ok("reload failed" in log and cfg in log and
                        problem in log,
                        "%s (%s): the log names the file and the problem"
                        % (what, name)):
                t.diag(log)
            t.eq(fresh(port, 1), "old", "%s (%s): new connections still get "
                 "the old secret" % (what, name))
        t.ok(NEW.encode() not in proc.stderr(),
             "%s: the secret of the broken file is not in the log" % what)
        t.ok(proc.alive(), "%s: the listener keeps running" % what)
        # Fixed again: the next reload takes.
        listener_config(tmp, "broken", port, NEW)
        status = reloaded(t, "%s, fixed" % what, proc, notify)
        t.ok(status is not None and "configuration reloaded" in status,
             "%s, fixed: STATUS= says reloaded" % what)
        t.eq(fresh(port, 2), "new", "%s, fixed: new connections get the new "
             "secret" % what)
    finally:
        proc.stop()
        notify.close()


def fresh_token(port, seq):
    """A new connection's token (or None)."""
    try:
        conn = Conn(HOST, port)
    except OSError:
        return None
    try:
        conn.send(request(seq=seq) + b"\0")
        raw = conn.read_until(NUL_TERM, 10)
    except OSError:
        return None
    finally:
        conn.close()
    return split_responses(raw)[0].get("token") if raw else None


def write_secret(path, secret):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")


def key_sources(t, tmp):
    """The key material is read again from where the file says: a secret
    file rewritten under an unchanged config, the systemd credential, and
    a new algorithm (the signer is set up again)."""
    what = "key sources"
    port = free_port(HOST)
    creds = os.path.join(tmp, "creds")
    os.mkdir(creds, 0o700)
    secret_file = os.path.join(tmp, "jwt-secret")
    write_secret(secret_file, OLD)
    write_secret(os.path.join(creds, "jwt-secret"), NEW)
    cfg = write_config(tmp, name="keys.json",
                       inbound={"host": HOST, "port": port},
                       jwt={"secret": OMIT, "secret_file": secret_file},
                       limits={"spare_processes": 2})
    notify = NotifySocket(tmp)
    env = notify.env()
    env["CREDENTIALS_DIRECTORY"] = creds
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "keys", env=env)
    try:
        if not started(t, "%s: listener starts" % what, notify, proc):
            return
        t.eq(fresh(port, 1), "old", "%s: signed with the secret file" % what)
        # Only the secret file changes.
        write_secret(secret_file, NEW)
        reloaded(t, what + ", secret file", proc, notify)
        t.eq(fresh(port, 2), "new", "%s: the rewritten secret file is read "
             "again" % what)
        # No secret in the file: the credential, which now holds OLD.
        write_secret(os.path.join(creds, "jwt-secret"), OLD)
        write_config(tmp, name="keys.json",
                     inbound={"host": HOST, "port": port},
                     jwt={"secret": OMIT}, limits={"spare_processes": 2})
        reloaded(t, what + ", credential", proc, notify)
        t.eq(fresh(port, 3), "old", "%s: the credential is read" % what)
        write_secret(os.path.join(creds, "jwt-secret"), NEW)
        reloaded(t, what + ", credential rewritten", proc, notify)
        t.eq(fresh(port, 4), "new", "%s: and read again" % what)
        # A new algorithm: the signer is made again.
        write_config(tmp, name="keys.json",
                     inbound={"host": HOST, "port": port},
                     jwt={"secret": OMIT, "algorithm": "HS384"},
                     limits={"spare_processes": 2})
        reloaded(t, what + ", HS384", proc, notify)
        token = fresh_token(port, 5)
        try:
            decode(token, secret=NEW, algorithms=("HS384",))
            fine = True
        except Exception as e:  # any PyJWT refusal
            fine = False
            t.diag("PyJWT: %s" % e)
        t.ok(fine, "%s: jwt.algorithm HS384 after the reload: PyJWT "
             "verifies the token as HS384" % what)
        log = proc.stderr()
        t.ok(OLD.encode() not in log and NEW.encode() not in log,
             "%s: neither secret in the log" % what)
    finally:
        proc.stop()
        notify.close()


def restart_needed(t, tmp):
    """A changed inbound port is logged as needing a restart; the rest of the
    file (the secret, the spares) takes effect."""
    what = "inbound port change"
    port, other = free_port(HOST), free_port(HOST)
    cfg = listener_config(tmp, "moved", port, OLD,
                          limits={"spare_processes": 3})
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "moved", env=notify.env())
    try:
        if not started(t, "%s: listener starts" % what, notify, proc, port):
            return
        listener_config(tmp, "moved", other, NEW,
                        limits={"spare_processes": 1})
        status = reloaded(t, what, proc, notify)
        t.ok(status is not None and "configuration reloaded" in status,
             "%s: the reload takes" % what)
        log = proc.stderr().decode("utf-8", "replace")
        if not t.ok("inbound changed: that needs a restart; still listening "
                    "on %s:%d" % (HOST, port) in log,
                    "%s: logged as needing a restart" % what):
            t.diag(proc.log_tail())
        t.eq(fresh(port, 1), "new", "%s: the old port still serves, with "
             "the new secret" % what)
        t.ok(not wait_connectable(HOST, other, timeout=0.5),
             "%s: nothing listens on the new port" % what)
        _, found, fine = wait_settled(proc.pid, 1, timeout=5)
        ok_seen(t, fine, "%s: limits.spare_processes 3 -> 1: one spare now "
                "(%r)" % (what, found))
        # Back to the port in force: nothing to warn about.
        mark = len(proc.stderr())
        listener_config(tmp, "moved", port, NEW)
        reloaded(t, what + ", back", proc, notify)
        t.ok(b"needs a restart" not in proc.stderr()[mark:],
             "%s: back to the port in force: no restart asked for" % what)
    finally:
        proc.stop()
        notify.close()


def systemd_sockets(t, tmp):
    """Sockets passed by systemd (Accept=no): the reload takes all the same."""
    what = "systemd sockets"
    port = free_port(HOST)
    cfg = write_config(tmp, name="sa.json", jwt={"secret": OLD},
                       limits={"spare_processes": 2})
    notify = NotifySocket(tmp)
    argv = ["systemd-socket-activate", "-E", "NOTIFY_SOCKET",
            "-l", "%s:%d" % (HOST, port), CAS_BIN, "-c", cfg]
    proc = Proc(argv, tmp, "sa", env=notify.env())
    try:
        if not t.ok(wait_for_text(proc.err_path, "Listening on", 10, proc),
                    "%s: systemd-socket-activate listens" % what):
            t.diag(proc.log_tail())
            return
        t.eq(fresh(port, 1), "old", "%s: the first connection: old secret"
             % what)
        if not t.ok(notify.wait_for("READY=1", 10), "%s: READY=1" % what):
            return
        write_config(tmp, name="sa.json", jwt={"secret": NEW},
                     limits={"spare_processes": 2})
        status = reloaded(t, what, proc, notify)
        t.ok(status is not None and "configuration reloaded" in status,
             "%s: the reload takes" % what)
        t.eq(fresh(port, 2), "new", "%s: a new connection gets the new secret"
             % what)
    finally:
        proc.stop()
        notify.close()


def game_ask(game, conn, seq):
    """The secret of the token the game gets for request seq."""
    first, whole = game.ask(conn, "Player", "lobby", seq)
    return reply_secret(whole, seq)


def reply_secret(whole, seq):
    if not whole:
        return "no reply"
    r = split_responses(whole)[0]
    if r.get("seq") != seq or r.get("success") is not True:
        return "reply %r" % whole[:200]
    return signed_with(r.get("token")) or "a token neither secret verifies"


def outbound_config(tmp, port, secret):
    return write_config(tmp, name="out.json",
                        outbound={"host": HOST, "port": port},
                        jwt={"secret": secret})


def rotate_outbound(t, tmp):
    what = "outbound"
    game = FakeGame()
    cfg = outbound_config(tmp, game.port, OLD)
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "out", env=notify.env())
    conn = None
    game2 = None
    try:
        conn = game.accept(10)
        if not t.ok(conn is not None and notify.wait_for("READY=1", 5),
                    "%s: connects to the game, READY=1" % what):
            t.diag(proc.log_tail())
            return
        t.eq(game_ask(game, conn, 1), "old", "%s: the old secret at first"
             % what)
        # Half a request before the reload, the rest after it.
        req = request(seq=2) + b"\0"
        conn.sendall(req[:25])
        outbound_config(tmp, game.port, NEW)
        status = reloaded(t, what, proc, notify)
        t.ok(status is not None and "configuration reloaded" in status,
             "%s: the reload takes" % what)
        conn.sendall(req[25:])
        conn.settimeout(10)
        try:
            whole = conn.recv(65536)
        except OSError:
            whole = None
        t.eq(reply_secret(whole, 2), "new", "%s: the request half sent "
             "across the reload is answered, with the new secret" % what)
        t.eq(game_ask(game, conn, 3), "new", "%s: the next request too, on "
             "the same connection" % what)
        t.ok(game.accept(0.5) is None, "%s: the link was not dropped (no new "
             "connection to the game)" % what)
        t.ok(wait_for_text(proc.err_path, "%s:%d: reloaded %s"
                           % (HOST, game.port, cfg), 5),
             "%s: the link's process logs its own reload" % what)

        # A broken file: the link keeps the secret in force.
        write_config(tmp, name="out.json", text="{ not json\n")
        status = reloaded(t, what + ", broken", proc, notify)
        t.ok(status is not None and "reload failed" in status,
             "%s, broken config: STATUS= says the reload failed" % what)
        t.eq(game_ask(game, conn, 4), "new", "%s, broken config: the link "
             "keeps the secret in force" % what)
        t.ok(game.accept(0.5) is None, "%s, broken config: link not dropped"
             % what)

        # The game moved: the link follows.
        game2 = FakeGame()
        outbound_config(tmp, game2.port, OLD)
        reloaded(t, what + ", port change", proc, notify)
        conn.settimeout(10)
        try:
            eof = conn.recv(65536) == b""
        except socket.timeout:
            eof = False
        except OSError:
            eof = True
        t.ok(eof, "%s, port change: the link to the old port is closed"
             % what)
        conn.close()
        conn = game2.accept(10)
        if not t.ok(conn is not None, "%s, port change: connects to the new "
                    "port" % what):
            t.diag(proc.log_tail())
            return
        t.eq(game_ask(game2, conn, 5), "old", "%s, port change: served there, "
             "with the secret now in force" % what)
        t.ok(game.accept(1) is None, "%s, port change: the old port is not "
             "connected to again" % what)
        # The outbound entry removed: the link goes, and STATUS= says so.
        write_config(tmp, name="out.json", jwt={"secret": OLD})
        status = reloaded(t, what + ", removed", proc, notify)
        if not t.ok(status is not None and
                    status.startswith("no game link and no listening socket; "
                                      "connections "),
                    "%s, removed: STATUS= says there is nothing to serve"
                    % what):
            t.diag("STATUS=%r" % status)
        log = proc.stderr()
        t.ok(OLD.encode() not in log and NEW.encode() not in log,
             "%s: neither secret in the log" % what)
        proc.signal(signal.SIGTERM)
        t.eq(proc.wait(10), 0, "%s: SIGTERM: exit 0" % what)
    finally:
        if conn is not None:
            conn.close()
        proc.stop()
        notify.close()
        game.close()
        if game2 is not None:
            game2.close()


def stdin_hangup(t, tmp):
    """Serving standard input, SIGHUP keeps its default action."""
    cfg = write_config(tmp, name="stdin.json")
    f = Filter(cfg)
    f.send(request(seq=1) + b"\0")
    got = f.read_response()
    t.ok(got is not None and b'"success":true' in got,
         "standard input: served")
    f.p.send_signal(signal.SIGHUP)
    try:
        rc = f.p.wait(10)
    except Exception:
        rc = None
    t.eq(rc, -signal.SIGHUP, "standard input: SIGHUP ends the program (the "
         "default action)")
    f.close()


def unix_ask(path, seq):
    """A new connection on the Unix socket at path: "old", "new" or what
    went wrong."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        return "connect: %s" % e
    conn = Conn(None, None, sock=sock)
    try:
        return ask(conn, seq)
    finally:
        conn.close()


def unix_socket(t, tmp, spares):
    """A listener on inbound.path alone: a reload takes, a changed path is
    logged as needing a restart and the socket in force keeps serving, and
    the socket file goes when the listener stops."""
    what = "inbound.path, spares %d" % spares
    path = os.path.join(tmp, "cas%d.sock" % spares)
    other = os.path.join(tmp, "other%d.sock" % spares)
    limits = {"spare_processes": spares}
    cfg = write_config(tmp, name="unix%d.json" % spares,
                       inbound={"path": path}, jwt={"secret": OLD},
                       limits=limits)
    notify = NotifySocket(tmp)
    proc = Proc([CAS_BIN, "-c", cfg], tmp, "unix%d" % spares,
                env=notify.env())
    try:
        if not started(t, "%s: listener starts" % what, notify, proc):
            return
        write_config(tmp, name="unix%d.json" % spares, inbound={"path": path},
                     jwt={"secret": NEW}, limits=limits)
        status = reloaded(t, what, proc, notify)
        t.ok(proc.alive() and status is not None and
             "configuration reloaded" in status,
             "%s: the reload takes, the listener lives" % what)
        t.eq(unix_ask(path, 1), "new", "%s: a new connection gets the new "
             "secret" % what)
        write_config(tmp, name="unix%d.json" % spares, inbound={"path": other},
                     jwt={"secret": NEW}, limits=limits)
        status = reloaded(t, what + ", path changed", proc, notify)
        log = proc.stderr().decode("utf-8", "replace")
        if not t.ok(proc.alive() and "inbound changed: that needs a restart; "
                    "still listening on %s" % path in log,
                    "%s: a changed path is logged as needing a restart"
                    % what):
            t.diag(proc.log_tail())
        t.ok(status is not None and "listening on %s;" % path in status,
             "%s: STATUS= names the socket in force" % what)
        t.eq(unix_ask(path, 2), "new", "%s: the socket in force still "
             "serves" % what)
        t.ok(not os.path.exists(other), "%s: no socket at the new path"
             % what)
        t.eq(proc.stop(), 0, "%s: SIGTERM: exit 0" % what)
        t.ok(not os.path.exists(path), "%s: the socket file is removed at "
             "exit" % what)
    finally:
        proc.stop()
        notify.close()


def main(t):
    with tempdir() as tmp:
        for spares in (0, 3):
            rotate_listener(t, tmp, spares)
        broken_configs(t, tmp)
        key_sources(t, tmp)
        restart_needed(t, tmp)
        for spares in (0, 3):
            unix_socket(t, tmp, spares)
        if os.path.exists("/usr/bin/systemd-socket-activate") or \
                os.path.exists("/bin/systemd-socket-activate"):
            systemd_sockets(t, tmp)
        else:
            skip(t, "systemd-socket-activate not installed")
        rotate_outbound(t, tmp)
        stdin_hangup(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
