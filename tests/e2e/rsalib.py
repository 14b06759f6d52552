"""Helpers for the end-to-end tests of RSA signing (RS256/384/512), key
publishing and JaaS: keys made with python3-cryptography (never with the
program), written as the files an operator would have, configurations that
use them, and tokens checked with PyJWT and those keys.  Everything else
comes from caslib and adminlib."""

import base64
import hashlib
import json
import os

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from caslib import APP_ID, AUDIENCE, OMIT, write_config

KID = "chat-2026"
OLD_KID = "chat-2025"
JAAS_APP = "vpaas-magic-cookie-0123456789abcdef0123456789abcdef"
JAAS_KID = JAAS_APP + "/4f4910"

_PRIVATE_FORMATS = {
    "pkcs8": serialization.PrivateFormat.PKCS8,
    "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
}


def new_rsa(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def new_ec():
    return ec.generate_private_key(ec.SECP256R1())


def new_ed25519():
    return ed25519.Ed25519PrivateKey.generate()


def private_pem(key, form="pkcs8", passphrase=None):
    enc = (serialization.BestAvailableEncryption(passphrase.encode())
           if passphrase else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, _PRIVATE_FORMATS[form], enc)


def public_pem(key, form="spki"):
    pub = key.public_key() if hasattr(key, "public_key") else key
    fmt = (serialization.PublicFormat.SubjectPublicKeyInfo if form == "spki"
           else serialization.PublicFormat.PKCS1)
    return pub.public_bytes(serialization.Encoding.PEM, fmt)


def public_der(key):
    pub = key.public_key() if hasattr(key, "public_key") else key
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key):
    """Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(public_der(key)).hexdigest()


def asap_name(kid):
    """Prosody's asap_key_server file name, computed independently."""
    return hashlib.sha256(kid.encode("utf-8")).hexdigest() + ".pem"


def write_file(d, name, data, mode=0o600):
    path = os.path.join(d, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
    return path


def write_key(d, name, key, form="pkcs8", passphrase=None, mode=0o600):
    return write_file(d, name, private_pem(key, form, passphrase), mode)


def rs_config(d, name, key_file, alg="RS256", kid=KID, previous=(), **overrides):
    """A configuration signing with key_file (no secret); previous is a list
    of (kid, public key file) pairs; overrides as for write_config."""
    jwt_section = {"secret": OMIT, "algorithm": alg, "kid": kid,
                   "private_key_file": key_file}
    if previous:
        jwt_section["previous_keys"] = [{"kid": k, "public_key_file": f}
                                        for k, f in previous]
    jwt_section.update(overrides.pop("jwt", {}))
    return write_config(d, name, jwt=jwt_section, **overrides)


def jaas_config(d, name, key_file, app=JAAS_APP, kid=JAAS_KID, **jwt_extra):
    """A JaaS configuration; a jwt key given as None is left out."""
    section = dict({"app_id": app, "kid": kid, "private_key_file": key_file},
                   **jwt_extra)
    cfg = {"jitsi": {"jaas": True},
           "jwt": {k: v for k, v in section.items() if v is not None}}
    return write_config(d, name, text=json.dumps(cfg, indent=2) + "\n")


def header_bytes(token):
    seg = token.split(".")[0]
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def expected_header(alg, kid):
    """The header the program must write, byte for byte: alg, kid, typ."""
    return ('{"alg":"%s","kid":%s,"typ":"JWT"}'
            % (alg, json.dumps(kid, ensure_ascii=False))).encode("utf-8")


def rs_decode(token, key, alg="RS256", issuer=APP_ID, audience=AUDIENCE,
              leeway=0):
    """Verify with PyJWT and the public half of key (a key object or PEM)."""
    pub = key if isinstance(key, (bytes, str)) else public_pem(key)
    return jwt.decode(token, pub, algorithms=[alg], audience=audience,
                      issuer=issuer, leeway=leeway,
                      options={"require": ["exp", "iat", "nbf", "iss", "aud"]})


def verifies(token, key, alg="RS256", **kw):
    try:
        rs_decode(token, key, alg, **kw)
        return True
    except jwt.InvalidTokenError:
        return False


def rs_mint(claim_set, key, alg="RS256", kid=KID, headers=None):
    """A reference RS token made by PyJWT (not by the program)."""
    h = {"kid": kid} if kid is not None else {}
    h.update(headers or {})
    tok = jwt.encode(claim_set, private_pem(key), algorithm=alg, headers=h)
    return tok.decode("ascii") if isinstance(tok, bytes) else tok


def rsa_sign(key, data, alg="RS256"):
    h = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(),
         "RS512": hashes.SHA512()}[alg]
    return key.sign(data, padding.PKCS1v15(), h)


def private_numbers_be(key):
    """The private parts (d, p, q, dp, dq, qi) as big-endian bytes."""
    pn = key.private_numbers()
    out = {}
    for name in ("d", "p", "q", "dmp1", "dmq1", "iqmp"):
        v = getattr(pn, name)
        out[name] = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return out

