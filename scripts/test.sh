#!/usr/bin/env bash
# The test command: installs what is missing, builds, then runs every test: formatting and lints, the
# native unit and HTTP tests of all crates, and the end-to-end tests that drive the real page in
# headless Chromium against a real `likely` server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

log() { printf '[test] %s\n' "$*" >&2; }

bash scripts/install-tools.sh all
bash scripts/fetch-corpora.sh
bash scripts/build.sh

log "checking formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p likely-app --all-targets --features e2e --quiet -- -D warnings

log "starting a throwaway PostgreSQL for the store tests"
eval "$(bash scripts/postgres.sh start)" # exports LIKELY_TEST_POSTGRES_URL and LIKELY_TEST_POSTGRES_DIR
trap 'bash scripts/postgres.sh stop "$LIKELY_TEST_POSTGRES_DIR"' EXIT

log "unit and HTTP tests"
cargo test --workspace --quiet

log "end-to-end tests in headless Chromium"
LIKELY_BIN="$root/target/release/likely" LIKELY_DIST="$root/dist" \
  cargo test -p likely-app --features e2e --test e2e -- --test-threads=1
