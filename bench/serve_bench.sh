#!/usr/bin/env bash
# `mamori serve` under load, with wrk: the decision endpoint (POST
# /api/v1/decide) and a register listing (GET /api/v1/registers/asset, a page
# of 50 as the UI shows it) over a ledger holding 10,000 assets, signed in as the manager of
# the section that owns them. Each endpoint is run twice: open-loop at a fixed
# rate (default 1,000 requests/s, the aim: p99 under 10 ms) and flat out
# (the most it does). Prints requests/s and the latency percentiles.
#
#   bench/serve_bench.sh [MAMORI_BINARY]   (default build/bench/src/cli/mamori)
#
# Builds nothing; the binary should be a Release build:
#   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAMORI_TESTS=OFF -DMAMORI_BENCH=ON
#   ninja -C build/bench mamori
# Env: RATE (default 1000), DURATION (s, default 20), CONNECTIONS (default 20),
# ASSETS (default 10000), THREADS (server threads, default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
mamori=$(realpath "${1:-build/bench/src/cli/mamori}")
rate=${RATE:-1000}
duration=${DURATION:-20}
connections=${CONNECTIONS:-20}
assets=${ASSETS:-10000}
die() { echo "serve_bench: $*" >&2; exit 1; }
[[ -x "$mamori" ]] || die "no mamori at $mamori (see the comment at the top)"
command -v wrk >/dev/null || die "wrk is missing: scripts/install-deps.sh bench"

. scripts/serve-fixture.sh
fixture_ledger bench
# 10,000 data assets of 税務課 (owner m2), levels A/B/C in turn.
python3 - "$assets" > "$work/assets.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("code,name,kind,importance,owner_section,manager,segment")
for i in range(n):
    print(f"bench-{i:05d},ベンチ資産{i},data,{'ABC'[i % 3]},zeimu,m2,lgwan")
PY
"$mamori" --db "$db" register import asset "$work/assets.csv" --as m2 >/dev/null
password=$(fixture_password m2)
fixture_serve --threads "${THREADS:-8}" --web-root "" --access-log ""
base="http://127.0.0.1:$port/api/v1"
# Signs in, changes the temporary password, and prints "cookie csrf".
session=$(python3 - "$base" "$password" <<'PY'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
def call(path, body, cookie=None, csrf=None):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if cookie: req.add_header("Cookie", cookie)
    if csrf: req.add_header("X-CSRF-Token", csrf)
    return urllib.request.urlopen(req)
r = call("/auth/sign-in", {"login": "m2", "password": password})
cookie = r.headers["Set-Cookie"].split(";")[0]
csrf = json.load(r)["session"]["csrf_token"]
call("/auth/password", {"current_password": password, "new_password": "Bench-Password-2026"}, cookie, csrf)
print(cookie, csrf)
PY
)
cookie=${session% *}
csrf=${session#* }

cat > "$work/bench.lua" <<LUA
-- Open loop: each connection waits so that all together send RATE a second.
local method, path, body = os.getenv("METHOD"), os.getenv("URLPATH"), os.getenv("BODY")
local rate = tonumber(os.getenv("RATE") or "0")
wrk.method = method
wrk.body = body ~= "" and body or nil
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.headers["Content-Type"] = "application/json"
function request() return wrk.format(nil, path) end
function delay()
  if rate > 0 then return math.floor($connections * 1000 / rate) end
  return 0
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests/s=%.0f p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, errors))
end
LUA

wrk_once() {  # seconds method path body rate → the RESULT line
  METHOD=$2 URLPATH=$3 BODY=$4 RATE=$5 wrk -t2 -c"$connections" -d"$1s" \
    -s "$work/bench.lua" "http://127.0.0.1:$port" | grep '^RESULT'
}

run() {  # name method path body rate
  local line pace=$5
  if [ "$5" -gt 0 ]; then
    # wrk paces with a per-request delay, which sends fewer requests than the
    # delay promises (timer and loop overhead): calibrate the pace on short
    # runs until the measured rate is within 5% of the target.
    for _ in 1 2 3 4; do
      line=$(wrk_once 4 "$2" "$3" "$4" "$pace")
      local got=${line#*requests/s=}; got=${got%% *}
      awk -v g="$got" -v t="$5" 'BEGIN { exit !(g > t * 0.95 && g < t * 1.05) }' && break
      pace=$(awk -v p="$pace" -v g="$got" -v t="$5" 'BEGIN { printf "%d", p * t / (g > 1 ? g : 1) }')
    done
  fi
  line=$(wrk_once "$duration" "$2" "$3" "$4" "$pace")
  printf '%-34s %-12s %s\n' "$1" "$([ "$5" -gt 0 ] && echo "at $5/s" || echo "flat out")" "${line#RESULT }"
  if [ "$5" -gt 0 ]; then
    local p99=${line#*p99=}; p99=${p99%%ms*}
    awk -v p="$p99" 'BEGIN { exit !(p < 10) }' && echo "  aim p99 < 10 ms at $5/s: PASS" ||
      echo "  aim p99 < 10 ms at $5/s: MISS"
  fi
}
decide='{"action":"take_out","asset":{"kind":"data","classification":{"importance":"A"}},"context":{"offsite":true}}'
echo "mamori serve, $(nproc) cores, $assets assets, $connections connections, ${duration}s each"
run "POST /api/v1/decide" POST /api/v1/decide "$decide" "$rate"
run "POST /api/v1/decide" POST /api/v1/decide "$decide" 0
run "GET /api/v1/registers/asset" GET "/api/v1/registers/asset?limit=50" "" "$rate"
run "GET /api/v1/registers/asset" GET "/api/v1/registers/asset?limit=50" "" 0
