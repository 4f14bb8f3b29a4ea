#!/usr/bin/env bash
# Runs the three parley-bench workloads against parley-server and against the Node `ws`
# reference server (tests/bench/node_ws_server.js), one server at a time and a fresh
# server process per workload, then prints a comparison table. Builds nothing.
#
#   tests/bench/run_benchmarks.sh [options] [PARLEY_SERVER [PARLEY_BENCH]]
#
#   PARLEY_SERVER   default build/native/server/parley-server
#   PARLEY_BENCH    default build/native/tests/bench/parley-bench
#   --quick         small sizes (a smoke run of a minute, not figures to quote)
#   --servers LIST  comma-separated subset of parley,node   (default parley,node)
#   --workloads L   comma-separated subset of w1,w2,w3      (default w1,w2,w3)
#   --keep-logs     keep the logs and data directories (their path is printed)
#
# Exit status: 0 when every workload ran on every server asked for, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
servers="parley,node"
workloads="w1,w2,w3"
quick=0
keep_logs=0
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --servers) servers="$2"; shift ;;
    --workloads) workloads="$2"; shift ;;
    --keep-logs) keep_logs=1 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_benchmarks.sh: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
parley_server="$(realpath -m "${positional[0]:-$root/build/native/server/parley-server}")"
parley_bench="$(realpath -m "${positional[1]:-$root/build/native/tests/bench/parley-bench}")"
node_server="$root/tests/bench/node_ws_server.js"

# Per-workload bench arguments. --quick keeps each run to a few seconds.
declare -A bench_args
if [[ $quick -eq 1 ]]; then
  bench_args[w1]="--clients 100 --seconds 3 --warmup 1"
  bench_args[w2]="--clients 200 --channels 20 --seconds 3 --warmup 1"
  bench_args[w3]="--clients 2000 --seconds 2"
else
  bench_args[w1]=""
  bench_args[w2]=""
  bench_args[w3]=""
fi
w3_clients=19000
[[ $quick -eq 1 ]] && w3_clients=2000

workdir="$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")"
server_pid=""
bench_pid=""
tail_pid=""

# shellcheck disable=SC2317  # also called by the EXIT trap
stop_server() {
  [[ -z "$server_pid" ]] && return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for pid in $bench_pid $tail_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $bench_pid $tail_pid; do wait "$pid" 2>/dev/null || true; done
  stop_server
  if [[ $keep_logs -eq 1 ]]; then
    echo "logs kept in $workdir"
  else
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both the bench and the servers hold one descriptor per connection (w3: 19,000).
want_fds=$((w3_clients + 256))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt $want_fds ]]; then
  ulimit -n $want_fds 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt $want_fds ]]; then
  echo "WARNING: ulimit -n is $(ulimit -n), below the $want_fds that w3 needs; raise the hard limit" \
       "(e.g. as root, or in /etc/security/limits.conf). w3 connections beyond it will fail." >&2
fi

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_listening() {  # port pid
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start_server() {  # kind workload -> sets server_pid, port
  local kind="$1" w="$2"
  port="$(free_port)"
  local log="$workdir/$kind-$w.server.log"
  if [[ "$kind" == parley ]]; then
    local data="$workdir/$kind-$w.data"
    mkdir -p "$data"
    "$parley_server" --port "$port" --bind 127.0.0.1 --rate-limit 0 \
      --max-connections-per-address 0 --data "$data" >"$log" 2>&1 &
  else
    node "$node_server" --port "$port" --bind 127.0.0.1 >"$log" 2>&1 &
  fi
  server_pid=$!
  if ! wait_listening "$port" "$server_pid"; then
    echo "FAILED: $kind server did not start listening on 127.0.0.1:$port; its log:" >&2
    tail -n 20 "$log" >&2 || true
    stop_server
    return 1
  fi
}

# Checks before any run.
status=0
IFS=, read -r -a server_list <<<"$servers"
IFS=, read -r -a workload_list <<<"$workloads"
if [[ ! -x "$parley_bench" ]]; then
  echo "parley-bench not found at $parley_bench (cmake --preset native &&" \
       "cmake --build --preset native --target parley-bench)" >&2
  exit 1
fi
if [[ " ${server_list[*]} " == *" node "* && ! -d "$root/tests/node_modules/ws" ]]; then
  echo "installing the Node reference server's dependencies (npm ci in tests/)"
  (cd "$root/tests" && npm ci --no-audit --no-fund)
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A results
for kind in "${server_list[@]}"; do
  if [[ "$kind" == parley && ! -x "$parley_server" ]]; then
    echo "parley-server not found at $parley_server: not measured" >&2
    status=1
    continue
  fi
  for w in "${workload_list[@]}"; do
    echo
    if ! start_server "$kind" "$w"; then status=1; continue; fi
    out="$workdir/$kind-$w.bench.log"
    : >"$out"  # exists before tail opens it
    # In the background, so that a signal to this script stops the run at once.
    # shellcheck disable=SC2086  # bench_args are deliberately word-split
    "$parley_bench" --workload "$w" --url "ws://127.0.0.1:$port" --server-pid "$server_pid" \
      ${bench_args[$w]} >"$out" 2>&1 &
    bench_pid=$!
    tail -n +1 -f --pid="$bench_pid" "$out" &
    tail_pid=$!
    wait "$bench_pid" || true
    bench_pid=""
    wait "$tail_pid" || true
    tail_pid=""
    if ! grep -q '^RESULT .*status=ok' "$out"; then status=1; fi
    results["$kind,$w"]="$(grep '^RESULT ' "$out" | tail -n 1 || true)"
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "FAILED: the $kind server exited during $w; the end of its log:" >&2
      tail -n 20 "$workdir/$kind-$w.server.log" >&2 || true
      status=1
    fi
    stop_server
  done
done

field() {  # result-line key
  local v
  v="$(sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1")"
  echo "${v:--}"
}

echo
echo "== comparison$([[ $quick -eq 1 ]] && echo ' (--quick sizes: not figures to quote)') =="
printf '%-4s %-22s' w metric
for kind in "${server_list[@]}"; do
  name="$kind"; [[ "$kind" == parley ]] && name="parley-server"; [[ "$kind" == node ]] && name="node-ws"
  printf ' %16s' "$name"
done
echo
row() {  # workload key label
  printf '%-4s %-22s' "$1" "$3"
  for kind in "${server_list[@]}"; do
    local line="${results["$kind,$1"]:-}"
    if [[ -z "$line" ]]; then printf ' %16s' "not measured"
    elif [[ "$line" == *status=failed* && "$2" != status ]]; then printf ' %16s' "failed"
    else printf ' %16s' "$(field "$line" "$2")"; fi
  done
  echo
}
for w in "${workload_list[@]}"; do
  case "$w" in
    w1) row w1 ready "clients ready"; row w1 deliveries_per_s "deliveries/s"; row w1 p50_ms "latency p50 ms"
        row w1 p99_ms "latency p99 ms"; row w1 max_ms "latency max ms"; row w1 server_cpu_pct "server cpu %"
        row w1 bench_cpu_pct "bench cpu %" ;;
    w2) row w2 ready "clients ready"; row w2 deliveries_per_s "deliveries/s"; row w2 p50_ms "latency p50 ms"
        row w2 p99_ms "latency p99 ms"; row w2 max_ms "latency max ms"; row w2 server_cpu_pct "server cpu %" ;;
    w3) row w3 ready "connections ready"; row w3 rss_before_kib "rss before KiB"
        row w3 rss_after_kib "rss after KiB"; row w3 bytes_per_conn "bytes/connection" ;;
  esac
done
exit "$status"
