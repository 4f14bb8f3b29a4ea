#!/usr/bin/env bash
# Runs the three parley-bench workloads against parley-server and against the Node `ws`
# reference server (tests/bench/node_ws_server.js), one server at a time and a fresh
# server process per workload, then prints a comparison table. Builds nothing.
# The PostgreSQL kinds (parley-pg, parley-2nodes, parley-3nodes: 1, 2 or 3 parley-server
# processes on one database, issue 13) run on a private cluster this script starts
# (tests/postgres/cluster.sh) and stops on exit, with a fresh database per run. The peer of
# several nodes, node-2redis (two Node `ws` instances sharing Redis pub/sub, no storage),
# runs on a private redis-server this script starts and stops.
#
#   tests/bench/run_benchmarks.sh [options] [PARLEY_SERVER [PARLEY_BENCH]]
#
#   PARLEY_SERVER   default build/native/server/parley-server
#   PARLEY_BENCH    default build/native/tests/bench/parley-bench
#   --quick         small sizes (a smoke run of a minute, not figures to quote)
#   --servers LIST  comma-separated subset of parley,node,parley-pg,parley-2nodes,
#                   parley-3nodes,node-2redis (default parley,node; the PostgreSQL kinds
#                   and node-2redis are meant for w1)
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
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
server_pid=""     # the first (or only) server process
server_pids=()    # every server process of the run (several nodes)
ports=()          # their ports, in the same order
pg_dir=""         # the private PostgreSQL cluster, once started
pg_conninfo=""
pg_runs=0
redis_pid=""      # the private redis-server, once started
redis_url=""
bench_pid=""
tail_pid=""

# shellcheck disable=SC2317  # also called by the EXIT trap
stop_server() {
  [[ ${#server_pids[@]} -eq 0 ]] && return 0
  local pid
  for pid in "${server_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  server_pids=()
  ports=()
  server_pid=""
}

# shellcheck disable=SC2317  # also called by the EXIT trap
stop_postgres() {
  [[ -z "$pg_dir" ]] && return 0
  bash "$root/tests/postgres/cluster.sh" stop "$pg_dir/cluster" >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  pg_dir=""
}

# The private cluster, started at the first PostgreSQL run. Outside $workdir (mode 700):
# as root the cluster belongs to the postgres user, which must reach its directory.
start_postgres() {
  [[ -n "$pg_dir" ]] && return 0
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-pg.XXXXXX")"
  chmod 755 "$pg_dir"
  if ! bash "$root/tests/postgres/cluster.sh" start "$pg_dir/cluster" >"$workdir/postgres.log" 2>&1; then
    echo "FAILED: the private PostgreSQL cluster did not start:" >&2
    cat "$workdir/postgres.log" >&2 || true
    stop_postgres
    return 1
  fi
  pg_conninfo="$(bash "$root/tests/postgres/cluster.sh" conninfo "$pg_dir/cluster")"
}

# A fresh, empty database on the private cluster; prints its conninfo.
fresh_database() {  # name
  psql "$pg_conninfo" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $1" >>"$workdir/postgres.log" 2>&1 || return 1
  sed "s/dbname=[^ ]*/dbname=$1/" <<<"$pg_conninfo"
}

# shellcheck disable=SC2317  # also called by the EXIT trap
stop_redis() {
  [[ -z "$redis_pid" ]] && return 0
  kill -TERM "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
}

# A private redis-server on a free port, without persistence (the peer stores nothing).
start_redis() {
  [[ -n "$redis_pid" ]] && return 0
  local rport
  rport="$(free_port)"
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$workdir/redis.log" 2>&1 &
  redis_pid=$!
  if ! wait_listening "$rport" "$redis_pid"; then
    echo "FAILED: redis-server did not start; its log:" >&2
    tail -n 20 "$workdir/redis.log" >&2 || true
    redis_pid=""
    return 1
  fi
  redis_url="redis://127.0.0.1:$rport"
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for pid in $bench_pid $tail_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $bench_pid $tail_pid; do wait "$pid" 2>/dev/null || true; done
  stop_server
  stop_postgres
  stop_redis
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

node_count() {  # kind -> how many server processes it runs
  case "$1" in parley-2nodes|node-2redis) echo 2 ;; parley-3nodes) echo 3 ;; *) echo 1 ;; esac
}

start_server() {  # kind workload -> sets server_pids, ports (server_pid, port: the first)
  local kind="$1" w="$2" nodes conninfo="" n log
  nodes="$(node_count "$kind")"
  if [[ "$kind" == parley-* ]]; then
    start_postgres || return 1
    pg_runs=$((pg_runs + 1))
    if ! conninfo="$(fresh_database "bench_run$pg_runs")"; then
      echo "FAILED: could not create database bench_run$pg_runs; see $workdir/postgres.log" >&2
      return 1
    fi
  fi
  if [[ "$kind" == node-2redis ]]; then start_redis || return 1; fi
  # One node at a time: the first creates the schema, the others find it.
  for n in $(seq "$nodes"); do
    port="$(free_port)"
    log="$workdir/$kind-$w.server.log"
    [[ $nodes -gt 1 ]] && log="$workdir/$kind-$w.n$n.server.log"
    case "$kind" in
      parley)
        local data="$workdir/$kind-$w.data"
        mkdir -p "$data"
        "$parley_server" --port "$port" --bind 127.0.0.1 --rate-limit 0 \
          --max-connections-per-address 0 --data "$data" >"$log" 2>&1 & ;;
      parley-*)
        "$parley_server" --port "$port" --bind 127.0.0.1 --rate-limit 0 \
          --max-connections-per-address 0 --postgres "$conninfo" --node-name "n$n" >"$log" 2>&1 & ;;
      node-2redis)
        node "$node_server" --port "$port" --bind 127.0.0.1 --redis "$redis_url" >"$log" 2>&1 & ;;
      *)
        node "$node_server" --port "$port" --bind 127.0.0.1 >"$log" 2>&1 & ;;
    esac
    server_pids+=("$!")
    ports+=("$port")
    if ! wait_listening "$port" "$!"; then
      echo "FAILED: $kind server (node $n) did not start listening on 127.0.0.1:$port; its log:" >&2
      tail -n 20 "$log" >&2 || true
      stop_server
      return 1
    fi
  done
  server_pid="${server_pids[0]}"
  port="${ports[0]}"
}

