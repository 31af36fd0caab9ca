#!/usr/bin/env bash
# PostgreSQL 15 (Debian's binaries) on 127.0.0.1:54322 for the local stack, database `llmpt`,
# user postgres/postgres with scram on loopback. Tuned for a small dev box: durability is off
# (fsync=off) because this cluster holds only reproducible test data (the topics are the event store).
#   scripts/stack/postgres.sh up|down|status
# Writes DATABASE_URL to $STACK_DIR/env.d/postgres.env. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${PG_PORT:-54322}"
PG_USER_OS=postgres
DB_NAME=llmpt
DATABASE_URL_LOCAL="postgres://postgres:postgres@127.0.0.1:$PG_PORT/$DB_NAME"
mkdir -p "$STACK_DIR/env.d"

# initdb refuses root, so the cluster belongs to the OS user postgres. Run a command as that user
# (directly when we already are postgres).
as_pg() {
  if [ "$(id -un)" = "$PG_USER_OS" ]; then "$@"; else runuser -u "$PG_USER_OS" -- "$@"; fi
}

# The data dir lives in $STACK_DIR/postgres unless the postgres user cannot reach that path (a
# root-owned tree with restrictive permissions): then under /var/tmp, keyed by a hash of STACK_DIR,
# and the chosen path is written to $STACK_DIR/postgres.path so `down` and `status` find it.
resolve_base() {
  if [ -f "$STACK_DIR/postgres.path" ]; then cat "$STACK_DIR/postgres.path"; return; fi
  local base="$STACK_DIR/postgres"
  mkdir -p "$base"
  if [ "$(id -u)" = 0 ]; then chown "$PG_USER_OS:$PG_USER_OS" "$base"; fi
  if ! as_pg test -w "$base" -a -x "$base"; then
    base="/var/tmp/llmpt-pg-$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
    mkdir -p "$base"
    chown "$PG_USER_OS:$PG_USER_OS" "$base"
  fi
  echo "$base" > "$STACK_DIR/postgres.path"
  echo "$base"
}

BASE="$(resolve_base)"
DATA="$BASE/data"
LOG="$BASE/postgres.log"

is_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; }
# Ours = a postmaster running from our data dir (another cluster on the port is not ours to reuse).
is_ours() { [ -f "$DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return
  local pw
  pw="$(mktemp)"
  echo postgres > "$pw"
  chown "$PG_USER_OS" "$pw" 2>/dev/null || true
  as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --pwfile="$pw" --auth-local=peer \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 \
    || { rm -f "$pw"; cat "$BASE/initdb.log" >&2; exit 1; }
  rm -f "$pw"
  as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# llmpt local stack
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$BASE'
max_connections = 100
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = scram-sha-256
timezone = 'UTC'
log_timezone = 'UTC'
EOF
}

write_env() { echo "DATABASE_URL=$DATABASE_URL_LOCAL" > "$STACK_DIR/env.d/postgres.env"; }

up() {
  local t0=$SECONDS
  init_cluster
  if ! is_ours; then
    if is_ready; then
      echo "postgres: port $PG_PORT is taken by another server (not $DATA)" >&2
      exit 1
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  fi
  # pg_ctl -w waits on the socket; poll the TCP listener too, which is what clients use.
  for _ in $(seq 1 300); do is_ready && break; sleep 0.2; done
  is_ready || { echo "postgres: not ready, see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
  if [ "$(as_pg "$PG_BIN/psql" -h "$BASE" -p "$PG_PORT" -U postgres -d postgres -tAc \
    "select 1 from pg_database where datname = '$DB_NAME'")" != 1 ]; then
    as_pg "$PG_BIN/createdb" -h "$BASE" -p "$PG_PORT" -U postgres "$DB_NAME"
  fi
  write_env
  echo "postgres: up on 127.0.0.1:$PG_PORT (data $DATA) in $((SECONDS - t0))s"
}

down() {
  if is_ours; then as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
  echo "postgres: down"
}

status() {
  if is_ours && is_ready; then
    echo "postgres: up on 127.0.0.1:$PG_PORT"
  else
    echo "postgres: down"
    return 1
  fi
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
