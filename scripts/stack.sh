#!/usr/bin/env bash
# The local stack on loopback, no Docker: Kafka (KRaft, jars from Maven Central), PostgreSQL 15 and
# PostgREST behind a Supabase-style /rest/v1 proxy. Idempotent: `up` twice starts nothing new.
# Logs and data live in .stack/ (git-ignored); `.stack/env` holds the addresses for everything else.
# A component whose address is already given (KAFKA_BROKERS, DATABASE_URL, SUPABASE_URL) is not started.
#   scripts/stack.sh up|down|status|env
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
export LLMPT_ROOT="$ROOT"
mkdir -p "$STACK_DIR/env.d"
HERE="$ROOT/scripts/stack"

components=()
[ -n "${KAFKA_BROKERS:-}" ] || components+=(kafka)
[ -n "${DATABASE_URL:-}" ] || components+=(postgres)
[ -n "${SUPABASE_URL:-}" ] || components+=(postgrest)

# The environment as given, before `up` sources the component files into it.
explicit_env="$(for v in KAFKA_BROKERS DATABASE_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY SUPABASE_ANON_KEY; do
  if [ -n "${!v:-}" ]; then echo "$v=${!v}"; fi
done)"

write_env() {
  # Later files win; explicit environment wins over everything.
  { cat "$STACK_DIR"/env.d/*.env 2>/dev/null || true
    if [ -n "$explicit_env" ]; then echo "$explicit_env"; fi
  } > "$STACK_DIR/env"
}

cmd="${1:-status}"
case "$cmd" in
  up)
    start=$(date +%s)
    # PostgREST last: it serves the schema the migrations create.
    for c in "${components[@]}"; do [ "$c" = postgrest ] || bash "$HERE/$c.sh" up; done
    write_env
    set -a; . "$STACK_DIR/env"; set +a
    bash "$HERE/topics.sh"
    bash "$HERE/migrate.sh"
    # The API's read-only login (npm run serve), once the migrations have made api_reader.
    bash "$HERE/api-login.sh"
    write_env
    if [[ " ${components[*]} " == *" postgrest "* ]]; then
      bash "$HERE/postgrest.sh" up
      write_env
    fi
    echo "stack up in $(( $(date +%s) - start ))s; addresses in $STACK_DIR/env"
    ;;
  down)
    for ((i=${#components[@]}-1; i>=0; i--)); do bash "$HERE/${components[$i]}.sh" down || true; done
    ;;
  status)
    rc=0
    for c in "${components[@]}"; do bash "$HERE/$c.sh" status || rc=1; done
    exit $rc
    ;;
  env)
    write_env; cat "$STACK_DIR/env"
    ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
