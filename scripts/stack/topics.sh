#!/usr/bin/env bash
# Creates the pipeline's Kafka topics with their configs and checks existing ones (idempotent).
# Needs KAFKA_BROKERS (scripts/stack.sh exports it from .stack/env); TOPIC_PREFIX, KAFKA_PARTITIONS optional.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
if [ -z "${KAFKA_BROKERS:-}" ] && [ -f "$STACK_DIR/env.d/kafka.env" ]; then
  set -a; . "$STACK_DIR/env.d/kafka.env"; set +a
fi
: "${KAFKA_BROKERS:?KAFKA_BROKERS is not set: run scripts/stack/kafka.sh up or export KAFKA_BROKERS=host:port}"
cd "$ROOT"
exec npx --no-install tsx packages/runtime/src/ops/cli/create-topics.ts
