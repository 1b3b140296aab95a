#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster on a free 127.0.0.1 port, for tests and benchmarks.
#   scripts/postgres.sh start DIR   -> installs PostgreSQL 15 from apt if missing, prints the connection string
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}
bin=/usr/lib/postgresql/15/bin
case "$cmd" in
  start)
    if [ ! -x "$bin/initdb" ]; then
      echo "installing PostgreSQL 15 from apt..." >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15) >&2 </dev/null
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres:postgres "$dir"
    runuser -u postgres -- "$bin/initdb" -D "$dir/pgdata" -U postgres --auth=trust >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=512MB" start >/dev/null
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true"
    ;;
  stop)
    [ -d "$dir/pgdata" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pgdata" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
