#!/bin/sh
# Hook a SkotOS game up to Jitsi through chat-admin-server.
#
# Usage: configure-jitsi.sh [--systemd] GAME_ROOT DOMAIN APP_ID SECRET_FILE [PORTBASE]
#
#   GAME_ROOT    the game's DGD root (e.g. /var/skotos): its instance file
#                gets a "jitsi_host DOMAIN" line (JITSI_HOST=... overrides
#                the host written there, if the web host is not DOMAIN)
#   DOMAIN       the Jitsi XMPP domain (prosody's VirtualHost): the sub claim
#   APP_ID       prosody's app_id: the iss claim
#   SECRET_FILE  file holding prosody's app_secret (never printed)
#   PORTBASE     the game's portbase (default 11000); SkotOS waits for the
#                token server on PORTBASE + 91
#   --systemd    for chat-admin-server-outbound.service: install SECRET_FILE
#                as its credential (mode 0600) and name no secret in the
#                config, so the unprivileged service user never needs to
#                read SECRET_FILE itself
#
# Writes $CAS_CONFIG (default /etc/chat-admin-server.json).
set -eu

usage() {
	echo "usage: configure-jitsi.sh [--systemd] GAME_ROOT DOMAIN APP_ID SECRET_FILE [PORTBASE]" >&2
	exit 64
}

systemd=no
if [ "${1:-}" = "--systemd" ]; then
	systemd=yes
	shift
fi
[ $# -eq 4 ] || [ $# -eq 5 ] || usage
game_root=$1 domain=$2 app_id=$3 secret_file=$4 portbase=${5:-11000}
config=${CAS_CONFIG:-/etc/chat-admin-server.json}
credential=${CAS_CREDENTIAL:-/etc/chat-admin-server/jwt-secret}

case $portbase in
'' | *[!0-9]*) echo "configure-jitsi.sh: PORTBASE must be a number" >&2; exit 64 ;;
esac
port=$((portbase + 91))
if [ "$port" -gt 65535 ]; then
	echo "configure-jitsi.sh: PORTBASE + 91 = $port is not a port" >&2
	exit 64
fi
# The values go into JSON unescaped: refuse anything that would need escaping.
for v in "$domain" "$app_id" "$secret_file"; do
	case $v in
	'' | *[\"\\]*) echo "configure-jitsi.sh: empty value or one with \" or \\: $v" >&2; exit 64 ;;
	esac
done
if [ ! -r "$secret_file" ] || [ ! -s "$secret_file" ]; then
	echo "configure-jitsi.sh: $secret_file: missing, empty or unreadable" >&2
	exit 66
fi
case $secret_file in
/*) ;;
*) secret_file=$(cd "$(dirname "$secret_file")" && pwd)/$(basename "$secret_file") ;;
esac

# Stackscript layout first, then the other layouts SkotOS games use.
instance=
for f in "$game_root/skoot/usr/System/data/instance" \
	"$game_root/.root/usr/System/data/instance" \
	"$game_root/usr/System/data/instance"; do
	if [ -f "$f" ]; then
		instance=$f
		break
	fi
done
if [ -z "$instance" ]; then
	echo "configure-jitsi.sh: no usr/System/data/instance under $game_root" >&2
	exit 66
fi

if [ "$systemd" = yes ]; then
	install -d -m 0700 "$(dirname "$credential")"
	install -m 0600 "$secret_file" "$credential"
	secret_line=
	echo "installed the secret as $credential (mode 0600)"
else
	secret_line="
    \"secret_file\": \"$secret_file\","
fi

tmp=$config.tmp.$$
trap 'rm -f "$tmp"' EXIT
umask 022
cat >"$tmp" <<EOT
{
  "jitsi": { "domain": "$domain" },
  "jwt": {$secret_line
    "app_id": "$app_id"
  },
  "outbound": { "host": "127.0.0.1", "port": $port },
  "policy": { "allow_moderator": false, "max_valid_for": 3600 }
}
EOT
mv "$tmp" "$config"
trap - EXIT
echo "wrote $config: domain $domain, app_id $app_id, outbound 127.0.0.1:$port"
if [ "$systemd" = no ]; then
	echo "  the secret is read from $secret_file"
fi

# Replace any jitsi_host line in the instance file (in place, keeping it).
host=${JITSI_HOST:-$domain}
tmp=$instance.tmp.$$
trap 'rm -f "$tmp"' EXIT
grep -v '^jitsi_host[[:space:]]' "$instance" >"$tmp" || true
echo "jitsi_host $host" >>"$tmp"
cat "$tmp" >"$instance"
rm -f "$tmp"
trap - EXIT
echo "set jitsi_host $host in $instance"

if [ "$systemd" = yes ]; then
	echo "now run: systemctl enable --now chat-admin-server-outbound.service" \
		"(or systemctl restart it if it runs)"
else
	echo "now (re)start: start-chat-admin-server.sh $config"
fi
# The game re-reads its instance file only when told to.
echo "then, in the game's admin (telnet) port: code \"/usr/System/initd\"->get_instance()"
