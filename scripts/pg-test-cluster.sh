#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: initdb in a temporary
# directory, listening only on a Unix socket there, run as an unprivileged
# user (`postgres` when called as root). Nothing depends on a server being
# there before.
#   scripts/pg-test-cluster.sh start DIR   — prints the URL of database "mamori"
#   scripts/pg-test-cluster.sh stop DIR    — stops the cluster, removes DIR
set -euo pipefail
command=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (scripts/install-deps.sh test)" >&2; exit 1; }
run=()
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  run=(runuser -u postgres --)
  user=postgres
fi
case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    "${run[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Only the socket in $dir: nothing listens on any address. fsync stays on
    # (the SIGKILL test relies on it).
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 -c max_connections=200" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    "${run[@]}" "$bin/createdb" -h "$dir" -p 5432 -U "$user" mamori
    echo "postgresql:///mamori?host=$dir&port=5432&user=$user"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
