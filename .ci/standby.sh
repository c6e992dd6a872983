#!/usr/bin/env bash
# A real PostgreSQL hot standby of the primary at 127.0.0.1:5432: a second cluster on
# another port made with pg_basebackup, streaming replication.
#   .ci/standby.sh start    (prints nothing else on success; safe to rerun)
#   .ci/standby.sh stop
# STANDBY_DIR (default /var/tmp/mpp-standby), STANDBY_PORT (default 5433).
set -euo pipefail
DIR="${STANDBY_DIR:-/var/tmp/mpp-standby}"
PORT="${STANDBY_PORT:-5433}"
BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

stop() {
  if [ -f "$DIR/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true; fi
}

start() {
  stop
  # The primary lets local connections replicate (its pg_hba.conf gains one line; reload).
  hba="$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file')"
  if ! grep -q "^host *replication *all *127.0.0.1/32 *trust" "$hba"; then
    sed -i '1i host replication all 127.0.0.1/32 trust' "$hba"
    psql -h 127.0.0.1 -U postgres -qAtc "SELECT pg_reload_conf()" >/dev/null
  fi
  rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres:postgres "$DIR"; chmod 700 "$DIR"
  # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
  as_postgres pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D "$DIR" -R -X stream -c fast
  # Debian keeps the primary's configuration outside its data directory: give the copy its own.
  as_postgres sh -c "cat > '$DIR/postgresql.conf'" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
max_connections = 100
shared_buffers = 128MB
hot_standby_feedback = on
CONF
  as_postgres sh -c "cat > '$DIR/pg_hba.conf'" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 300 start >/dev/null
  for _ in $(seq 30); do
    [ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
    sleep 1
  done
  psql -h 127.0.0.1 -p 5432 -U postgres -Atc \
    "SELECT 'streaming to ' || client_addr || ': ' || state FROM pg_stat_replication"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
