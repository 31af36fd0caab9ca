#!/usr/bin/env bash
# Applies migrations/ to DATABASE_URL (from the environment, else $STACK_DIR/env.d/postgres.env),
# then asks PostgREST to reload its schema cache. Idempotent: applied files are skipped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
if [ -z "${DATABASE_URL:-}" ] && [ -f "$STACK_DIR/env.d/postgres.env" ]; then
  set -a; . "$STACK_DIR/env.d/postgres.env"; set +a
fi
: "${DATABASE_URL:?DATABASE_URL is not set and $STACK_DIR/env.d/postgres.env is missing: run scripts/stack/postgres.sh up}"
export DATABASE_URL
cd "$ROOT"
exec npx --no-install tsx packages/runtime/src/ops/cli/migrate.ts
