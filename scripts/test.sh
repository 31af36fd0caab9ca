#!/usr/bin/env bash
# The test command of the README: installs what is missing, starts the local stack (the int/e2e
# global setup does it too, idempotently), then static checks and every kind of test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/stack.sh up
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npx vitest run --project unit
npx vitest run --project int
npx vitest run --project e2e --passWithNoTests
