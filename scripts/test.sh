#!/usr/bin/env bash
# The test command of the README: installs what is missing, starts the local stack (the int/e2e
# global setup does it too, idempotently), then static checks and every kind of test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/stack.sh up
npx tsc -p tsconfig.json --noEmit
npx tsc -p web/tsconfig.json --noEmit
npx eslint .
# Import rules (.dependency-cruiser.cjs): no cycle, nothing undeclared, packages only through exports.
npm run --silent lint:deps
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
mkdir -p .cache
for kind in unit int e2e; do
  npx vitest run --project "$kind" --reporter=default --reporter=json --outputFile.json=".cache/vitest-$kind.json"
done
# One plain closing line over the three runs.
node -e '
  let p = 0, f = 0, s = 0;
  for (const k of ["unit", "int", "e2e"]) {
    const r = JSON.parse(require("fs").readFileSync(`.cache/vitest-${k}.json`, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
  process.exit(f > 0 || p === 0 ? 1 : 0);
'
