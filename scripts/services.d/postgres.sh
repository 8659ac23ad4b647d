#!/usr/bin/env bash
# PostgreSQL for the `postgres`-marked store tests: install Debian's server binaries if missing.
# The tests start their own throwaway server (initdb + pg_ctl in a temp dir, loopback port), so
# nothing is configured or started here. Idempotent.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed and this is not root;" \
        "install it with: sudo apt-get install -y postgresql" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's own cluster is not needed (the tests make theirs); don't leave one running.
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do
        pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true
    done
fi
