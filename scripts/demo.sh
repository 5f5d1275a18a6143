#!/usr/bin/env bash
# Builds Portico and runs it on demo data (embedded SQLite in ./portico-data).
# It prints the staff login, three portal links with a contact's email each, and where
# the sign-in codes go (files in ./portico-data/outbox unless PORTICO_SMTP_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo is needed (https://rustup.rs)"; exit 1; }
cargo build --release --locked
exec ./target/release/portico demo
