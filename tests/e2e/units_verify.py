#!/usr/bin/python3
"""The operator files in contrib/ load cleanly: `systemd-analyze verify`
accepts every systemd unit (with ExecStart pointed at the built program),
and xinetd parses the xinetd entry and starts the service."""

import glob
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time

from caslib import CAS_BIN, TAP, tempdir
from netlib import TOP, free_port, skip

INSTALLED = "/usr/sbin/chat-admin-server"
UNITS = ["chat-admin-server.socket", "chat-admin-server@.service",
         "chat-admin-server-listener.socket",
         "chat-admin-server-listener.service",
         "chat-admin-server-outbound.service"]


def verify_units(t, tmp):
    src = os.path.join(TOP, "contrib", "systemd")
    found = sorted(os.path.basename(p) for p in glob.glob(os.path.join(src, "*"))
                   if p.endswith((".service", ".socket")))
    t.eq(found, sorted(UNITS), "contrib/systemd holds the five agreed units")
    if not shutil.which("systemd-analyze"):
        for u in found:
            skip(t, "systemd-analyze not installed (%s)" % u)
        return
    unitdir = os.path.join(tmp, "units")
    os.mkdir(unitdir)
    for u in found:
        with open(os.path.join(src, u), encoding="utf-8") as f:
            text = f.read()
        t.ok(INSTALLED in text or u.endswith(".socket"),
             "%s: %s" % (u, "socket unit" if u.endswith(".socket") else "ExecStart runs " + INSTALLED))
        # systemd-analyze checks that ExecStart's binary exists: use ours.
        with open(os.path.join(unitdir, u), "w", encoding="utf-8") as f:
            f.write(text.replace(INSTALLED, CAS_BIN))
    env = dict(os.environ)
    env["SYSTEMD_LOG_LEVEL"] = "notice"
    for u in found:
        # A template is verified through an instance of it (systemd names
        # them by counter and addresses; colons upset verify, so a plain one).
        name = u.replace("@.service", "@1.service")
        p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                            os.path.join(unitdir, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60)
        out = p.stdout.decode("utf-8", "replace").strip()
        # Unknown keys are only warnings: any message counts as a failure.
        if not t.ok(p.returncode == 0 and out == "",
                    "systemd-analyze verify %s: exit 0, no messages" % name):
            t.diag("exit %d" % p.returncode)
            t.diag(out)


def unit_settings(path):
    """{(section, key): [values]} of a unit file."""
    settings = {}
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
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
}


def check_settings(t):
    d = os.path.join(TOP, "contrib", "systemd")
    s = unit_settings(os.path.join(d, "chat-admin-server.socket"))
    t.eq((s.get(("Socket", "ListenStream")), s.get(("Socket", "Accept"))),
         (["127.0.0.1:4114"], ["yes"]),
         "chat-admin-server.socket: loopback 4114, Accept=yes")
    s = unit_settings(os.path.join(d, "chat-admin-server-listener.socket"))
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
        s = unit_settings(os.path.join(d, u))
        t.eq(s.get(("Service", "ExecStart")), [cmd], "%s: ExecStart" % u)
        bad = {k: s.get(("Service", k)) for k, v in HARDENING.items()
               if s.get(("Service", k)) != [v]}
        t.eq(bad, {}, "%s: every agreed hardening setting" % u)
    s = unit_settings(os.path.join(d, "chat-admin-server@.service"))
    t.eq([s.get(("Service", k)) for k in
          ("StandardInput", "StandardOutput", "StandardError")],
         [["socket"], ["socket"], ["journal"]],
         "chat-admin-server@.service: socket on stdin/stdout, stderr to the journal")
    for u in ("chat-admin-server-listener.service",
              "chat-admin-server-outbound.service"):
        s = unit_settings(os.path.join(d, u))
        t.eq((s.get(("Service", "Type")), s.get(("Service", "NotifyAccess"))),
             (["notify"], ["main"]), "%s: Type=notify, NotifyAccess=main" % u)
    s = unit_settings(os.path.join(d, "chat-admin-server-outbound.service"))
    t.eq(s.get(("Service", "Restart")), ["always"],
         "chat-admin-server-outbound.service: Restart=always")


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


def check_xinetd(t, tmp):
    if not shutil.which("xinetd"):
        skip(t, "xinetd not installed")
        return
    with open(os.path.join(TOP, "contrib", "xinetd.d",
                           "chat-admin-server"), encoding="utf-8") as f:
        text = f.read()
    port = free_port()
    # Same entry, but on a free port and with the built program.
    text, n = re.subn(r"(?m)^(\s*port\s*=\s*)4114\s*$", r"\g<1>%d" % port, text)
    t.eq(n, 1, "xinetd entry: port = 4114")
    text = text.replace(INSTALLED, CAS_BIN)
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
    t.ok(re.search(r"(?m)^\s*Server argv = \S+ -i -c /etc/chat-admin-server.json\s*$",
                   out), "xinetd: runs the program with -i -c /etc/chat-admin-server.json")
    t.ok(re.search(r"(?m)^\s*Bind = (localhost|127\.0\.0\.1)\s*$", out) and
         re.search(r"(?m)^\s*port = %d\s*$" % port, out),
         "xinetd: bound to loopback only")
    t.ok(re.search(r"(?m)^\s*wait = no\s*$", out) and
         re.search(r"(?m)^\s*socket_type = stream\s*$", out),
         "xinetd: stream, wait = no (one process per connection)")


def main(t):
    with tempdir() as tmp:
        verify_units(t, tmp)
        check_settings(t)
        check_xinetd(t, tmp)


if __name__ == "__main__":
    TAP().run(main)
