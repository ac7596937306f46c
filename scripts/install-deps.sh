#!/bin/sh
# install-deps.sh - install the Debian packages catwalk needs, only when missing.
#
# A library counts as present when pkg-config (or the header, for libcsv which
# ships no .pc file) finds it, and a tool when it is on PATH.  Runs apt-get
# only when something is missing, so a warm machine pays nothing.
set -eu

missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_glob() { for f in $1; do [ -e "$f" ] && return 0; done; missing="$missing $2"; }

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
need_cmd git git
if command -v pkg-config >/dev/null 2>&1; then
    need_pc sqlite3 libsqlite3-dev
    need_pc libcurl libcurl4-openssl-dev
    need_pc libpcre2-8 libpcre2-dev
    need_pc jansson libjansson-dev
    need_pc yajl libyajl-dev
    need_pc inih libinih-dev
    need_pc xlsxwriter libxlsxwriter-dev
    need_pc cmocka libcmocka-dev
    need_pc libpq libpq-dev
    need_pc libcrypto libssl-dev
    need_pc cairo libcairo2-dev
else
    missing="$missing libsqlite3-dev libcurl4-openssl-dev libpcre2-dev libjansson-dev libyajl-dev libinih-dev libxlsxwriter-dev libcmocka-dev libpq-dev libssl-dev libcairo2-dev"
fi
need_file /usr/include/csv.h libcsv-dev
need_file /usr/share/zoneinfo/America/New_York tzdata
need_file /usr/lib/python3/dist-packages/openpyxl python3-openpyxl
need_file /usr/bin/python3 python3
# make bench BENCH=L: the floor's `sqlite3 .import`
need_cmd sqlite3 sqlite3
# make fuzz / fuzz-smoke: clang with libFuzzer and the sanitizer runtimes
need_cmd clang-14 clang-14
need_file /usr/lib/llvm-14/lib/libFuzzer.a libfuzzer-14-dev
need_glob "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" libclang-rt-14-dev
# the mail tests: a local SMTP sink, and the email body rendered headless
need_file /usr/lib/python3/dist-packages/aiosmtpd python3-aiosmtpd
need_cmd chromium chromium
need_cmd openssl openssl          # the sink's throwaway certificate
# the operations tests: man pages checked with groff, units with systemd-analyze
need_cmd groff groff-base
need_cmd systemd-analyze systemd
# the throwaway server of the PostgreSQL tests (tests/pg/pg.sh)
need_file /usr/lib/postgresql/15/bin/initdb postgresql-15

if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
