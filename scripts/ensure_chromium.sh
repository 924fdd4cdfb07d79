#!/usr/bin/env bash
# Make sure Debian's chromium is present for the end-to-end and accessibility tests.
# Never downloads a browser of its own (no `playwright install`).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Debian's chromium is missing; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
