#!/usr/bin/python3
"""jwt.algorithm HS384 and HS512: the header names the configured
algorithm, PyJWT verifies the token with it and refuses it as HS256, and the
verify subcommand agrees (valid with the configured algorithm, `invalid:
alg` for a token made with another)."""

import jwt

from caslib import (TAP, decode, raw_header, request, split_responses,
                    tempdir, write_config)
from adminlib import b64url, cas, claims, mint


def pyjwt_accepts(token, alg):
    try:
        decode(token, algorithms=(alg,))
        return True
    except jwt.InvalidTokenError:
        return False


def test_algorithm(t, d, alg):
    cfg = write_config(d, name=alg + ".json", jwt={"algorithm": alg})
    header = ('{"alg":"%s","typ":"JWT"}' % alg).encode()

    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    tok = r.last if r.rc == 0 else None
    if not t.ok(tok, "%s: the token subcommand prints a token" % alg):
        t.diag(repr(r))
        return
    t.eq(raw_header(tok), header, "%s: token subcommand: header is %s" %
         (alg, header.decode()))
    t.ok(pyjwt_accepts(tok, alg), "%s: PyJWT verifies it as %s" % (alg, alg))
    t.ok(not pyjwt_accepts(tok, "HS256"), "%s: PyJWT refuses it as HS256" % alg)
    sig = tok.split(".")[2]
    want_len = {"HS384": 64, "HS512": 86}[alg]   # 48 / 64 bytes, base64url
    t.eq(len(sig), want_len, "%s: signature is %d base64url characters" %
         (alg, want_len))

    r = cas(cfg, stdin=request(seq=7) + b"\0")
    resps = split_responses(r.out.encode())
    ptok = resps[0].get("token") if len(resps) == 1 else None
    if not t.ok(r.rc == 0 and ptok, "%s: a pipe request is answered with a "
                "token" % alg):
        t.diag(repr(r))
    else:
        t.eq(raw_header(ptok), header, "%s: pipe: header is %s" %
             (alg, header.decode()))
        t.ok(pyjwt_accepts(ptok, alg) and not pyjwt_accepts(ptok, "HS256"),
             "%s: pipe: PyJWT verifies as %s, refuses as HS256" % (alg, alg))

    r = cas(cfg, "verify", tok)
    t.ok(r.rc == 0 and r.last == "valid",
         "%s: verify accepts the program's own token" % alg)
    r = cas(cfg, "verify", mint(claims(), algorithm=alg))
    t.ok(r.rc == 0 and r.last == "valid",
         "%s: verify accepts a PyJWT %s token with the same secret" % (alg, alg))
    for other in ("HS256", "HS384", "HS512"):
        if other == alg:
            continue
        r = cas(cfg, "verify", mint(claims(), algorithm=other))
        if not t.ok(r.rc == 1 and r.last.startswith("invalid: alg: "),
                    "%s: verify rejects a PyJWT %s token: invalid: alg" %
                    (alg, other)):
            t.diag(repr(r))
    # The program's token relabelled as HS256 must not pass either check.
    relabelled = b64url(raw_header(mint(claims()))) + "." + \
        ".".join(tok.split(".")[1:])
    r = cas(cfg, "verify", relabelled)
    t.ok(r.rc == 1 and r.last.startswith("invalid: alg: "),
         "%s: its token relabelled HS256: invalid: alg" % alg)


def test_default_and_bad(t, d):
    cfg = write_config(d, name="default.json")
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    t.ok(r.rc == 0 and raw_header(r.last) == b'{"alg":"HS256","typ":"JWT"}'
         and pyjwt_accepts(r.last, "HS256"),
         "no jwt.algorithm: HS256, PyJWT verifies")
    cfg = write_config(d, name="explicit256.json", jwt={"algorithm": "HS256"})
    r = cas(cfg, "verify", mint(claims(), algorithm="HS512"))
    t.ok(r.rc == 1 and r.last.startswith("invalid: alg: "),
         "HS256 config: verify rejects an HS512 token: invalid: alg")
    for bad in ("RS256", "none", "hs256"):
        cfg = write_config(d, name="bad.json", jwt={"algorithm": bad})
        r = cas(cfg, "check")
        t.eq(r.rc, 78, "jwt.algorithm %r: check exits 78" % bad)


def main(t):
    with tempdir() as d:
        for alg in ("HS384", "HS512"):
            test_algorithm(t, d, alg)
        test_default_and_bad(t, d)


if __name__ == "__main__":
    TAP().run(main)
