#!/usr/bin/env bash
# Interop: wscat, a third-party WebSocket client (Node's ws underneath), talks to a real
# parley-server: it connects to /general, identifies, posts, and must get the echo.
#
# Usage: interop_wscat.sh <parley-server binary> <tests dir (holds node_modules)>
# Exits 77 (ctest: SKIP) only when <tests dir>/node_modules is absent; any other problem
# fails. Every wait is bounded; the server and wscat are stopped on every exit path.
set -euo pipefail

server_bin=${1:?usage: interop_wscat.sh <parley-server> <tests dir>}
tests_dir=${2:?usage: interop_wscat.sh <parley-server> <tests dir>}
wscat="$tests_dir/node_modules/wscat/bin/wscat"

if [ ! -d "$tests_dir/node_modules" ]; then
  echo "SKIP: $tests_dir/node_modules is absent; run 'npm ci --prefix tests' (scripts/test.sh does)"
  exit 77
fi

fail() {
  echo "FAIL: $*" >&2
  for log in server.log wscat.out wscat.err; do
    [ -f "$work/$log" ] && { echo "--- $log" >&2; cat "$work/$log" >&2; }
  done
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-wscat.XXXXXX")
server_pid=""
wscat_pid=""
cleanup() {
  { exec 3>&-; } 2>/dev/null || true
  [ -n "$wscat_pid" ] && kill "$wscat_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$wscat_pid" ] && wait "$wscat_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

[ -x "$server_bin" ] || fail "no server binary at $server_bin"
[ -f "$wscat" ] || fail "wscat is missing from $tests_dir/node_modules; run 'npm ci --prefix tests'"
command -v node >/dev/null || fail "node is not installed"

# Waits up to 5 s for `pattern` (a fixed string) to appear in file `file`.
wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 100); do
    grep -qF -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$pattern' in $file within 5 s"
}

"$server_bin" --bind 127.0.0.1 --port 0 --data "$work/data" --web-root "$work/no-web" --threads 2 \
  2> "$work/server.log" &
server_pid=$!
wait_for "$work/server.log" "listening on http://127.0.0.1:"
port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | head -n1 | grep -o '[0-9]*$')
[ -n "$port" ] || fail "could not read the port from the server log"

# wscat reads lines to send from stdin (a FIFO held open on fd 3) and prints each frame
# it receives on its own line; it exits when its stdin closes.
mkfifo "$work/in"
node "$wscat" --no-color -c "ws://127.0.0.1:$port/general" < "$work/in" > "$work/wscat.out" 2> "$work/wscat.err" &
wscat_pid=$!
exec 3> "$work/in"

wait_for "$work/wscat.out" '{"type":"connection","id":"general"'
wait_for "$work/wscat.out" '{"type":"history","channel":"general"'

echo '{"type":"identity","user":"wscat_user"}' >&3
wait_for "$work/wscat.out" '{"type":"identity","success":true,"user":"wscat_user"}'

echo '{"type":"message","text":"hello from wscat","nonce":"w1"}' >&3
wait_for "$work/wscat.out" '"nonce":"w1"'

echo_line=$(grep -F '"nonce":"w1"' "$work/wscat.out" | head -n1)
for field in '"type":"message"' '"channel":"general"' '"user":"wscat_user"' '"text":"hello from wscat"' '"id":'; do
  case "$echo_line" in
    *"$field"*) ;;
    *) fail "the echo lacks $field: $echo_line" ;;
  esac
done
if grep -qF '"type":"error"' "$work/wscat.out"; then
  fail "the server answered with an error: $(grep -F '"type":"error"' "$work/wscat.out")"
fi

# Closing wscat's stdin ends it; it must go within 5 s.
exec 3>&-
for _ in $(seq 100); do
  kill -0 "$wscat_pid" 2>/dev/null || break
  sleep 0.05
done
kill -0 "$wscat_pid" 2>/dev/null && fail "wscat did not exit after its input closed"
wscat_pid=""

echo "PASS: wscat connected, identified and got the echo of its message"
