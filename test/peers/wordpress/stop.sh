#!/usr/bin/env bash
# Stop the peer WordPress (php -S and its workers) and its private MariaDB, by recorded PID only.
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
STATE="${WP_STATE:-$ROOT/.local/peers/wordpress}"
for name in php mariadb; do
  f="$STATE/$name.pid"; [ -f "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    if [ "$name" = php ]; then
      # started with setsid: pgid == pid, and the group includes the forked workers
      kill -- "-$pid" 2>/dev/null || kill "$pid"
    else
      kill "$pid"
    fi
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$f"
done
rm -f "$STATE/peer.env"
