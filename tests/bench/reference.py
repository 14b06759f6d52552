#!/usr/bin/python3
# Benchmark reference: the same token service as a stdin filter on Python and Debian's python3-jwt (PyJWT).
"""Usage: reference.py CONFIG < requests > replies"""

import json
import re
import sys
import time

import jwt

BAD_ROOM = re.compile(r"[\s\x00-\x1f\x7f\"&'/:<>@]")
OPTIONAL = ("email", "avatar", "id")


def load(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    j = cfg["jwt"]
    return (j["secret"], j["app_id"], j.get("audience", "jitsi"),
            cfg["jitsi"]["domain"], j.get("algorithm", "HS256"))


def answer(text, conf):
    """One request's text to one reply dict, with the checks the C server makes."""
    secret, iss, aud, sub, alg = conf
    now = int(time.time())
    reply = {"success": False, "message": "", "token": "", "time": now}
    try:
        req = json.loads(text)
    except ValueError as e:
        reply["message"] = "malformed JSON: %s" % e
        return reply
    if not isinstance(req, dict):
        reply["message"] = "request must be a JSON object"
        return reply

    def fail(msg):
        reply["message"] = msg
        if "seq" in req:
            reply["seq"] = req["seq"]
        return reply

    cmd = req.get("cmd")
    if cmd is None:
        return fail("cmd missing")
    if not isinstance(cmd, str):
        return fail("cmd must be a string")
    if cmd != "jwt_token":
        return fail('unknown cmd: only "jwt_token" is supported')
    for f in ("displayName", "channel"):
        if f not in req:
            return fail(f + " missing")
        if not isinstance(req[f], str):
            return fail(f + " must be a string")
        if req[f] == "":
            return fail(f + " must not be empty")
    if req["channel"] != "*" and BAD_ROOM.search(req["channel"]):
        return fail("channel contains characters not allowed in a room name")
    if "moderator" not in req:
        return fail("moderator missing")
    mod = req["moderator"]
    if not isinstance(mod, bool):
        return fail("moderator must be true or false")
    for f in OPTIONAL:
        if f in req and not isinstance(req[f], str):
            return fail(f + " must be a string")
    if ("validFor" in req) == ("validUntil" in req):
        return fail("give exactly one of validFor and validUntil")
    if "validFor" in req:
        v = req["validFor"]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            return fail("validFor must be a positive integer")
        exp = now + v
    else:
        v = req["validUntil"]
        if isinstance(v, bool) or not isinstance(v, int):
            return fail("validUntil must be an integer (epoch seconds)")
        if v <= now:
            return fail("validUntil is in the past")
        exp = v
    user = {"name": req["displayName"]}
    for f in OPTIONAL:
        if f in req:
            user[f] = req[f]
    user["affiliation"] = "owner" if mod else "member"
    user["moderator"] = "true" if mod else "false"
    claims = {"iss": iss, "aud": aud, "sub": sub, "room": req["channel"],
              "iat": now, "nbf": now - 10, "exp": exp, "moderator": mod,
              "context": {"user": user}}
    reply["success"] = True
    reply["message"] = "OK"
    reply["token"] = jwt.encode(claims, secret, algorithm=alg)
    if "seq" in req:
        reply["seq"] = req["seq"]
    return reply


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__ + "\n")
        return 64
    conf = load(sys.argv[1])
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    pending = b""
    while True:
        chunk = inp.read1(65536)
        data = pending + chunk
        replies = []
        start = 0
        # Requests end at NUL or newline; answer each, one write per chunk read.
        for m in re.finditer(rb"[\n\0]", data):
            text = data[start:m.start()]
            start = m.end()
            if not text.strip():
                continue
            end = "\n\0" if m.group() == b"\0" else "\n"
            replies.append(dumps(answer(text, conf)) + end)
        pending = data[start:]
        if not chunk and pending.strip():
            replies.append(dumps(answer(pending, conf)) + "\n")
            pending = b""
        if replies:
            out.write("".join(replies).encode("utf-8"))
            out.flush()
        if not chunk:
            return 0


if __name__ == "__main__":
    sys.exit(main())
