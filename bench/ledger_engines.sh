#!/usr/bin/env bash
# The ledger bench on both engines side by side (issue 15): durable register
# changes per second on SQLite (against plain SQLite) and on PostgreSQL
# (against plain libpq), in one run, on a throw-away PostgreSQL cluster
# (scripts/pg-test-cluster.sh: a Unix socket, fsync on). Release build.
#   bench/ledger_engines.sh [ledger_bench flags, e.g. --changes=2000 --repeat=5]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build build/release -j2 --target ledger_bench >/dev/null
cluster=$(mktemp -d /tmp/mamori-pg-bench.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$cluster"' EXIT
url=$(scripts/pg-test-cluster.sh start "$cluster")
build/release/bench/ledger_bench --compare_only --no_verify --postgres="$url" "$@"
