#!/usr/bin/python3
"""Every refusal of an RSA configuration, each with exit 78 (66 for a file
that cannot be read) and one line naming the configuration file, the key
file where there is one, and the problem: short, EC, Ed25519 and encrypted
keys, a public key where the private one goes and the other way round, an
inline key, secrets and keys mixed, a missing kid or key, previous keys
that are wrong or clash.  A private key file readable by others works with a
warning, as a secret file does."""

import os

from caslib import OMIT, TAP, tempdir, write_config
from adminlib import cas
from rsalib import (KID, OLD_KID, new_ec, new_ed25519, new_rsa, private_pem,
                    public_pem, rs_config, verifies, write_file, write_key)


def refused(t, cfg, want, what, status=78):
    """check and serving both refuse cfg with status and the message want."""
    for args in (["check"], ["-i"]):
        r = cas(cfg, *args, stdin=b"")
        line = "chat-admin-server: %s: %s" % (cfg, want)
        lines = r.err.splitlines()
        if not t.ok(r.rc == status and lines and lines[-1].startswith(line) and
                    r.out == "", "%s (%s): exit %d, %r" % (what, args[0], status, want)):
            t.diag(repr(r))


def damaged(pem):
    """pem with one line of its base64 body replaced by what is no base64."""
    lines = pem.split(b"\n")
    lines[3] = b"!" * len(lines[3])
    return b"\n".join(lines)


def test_private_keys(t, d, key):
    cases = [
        ("a 1024-bit key", write_key(d, "short.pem", new_rsa(1024)),
         "is an RSA key of 1024 bits: at least 2048 are required"),
        ("an EC key", write_key(d, "ec.pem", new_ec()),
         "is a key of type EC: Jitsi verifies RSA keys only (RS256, RS384, RS512)"),
        ("an Ed25519 key", write_key(d, "ed.pem", new_ed25519()),
         "is a key of type ED25519: Jitsi verifies RSA keys only"),
        ("an encrypted PKCS#8 key", write_key(d, "enc8.pem", key, passphrase="pw"),
         "is encrypted: give the key unencrypted"),
        ("an encrypted PKCS#1 key", write_key(d, "enc1.pem", key, "pkcs1", "pw"),
         "is encrypted: give the key unencrypted"),
        ("a public key", write_file(d, "pub.pem", public_pem(key)),
         "is not a PEM private key"),
        ("an empty file", write_file(d, "empty.pem", b""), "empty"),
        ("a truncated key", write_file(d, "cut.pem", private_pem(key)[:500]),
         "has a PEM private key header, but what it holds cannot be decoded: "
         "the file is damaged or truncated"),
        ("a damaged PKCS#1 key", write_file(d, "bad1.pem", damaged(
            private_pem(key, "pkcs1"))), "has a PEM private key header, but"),
    ]
    for what, path, why in cases:
        cfg = rs_config(d, os.path.basename(path) + ".json", path)
        refused(t, cfg, "jwt.private_key_file: %s: %s" % (path, why), what)
    missing = os.path.join(d, "nonexistent.pem")
    refused(t, rs_config(d, "missing.json", missing),
            "jwt.private_key_file: %s: cannot open: No such file or directory" % missing,
            "a missing key file", status=66)
    creds = os.path.join(d, "creds")
    os.mkdir(creds)
    write_key(creds, "jwt-private-key", new_rsa(1024))
    cfg = rs_config(d, "cred.json", None, jwt={"private_key_file": OMIT})
    r = cas(cfg, "check", env={"CREDENTIALS_DIRECTORY": creds})
    t.ok(r.rc == 78 and "credential %s: is an RSA key of 1024 bits" %
         os.path.join(creds, "jwt-private-key") in r.err,
         "a short key in the credential: exit 78, names the credential")


