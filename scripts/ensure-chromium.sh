#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests if it is missing (Playwright cannot download
# browsers here; the tests launch /usr/bin/chromium through executable_path).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing chromium"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
