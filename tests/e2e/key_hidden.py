#!/usr/bin/python3
"""The private key never leaves the program: no piece of it (its PEM text,
its private numbers in hex, base64 or base64url) on stdout or stderr,
whatever the subcommand, the requests, the log level or the mistake in the
configuration; after start its PEM text and its DER encoding are nowhere in
the process's readable memory (only the parsed key is, in OpenSSL's
structures); a process holding it runs with core dumps off and leaves no
core file when it crashes."""

import base64
import os
import re
import signal
import subprocess

from caslib import CAS_BIN, TAP, child_env, request, tempdir, write_config
from adminlib import cas
from netlib import skip, start_listener
from rsalib import (KID, OLD_KID, private_numbers_be, private_pem, public_pem,
                    new_rsa, rs_config, write_file, write_key)


def private_der(key):
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def text_forms(key):
    """Strings that would betray the private key in any output."""
    forms = set()
    for v in private_numbers_be(key).values():
        forms.add(v.hex().encode())
        forms.add(v.hex().upper().encode())
        for k in range(3):
            chunk = v[k:k + (len(v) - k) // 3 * 3]
            forms.add(base64.b64encode(chunk).rstrip(b"="))
            forms.add(base64.urlsafe_b64encode(chunk).rstrip(b"="))
    # 24-character windows of the PEM's base64 past the public modulus: any
    # line of the private part, or half of one, holds one of them.
    der = private_der(key)
    start = der.find(private_numbers_be(key)["d"])
    body = b"".join(private_pem(key).splitlines()[1:-1])
    c0 = 4 * (-(-start // 3))
    forms.update(body[i:i + 24] for i in range(c0, len(body) - 24, 24))
    return forms


def found_in(forms, *outputs):
    blob = b"\n".join(o if isinstance(o, bytes) else o.encode() for o in outputs)
    # Long forms may be cut by a line break in the output; undo that too.
    flat = blob.replace(b"\n", b"")
    return [f for f in forms if f in blob or f in flat]


def check(t, forms, what, r):
    leaked = found_in(forms, r.out, r.err)
    if not t.ok(not leaked, "%s: no piece of the private key in its output" % what):
        t.diag("found %r; %r" % (leaked[:3], r))


def test_outputs(t, d, key, forms):
    kf = write_key(d, "key.pem", key, mode=0o644)
    old = new_rsa()
    of = write_file(d, "old.pub", public_pem(old))
    cfg = rs_config(d, "rs.json", kf, previous=[(OLD_KID, of)])
    check(t, forms, "check -v", cas(cfg, "-v", "check"))
    r = cas(cfg, "-v", "token", "--room", "lobby", "--name", "Bob", "--url", "https://m.example")
    check(t, forms, "token -v", r)
    token = r.lines[0] if r.lines else ""
    check(t, forms, "verify -v of a good token", cas(cfg, "-v", "verify", token))
    check(t, forms, "verify -v of a forged token", cas(cfg, "-v", "verify", token[:-6] + "AAAAAA"))
    check(t, forms, "pubkey", cas(cfg, "pubkey"))
    check(t, forms, "pubkey --jwks", cas(cfg, "pubkey", "--jwks"))
    asap = os.path.join(d, "asap")
    check(t, forms, "pubkey --asap", cas(cfg, "pubkey", "--asap", asap))
    files = b"".join(open(os.path.join(asap, n), "rb").read() for n in os.listdir(asap))
    t.ok(not found_in(forms, files) and b"PRIVATE" not in files,
         "the ASAP files hold no piece of the private key")
    stream = b"".join([request(seq=1) + b"\0", b'{"cmd":"jwt_token","displayName":"Bo"b"}\0',
                       request(channel="a b", seq=2) + b"\0", b"[1]\n", b"{" * 3000 + b"\0"])
    check(t, forms, "serving good and bad requests with -v", cas(cfg, "-v", stdin=stream))


def test_bad_configs(t, d, key, forms):
    kf = write_key(d, "bad.pem", key)
    pem = private_pem(key).decode()
    head = '{"jitsi":{"domain":"meet.jitsi"},"jwt":{"app_id":"skotos",'
    texts = [
        ("the key inline", rs_config(d, "b1.json", kf, jwt={"private_key": pem})),
        ("the key inline, then malformed JSON",
         write_config(d, "b2.json", text=head + '"private_key":"%s" ,,}}' % pem.replace("\n", "\\n"))),
        ("the key inline, unterminated",
         write_config(d, "b3.json", text=head + '"private_key":"%s' % pem.replace("\n", "\\n"))),
        ("the key in an unknown key",
         write_config(d, "b4.json", text=head + '"secret":"%s","pem":"%s"}}' %
                      ("s" * 40, pem.replace("\n", "\\n")))),
        ("an HS config with the key file", write_config(d, "b5.json", jwt={"private_key_file": kf})),
        ("the private key as a previous key", rs_config(d, "b6.json", kf, previous=[(OLD_KID, kf)])),
        ("the key with a wrong JaaS kid",
         write_config(d, "b7.json", text='{"jitsi":{"jaas":true},"jwt":{"app_id":"vpaas-magic-'
                      'cookie-1","kid":"x/1","private_key_file":"%s"}}' % kf)),
        ("the key file as the secret file", write_config(d, "b8.json", jwt={"secret": None,
                                                                           "secret_file": kf})),
        ("the key's PEM as jwt.secret", write_config(d, "b9.json", jwt={"secret": pem})),
    ]
    for what, cfg in texts:
        for args in (["-v", "check"], ["-v", "-i"]):
            r = cas(cfg, *args, stdin=request() + b"\n")
            leaked = found_in(forms, r.out, r.err)
            if what.endswith("jwt.secret") or what.endswith("secret file"):
                # An HMAC secret that happens to be a PEM: tokens, never the key.
                leaked = [f for f in leaked]
            if not t.ok(not leaked, "bad config, %s (%s): no piece of the key shown"
                        % (what, " ".join(args))):
                t.diag("found %r; %r" % (leaked[:3], r))


def readable_regions(pid):
    """(start, end) of the anonymous readable mappings: heap, stack, mmap."""
    regions = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else ""
            if parts[1][0] != "r" or (name and name not in ("[heap]", "[stack]")):
                continue
            # Sanitizer shadow memory is terabytes of zero pages: not where a key hides.
            if hi - lo > 64 << 20:
                continue
            regions.append((lo, hi))
    return regions


def memory_of(pid):
    chunks = []
    fd = os.open("/proc/%d/mem" % pid, os.O_RDONLY)
    try:
        for lo, hi in readable_regions(pid):
            try:
                chunks.append(os.pread(fd, hi - lo, lo))
            except OSError:
                pass
    finally:
        os.close(fd)
    return b"".join(chunks)


def memory_forms(key):
    """Byte strings that would be a copy of the key's PEM or DER."""
    der = private_der(key)
    start = der.find(private_numbers_be(key)["d"])
    pem_lines = private_pem(key).splitlines()[1:-1]
    forms = {line for line in pem_lines[len(pem_lines) // 3:]}
    # 32-byte windows of the DER's private part: any copy of it holds them.
    forms.update(der[i:i + 32] for i in range(start, len(der) - 32, 16))
    return forms


def scan(t, what, pid, forms, total):
    mem = memory_of(pid)
    hits = [f for f in forms if f in mem]
    if not t.ok(mem and not hits, "%s: after start, neither the PEM text nor the DER of "
                "the private key is in readable memory (%d KiB scanned)"
                % (what, len(mem) // 1024)):
        t.diag("%d of %d forms found" % (len(hits), total))


def test_memory(t, d, key):
    if os.geteuid() != 0:
        skip(t, "reading another process's memory needs root")
        return
    forms = memory_forms(key)
    kf = write_key(d, "mem.pem", key)
    cfg = rs_config(d, "mem.json", kf)
    p = subprocess.Popen([CAS_BIN, "-q", "-c", cfg], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=child_env())
    try:
        p.stdin.write(request(seq=1) + b"\n")
        p.stdin.flush()
        t.ok(b'"success":true' in p.stdout.readline(), "memory: the filter is serving")
        scan(t, "filter", p.pid, forms, len(forms))
        with open("/proc/%d/limits" % p.pid) as f:
            core = [l.split() for l in f if l.startswith("Max core file size")]
        t.ok(core and core[0][4:6] == ["0", "0"], "RLIMIT_CORE is 0 while holding the key")
        with open("/proc/%d/status" % p.pid) as f:
            status = f.read()
        t.ok(re.search(r"^Uid:", status, re.M) is not None and
             os.stat("/proc/%d/mem" % p.pid).st_uid == 0,
             "the process is not dumpable: its memory belongs to root")
        os.kill(p.pid, signal.SIGABRT)
        p.wait(timeout=10)
        t.eq(p.returncode, -signal.SIGABRT, "SIGABRT ends it")
        t.eq([n for n in os.listdir(d) if n.startswith("core")], [],
             "no core file is written")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    from caslib import OMIT
    proc, port = start_listener(d, "mem-listener", settle=3,
                                jwt={"secret": OMIT, "algorithm": "RS256", "kid": KID,
                                     "private_key_file": kf})
    try:
        if t.ok(port is not None, "memory: the listener is up"):
            scan(t, "listener", proc.pid, forms, len(forms))
    finally:
        proc.stop()


def main(t):
    key = new_rsa()
    forms = text_forms(key)
    with tempdir() as d:
        test_outputs(t, d, key, forms)
        test_bad_configs(t, d, key, forms)
        test_memory(t, d, key)


if __name__ == "__main__":
    TAP().run(main)
