# Sourced by tests/e2e/run.sh and bench/serve_bench.sh: a demo ledger in a
# temporary directory and `mamori serve` on a free loopback port, both gone
# when the calling script exits. Needs $mamori (the binary) and the
# repository root as the working directory.
#   fixture_ledger NAME          → $db: the demo organization (examples/demo-ledger.jsonl);
#                                  in $FIXTURE_DB (a PostgreSQL URL) when set, else a SQLite file
#   fixture_password PERSON      prints a new account's temporary password (created by c1)
#   fixture_serve ARGS…          starts mamori serve on $db → $port, $server_pid; waits for /health
#                                  (call it again for another server on the same $db: each one's
#                                  port is appended to $ports, all are stopped at exit)
work=$(mktemp -d)
server_pid=""
server_pids=""
ports=""
fixture_cleanup() {
  local pid
  for pid in $server_pid $server_pids; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap fixture_cleanup EXIT

fixture_ledger() {
  db=${FIXTURE_DB:-$work/$1.db}
  "$mamori" --db "$db" init -p policies/hannan.toml >/dev/null
  "$mamori" --db "$db" batch < examples/demo-ledger.jsonl | { grep '^failed' || true; }
}

fixture_password() {
  "$mamori" --db "$db" --json account create "$1" --as c1 |
    sed -n 's/.*"temporary_password":"\([^"]*\)".*/\1/p'
}

fixture_serve() {
  # A free loopback port: ask the kernel, then let mamori bind it.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local log="$work/serve${ports:+-$port}.log"
  "$mamori" --db "$db" serve --host 127.0.0.1 --port "$port" "$@" >"$log" 2>&1 &
  server_pid=$!
  server_pids="$server_pids $server_pid"
  ports="${ports:+$ports }$port"
  local _
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api/v1/health')" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "mamori serve did not answer on port $port:" >&2
  cat "$log" >&2
  return 1
}
