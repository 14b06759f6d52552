#!/usr/bin/python3
"""The admin subcommands and Jitsi's wider vocabulary: token's --feature,
--lobby-bypass, --security-bypass, --hidden-from-recorder, --group and
--tenant under the policy (PyJWT checks each token); verify printing and
checking them, an unknown feature reported as Jitsi's client reports it;
check printing the effective policy and warning about moderator tokens for
every room; policy keys that are wrong stopping the program."""

from caslib import TAP, decode, tempdir, write_config
from adminlib import cas, claims, mint

POLICY = {
    "max_valid_for": 7200,
    "features": {"moderator": {"recording": True, "livestreaming": False},
                 "requestable": ["screen-sharing", "recording", "flip"]},
    "allow_lobby_bypass": True, "allow_security_bypass": True,
    "allow_hidden_from_recorder": True, "tenants": ["acme"],
}


def token(t, cfg, what, *args):
    """Claims of the one token printed by token with args, or None."""
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", *args)
    if not t.ok(r.rc == 0 and len(r.lines) >= 1, "token %s: exit 0" % what):
        t.diag(repr(r))
        return None, r
    try:
        return decode(r.lines[0]), r
    except Exception as e:
        t.ok(False, "token %s: PyJWT verifies (%s)" % (what, e))
        return None, r


def test_token(t, cfg):
    c, _ = token(t, cfg, "--feature", "--feature", "screen-sharing",
                 "--feature", "flip=false")
    if c:
        t.eq(c["context"].get("features"),
             {"flip": "false", "screen-sharing": "true"},
             "--feature NAME and NAME=false: context.features")
    c, _ = token(t, cfg, "--moderator --feature recording=false", "--moderator",
                 "--feature", "recording=false")
    if c:
        t.eq(c["context"].get("features"),
             {"livestreaming": "false", "recording": "false"},
             "--moderator: features.moderator, with --feature over it")
    c, _ = token(t, cfg, "flags", "--lobby-bypass", "--security-bypass",
                 "--hidden-from-recorder", "--group", "vip")
    if c:
        user = c["context"]["user"]
        t.ok(user.get("lobby_bypass") is True and
             user.get("security_bypass") is True and
             user.get("hidden-from-recorder") is True,
             "--lobby-bypass, --security-bypass, --hidden-from-recorder: JSON true")
        t.eq(c["context"].get("group"), "vip", "--group: context.group")
    c, r = token(t, cfg, "--tenant", "--tenant", "ACME", "--url",
                 "https://meet.example.org/")
    if c:
        t.eq((c["sub"], c["context"].get("tenant"), c["room"]),
             ("acme", "acme", "lobby"), "--tenant: sub and context.tenant")
        t.eq(r.lines[1:], ["https://meet.example.org/acme/lobby?jwt=" + r.lines[0]],
             "--tenant with --url: the link is base/tenant/room")

    for args, message in (
            (["--feature", "transcription"],
             "features.transcription not allowed by policy"),
            (["--tenant", "other"], "tenant not allowed by policy"),
            (["--tenant", "a b"], "tenant contains a character that XMPP forbids"),
            (["--group", ""], "group must not be empty")):
        r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", *args)
        if not t.ok(r.rc == 1 and r.out == "" and message in r.err,
                    "token %s: exit 1, \"%s\" on stderr" % (" ".join(args), message)):
            t.diag(repr(r))
    known = "NAME one of: branding calendar create-polls"
    for args, message in (
            (["--feature", "bogus"], known),
            (["--feature", "recording=yes"], known),
            (["--feature", "flip", "--feature", "flip=false"],
             "--feature flip: given more than once")):
        r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", *args)
        if not t.ok(r.rc == 64 and r.out == "" and message in r.err,
                    "token %s: usage error 64, \"%s\"" % (" ".join(args), message)):
            t.diag(repr(r))

    default = write_config(cfg_dir(cfg), name="default.json")
    r = cas(default, "token", "--room", "lobby", "--name", "Bob", "--lobby-bypass")
    t.ok(r.rc == 1 and "lobbyBypass not allowed by policy" in r.err,
         "without policy.allow_lobby_bypass, --lobby-bypass is refused")


