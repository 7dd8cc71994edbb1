#!/usr/bin/env bash
# The test command: installs what is missing, builds, then runs every test: formatting, one clippy
# pass over every crate and target (the end-to-end feature included), the API docs without warnings,
# the native unit and HTTP tests of all crates, and the end-to-end tests that drive the real page in
# headless Chromium against a real `likely` server. Ends with the ten slowest tests.
#
# Every cargo step below uses the same feature set (`--all-features`), so the clippy pass, the docs and
# the two test runs reuse one another's dependency builds instead of building the workspace twice.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

log() { printf '[test] %s\n' "$*" >&2; }

bash scripts/install-tools.sh all
bash scripts/fetch-corpora.sh
bash scripts/build.sh

log "checking formatting, lints and the API docs"
cargo fmt --all -- --check
python3 scripts/module-cycles.py # modules import one way (no two modules using each other)
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --quiet

log "starting a throwaway PostgreSQL for the store tests"
eval "$(bash scripts/postgres.sh start)" # exports LIKELY_TEST_POSTGRES_URL and LIKELY_TEST_POSTGRES_DIR
timings="$(mktemp)"
trap 'bash scripts/postgres.sh stop "$LIKELY_TEST_POSTGRES_DIR"; rm -f "$timings"' EXIT

# nextest prints one line per test with its time (`PASS [   1.234s] crate::binary name`) and a
# summary line; its exit code is the run's. It does not run doctests: `cargo test --doc` does.
log "unit and HTTP tests"
cargo nextest run --workspace --all-features --no-fail-fast --hide-progress-bar \
  -E 'not binary_id(likely-app::e2e)' 2>&1 | tee -a "$timings"
cargo test --workspace --all-features --doc --quiet

log "end-to-end tests in headless Chromium"
# The same workspace-wide build as above (`-p likely-app` alone would unify features differently and
# rebuild Leptos and the rest for the one binary), filtered to the end-to-end binary.
LIKELY_BIN="$root/target/release/likely" LIKELY_DIST="$root/dist" \
  cargo nextest run --workspace --all-features -E 'binary_id(likely-app::e2e)' --test-threads=1 \
  --no-fail-fast --hide-progress-bar 2>&1 | tee -a "$timings"

log "the ten slowest tests"
grep -E '^ *(PASS|SLOW|FAIL)[^[]*\[ *[0-9.]+s' "$timings" \
  | sed -E 's/^ *[A-Z]+[^[]*\[ *([0-9.]+)s\] *(\([^)]*\) *)?/\1 s  /' \
  | sort -rn | sed -n 1,10p # sed reads to the end: head would close the pipe (SIGPIPE, exit 141)
