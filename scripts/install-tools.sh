#!/usr/bin/env bash
# Installs the build and test tools Likely needs, each only when missing or at the wrong version:
# the wasm32 target, Trunk, wasm-bindgen-cli (the exact version in Cargo.lock), wasm-opt (binaryen 116,
# from crates.io: Debian's binaryen 108 breaks the page), and Debian's Chromium + ChromeDriver.
# Safe to run again: a machine that has everything pays a few seconds.
set -euo pipefail

TRUNK_VERSION="0.21.14"
WASM_OPT_VERSION="0.116.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

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

want_tools="${1:-all}" # all | build (no browser)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! has_version trunk "$TRUNK_VERSION"; then
  log "building trunk $TRUNK_VERSION (about 10-15 minutes the first time)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

wbg="$(wasm_bindgen_version)"
wbg="${wbg:-0.2.130}"
if ! has_version wasm-bindgen "$wbg"; then
  log "building wasm-bindgen-cli $wbg (a few minutes)"
  # Not --locked: its lock file pins a webpki-roots version the registry no longer serves.
  cargo install --force "wasm-bindgen-cli@$wbg"
fi

if ! has_version wasm-opt "version 116"; then
  log "building wasm-opt $WASM_OPT_VERSION (binaryen 116; about 11 minutes the first time)"
  cargo install --locked "wasm-opt@$WASM_OPT_VERSION"
fi

if [ "$want_tools" = "all" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    log "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
log "tools ready"
