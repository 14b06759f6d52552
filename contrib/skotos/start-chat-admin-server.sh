#!/bin/sh
# Run chat-admin-server for a SkotOS game in the foreground, on hosts
# without systemd (under a supervisor, from an init script, or from cron
# with nohup). It reconnects to the game by itself when the game restarts.
#
# Usage: start-chat-admin-server.sh [CONFIG]
#
#   CONFIG   default $CAS_CONFIG or /etc/chat-admin-server.json
#   CAS_BIN      the program (default: chat-admin-server on PATH, else
#                /usr/sbin/chat-admin-server)
#   CAS_PIDFILE  its pid file (default /run/chat-admin-server.pid)
set -eu

if [ $# -gt 1 ]; then
	echo "usage: start-chat-admin-server.sh [CONFIG]" >&2
	exit 64
fi
config=${1:-${CAS_CONFIG:-/etc/chat-admin-server.json}}
pidfile=${CAS_PIDFILE:-/run/chat-admin-server.pid}
bin=${CAS_BIN:-$(command -v chat-admin-server || echo /usr/sbin/chat-admin-server)}

if [ ! -f "$config" ]; then
	echo "start-chat-admin-server.sh: $config does not exist: run configure-jitsi.sh first" >&2
	exit 66
fi
# Already running (started by this script)? Then leave it be.
if [ -f "$pidfile" ]; then
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && grep -q chat-admin-server "/proc/$pid/cmdline" 2>/dev/null; then
		echo "chat-admin-server already runs (pid $pid)"
		exit 0
	fi
fi
# Check the config before replacing this shell: errors show up here.
"$bin" -q -c "$config" check >/dev/null
echo $$ >"$pidfile"
# exec keeps this shell's pid, the one just written.
exec "$bin" -c "$config"
