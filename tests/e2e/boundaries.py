#!/usr/bin/python3
"""Where features meet: a room named like a tenant's room cannot get past
policy.tenants; JaaS takes no tenants; the game link is not cut by the
request limit; check refuses what a start would; pubkey --asap writes
through no link planted in its directory."""

import json
import os
import socket
import subprocess

from adminlib import cas
from caslib import (CAS_BIN, TAP, decode, request, split_responses, tempdir,
                    write_config)
from netlib import Proc, skotos_parse
from outbound import FakeGame
from rsalib import jaas_config, new_rsa, rs_config, write_key


def pipe(cfg, *requests):
    """The replies to requests sent through the filter, in order."""
    data = b"".join(request(**r) + b"\n" for r in requests)
    p = subprocess.run([CAS_BIN, "-q", "-c", cfg], input=data,
                       capture_output=True, timeout=30)
    return [x.obj for x in split_responses(p.stdout)]


def tenant_rooms(t, d):
    """Jitsi names a tenant's room [tenant]room and, with domain
    verification off (its default), admits on the room claim alone."""
    cfg = write_config(d, "tenants.json",
                       policy={"rooms": ["*"], "tenants": ["acme"],
                               "allow_all_rooms": True})
    ask = dict(cmd="jwt_token", displayName="Bob", moderator=False,
               validFor=600)
    replies = pipe(cfg,
                   dict(ask, channel="[evil]lobby", seq=1),
                   dict(ask, channel="\uff3bevil\uff3dlobby", seq=2),
                   dict(ask, channel="lobby]", seq=3),
                   dict(ask, channel="lobby", tenant="ev]il", seq=4),
                   dict(ask, channel="lobby", tenant="acme", seq=5),
                   dict(ask, channel="game-1", seq=6))
    t.eq(len(replies), 6, "six requests, six replies")
    if len(replies) != 6:
        return
    for r, what in zip(replies[:3], ("[evil]lobby", "full-width brackets",
                                     "a lone ]")):
        t.ok(not r["success"] and "tenant's room" in r["message"] and
             r["token"] == "", "channel %s: refused, saying why (%r)"
             % (what, r["message"]))
    t.ok(not replies[3]["success"] and "tenant contains" in
         replies[3]["message"], "a tenant with a bracket: refused (%r)"
         % replies[3]["message"])
    good = replies[4]["success"] and decode(replies[4]["token"])
    t.ok(good and good["sub"] == "acme" and good["room"] == "lobby",
         "a tenant the policy lists still gets its token, room and sub apart")
    t.ok(replies[5]["success"], "and so does a plain room")
    r = cas(cfg, "token", "--room", "[evil]lobby", "--name", "Bob")
    t.ok(r.rc == 1 and "tenant's room" in r.err,
         "token --room [evil]lobby: refused, exit 1")


def jaas_no_tenants(t, d, key):
    kf = write_key(d, "jaas.pem", key)
    cfg = jaas_config(d, "jaas-ok.json", kf)
    r = cas(cfg, "check")
    t.eq(r.rc, 0, "a JaaS configuration without tenants: check exit 0")
    with open(cfg) as f:
        doc = json.load(f)
    for where, place in (("policy.tenants", lambda c, v: c.__setitem__(
            "policy", {"tenants": v})),
                         ("outbound.policy.tenants", lambda c, v: c.__setitem__(
                             "outbound", {"port": 1, "policy": {"tenants": v}})),
                         ("clients[0].policy.tenants", lambda c, v: c.__setitem__(
                             "clients", [{"name": "a", "uid": 0,
                                          "policy": {"tenants": v}}]))):
        c = json.loads(json.dumps(doc))
        place(c, ["*"])
        path = write_config(d, "jaas-%s.json" % where.split(".")[0],
                            text=json.dumps(c))
        r = cas(path, "check")
        t.ok(r.rc == 78 and where in r.err and "jitsi.jaas" in r.err and
             path in r.err, "JaaS with %s: exit 78, naming the file and the "
             "key (%r)" % (where, r.err.strip()[-160:]))


