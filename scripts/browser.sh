#!/usr/bin/env bash
# What the browser tests need: Debian's headless Chromium and its driver, and axe-core from
# npm (package-lock.json). Installs what is missing; a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[browser] %s\n' "$*" >&2; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v npm >/dev/null || missing+=(npm)
# Debian packages as root, or with sudo (scripts/services.sh has the one helper).
[ ${#missing[@]} -eq 0 ] || scripts/services.sh apt-install "${missing[@]}"

# axe-core, exactly as locked; only when the lock changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.installed-lock; then
  log "installing axe-core from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json node_modules/.installed-lock
fi
