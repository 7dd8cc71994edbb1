#!/usr/bin/env bash
# Installs the build and test tools Likely needs, each only when missing or at the wrong version:
# the wasm32 target, Trunk, wasm-split-cli (splits the page's wasm by page), cargo-nextest (test
# command), wasm-bindgen-cli (the exact version in Cargo.lock), wasm-opt (binaryen 116: npm's
# `binaryen@116.0.0`, run by Node, installs in a second; built from crates.io only where Node is
# missing. Debian's binaryen 108 breaks the page), Debian's brotli (the dashboard's precompressed files),
# Debian's Chromium + ChromeDriver, Debian's PostgreSQL server (the shared store's tests start a
# throwaway cluster), and (scripts/install-python-tools.sh) lm-eval and OpenAI's Python SDK in a
# virtual environment.
# Safe to run again: a machine that has everything pays a few seconds.
set -euo pipefail

TRUNK_VERSION="0.21.14"
BINARYEN_NPM_VERSION="116.0.0"
WASM_OPT_CRATE_VERSION="0.116.1"
NEXTEST_VERSION="0.9.143"
WASM_SPLIT_VERSION="0.2.4"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  if [ -f "$root/Cargo.lock" ]; then
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock"
  fi
}

has_version() { # has_version CMD EXPECTED: the command exists and its --version mentions EXPECTED
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

want_tools="${1:-all}" # all | build (no browser, no database)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The Rust tools share one target directory (common dependencies compile once) and leave out what
# an offline build never uses: Trunk's update check and TLS stack, wasm-bindgen-cli's TLS client.
export CARGO_TARGET_DIR="$LIKELY_TOOLS_DIR/target"
# The tools are built once per machine and their speed does not matter here: no LTO and 16
# codegen units instead of their own release profiles (Trunk's is fat LTO in one unit) build them in
# minutes less on a fresh machine.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
if ! has_version trunk "$TRUNK_VERSION"; then
  log "building trunk $TRUNK_VERSION (about 10 minutes the first time)"
  cargo install --locked --no-default-features "trunk@$TRUNK_VERSION"
fi

# The page's wasm split by page (scripts/split-wasm.sh): the splitter of the `wasm_split_helpers`
# crate Leptos uses (`wasm-split-cli` has no --version; `cargo install --list` knows its version).
if ! cargo install --list | grep -qF "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "building wasm-split-cli $WASM_SPLIT_VERSION (a few minutes)"
  cargo install --locked --force "wasm_split_cli_support@$WASM_SPLIT_VERSION" --features build-binary
fi

wbg="$(wasm_bindgen_version)"
wbg="${wbg:-0.2.130}"
if ! has_version wasm-bindgen "$wbg"; then
  log "building wasm-bindgen-cli $wbg (a few minutes)"
  # Not --locked: its lock file pins a webpki-roots version the registry no longer serves.
  cargo install --force --no-default-features "wasm-bindgen-cli@$wbg"
fi

if ! has_version wasm-opt "version 116"; then
  if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
    log "installing wasm-opt from npm binaryen@$BINARYEN_NPM_VERSION"
    mkdir -p "$LIKELY_TOOLS_DIR/npm"
    npm install --silent --no-audit --no-fund --prefix "$LIKELY_TOOLS_DIR/npm" "binaryen@$BINARYEN_NPM_VERSION" >&2
  fi
  if ! has_version wasm-opt "version 116"; then
    log "building wasm-opt $WASM_OPT_CRATE_VERSION from crates.io (no Node here; about 11 minutes)"
    cargo install --locked "wasm-opt@$WASM_OPT_CRATE_VERSION"
  fi
fi
# The test command's runner (per-test times, the slowest listed at the end).
if [ "$want_tools" = "all" ] && ! cargo nextest --version >/dev/null 2>&1; then
  log "building cargo-nextest $NEXTEST_VERSION (a few minutes)"
  cargo install --locked "cargo-nextest@$NEXTEST_VERSION"
fi
rm -rf "$LIKELY_TOOLS_DIR/target" # only needed while building the tools

if ! command -v brotli >/dev/null 2>&1; then
  log "installing Debian's brotli (scripts/precompress.sh writes the dashboard's .br files with it)"
  apt_install brotli || log "could not install brotli: the dashboard will be served gzip-compressed only"
fi

if [ "$want_tools" = "all" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    log "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing Debian's postgresql"
    apt_install postgresql
  fi
  # lm-evaluation-harness and OpenAI's SDK for the dialect tests (crates/proxy/tests/it/dialects.rs).
  bash "$root/scripts/install-python-tools.sh" >/dev/null
fi
log "tools ready"
