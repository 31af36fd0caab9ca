#!/usr/bin/env bash
# Installs what the project needs on a fresh machine of this kind (Debian, Node 20+, Java 17, Maven),
# idempotently: npm dependencies, Debian's Chromium (for script-rendered pricing pages) and
# PostgreSQL 15 when missing. Kafka's jars come from Maven Central in scripts/stack/kafka.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need_apt+=(postgresql-15)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v xz >/dev/null 2>&1 || need_apt+=(xz-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# promtool (deploy/prometheus: `promtool check rules` and `test rules` in deploy/tests/rules.int.test.ts).
# Debian's `prometheus` package is the only one that ships it: installed, it brings the server (50 MB),
# a system service and a dozen libjs packages (96 MB in all). Only its promtool binary is extracted here,
# from the downloaded .deb (19 MB), into .cache/promtool.
if ! command -v promtool >/dev/null 2>&1 && [ ! -x .cache/promtool/usr/bin/promtool ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: extracting promtool from Debian's prometheus package"
  tmp="$(mktemp -d)"
  (cd "$tmp" && { apt-get download prometheus >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download prometheus >/dev/null; }; })
  mkdir -p .cache/promtool
  dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C .cache/promtool ./usr/bin/promtool
  rm -rf "$tmp"
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
