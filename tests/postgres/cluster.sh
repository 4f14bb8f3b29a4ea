#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: `cluster.sh start DIR` makes one in DIR
# (initdb, trust for local connections only, no TCP at all: its socket lives in DIR)
# and starts it; `cluster.sh stop DIR` stops it and removes DIR. `cluster.sh conninfo DIR`
# prints the libpq connection string the tests use. ctest runs start and stop as a
# fixture around every test that needs the database, so the cluster is stopped after a
# failure too; scripts/test.sh stops any left over by an interrupted run.
# `cluster.sh crash DIR` stops it as a crash would (`pg_ctl stop -m immediate`, data kept)
# and `cluster.sh resume DIR` starts it again on its data (the outage tests).
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user
# (runuser); as anyone else it belongs to them.
set -euo pipefail

usage() { echo "usage: $0 start|stop|crash|resume|conninfo DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action="$1"
dir="$2"
case "$dir" in /*) ;; *) echo "cluster.sh: DIR must be absolute: $dir" >&2; exit 2 ;; esac

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port=5432  # names the socket file only: the cluster listens on no TCP address
conninfo="host=$dir/socket port=$port dbname=postgres user=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )"

# The newest PostgreSQL installed (Debian keeps the server binaries off PATH); conninfo
# alone needs none (CMake asks for it when configuring).
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ "$action" != conninfo ] && { [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; }; then
  echo "cluster.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

start_server() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -p $port -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

case "$action" in
  conninfo)
    echo "$conninfo"
    ;;
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync stays on: the durability tests kill servers, not the machine, but the settings
    # should be the ones an operator runs.
    start_server
    echo "cluster.sh: PostgreSQL running in $dir ($conninfo)"
    ;;
  crash)
    as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null
    ;;
  resume)
    start_server
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast -w -t 60 >/dev/null ||
        as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
