#!/usr/bin/python3
"""Jitsi's wider token vocabulary over a pipe, under the operator's policy:
features (context.features), lobbyBypass, securityBypass and
hiddenFromRecorder (context.user's lobby_bypass, security_bypass and
hidden-from-recorder), group (context.group) and tenant (sub and
context.tenant).  Every token is checked by PyJWT; every refusal has its
message and the stream goes on; SkotOS's request, byte for byte, gets the
very token it got before, computed here independently, when the
configuration has no new keys."""

import base64
import hashlib
import hmac
import json
import stringprep
import unicodedata

from caslib import (SECRET, TAP, claims_in_order, decode, request, run_filter,
                    split_responses, tempdir, write_config)
from netlib import skotos_request

FEATURES = ("branding calendar create-polls file-upload flip inbound-call "
            "livestreaming live-translation lobby moderation outbound-call "
            "recording room screen-sharing send-groupchat send-private-message "
            "list-visitors sip-inbound-call sip-outbound-call "
            "transcription").split()


def nodeprep(name):
    """XMPP nodeprep (RFC 3920 appendix A over RFC 3454) with Python's
    stringprep tables, independently of the program's libidn; None when
    the name is refused."""
    s = "".join(stringprep.map_table_b2(c) for c in name
                if not stringprep.in_table_b1(c))
    s = unicodedata.normalize("NFKC", s)
    prohibited = (stringprep.in_table_c11, stringprep.in_table_c12,
                  stringprep.in_table_c21, stringprep.in_table_c22,
                  stringprep.in_table_c3, stringprep.in_table_c4,
                  stringprep.in_table_c5, stringprep.in_table_c6,
                  stringprep.in_table_c7, stringprep.in_table_c8,
                  stringprep.in_table_c9)
    if any(f(c) for c in s for f in prohibited) or any(c in "\"&'/:<>@" for c in s):
        return None
    ral = [stringprep.in_table_d1(c) for c in s]
    if any(ral) and (any(stringprep.in_table_d2(c) for c in s) or
                     not (ral[0] and ral[-1])):
        return None
    return s or None


def serve(t, cfg, what, reqs):
    """Send reqs (dicts of fields over the default request) in one stream;
    return one response per request, or [] after a failed check."""
    stream = b"".join(request(seq=i, **f) + b"\0" for i, f in enumerate(reqs))
    rc, out, err = run_filter(cfg, stream)
    resps = split_responses(out)
    if not t.ok(rc == 0 and len(resps) == len(reqs) and
                [r.get("seq") for r in resps] == list(range(len(reqs))),
                "%s: exit 0, one response per request, in order" % what):
        t.diag("rc=%r err=%r out=%r" % (rc, err[-600:], out[:600]))
        return []
    return resps


def claims_of(t, resp, what):
    """The PyJWT-verified claims of a served response, or None."""
    if not t.ok(resp.get("success") is True and resp.get("message") == "OK",
                "%s: served" % what):
        t.diag(repr(resp))
        return None
    try:
        return decode(resp.get("token"))
    except Exception as e:
        t.ok(False, "%s: PyJWT verifies the token (%s)" % (what, e))
        return None


def refused(t, resp, message, what):
    ok = (resp.get("success") is False and resp.get("message") == message and
          resp.get("token") == "")
    if not t.ok(ok, "%s: refused with \"%s\"" % (what, message)):
        t.diag("got: %r" % resp)


