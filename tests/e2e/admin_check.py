#!/usr/bin/python3
"""The check subcommand: a good configuration is shown key by key, ending
with `configuration OK` (exit 0) and never showing the secret; a broken one
exits 78 (malformed) or 66 (missing); a file holding the secret that group
or others can read draws a warning."""

import os
import subprocess

from caslib import OMIT, SECRET, TAP, child_env, command, tempdir, write_config
from adminlib import Run, cas
from clientlib import setpriv_argv
from netlib import skip

READABLE = "readable by group or others"


def setting(r, key):
    """The value shown for key ("key: value" on stdout), or None."""
    line = r.line(key + ": ")
    return None if line is None else line[len(key) + 2:]


def test_full(t, d):
    cfg = write_config(d, name="full.json",
                       jwt={"algorithm": "HS384", "audience": "jitsi"},
                       inbound={"host": "127.0.0.1", "port": 4114},
                       policy={"max_valid_for": 600, "allow_moderator": False,
                               "rooms": ["lobby", "game-*"],
                               "allow_all_rooms": True},
                       limits={"max_request_bytes": 1024, "idle_timeout": 5,
                               "max_connections": 3,
                               "max_requests_per_connection": 7,
                               "spare_processes": 2})
    r = cas(cfg, "check")
    if not t.ok(r.rc == 0 and r.last == "configuration OK",
                "every key set: exit 0, last line \"configuration OK\""):
        t.diag(repr(r))
    want = {
        "jitsi.domain": "meet.jitsi",
        "jwt.app_id": "skotos",
        "jwt.audience": "jitsi",
        "jwt.algorithm": "HS384",
        "policy.max_valid_for": "600",
        "policy.allow_moderator": "false",
        "policy.allow_all_rooms": "true",
        "limits.max_request_bytes": "1024",
        "limits.idle_timeout": "5",
        "limits.max_connections": "3",
        "limits.max_requests_per_connection": "7",
        "limits.spare_processes": "2",
    }
    for key, value in want.items():
        t.eq(setting(r, key), value, "every key set: shows %s: %s" % (key, value))
    rooms = setting(r, "policy.rooms") or ""
    t.ok("lobby" in rooms and "game-*" in rooms,
         "every key set: shows policy.rooms with both globs (%r)" % rooms)
    inbound = setting(r, "inbound") or ""
    t.ok("127.0.0.1" in inbound and "4114" in inbound,
         "every key set: shows inbound host and port (%r)" % inbound)
    secret = setting(r, "jwt.secret") or ""
    t.ok("40 bytes" in secret,
         "every key set: the secret is shown as its length (%r)" % secret)
    t.ok(SECRET not in r.out + r.err,
         "every key set: the secret's value is not in stdout or stderr")
    t.ok(READABLE not in r.err, "every key set, mode 0600: no readability warning")


def test_defaults(t, d):
    cfg = write_config(d, name="minimal.json")
    r = cas(cfg, "check")
    if not t.ok(r.rc == 0 and r.last == "configuration OK",
                "minimal config: exit 0, configuration OK"):
        t.diag(repr(r))
    want = {
        "jitsi.domain": "meet.jitsi",
        "jwt.app_id": "skotos",
        "jwt.audience": "jitsi",
        "jwt.algorithm": "HS256",
        "policy.allow_moderator": "true",
        "policy.max_valid_for": "86400",
        "limits.max_request_bytes": "65536",
        "limits.idle_timeout": "60",
        "limits.max_connections": "64",
        "limits.max_requests_per_connection": "0",
        "limits.spare_processes": "4",
    }
    for key, value in want.items():
        t.eq(setting(r, key), value, "minimal config: default %s: %s" % (key, value))
    for key in ("policy.max_valid_for", "policy.rooms", "jwt.secret",
                "inbound", "outbound"):
        t.ok(setting(r, key) is not None, "minimal config: shows %s" % key)
    t.ok(SECRET not in r.out + r.err,
         "minimal config: the secret's value is not in stdout or stderr")
    t.eq(r.err, "chat-admin-server: warning: %s: policy allows moderator tokens "
         "for every room: set policy.allow_moderator to false or list "
         "policy.rooms\n" % cfg,
         "minimal config, mode 0600: on stderr only the warning that its "
         "policy allows moderator tokens for every room")


