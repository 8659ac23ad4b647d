#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests marked `browser`).
# Debian's `chromium` package provides /usr/bin/chromium; playwright drives it through
# executable_path. Never download a browser through playwright: no network for that here.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
/usr/bin/chromium --version
