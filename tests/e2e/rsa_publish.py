#!/usr/bin/python3
"""Publishing the public keys: pubkey prints the current key as PEM;
--jwks a document PyJWT's PyJWKSet loads and verifies tokens with; --asap DIR
the files Prosody's asap_key_server fetches, named by an independently
computed SHA-256 of each kid; a previous key is published beside the current
one and verifies its own tokens, but never signs.  check lists every key:
kid, type and size, ASAP file name and fingerprint, no private material."""

import base64
import json
import os
import re
import stat

import jwt
from cryptography.hazmat.primitives import serialization

from caslib import TAP, TOP_SRCDIR, tempdir, write_config
from adminlib import cas, claims
from rsalib import (KID, OLD_KID, asap_name, fingerprint, new_rsa,
                    private_numbers_be, public_pem, rs_config, rs_mint,
                    verifies, write_file, write_key)


def b64url_int(v):
    raw = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_pem(t, cfg, key):
    r = cas(cfg, "pubkey")
    t.eq(r.out.encode(), public_pem(key),
         "pubkey prints the current key's public half, a \"BEGIN PUBLIC KEY\" PEM")
    t.ok("PRIVATE" not in r.out, "... and nothing private")


def test_jwks(t, cfg, key, old, token):
    r = cas(cfg, "pubkey", "--jwks")
    try:
        doc = json.loads(r.out)
    except ValueError:
        t.ok(False, "pubkey --jwks prints JSON")
        t.diag(repr(r))
        return
    t.eq(r.out.count("\n"), 1, "pubkey --jwks: one line")
    keys = doc.get("keys", [])
    t.eq([k.get("kid") for k in keys], [KID, OLD_KID],
         "JWKS: the current key first, then the previous one")
    for k, which, ref in zip(keys, ("current", "previous"), (key, old)):
        pn = ref.public_key().public_numbers()
        t.eq(sorted(k), ["alg", "e", "kid", "kty", "n", "use"],
             "JWKS, %s key: kty, kid, alg, use, n, e and nothing else" % which)
        t.eq((k.get("kty"), k.get("alg"), k.get("use")), ("RSA", "RS256", "sig"),
             "JWKS, %s key: kty RSA, alg RS256, use sig" % which)
        t.eq((k.get("n"), k.get("e")), (b64url_int(pn.n), b64url_int(pn.e)),
             "JWKS, %s key: n and e are the key's, unpadded base64url" % which)
    jwks = jwt.PyJWKSet.from_dict(doc)
    by_kid = {k.key_id: k for k in jwks.keys}
    t.ok(KID in by_kid and jwt.decode(token, by_kid[KID].key, algorithms=["RS256"],
                                      audience="jitsi")["room"] == "lobby",
         "PyJWKSet loads the JWKS, and its current key verifies our token")
    pyjwk = jwt.PyJWK.from_dict(keys[0])
    t.ok(jwt.decode(token, pyjwk.key, algorithms=["RS256"], audience="jitsi"),
         "PyJWK loads the current JWK, which verifies our token")
    old_tok = rs_mint(claims(), old, kid=OLD_KID)
    t.ok(jwt.decode(old_tok, by_kid[OLD_KID].key, algorithms=["RS256"],
                    audience="jitsi"),
         "the previous JWK verifies a token its private key signed")
    t.ok(not verifies(token, by_kid[OLD_KID].key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
        "the previous JWK does not verify the current key's tokens")


def test_asap(t, d, cfg, key, old, token):
    out = os.path.join(d, "www", "keys", "asap")
    r = cas(cfg, "pubkey", "--asap", out)
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    want = sorted([asap_name(KID), asap_name(OLD_KID)])
    if not t.eq(names, want, "--asap: the directory and its parents made, "
                "sha256hex(kid).pem for the current and the previous key in it"):
        t.diag(repr(r))
        return
    t.eq(r.lines, [os.path.join(out, asap_name(k)) for k in (KID, OLD_KID)],
         "--asap: prints each file written")
    for kid, ref, which in ((KID, key, "current"), (OLD_KID, old, "previous")):
        path = os.path.join(out, asap_name(kid))
        with open(path, "rb") as f:
            data = f.read()
        t.eq(data, public_pem(ref), "--asap: the %s key's file is its PEM" % which)
        t.eq(stat.S_IMODE(os.stat(path).st_mode), 0o644,
             "--asap: the %s key's file is mode 0644, for the web server" % which)
    with open(os.path.join(out, asap_name(KID)), "rb") as f:
        t.ok(verifies(token, f.read()), "the current key's ASAP file verifies our token")
    # Run again over the existing directory: replaced, not duplicated.
    r = cas(cfg, "pubkey", "--asap", out)
    t.ok(r.rc == 0 and sorted(os.listdir(out)) == want,
         "--asap again: the files are replaced in place")


def test_check(t, cfg, key, old, old_file):
    r = cas(cfg, "check")
    want = [
        'key "%s": current, signs: RSA 2048 bits' % KID,
        'key "%s": ASAP file %s' % (KID, asap_name(KID)),
        'key "%s": SHA-256 of the public key %s' % (KID, fingerprint(key)),
        'key "%s": previous, verifies only: RSA 3072 bits from %s' % (OLD_KID, old_file),
        'key "%s": ASAP file %s' % (OLD_KID, asap_name(OLD_KID)),
        'key "%s": SHA-256 of the public key %s' % (OLD_KID, fingerprint(old)),
    ]
    got = [line for line in r.lines if line.startswith("key ")]
    if not t.eq(got, want, "check lists every key: kid, role, type and size, "
                "ASAP file, fingerprint"):
        t.diag(repr(r))
    blob = (r.out + r.err).encode()
    leaked = [n for n, v in private_numbers_be(key).items()
              if v.hex().encode() in blob.lower() or
              base64.urlsafe_b64encode(v).rstrip(b"=") in blob]
    t.eq(leaked, [], "check shows no private number, in hex or base64url")


def man_example():
    """chat-admin-server.json(5)'s self-hosted example: its configuration
    (the literal block that is JSON with an RS256 kid) and the file name
    its pubkey --asap block shows."""
    with open(os.path.join(TOP_SRCDIR, "man", "chat-admin-server.json.5")) as f:
        page = f.read()
    cfg, shown = None, None
    for block in re.findall(r"(?ms)^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", page):
        try:
            doc = json.loads(block)
        except ValueError:
            m = re.search(r"^# chat-admin-server pubkey --asap (\S+)\n(\S+)$",
                          block, re.M)
            if m and shown is None:
                shown = (m.group(1), m.group(2))
            continue
        if cfg is None and isinstance(doc, dict) and \
                doc.get("jwt", {}).get("algorithm") == "RS256":
            cfg = doc
    return cfg, shown


def test_man_example(t, d, key):
    """What the man page shows pubkey --asap printing is what it prints."""
    cfg, shown = man_example()
    if not t.ok(cfg is not None and shown is not None,
                "chat-admin-server.json(5) has the RS256 example and its "
                "pubkey --asap output"):
        return
    cfg["jwt"]["private_key_file"] = write_key(d, "man-key.pem", key)
    path = write_config(d, name="man.json", text=json.dumps(cfg))
    out = os.path.join(d, "man-asap")
    r = cas(path, "pubkey", "--asap", out)
    t.ok(r.rc == 0 and r.lines == [os.path.join(out, asap_name(cfg["jwt"]["kid"]))],
         "the man page's example: pubkey --asap writes sha256hex(kid).pem") \
        or t.diag(repr(r))
    t.eq(shown[1], os.path.join(shown[0], asap_name(cfg["jwt"]["kid"])),
         "the man page shows the file name pubkey --asap prints for its kid")


def main(t):
    key = new_rsa()
    old = new_rsa(3072)
    with tempdir() as d:
        kf = write_key(d, "key.pem", key)
        old_file = write_file(d, "old.pub.pem", public_pem(old), 0o644)
        cfg = rs_config(d, "rs.json", kf, previous=[(OLD_KID, old_file)])
        r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
        token = r.last
        t.ok(r.rc == 0 and verifies(token, key), "a token from the current key")
        t.ok(not verifies(token, old), "the previous key never signs")
        test_pem(t, cfg, key)
        test_jwks(t, cfg, key, old, token)
        test_asap(t, d, cfg, key, old, token)
        test_check(t, cfg, key, old, old_file)
        test_man_example(t, d, key)
        hs = write_config(d, "hs.json")
        r = cas(hs, "pubkey")
        t.ok(r.rc == 78 and "pubkey: jwt.algorithm is HS256: an HMAC secret has "
             "no public key" in r.err and r.out == "",
             "pubkey with an HS256 configuration: exit 78, says why")
        r = cas(cfg, "pubkey", "--jwks", "--asap", d)
        t.ok(r.rc == 64 and "usage:" in r.err, "--jwks and --asap together: usage, exit 64")


if __name__ == "__main__":
    TAP().run(main)