def cfg_dir(path):
    return path.rsplit("/", 1)[0]


def verify(cfg, tok, *args):
    return cas(cfg, "verify", *args, tok)


def test_verify(t, cfg):
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", "--moderator",
            "--feature", "screen-sharing", "--lobby-bypass",
            "--hidden-from-recorder", "--group", "vip")
    tok = r.last
    r = verify(cfg, tok)
    if not t.ok(r.rc == 0 and r.last == "valid", "verify: our token is valid"):
        t.diag(repr(r))
    t.eq(r.line("features:"),
         "features: livestreaming=false recording=true screen-sharing=true",
         "verify prints the features")
    t.eq(r.line("user flags:"),
         "user flags: lobby_bypass=true hidden-from-recorder=true",
         "verify prints the user flags")
    t.eq(r.line("group:"), "group: vip", "verify prints the group")

    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob", "--tenant", "acme")
    tok = r.last
    r = verify(cfg, tok)
    t.ok(r.rc == 0 and r.last == "valid" and r.line("tenant:") == "tenant: acme"
         and r.line("note: a token of tenant \"acme\"") is not None,
         "verify: a tenant's token is valid, with a note on its rooms")
    r = verify(cfg, tok, "--tenant", "ACME", "--room", "Lobby")
    t.ok(r.rc == 0 and r.last == "valid",
         "verify --tenant ACME --room Lobby: valid, compared in lowercase")
    r = verify(cfg, tok, "--tenant", "other")
    t.ok(r.rc == 1 and r.last == "invalid: sub: \"acme\" is not the tenant \"other\"",
         "verify --tenant other: invalid, sub named")
    r = cas(cfg, "token", "--room", "lobby", "--name", "Bob")
    r = verify(cfg, r.last, "--tenant", "acme")
    t.ok(r.rc == 1 and r.last.startswith("invalid: sub: \"meet.jitsi\""),
         "verify --tenant acme of a token without tenant: invalid")

    # Tokens made by PyJWT, not by the program.
    cases = [
        ({"features": {"recording": True, "recordin": True}},
         "invalid: context.features: featureInvalid: \"recordin\" is not a "
         "feature Jitsi knows", "an unknown feature, as Jitsi's client reports it"),
        ({"features": {"recording": "yes"}},
         "invalid: context.features: featureValueInvalid: \"recording\" is not "
         "true, false, \"true\" or \"false\"", "a feature value Jitsi refuses"),
        ({"features": ["recording"]}, "invalid: context.features: not an object",
         "features not an object"),
        ({"user": {"name": "B", "lobby_bypass": "true"}},
         "invalid: context.user: lobby_bypass is not a boolean, which is all "
         "its plugin reads", "lobby_bypass as a string"),
        ({"user": {"name": "B"}, "group": 5}, "invalid: context: group is not a string",
         "a group that is no string"),
    ]
    for ctx, want, what in cases:
        c = claims()
        c["context"].update(ctx)
        r = verify(cfg, mint(c))
        if not t.ok(r.rc == 1 and r.last == want, "verify: %s" % what):
            t.diag(repr(r))
    c = claims()
    c["context"]["features"] = {"recording": "true", "flip": False}
    r = verify(cfg, mint(c))
    t.ok(r.rc == 0 and r.line("features:") == "features: recording=true flip=false",
         "verify: features as strings or booleans are both valid")
    c = claims(sub="acme")
    r = verify(cfg, mint(c))
    t.ok(r.rc == 1 and r.last == "invalid: sub: \"acme\" is not the domain \"meet.jitsi\"",
         "verify: a sub that is neither the domain nor the token's tenant")
    # The tenant of [tenant]room is prepared by Prosody, as the room is.
    c = claims(sub="team-strasse")
    c["context"]["tenant"] = "team-strasse"
    tok = mint(c)
    for given in ("Team-Stra\u00dfe", "\uff34\uff25\uff21\uff2d-strasse"):
        r = verify(cfg, tok, "--tenant", given)
        if not t.ok(r.rc == 0 and r.last == "valid",
                    "verify --tenant %r: valid for the tenant nodeprep makes "
                    "of it" % given):
            t.diag(repr(r))
    r = verify(cfg, tok, "--tenant", "team strasse")
    t.ok(r.rc == 1 and r.last == "invalid: sub: no tenant can be named "
         "\"team strasse\": it contains U+0020, which XMPP forbids in a name "
         "(nodeprep)", "verify --tenant with a space: no tenant's name")


