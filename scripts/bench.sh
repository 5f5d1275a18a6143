#!/usr/bin/env bash
# The benchmark of issue #6: builds a release binary, generates data at two sizes
# (10,000 and 1,000,000 invoices) into a throwaway database, serves it, logs portal
# sessions in through the real email-code flow, and measures with wrk at 64 connections:
# both sizes' servers run at once and the page measurements take turns between them.
# Writes target/bench/results.json and target/bench/results.md and prints the targets as
# pass/fail. Not part of scripts/test.sh: it takes the machine's CPU for several minutes.
#
#   scripts/bench.sh                     both sizes on SQLite (a file under target/bench)
#   BENCH_SIZES=10k scripts/bench.sh     one size only (10k or 1M)
#   BENCH_DB=postgres scripts/bench.sh   PostgreSQL: a throwaway database on
#                                        BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
#                                        dropped afterwards
#   BENCH_SECONDS=10                     seconds per measurement (default 10)
#   BENCH_PAGE_ROUNDS=3                  rounds of the page measurements (medians reported)
#   BENCH_DATABASE_URL=...               generate into and serve this database instead (one
#                                        size only); refused if it holds real data unless
#                                        BENCH_FORCE=1
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v cargo >/dev/null || { echo "cargo is needed (https://rustup.rs)"; exit 1; }
command -v python3 >/dev/null || apt_install python3
if ! command -v wrk >/dev/null; then say "installing wrk (Debian)"; apt_install wrk; fi
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "installing nginx (Debian), the file-serving baseline"; apt_install nginx
fi
if [ "${BENCH_DB:-sqlite}" = postgres ] && ! command -v psql >/dev/null; then
  apt_install postgresql-client
fi

say "building the release binary"
cargo build --release --locked --bin portico

mkdir -p target/bench
say "running the benchmark"
exec python3 scripts/bench.py
