#!/usr/bin/env bash
# Builds Likely: the dashboard with Trunk (release, wasm-opt -Oz, into dist/) and the `likely` server
# (release), then prepares the embedded models (trains them once; later runs load the cache).
# Expects the tools and corpora to be installed (scripts/install-tools.sh, scripts/fetch-corpora.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

log() { printf '[build] %s\n' "$*" >&2; }

log "building the dashboard (trunk build --release)"
trunk build --release >&2
log "building the server (cargo build --release -p likely-proxy)"
cargo build --release -p likely-proxy >&2
log "preparing the embedded models"
target/release/likely prepare >&2