def test_fields(t, d):
    cfg = write_config(d, name="fields.json", policy={
        "features": {"requestable": ["recording", "screen-sharing", "flip"]},
        "allow_lobby_bypass": True, "allow_security_bypass": True,
        "allow_hidden_from_recorder": True, "tenants": ["acme", "team-*"]})
    reqs = [
        {"features": {"recording": True, "screen-sharing": False}},
        {"lobbyBypass": True},
        {"securityBypass": True},
        {"hiddenFromRecorder": True},
        {"group": "vip players \u00e9"},
        {"tenant": "Acme", "channel": "Lobby"},
        {"lobbyBypass": False, "securityBypass": False,
         "hiddenFromRecorder": False, "features": {"flip": True},
         "group": "g", "tenant": "team-\uff11", "moderator": True,
         "id": "u-7", "email": "a@example.org"},
    ]
    resps = serve(t, cfg, "every field", reqs)
    if not resps:
        return
    c = claims_of(t, resps[0], "features")
    if c:
        t.eq(c["context"].get("features"),
             {"recording": "true", "screen-sharing": "false"},
             "features: context.features holds the strings \"true\"/\"false\"")
        t.ok("features" not in c["context"]["user"] and c["sub"] == "meet.jitsi",
             "features: in context, not in context.user; sub stays the domain")
    c = claims_of(t, resps[1], "lobbyBypass")
    if c:
        t.ok(c["context"]["user"].get("lobby_bypass") is True,
             "lobbyBypass: context.user.lobby_bypass is JSON true")
        t.ok("features" not in c["context"],
             "lobbyBypass: no context.features without a features key")
    c = claims_of(t, resps[2], "securityBypass")
    if c:
        t.ok(c["context"]["user"].get("security_bypass") is True,
             "securityBypass: context.user.security_bypass is JSON true")
    c = claims_of(t, resps[3], "hiddenFromRecorder")
    if c:
        t.ok(c["context"]["user"].get("hidden-from-recorder") is True,
             "hiddenFromRecorder: context.user[\"hidden-from-recorder\"] is JSON true")
    c = claims_of(t, resps[4], "group")
    if c:
        t.eq(c["context"].get("group"), "vip players \u00e9",
             "group: context.group, as sent")
    c = claims_of(t, resps[5], "tenant")
    if c:
        t.eq((c["sub"], c["context"].get("tenant"), c["room"]),
             ("acme", "acme", "lobby"),
             "tenant: sub and context.tenant are the prepared tenant; room stays the (prepared) room")
    c = claims_of(t, resps[6], "all at once")
    if c:
        tenant = nodeprep("team-\uff11")
        user = c["context"]["user"]
        t.eq((user.get("lobby_bypass"), user.get("security_bypass"),
              user.get("hidden-from-recorder")), (False, False, False),
             "all at once: false flags are written as JSON false")
        t.eq((user.get("id"), user.get("moderator"), user.get("affiliation")),
             ("u-7", "true", "owner"),
             "all at once: id and moderator stay strings")
        t.eq((c["sub"], c["context"].get("tenant")), (tenant, tenant),
             "all at once: the tenant as an independent nodeprep makes it (%s)"
             % tenant)
        keys = [k for k, _ in dict(claims_in_order(resps[6].get("token")))["context"]]
        t.eq(keys, ["user", "features", "group", "tenant"],
             "all at once: context holds user, features, group, tenant, in order")


def test_tenants_prepared(t, d):
    names = ["ACME", "Stra\u00dfe", "\uff54\uff45\uff41\uff4d-2", "caf\u00c9",
             "x\u200by"]
    cfg = write_config(d, name="tenants.json", policy={"tenants": ["*"]})
    resps = serve(t, cfg, "tenants prepared", [{"tenant": n} for n in names])
    for name, resp in zip(names, resps):
        want = nodeprep(name)
        c = claims_of(t, resp, "tenant %r" % name)
        if c:
            t.eq((c["sub"], c["context"].get("tenant")), (want, want),
                 "tenant %r: sub and context.tenant are its nodeprep %r" %
                 (name, want))


def test_roles(t, d):
    cfg = write_config(d, name="roles.json", policy={
        "features": {"moderator": {"recording": True, "livestreaming": True,
                                   "transcription": False},
                     "member": {"screen-sharing": False},
                     "requestable": ["screen-sharing", "transcription"]}})
    reqs = [
        {"moderator": True},
        {"moderator": False},
        {"moderator": True, "features": {"transcription": True}},
        {"moderator": False, "features": {"screen-sharing": True}},
        {"moderator": True, "features": {"recording": False}},
        {"moderator": False, "features": {"recording": True}},
        {"moderator": False},
    ]
    resps = serve(t, cfg, "role defaults", reqs)
    if not resps:
        return
    want = [
        ({"livestreaming": "true", "recording": "true", "transcription": "false"},
         "a moderator gets features.moderator"),
        ({"screen-sharing": "false"}, "a member gets features.member"),
        ({"livestreaming": "true", "recording": "true", "transcription": "true"},
         "a moderator's request turns on a requestable feature"),
        ({"screen-sharing": "true"}, "a member's request overrides its default"),
    ]
    for i, (features, what) in enumerate(want):
        c = claims_of(t, resps[i], what)
        if c:
            t.eq(c["context"].get("features"), features, what)
    refused(t, resps[4], "features.recording not allowed by policy",
            "a moderator may not change a default that is not requestable")
    refused(t, resps[5], "features.recording not allowed by policy",
            "a member may not ask for a feature that is not requestable")
    claims_of(t, resps[6], "the stream goes on after the refusals")

    cfg = write_config(d, name="noroles.json")
    resps = serve(t, cfg, "no policy", [{"moderator": True}, {}])
    for i, resp in enumerate(resps):
        c = claims_of(t, resp, "no features keys, request %d" % i)
        if c:
            t.ok("features" not in c["context"],
                 "no features keys, request %d: no context.features, so Jitsi "
                 "gives moderators its defaults" % i)


