"""make install into a staging directory, as a packager runs it, and where
configure said each kind of file goes.  Environment (set by the Makefile):

  top_builddir      the build tree, where make install is run
  MAKE              the make program that runs the tests
  CAS_INSTALL_DIRS  "name=directory ..." for sbindir, sysconfdir, man5dir,
                    man8dir, examplesdir, systemdsystemunitdir, sysusersdir
                    and tmpfilesdir ("no" for one configured off)
"""

import os
import shlex
import shutil
import subprocess

TOP_BUILDDIR = os.environ.get("top_builddir", "")
MAKE = shlex.split(os.environ.get("MAKE") or "make")
DIRS = dict(item.split("=", 1)
            for item in os.environ.get("CAS_INSTALL_DIRS", "").split()
            if "=" in item)
# What the installed units and the xinetd entry run and read.
INSTALLED_BIN = os.path.join(DIRS.get("sbindir", "/usr/sbin"),
                             "chat-admin-server")
INSTALLED_CONFIG = os.path.join(DIRS.get("sysconfdir", "/etc"),
                                "chat-admin-server.json")
INSTALLED_SECRET = os.path.join(DIRS.get("sysconfdir", "/etc"),
                                "chat-admin-server", "jwt-secret")


def made(path):
    """The file make made from path + ".in", in the build tree."""
    return os.path.join(TOP_BUILDDIR, path)


def make(target, destdir, timeout=300):
    """Run make TARGET DESTDIR=destdir in the build tree, on its own (not
    as part of the test harness's make and its job server).  Returns
    (exit status, output)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    p = subprocess.run(MAKE + ["-C", TOP_BUILDDIR, target,
                               "DESTDIR=" + destdir],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def staged(destdir, name):
    """Where directory DIRS[name] is under destdir, or None if off."""
    d = DIRS.get(name, "no")
    if d == "no":
        return None
    return os.path.join(destdir, d.lstrip("/"))


def files_under(root):
    """Every file and symbolic link under root, as sorted absolute paths."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        found += [os.path.join(dirpath, f) for f in filenames]
        found += [os.path.join(dirpath, d) for d in dirnames
                  if os.path.islink(os.path.join(dirpath, d))]
    return sorted(found)


def verify_root(destdir, unitdir):
    """Turn a staged install into a root systemd-analyze verify --root can
    load our units from: the host's own units alongside, for the targets
    ours name (sockets.target, sysinit.target...).  Returns the directory
    to name our units in: under --root, systemd finds units on its search
    path only, so where configure put them elsewhere (distcheck's prefix)
    they are linked from the root's /etc/systemd/system."""
    dest = os.path.join(destdir, "lib", "systemd", "system")
    os.makedirs(dest, exist_ok=True)
    searched = [os.path.join(destdir, d, "systemd", "system")
                for d in ("etc", "lib", "usr/lib")]
    linked = unitdir
    if os.path.realpath(unitdir) not in map(os.path.realpath, searched):
        linked = searched[0]
        os.makedirs(linked, exist_ok=True)
        for name in os.listdir(unitdir):
            os.symlink(os.path.relpath(os.path.join(unitdir, name), linked),
                       os.path.join(linked, name))
    for src in ("/lib/systemd/system", "/usr/lib/systemd/system"):
        if not os.path.isdir(src):
            continue
        for name in os.listdir(src):
            p = os.path.join(src, name)
            if name.startswith("chat-admin-server") or not os.path.isfile(p):
                continue
            target = os.path.join(dest, name)
            if not os.path.lexists(target):
                shutil.copyfile(p, target)
    return linked
