#!/usr/bin/python3
"""The contrib xinetd entry (as make made it from its template), run by a
real xinetd: the program gets the
connection as stdin, stdout and stderr, so it must log through syslog and
write nothing but responses into the stream."""

import json
import os
import pwd
import re
import shutil
import subprocess

from caslib import CAS_BIN, TAP, request, split_responses, tempdir, \
    write_config
from installlib import INSTALLED_BIN, INSTALLED_CONFIG, made
from netlib import (NL_TERM, NUL_TERM, Conn, Proc, free_port, skip,
                    token_problem, wait_connectable, wait_for_text)

HOST = "127.0.0.1"


def readable_by(user, paths):
    """True if user can read (and traverse to) every path."""
    pw = pwd.getpwnam(user)
    cmd = ["setpriv", "--reuid", str(pw.pw_uid), "--regid", str(pw.pw_gid),
           "--clear-groups",
           "sh", "-c", 'for f; do test -r "$f" || exit 1; done', "sh"] + paths
    try:
        return subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def make_conf(t, tmp, cfg, port):
    """The contrib entry with a free port, the built program, the test
    config, a user that can read it, plus a defaults block logging to a
    file."""
    with open(made(os.path.join("contrib", "xinetd.d", "chat-admin-server")),
              encoding="utf-8") as f:
        text = f.read()
    text, n1 = re.subn(r"(?m)^(\s*port\s*=\s*)\d+\s*$", r"\g<1>%d" % port, text)
    text, n2 = re.subn(r"(?m)^(\s*server\s*=\s*)%s\s*$" % re.escape(INSTALLED_BIN),
                       r"\g<1>%s" % CAS_BIN, text)
    # -v: the most log lines there can be, all of which must stay out of
    # the stream.
    text, n3 = re.subn(r"(?m)^(\s*server_args\s*=\s*)-i -c %s\s*$"
                       % re.escape(INSTALLED_CONFIG),
                       r"\g<1>-v -i -c %s" % cfg, text)
    t.eq((n1, n2, n3), (1, 1, 1), "the contrib entry has port, server and "
         "server_args lines to adapt")
    if os.geteuid() != 0:
        user = pwd.getpwuid(os.geteuid()).pw_name
    else:
        # Root: the entry's user may not exist here; "nobody" if it can
        # read what it needs.
        os.chmod(tmp, 0o711)
        os.chown(cfg, pwd.getpwnam("nobody").pw_uid, -1)
        user = "nobody"
        if not readable_by("nobody", [cfg, CAS_BIN]):
            t.diag("nobody cannot reach the program or config here: "
                   "running the service as root")
            user = "root"
    text = re.sub(r"(?m)^(\s*user\s*=\s*)\S+\s*$", r"\g<1>%s" % user, text)
    log = os.path.join(tmp, "xinetd.log")
    text = re.sub(r"(?m)^(\s*log_type\s*=).*$", r"\1 FILE %s" % log, text)
    text = ("defaults\n{\n\tlog_type\t= FILE %s\n\tinstances\t= 64\n}\n\n"
            % log) + text
    conf = os.path.join(tmp, "xinetd.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    return conf, log


def check_stream(t, what, data, terms, names):
    """data must be exactly one compact response per request, each followed
    by its terminator, nothing else."""
    resps = split_responses(data or b"")
    t.eq([r.term for r in resps], terms, "%s: one response per request, "
         "with the right terminators, nothing else" % what)
    rebuilt = b"".join(r.raw + r.term for r in resps)
    t.ok(data is not None and rebuilt == data and
         all(r.obj is not None and
             r.raw == json.dumps(r.obj, separators=(",", ":"),
                                 ensure_ascii=False).encode()
             for r in resps),
         "%s: every byte belongs to a compact JSON response (no log text)" % what)
    problems = []
    for i, (r, name) in enumerate(zip(resps, names)):
        if name is None:
            continue
        p = token_problem(r.raw + r.term, i, name, term=r.term)
        if p:
            problems.append("response %d: %s" % (i, p))
    if not t.ok(not problems and len(resps) == len(names),
                "%s: valid tokens where asked for" % what):
        t.diag("\n".join(problems))
        t.diag(repr(data[:600]) if data else "no data")


def main(t):
    if not shutil.which("xinetd"):
        skip(t, "xinetd not installed")
        return
    with tempdir() as tmp:
        cfg = write_config(tmp)
        port = free_port(HOST)
        conf, log = make_conf(t, tmp, cfg, port)
        proc = Proc(["xinetd", "-dontfork", "-f", conf, "-pidfile",
                     os.path.join(tmp, "xinetd.pid")], tmp, "xinetd")
        try:
            if not t.ok(wait_connectable(HOST, port, timeout=10, proc=proc),
                        "xinetd listens on the entry's port"):
                t.diag(proc.log_tail())
                return
            # NUL-ended requests (SkotOS), then newline-ended ones (a shell).
            c = Conn(HOST, port)
            try:
                c.send(request(seq=0) + b"\0")
                first = c.read_until(NUL_TERM, 10)
                t.ok(token_problem(first, 0) is None,
                     "NUL-ended request: valid token reply")
                # One that is refused, then a malformed one: logged refusals.
                c.send(request(seq=1, channel="bad room") + b"\0" +
                       b'{"seq":2,"displayName":"x"y"}\0' +
                       request(seq=3, displayName="Carol") + b"\0")
                c.shutdown_write()
                rest = c.read_to_eof(10)
            finally:
                c.close()
            data = (first or b"") + (rest or b"")
            check_stream(t, "NUL-ended", data, [NUL_TERM] * 4,
                         ["Bob", None, None, "Carol"])
            resps = split_responses(data)
            t.ok(len(resps) == 4 and resps[1].get("success") is False and
                 resps[1].get("message") ==
                 "channel contains U+0020, which XMPP forbids in a name "
                 "(nodeprep)" and
                 resps[2].get("success") is False and
                 str(resps[2].get("message")).startswith("malformed JSON: "),
                 "NUL-ended: refusals answered with success false")

            c = Conn(HOST, port)
            try:
                c.send(request(seq=0) + b"\n" + request(seq=1, displayName="Dave")
                       + b"\n")
                c.shutdown_write()
                data = c.read_to_eof(10)
            finally:
                c.close()
            check_stream(t, "newline-ended", data, [NL_TERM] * 2, ["Bob", "Dave"])
            t.ok(proc.alive(), "xinetd still running")
            # xinetd logs a service's exit when it reaps it, a moment after
            # the client saw the end of the stream: wait for it (bounded).
            wait_for_text(log, "EXIT: chat-admin-server", timeout=10)
        finally:
            proc.stop()
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        t.ok(re.search(r"START: chat-admin-server", text) and
             re.search(r"EXIT: chat-admin-server status=0", text),
             "xinetd log: the service started and exited 0")
        if not re.search(r"EXIT: chat-admin-server status=0", text):
            t.diag(text[-1500:])


if __name__ == "__main__":
    TAP().run(main)