metric_of() {  # port name -> the value of an unlabelled metric on that parley-server's /metrics
  local reply
  reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && cat <&3) 2>/dev/null)"
  awk -v n="$2" '$1 == n { print $2; exit }' <<<"$reply"
}

# Each parley node's commits over the run: batches, messages, mean batch, commits/s.
print_commits() {  # seconds
  local p batches stored
  for p in "${ports[@]}"; do
    batches="$(metric_of "$p" parley_store_batch_seconds_count)"
    stored="$(metric_of "$p" parley_messages_stored_total)"
    [[ -z "$batches" || -z "$stored" || "$batches" == 0 ]] && continue
    awk -v b="$batches" -v m="$stored" -v s="$1" -v p="$p" 'BEGIN {
      printf "store of :%s  %d commits, %d messages: mean batch %.1f, %.0f commits/s over the run\n", p, b, m, m / b, b / s }'
  done
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
if [[ " ${server_list[*]} " == *" node"* && ! -d "$root/tests/node_modules/redis" ]]; then
  echo "installing the Node reference server's dependencies (npm ci in tests/)"
  (cd "$root/tests" && npm ci --no-audit --no-fund)
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A results
for kind in "${server_list[@]}"; do
  case "$kind" in
    parley|node|parley-pg|parley-2nodes|parley-3nodes|node-2redis) ;;
    *) echo "unknown server kind $kind (parley, node, parley-pg, parley-2nodes, parley-3nodes, node-2redis): not measured" >&2
       status=1; continue ;;
  esac
  if [[ "$kind" == parley* && ! -x "$parley_server" ]]; then
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
    # Several nodes: one URL per node (clients round-robin, w1's senders on the first)
    # and every pid (server CPU is their sum).
    urls="$(printf 'ws://127.0.0.1:%s,' "${ports[@]}")"
    pids="$(printf '%s,' "${server_pids[@]}")"
    "$parley_bench" --workload "$w" --url "${urls%,}" --server-pid "${pids%,}" \
      ${bench_args[$w]} >"$out" 2>&1 &
    bench_pid=$!
    bench_started=$SECONDS
    tail -n +1 -f --pid="$bench_pid" "$out" &
    tail_pid=$!
    wait "$bench_pid" || true
    bench_pid=""
    wait "$tail_pid" || true
    tail_pid=""
    if [[ "$kind" == parley* ]]; then print_commits "$((SECONDS - bench_started > 0 ? SECONDS - bench_started : 1))"; fi
    if ! grep -q '^RESULT .*status=ok' "$out"; then status=1; fi
    results["$kind,$w"]="$(grep '^RESULT ' "$out" | tail -n 1 || true)"
    for pid in "${server_pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "FAILED: a $kind server (pid $pid) exited during $w; the end of its log:" >&2
        tail -n 20 "$workdir/$kind-$w."*server.log >&2 || true
        status=1
      fi
    done
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
        row w1 p99_ms "latency p99 ms"; row w1 max_ms "latency max ms"
        row w1 cross_p50_ms "cross-node p50 ms"; row w1 cross_p99_ms "cross-node p99 ms"; row w1 server_cpu_pct "server cpu %"
        row w1 bench_cpu_pct "bench cpu %"; row w1 missing "missing"; row w1 dropped "dropped" ;;
    w2) row w2 ready "clients ready"; row w2 deliveries_per_s "deliveries/s"; row w2 p50_ms "latency p50 ms"
        row w2 p99_ms "latency p99 ms"; row w2 max_ms "latency max ms"
        row w2 cross_p50_ms "cross-node p50 ms"; row w2 cross_p99_ms "cross-node p99 ms"; row w2 server_cpu_pct "server cpu %" ;;
    w3) row w3 ready "connections ready"; row w3 rss_before_kib "rss before KiB"
        row w3 rss_after_kib "rss after KiB"; row w3 bytes_per_conn "bytes/connection" ;;
  esac
done
exit "$status"
