#!/usr/bin/python3
"""8x8's hosted Jitsi (JaaS), with jitsi.jaas: tokens carry iss "chat", aud
"jitsi", sub the AppID and the header kid "AppID/key id" with RS256, as
PyJWT checks them; check enforces JaaS's rules (the kid's prefix is the
AppID, RS256 only, no jitsi.domain); token --url links to
https://8x8.vc/AppID/room; contrib/jaas-example.json is a complete
configuration once its key file exists."""

import json
import os

from caslib import TOP_SRCDIR, TAP, request, split_responses, tempdir, write_config
from adminlib import cas
from rsalib import (JAAS_APP, JAAS_KID, expected_header, header_bytes,
                    jaas_config, new_rsa, rs_decode, write_key)


def jaas_decode(tok, key):
    return rs_decode(tok, key, "RS256", issuer="chat", audience="jitsi")


def refused(t, cfg, want, what):
    r = cas(cfg, "check")
    if not t.ok(r.rc == 78 and r.err.startswith("chat-admin-server: %s: " % cfg) and
                want in r.err,
                "JaaS refuses %s: exit 78, %r" % (what, want)):
        t.diag(repr(r))


def test_tokens(t, d, key, kf):
    cfg = jaas_config(d, "jaas.json", kf)
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", "--moderator")
    tok = r.last if r.rc == 0 else None
    if not t.ok(tok, "JaaS: the token subcommand prints a token"):
        t.diag(repr(r))
        return
    t.eq(header_bytes(tok), expected_header("RS256", JAAS_KID),
         "JaaS: header {\"alg\":\"RS256\",\"kid\":\"AppID/4f4910\",\"typ\":\"JWT\"}")
    c = jaas_decode(tok, key)
    t.eq((c["iss"], c["aud"], c["sub"], c["room"]), ("chat", "jitsi", JAAS_APP, "lobby"),
         "JaaS: iss chat, aud jitsi, sub the AppID, as PyJWT reads them")
    t.eq(c["context"]["user"]["moderator"], "true",
         "JaaS: context.user.moderator is the string \"true\"")
    t.ok(c["nbf"] == c["iat"] - 10 and c["exp"] > c["iat"], "JaaS: nbf backdated 10 s, exp set")
    r = cas(cfg, stdin=request(seq=3) + b"\0")
    resps = split_responses(r.out.encode())
    ptok = resps[0].get("token") if resps else None
    t.ok(ptok and jaas_decode(ptok, key)["sub"] == JAAS_APP,
         "JaaS: a pipe request gets the same kind of token")
    r = cas(cfg, "verify", tok)
    t.ok(r.rc == 0 and r.last == "valid", "JaaS: verify accepts its own token")
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and 'jitsi.jaas: true: AppID %s; tokens carry iss "chat", aud '
         '"jitsi", sub "%s"' % (JAAS_APP, JAAS_APP) in r.out and
         'key "%s": current, signs: RSA 2048 bits' % JAAS_KID in r.out,
         "JaaS: check shows the AppID, the fixed claims and the key")
    t.ok(r.rc == 0 and "jwt.app_id: %s\n" % JAAS_APP in r.out and
         "jitsi.domain: (not used with jitsi.jaas)\n" in r.out and
         "jwt.app_id: chat" not in r.out,
         "JaaS: check shows jwt.app_id as the file gives it, the AppID, and no domain")
    cfg2 = jaas_config(d, "jaas-explicit.json", kf, algorithm="RS256", audience="jitsi")
    r = cas(cfg2, "token", "--room", "lobby", "--name", "Bob")
    t.ok(r.rc == 0 and jaas_decode(r.last, key), "JaaS: RS256 and aud jitsi may be given")


