#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh machine. Installs the Debian tools the tests drive
# (promtool + prometheus, PostgreSQL) when missing, starts a throwaway PostgreSQL cluster for the
# PostgreSQL variants, builds every package, runs every package's tests, and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_HIDE_UPDATE_MESSAGE=1 PM2_DISABLE_VERSION_CHECK=true CHECKPOINT_DISABLE=1

need=()
command -v promtool >/dev/null || need+=(prometheus)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "tests need Debian packages: ${need[*]} (run as root or install them)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

eval "$(scripts/throwaway-postgres.sh start)"
trap 'scripts/throwaway-postgres.sh stop "$TEST_POSTGRES_DIR"' EXIT

npx lerna run build
npx lerna run test --concurrency 1 "$@"
