#!/usr/bin/env bash
# The public API's login on the stack's Postgres: `llmpt_api`, granted the read-only role api_reader
# (migrations/0011-api-reader.sql), as docker-compose's db-auth service creates it. Its password is
# generated once into $STACK_DIR/api/secrets.env; API_DATABASE_URL (the stack's database as that
# login) goes to $STACK_DIR/env.d/api.env, which `npm run serve` runs services/api with.
#   scripts/stack/api-login.sh
# Needs DATABASE_URL (a superuser, as for the migrations, which must have run: they create api_reader).
# Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
DIR="$STACK_DIR/api"
mkdir -p "$DIR" "$STACK_DIR/env.d"
PSQL="${PSQL:-psql}"

if [ -z "${DATABASE_URL:-}" ] && [ -f "$STACK_DIR/env.d/postgres.env" ]; then
  set -a; . "$STACK_DIR/env.d/postgres.env"; set +a
fi
: "${DATABASE_URL:?DATABASE_URL is not set: run scripts/stack/postgres.sh up first}"

if [ ! -f "$DIR/secrets.env" ]; then
  (umask 077; node -e "console.log('API_DB_PASSWORD=' + require('node:crypto').randomBytes(18).toString('hex'))" \
    > "$DIR/secrets.env")
fi
set -a; . "$DIR/secrets.env"; set +a

# Via stdin: psql interpolates variables (:'pw' quotes the value) in scripts, not in -c.
"$PSQL" "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v pw="$API_DB_PASSWORD" >/dev/null <<'SQL'
set client_min_messages to warning;
select 'create role llmpt_api' where not exists (select from pg_roles where rolname = 'llmpt_api') \gexec
alter role llmpt_api with login inherit password :'pw';
grant api_reader to llmpt_api;
SQL

(umask 077; node -e "
  const u = new URL(process.env.DATABASE_URL);
  u.username = 'llmpt_api';
  u.password = process.env.API_DB_PASSWORD;
  console.log('API_DATABASE_URL=' + u.toString());
" > "$STACK_DIR/env.d/api.env")
echo "api login: llmpt_api (api_reader) on $(node -e "const u = new URL(process.env.DATABASE_URL); console.log(u.host + u.pathname)")"
