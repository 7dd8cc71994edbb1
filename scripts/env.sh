#!/usr/bin/env bash
# Sourced by the other scripts: where Likely's tools live and the PATH that finds them.
# LIKELY_TOOLS_DIR (default ~/.local/share/likely-tools) holds npm's wasm-opt; cargo's tools are in
# ~/.cargo/bin.
export LIKELY_TOOLS_DIR="${LIKELY_TOOLS_DIR:-$HOME/.local/share/likely-tools}"
export PATH="$HOME/.cargo/bin:$LIKELY_TOOLS_DIR/npm/node_modules/.bin:$PATH"
