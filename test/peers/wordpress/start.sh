#!/usr/bin/env bash
# Start a real WordPress 6.1 (Debian package) on 127.0.0.1:18080 for the opt-in peer suite
# (`npm run test:peers`), backed by a private MariaDB reachable only through a unix socket.
# Adapted from the team's shared reference scripts; all state lives in the project's ignored
# .local/peers/wordpress. Idempotent: installs missing packages, initialises on first run,
# re-uses state afterwards. RESET=1 wipes the data first.
# Prints KEY=VALUE lines (also written to $STATE/peer.env) and timings on stderr.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PORT="${WP_PORT:-18080}"
HOSTPORT="127.0.0.1:${PORT}"
STATE="${WP_STATE:-$ROOT/.local/peers/wordpress}"
SOCK="$STATE/mysqld.sock"
ADMIN_USER="${WP_ADMIN_USER:-admin}"
ADMIN_PASS="${WP_ADMIN_PASS:-admin-Pass-123}"
DB_PASS="wp-db-pass"
PACKAGES=(wordpress mariadb-server php-cli php-mysql php-curl php-xml php-mbstring)
t0=$(date +%s.%N)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # update only when something is missing: the package lists may be stale on a fresh machine
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi
t1=$(date +%s.%N)

if [ "${RESET:-0}" = 1 ]; then WP_STATE="$STATE" "$HERE/stop.sh" >/dev/null 2>&1 || true; rm -rf "$STATE"; fi
mkdir -p "$STATE"; chown mysql:mysql "$STATE"

# ---- MariaDB (private datadir, socket only, no TCP) ----
if [ ! -d "$STATE/mysql/mysql" ]; then
  mariadb-install-db --no-defaults --user=mysql --datadir="$STATE/mysql" \
      --auth-root-authentication-method=socket >"$STATE/mariadb-install.log" 2>&1
fi
if [ -f "$STATE/mariadb.pid" ] && kill -0 "$(cat "$STATE/mariadb.pid")" 2>/dev/null; then :; else
  setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$STATE/mysql" --socket="$SOCK" \
      --skip-networking --pid-file="$STATE/mariadb.pid" --log-error="$STATE/mariadb.err" \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 150); do [ -S "$SOCK" ] && mariadb --socket="$SOCK" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
fi
mariadb --socket="$SOCK" <<SQL
CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';
SQL

# ---- Debian's /usr/share/wordpress/wp-config.php loads /etc/wordpress/config-<host>.php ----
cat > "/etc/wordpress/config-127.0.0.1.php" <<PHP
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '$DB_PASS');
define('DB_HOST', 'localhost:$SOCK');
define('WP_HOME', 'http://$HOSTPORT');
define('WP_SITEURL', 'http://$HOSTPORT');
define('WP_ENVIRONMENT_TYPE', 'local');   // Application Passwords over plain HTTP
define('WPMU_PLUGIN_DIR', '$HERE/mu-plugins');  // custom post type "contact" + REST meta
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);   // no outbound calls (no internet here)
PHP

# ---- install site + application password (no wp-cli in bookworm) ----
WP_HOSTPORT="$HOSTPORT" WP_ADMIN_USER="$ADMIN_USER" WP_ADMIN_PASS="$ADMIN_PASS" \
  php "$HERE/wp-setup.php" > "$STATE/credentials.env"
# shellcheck disable=SC1091
. "$STATE/credentials.env"

# ---- web server: PHP built-in server + router emulating pretty permalinks ----
if [ -f "$STATE/php.pid" ] && kill -0 "$(cat "$STATE/php.pid")" 2>/dev/null; then :; else
  # setsid: own process group, so stop.sh also reaps the forked workers (kill -- -PGID)
  PHP_CLI_SERVER_WORKERS="${WP_WORKERS:-4}" setsid nohup php -S "$HOSTPORT" -t /usr/share/wordpress \
      "$HERE/router.php" </dev/null >"$STATE/php-server.log" 2>&1 &
  echo $! > "$STATE/php.pid"
fi
code=000
for _ in $(seq 1 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$HOSTPORT/wp-json/" || true)
  [ "$code" = 200 ] && break; sleep 0.1
done
t2=$(date +%s.%N)
[ "$code" = 200 ] || { echo "WordPress did not come up (last HTTP $code)" >&2; exit 1; }
{
  echo "WP_BASE_URL=http://$HOSTPORT/wp-json/wp/v2"
  echo "WP_USER=$WP_USER"
  echo "WP_APP_PASSWORD=$WP_APP_PASSWORD"
} > "$STATE/peer.env"
cat "$STATE/peer.env"
printf '# install/check: %.1fs  init+boot: %.1fs\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" >&2
