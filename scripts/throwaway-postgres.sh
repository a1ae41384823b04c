#!/usr/bin/env bash
# A disposable PostgreSQL cluster for tests: initdb into a temp dir as user postgres, listen on a
# free loopback port, trust auth on loopback only. Installs Debian's postgresql when missing.
#   start  → prints `export TEST_POSTGRES_URL=…; export TEST_POSTGRES_DIR=…` (eval it)
#   stop DIR → stops the cluster in DIR and removes it
#   pause DIR / resume DIR → stops / starts the server, keeping its data and port (outage tests)
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

free_port() {
  # process.stdout.write, not console.log: under FORCE_COLOR (lerna sets it) a logged number gets ANSI colours.
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}

case "${1:-}" in
  start)
    bin=$(pg_bin)
    dir=$(mktemp -d /tmp/core-pod-pg.XXXXXX)
    chown postgres "$dir"
    port=$(free_port)
    run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    # In the config file rather than on the command line, so `resume` restarts it identically.
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 200\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" \
      "$port" "$dir" >> "$dir/data/postgresql.conf"
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres; export TEST_POSTGRES_DIR=$dir; export TEST_POSTGRES_BIN=$bin"
    ;;
  stop)
    dir=${2:?usage: throwaway-postgres.sh stop DIR}
    bin=$(pg_bin)
    if [ -d "$dir/data" ]; then
      if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
      else "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    fi
    rm -rf "$dir"
    ;;
  pause|resume)
    dir=${2:?usage: throwaway-postgres.sh pause|resume DIR}
    bin=$(pg_bin)
    if [ "$1" = pause ]; then set -- -m fast -w stop; else set -- -l "$dir/server.log" -w -t 60 start; fi
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" "$@" >/dev/null
    else "$bin/pg_ctl" -D "$dir/data" "$@" >/dev/null; fi
    ;;
  *) echo "usage: $0 start | stop DIR | pause DIR | resume DIR" >&2; exit 2 ;;
esac
