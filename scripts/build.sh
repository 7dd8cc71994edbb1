#!/usr/bin/env bash
# Builds Likely: the dashboard with Trunk (release, wasm-opt -Os, into dist/, then a `.br` and a `.gz`
# beside each file for the server to send by Accept-Encoding) and the `likely` server
# (release), then prepares the embedded models (trains them once; later runs load the cache).
# Expects the tools and corpora to be installed (scripts/install-tools.sh, scripts/fetch-corpora.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

log() { printf '[build] %s\n' "$*" >&2; }

# Trunk runs wasm-bindgen and wasm-opt on every build (about 20 s) even when nothing changed, so the
# dashboard is rebuilt only when one of its inputs (or a tool) is newer than the last build's stamp.
stamp="dist/.likely-built"
inputs=(index.html Trunk.toml Cargo.toml Cargo.lock .cargo build.rs src style crates/core
  scripts/split-wasm.sh scripts/wasm-segment-names.py
  "$(command -v trunk)" "$(command -v wasm-bindgen)" "$(command -v wasm-opt)" "$(command -v wasm-split-cli)")
if [[ -f "$stamp" && -f dist/index.html && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
  log "the dashboard is up to date (dist/)"
else
  log "building the dashboard (trunk build --release)"
  started="$(mktemp)" # inputs changed during the build make the next run build again
  trunk build --release >&2
  bash scripts/precompress.sh dist
  mv "$started" "$stamp"
fi
log "building the server (cargo build --release -p likely-proxy)"
cargo build --release -p likely-proxy >&2
log "preparing the embedded models"
target/release/likely prepare >&2
