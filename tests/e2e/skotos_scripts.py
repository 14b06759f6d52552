#!/usr/bin/python3
"""contrib/skotos: configure-jitsi.sh writes a config the program accepts
(outbound on portbase + 91) and sets jitsi_host in the game's instance file
without echoing the secret; start-chat-admin-server.sh runs the program
against it, serving a SkotOS game; unconfigure-jitsi.sh undoes it all."""

import json
import os
import socket
import stat
import subprocess

from caslib import CAS_BIN, SECRET, TAP, child_env, decode, tempdir
from netlib import TOP, Proc, skotos_parse, skotos_request

SCRIPTS = os.path.join(TOP, "contrib", "skotos")


def script(name, args, env_extra, timeout=30):
    env = child_env()
    env.update(env_extra)
    p = subprocess.run(["sh", os.path.join(SCRIPTS, name)] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check_config(path, extra_env=None):
    env = child_env()
    env.update(extra_env or {})
    p = subprocess.run([CAS_BIN, "-c", path, "check"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=30)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main(t):
    with tempdir() as tmp:
        game = os.path.join(tmp, "game")
        instance = os.path.join(game, "skoot", "usr", "System", "data",
                                "instance")
        os.makedirs(os.path.dirname(instance))
        with open(instance, "w") as f:
            f.write("portbase 11000\njitsi_host old.example.org\nhostname x\n")
        secret = os.path.join(tmp, "jwt-secret")
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(SECRET + "\n")
        config = os.path.join(tmp, "cas.json")
        env = {"CAS_CONFIG": config}

        rc, out, err = script("configure-jitsi.sh", [], env)
        t.ok(rc == 64 and err.startswith("usage: configure-jitsi.sh"),
             "configure-jitsi.sh without arguments: usage line, exit 64")

        rc, out, err = script("configure-jitsi.sh",
                              [game, "meet.jitsi", "skotos", secret], env)
        if not t.eq(rc, 0, "configure-jitsi.sh GAME_ROOT DOMAIN APP_ID "
                    "SECRET_FILE: exit 0"):
            t.diag(err)
        t.ok(SECRET not in out + err, "configure-jitsi.sh does not print the "
             "secret")
        with open(config) as f:
            cfg = json.load(f)
        t.eq((cfg.get("outbound"), cfg.get("jwt")),
             ({"host": "127.0.0.1", "port": 11091},
              {"secret_file": secret, "app_id": "skotos"}),
             "config: outbound 127.0.0.1:11091 (portbase 11000 + 91), "
             "secret_file")
        rc, out = check_config(config)
        if not t.eq(rc, 0, "config passes chat-admin-server check"):
            t.diag(out)
        with open(instance) as f:
            lines = f.read().splitlines()
        t.eq(lines, ["portbase 11000", "hostname x", "jitsi_host meet.jitsi"],
             "instance file: jitsi_host replaced, other lines kept")

        # Started against a fake game on portbase + 91.
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(2)
        port = lsock.getsockname()[1]
        rc, out, err = script("configure-jitsi.sh",
                              [game, "meet.jitsi", "skotos", secret,
                               str(port - 91)], env)
        with open(config) as f:
            got = json.load(f).get("outbound", {}).get("port")
        t.eq((rc, got), (0, port), "configure-jitsi.sh with PORTBASE: "
             "outbound port is PORTBASE + 91")
        pidfile = os.path.join(tmp, "cas.pid")
        senv = child_env()
        senv.update({"CAS_CONFIG": config, "CAS_BIN": CAS_BIN,
                     "CAS_PIDFILE": pidfile})
        proc = Proc(["sh", os.path.join(SCRIPTS, "start-chat-admin-server.sh")],
                    tmp, "start", env=senv)
        conn = None
        try:
            lsock.settimeout(10)
            try:
                conn, _ = lsock.accept()
            except socket.timeout:
                conn = None
            if not t.ok(conn is not None, "start-chat-admin-server.sh: the "
                        "program connects to the game"):
                t.diag(proc.log_tail())
                return
            conn.settimeout(10)
            conn.sendall(skotos_request("Bob", "lobby", 42))
            reply = conn.recv(65536)
            seq, success, token = skotos_parse(reply)
            try:
                ok = decode(token)["room"] == "lobby"
            except Exception:
                ok = False
            t.ok(seq == 42 and success and ok, "the game gets a valid token")
            with open(pidfile) as f:
                pid = f.read().strip()
            t.eq(pid, str(proc.pid), "pid file holds the program's pid")
            rc, out, err = script("start-chat-admin-server.sh", [],
                                  {"CAS_CONFIG": config, "CAS_BIN": CAS_BIN,
                                   "CAS_PIDFILE": pidfile})
            t.ok(rc == 0 and "already runs" in out,
                 "start-chat-admin-server.sh again: already runs, exit 0")

            rc, out, err = script("unconfigure-jitsi.sh", [game],
                                  {"CAS_CONFIG": config,
                                   "CAS_PIDFILE": pidfile})
            t.eq(rc, 0, "unconfigure-jitsi.sh: exit 0")
            t.eq(proc.wait(8), 0, "unconfigure-jitsi.sh stops the program "
                 "(exit 0)")
            with open(instance) as f:
                lines = f.read().splitlines()
            t.ok(lines == ["portbase 11000", "hostname x"] and
                 not os.path.exists(config) and
                 os.path.exists(config + ".disabled") and
                 not os.path.exists(pidfile),
                 "unconfigure-jitsi.sh: jitsi_host gone, config set aside, "
                 "pid file removed")
        finally:
            if conn is not None:
                conn.close()
            lsock.close()
            proc.stop()

        rc, out, err = script("start-chat-admin-server.sh", [],
                              {"CAS_CONFIG": config, "CAS_BIN": CAS_BIN,
                               "CAS_PIDFILE": pidfile})
        t.ok(rc != 0 and "configure-jitsi.sh" in err,
             "start-chat-admin-server.sh without a config: refuses, says why")

        # --systemd: the secret becomes the units' credential.
        cred = os.path.join(tmp, "credstore", "jwt-secret")
        rc, out, err = script("configure-jitsi.sh",
                              ["--systemd", game, "meet.jitsi", "skotos",
                               secret], {"CAS_CONFIG": config,
                                         "CAS_CREDENTIAL": cred})
        t.eq(rc, 0, "configure-jitsi.sh --systemd: exit 0")
        with open(config) as f:
            jwt_section = json.load(f).get("jwt")
        mode = stat.S_IMODE(os.stat(cred).st_mode) if os.path.exists(cred) else None
        with open(cred) as f:
            same = f.read() == SECRET + "\n"
        t.ok(jwt_section == {"app_id": "skotos"} and mode == 0o600 and same,
             "--systemd: secret installed as the credential (0600), config "
             "names no secret")
        rc, out = check_config(config, {"CREDENTIALS_DIRECTORY":
                                        os.path.dirname(cred)})
        if not t.eq(rc, 0, "--systemd: config passes check with the "
                    "credential"):
            t.diag(out)
        t.ok(SECRET not in out, "check does not print the secret")


if __name__ == "__main__":
    TAP().run(main)