def test_check(t, d):
    cfg = write_config(d, name="check.json", policy=POLICY)
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and r.last == "configuration OK", "check: exit 0")
    for line in ("policy.max_valid_for: 7200",
                 "policy.features.moderator: livestreaming=false recording=true",
                 "policy.features.member: (not set)",
                 "policy.features.requestable: flip recording screen-sharing",
                 "policy.allow_lobby_bypass: true",
                 "policy.allow_security_bypass: true",
                 "policy.allow_hidden_from_recorder: true",
                 "policy.tenants: acme"):
        t.ok(line in r.lines, "check prints %s" % line)
    t.ok("allows moderator tokens for every room" in r.err,
         "check warns: moderators allowed, no room list")

    cfg = write_config(d, name="check-default.json")
    r = cas(cfg, "check")
    for line in ("policy.max_valid_for: 86400", "policy.allow_lobby_bypass: false",
                 "policy.tenants: (none: a request's tenant is refused)"):
        t.ok(line in r.lines, "check, no policy: prints %s" % line)
    t.ok(r.rc == 0 and "policy allows moderator tokens for every room" in r.err,
         "check, no policy: the default allows moderators everywhere, and says so")

    for policy, warns in (({"allow_moderator": False}, False),
                          ({"rooms": ["game-*"]}, False),
                          ({"rooms": ["game-*"], "allow_all_rooms": True}, True),
                          ({"rooms": ["lobby", "*"]}, True),
                          ({"rooms": ["**"]}, True),
                          ({"rooms": ["*"], "allow_moderator": False}, False),
                          ({"rooms": ["*-game"]}, False)):
        cfg = write_config(d, name="warn.json", policy=policy)
        r = cas(cfg, "check")
        t.eq(("every room" in r.err, r.rc), (warns, 0),
             "check, policy %s: %s" % (policy, "warns" if warns else "no warning"))

    for policy, message in (
            ({"features": {"moderator": {"recordin": True}}},
             "policy.features.moderator: \"recordin\" is not a Jitsi feature"),
            ({"features": {"requestable": "recording"}},
             "policy.features.requestable: must be an array of feature names"),
            ({"allow_lobby_bypass": "yes"},
             "policy.allow_lobby_bypass: must be true or false"),
            ({"tenants": "acme"}, "policy.tenants: must be an array of strings")):
        cfg = write_config(d, name="bad.json", policy=policy)
        r = cas(cfg, "check")
        if not t.ok(r.rc == 78 and "bad.json: " + message in r.err,
                    "check, %s: exit 78, the file and the key named" % message):
            t.diag(repr(r))
    cfg = write_config(d, name="typo.json", policy={"allow_lobbybypass": True})
    r = cas(cfg, "check")
    t.ok(r.rc == 0 and 'unknown key "policy.allow_lobbybypass" ignored' in r.err,
         "check: a misspelt policy key is warned about")


def main(t):
    with tempdir() as d:
        cfg = write_config(d, name="vocab.json", policy=POLICY)
        test_token(t, cfg)
        test_verify(t, cfg)
        test_check(t, d)


if __name__ == "__main__":
    TAP().run(main)
