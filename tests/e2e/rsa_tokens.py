#!/usr/bin/python3
"""RS256, RS384 and RS512: the header is exactly {"alg":…,"kid":…,"typ":"JWT"}
(the kid escaped as JSON, however long), PyJWT verifies every token with the
public key for the configured algorithm only, from the token subcommand, a
pipe stream and forked listener children alike; PKCS#8 and PKCS#1 keys both
load, from jwt.private_key_file or the systemd credential jwt-private-key."""

import os
import re

import jwt

from caslib import OMIT, TAP, request, split_responses, tempdir
from adminlib import cas
from netlib import NUL_TERM, Conn, start_listener
from rsalib import (KID, expected_header, header_bytes, new_rsa, rs_config,
                    rs_decode, verifies, write_key)

ALGS = ("RS256", "RS384", "RS512")


def token_of(cfg, env=None):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", env=env)
    return r, (r.last if r.rc == 0 else None)


def pipe_tokens(cfg, n=1, env=None):
    stream = b"".join(request(seq=i, displayName="Player %d" % i) + b"\0"
                      for i in range(n))
    r = cas(cfg, stdin=stream, env=env)
    return r, [x.get("token") for x in split_responses(r.out.encode())]


def test_algorithms(t, d, key, big):
    for alg in ALGS:
        k = big if alg == "RS512" else key
        kf = write_key(d, alg + ".pem", k)
        cfg = rs_config(d, alg + ".json", kf, alg=alg)
        r, tok = token_of(cfg)
        if not t.ok(tok, "%s: the token subcommand prints a token" % alg):
            t.diag(repr(r))
            continue
        t.eq(header_bytes(tok), expected_header(alg, KID),
             "%s: token subcommand: header bytes exact" % alg)
        t.ok(verifies(tok, k, alg), "%s: PyJWT verifies it with the public key" % alg)
        others = [a for a in ALGS if a != alg]
        t.ok(not any(verifies(tok, k, a) for a in others),
             "%s: PyJWT refuses it as %s" % (alg, " and ".join(others)))
        t.ok(not verifies(tok, new_rsa(), alg),
             "%s: PyJWT refuses it with another key" % alg)
        nbytes = k.key_size // 8
        t.eq(len(tok.split(".")[2]), (nbytes * 4 + 2) // 3,
             "%s: the signature is %d bytes, the key's size" % (alg, nbytes))
        r, toks = pipe_tokens(cfg, n=40)
        good = [x for x in toks if x and verifies(x, k, alg)]
        if not t.eq(len(good), 40, "%s: pipe: 40 requests, 40 tokens PyJWT "
                    "verifies" % alg):
            t.diag(repr(r))
        t.ok(all(header_bytes(x) == expected_header(alg, KID) for x in good),
             "%s: pipe: every header exact" % alg)


def test_key_forms(t, d, key):
    kf = write_key(d, "pkcs1.pem", key, form="pkcs1")
    with open(kf, "rb") as f:
        t.ok(f.read().startswith(b"-----BEGIN RSA PRIVATE KEY-----"),
             "the PKCS#1 file is a \"BEGIN RSA PRIVATE KEY\" PEM")
    cfg = rs_config(d, "pkcs1.json", kf)
    r, tok = token_of(cfg)
    t.ok(tok and verifies(tok, key), "a PKCS#1 key signs tokens PyJWT verifies")

    creds = os.path.join(d, "creds")
    os.mkdir(creds)
    other = new_rsa()
    write_key(creds, "jwt-private-key", other)
    env = {"CREDENTIALS_DIRECTORY": creds}
    cfg = rs_config(d, "cred.json", None, jwt={"private_key_file": OMIT})
    r, tok = token_of(cfg, env)
    t.ok(tok and verifies(tok, other),
         "the credential jwt-private-key signs when no file is named")
    r, toks = pipe_tokens(cfg, env=env)
    t.ok(toks and toks[0] and verifies(toks[0], other),
         "... for pipe requests too")
    cfg = rs_config(d, "file-over-cred.json", write_key(d, "k.pem", key))
    r, tok = token_of(cfg, env)
    t.ok(tok and verifies(tok, key) and not verifies(tok, other),
         "jwt.private_key_file comes before the credential")
    r = cas(cfg, "-v", "check", env=env)
    t.ok(r.rc == 0 and "jwt.private_key: (RSA 2048 bits from %s)" %
         os.path.join(d, "k.pem") in r.out, "check names the key's size and file")
    m = re.search(r"(\d+) bytes of OpenSSL's secure heap in use", r.err)
    if not t.ok(m and int(m.group(1)) >= 640,
                "-v: the parsed key's private parts are in OpenSSL's secure heap"):
        t.diag(r.err)


def test_kids(t, d, key):
    kf = write_key(d, "kids.pem", key)
    kids = [("a JaaS kid with a slash", "vpaas-magic-cookie-0a1b/4f4910"),
            ("quote and backslash", 'a"b\\c'),
            ("non-ASCII", "cl\u00e9-\u00fc-\u4e2d"),
            ("600 characters", "k" * 300 + "-" + "x" * 299)]
    for i, (what, kid) in enumerate(kids):
        cfg = rs_config(d, "kid%d.json" % i, kf, kid=kid)
        r, tok = token_of(cfg)
        if not t.ok(tok, "kid, %s: a token" % what):
            t.diag(repr(r))
            continue
        t.eq(header_bytes(tok), expected_header("RS256", kid),
             "kid, %s: header bytes exact" % what)
        t.ok(jwt.get_unverified_header(tok).get("kid") == kid and verifies(tok, key),
             "kid, %s: PyJWT reads the kid back and verifies" % what)


def test_listener(t, d, key):
    kf = write_key(d, "listener.pem", key)
    proc, port = start_listener(d, "rs-listener", settle=3,
                                jwt={"secret": OMIT, "algorithm": "RS256",
                                     "kid": KID, "private_key_file": kf})
    try:
        if not t.ok(port is not None, "listener with an RS256 key: listening"):
            t.diag(proc.log_tail())
            return
        toks = []
        for i in range(3):
            c = Conn("127.0.0.1", port)
            c.send(request(seq=i, displayName="Player %d" % i) + b"\0")
            raw = c.read_until(NUL_TERM, 10)
            c.close()
            m = re.search(rb'"token":"([^"]+)"', raw or b"")
            toks.append(m.group(1).decode() if m else None)
        t.ok(all(x and verifies(x, key) for x in toks),
             "listener: three connections, each child's token verifies")
        names = [rs_decode(x, key)["context"]["user"]["name"] if x else None
                 for x in toks]
        t.eq(names, ["Player 0", "Player 1", "Player 2"],
             "listener: each token is its own request's")
    finally:
        proc.stop()


def main(t):
    key = new_rsa()
    big = new_rsa(4096)
    with tempdir() as d:
        test_algorithms(t, d, key, big)
        test_key_forms(t, d, key)
        test_kids(t, d, key)
        test_listener(t, d, key)


if __name__ == "__main__":
    TAP().run(main)
