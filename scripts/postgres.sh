#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster on a free 127.0.0.1 port, for tests and benchmarks.
#   scripts/postgres.sh start DIR [--durable]  -> installs PostgreSQL 15 from apt if missing, prints the connection string
#   scripts/postgres.sh stop DIR
# Without --durable (the test suite): fsync, synchronous_commit and full_page_writes off — a crash loses the cluster.
# With --durable (every benchmark, as a production server runs): all three on (PostgreSQL's defaults), plus
# max_wal_size 4 GB so that a bulk load is not one checkpoint after another. Both: shared_buffers 512 MB in huge
# pages when the kernel allows it. The benchmarks print the settings they ran with (SHOW …).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}; mode=${3:-}
case "$mode" in
  "") durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" ;;
  --durable) durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_wal_size=4GB" ;;
  *) echo "unknown option '$mode' (expected --durable)" >&2; exit 2 ;;
esac
bin=/usr/lib/postgresql/15/bin
hp=/proc/sys/vm/nr_hugepages
# Free huge pages not promised to a running cluster (reserved pages count as free until touched).
huge_free() { awk '/^HugePages_Free/ {f=$2} /^HugePages_Rsvd/ {r=$2} END {print f-r}' /proc/meminfo; }
reserve_huge_pages() {
  local want=$1 total free
  [ -w "$hp" ] || return 0
  total=$(cat "$hp"); free=$(huge_free)
  [ "$free" -ge "$want" ] || echo $((total + want - free)) > "$hp" 2>/dev/null || true
}
release_free_huge_pages() {
  local total free
  [ -w "$hp" ] || return 0
  total=$(cat "$hp"); free=$(huge_free)
  echo $((total - free)) > "$hp" 2>/dev/null || true
}
case "$cmd" in
  start)
    if [ ! -x "$bin/initdb" ]; then
      echo "installing PostgreSQL 15 from apt..." >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15) >&2 </dev/null
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres:postgres "$dir"
    # Huge pages for the shared buffers, as a production server has them: with 4 KB pages every random index
    # look-up in shared memory pays TLB misses (on this VM a scattered look-up took ~30 us instead of ~13 us).
    # Reserved only when the kernel lets us (root, writable /proc/sys); huge_pages=try falls back otherwise.
    reserve_huge_pages 300
    runuser -u postgres -- "$bin/initdb" -D "$dir/pgdata" -U postgres --auth=trust >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir $durability -c max_connections=300 -c shared_buffers=512MB -c huge_pages=try" start >/dev/null
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true"
    ;;
  stop)
    [ -d "$dir/pgdata" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pgdata" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    release_free_huge_pages
    ;;
esac