def test_broken(t, d):
    cfg = write_config(d, name="malformed.json", text='{"jitsi": {"domain": \n')
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "malformed JSON: exit 78")
    t.ok("malformed JSON" in r.err and "malformed.json" in r.err,
         "malformed JSON: stderr names the file and the problem")
    t.ok("configuration OK" not in r.out, "malformed JSON: not OK")

    cfg = write_config(d, name="noapp.json", jwt={"app_id": OMIT})
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "jwt.app_id missing: exit 78")
    t.ok("jwt.app_id" in r.err, "jwt.app_id missing: stderr names the key")

    cfg = write_config(d, name="badlimit.json", limits={"max_request_bytes": 10})
    r = cas(cfg, "check")
    t.eq(r.rc, 78, "limits.max_request_bytes 10 (below 64): exit 78")
    t.ok("limits.max_request_bytes" in r.err,
         "limits.max_request_bytes 10: stderr names the key")

    r = cas(os.path.join(d, "no-such-config.json"), "check")
    t.eq(r.rc, 66, "missing config file: exit 66")
    t.ok("no-such-config.json" in r.err, "missing config file: stderr names it")
    t.ok(SECRET not in r.out + r.err, "broken configs: the secret never shown")


NOGROUP = 65534


def run_as_nobody(cfg, *args):
    """The program run as nobody:nogroup with no supplementary group."""
    p = subprocess.run(setpriv_argv("nobody", "nogroup") + command(cfg, args),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       env=child_env(), timeout=30)
    return Run(p.returncode, p.stdout, p.stderr)


def test_readable(t, d):
    cfg = write_config(d, name="inline-0644.json")
    os.chmod(cfg, 0o644)
    r = cas(cfg, "check")
    t.eq(r.rc, 0, "inline secret, config mode 0644: still exit 0")
    if not t.ok(READABLE in r.err and "inline-0644.json" in r.err,
                "inline secret, config mode 0644: warning naming the config "
                "(\"%s\")" % READABLE):
        t.diag(repr(r))
    cfg = write_config(d, name="inline-0640.json")
    os.chmod(cfg, 0o640)
    if os.geteuid() == 0:
        os.chown(cfg, -1, 65534 if os.getegid() != 65534 else 1)
        r = cas(cfg, "check")
        t.ok(READABLE in r.err, "inline secret, config mode 0640 of another "
             "group: warning too")
    else:
        skip(t, "giving a file another group needs root")
    # The packaged layout: the owner is root, the group the service's own.
    cfg = write_config(d, name="inline-0640-own.json")
    os.chmod(cfg, 0o640)
    if os.geteuid() == 0:
        os.chown(cfg, 0, 0)
        r = cas(cfg, "check")
        t.ok(READABLE in r.err, "inline secret, config mode 0640 root:root "
             "checked by root: warning (only the group's others gain)")
        os.chmod(d, 0o755)
        os.chown(cfg, 0, NOGROUP)
        r = run_as_nobody(cfg, "check")
        t.ok(r.rc == 0 and READABLE not in r.err,
             "inline secret, config mode 0640 root:nogroup checked by "
             "nobody:nogroup (the packaged layout): exit 0, no warning")
        if READABLE in r.err or r.rc != 0:
            t.diag(repr(r))
        os.chmod(d, 0o700)
    else:
        os.chown(cfg, -1, os.getegid())
        r = cas(cfg, "check")
        t.ok(READABLE in r.err, "inline secret, config mode 0640 of the "
             "owner's own group: warning")
        skip(t, "running as another user than the file's owner needs root")

    sf = os.path.join(d, "secret-0644")
    with open(sf, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(sf, 0o644)
    cfg = write_config(d, name="with-file.json",
                       jwt={"secret": OMIT, "secret_file": sf})
    r = cas(cfg, "check")
    t.eq(r.rc, 0, "secret_file mode 0644: exit 0")
    warn = [l for l in r.err.splitlines() if READABLE in l]
    if not t.ok(any(sf in l for l in warn),
                "secret_file mode 0644: warning naming that file"):
        t.diag(repr(r))
    t.ok(not any("with-file.json" in l for l in warn),
         "secret_file mode 0644: no warning about the 0600 config itself")
    t.ok(SECRET not in r.out + r.err, "secret_file: the secret never shown")

    os.chmod(sf, 0o600)
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and READABLE not in r.err,
         "secret_file mode 0600: exit 0, no warning")
    if READABLE in r.err:
        t.diag(repr(r))


def main(t):
    with tempdir() as d:
        test_full(t, d)
        test_defaults(t, d)
        test_broken(t, d)
        test_readable(t, d)


if __name__ == "__main__":
    TAP().run(main)
