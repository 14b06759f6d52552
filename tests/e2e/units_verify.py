#!/usr/bin/python3
"""The operator files in contrib/ load cleanly: the unit templates hold the
agreed settings, `systemd-analyze verify` accepts every unit as make install
installs it (ExecStart and the config at the configured paths), and xinetd
parses the xinetd entry as installed and starts the service."""

import glob
import os
import pty
import pwd
import re
import select
import shutil
import signal
import subprocess
import time

from caslib import CAS_BIN, TAP, tempdir
from installlib import (INSTALLED_BIN, INSTALLED_CONFIG, INSTALLED_SECRET,
                        files_under, make, staged, verify_root)
from netlib import TOP, free_port, skip

# The paths in the templates, as a Debian package configures them.
DEBIAN_PATHS = {"@sbindir@": "/usr/sbin", "@sysconfdir@": "/etc"}
INSTALLED = "/usr/sbin/chat-admin-server"
UNITS = ["chat-admin-server.socket", "chat-admin-server@.service",
         "chat-admin-server-listener.socket",
         "chat-admin-server-listener.service",
         "chat-admin-server-outbound.service",
         "chat-admin-server-unix.socket", "chat-admin-server-unix.service"]


def template(u):
    """Unit u's source in contrib/systemd: the file, or its .in template."""
    src = os.path.join(TOP, "contrib", "systemd", u)
    # An in-tree build puts the unit made from it next to the template.
    return src + ".in" if os.path.exists(src + ".in") else src