def test_mixes(t, d, key):
    kf = write_key(d, "key.pem", key)
    pem = private_pem(key).decode()
    refused(t, rs_config(d, "inline.json", kf, jwt={"private_key": pem}),
            "jwt.private_key: an inline private key is not accepted: put the PEM "
            "in a file of mode 0600 named by jwt.private_key_file", "an inline key")
    refused(t, rs_config(d, "rs-secret.json", kf, jwt={"secret": "x" * 40}),
            "jwt.secret: an HMAC secret does not go with RS256, which signs with "
            "jwt.private_key_file", "RS256 with jwt.secret")
    refused(t, rs_config(d, "rs-sfile.json", kf, alg="RS512",
                         jwt={"secret_file": kf}),
            "jwt.secret_file: an HMAC secret does not go with RS512",
            "RS512 with jwt.secret_file")
    refused(t, write_config(d, "hs-key.json", jwt={"private_key_file": kf}),
            "jwt.private_key_file: an RSA key does not go with HS256: set "
            "jwt.algorithm to RS256, RS384 or RS512", "HS256 with a key file")
    refused(t, write_config(d, "hs-kid.json", jwt={"algorithm": "HS384", "kid": KID}),
            "jwt.kid: only RS256, RS384 and RS512 tokens carry a kid (jwt.algorithm "
            "is HS384)", "HS384 with a kid")
    refused(t, rs_config(d, "nokid.json", kf, kid=OMIT),
            "jwt.kid: missing: RS256 tokens name their key", "RS256 without a kid")
    refused(t, rs_config(d, "nokey.json", None, jwt={"private_key_file": OMIT}),
            "no private key for RS256: set jwt.private_key_file, or pass the "
            "systemd credential jwt-private-key", "RS256 without a key")


def test_previous(t, d, key):
    kf = write_key(d, "cur.pem", key)
    old = new_rsa()
    of = write_file(d, "old.pub", public_pem(old))
    cases = [
        ("a private key as a previous key", [(OLD_KID, kf)],
         "jwt.previous_keys[0]: %s: is not a PEM public key" % kf),
        ("a short previous key",
         [(OLD_KID, write_file(d, "s.pub", public_pem(new_rsa(1024))))],
         "jwt.previous_keys[0]: %s: is an RSA key of 1024 bits" % os.path.join(d, "s.pub")),
        ("an EC previous key", [(OLD_KID, write_file(d, "e.pub", public_pem(new_ec())))],
         "jwt.previous_keys[0]: %s: is a key of type EC" % os.path.join(d, "e.pub")),
        ("a previous key with the current kid", [(KID, of)],
         "jwt.previous_keys[0]: kid \"%s\" is the current key's (jwt.kid)" % KID),
        ("a kid given twice", [(OLD_KID, of), ("x", of), (OLD_KID, of)],
         "jwt.previous_keys[2]: kid \"%s\" is given twice" % OLD_KID),
    ]
    for i, (what, prev, want) in enumerate(cases):
        refused(t, rs_config(d, "prev%d.json" % i, kf, previous=prev), want, what)
    missing = os.path.join(d, "gone.pub")
    refused(t, rs_config(d, "prev-missing.json", kf, previous=[(OLD_KID, missing)]),
            "jwt.previous_keys[0]: %s: cannot open" % missing,
            "a missing previous key file", status=66)
    for what, elem, want in (("no kid", {"public_key_file": of}, "kid missing"),
                             ("no file", {"kid": OLD_KID}, "public_key_file missing")):
        cfg = rs_config(d, "prev-%s.json" % what.replace(" ", ""), kf,
                        jwt={"previous_keys": [elem]})
        refused(t, cfg, "jwt.previous_keys[0]: " + want, "a previous key with " + what)
    for what, value in (("a string", "x"), ("strings", ["x"]), ("an object", {})):
        cfg = rs_config(d, "prev-shape.json", kf, jwt={"previous_keys": value})
        refused(t, cfg, "jwt.previous_keys: must be an array of objects, each with "
                "\"kid\" and \"public_key_file\"", "previous_keys as " + what)


def test_readable(t, d, key):
    kf = write_key(d, "open.pem", key, mode=0o644)
    cfg = rs_config(d, "open.json", kf)
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    t.ok(r.rc == 0 and verifies(r.last, key) and
         "warning: %s is readable by group or others and holds the private key" % kf
         in r.err, "a key file readable by others: a warning naming it, and it signs")
    kf2 = write_key(d, "closed.pem", key)
    r = cas(rs_config(d, "closed.json", kf2), "check")
    t.ok(r.rc == 0 and "readable" not in r.err, "a mode 0600 key file: no warning about it")
    pf = write_file(d, "open.pub", public_pem(key), mode=0o644)
    r = cas(rs_config(d, "open-pub.json", pf), "check")
    t.ok(r.rc == 78 and "is not a PEM private key" in r.err and
         "holds the private key" not in r.err,
         "a readable public key given as the private key: refused, without a "
         "warning that it holds the private key")


def main(t):
    key = new_rsa()
    with tempdir() as d:
        test_private_keys(t, d, key)
        test_mixes(t, d, key)
        test_previous(t, d, key)
        test_readable(t, d, key)


if __name__ == "__main__":
    TAP().run(main)
