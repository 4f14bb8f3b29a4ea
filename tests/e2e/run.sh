#!/usr/bin/env bash
# Parley's end-to-end tests: two headless Chromium pages chatting through a real
# parley-server (browser_e2e.js), accounts signing in and out (account_e2e.js), TLS
# (https_e2e.js), two nodes on PostgreSQL behind nginx (multinode_e2e.js), then the
# native client under Xvfb chatting with a page
# (native_e2e.js). Screenshots and logs go to tests/artifacts/. scripts/test.sh runs this
# after building the native and wasm presets; it needs build/native (server and client),
# build/wasm/web and tests/node_modules (npm ci --prefix tests).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

server="${PARLEY_SERVER:-$repo/build/native/server/parley-server}"
web_root="${PARLEY_WEB_ROOT:-$repo/build/wasm/web}"
native="${PARLEY_NATIVE_CLIENT:-$repo/build/native/client/app/parley}"
export PARLEY_SERVER="$server" PARLEY_WEB_ROOT="$web_root" PARLEY_NATIVE_CLIENT="$native"

missing=0
need() {
  if [ ! -e "$1" ]; then echo "e2e: missing $1 ($2)" >&2; missing=1; fi
}
need "$server" "build the native preset"
need "$web_root/index.html" "build the wasm preset's parley_web"
need "$repo/tests/node_modules/playwright-core" "npm ci --prefix tests"
need /usr/bin/chromium "apt-get install chromium"
[ "$missing" -eq 0 ] || exit 1

# The browser bundle's size as sent (gzip), against its 400 KB budget.
bundle=0
for file in "$web_root"/*.gz; do bundle=$((bundle + $(stat -c %s "$file"))); done
echo "e2e: browser bundle $((bundle / 1024)) KB gzip (budget 400 KB)"

failed=0
echo "e2e: browser (headless Chromium)"
node tests/e2e/browser_e2e.js || failed=1
echo "e2e: accounts (headless Chromium)"
node tests/e2e/account_e2e.js || failed=1
echo "e2e: https:// and wss:// (headless Chromium)"
node tests/e2e/https_e2e.js || failed=1
echo "e2e: two nodes on PostgreSQL behind nginx (headless Chromium)"
if [ -x /usr/sbin/nginx ]; then
  node tests/e2e/multinode_e2e.js || failed=1
else
  echo "e2e: missing /usr/sbin/nginx (apt-get install nginx-light)" >&2
  failed=1
fi

if [ "${PARLEY_E2E_SKIP_NATIVE:-0}" = 1 ]; then
  echo "e2e: native skipped (PARLEY_E2E_SKIP_NATIVE=1)"
else
  for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "e2e: missing $tool (xvfb, xdotool, imagemagick)" >&2; failed=1; }
  done
  need "$native" "build the native preset with PARLEY_BUILD_GUI=ON"
  if [ "$failed" -eq 0 ] && [ "$missing" -eq 0 ]; then
    echo "e2e: native client under Xvfb with a browser page"
    node tests/e2e/native_e2e.js || failed=1
  else
    failed=1
  fi
fi
exit "$failed"
