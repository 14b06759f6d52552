#!/usr/bin/python3
"""verify with RSA keys: tokens are checked with the configured key their kid
names, previous keys included, or with the keys of --jwks FILE or --key
PEM-FILE; each failure names its rule (kid, alg, signature); algorithm
confusion is refused: an HS256 token keyed with the RSA public key's PEM, an
RS token presented to an HS configuration, alg changed after signing.  The
tokens are made with PyJWT and python3-cryptography, not by the program."""

import hashlib
import hmac
import json

import jwt

from caslib import TAP, tempdir, write_config
from adminlib import b64url, cas, claims
from rsalib import (KID, OLD_KID, new_rsa, public_pem, rs_config, rs_mint,
                    rsa_sign, write_file, write_key)


def expect(t, cfg, token, verdict, what, *args):
    """verdict "valid", or the rule an "invalid: RULE: ..." line names,
    optionally with text the line must hold after it ("kid: unknown kid")."""
    r = cas(cfg, "verify", *args, token)
    if verdict == "valid":
        good = r.rc == 0 and r.last == "valid"
        desc = "%s: valid" % what
    else:
        good = r.rc == 1 and r.last.startswith("invalid: %s" % verdict)
        desc = "%s: invalid: %s" % (what, verdict)
    if not t.ok(good, desc):
        t.diag(repr(r))
    return r


def forge(header, claim_set, sign):
    """A token with exactly this header, signed by sign(signing input)."""
    si = "%s.%s" % (b64url(header), b64url(claim_set))
    sig = jwt.utils.base64url_encode(sign(si.encode())).decode()
    return "%s.%s" % (si, sig)


def test_configured(t, cfg, key, old):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    expect(t, cfg, r.last, "valid", "the program's own RS256 token")
    expect(t, cfg, rs_mint(claims(), key), "valid", "a PyJWT RS256 token, current kid")
    expect(t, cfg, rs_mint(claims(), old, kid=OLD_KID), "valid",
           "a token of the previous key, its kid")
    expect(t, cfg, rs_mint(claims(), key, kid="nobody"), "kid: unknown kid \"nobody\"",
           "an unknown kid")
    expect(t, cfg, rs_mint(claims(), key, kid=None), "kid: missing", "no kid")
    expect(t, cfg, rs_mint(claims(), old, kid=KID), "signature",
           "the previous key's signature under the current kid")
    expect(t, cfg, rs_mint(claims(), new_rsa(), kid=KID), "signature",
           "another key's signature under the current kid")
    good = rs_mint(claims(), key)
    h, p, s = good.split(".")
    expect(t, cfg, "%s.%s.%s" % (h, b64url(claims(room="kitchen")), s), "signature",
           "claims changed after signing")
    expect(t, cfg, rs_mint(claims(), key, alg="RS384"), "alg", "an RS384 token to RS256")


def test_confusion(t, d, cfg, key):
    pem = public_pem(key)
    # PyJWT refuses to use a PEM as an HMAC secret, so the forgery is made by hand.
    for what, keyed in (("the public key PEM", pem), ("the PEM without its newline",
                                                       pem.rstrip(b"\n"))):
        tok = forge({"alg": "HS256", "typ": "JWT", "kid": KID}, claims(),
                    lambda si: hmac.new(keyed, si, hashlib.sha256).digest())
        expect(t, cfg, tok, "alg", "HS256 token keyed with %s" % what)
    hs = write_config(d, "hs.json")
    expect(t, hs, rs_mint(claims(), key), "alg", "an RS256 token to an HS256 configuration")
    # alg changed after signing: header rewritten, signature kept.
    good = rs_mint(claims(), key)
    _, p, s = good.split(".")
    for alg in ("RS384", "HS256", "none"):
        h2 = b64url({"alg": alg, "kid": KID, "typ": "JWT"})
        expect(t, cfg, "%s.%s.%s" % (h2, p, s), "alg",
               "alg changed to %s after signing" % alg)
    rs384 = rs_config(d, "rs384.json", write_key(d, "k384.pem", key), alg="RS384")
    h2 = b64url({"alg": "RS384", "kid": KID, "typ": "JWT"})
    expect(t, rs384, "%s.%s.%s" % (h2, p, s), "signature",
           "RS256 signature relabelled RS384, to an RS384 configuration")
    tok = forge({"alg": "RS384", "kid": KID, "typ": "JWT"}, claims(),
                lambda si: rsa_sign(key, si, "RS384"))
    expect(t, rs384, tok, "valid", "a real RS384 signature, to RS384")


def test_files(t, d, cfg, key, old):
    third = new_rsa()
    tok3 = rs_mint(claims(), third, kid="third")
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(third.public_key()))
    jwk.update(kid="third", alg="RS256", use="sig")
    ec_jwk = {"kty": "EC", "kid": "ec", "crv": "P-256",
              "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
              "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    jwks = write_file(d, "jwks.json", json.dumps({"keys": [ec_jwk, jwk]}))
    expect(t, cfg, tok3, "kid: unknown kid", "a third key's token, configured keys")
    expect(t, cfg, tok3, "valid", "--jwks: a PyJWT-made JWKS (an EC key "
           "beside, skipped) verifies its key's token", "--jwks", jwks)
    expect(t, cfg, rs_mint(claims(), key), "kid: unknown kid",
           "--jwks: the configured keys are not used then", "--jwks", jwks)
    jwk_384 = dict(jwk, alg="RS384")
    jwks384 = write_file(d, "jwks384.json", json.dumps({"keys": [jwk_384]}))
    expect(t, cfg, tok3, "alg", "--jwks: a key bound to RS384 refuses an RS256 "
           "token", "--jwks", jwks384)
    ours = write_file(d, "ours.json", cas(cfg, "pubkey", "--jwks").out)
    expect(t, cfg, rs_mint(claims(), old, kid=OLD_KID), "valid",
           "--jwks: our own published JWKS verifies a previous key's token",
           "--jwks", ours)
    pem_map = write_file(d, "map.json", json.dumps({"third": public_pem(third).decode()}))
    expect(t, cfg, tok3, "valid", "--jwks: Prosody's {kid: PEM} map", "--jwks", pem_map)
    pemfile = write_file(d, "third.pem", public_pem(third))
    expect(t, cfg, tok3, "valid", "--key: a PEM public key", "--key", pemfile)
    expect(t, cfg, rs_mint(claims(), key), "signature",
           "--key: another key's token", "--key", pemfile)
    r = cas(cfg, "verify", "--jwks", write_file(d, "bad.json", "{\"keys\": 3}"), tok3)
    t.ok(r.rc == 65 and "\"keys\" is not an array" in r.err,
         "--jwks with a broken file: exit 65, says why")
    r = cas(cfg, "verify", "--key", write_file(d, "priv.pem", b"junk"), tok3)
    t.ok(r.rc == 65 and "is not a PEM public key" in r.err,
         "--key with a file that is no public key: exit 65, says why")
    r = cas(write_config(d, "hs2.json"), "verify", "--jwks", jwks, tok3)
    t.ok(r.rc == 64 and "--jwks needs an RS algorithm" in r.err,
         "--jwks with an HS256 configuration: usage error")


def main(t):
    key = new_rsa()
    old = new_rsa()
    with tempdir() as d:
        kf = write_key(d, "key.pem", key)
        of = write_file(d, "old.pem", public_pem(old))
        cfg = rs_config(d, "rs.json", kf, previous=[(OLD_KID, of)])
        test_configured(t, cfg, key, old)
        test_confusion(t, d, cfg, key)
        test_files(t, d, cfg, key, old)


if __name__ == "__main__":
    TAP().run(main)
