#!/usr/bin/env bash
# The README's main job: set-up, local stack, one full daily run end to end, summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/stack.sh up
exec node --import tsx scripts/daily.ts "$@"
