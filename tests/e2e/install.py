#!/usr/bin/python3
"""make install, as a packager runs it (DESTDIR): the program, its man
pages, the systemd units, the sysusers.d and tmpfiles.d entries and the
examples go where configure said, and nothing else; systemd's own tools
accept the two entries; the example service config passes check with the
installed program; make uninstall takes all of it away again."""

import os
import shutil
import stat
import subprocess

from caslib import SECRET, TAP, child_env, tempdir
from installlib import DIRS, files_under, make, staged
from netlib import skip

UNITS = ["chat-admin-server.socket", "chat-admin-server@.service",
         "chat-admin-server-listener.socket",
         "chat-admin-server-listener.service",
         "chat-admin-server-outbound.service",
         "chat-admin-server-unix.socket", "chat-admin-server-unix.service"]


def expected(root):
    """{staged path: mode} of everything make install should put in root."""
    want = {
        os.path.join(staged(root, "sbindir"), "chat-admin-server"): 0o755,
        os.path.join(staged(root, "man8dir"), "chat-admin-server.8"): 0o644,
        os.path.join(staged(root, "man5dir"), "chat-admin-server.json.5"): 0o644,
    }
    ex = staged(root, "examplesdir")
    for f in ("config-example.json", "chat-admin-server.json",
              os.path.join("xinetd.d", "chat-admin-server")):
        want[os.path.join(ex, f)] = 0o644
    if staged(root, "systemdsystemunitdir"):
        for u in UNITS:
            want[os.path.join(staged(root, "systemdsystemunitdir"), u)] = 0o644
    for d in ("sysusersdir", "tmpfilesdir"):
        if staged(root, d):
            want[os.path.join(staged(root, d), "chat-admin-server.conf")] = 0o644
    return want


def check_files(t, root):
    want = expected(root)
    got = files_under(root)
    t.eq([p[len(root):] for p in got], sorted(p[len(root):] for p in want),
         "make install puts exactly the agreed files where configure said")
    modes = {p[len(root):]: oct(stat.S_IMODE(os.lstat(p).st_mode))
             for p in got if p in want and
             stat.S_IMODE(os.lstat(p).st_mode) != want[p]}
    t.eq(modes, {}, "program 0755, everything else 0644")


def run(argv, env=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def check_systemd_entries(t, root, tmp):
    sysusers = staged(root, "sysusersdir")
    tmpfiles = staged(root, "tmpfilesdir")
    if sysusers is None or tmpfiles is None:
        skip(t, "configured without a sysusers.d or tmpfiles.d directory")
        return
    if os.geteuid() != 0 or not shutil.which("systemd-sysusers"):
        skip(t, "systemd-sysusers and systemd-tmpfiles --root need root")
        return
    # An empty root of their own: they write its /etc/passwd and /run.
    sysroot = os.path.join(tmp, "sysroot")
    os.makedirs(os.path.join(sysroot, "etc"))
    rc, out = run(["systemd-sysusers", "--root=" + sysroot,
                   os.path.join(sysusers, "chat-admin-server.conf")])
    with open(os.path.join(sysroot, "etc", "passwd"), encoding="utf-8") as f:
        users = [l.rstrip("\n").split(":") for l in f]
    with open(os.path.join(sysroot, "etc", "group"), encoding="utf-8") as f:
        groups = [l.rstrip("\n").split(":") for l in f]
    user = [u for u in users if u[0] == "chat-admin-server"]
    group = [g for g in groups if g[0] == "chat-admin-server"]
    if not t.ok(rc == 0 and len(user) == 1 and len(group) == 1 and
                int(user[0][2]) < 1000 and user[0][3] == group[0][2] and
                user[0][5] == "/nonexistent" and
                user[0][6].endswith("/nologin"),
                "systemd-sysusers: system user and group chat-admin-server, "
                "no home, no login shell"):
        t.diag(out)
        t.diag(repr(users))
        return
    rc, out = run(["systemd-tmpfiles", "--root=" + sysroot, "--create",
                   os.path.join(tmpfiles, "chat-admin-server.conf")])
    run_dir = os.path.join(sysroot, "run", "chat-admin-server")
    st = os.lstat(run_dir) if os.path.lexists(run_dir) else None
    if not t.ok(rc == 0 and st is not None and stat.S_ISDIR(st.st_mode) and
                stat.S_IMODE(st.st_mode) == 0o755 and
                (st.st_uid, st.st_gid) == (int(user[0][2]), int(group[0][2])),
                "systemd-tmpfiles: /run/chat-admin-server, 0755, owned by "
                "the service user"):
        t.diag(out)


def check_example(t, root, tmp):
    """The service config example, as the units use it: the secret comes as
    the credential."""
    prog = os.path.join(staged(root, "sbindir"), "chat-admin-server")
    conf = os.path.join(staged(root, "examplesdir"), "chat-admin-server.json")
    creds = os.path.join(tmp, "credentials")
    os.mkdir(creds, 0o700)
    fd = os.open(os.path.join(creds, "jwt-secret"),
                 os.O_WRONLY | os.O_CREAT, 0o400)
    os.write(fd, SECRET.encode())
    os.close(fd)
    env = child_env()
    env["CREDENTIALS_DIRECTORY"] = creds
    rc, out = run([prog, "-c", conf, "check"], env)
    if not t.ok(rc == 0 and SECRET not in out,
                "the installed program accepts the installed example "
                "config, the secret passed as its credential"):
        t.diag("exit %d" % rc)
        t.diag(out.replace(SECRET, "<secret>"))
    env.pop("CREDENTIALS_DIRECTORY")
    rc, out = run([prog, "-c", conf, "check"], env)
    t.ok(rc != 0 and "no secret" in out,
         "without the credential it says there is no secret")


def main(t):
    with tempdir() as tmp:
        root = os.path.join(tmp, "root")
        rc, out = make("install", root)
        if not t.eq(rc, 0, "make install DESTDIR=...: exit 0"):
            t.diag(out[-3000:])
            return
        t.diag("installed: %s" % " ".join(
            "%s=%s" % kv for kv in sorted(DIRS.items())))
        check_files(t, root)
        check_systemd_entries(t, root, tmp)
        check_example(t, root, tmp)
        rc, out = make("uninstall", root)
        left = files_under(root)
        if not t.ok(rc == 0 and left == [],
                    "make uninstall DESTDIR=...: exit 0, no file left"):
            t.diag(out[-3000:])
            t.diag("\n".join(left))
        # The directories shared with others stay; the package's own go.
        own = [d for d in (os.path.dirname(staged(root, "examplesdir")),)
               if os.path.lexists(d)]
        t.eq(own, [], "make uninstall: the package's own directory is gone "
             "too")


if __name__ == "__main__":
    TAP().run(main)