def test_refusals(t, d):
    cfg = write_config(d, name="strict.json", policy={
        "features": {"requestable": ["flip"]}, "tenants": ["acme"]})
    cases = [
        ({"features": {"recording": True}}, "features.recording not allowed by policy"),
        ({"features": {"recordin": True}}, "features.recordin is not a Jitsi feature"),
        ({"features": {"flip": "true"}}, "features.flip must be true or false"),
        ({"features": ["flip"]}, "features must be an object"),
        ({"lobbyBypass": True}, "lobbyBypass not allowed by policy"),
        ({"securityBypass": True}, "securityBypass not allowed by policy"),
        ({"hiddenFromRecorder": True}, "hiddenFromRecorder not allowed by policy"),
        ({"lobbyBypass": "yes"}, "lobbyBypass must be true or false"),
        ({"tenant": "other"}, "tenant not allowed by policy"),
        ({"tenant": "*"}, "tenant not allowed by policy"),
        ({"tenant": "a/b"},
         "tenant contains a character that XMPP forbids in a name (nodeprep)"),
        ({"tenant": ""}, "tenant must not be empty"),
        ({"group": 3}, "group must be a string"),
        ({"group": ""}, "group must not be empty"),
    ]
    reqs = []
    for fields, _ in cases:
        reqs += [fields, {}]
    resps = serve(t, cfg, "refusals", reqs)
    if not resps:
        return
    for i, (fields, message) in enumerate(cases):
        what = json.dumps(fields)
        refused(t, resps[2 * i], message, what)
        t.ok(resps[2 * i + 1].get("success") is True,
             "%s: the next request is served" % what)
    # Each refusal draws the same message in the same order however the
    # request is written, and a duplicate is refused rather than merged.
    raw = (b'{"cmd":"jwt_token","displayName":"B","channel":"c","moderator":false,'
           b'"validFor":60,"features":{"flip":true},"features":{"flip":true}}\0'
           b'{"cmd":"jwt_token","displayName":"B","channel":"c","moderator":false,'
           b'"validFor":60,"tenant":"acme","tenant":"acme"}\0')
    rc, out, _ = run_filter(cfg, raw)
    resps = split_responses(out)
    if t.eq(len(resps), 2, "duplicates: two answers"):
        refused(t, resps[0], "features given more than once", "features twice")
        refused(t, resps[1], "tenant given more than once", "tenant twice")

    cfg = write_config(d, name="notenants.json")
    resps = serve(t, cfg, "no policy.tenants", [{"tenant": "acme"}, {}])
    if resps:
        refused(t, resps[0], "tenant not allowed by policy",
                "without policy.tenants a tenant")
        claims_of(t, resps[1], "without policy.tenants, a request without one")


def expected_skotos_token(name, chan, iat):
    """The token SkotOS's request got before the wider vocabulary, made here
    with Python's hmac: the same claims, byte for byte."""
    def enc(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=")
    header = enc(b'{"alg":"HS256","typ":"JWT"}')
    payload = enc((
        '{"iss":"skotos","aud":"jitsi","sub":"meet.jitsi","room":"%s",'
        '"iat":%d,"nbf":%d,"exp":%d,"moderator":false,"context":{"user":'
        '{"name":"%s","affiliation":"member","moderator":"false"}}}'
        % (chan, iat, iat - 10, iat + 600, name)).encode())
    mac = hmac.new(SECRET.encode(), header + b"." + payload, hashlib.sha256).digest()
    return (header + b"." + payload + b"." + enc(mac)).decode()


def test_skotos_unchanged(t, d):
    users = [("Bob", "lobby"), ("Zo\u00eb", "game-1")]
    configs = [
        ("no new keys", write_config(d, name="skotos.json")),
        ("keys that touch no member token", write_config(
            d, name="skotos-keys.json", policy={
                "allow_lobby_bypass": True, "tenants": ["acme"],
                "features": {"requestable": ["recording"],
                             "moderator": {"recording": True}}})),
    ]
    for what, cfg in configs:
        stream = b"".join(skotos_request(n, c, 50 + i)
                          for i, (n, c) in enumerate(users))
        rc, out, _ = run_filter(cfg, stream)
        resps = split_responses(out)
        if not t.eq(len(resps), len(users), "SkotOS, %s: one reply each" % what):
            continue
        for (name, chan), resp in zip(users, resps):
            token = resp.get("token") or ""
            try:
                iat = decode(token)["iat"]
            except Exception as e:
                t.ok(False, "SkotOS, %s, %s: PyJWT verifies (%s)" % (what, name, e))
                continue
            t.eq(token, expected_skotos_token(name, chan, iat),
                 "SkotOS, %s, %s in %s: the token is the one of before, "
                 "byte for byte" % (what, name, chan))


def main(t):
    with tempdir() as d:
        test_fields(t, d)
        test_tenants_prepared(t, d)
        test_roles(t, d)
        test_refusals(t, d)
        test_skotos_unchanged(t, d)


if __name__ == "__main__":
    TAP().run(main)