def test_url(t, d, kf, key):
    cfg = jaas_config(d, "url.json", kf)
    for what, args, base in (("--url alone", ["--url"], "https://8x8.vc"),
                             ("--url https://8x8.vc/", ["--url", "https://8x8.vc/"],
                              "https://8x8.vc"),
                             ("--url=https://stage.8x8.vc", ["--url=https://stage.8x8.vc"],
                              "https://stage.8x8.vc")):
        r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", *args)
        if not t.ok(r.rc == 0 and len(r.lines) == 2, "JaaS %s: token and link" % what):
            t.diag(repr(r))
            continue
        t.eq(r.lines[1], "%s/%s/lobby?jwt=%s" % (base, JAAS_APP, r.lines[0]),
             "JaaS %s: the link is %s/AppID/room?jwt=token" % (what, base))
        t.ok(jaas_decode(r.lines[0], key), "JaaS %s: the token verifies" % what)
    r = cas(cfg, "token", "--url", "--room", "lobby", "--name", "Bob")
    t.ok(r.rc == 0 and r.lines[1].startswith("https://8x8.vc/%s/lobby?jwt=" % JAAS_APP),
         "JaaS: a bare --url before other options")
    hs = write_config(d, "hs.json")
    r = cas(hs, "token", "--room", "lobby", "--name", "Bob", "--url")
    t.ok(r.rc == 64 and "--url: give the meeting's base URL" in r.err and r.out == "",
         "self-hosted: a bare --url is a usage error")
    r = cas(hs, "token", "--room", "lobby", "--name", "Bob", "--url", "https://meet.example.org")
    t.ok(r.rc == 0 and r.lines[1].startswith("https://meet.example.org/lobby?jwt="),
         "self-hosted: --url base still links to base/room")


def test_rules(t, d, kf):
    refused(t, jaas_config(d, "r1.json", kf, kid="vpaas-magic-cookie-ffff/4f4910"),
            'jwt.kid: "vpaas-magic-cookie-ffff/4f4910" does not start with the AppID: '
            'JaaS wants "%s/KEY-ID"' % JAAS_APP, "a kid of another AppID")
    refused(t, jaas_config(d, "r2.json", kf, kid=JAAS_APP + "/"),
            "jwt.kid: ", "a kid with an empty key id")
    refused(t, jaas_config(d, "r3.json", kf, kid="4f4910"),
            "does not start with the AppID", "a bare key id as the kid")
    refused(t, jaas_config(d, "r4.json", kf, algorithm="RS384"),
            "jwt.algorithm: JaaS accepts RS256 only, not RS384", "RS384")
    refused(t, jaas_config(d, "r5.json", kf, algorithm="HS256"),
            "jwt.algorithm: JaaS accepts RS256 only, not HS256", "HS256")
    refused(t, jaas_config(d, "r6.json", kf, kid=None), "jwt.kid: missing: with "
            "jitsi.jaas it is \"%s/KEY-ID\"" % JAAS_APP, "no kid")
    refused(t, jaas_config(d, "r7.json", kf, audience="other"),
            "jwt.audience: JaaS wants \"jitsi\"", "another audience")
    refused(t, jaas_config(d, "r8.json", kf, secret="x" * 40),
            "jwt.secret: an HMAC secret does not go with RS256", "a secret")
    cfg = os.path.join(d, "r9.json")
    with open(cfg, "w") as f:
        json.dump({"jitsi": {"jaas": True, "domain": "meet.jitsi"},
                   "jwt": {"app_id": JAAS_APP, "kid": JAAS_KID, "private_key_file": kf}}, f)
    refused(t, cfg, "jitsi.domain: not used with jitsi.jaas: the sub claim is the "
            "AppID", "jitsi.domain")
    r = cas(jaas_config(d, "r10.json", kf, app="myapp", kid="myapp/1"), "check")
    t.ok(r.rc == 0 and 'jwt.app_id "myapp" does not start with "vpaas-magic-cookie-"'
         in r.err, "an AppID without vpaas-magic-cookie-: a warning")


def test_example(t, d, kf, key):
    path = os.path.join(TOP_SRCDIR, "contrib", "jaas-example.json")
    with open(path) as f:
        example = json.load(f)
    keyfile = example["jwt"]["private_key_file"]
    r = cas(path, "check")
    t.ok(r.rc == 66 and "jwt.private_key_file: %s: cannot open" % keyfile in r.err,
         "contrib/jaas-example.json as shipped: check names the missing key file")
    example["jwt"]["private_key_file"] = kf
    cfg = write_config(d, "example.json", text=json.dumps(example))
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and r.last == "configuration OK" and "jitsi.jaas: true" in r.out,
         "contrib/jaas-example.json with its key in place: configuration OK")
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", "--url")
    t.ok(r.rc == 0 and jaas_decode(r.lines[0], key)["sub"] == example["jwt"]["app_id"]
         and r.lines[1].startswith("https://8x8.vc/%s/lobby?jwt=" % example["jwt"]["app_id"]),
         "contrib/jaas-example.json: a JaaS token and its meeting link")


def main(t):
    key = new_rsa()
    with tempdir() as d:
        kf = write_key(d, "jaas.pem", key)
        test_tokens(t, d, key, kf)
        test_url(t, d, kf, key)
        test_rules(t, d, kf)
        test_example(t, d, kf, key)


if __name__ == "__main__":
    TAP().run(main)
