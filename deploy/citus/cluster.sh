#!/usr/bin/env bash
# A local Citus cluster for trying Kopeck's scale-out: a coordinator and two workers on one machine,
# each its own PostgreSQL with the citus extension preloaded (README.md here says how to get Citus).
#
#   deploy/citus/cluster.sh start   # initdb on first use, start, register the workers
#   deploy/citus/cluster.sh stop
#
# CITUS_DIR (default /tmp/kopeck-citus) holds the data directories, PG_BIN the PostgreSQL binaries
# (default: pg_config --bindir), CITUS_PORTS the coordinator's and workers' ports ("9700 9701 9702"),
# CITUS_SPARE_PORTS nodes started but not registered (for adding a worker later; none by default).
# PostgreSQL refuses to run as root: run it as the postgres user then (sudo -u postgres ...).
set -euo pipefail
CITUS_DIR="${CITUS_DIR:-/tmp/kopeck-citus}"
PG_BIN="${PG_BIN:-$(pg_config --bindir)}"
read -r -a PORTS <<< "${CITUS_PORTS:-9700 9701 9702}"
read -r -a SPARE_PORTS <<< "${CITUS_SPARE_PORTS:-}"
ALL_PORTS=("${PORTS[@]}" "${SPARE_PORTS[@]}")
DB="${CITUS_DB:-kopeck}"

node_dir() { echo "$CITUS_DIR/node-$1"; }

start() {
  mkdir -p "$CITUS_DIR"
  for port in "${ALL_PORTS[@]}"; do
    dir="$(node_dir "$port")"
    if [ ! -d "$dir" ]; then
      "$PG_BIN/initdb" -D "$dir" -A trust -U postgres > /dev/null
      cat >> "$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_DIR'
max_connections = 300
max_prepared_transactions = 300
wal_level = logical
CONF
    fi
    "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -w start > /dev/null
  done
  for port in "${ALL_PORTS[@]}"; do
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" \
      | grep -q 1 || psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $DB"
    psql -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS citus"
  done
  coordinator="${PORTS[0]}"
  psql -h 127.0.0.1 -p "$coordinator" -U postgres -d "$DB" -qAt \
    -c "SELECT citus_set_coordinator_host('127.0.0.1', $coordinator)" > /dev/null
  for port in "${PORTS[@]:1}"; do
    psql -h 127.0.0.1 -p "$coordinator" -U postgres -d "$DB" -qAt \
      -c "SELECT citus_add_node('127.0.0.1', $port) WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $port)" > /dev/null
  done
  echo "Citus: coordinator 127.0.0.1:$coordinator, workers ${PORTS[*]:1}${SPARE_PORTS:+, spare ${SPARE_PORTS[*]}}; DATABASE_URL=postgres://postgres@127.0.0.1:$coordinator/$DB"
}

stop() {
  # Every node this script made, spare ones included (whatever CITUS_SPARE_PORTS says now).
  for dir in "$CITUS_DIR"/node-*; do
    if [ -d "$dir" ] && "$PG_BIN/pg_ctl" -D "$dir" status > /dev/null 2>&1; then
      "$PG_BIN/pg_ctl" -D "$dir" -m fast stop > /dev/null
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
