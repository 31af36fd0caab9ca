#!/usr/bin/env bash
# `npm run serve`: the web explorer and the public API on the local stack's database, on 127.0.0.1.
# Does its own set-up like `npm run daily` (setup.sh; stack.sh up: Kafka, Postgres, PostgREST, topics,
# migrations and the API's read-only login llmpt_api), builds the explorer (`npm run web:build` →
# web/dist) unless WEB_DIST already names a build, then runs services/api as llmpt_api (api_reader)
# with WEB_DIST until Ctrl-C, which shuts it down gracefully.
#   PORT (default 8080), WEB_DIST (a built explorer: skips the build), API_DATABASE_URL (another
#   database, as a login granted api_reader; default the stack's, from .stack/env).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
PORT="${PORT:-8080}"
given_api_url="${API_DATABASE_URL:-}"

bash scripts/setup.sh
bash scripts/stack.sh up
set -a; . "$STACK_DIR/env"; set +a
API_DATABASE_URL="${given_api_url:-${API_DATABASE_URL:-}}"
: "${API_DATABASE_URL:?API_DATABASE_URL is not set: scripts/stack.sh up writes it to $STACK_DIR/env (scripts/stack/api-login.sh)}"

if [ -n "${WEB_DIST:-}" ]; then
  echo "serve: explorer from WEB_DIST=$WEB_DIST (not rebuilt)"
else
  echo "serve: building the explorer (npm run web:build)"
  npm run --silent web:build
  WEB_DIST="$ROOT/web/dist"
fi

# Job control: the API runs in its own process group, so Ctrl-C reaches this script only, which
# passes it on once (a second signal would make the API force its exit).
set -m
DATABASE_URL="$API_DATABASE_URL" HOST=127.0.0.1 PORT="$PORT" WEB_DIST="$WEB_DIST" LOG_LEVEL="${LOG_LEVEL:-warn}" \
  node --import tsx services/api/src/main.ts &
api=$!
trap 'kill -INT "$api" 2>/dev/null || true' INT TERM

until node -e "fetch('http://127.0.0.1:$PORT/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; do
  if ! kill -0 "$api" 2>/dev/null; then
    wait "$api" || exit $?
    exit 1
  fi
  sleep 0.2
done
echo "explorer: http://127.0.0.1:$PORT/explorer/"
echo "api: http://127.0.0.1:$PORT/v1/models"
echo "(Ctrl-C stops it)"
# wait returns early when a trapped signal arrives: wait again until the API has exited.
while :; do
  status=0
  wait "$api" || status=$?
  kill -0 "$api" 2>/dev/null || break
done
exit "$status"
