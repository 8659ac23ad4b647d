#!/usr/bin/env bash
# Installs what the database and browser tests need (Debian packages, Python test tools).
# Each part is idempotent; the tests themselves start throwaway servers.
set -euo pipefail
cd "$(dirname "$0")/.."
for part in scripts/services.d/*.sh; do
    [ -e "$part" ] || continue
    bash "$part"
done
