#!/usr/bin/env bash
# `serve_bench.sh` on both engines side by side (issue 15): the register page
# (GET /api/v1/registers/asset, 50 of ASSETS) at RATE (1,000/s) on
#   - SQLite, one `mamori serve`;
#   - PostgreSQL, one `mamori serve`;
#   - PostgreSQL, two `mamori serve` on the same database (wrk's threads and
#     connections split between them: RATE/2 each);
# each on a ledger made afresh by serve_bench.sh, PostgreSQL on a throw-away
# cluster (scripts/pg-test-cluster.sh: Unix socket only, fsync on). Prints
# p50/p99 and errors per configuration and the ratio of PostgreSQL's p99 to
# SQLite's (the issue sets no aim for it; serve_bench.sh's own aim, p99 under
# 10 ms, is PASS/MISS per run), then the durable changes per second on both
# engines (bench/ledger_engines.sh, run as it is).
#   bench/serve_engines.sh [MAMORI_BINARY]
# Env: as serve_bench.sh (RATE, DURATION, CONNECTIONS, ASSETS, EVENTS, THREADS;
# PEOPLE defaults to 0 here: the asset page does not read them and adding
# 10,000 people one transaction each takes minutes on each engine);
# LEDGER_FLAGS: flags for ledger_engines.sh (e.g. "--changes=1000"), SKIP_LEDGER=1
# to leave it out.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${1:-}" ] && [ ! -x build/release/src/cli/mamori ]; then
  cmake --preset release >/dev/null && cmake --build build/release -j2 --target mamori >/dev/null
fi
mamori=$(realpath "${1:-build/release/src/cli/mamori}")
cluster=$(mktemp -d /tmp/mamori-pg-serve.XXXXXX)
out=$(mktemp -d)
trap 'scripts/pg-test-cluster.sh stop "$cluster"; rm -rf "$out"' EXIT
url=$(scripts/pg-test-cluster.sh start "$cluster")
# A database of its own for each PostgreSQL run: serve_bench.sh makes its
# ledger in an empty one.
psql -q "$url" -c 'CREATE DATABASE mamori2' >/dev/null
url2=${url/\/mamori\?//mamori2?}

export ONLY='^GET /api/v1/registers/asset$' FLAT_OUT=0 SIGNINS=0 PEOPLE=${PEOPLE:-0}
configs=("SQLite, 1 server" "PostgreSQL, 1 server" "PostgreSQL, 2 servers")
SERVERS=1 bench/serve_bench.sh "$mamori" | tee "$out/0"
SERVERS=1 FIXTURE_DB=$url bench/serve_bench.sh "$mamori" | tee "$out/1"
SERVERS=2 FIXTURE_DB=$url2 bench/serve_bench.sh "$mamori" | tee "$out/2"

field() { sed -n "s|.* $1=\\([0-9.]*\\).*|\\1|p" "$2" | head -1; }
echo
echo "GET /api/v1/registers/asset at ${RATE:-1000}/s:"
printf '%-24s %10s %9s %9s %7s %s\n' configuration requests/s p50 p99 errors "p99 / SQLite's"
sqlite_p99=$(field p99 "$out/0")
for i in 0 1 2; do
  p99=$(field p99 "$out/$i")
  printf '%-24s %10s %7sms %7sms %7s %s\n' "${configs[$i]}" "$(field requests/s "$out/$i")" \
    "$(field p50 "$out/$i")" "$p99" "$(field errors "$out/$i")" \
    "$(awk -v a="$p99" -v b="$sqlite_p99" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f×", a / b }')"
done
if [ "${SKIP_LEDGER:-0}" != 1 ]; then
  echo
  echo "Durable register changes per second (bench/ledger_engines.sh ${LEDGER_FLAGS:-}):"
  # shellcheck disable=SC2086
  bench/ledger_engines.sh ${LEDGER_FLAGS:-}
fi
