#!/usr/bin/env bash
# Installs what mamori needs from Debian 12 (bookworm) packages, and nothing
# else. Called by run-demo.sh and run-tests.sh; safe to run again.
#   install-deps.sh build   — compiler, libraries and Node.js (for the web UI)
#   install-deps.sh test    — plus GoogleTest, clang/libFuzzer for fuzzing, nftables
#                             and iptables for the kernel differential test,
#                             Chromium for the browser tests and PostgreSQL (a
#                             throw-away cluster per test run)
#   install-deps.sh bench   — plus Google Benchmark and wrk for bench/, and the
#                             peers of bench/sanitize_vs_peers.sh (qpdf,
#                             Ghostscript, mat2, exiftool; groff for its corpus),
#                             nfdump for bench/netcheck_*_bench.sh
set -euo pipefail
profile=${1:-build}

packages=(build-essential cmake ninja-build pkg-config
  libtomlplusplus-dev libexpected-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libsqlite3-dev libsodium-dev libcsv-dev libxlsxwriter-dev libzip-dev libpugixml-dev
  libmagic-dev libqpdf-dev libgmime-3.0-dev libarchive-dev libxml2-dev
  libpng-dev libjpeg-dev libgif-dev libtiff-dev libwebp-dev
  libboost-dev libssl-dev libjemalloc-dev libpq-dev libfixbuf-dev
  libcrack2-dev cracklib-runtime)  # the password dictionary check, at run time too
case "$profile" in
  build) ;;
  test) packages+=(libgtest-dev libgmock-dev libcpp-httplib-dev clang libclang-rt-14-dev sqlite3 qpdf chromium openssl
    fonts-noto-cjk
    iproute2 nftables iptables iputils-ping  # the netcheck kernel differential test
    nfdump  # nfpcapd + nfreplay: the live collector's test (and the netcheck benches)
    postgresql) ;;  # a throw-away cluster for the tests on the second engine
  bench) packages+=(libbenchmark-dev wrk qpdf ghostscript mat2 libimage-exiftool-perl groff-base
    linux-perf
    nfdump) ;;  # nfpcapd, nfdump, nfreplay, nfcapd: bench/netcheck_*_bench.sh
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
# Node.js may come from Debian or be on the machine already (e.g. NodeSource's
# nodejs, which bundles npm and conflicts with Debian's npm package): only a
# missing command is installed.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