def game_not_cut(t, d):
    """limits.max_requests_per_connection does not cycle the game link."""
    game = FakeGame()
    cfg = write_config(d, "game.json", outbound={"port": game.port},
                       limits={"max_requests_per_connection": 3})
    proc = Proc([CAS_BIN, "-c", cfg], d, "game")
    try:
        conn = game.accept(10)
        if not t.ok(conn is not None, "the token server connects to the game"):
            return
        seqs = []
        for i in range(1, 8):
            first, whole = game.ask(conn, "Player%d" % i, "lobby", i)
            seq, ok, _ = skotos_parse(whole) if whole else (None, False, None)
            seqs.append(seq if ok else None)
        t.eq(seqs, list(range(1, 8)), "7 requests over the link, with a "
             "limit of 3 per connection: 7 answers on the same connection")
        conn.settimeout(0.3)
        try:
            gone = conn.recv(1) == b""
        except socket.timeout:
            gone = False
        t.ok(not gone, "the link is still open afterwards")
        conn.close()
    finally:
        proc.stop()
        game.close()


def check_sees_start(t, d):
    sock = os.path.join(d, "cas.sock")
    cfg = write_config(d, "nogroup.json", inbound={"path": sock,
                       "group": "no-such-group-here"})
    r = cas(cfg, "check")
    t.ok(r.rc == 78 and "inbound.group" in r.err and cfg in r.err,
         "check: an unknown inbound.group is an error naming the file (%r)"
         % r.err.strip()[-120:])
    with open(sock, "w") as f:
        f.write("a file, not a socket\n")
    cfg = write_config(d, "notsock.json", inbound={"path": sock})
    r = cas(cfg, "check")
    t.ok(r.rc == 78 and "not a socket" in r.err and cfg in r.err,
         "check: inbound.path naming a regular file is an error naming the "
         "file (%r)" % r.err.strip()[-120:])
    with open(sock) as f:
        t.eq(f.read(), "a file, not a socket\n", "... and the file is kept")


def asap_links(t, d, key):
    kf = write_key(d, "asap.pem", key)
    cfg = rs_config(d, "asap.json", kf)
    out = os.path.join(d, "asap")
    os.mkdir(out)
    victim = os.path.join(d, "victim")
    with open(victim, "w") as f:
        f.write("keep me\n")
    os.chmod(victim, 0o600)
    r = cas(cfg, "pubkey", "--asap", out)
    if not t.eq(r.rc, 0, "pubkey --asap: exit 0"):
        return
    name = os.path.basename(r.out.split()[0])
    # Plant links at the published name and at every name a writer might
    # have used for its temporary file.
    os.unlink(os.path.join(out, name))
    os.symlink(victim, os.path.join(out, name))
    for tmp in (".%s.tmp" % name, "%s.tmp" % name):
        os.symlink(victim, os.path.join(out, tmp))
    r = cas(cfg, "pubkey", "--asap", out)
    t.eq(r.rc, 0, "pubkey --asap over planted links: exit 0")
    with open(victim) as f:
        t.eq(f.read(), "keep me\n", "the file a link points at is untouched")
    t.eq(oct(os.stat(victim).st_mode & 0o777), oct(0o600),
         "... and keeps its mode")
    published = os.path.join(out, name)
    t.ok(not os.path.islink(published) and os.path.isfile(published) and
         open(published).read().startswith("-----BEGIN PUBLIC KEY-----"),
         "the published name is now a file holding the public key")


def main(t):
    with tempdir() as d:
        key = new_rsa()
        tenant_rooms(t, d)
        jaas_no_tenants(t, d, key)
        game_not_cut(t, d)
        check_sees_start(t, d)
        asap_links(t, d, key)


if __name__ == "__main__":
    TAP().run(main)
