#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (Debian's
# chromium and chromium-driver, schemathesis from PyPI), finds PostgreSQL on
# 127.0.0.1:5432 or starts a throwaway cluster of Debian's postgresql on a free port,
# then runs the unit tests and the integration suite (HTTP, SMTP, browser and API
# contract tests) on SQLite and on PostgreSQL.
#
#   scripts/test.sh              everything
#   PORTICO_TEST_DATABASE_URL=postgres://user@host:port/db scripts/test.sh
#                                use that server for the PostgreSQL run
#   PORTICO_TEST_PG=throwaway scripts/test.sh
#                                always start a throwaway cluster (as on a laptop)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

say "checking tools"
command -v cargo >/dev/null || { echo "cargo is needed (https://rustup.rs)"; exit 1; }
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver for the browser tests"
  apt_install chromium chromium-driver
fi
command -v psql >/dev/null || apt_install postgresql-client
command -v pkill >/dev/null || apt_install procps
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null || apt_install npm
  say "installing axe-core for the accessibility checks"
  npm ci --no-audit --no-fund >/dev/null
fi

# schemathesis checks the API against its OpenAPI document (tests/it/api_contract.rs).
st_bin="$(command -v st || true)"
if [ -z "$st_bin" ]; then
  st_bin="$PWD/target/schemathesis/bin/st"
  if [ ! -x "$st_bin" ]; then
    say "installing schemathesis (PyPI) for the API contract test"
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv target/schemathesis >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv target/schemathesis; }
    target/schemathesis/bin/pip install -q "schemathesis==4.32.5"
  fi
fi
export PORTICO_SCHEMATHESIS="$st_bin"

# moto's server mode is the S3-compatible store of the object storage and multi-instance
# tests (tests/it/scale_s3.rs, tests/it/scale_out.rs).
moto_bin="$(command -v moto_server || true)"
if [ -z "$moto_bin" ]; then
  moto_bin="$PWD/target/moto/bin/moto_server"
  if [ ! -x "$moto_bin" ]; then
    say "installing moto (PyPI) for the S3-compatible file store tests"
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv target/moto >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv target/moto; }
    target/moto/bin/pip install -q "moto[server]==5.2.5"
  fi
fi
export PORTICO_MOTO="$moto_bin"

pg_started_dir=""
cleanup() {
  if [ -n "$pg_started_dir" ]; then
    say "stopping the throwaway PostgreSQL cluster"
    run_pg "$pg_bin/pg_ctl" -D "$pg_started_dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$pg_started_dir"
  fi
}
trap cleanup EXIT

run_pg() {
  # initdb and postgres refuse to run as root; use the postgres account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_url="${PORTICO_TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ]; then
  if [ "${PORTICO_TEST_PG:-}" != "throwaway" ] && psql "postgres://postgres@127.0.0.1:5432/postgres" -tAc 'select 1' >/dev/null 2>&1; then
    pg_url="postgres://postgres@127.0.0.1:5432/postgres"
  else
    say "no PostgreSQL on 127.0.0.1:5432: starting a throwaway cluster"
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
    pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    pg_started_dir=$(mktemp -d)
    chmod 755 "$pg_started_dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pg_started_dir"
    port=$(free_port)
    run_pg "$pg_bin/initdb" -D "$pg_started_dir/data" -U postgres --auth=trust >/dev/null
    run_pg "$pg_bin/pg_ctl" -D "$pg_started_dir/data" -l "$pg_started_dir/log" -w \
      -o "-p $port -k $pg_started_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    pg_url="postgres://postgres@127.0.0.1:$port/postgres"
  fi
fi

# Each test makes its own PostgreSQL database, named after this run (see
# tests/it/support/db.rs); only this run's are dropped, so two runs on one server (two
# checkouts, or CI beside a developer) leave each other alone. A drop that fails (a
# connection still closing) is not a test failure.
export PORTICO_TEST_RUN=$$
drop_test_databases() {
  local dbs
  dbs=$(psql "$pg_url" -tAc "select datname from pg_database where starts_with(datname, 'portico_t_${PORTICO_TEST_RUN}_')" 2>/dev/null) || return 0
  for db in $dbs; do
    psql "$pg_url" -qc "drop database if exists \"$db\"" >/dev/null 2>&1 || true
  done
  return 0
}

say "building"
cargo build --locked --all-targets

say "unit tests and the integration suite on SQLite"
cargo test --locked -- --test-threads="${PORTICO_TEST_THREADS:-4}"

say "the integration suite on PostgreSQL"
drop_test_databases
PORTICO_TEST_DATABASE_URL="$pg_url" cargo test --locked --test it -- --test-threads="${PORTICO_TEST_THREADS:-4}"
drop_test_databases

say "all tests passed on SQLite and PostgreSQL"