def as_debian(path):
    """A template's text with the paths a Debian package gives it."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for k, v in DEBIAN_PATHS.items():
        text = text.replace(k, v)
    return text


def verify_units(t, root):
    src = os.path.join(TOP, "contrib", "systemd")
    found = sorted(re.sub(r"\.in$", "", os.path.basename(p))
                   for p in glob.glob(os.path.join(src, "*"))
                   if p.endswith((".socket", ".service.in")))
    t.eq(found, sorted(UNITS), "contrib/systemd holds the %d agreed units "
         "(services as templates)" % len(UNITS))
    unitdir = staged(root, "systemdsystemunitdir")
    if unitdir is None:
        for u in found:
            skip(t, "configured --without-systemdsystemunitdir (%s)" % u)
        return
    installed = sorted(os.path.basename(p) for p in files_under(unitdir))
    t.eq(installed, sorted(UNITS), "make install installs the %d units"
         % len(UNITS))
    for u in found:
        with open(os.path.join(unitdir, u), encoding="utf-8") as f:
            text = f.read()
        left = re.findall(r"@[a-z_]+@", text)
        if u.endswith(".socket"):
            t.eq(left, [], "%s: installed, nothing left to substitute" % u)
            continue
        s = unit_settings(os.path.join(unitdir, u))
        opt = "-i " if u.endswith("@.service") else ""
        t.eq((left, s.get(("Service", "ExecStart")),
              s.get(("Service", "LoadCredential"))),
             ([], ["%s %s-c %s" % (INSTALLED_BIN, opt, INSTALLED_CONFIG)],
              ["jwt-secret:" + INSTALLED_SECRET]),
             "%s as installed: ExecStart runs %s with %s, the credential "
             "is %s" % (u, INSTALLED_BIN, INSTALLED_CONFIG, INSTALLED_SECRET))
    if not shutil.which("systemd-analyze"):
        for u in found:
            skip(t, "systemd-analyze not installed (%s)" % u)
        return
    # verify --root finds ExecStart's program in the staged tree, and the
    # targets our units name among the host's units copied next to them.
    unitdir = verify_root(root, unitdir)
    env = dict(os.environ)
    env["SYSTEMD_LOG_LEVEL"] = "notice"
    for u in found:
        # A template is verified through an instance of it (systemd names
        # them by counter and addresses; colons upset verify, so a plain one).
        name = u.replace("@.service", "@1.service")
        p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                            "--root=" + root, os.path.join(unitdir, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60)
        out = p.stdout.decode("utf-8", "replace").strip()
        # Unknown keys are only warnings: any message counts as a failure.
        if not t.ok(p.returncode == 0 and out == "",
                    "systemd-analyze verify %s as installed: exit 0, "
                    "no messages" % name):
            t.diag("exit %d" % p.returncode)
            t.diag(out)


def unit_settings(path, text=None):
    """{(section, key): [values]} of a unit file (or of its text)."""
    settings = {}
    section = None
    if text is None:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


HARDENING = {
    "DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "NoNewPrivileges": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "SystemCallFilter": "@system-service", "MemoryDenyWriteExecute": "yes",
    "LockPersonality": "yes", "RestrictRealtime": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes", "CapabilityBoundingSet": "",
    "LimitCORE": "0",
    "LoadCredential": "jwt-secret:/etc/chat-admin-server/jwt-secret",
    "User": "chat-admin-server", "Group": "chat-admin-server",
}


def settings(u):
    """unit_settings of unit u's template, with Debian's paths."""
    return unit_settings(None, as_debian(template(u)))


def check_settings(t):
    s = settings("chat-admin-server.socket")
    t.eq((s.get(("Socket", "ListenStream")), s.get(("Socket", "Accept"))),
         (["127.0.0.1:4114"], ["yes"]),
         "chat-admin-server.socket: loopback 4114, Accept=yes")
    s = settings("chat-admin-server-listener.socket")
    t.eq((s.get(("Socket", "ListenStream")), s.get(("Socket", "Accept"))),
         (["127.0.0.1:4114"], ["no"]),
         "chat-admin-server-listener.socket: loopback 4114, Accept=no")
    want_exec = {
        "chat-admin-server@.service":
            INSTALLED + " -i -c /etc/chat-admin-server.json",
        "chat-admin-server-listener.service":
            INSTALLED + " -c /etc/chat-admin-server.json",
        "chat-admin-server-outbound.service":
            INSTALLED + " -c /etc/chat-admin-server.json",
    }
    for u, cmd in sorted(want_exec.items()):
        s = settings(u)
        t.eq(s.get(("Service", "ExecStart")), [cmd],
             "%s: ExecStart (with Debian's paths)" % u)
        bad = {k: s.get(("Service", k)) for k, v in HARDENING.items()
               if s.get(("Service", k)) != [v]}
        t.eq(bad, {}, "%s: every agreed hardening setting" % u)
    s = settings("chat-admin-server@.service")
    t.eq([s.get(("Service", k)) for k in
          ("StandardInput", "StandardOutput", "StandardError")],
         [["socket"], ["socket"], ["journal"]],
         "chat-admin-server@.service: socket on stdin/stdout, stderr to the journal")
    for u in ("chat-admin-server-listener.service",
              "chat-admin-server-outbound.service"):
        s = settings(u)
        t.eq((s.get(("Service", "Type")), s.get(("Service", "NotifyAccess"))),
             (["notify"], ["main"]), "%s: Type=notify, NotifyAccess=main" % u)
    s = settings("chat-admin-server-outbound.service")
    t.eq(s.get(("Service", "Restart")), ["always"],
         "chat-admin-server-outbound.service: Restart=always")
    # systemctl reload: the configuration checked, then SIGHUP, as for sshd.
    for u in ("chat-admin-server-listener.service",
              "chat-admin-server-outbound.service",
              "chat-admin-server-unix.service"):
        t.eq(settings(u).get(("Service", "ExecReload")),
             [INSTALLED + " -q -c /etc/chat-admin-server.json check",
              "/bin/kill -HUP $MAINPID"],
             "%s: ExecReload= checks the configuration, then sends SIGHUP"
             % u)
    t.eq(settings("chat-admin-server@.service").get(("Service", "ExecReload")),
         None, "chat-admin-server@.service: nothing to reload (a process "
         "per connection)")
    check_unix_pair(t)


def check_unix_pair(t):
    """The Unix socket pair: a path in /run, Accept=no, only root and one
    group may connect; the service needs no address family but AF_UNIX."""
    s = settings("chat-admin-server-unix.socket")
    t.eq([s.get(("Socket", k)) for k in ("ListenStream", "Accept", "SocketMode",
                                          "SocketUser", "Service")],
         [["/run/chat-admin-server/socket"], ["no"], ["0660"], ["root"],
          ["chat-admin-server-unix.service"]],
         "chat-admin-server-unix.socket: /run/chat-admin-server/socket, "
         "Accept=no, SocketMode=0660, owned by root")
    group = s.get(("Socket", "SocketGroup"), [""])
    t.ok(len(group) == 1 and group[0] not in ("", "root"),
         "chat-admin-server-unix.socket: SocketGroup names the clients' group "
         "(%r)" % group)
    u = "chat-admin-server-unix.service"
    s = settings(u)
    t.eq(s.get(("Service", "ExecStart")),
         [INSTALLED + " -c /etc/chat-admin-server.json"],
         "%s: ExecStart (with Debian's paths)" % u)
    want = dict(HARDENING, RestrictAddressFamilies="AF_UNIX",
                PrivateNetwork="yes")
    bad = {k: s.get(("Service", k)) for k, v in want.items()
           if s.get(("Service", k)) != [v]}
    t.eq(bad, {}, "%s: every agreed hardening setting, AF_UNIX only, no "
         "network" % u)
    t.eq((s.get(("Service", "Type")), s.get(("Service", "NotifyAccess"))),
         (["notify"], ["main"]), "%s: Type=notify, NotifyAccess=main" % u)


def run_on_pty(argv, until, timeout):
    """Run argv with a pseudo-terminal as its controlling terminal (xinetd's
    debug mode writes to /dev/tty); collect its output until a line matches
    the regex until, it exits, or timeout seconds pass; then kill it.
    Returns the output text."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if re.search(until, out.decode("utf-8", "replace")):
                    # Let it finish its line of output, then stop.
                    time.sleep(0.2)
                    try:
                        while select.select([fd], [], [], 0)[0]:
                            chunk = os.read(fd, 65536)
                            if not chunk:
                                break
                            out += chunk
                    except OSError:
                        pass
                    break
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(50):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def check_xinetd(t, tmp, root):
    if not shutil.which("xinetd"):
        skip(t, "xinetd not installed")
        return
    with open(os.path.join(staged(root, "examplesdir"), "xinetd.d",
                           "chat-admin-server"), encoding="utf-8") as f:
        text = f.read()
    port = free_port()
    # The entry as installed, but on a free port and with the built program.
    text, n = re.subn(r"(?m)^(\s*port\s*=\s*)4114\s*$", r"\g<1>%d" % port, text)
    t.eq(n, 1, "xinetd entry: port = 4114")
    t.eq((re.findall(r"(?m)^\s*user\s*=\s*(\S+)\s*$", text),
          re.findall(r"(?m)^\s*server\s*=\s*(\S+)\s*$", text)),
         (["chat-admin-server"], [INSTALLED_BIN]),
         "xinetd entry as installed: user chat-admin-server, server %s"
         % INSTALLED_BIN)
    text = text.replace(INSTALLED_BIN, CAS_BIN)
    try:
        pwd.getpwnam("chat-admin-server")
    except KeyError:
        # xinetd refuses an unknown user: where the service user was never
        # made, any other will do for parsing the entry.
        text = re.sub(r"(?m)^(\s*user\s*=\s*)\S+", r"\1nobody", text)
    conf = os.path.join(tmp, "xinetd.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    out = run_on_pty(["xinetd", "-d", "-dontfork", "-f", conf, "-pidfile",
                      os.path.join(tmp, "xinetd.pid")],
                     r"Started working: \d+ available service", timeout=15)
    problems = [l for l in out.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL|ALERT)\b", l)]
    if not t.ok(not problems, "xinetd -d -f: no warnings or errors"):
        t.diag("\n".join(problems))
    if not t.ok("Started working: 1 available service" in out and
                re.search(r"Started service: chat-admin-server\b", out),
                "xinetd -d -f: starts service chat-admin-server"):
        t.diag(out[-2000:])
    t.ok(re.search(r"(?m)^\s*Server argv = \S+ -i -c %s\s*$"
                   % re.escape(INSTALLED_CONFIG), out),
         "xinetd: runs the program with -i -c %s" % INSTALLED_CONFIG)
    t.ok(re.search(r"(?m)^\s*Bind = (localhost|127\.0\.0\.1)\s*$", out) and
         re.search(r"(?m)^\s*port = %d\s*$" % port, out),
         "xinetd: bound to loopback only")
    t.ok(re.search(r"(?m)^\s*wait = no\s*$", out) and
         re.search(r"(?m)^\s*socket_type = stream\s*$", out),
         "xinetd: stream, wait = no (one process per connection)")


def main(t):
    with tempdir() as tmp:
        check_settings(t)
        root = os.path.join(tmp, "root")
        rc, out = make("install", root)
        if not t.eq(rc, 0, "make install DESTDIR=...: exit 0"):
            t.diag(out[-3000:])
            return
        verify_units(t, root)
        check_xinetd(t, tmp, root)


if __name__ == "__main__":
    TAP().run(main)
