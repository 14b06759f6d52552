#!/bin/sh
# Unhook a SkotOS game from Jitsi: stop chat-admin-server, set its config
# aside and drop the jitsi_host line from the game's instance file.
#
# Usage: unconfigure-jitsi.sh GAME_ROOT
#
# Uses $CAS_CONFIG (default /etc/chat-admin-server.json) and the pid file of
# start-chat-admin-server.sh, $CAS_PIDFILE (default
# /run/chat-admin-server.pid).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: unconfigure-jitsi.sh GAME_ROOT" >&2
	exit 64
fi
game_root=$1
config=${CAS_CONFIG:-/etc/chat-admin-server.json}
pidfile=${CAS_PIDFILE:-/run/chat-admin-server.pid}

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] &&
	systemctl is-active --quiet chat-admin-server-outbound.service; then
	systemctl disable --now chat-admin-server-outbound.service
	echo "stopped and disabled chat-admin-server-outbound.service"
fi
if [ -f "$pidfile" ]; then
	pid=$(cat "$pidfile")
	# Only signal the process if it still is chat-admin-server.
	if [ -n "$pid" ] && grep -q chat-admin-server "/proc/$pid/cmdline" 2>/dev/null; then
		kill -TERM "$pid"
		echo "stopped chat-admin-server (pid $pid)"
	fi
	rm -f "$pidfile"
fi

if [ -f "$config" ]; then
	mv "$config" "$config.disabled"
	echo "moved $config to $config.disabled"
fi

for f in "$game_root/skoot/usr/System/data/instance" \
	"$game_root/.root/usr/System/data/instance" \
	"$game_root/usr/System/data/instance"; do
	if [ -f "$f" ] && grep -q '^jitsi_host[[:space:]]' "$f"; then
		tmp=$f.tmp.$$
		trap 'rm -f "$tmp"' EXIT
		grep -v '^jitsi_host[[:space:]]' "$f" >"$tmp" || true
		cat "$tmp" >"$f"
		rm -f "$tmp"
		trap - EXIT
		echo "removed jitsi_host from $f"
	fi
done
# The game re-reads its instance file only when told to.
echo "then, in the game's admin (telnet) port: code \"/usr/System/initd\"->get_instance()"
