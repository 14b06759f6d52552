#!/usr/bin/python3
"""node's jsonwebtoken, a second independent implementation, verifies the
program's RS256, RS384 and RS512 tokens with the public key (and only with
the configured algorithm), and sees the header byte for byte as
{"alg":…,"kid":…,"typ":"JWT"}.  jsonwebtoken is installed with npm into the
build tree at test time; without node, npm or the registry the test is
skipped with the reason."""

import json
import os
import subprocess

from caslib import CAS_BIN, TAP, tempdir
from adminlib import cas
from netlib import skip
from rsalib import KID, expected_header, new_rsa, public_pem, rs_config, write_key

# Under the build tree, never the source tree; kept out of git by .gitignore.
NODE_DIR = os.path.join(os.path.dirname(os.path.dirname(CAS_BIN)), "tests", "e2e",
                        "node-jsonwebtoken")

CHECK_JS = r"""
const jwt = require('jsonwebtoken');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map((c) => {
  const r = { header: Buffer.from(c.token.split('.')[0], 'base64url').toString('utf8') };
  try {
    const p = jwt.verify(c.token, c.pem, { algorithms: [c.alg], audience: 'jitsi',
                                           issuer: c.iss });
    r.sub = p.sub;
    r.kid = jwt.decode(c.token, { complete: true }).header.kid;
  } catch (e) { r.error = e.message; }
  for (const other of ['RS256', 'RS384', 'RS512'].filter((a) => a !== c.alg)) {
    try { jwt.verify(c.token, c.pem, { algorithms: [other] }); r.also = other; }
    catch (e) { /* refused, as it must be */ }
  }
  return r;
});
process.stdout.write(JSON.stringify(out));
"""


def install():
    """None when jsonwebtoken is ready, else why it is not."""
    if os.path.isfile(os.path.join(NODE_DIR, "node_modules", "jsonwebtoken",
                                   "package.json")):
        return None
    for tool in ("node", "npm"):
        if subprocess.run(["sh", "-c", "command -v " + tool],
                          stdout=subprocess.DEVNULL).returncode != 0:
            return "%s is not installed" % tool
    os.makedirs(NODE_DIR, exist_ok=True)
    try:
        r = subprocess.run(["npm", "install", "--prefix", NODE_DIR, "--no-audit",
                            "--no-fund", "--no-save", "--prefer-offline",
                            "jsonwebtoken@9"], capture_output=True, text=True,
                           timeout=180)
    except subprocess.TimeoutExpired:
        return "npm install jsonwebtoken timed out (registry unreachable?)"
    if r.returncode != 0:
        tail = (r.stderr.strip().splitlines() or ["?"])[-1]
        return "npm install jsonwebtoken failed (%s)" % tail
    return None


def main(t):
    why = install()
    if why is not None:
        skip(t, why)
        return
    key = new_rsa()
    cases = []
    with tempdir() as d:
        kf = write_key(d, "key.pem", key)
        for alg in ("RS256", "RS384", "RS512"):
            cfg = rs_config(d, alg + ".json", kf, alg=alg)
            r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
            t.ok(r.rc == 0, "%s: a token" % alg)
            cases.append({"alg": alg, "token": r.last, "iss": "skotos",
                          "pem": public_pem(key).decode()})
        other = public_pem(new_rsa()).decode()
        cases.append(dict(cases[0], pem=other))
    env = dict(os.environ, NODE_PATH=os.path.join(NODE_DIR, "node_modules"))
    r = subprocess.run(["node", "-e", CHECK_JS], input=json.dumps(cases),
                       capture_output=True, text=True, env=env, timeout=60)
    try:
        results = json.loads(r.stdout)
    except ValueError:
        t.ok(False, "node ran the checks")
        t.diag(r.stderr)
        return
    for c, res in zip(cases[:3], results):
        alg = c["alg"]
        if not t.ok("error" not in res and res.get("sub") == "meet.jitsi" and
                    res.get("kid") == KID, "%s: jsonwebtoken verifies it" % alg):
            t.diag(repr(res))
        t.eq(res.get("header", "").encode(), expected_header(alg, KID),
             "%s: jsonwebtoken sees the header byte for byte" % alg)
        t.ok("also" not in res, "%s: jsonwebtoken refuses it under the other RS "
             "algorithms" % alg)
    t.ok("invalid signature" in results[3].get("error", ""),
         "jsonwebtoken refuses it with another public key")


if __name__ == "__main__":
    TAP().run(main)
