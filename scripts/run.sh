#!/usr/bin/env bash
# Installs what is needed, builds the server and the browser client, and starts
# parley-server on http://127.0.0.1:8080 with SQLite in ./data. Idempotent.
# Environment: PARLEY_PORT, PARLEY_BIND, PARLEY_DATA override the defaults.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$repo_root"

ensure_packages
ensure_deb_src

web_root="$repo_root/build/wasm/web"
build_preset_configure wasm
if ninja -C "$repo_root/build/wasm" -t targets all 2>/dev/null | grep -q '^parley_web:'; then
  build_preset wasm parley_web
else
  echo "parley: this tree has no browser client target (parley_web); the server will say so at /" >&2
fi

build_preset native parley-server

exec "$repo_root/build/native/server/parley-server" \
  --bind "${PARLEY_BIND:-127.0.0.1}" --port "${PARLEY_PORT:-8080}" \
  --data "${PARLEY_DATA:-$repo_root/data}" --web-root "$web_root" "$@"
