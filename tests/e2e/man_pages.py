#!/usr/bin/python3
"""The manual pages render without a single warning, and name every option,
subcommand and configuration key the program accepts."""

import os
import re
import subprocess

from caslib import TAP, TOP_SRCDIR

PAGES = ("chat-admin-server.8", "chat-admin-server.json.5")


def lint(t, page):
    path = os.path.join(TOP_SRCDIR, "man", page)
    # mandoc checks mdoc itself; run beside the pages so the cross-references resolve.
    r = subprocess.run(["mandoc", "-Tlint", "-Wwarning", page],
                       cwd=os.path.dirname(path), capture_output=True, text=True)
    t.ok(r.returncode == 0 and r.stdout.strip() == "", "%s: mandoc -Tlint is clean" % page)
    if r.stdout.strip():
        t.diag(r.stdout)
    r = subprocess.run(["man", "--warnings", "-l", path], capture_output=True,
                       text=True, env=dict(os.environ, MANWIDTH="80"))
    t.ok(r.returncode == 0 and r.stderr.strip() == "", "%s: man --warnings is silent" % page)
    if r.stderr.strip():
        t.diag(r.stderr)
    return r.stdout


def main(t):
    text = {page: lint(t, page) for page in PAGES}
    # man renders hyphens and quotes in its own ways; compare on plain words.
    flat = {page: re.sub(r"[\u2010\u2212\u2018\u2019\u201c\u201d]", "-", s)
            for page, s in text.items()}
    for opt in ("--config", "--inetd", "--quiet", "--verbose", "--help",
                "--version", "--room", "--name", "--email", "--avatar", "--id",
                "--moderator", "--valid-for", "--valid-until", "--url",
                "--jwks", "--key", "--asap"):
        t.ok(opt in flat["chat-admin-server.8"], "chat-admin-server(8) documents %s" % opt)
    for word in ("token", "verify", "check", "SIGTERM", "SIGHUP", "LISTEN_FDS",
                 "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM", "pubkey",
                 "jwt-private-key"):
        t.ok(word in flat["chat-admin-server.8"], "chat-admin-server(8) documents %s" % word)
    for key in ("domain", "app_id", "secret", "secret_file", "audience",
                "algorithm", "inbound", "outbound", "host", "port",
                "max_valid_for", "allow_moderator", "rooms", "allow_all_rooms",
                "max_request_bytes", "idle_timeout", "max_connections",
                "max_requests_per_connection", "jwt-secret", "spare_processes",
                "jaas", "kid",
                "private_key_file", "private_key", "previous_keys",
                "public_key_file", "jwt-private-key", "RS256", "RS384", "RS512",
                "asap_key_server", "cache_keys_url"):
        t.ok(key in flat["chat-admin-server.json.5"],
             "chat-admin-server.json(5) documents %s" % key)
    # Jitsi's wider vocabulary: options, request fields, claims and keys.
    for opt in ("--feature", "--lobby-bypass", "--security-bypass",
                "--hidden-from-recorder", "--group", "--tenant"):
        t.ok(opt in flat["chat-admin-server.8"], "chat-admin-server(8) documents %s" % opt)
    for word in ("features", "lobbyBypass", "securityBypass", "hiddenFromRecorder",
                 "group", "tenant", "context.features", "lobby_bypass",
                 "security_bypass", "hidden-from-recorder", "context.group",
                 "context.tenant", "featureInvalid"):
        t.ok(word in flat["chat-admin-server.8"], "chat-admin-server(8) documents %s" % word)
    for key in ("features.moderator", "features.member", "features.requestable",
                "allow_lobby_bypass", "allow_security_bypass",
                "allow_hidden_from_recorder", "tenants", "86400"):
        t.ok(key in flat["chat-admin-server.json.5"],
             "chat-admin-server.json(5) documents %s" % key)
    for name in ("branding", "calendar", "create-polls", "file-upload", "flip",
                 "inbound-call", "livestreaming", "live-translation", "lobby",
                 "moderation", "outbound-call", "recording", "room",
                 "screen-sharing", "send-groupchat", "send-private-message",
                 "list-visitors", "sip-inbound-call", "sip-outbound-call",
                 "transcription"):
        t.ok(name in flat["chat-admin-server.8"],
             "chat-admin-server(8) lists the feature %s" % name)
    # Who may ask: the clients table, Unix sockets, the game link's policy.
    for word in ("--client", "SO_PEERCRED", "SO_PEERGROUPS", "client not allowed",
                 "inbound.path", "clients"):
        t.ok(word in flat["chat-admin-server.8"], "chat-admin-server(8) documents %s" % word)
    for key in ("inbound.path", "inbound.mode", "inbound.group",
                "outbound.policy", "clients", "name", "user", "uid", "group",
                "gid", "address", "client not allowed"):
        t.ok(key in flat["chat-admin-server.json.5"],
             "chat-admin-server.json(5) documents %s" % key)
    for page in PAGES:
        json_quotes(t, page)


def json_quotes(t, page):
    """On a macro line, a word starting with a double quote is a quoted
    argument and loses its quotes, so JSON written there renders wrong:
    {"a": 1, "b": 2} shows as {"a": 1, b: 2}. Such JSON needs \\(dq."""
    bad = []
    with open(os.path.join(TOP_SRCDIR, "man", page), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith(".") and "{" in line and re.search(r'\s"\w', line):
                bad.append("%d: %s" % (n, line.rstrip()))
    if not t.ok(not bad, "%s: JSON on macro lines keeps its quotes" % page):
        t.diag("\n".join(bad))


if __name__ == "__main__":
    TAP().run(main)
